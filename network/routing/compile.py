"""Compile a graph into CSR arrays for ``scipy.sparse.csgraph``, once per mode filter.

In: a ``networkx.MultiDiGraph`` following :mod:`network.graph.schema` and a mode name of
:data:`~network.graph.schema.MODE_SETS`. Out: :class:`CompiledGraph`: node ids numbered in
Morton (Z-curve) order, a CSR matrix of edge times (minutes), and for every CSR entry the index of
the graph edge it came from, so paths and legs can be recovered.

Parallel edges between the same two nodes keep the fastest (csgraph would otherwise add them).
Zero-time edges are stored as a tiny positive time (1e-9 min), because a sparse matrix cannot tell
an explicit zero from a missing edge; the error is below any reported precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from network.errors import DataError
from network.geo import morton_order
from network.graph.schema import MODE_SETS, PLATFORM_MODE_SETS

_EPS_MIN = 1e-9


@dataclass(frozen=True)
class EdgeTable:
    """All edges of a graph as arrays (one row per graph edge), built once per graph."""

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    time_min: NDArray[np.float64]
    length_km: NDArray[np.float64]
    mode: NDArray[np.str_]
    keys: list[tuple[str, str, Any]]
    node_ids: list[str]
    index: dict[str, int]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]


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


def build_edge_table(graph: nx.MultiDiGraph) -> EdgeTable:
    """Collect the graph's edges into arrays, with nodes numbered in Morton order."""
    nodes = list(graph.nodes)
    lon = np.array([graph.nodes[n]["lon"] for n in nodes], dtype=float)
    lat = np.array([graph.nodes[n]["lat"] for n in nodes], dtype=float)
    order = morton_order(lon, lat)
    node_ids = [nodes[k] for k in order]
    index = {n: i for i, n in enumerate(node_ids)}
    keys, u, v, t, length, mode = [], [], [], [], [], []
    for a, b, key, data in graph.edges(keys=True, data=True):
        keys.append((a, b, key))
        u.append(index[a])
        v.append(index[b])
        t.append(data["time_min"])
        length.append(data["length_km"])
        mode.append(data["mode"])
    return EdgeTable(u=np.array(u, dtype=np.int64), v=np.array(v, dtype=np.int64),
                     time_min=np.array(t, dtype=float), length_km=np.array(length, dtype=float),
                     mode=np.array(mode, dtype=str), keys=keys, node_ids=node_ids, index=index,
                     lon=lon[order], lat=lat[order])


def min_weight_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> tuple[csr_matrix, np.ndarray]:
    """A CSR matrix of directed edges keeping the least weight of parallel edges (scipy's
    ``coo_matrix(...).tocsr()`` would add them up). Returns the matrix and the indices of the
    edges kept, in CSR order.

    >>> m, keep = min_weight_csr(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([5.0, 2.0, 1.0]), 2)
    >>> float(m[0, 1]), keep.tolist()
    (2.0, [1, 2])
    """
    order = np.lexsort((w, v, u))  # by u, then v, then least weight first
    uo, vo = u[order], v[order]
    first = np.ones(uo.size, dtype=bool)
    first[1:] = (uo[1:] != uo[:-1]) | (vo[1:] != vo[:-1])
    keep = order[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u[keep] + 1, 1)
    indptr = np.cumsum(indptr)
    return csr_matrix((w[keep], v[keep].astype(np.int32), indptr), shape=(n, n)), keep


def compile_edges(edges: EdgeTable, mode: str) -> CompiledGraph:
    """CSR arrays of the edges allowed in ``mode`` (keeping the fastest of parallel edges)."""
    sets = {**MODE_SETS, **PLATFORM_MODE_SETS}
    if mode not in sets:
        raise DataError(f"unknown mode {mode!r}; expected one of {sorted(sets)}")
    allowed = np.isin(edges.mode, sorted(sets[mode]))
    rows = np.flatnonzero(allowed)
    t = np.maximum(edges.time_min[rows], _EPS_MIN)
    matrix, keep = min_weight_csr(edges.u[rows], edges.v[rows], t, len(edges.node_ids))
    rows = rows[keep]
    return CompiledGraph(mode=mode, node_ids=edges.node_ids, index=edges.index, matrix=matrix,
                         edge_of_entry=rows, edges=edges)


def compile_graph(graph: nx.MultiDiGraph, mode: str = "best") -> CompiledGraph:
    """Compile ``graph`` for one mode filter (see the module docstring)."""
    return compile_edges(build_edge_table(graph), mode)
