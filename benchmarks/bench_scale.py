"""Benchmark at province scale: a synthetic Henan-size road graph, taihang's engine beside raw scipy
and networkx in the same run.

Run:  python benchmarks/bench_scale.py [--size 1000] [--json out.json]

The graph: a perturbed size x size grid at 400 m spacing (seed 42), every edge both ways; a road
hierarchy of every 25th row and column as expressway (100 km/h), every 5th as national road
(60 km/h), the rest other roads (30 km/h); about 10% of local edges dropped; then the largest
strongly connected component. Figures: one-to-all from one node; every node's time to two targets
(two rows, and min-only); a 60-minute isochrone (nodes reached); bytes per edge of the compiled
routing arrays (both directions and the maps between them and the edge table); scenarios per
second. The engine's answers are checked equal to scipy's. A benchmark, not a timed test.

A scenario here is a corridor upgrade: 50 consecutive links of a national-road line sped up
from 60 to 100 km/h, both directions (100 edge rows), then every node's minutes to the nearer
of two targets. taihang's path is the one a scenario's searches take
(the changed rows of the edge table re-weighted, a min-only search on the transpose;
``engine`` with :meth:`CompiledGraph.overlaid`, the new weights written in
place and restored, ``engine_copy`` with :meth:`CompiledGraph.retimed`, a re-weighted copy of the
arrays as a scenario's model keeps); raw scipy writes the new weights into the transposed CSR in place and
restores them. Both on one process and on two (forked, the graph shared copy-on-write), each
scenario a different stretch of road. The scenario *file* path (names resolved on the networkx
graph, :func:`apply_scenario`) is not part of this figure: at this size its graph copy alone
would dominate; see the README.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing as mp
import time

import networkx as nx
import numpy as np
from common import timed
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from network.graph.edges import EdgeTable
from network.routing.compile import CompiledGraph, compile_edges
from network.search import _CCH_TOPOLOGIES, CCHMatrix, cch_available, search

_WORK: dict[str, object] = {}


def synthetic_graph(size: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(u, v, minutes, km, n) of the graph described in the module docstring."""
    rng = np.random.default_rng(seed)
    idx = np.arange(size * size).reshape(size, size)
    pairs = [
        (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(np.arange(size), size - 1)),
        (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(np.arange(size), size - 1)),
    ]
    us, vs, ws, ks = [], [], [], []
    for a, b, line in pairs:
        speed = np.where(line % 25 == 0, 100.0, np.where(line % 5 == 0, 60.0, 30.0))
        km = 0.4 * (1 + 0.2 * rng.random(a.size))  # perturbed spacing
        keep = (speed > 30.0) | (rng.random(a.size) > 0.1)
        minutes = km / speed * 60.0
        us += [a[keep], b[keep]]
        vs += [b[keep], a[keep]]
        ws += [minutes[keep], minutes[keep]]
        ks += [km[keep], km[keep]]
    u, v, w, km_all = np.concatenate(us), np.concatenate(vs), np.concatenate(ws), np.concatenate(ks)
    n = size * size
    m = csr_matrix((w, (u, v)), shape=(n, n))
    _, label = connected_components(m, directed=True, connection="strong")
    big = np.argmax(np.bincount(label))
    inside = label == big
    new_id = -np.ones(n, dtype=np.int64)
    new_id[inside] = np.arange(int(inside.sum()))
    keep = inside[u] & inside[v]
    return new_id[u[keep]], new_id[v[keep]], w[keep], km_all[keep], int(inside.sum())


def edge_table(u: np.ndarray, v: np.ndarray, w: np.ndarray, km: np.ndarray, n: int) -> EdgeTable:
    """The synthetic graph as taihang's edge table (road edges; no edge keys: nothing here
    resolves a scenario file against it)."""
    side = int(np.ceil(np.sqrt(n)))
    ids = [f"n{i}" for i in range(n)]
    return EdgeTable(
        u=u.astype(np.int64),
        v=v.astype(np.int64),
        time_min=w.astype(float),
        length_km=km.astype(float),
        mode=np.full(len(u), "road"),
        kind=np.full(len(u), "link"),
        keys=[],
        node_ids=ids,
        index={x: i for i, x in enumerate(ids)},
        lon=113.0 + 0.004 * (np.arange(n) % side),
        lat=34.0 + 0.004 * (np.arange(n) // side),
    )


def scenario_rows(table: EdgeTable, count: int, links: int = 50) -> list[np.ndarray]:
    """Edge rows of ``count`` scenarios: each ``links`` consecutive links of a 60 km/h line,
    walked from a different start, with the links back (both directions)."""
    speed = table.length_km / table.time_min * 60.0
    national = np.flatnonzero(np.isclose(speed, 60.0))
    succ: dict[int, list[int]] = {}
    for r in national.tolist():
        succ.setdefault(int(table.u[r]), []).append(r)
    pair = {(int(table.u[r]), int(table.v[r])): r for r in national.tolist()}
    out = []
    for k in range(count):
        r = int(national[(k * 104729) % national.size])
        rows, prev = [r], int(table.u[r])
        while len(rows) < links:
            node = int(table.v[rows[-1]])
            ahead = [x for x in succ.get(node, []) if int(table.v[x]) != prev and x not in rows]
            if not ahead:
                break
            prev = node
            rows.append(ahead[0])
        back = [pair[(int(table.v[x]), int(table.u[x]))] for x in rows if (int(table.v[x]), int(table.u[x])) in pair]
        out.append(np.unique(np.array(rows + back, dtype=np.int64)))
    return out


def _run_ours(k: int) -> float:
    table, compiled, targets, rows = _WORK["table"], _WORK["compiled"], _WORK["targets"], _WORK["rows"][k]
    assert isinstance(table, EdgeTable) and isinstance(compiled, CompiledGraph)
    with compiled.overlaid(rows, table.time_min[rows] * 0.6) as changed:  # 60 -> 100 km/h
        d = search(changed.transposed, targets, min_only=True)
    return float(np.mean(d[np.isfinite(d)]))


def _run_ours_copy(k: int) -> float:
    table, compiled, targets, rows = _WORK["table"], _WORK["compiled"], _WORK["targets"], _WORK["rows"][k]
    assert isinstance(table, EdgeTable) and isinstance(compiled, CompiledGraph)
    time_min = table.time_min.copy()
    time_min[rows] *= 0.6
    changed = compiled.retimed(dataclasses.replace(table, time_min=time_min), rows)
    d = search(changed.transposed, targets, min_only=True)
    return float(np.mean(d[np.isfinite(d)]))


def _run_scipy(k: int) -> float:
    transposed, entries, targets = _WORK["raw"], _WORK["raw_entries"][k], _WORK["targets"]
    old = transposed.data[entries].copy()
    transposed.data[entries] = old * 0.6
    d = dijkstra(transposed, indices=targets, min_only=True)
    transposed.data[entries] = old
    return float(np.mean(d[np.isfinite(d)]))


def scenarios_per_s(fn: object, count: int, processes: int) -> tuple[float, list[float]]:
    """Scenarios a second of ``fn`` over ``count`` scenarios on ``processes`` forked workers."""
    t0 = time.perf_counter()
    if processes == 1:
        out = [fn(k) for k in range(count)]  # type: ignore[operator]
    else:
        with mp.get_context("fork").Pool(processes) as pool:
            out = pool.map(fn, range(count), chunksize=1)  # type: ignore[arg-type]
    return count / (time.perf_counter() - t0), out


def networkx_one_to_all(matrix: csr_matrix, src: int) -> tuple[float, dict[int, float]]:
    """Seconds of networkx's one-to-all Dijkstra on the same graph, and its answer."""
    g = nx.DiGraph()
    coo = matrix.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return timed(lambda: nx.single_source_dijkstra_path_length(g, src), 1)


def matrix_figures(compiled: CompiledGraph, table: EdgeTable, size: int) -> dict[str, object]:
    """A size x size node matrix: scipy (Dijkstra per origin, in chunks so the rows fit in
    memory) against the contraction hierarchy (order once, then customization and query)."""
    rng = np.random.default_rng(7)
    n = compiled.matrix.shape[0]
    origins = rng.choice(n, size, replace=False)
    dests = rng.choice(n, size, replace=False)
    t0 = time.perf_counter()
    ref = np.vstack([search(compiled.matrix, origins[i : i + 50])[:, dests] for i in range(0, size, 50)])
    out: dict[str, object] = {"size": size, "scipy_s": round(time.perf_counter() - t0, 2)}
    if not cch_available():
        out["cch"] = "pyroutingkit not installed (pip install taihang[cch])"
        return out
    _CCH_TOPOLOGIES.clear()
    t0 = time.perf_counter()
    cch = CCHMatrix(compiled.matrix, table.lon, table.lat)
    first = time.perf_counter() - t0  # node order + first customization
    t_cust, _ = timed(lambda: cch.customize(compiled.matrix.data * 1.0))
    t_query, got = timed(lambda: cch.minutes(origins, dests), 1)
    rows = _WORK["rows"][0]  # a scenario's 100 edges, re-weighted by partial customization
    entries = compiled._entry_of_row()[rows]
    t_part, _ = timed(lambda: cch.update(entries, compiled.matrix.data[entries] * 0.6))
    cch.customize(compiled.matrix.data)
    finite = np.isfinite(ref)
    assert (np.isfinite(got) == finite).all()
    err = float(np.abs(got[finite] - ref[finite]).max())
    out["cch"] = {
        "order_and_first_customization_s": round(first, 2),
        "customization_s": round(t_cust, 3),
        "partial_customization_100_edges_s": round(t_part, 4),
        "query_s": round(t_query, 3),
        "customization_plus_query_vs_scipy": round((t_cust + t_query) / float(out["scipy_s"]), 4),  # type: ignore[arg-type]
        "partial_customization_plus_query_vs_scipy": round((t_part + t_query) / float(out["scipy_s"]), 4),  # type: ignore[arg-type]
        "max_abs_error_min": round(err, 5),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--json", default=None)
    ap.add_argument("--matrix", type=int, default=1000, help="origins and destinations of the matrix")
    ap.add_argument("--scenarios", type=int, default=8, help="scenarios per figure (default 8)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    u, v, w, km, n = synthetic_graph(args.size)
    build_s = time.perf_counter() - t0
    table = edge_table(u, v, w, km, n)
    compiled = compile_edges(table, "road")
    matrix, transposed = compiled.matrix, compiled.transposed
    edges = matrix.nnz
    compiled._transposed_position()
    compiled._entry_of_row()
    arrays = [matrix.data, matrix.indices, matrix.indptr, transposed.data, transposed.indices, transposed.indptr]
    arrays += [compiled.edge_of_entry, *compiled._lookups.values()]
    if compiled.starts is not None:
        arrays += [compiled.members, compiled.starts]
    routing_bytes = sum(a.nbytes for a in arrays)
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
    t_nx, d_nx = networkx_one_to_all(matrix, src)  # its graph is freed before the workers fork
    assert abs(d_nx[targets[0]] - d_sp[targets[0]]) < 1e-6
    out["one_to_all_s"]["networkx"] = round(t_nx, 3)  # type: ignore[index]
    _WORK.update(table=table, compiled=compiled, targets=targets)
    count = args.scenarios
    rows = scenario_rows(table, count)
    raw = transposed.copy()
    t_pos = compiled._transposed_position()
    entry = compiled._entry_of_row()
    _WORK.update(rows=rows, raw=raw, raw_entries=[t_pos[entry[r]] for r in rows])
    scen: dict[str, object] = {"edges_changed": int(np.mean([len(r) for r in rows])), "scenarios": count}
    for procs in (1, 2):
        ours, a = scenarios_per_s(_run_ours, count, procs)
        copied, c = scenarios_per_s(_run_ours_copy, count, procs)
        theirs, b = scenarios_per_s(_run_scipy, count, procs)
        np.testing.assert_allclose(a, b)
        np.testing.assert_allclose(c, b)
        scen[f"{procs}_process"] = {
            "engine": round(ours, 2),
            "engine_copy": round(copied, 2),
            "scipy": round(theirs, 2),
        }
    out["scenarios_per_s"] = scen
    out["matrix"] = matrix_figures(compiled, table, args.matrix)
    print(json.dumps(out, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
