"""Shortest paths after a few edges change, without searching the whole graph again.

A scenario re-times a handful of edges (a corridor upgraded, a road closed, a link added) of a
network whose distances to its targets are already known. Only part of the shortest-path tree can
change: a faster edge can only shorten the paths that come to use it, a slower or closed one only
lengthen the paths that used it. :func:`repair` updates the known distances for exactly that
(the dynamic shortest-path update of Ramalingam & Reps, 1996, "An incremental algorithm for a
generalization of the shortest-path problem", J. Algorithms 21(2)):

1. Slower and closed edges: every node whose tree path ran through one (the subtree under its
   head, found from the old predecessors) loses its distance; each gets back the best offer of its
   in-neighbours outside that subtree, whose old distances still hold.
2. Faster and new edges: each head takes the offer through the changed edge if it is better.
3. A Dijkstra from the nodes given new labels, relaxing an edge only when it improves its head, so
   it stops where nothing improves: the rest of the graph is never visited.

Every label is always the length of a real path (an upper bound) and every node whose distance can
change is reached from a relabelled node, so the result equals a fresh search: the tests compare
the two on random graphs with random speed-ups, slow-downs, closures and new links.

The kernel is compiled with numba (a loop over a binary heap: scipy has no search that starts from
given labels and stops where nothing improves). Without numba, :func:`repair` runs the full search
instead, with the same result, only slower.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

#: Relative tolerance for "this edge was on the tree" (its head's distance equals the tail's plus
#: the edge's old weight): the distances come out of floating-point sums.
_TIGHT_RTOL = 1e-12

HAVE_NUMBA = importlib.util.find_spec("numba") is not None  # imported when the kernel is first compiled


def _kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    rindptr: np.ndarray,
    rindices: np.ndarray,
    rdata: np.ndarray,
    dist: np.ndarray,
    pred: np.ndarray,
    child_ptr: np.ndarray,
    children: np.ndarray,
    cp: np.ndarray,
    cq: np.ndarray,
    c_old: np.ndarray,
    c_new: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The three steps of the module docstring; returns (distances, predecessors, nodes relabelled)."""
    n = dist.shape[0]
    d = dist.copy()
    pr = pred.copy()
    affected = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    top = 0
    for k in range(cp.shape[0]):  # 1. heads of slower edges that were on the tree
        p, q = cp[k], cq[k]
        if c_new[k] > c_old[k] and pred[q] == p and not affected[q]:
            if abs(d[q] - (d[p] + c_old[k])) <= _TIGHT_RTOL * max(1.0, abs(d[q])):
                affected[q] = True
                stack[top] = q
                top += 1
    lost = np.empty(n, dtype=np.int64)
    n_lost = 0
    while top > 0:  # ... and their subtrees
        top -= 1
        x = stack[top]
        lost[n_lost] = x
        n_lost += 1
        for j in range(child_ptr[x], child_ptr[x + 1]):
            y = children[j]
            if not affected[y]:
                affected[y] = True
                stack[top] = y
                top += 1
    for i in range(n_lost):
        d[lost[i]] = np.inf
        pr[lost[i]] = -9999
    relabelled = 0
    pending = np.empty(n_lost + cq.shape[0], dtype=np.int64)  # nodes to push, with d[] as key
    n_pending = 0
    for i in range(n_lost):  # their best offer from outside the lost subtrees
        y = lost[i]
        best = np.inf
        via = -9999
        for e in range(rindptr[y], rindptr[y + 1]):
            x = rindices[e]
            if not affected[x]:
                cand = d[x] + rdata[e]
                if cand < best:
                    best = cand
                    via = x
        if best < np.inf:
            d[y] = best
            pr[y] = via
            pending[n_pending] = y
            n_pending += 1
    for k in range(cp.shape[0]):  # 2. faster and new edges
        if c_new[k] < c_old[k]:
            cand = d[cp[k]] + c_new[k]
            if cand < d[cq[k]]:
                d[cq[k]] = cand
                pr[cq[k]] = cp[k]
                pending[n_pending] = cq[k]
                n_pending += 1
    order = np.argsort(d[pending[:n_pending]], kind="mergesort")  # sorted, the seeds are a heap already
    size = n_pending
    cap = max(1024, 2 * size)
    keys = np.empty(cap, dtype=np.float64)
    vals = np.empty(cap, dtype=np.int64)
    for i in range(size):
        vals[i] = pending[order[i]]
        keys[i] = d[vals[i]]
    while size > 0:  # 3. Dijkstra from the relabelled nodes, only where it improves
        key, x = keys[0], vals[0]
        size -= 1
        if size > 0:  # sift the last item down from the root
            lk, lv = keys[size], vals[size]
            pos = 0
            while True:
                c = 2 * pos + 1
                if c >= size:
                    break
                if c + 1 < size and keys[c + 1] < keys[c]:
                    c += 1
                if keys[c] >= lk:
                    break
                keys[pos], vals[pos] = keys[c], vals[c]
                pos = c
            keys[pos], vals[pos] = lk, lv
        if key > d[x]:
            continue  # a stale entry: x was improved since
        relabelled += 1
        for e in range(indptr[x], indptr[x + 1]):
            y = indices[e]
            nd = key + data[e]
            if nd < d[y]:
                d[y] = nd
                pr[y] = x
                if size == cap:
                    cap *= 2
                    keys2 = np.empty(cap, dtype=np.float64)
                    vals2 = np.empty(cap, dtype=np.int64)
                    keys2[:size] = keys[:size]
                    vals2[:size] = vals[:size]
                    keys, vals = keys2, vals2
                pos = size
                size += 1
                while pos > 0:
                    parent = (pos - 1) // 2
                    if keys[parent] <= nd:
                        break
                    keys[pos], vals[pos] = keys[parent], vals[parent]
                    pos = parent
                keys[pos], vals[pos] = nd, y
    return d, pr, relabelled


_compiled: Any = None


def _compiled_kernel() -> Any:
    """The kernel compiled once per process (numba caches it on disk beside this file when it can)."""
    global _compiled
    if _compiled is None:
        import numba

        _compiled = numba.njit(cache=True, nogil=True)(_kernel)
    return _compiled


class Tree:
    """The known distances from a search and what :func:`repair` needs of them: the searched graph
    and its reverse (for in-edges), the distances and each node's tree children.

    ``graph`` is the matrix that was searched (for times towards targets: the transposed road
    matrix), ``reverse`` its transpose with the same weights, ``dist`` and ``pred`` the search's
    ``min_only`` distances and predecessors (``-9999`` for none)."""

    def __init__(self, graph: csr_matrix, reverse: csr_matrix, dist: np.ndarray, pred: np.ndarray) -> None:
        n = graph.shape[0]
        self.graph, self.reverse = graph, reverse  # read as they are at each repair (in-place changes seen)
        self.dist = np.ascontiguousarray(dist, dtype=np.float64)
        self.pred = np.ascontiguousarray(pred, dtype=np.int64)
        has = self.pred >= 0
        order = np.argsort(np.where(has, self.pred, n), kind="stable")
        self.children = order[: int(has.sum())].astype(np.int64)
        counts = np.bincount(self.pred[has], minlength=n)
        self.child_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def rebound(self, graph: csr_matrix, reverse: csr_matrix) -> Tree:
        """The same known tree on other arrays of the same nodes, or with nodes appended (a
        scenario's copy of the graph): the appended nodes unreached, with no children. Nothing of
        the tree is recomputed, so many scenarios share one."""
        n, m = graph.shape[0], self.dist.shape[0]
        if n < m:
            raise ValueError(f"rebound: {n} nodes, fewer than the tree's {m}")
        out = Tree.__new__(Tree)
        out.graph, out.reverse, out.children = graph, reverse, self.children
        out.dist = np.concatenate([self.dist, np.full(n - m, np.inf)]) if n > m else self.dist
        out.pred = np.concatenate([self.pred, np.full(n - m, -9999, dtype=np.int64)]) if n > m else self.pred
        out.child_ptr = (
            np.concatenate([self.child_ptr, np.full(n - m, self.child_ptr[-1])]) if n > m else self.child_ptr
        )
        return out


def repair(tree: Tree, tails: np.ndarray, heads: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """:func:`repair_tree`'s distances only (its docstring)."""
    return repair_tree(tree, tails, heads, old, new)[0]


def repair_tree(
    tree: Tree, tails: np.ndarray, heads: np.ndarray, old: np.ndarray, new: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distances of ``tree`` after the edges ``tails[k] → heads[k]`` of its graph went from
    ``old[k]`` to ``new[k]`` minutes (``inf``: closed, or not there before). ``tree.graph`` and
    ``tree.reverse`` must already hold the new weights (e.g. inside
    :meth:`~network.routing.compile.CompiledGraph.overlaid`). Returns (distances, predecessors):
    the distances equal a fresh search's, and the predecessors form a shortest-path tree of them
    (where paths tie, it may be another tree than a fresh search would pick).

    >>> from network.search import csr_min, search
    >>> g, _ = csr_min(np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([5.0, 1.0, 9.0]), 3)
    >>> d, p, _ = search(g, [0], min_only=True, predecessors=True)
    >>> d.tolist()
    [0.0, 5.0, 6.0]
    >>> t = Tree(g, g.T.tocsr(), d, p)
    >>> g.data[0] = 2.0  # 0 → 1 from 5 to 2 minutes, in both arrays
    >>> t.reverse.data[:] = g.T.tocsr().data
    >>> d, p = repair_tree(t, np.array([0]), np.array([1]), np.array([5.0]), np.array([2.0]))
    >>> d.tolist(), p.tolist()
    ([0.0, 2.0, 3.0], [-9999, 0, 1])
    """
    tails, heads = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
    old, new = np.asarray(old, dtype=np.float64), np.asarray(new, dtype=np.float64)
    if not HAVE_NUMBA:  # the same answer from a full search
        from network.search import search

        sources = np.flatnonzero((tree.dist == 0.0) & (tree.pred < 0))
        dist, pred, _ = search(tree.graph, sources, min_only=True, predecessors=True)
        return np.asarray(dist, dtype=np.float64), np.asarray(pred, dtype=np.int64)
    g, r = tree.graph, tree.reverse
    d, p, _ = _compiled_kernel()(
        g.indptr,
        g.indices,
        g.data,
        r.indptr,
        r.indices,
        r.data,
        tree.dist,
        tree.pred,
        tree.child_ptr,
        tree.children,
        tails,
        heads,
        old,
        new,
    )
    return d, p
