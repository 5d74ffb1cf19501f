"""Origin-destination matrices: minutes between node sets, without paths.

A matrix needs no predecessors, so every search runs without them (less memory, a little faster),
and in the direction with fewer searches: one forward search per origin, or one backward search
(on the transposed graph) per destination. :mod:`network.search` runs them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from network.routing.compile import CompiledGraph
from network.search import CCHMatrix, search

#: Matrix engines: scipy's Dijkstra (exact; the default) and the optional contraction hierarchy.
ENGINES = ("scipy", "cch")


def od_minutes(
    compiled: CompiledGraph,
    origins: Sequence[str],
    destinations: Sequence[str],
    limit_min: float = np.inf,
    engine: str = "scipy",
    cache_dir: str | os.PathLike[str] | None = None,
) -> NDArray[np.float64]:
    """Minutes from each origin node (rows) to each destination node (columns); ``inf`` where
    unreachable (or beyond ``limit_min``).

    ``engine="cch"`` answers by contraction hierarchy (:class:`~network.search.CCHMatrix`,
    node order kept per topology in this process and under ``cache_dir``): times exact to
    :data:`~network.search.CCH_UNIT_MIN` per edge. Worth it for large matrices on large
    graphs and for many weight sets on one topology; see the README's benchmark.

    >>> from network.graph.edges import build_edge_table
    >>> from network.routing.compile import compile_edges
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n, x in (("a", 0.0), ("b", 1.0), ("c", 2.0)):
    ...     g.add_node(n, lon=x, lat=0.0)
    >>> _ = g.add_edge("a", "b", time_min=5.0, length_km=1.0, mode="road")
    >>> _ = g.add_edge("b", "c", time_min=7.0, length_km=1.0, mode="road")
    >>> od_minutes(compile_edges(build_edge_table(g), "road"), ["a", "b"], ["c"]).tolist()
    [[12.0], [7.0]]
    """
    rows = np.array([compiled.index[o] for o in origins], dtype=np.int64)
    cols = np.array([compiled.index[d] for d in destinations], dtype=np.int64)
    if len(rows) == 0 or len(cols) == 0:
        return np.zeros((len(rows), len(cols)))
    if engine == "cch":
        edges = compiled.edges
        cch = CCHMatrix(compiled.matrix, edges.lon, edges.lat, cache_dir)
        out = cch.exact_near_ties(rows, cols, cch.minutes(rows, cols))  # prints as scipy's does
        return np.where(out <= limit_min, out, np.inf)
    if engine != "scipy":
        raise ValueError(f"unknown matrix engine {engine!r}; expected one of {ENGINES}")
    return block_minutes(compiled.matrix, compiled.transposed, rows, cols, limit_min)


def block_minutes(
    matrix: Any, transposed: Any, rows: NDArray[np.int64], cols: NDArray[np.int64], limit_min: float = np.inf
) -> NDArray[np.float64]:
    """Minutes from each of ``rows`` to each of ``cols`` (node indices of the CSR ``matrix``, whose
    transpose is ``transposed``) by Dijkstra from the smaller side, a chunk of full rows at a time
    (:func:`chunk_rows`): the scipy engine of :func:`od_minutes`."""
    if len(rows) == 0 or len(cols) == 0:
        return np.zeros((len(rows), len(cols)))
    forward = len(rows) <= len(cols)  # search from the smaller side
    sources, targets = (rows, cols) if forward else (cols, rows)
    graph = matrix if forward else transposed
    out = np.empty((len(sources), len(targets)))
    step = chunk_rows(graph.shape[0])
    for start in range(0, len(sources), step):  # a chunk of full rows at a time: bounded memory
        dist = np.atleast_2d(search(graph, sources[start : start + step], limit=limit_min))
        out[start : start + step] = dist[:, targets]
    return out if forward else out.T.copy()


#: Memory for the full distance rows of one chunk of searches (the matrix keeps only the
#: destinations' columns): 64 MB, so a 1,000-origin matrix on a million-node network stays
#: bounded (one search at a time would be slower: scipy's Dijkstra takes a block of sources).
CHUNK_BYTES = 64 << 20


def chunk_rows(nodes: int) -> int:
    """How many searches :func:`od_minutes` runs at once on a graph of ``nodes`` nodes (at least
    one; full rows of float64 within :data:`CHUNK_BYTES`)."""
    return max(1, CHUNK_BYTES // (8 * max(1, nodes)))
