"""The search engine: shortest paths on CSR arrays, and the one walk back along predecessors.

Every search of the package runs here (the graph builder's map matching and rail measuring, the
scenario builder's bus routes, door-to-door trips, isochrones, matrices), so the engine can be
swapped in one place (:class:`CCHMatrix` is the optional second engine, for many-to-many
matrices). It knows nothing of the network: rows and columns are node indices, weights
are minutes or kilometres. Today it is ``scipy.sparse.csgraph`` (Dijkstra with binary heaps; see
``../shared/reference/PERFORMANCE.md`` for how it compares on two cores).

This module imports only NumPy and SciPy, so every layer may use it (see ``tests/test_layers.py``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csgraph, csr_matrix

#: scipy marks "no predecessor" (a source, or a node not reached) with a negative index.
NO_PREDECESSOR = -9999


def csr_min(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> tuple[csr_matrix, np.ndarray]:
    """A CSR matrix of directed edges keeping the least weight of parallel edges (scipy's
    ``coo_matrix(...).tocsr()`` would add them up). Returns the matrix and the indices of the
    edges kept, in CSR order.

    >>> m, keep = csr_min(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([5.0, 2.0, 1.0]), 2)
    >>> float(m[0, 1]), keep.tolist()
    (2.0, [1, 2])
    """
    matrix, order, starts = csr_groups(u, v, w, n)
    return matrix, order[starts[:-1]]


def csr_groups(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """:func:`csr_min` with its groups of parallel edges: ``order`` lists the edges by CSR entry
    (least weight first within an entry) and entry ``e`` holds ``order[starts[e]:starts[e + 1]]``;
    :func:`group_min` re-weights entries from these without sorting again.

    >>> m, order, starts = csr_groups(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([5.0, 2.0, 1.0]), 2)
    >>> order.tolist(), starts.tolist()
    ([1, 0, 2], [0, 2, 3])
    """
    order = np.lexsort((w, v, u))  # by u, then v, then least weight first
    uo, vo = u[order], v[order]
    first = np.ones(uo.size, dtype=bool)
    first[1:] = (uo[1:] != uo[:-1]) | (vo[1:] != vo[:-1])
    starts = np.append(np.flatnonzero(first), uo.size)
    keep = order[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u[keep] + 1, 1)
    indptr = np.cumsum(indptr)
    return csr_matrix((w[keep], v[keep].astype(np.int32), indptr), shape=(n, n)), order, starts


def group_min(
    weights: np.ndarray, members: np.ndarray, starts: np.ndarray, entries: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``entries`` (groups of :func:`csr_groups`), the least of ``weights`` over its
    members and the member that has it (the first on ties): vectorised over the members of the
    groups asked for only, so re-weighting a few entries of a large graph costs a few entries.

    >>> group_min(np.array([5.0, 2.0, 1.0]), np.array([1, 0, 2]), np.array([0, 2, 3]), np.array([0, 1]))
    (array([2., 1.]), array([1, 2]))
    """
    lo, hi = starts[entries], starts[np.asarray(entries) + 1]
    sizes = hi - lo
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    pos = np.repeat(lo - offsets, sizes) + np.arange(int(sizes.sum()))  # members of every group, in order
    rows = members[pos]
    w = weights[rows]
    least = np.minimum.reduceat(w, offsets) if len(w) else np.zeros(0)
    group = np.repeat(np.arange(len(sizes)), sizes)
    hit = np.flatnonzero(w == least[group])
    _, first = np.unique(group[hit], return_index=True)
    return least, rows[hit[first]]


def search(
    matrix: csr_matrix,
    sources: int | Sequence[int] | np.ndarray,
    *,
    limit: float = np.inf,
    predecessors: bool = False,
    min_only: bool = False,
    directed: bool = True,
) -> Any:
    """Dijkstra from ``sources`` (row indices) on ``matrix``.

    Returns ``dist`` (one row per source; one row in all with ``min_only``: the least distance
    from any source), and with ``predecessors`` also ``pred`` of the same shape (with
    ``min_only``: ``(dist, pred, source_of)``). Unreached nodes are ``inf``; ``limit`` stops
    the search at that distance. A single int source gives 1-D rows.

    >>> m, _ = csr_min(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]), 3)
    >>> search(m, 0).tolist()
    [0.0, 1.0, 3.0]
    """
    if min_only:
        return csgraph.dijkstra(
            matrix, directed=directed, indices=sources, limit=limit, min_only=True, return_predecessors=predecessors
        )
    return csgraph.dijkstra(matrix, directed=directed, indices=sources, limit=limit, return_predecessors=predecessors)


def walk_back(pred_row: np.ndarray, target: int, source: int | None = None) -> list[int] | None:
    """Node indices from the search's source to ``target`` along one row of predecessors, or
    None if ``target`` was not reached. Without ``source`` the walk ends where the row has no
    predecessor (the source of a single or ``min_only`` search).

    >>> walk_back(np.array([NO_PREDECESSOR, 0, 1]), 2)
    [0, 1, 2]
    >>> walk_back(np.array([NO_PREDECESSOR, 0, NO_PREDECESSOR]), 2, source=0) is None
    True
    """
    out = [int(target)]
    if source is not None and target == source:
        return out
    while True:
        k = int(pred_row[out[-1]])
        if k < 0:
            return out[::-1] if source is None else None
        out.append(k)
        if k == source:
            return out[::-1]
        if len(out) > pred_row.shape[0]:  # a cycle cannot happen in a Dijkstra tree; never loop forever
            raise RuntimeError("predecessor row holds a cycle")


def tree_sums(next_hop: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For every node, the sum of ``values`` along its path to the root of a search tree
    (``values[v]`` belongs to the step from ``v`` to ``next_hop[v]``; roots and unreached nodes
    have a negative next hop). By pointer jumping: log2(depth) vectorised passes, no Python loop
    over nodes. ``values`` may be 2-D (nodes x quantities).

    >>> tree_sums(np.array([NO_PREDECESSOR, 0, 1, 1]), np.array([0.0, 2.0, 3.0, 4.0])).tolist()
    [0.0, 2.0, 5.0, 6.0]
    """
    total = np.array(values, dtype=float, copy=True)
    hop = np.asarray(next_hop, dtype=np.int64).copy()
    while True:
        live = hop >= 0
        if not live.any():
            return total
        total[live] += total[hop[live]]
        hop[live] = hop[hop[live]]


def entries_of(matrix: csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The position in ``matrix.data`` of each entry (rows[i], cols[i]); -1 where there is none.
    Vectorised (the matrix's column indices must be sorted within each row, as csr_min makes them)."""
    n = matrix.shape[1]
    counts = np.diff(matrix.indptr)
    keys = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), counts) * n + matrix.indices.astype(np.int64)
    want = np.asarray(rows, dtype=np.int64) * n + np.asarray(cols, dtype=np.int64)
    pos = np.searchsorted(keys, want)
    pos = np.minimum(pos, len(keys) - 1) if len(keys) else pos
    found = (len(keys) > 0) & (keys[pos] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    return np.where(found, pos, -1)


def weak_components(matrix: csr_matrix) -> np.ndarray:
    """The weakly connected component label of every node."""
    _, labels = csgraph.connected_components(matrix, directed=True, connection="weak")
    return np.asarray(labels)


# -- many-to-many by customizable contraction hierarchy (optional) --------------------------------
#: Minutes per integer weight unit of the contraction hierarchy (pyroutingkit takes uint32
#: weights): 1e-4 min (6 ms). Each edge is rounded by at most half a unit, so a path of k edges
#: is off by at most k x 0.5e-4 min (0.1 min over 2,000 edges); the largest path it can hold is
#: (2**31 - 1) x 1e-4 min, about 149 days.
CCH_UNIT_MIN = 1e-4
#: Cells this close to a rounding boundary are re-summed exactly (:meth:`CCHMatrix.exact_near_ties`):
#: it covers the rounding of paths of up to 400 edges (400 x 0.5e-4 min).
CCH_TIE_BAND_MIN = 0.02

#: Contraction orders of the topologies built in this process, by topology key.
_CCH_TOPOLOGIES: dict[str, Any] = {}


def cch_available() -> bool:
    """Whether the optional contraction-hierarchy engine (``pip install taihang[cch]``) is installed."""
    try:
        import pyroutingkit  # noqa: F401
    except ImportError:
        return False
    return True


class CCHMatrix:
    """Many-to-many minutes on ``matrix`` by a customizable contraction hierarchy (RoutingKit's
    CCH through ``pyroutingkit``): the node order is computed once per topology (inertial flow
    on the node coordinates; kept in this process and, with ``cache_dir``, on disk), then each
    set of weights is a customization (:meth:`customize`, a fraction of a second at province
    scale) and a matrix is one call. Times are exact to :data:`CCH_UNIT_MIN` per edge.

    Raises
    ------
    ImportError
        If pyroutingkit is not installed (its wheels cover Linux x86_64 and macOS arm64).
    """

    def __init__(
        self, matrix: csr_matrix, lon: np.ndarray, lat: np.ndarray, cache_dir: str | os.PathLike[str] | None = None
    ) -> None:
        import pyroutingkit

        self._rk = pyroutingkit
        n = matrix.shape[0]
        tail = np.repeat(np.arange(n, dtype=np.uint32), np.diff(matrix.indptr))
        head = matrix.indices.astype(np.uint32)
        digest = hashlib.sha1(np.int64(n).tobytes())
        digest.update(tail.tobytes())
        digest.update(head.tobytes())
        self.key = digest.hexdigest()[:20]
        topology = _CCH_TOPOLOGIES.get(self.key)
        where = Path(cache_dir) / self.key if cache_dir is not None else None
        if topology is None and where is not None and (where / "node_count").exists():
            topology = pyroutingkit.CCHTopology()
            topology.load(str(where))
        if topology is None:
            topology = pyroutingkit.CCHTopology()
            topology.build(tail, head, np.asarray(lat, dtype=np.float32), np.asarray(lon, dtype=np.float32), n)
            if where is not None:  # written beside, then moved into place: never half a cache
                where.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(dir=where.parent, prefix=f".{self.key}."))
                topology.save(str(tmp))
                try:
                    tmp.rename(where)
                except OSError:  # another process cached it first
                    shutil.rmtree(tmp, ignore_errors=True)
        _CCH_TOPOLOGIES[self.key] = topology
        self.metric = pyroutingkit.CCHMetric(topology)
        self.customize(matrix.data)

    def customize(self, weights_min: np.ndarray) -> None:
        """Take new weights (minutes, aligned with the CSR entries; ``inf`` closes an edge)."""
        self.weights_min = np.asarray(weights_min, dtype=float).copy()  # exact, for :meth:`exact_near_ties`
        inf = self._rk.INF_WEIGHT
        w = np.where(np.isfinite(weights_min), np.rint(np.asarray(weights_min) / CCH_UNIT_MIN), inf)
        self.metric.customize(np.minimum(w, inf).astype(np.uint32), 0)

    def update(self, entries: np.ndarray, weights_min: np.ndarray) -> None:
        """Re-weight a few CSR entries (a scenario's changed edges) by partial customization:
        milliseconds where :meth:`customize` takes seconds at province scale."""
        inf = self._rk.INF_WEIGHT
        self.weights_min[np.asarray(entries, dtype=np.int64)] = weights_min
        w = np.where(np.isfinite(weights_min), np.rint(np.asarray(weights_min) / CCH_UNIT_MIN), inf)
        self.metric.update_weights(np.asarray(entries, dtype=np.uint32), np.minimum(w, inf).astype(np.uint32))

    def minutes(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Minutes from each source row to each target column; ``inf`` where unreachable."""
        d = self.metric.distances_many_to_many(
            np.asarray(sources, dtype=np.uint32), np.asarray(targets, dtype=np.uint32)
        )
        return np.where(d >= self._rk.INF_WEIGHT, np.inf, d * CCH_UNIT_MIN)

    def exact_near_ties(
        self, sources: np.ndarray, targets: np.ndarray, minutes: np.ndarray, decimals: int = 1
    ) -> np.ndarray:
        """``minutes`` (of :meth:`minutes`) with every cell that lies within :data:`CCH_TIE_BAND_MIN`
        of a rounding boundary at ``decimals`` re-summed exactly along its path (a point query
        gives the path's arcs; their float minutes are added in path order, as a Dijkstra search
        adds them), so that printed values equal the scipy engine's: the tie rule of the two
        engines. Other cells are within ``CCH_UNIT_MIN`` per edge of exact and round the same."""
        step = 10.0**-decimals
        finite = np.isfinite(minutes)
        frac = np.where(finite, np.mod(minutes, step) - step / 2, np.inf)
        near = np.argwhere(finite & (np.abs(frac) <= CCH_TIE_BAND_MIN))
        out = minutes.copy()
        for i, j in near.tolist():
            _, _, arcs = self.metric.query(int(sources[i]), int(targets[j]))
            total = 0.0
            for arc in arcs:
                total += float(self.weights_min[arc])
            out[i, j] = total
        return out
