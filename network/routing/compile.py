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

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from network.errors import DataError
from network.graph.edges import EdgeTable, build_edge_table
from network.graph.schema import MODE_SETS, PLATFORM_MODE_SETS
from network.search import csr_groups, group_min

if TYPE_CHECKING:
    import networkx as nx

_EPS_MIN = 1e-9
_SETS = {**MODE_SETS, **PLATFORM_MODE_SETS}


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
    members, starts
        The edge-table rows that map to each entry (parallel edges; :func:`csr_groups`): entry
        ``e`` holds ``members[starts[e]:starts[e + 1]]``. :meth:`retimed` re-weights from these.
        Without parallel edges ``starts`` is None and ``members`` is ``edge_of_entry`` (one
        array, no bytes spent). Row numbers are int32 below 2**31 rows (4 bytes an edge).
    """

    mode: str
    node_ids: list[str]
    index: Mapping[str, int]
    matrix: csr_matrix
    edge_of_entry: NDArray[np.integer[Any]]
    edges: EdgeTable
    members: NDArray[np.integer[Any]]
    starts: NDArray[np.integer[Any]] | None
    _transposed: list[csr_matrix] = field(default_factory=list, repr=False)
    _lookups: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def transposed(self) -> csr_matrix:
        """The reversed graph (for many-to-one searches), built on first use."""
        if not self._transposed:
            self._transposed.append(self.matrix.transpose().tocsr())
        return self._transposed[0]

    def _entry_of_row(self) -> np.ndarray:
        """Edge-table row → CSR entry (-1 for rows this mode does not allow), built on first use."""
        if "entry_of_row" not in self._lookups:
            entry = np.full(len(self.edges.u), -1, dtype=self.members.dtype)
            index = self.members.dtype
            if self.starts is None:
                entry[self.members] = np.arange(self.matrix.nnz, dtype=index)
            else:
                entry[self.members] = np.repeat(np.arange(len(self.starts) - 1, dtype=index), np.diff(self.starts))
            self._lookups["entry_of_row"] = entry
        out: np.ndarray = self._lookups["entry_of_row"]
        return out

    def _transposed_position(self) -> np.ndarray:
        """For each entry of :attr:`matrix`, its position in :attr:`transposed`'s data."""
        if "t_pos" not in self._lookups:
            m = self.matrix
            ids = csr_matrix((np.arange(1, m.nnz + 1, dtype=float), m.indices, m.indptr), shape=m.shape)
            t = ids.transpose().tocsr()
            pos = np.empty(m.nnz, dtype=self.members.dtype)
            pos[t.data.astype(np.int64) - 1] = np.arange(m.nnz)
            self._lookups["t_pos"] = pos
        t_pos: np.ndarray = self._lookups["t_pos"]
        return t_pos

    def _new_weights(
        self, edges: EdgeTable, rows: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(entries, their new weights, their new edge rows) for :meth:`retimed`, or None where
        the structure changed (an edge this mode did not allow now is allowed)."""
        if len(edges.u) < len(self.edges.u) or len(edges.node_ids) < len(self.node_ids):
            raise DataError("retimed: the new edge table must extend the compiled one")
        modes = sorted(_SETS[self.mode])
        ne = len(self.edges.u)
        if ne == 0 or self.matrix.nnz == 0:
            return None
        if rows is not None and len(rows) > ne // 4:  # most edges changed (a draw): all entries at once
            rows = None
        new_rows = np.arange(ne, len(edges.u)) if rows is None else np.asarray(rows, dtype=np.int64)
        outside = new_rows[(new_rows >= ne) | (self._entry_of_row()[np.minimum(new_rows, ne - 1)] < 0)]
        if np.isin(edges.mode[outside], modes).any():  # an edge this mode now allows that it did not
            return None
        entries = (
            np.arange(self.matrix.nnz) if rows is None else np.unique(self._entry_of_row()[new_rows[new_rows < ne]])
        )
        entries = entries[entries >= 0]
        weights = edges.time_min
        if rows is None:
            weights = np.where(self._allowed(edges), weights, np.inf)
        else:  # an edge changed to a mode this filter does not allow (closed) no longer counts
            old = new_rows[new_rows < ne]
            closed = old[~np.isin(edges.mode[old], modes)]
            if closed.size:
                weights = weights.copy()
                weights[closed] = np.inf
        if self.starts is None:
            best = self.edge_of_entry[entries]
            least = weights[best]
        elif rows is None:
            least, best = self._all_group_min(weights)
        else:
            least, best = group_min(weights, self.members, self.starts, entries)
        return entries, np.maximum(least, _EPS_MIN), best

    def _all_group_min(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`group_min` over every entry at once (a draw re-weights them all): one reduce
        over the members, and the first member with the least weight of each group without a
        sort (members of a group are contiguous)."""
        assert self.starts is not None
        if "group_of_member" not in self._lookups:
            self._lookups["group_of_member"] = np.repeat(np.arange(len(self.starts) - 1), np.diff(self.starts))
        group = self._lookups["group_of_member"]
        w = weights[self.members]
        least = np.minimum.reduceat(w, self.starts[:-1])
        hit = np.flatnonzero(w == least[group])
        first = hit[np.concatenate([[True], group[hit][1:] != group[hit][:-1]])]
        return least, self.members[first]

    def _allowed(self, edges: EdgeTable) -> np.ndarray:
        """Which rows of ``edges`` this mode allows (kept while the modes array is the same)."""
        hit = self._lookups.get("allowed")
        if hit is None or hit[0] is not edges.mode:
            names, codes = edges.mode_codes
            ok = np.isin(np.array(names, dtype=object), sorted(_SETS[self.mode]))
            hit = (edges.mode, ok[codes])
            self._lookups["allowed"] = hit
        return hit[1]

    @contextmanager
    def overlaid(self, rows: np.ndarray, time_min: np.ndarray) -> Iterator[CompiledGraph]:
        """These arrays with edge-table ``rows`` re-timed to ``time_min`` (``inf`` closes an
        edge) **in place** for the duration of the ``with`` block, then restored: the cheapest
        way to run many scenarios that each re-time a few edges of a large graph (nothing is
        copied but the entries changed). Not for arrays another thread is searching meanwhile.

        Raises
        ------
        DataError
            For a row this mode does not allow (an edge it has no entry for).
        """
        rows = np.asarray(rows, dtype=np.int64)
        entry = self._entry_of_row()[rows]
        if (entry < 0).any():
            raise DataError(f"overlaid: edge rows {rows[entry < 0][:5].tolist()} are not in the {self.mode} arrays")
        if self.starts is None:
            entries, least, best = entry, np.maximum(np.asarray(time_min, dtype=float), _EPS_MIN), rows
        else:  # parallel edges: the fastest of each group under the new times
            weights = self.edges.time_min.copy()
            weights[rows] = time_min
            entries = np.unique(entry)
            least, best = group_min(weights, self.members, self.starts, entries)
            least = np.maximum(least, _EPS_MIN)
        t, t_pos = self.transposed, self._transposed_position()[entries]
        saved = self.matrix.data[entries].copy(), self.edge_of_entry[entries].copy()
        self.matrix.data[entries] = least
        t.data[t_pos] = least
        self.edge_of_entry[entries] = best
        try:
            yield self
        finally:
            self.matrix.data[entries], self.edge_of_entry[entries] = saved
            t.data[t_pos] = saved[0]

    def retimed(self, edges: EdgeTable, rows: np.ndarray | None = None) -> CompiledGraph:
        """These arrays re-weighted for ``edges``: the same edges with other times or modes (a
        draw of the constants, or a scenario that re-times and closes edges but adds none in this
        mode). Only the entries of ``rows`` (edge-table rows that changed; None: all) are
        recomputed, each as the fastest of its parallel edges still allowed; a closed edge gets
        ``inf``. No sort: the structure (and the transpose's, with its entries written in place
        of a copy) is shared; nodes ``edges`` appends get empty rows. Where an edge this mode did
        not allow now is allowed (an added edge), the arrays are compiled afresh.

        Raises
        ------
        DataError
            If ``edges`` does not extend the table these arrays were compiled from.
        """
        change = self._new_weights(edges, rows)
        if change is None:
            return compile_edges(edges, self.mode)
        entries, least, best = change
        data, edge_of_entry = self.matrix.data.copy(), self.edge_of_entry.copy()
        data[entries] = least
        edge_of_entry[entries] = best
        n = len(edges.node_ids)
        matrix = _widened(csr_matrix((data, self.matrix.indices, self.matrix.indptr), shape=self.matrix.shape), n)
        t = self.transposed  # built once on the base; its structure is shared by every copy
        tdata = t.data.copy()
        tdata[self._transposed_position()[entries]] = data[entries]
        return CompiledGraph(
            mode=self.mode,
            node_ids=edges.node_ids,
            index=edges.index,
            matrix=matrix,
            edge_of_entry=edge_of_entry,
            edges=edges,
            members=self.members,
            starts=self.starts,
            _transposed=[_widened(csr_matrix((tdata, t.indices, t.indptr), shape=t.shape), n)],
            _lookups=dict(self._lookups),
        )

    def widened(self, edges: EdgeTable) -> CompiledGraph:
        """The same arrays for ``edges``, a table that only appends to this one's in rows this
        mode does not allow (a scenario that left the mode alone): appended nodes get empty rows."""
        n = len(edges.node_ids)
        return dataclasses.replace(
            self,
            node_ids=edges.node_ids,
            index=edges.index,
            edges=edges,
            matrix=_widened(self.matrix, n),
            _transposed=[_widened(self.transposed, n)],
            _lookups=dict(self._lookups),
        )

    def edge_between(self, i: int, j: int) -> int:
        """Row of :class:`EdgeTable` of the (fastest) edge from row ``i`` to row ``j``."""
        start, end = self.matrix.indptr[i], self.matrix.indptr[i + 1]
        hits = np.flatnonzero(self.matrix.indices[start:end] == j)
        if hits.size == 0:
            raise DataError(f"no edge {self.node_ids[i]} -> {self.node_ids[j]} in the compiled graph")
        return int(self.edge_of_entry[start + hits[0]])


def _widened(matrix: csr_matrix, n: int) -> csr_matrix:
    """The same entries in an ``n`` x ``n`` matrix (empty rows and columns appended)."""
    extra = n - matrix.shape[0]
    if extra == 0:
        return matrix
    indptr = np.concatenate([matrix.indptr, np.full(extra, matrix.indptr[-1], dtype=matrix.indptr.dtype)])
    return csr_matrix((matrix.data, matrix.indices, indptr), shape=(n, n))


def compile_edges(edges: EdgeTable, mode: str) -> CompiledGraph:
    """CSR arrays of the edges allowed in ``mode`` (keeping the fastest of parallel edges)."""
    if mode not in _SETS:
        raise DataError(f"unknown mode {mode!r}; expected one of {sorted(_SETS)}")
    allowed = np.isin(edges.mode, sorted(_SETS[mode]))
    rows = np.flatnonzero(allowed)
    t = np.maximum(edges.time_min[rows], _EPS_MIN)
    matrix, order, starts = csr_groups(edges.u[rows], edges.v[rows], t, len(edges.node_ids))
    index = np.int32 if len(edges.u) < 2**31 else np.int64
    edge_of_entry = rows[order[starts[:-1]]].astype(index)
    parallel = len(order) > matrix.nnz
    return CompiledGraph(
        mode=mode,
        node_ids=edges.node_ids,
        index=edges.index,
        matrix=matrix,
        edge_of_entry=edge_of_entry,
        edges=edges,
        members=rows[order].astype(index) if parallel else edge_of_entry,
        starts=starts.astype(index) if parallel else None,
    )


def compile_graph(graph: nx.MultiDiGraph, mode: str = "best") -> CompiledGraph:
    """Compile ``graph`` for one mode filter (see the module docstring)."""
    return compile_edges(build_edge_table(graph), mode)
