"""Benchmark: many-to-one travel times on compiled arrays (scipy) against networkx's Dijkstra.

Run:  python benchmarks/bench_routing.py          (add --skip-world to do only (a))

(a) the default network (the best-mode graph of the embedded region), (b) the whole scgraph_data
world road graph (about 0.56 M nodes, 1.65 M directed edges). For each: every node's time to two
targets, reverse Dijkstra in scipy.sparse.csgraph (one call, two sources on the transposed
matrix) against networkx.single_source_dijkstra_path_length on the reversed graph, same targets.
The same searches are also run on the package's process pool (network.parallel.fork_map), one
forked worker per target (this machine has 2 cores; networkx runs in one). Answers are compared; times are
medians of repeated runs (networkx: fewer repeats on (b)).
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from network.parallel import fork_map
from network.search import search

_REVERSED: csr_matrix | None = None


def _search_to(target: int) -> np.ndarray:
    return search(_REVERSED, target)


def timed(fn, repeat: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def compare(name: str, matrix: csr_matrix, targets: list[int], nx_repeat: int, sp_repeat: int = 7) -> dict:
    rev = matrix.transpose().tocsr()
    sp_s, dist = timed(lambda: dijkstra(rev, directed=True, indices=targets), sp_repeat)
    global _REVERSED
    _REVERSED = rev  # inherited by the forked workers, never pickled
    workers = min(2, len(targets))
    par_s, par = timed(lambda: np.vstack(fork_map(_search_to, targets, workers=workers)), sp_repeat)
    assert np.array_equal(par, np.atleast_2d(dist)), "pool and single-process answers differ"
    coo = matrix.tocoo()
    g = nx.DiGraph()
    g.add_nodes_from(range(matrix.shape[0]))
    g.add_weighted_edges_from(zip(coo.col.tolist(), coo.row.tolist(), coo.data.tolist()))  # reversed
    nx_s, ref = timed(lambda: [nx.single_source_dijkstra_path_length(g, t) for t in targets], nx_repeat)
    for row, r in zip(np.atleast_2d(dist), ref):
        keys = np.fromiter(r.keys(), dtype=np.int64)
        vals = np.fromiter(r.values(), dtype=float)
        assert np.allclose(row[keys], vals), "scipy and networkx disagree"
        assert np.isinf(np.delete(row, keys)).all()
    res = {
        "graph": name,
        "nodes": matrix.shape[0],
        "edges": matrix.nnz,
        "scipy_s": sp_s,
        "networkx_s": nx_s,
        "ratio": nx_s / sp_s,
        "pool_s": par_s,
        "pool_ratio": nx_s / par_s,
    }
    print(
        f"{name}: {res['nodes']:,} nodes, {res['edges']:,} edges | networkx {nx_s * 1000:.0f} ms | "
        f"scipy, 1 process {sp_s * 1000:.1f} ms ({res['ratio']:.0f}x) | "
        f"scipy, {workers} forked processes (fork_map) {par_s * 1000:.1f} ms ({res['pool_ratio']:.0f}x)",
        flush=True,
    )
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-world", action="store_true")
    args = ap.parse_args()

    from network.model import Model

    model = Model.default(year=2024)
    best = model.compiled("best")
    targets = [best.index["place:zhengzhou:arrive"], best.index["place:luoyang:arrive"]]
    compare("(a) default network, best mode", best.matrix, targets, nx_repeat=5)

    if args.skip_world:
        return
    from network.geo import morton_order
    from network.sources.geometry import read_scgraph_file, scgraph_module_path

    t = time.perf_counter()
    world = read_scgraph_file(scgraph_module_path("world_highways"))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    order = morton_order(world.lon, world.lat)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    n = world.n_nodes
    matrix = csr_matrix((world.length_km / 60.0 * 60.0, (rank[world.u], rank[world.v])), shape=(n, n))
    compile_s = time.perf_counter() - t
    print(f"(b) read world_highways in {read_s:.1f} s; compile to CSR (Morton order) in {compile_s:.2f} s")
    # minutes at a uniform 60 km/h; targets: the nodes nearest Zhengzhou and Luoyang
    lon, lat = world.lon[order], world.lat[order]
    tz = int(np.argmin((lon - 113.6486) ** 2 + (lat - 34.7578) ** 2))
    tl = int(np.argmin((lon - 112.4536) ** 2 + (lat - 34.6836) ** 2))
    compare("(b) scgraph_data world roads", matrix, [tz, tl], nx_repeat=1, sp_repeat=5)


if __name__ == "__main__":
    main()
