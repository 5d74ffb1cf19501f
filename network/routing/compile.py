"""Compile a graph into CSR arrays for ``scipy.sparse.csgraph``, once per mode filter.

In: a :class:`~network.graph.edges.EdgeTable` (or a ``networkx.MultiDiGraph`` following
:mod:`network.graph.schema`) and a mode name of
:data:`~network.graph.schema.MODE_SETS`. Out: :class:`CompiledGraph`: node ids numbered in
Morton (Z-curve) order, a CSR matrix of edge times (minutes), and for every CSR entry the index of
the graph edge it came from, so paths and legs can be recovered.

Parallel edges between the same two nodes keep the fastest (csgraph would otherwise add them).
Zero-time edges are stored as a tiny positive time (1e-9 min), because a sparse matrix cannot tell
an explicit zero from a missing edge; the error is below any reported precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from network.errors import DataError
from network.graph.edges import EdgeTable, build_edge_table
from network.graph.schema import MODE_SETS, PLATFORM_MODE_SETS
from network.routing.engine import csr_min

_EPS_MIN = 1e-9


@dataclass(frozen=True)
class CompiledGraph:
    """CSR form of a graph for one mode filter.

    Attributes
    ----------
    node_ids
        Graph node id of each matrix row/column (Morton order).
    index
        Node id → row.
    matrix
        CSR matrix, ``matrix[i, j]`` = minutes from node i to node j.
    edge_of_entry
        For each stored entry (aligned with ``matrix.data``), the row of :class:`EdgeTable`.
    """

    mode: str
    node_ids: list[str]
    index: dict[str, int]
    matrix: csr_matrix
    edge_of_entry: NDArray[np.int64]
    edges: EdgeTable
    _transposed: list[csr_matrix] = field(default_factory=list, repr=False)

    @property
    def transposed(self) -> csr_matrix:
        """The reversed graph (for many-to-one searches), built on first use."""
        if not self._transposed:
            self._transposed.append(self.matrix.transpose().tocsr())
        return self._transposed[0]

    def edge_between(self, i: int, j: int) -> int:
        """Row of :class:`EdgeTable` of the (fastest) edge from row ``i`` to row ``j``."""
        start, end = self.matrix.indptr[i], self.matrix.indptr[i + 1]
        hits = np.flatnonzero(self.matrix.indices[start:end] == j)
        if hits.size == 0:
            raise DataError(f"no edge {self.node_ids[i]} -> {self.node_ids[j]} in the compiled graph")
        return int(self.edge_of_entry[start + hits[0]])


def compile_edges(edges: EdgeTable, mode: str) -> CompiledGraph:
    """CSR arrays of the edges allowed in ``mode`` (keeping the fastest of parallel edges)."""
    sets = {**MODE_SETS, **PLATFORM_MODE_SETS}
    if mode not in sets:
        raise DataError(f"unknown mode {mode!r}; expected one of {sorted(sets)}")
    allowed = np.isin(edges.mode, sorted(sets[mode]))
    rows = np.flatnonzero(allowed)
    t = np.maximum(edges.time_min[rows], _EPS_MIN)
    matrix, keep = csr_min(edges.u[rows], edges.v[rows], t, len(edges.node_ids))
    rows = rows[keep]
    return CompiledGraph(
        mode=mode, node_ids=edges.node_ids, index=edges.index, matrix=matrix, edge_of_entry=rows, edges=edges
    )


def compile_graph(graph: nx.MultiDiGraph, mode: str = "best") -> CompiledGraph:
    """Compile ``graph`` for one mode filter (see the module docstring)."""
    return compile_edges(build_edge_table(graph), mode)
