"""Benchmark at province scale: a synthetic Henan-size road graph, taihang's engine beside raw scipy
and networkx in the same run.

Run:  python benchmarks/bench_scale.py [--size 1000] [--json out.json]

The graph: a perturbed size x size grid at 400 m spacing (seed 42), every edge both ways; a road
hierarchy of every 25th row and column as expressway (100 km/h), every 5th as national road
(60 km/h), the rest other roads (30 km/h); about 10% of local edges dropped; then the largest
strongly connected component. Figures: one-to-all from one node; every node's time to two targets
(two rows, and min-only); a 60-minute isochrone (nodes reached); bytes per edge of the compiled
routing arrays. The engine's answers are checked equal to scipy's. A benchmark, not a timed test.
The scenario overlay and matrix-engine figures of the performance issue are not here yet.
"""

from __future__ import annotations

import argparse
import json
import time

import networkx as nx
import numpy as np
from common import timed
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from network.routing.engine import csr_min, search


def synthetic_graph(size: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(u, v, minutes, n) of the graph described in the module docstring."""
    rng = np.random.default_rng(seed)
    idx = np.arange(size * size).reshape(size, size)
    pairs = [
        (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(np.arange(size), size - 1)),
        (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(np.arange(size), size - 1)),
    ]
    us, vs, ws = [], [], []
    for a, b, line in pairs:
        speed = np.where(line % 25 == 0, 100.0, np.where(line % 5 == 0, 60.0, 30.0))
        km = 0.4 * (1 + 0.2 * rng.random(a.size))  # perturbed spacing
        keep = (speed > 30.0) | (rng.random(a.size) > 0.1)
        minutes = km / speed * 60.0
        us += [a[keep], b[keep]]
        vs += [b[keep], a[keep]]
        ws += [minutes[keep], minutes[keep]]
    u, v, w = np.concatenate(us), np.concatenate(vs), np.concatenate(ws)
    n = size * size
    m = csr_matrix((w, (u, v)), shape=(n, n))
    _, label = connected_components(m, directed=True, connection="strong")
    big = np.argmax(np.bincount(label))
    inside = label == big
    new_id = -np.ones(n, dtype=np.int64)
    new_id[inside] = np.arange(int(inside.sum()))
    keep = inside[u] & inside[v]
    return new_id[u[keep]], new_id[v[keep]], w[keep], int(inside.sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    u, v, w, n = synthetic_graph(args.size)
    build_s = time.perf_counter() - t0
    matrix, keep = csr_min(u, v, w, n)
    transposed = matrix.transpose().tocsr()
    edges = matrix.nnz
    routing_bytes = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes + keep.nbytes
    src, targets = 0, [n // 3, 2 * n // 3]
    out: dict[str, object] = {
        "nodes": n,
        "directed_edges": edges,
        "graph_build_s": round(build_s, 2),
        "routing_bytes_per_edge": round(routing_bytes / edges, 1),
    }
    t_eng, d_eng = timed(lambda: search(matrix, src))
    t_sp, d_sp = timed(lambda: dijkstra(matrix, indices=src))
    np.testing.assert_allclose(d_eng, d_sp)
    out["one_to_all_s"] = {"engine": round(t_eng, 3), "scipy": round(t_sp, 3)}
    t_rows, rows = timed(lambda: search(transposed, targets))
    t_min, mins = timed(lambda: search(transposed, targets, min_only=True))
    np.testing.assert_allclose(np.min(rows, axis=0), mins)
    out["two_targets_s"] = {"rows": round(t_rows, 3), "min_only": round(t_min, 3)}
    t_iso, iso = timed(lambda: search(matrix, src, limit=60.0))
    out["isochrone_60min"] = {"s": round(t_iso, 3), "nodes_reached": int(np.isfinite(iso).sum())}
    g = nx.DiGraph()
    coo = matrix.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    t_nx, d_nx = timed(lambda: nx.single_source_dijkstra_path_length(g, src), 1)
    assert abs(d_nx[targets[0]] - d_sp[targets[0]]) < 1e-6
    out["one_to_all_s"]["networkx"] = round(t_nx, 3)  # type: ignore[index]
    print(json.dumps(out, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
