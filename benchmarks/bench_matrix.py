"""Benchmark: origin-destination matrices on the embedded network (best mode).

Run:  python benchmarks/bench_matrix.py

Three sizes: the 87 x 87 county-level places, and 1000 x 1000 and 200 x 2000 road nodes (a fixed
seed picks them). For each, network.routing.matrix.od_minutes (no predecessors, the direction with
fewer searches) against scipy's Dijkstra with predecessors from every origin, and networkx
(single_source_dijkstra_path_length from every origin) on the 87 x 87 case. Answers are compared;
times are medians of 3 runs. A benchmark, not a timed test.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from common import timed
from scipy.sparse.csgraph import dijkstra

import network
from network.routing.matrix import od_minutes


def main() -> None:
    model = network.Model.default(year=2024)
    c = model.compiled("best")
    ids = model.places()["place_id"].tolist()
    rng = np.random.default_rng(7)
    road = [n for n in c.node_ids if n.startswith("r")]
    cases = {
        "87 x 87 places": ([f"place:{p}" for p in ids], [f"place:{p}:arrive" for p in ids]),
        "1000 x 1000 road nodes": (
            list(rng.choice(road, 1000, replace=False)),
            list(rng.choice(road, 1000, replace=False)),
        ),
        "200 x 2000 road nodes": (
            list(rng.choice(road, 200, replace=False)),
            list(rng.choice(road, 2000, replace=False)),
        ),
    }
    print(f"embedded network, best mode: {len(c.node_ids):,} nodes, {c.matrix.nnz:,} edges")
    print(f"{'case':<24}{'od_minutes':>12}{'scipy+pred':>12}{'networkx':>12}")
    for name, (o, d) in cases.items():
        t_ours, ours = timed(lambda o=o, d=d: od_minutes(c, o, d))
        rows, cols = [c.index[x] for x in o], [c.index[x] for x in d]
        t_ref, ref = timed(
            lambda rows=rows, cols=cols: dijkstra(c.matrix, indices=rows, return_predecessors=True)[0][:, cols]
        )
        np.testing.assert_allclose(ours, ref)
        nx_s = "-"
        if len(o) <= 100:
            g = nx.DiGraph()
            coo = c.matrix.tocoo()
            g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))

            def run_nx(g=g, rows=rows):
                return [nx.single_source_dijkstra_path_length(g, r) for r in rows]

            t_nx, _ = timed(run_nx, 1)
            nx_s = f"{t_nx:.3f} s"
        print(f"{name:<24}{t_ours:>10.3f} s{t_ref:>10.3f} s{nx_s:>12}")


if __name__ == "__main__":
    main()
