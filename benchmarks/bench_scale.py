"""Benchmark at province scale: a synthetic Henan-size road graph, taihang's engine beside raw scipy
in the same run, each contender timed in turn with its baseline (A B A B, ``--repeats`` each: min,
median and the speed-up), so a change of the machine's load weighs on both alike.

Run:  python benchmarks/bench_scale.py [--size 1000] [--repeats 5] [--json out.json] [--quick]

The graphs: a perturbed size x size grid at 400 m spacing (seed 42), every edge both ways; every
25th row and column expressway (100 km/h), every 5th national road (60 km/h), the rest local
streets (30 km/h), about 10% of local edges dropped; then the largest strongly connected
component. Two variants: ``grid`` (every local street crosses the arterial lines: the worst case
for a contraction hierarchy, its separators a whole row wide) and ``hierarchy`` (local streets
reach an arterial only mid-block, as neighbourhoods do, so the arterials separate the blocks).

Figures: one-to-all from one node (and networkx's, once); every node's time to the nearer of two
targets (min-only); a 60-minute isochrone; bytes per edge of the compiled routing arrays; scenarios
a second; a size x size matrix. The engine's answers are checked equal to scipy's.

A scenario is a corridor upgrade: 50 consecutive links of a national-road line sped up from 60 to
100 km/h, both directions (100 edge rows), then every node's minutes to the nearer of two
targets. Three ways: ``repair`` (the edges re-timed in place,
:meth:`CompiledGraph.overlaid`, and the known shortest-path tree repaired,
:func:`network.repair.repair`), the engine's full search on the re-timed arrays, and raw scipy
(new weights written into the transposed CSR, a full search). The scenario *file* path (names
resolved, :func:`apply_scenario`) is not part of this figure.

``--json`` writes the figures with sorted keys, and the machine's load averages before and after.
A benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import time

import networkx as nx
import numpy as np
from common import interleaved, machine_load, timed
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from network.graph.edges import EdgeTable
from network.repair import Tree, repair
from network.routing.compile import CompiledGraph, compile_edges
from network.search import _CCH_TOPOLOGIES, CCHMatrix, cch_available, search

_WORK: dict[str, object] = {}


def synthetic_graph(
    size: int, seed: int = 42, hierarchy: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
    """(u, v, minutes, km, n, lon, lat) of the graph described in the module docstring (nodes at
    their grid positions, 400 m apart from 113°E 34°N); with ``hierarchy``,
    local streets join the arterial lines at one point per block side (as neighbourhoods do), so
    the arterials and expressways carry the through traffic and separate the blocks."""
    rng = np.random.default_rng(seed)
    idx = np.arange(size * size).reshape(size, size)
    pairs = [
        (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(np.arange(size), size - 1)),
        (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(np.arange(size), size - 1)),
    ]
    us, vs, ws, ks = [], [], [], []
    for along, (a, b, line) in enumerate(pairs):
        speed = np.where(line % 25 == 0, 100.0, np.where(line % 5 == 0, 60.0, 30.0))
        km = 0.4 * (1 + 0.2 * rng.random(a.size))  # perturbed spacing
        keep = (speed > 30.0) | (rng.random(a.size) > 0.1)
        if hierarchy:  # a local street reaches an arterial line only mid-block
            cross = (a % size if along == 0 else a // size) + np.array([0, 1])[:, None]  # the two ends' position
            onto = ((cross % 5) == 0).any(axis=0)
            keep &= (speed > 30.0) | ~onto | (line % 5 == 2)
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
    grid = np.flatnonzero(inside)  # each kept node's place on the grid
    lon = 113.0 + (grid % size) * 0.4 / (111.32 * np.cos(np.radians(34.0)))
    lat = 34.0 + (grid // size) * 0.4 / 111.32
    return new_id[u[keep]], new_id[v[keep]], w[keep], km_all[keep], int(inside.sum()), lon, lat


def edge_table(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, km: np.ndarray, n: int, lon: np.ndarray, lat: np.ndarray
) -> EdgeTable:
    """The synthetic graph as taihang's edge table (road edges; no edge keys: nothing here
    resolves a scenario file against it)."""
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
        lon=lon,
        lat=lat,
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


def _repair_all() -> list[float]:
    """Every scenario by repair: its edges re-timed in place, the known tree repaired."""
    table, compiled, tree, rows = _WORK["table"], _WORK["compiled"], _WORK["tree"], _WORK["rows"]
    assert isinstance(table, EdgeTable) and isinstance(compiled, CompiledGraph) and isinstance(tree, Tree)
    t_pos, entry, t = compiled._transposed_position(), compiled._entry_of_row(), compiled.transposed
    out = []
    for r in rows:  # type: ignore[attr-defined]
        e = t_pos[entry[r]]
        tails, heads, old = np.searchsorted(t.indptr, e, side="right") - 1, t.indices[e], t.data[e].copy()
        with compiled.overlaid(r, table.time_min[r] * 0.6):  # 60 -> 100 km/h
            d = repair(tree, tails, heads, old, t.data[e])
        out.append(float(np.mean(d[np.isfinite(d)])))
    return out


def _engine_all() -> list[float]:
    """Every scenario by the engine's full search on the re-timed arrays."""
    table, compiled, targets, rows = _WORK["table"], _WORK["compiled"], _WORK["targets"], _WORK["rows"]
    assert isinstance(table, EdgeTable) and isinstance(compiled, CompiledGraph)
    out = []
    for r in rows:  # type: ignore[attr-defined]
        with compiled.overlaid(r, table.time_min[r] * 0.6) as changed:
            d = search(changed.transposed, targets, min_only=True)
        out.append(float(np.mean(d[np.isfinite(d)])))
    return out


def _scipy_all() -> list[float]:
    """Every scenario by raw scipy: new weights written into the transposed CSR, a full search."""
    transposed, targets = _WORK["raw"], _WORK["targets"]
    out = []
    for entries in _WORK["raw_entries"]:  # type: ignore[attr-defined]
        old = transposed.data[entries].copy()  # type: ignore[attr-defined]
        transposed.data[entries] = old * 0.6  # type: ignore[attr-defined]
        d = dijkstra(transposed, indices=targets, min_only=True)
        transposed.data[entries] = old  # type: ignore[attr-defined]
        out.append(float(np.mean(d[np.isfinite(d)])))
    return out


def networkx_one_to_all(matrix: csr_matrix, src: int) -> tuple[float, dict[int, float]]:
    """Seconds of networkx's one-to-all Dijkstra on the same graph, and its answer."""
    g = nx.DiGraph()
    coo = matrix.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return timed(lambda: nx.single_source_dijkstra_path_length(g, src), 1)


def matrix_figures(compiled: CompiledGraph, table: EdgeTable, size: int, repeats: int) -> dict[str, object]:
    """A size x size node matrix: the contraction hierarchy (order once; then customization and
    queries, timed) against scipy's Dijkstra per origin. scipy is timed on a sample of 50 origins
    in turn with the hierarchy and scaled to ``size`` (one search per origin: linear in origins),
    and its sample's rows are checked equal to the hierarchy's."""
    rng = np.random.default_rng(7)
    n = compiled.matrix.shape[0]
    origins = rng.choice(n, size, replace=False)
    dests = rng.choice(n, size, replace=False)
    sample = origins[: min(50, size)]
    out: dict[str, object] = {"size": size, "scipy_sample_origins": int(sample.size)}
    if not cch_available():
        out["cch"] = "pyroutingkit not installed (pip install taihang[cch])"
        return out
    _CCH_TOPOLOGIES.clear()
    t0 = time.perf_counter()
    cch = CCHMatrix(compiled.matrix, table.lon, table.lat)
    out["order_and_first_customization_s"] = round(time.perf_counter() - t0, 2)
    got: dict[str, np.ndarray] = {}

    def ours() -> None:
        cch.customize(compiled.matrix.data * 1.0)
        got["m"] = cch.minutes(origins, dests)

    def theirs() -> None:
        got["ref"] = search(compiled.matrix, sample)[:, dests]

    t = interleaved(ours, theirs, repeats)
    scale = size / sample.size
    scipy_full = t["baseline_median_s"] * scale
    ref, mine = got["ref"], got["m"][: sample.size]
    finite = np.isfinite(ref)
    assert (np.isfinite(mine) == finite).all()
    out["cch_customize_and_query_s"] = {"min": t["contender_min_s"], "median": t["contender_median_s"]}
    out["scipy_s_scaled_from_sample"] = round(scipy_full, 2)
    out["speedup"] = round(scipy_full / t["contender_median_s"], 1)
    out["max_abs_error_min"] = round(float(np.abs(mine[finite] - ref[finite]).max()), 6)
    return out


def figures(size: int, hierarchy: bool, scenarios: int, matrix: int, repeats: int) -> dict[str, object]:
    """Every figure of the module docstring on one synthetic graph, each contender timed in turn
    with its baseline (:func:`common.interleaved`)."""
    t0 = time.perf_counter()
    u, v, w, km, n, lon, lat = synthetic_graph(size, hierarchy=hierarchy)
    build_s = time.perf_counter() - t0
    table = edge_table(u, v, w, km, n, lon, lat)
    compiled = compile_edges(table, "road")
    matrix_, transposed = compiled.matrix, compiled.transposed
    compiled._transposed_position()
    compiled._entry_of_row()
    arrays = [matrix_.data, matrix_.indices, matrix_.indptr, transposed.data, transposed.indices, transposed.indptr]
    arrays += [compiled.edge_of_entry, *compiled._lookups.values()]
    if compiled.starts is not None:
        arrays += [compiled.members, compiled.starts]
    src, targets = 0, [n // 3, 2 * n // 3]
    out: dict[str, object] = {
        "graph": "hierarchy" if hierarchy else "grid",
        "nodes": n,
        "directed_edges": int(matrix_.nnz),
        "graph_build_s": round(build_s, 2),
        "routing_bytes_per_edge": round(sum(a.nbytes for a in arrays) / matrix_.nnz, 1),
    }
    np.testing.assert_allclose(search(matrix_, src), dijkstra(matrix_, indices=src))
    out["one_to_all"] = interleaved(lambda: search(matrix_, src), lambda: dijkstra(matrix_, indices=src), repeats)
    t_nx, d_nx = networkx_one_to_all(matrix_, src)  # its graph is freed before the rest
    assert abs(d_nx[targets[0]] - float(dijkstra(matrix_, indices=src)[targets[0]])) < 1e-6
    out["one_to_all_networkx_s"] = round(t_nx, 3)
    out["two_targets_min_only"] = interleaved(
        lambda: search(transposed, targets, min_only=True),
        lambda: dijkstra(transposed, indices=targets, min_only=True),
        repeats,
    )
    out["isochrone_60min"] = interleaved(
        lambda: search(matrix_, src, limit=60.0), lambda: dijkstra(matrix_, indices=src, limit=60.0), repeats
    )
    d, p, _ = search(transposed, targets, min_only=True, predecessors=True)
    rows = scenario_rows(table, scenarios)
    t_pos, entry = compiled._transposed_position(), compiled._entry_of_row()
    _WORK.update(
        table=table,
        compiled=compiled,
        targets=targets,
        tree=Tree(transposed, matrix_, d, p),
        rows=rows,
        raw=transposed.copy(),
        raw_entries=[t_pos[entry[r]] for r in rows],
    )
    np.testing.assert_allclose(_repair_all(), _scipy_all())  # and the kernel is compiled before timing
    np.testing.assert_allclose(_engine_all(), _scipy_all())
    rep = interleaved(_repair_all, _scipy_all, repeats)
    full = interleaved(_engine_all, _scipy_all, repeats)
    out["scenarios"] = {
        "count": scenarios,
        "edges_changed": int(np.mean([len(r) for r in rows])),
        "repair_per_s": round(scenarios / rep["contender_median_s"], 1),
        "engine_full_search_per_s": round(scenarios / full["contender_median_s"], 2),
        "scipy_per_s": round(scenarios / rep["baseline_median_s"], 2),
        "repair_vs_scipy": rep,
        "engine_full_search_vs_scipy": full,
    }
    out["matrix"] = matrix_figures(compiled, table, matrix, max(1, repeats // 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1000, help="grid side (1000: about 1 M nodes, Henan size)")
    ap.add_argument("--json", default=None, help="also write the figures here (stable keys, sorted)")
    ap.add_argument("--matrix", type=int, default=1000, help="origins and destinations of the matrix")
    ap.add_argument("--scenarios", type=int, default=8, help="scenarios per figure (default 8)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs of each contender and baseline, in turn")
    ap.add_argument("--quick", action="store_true", help="a CI-size run: --size 200 --matrix 100 --repeats 3")
    args = ap.parse_args()
    if args.quick:
        args.size, args.matrix, args.repeats = 200, 100, 3
    out: dict[str, object] = {"machine": machine_load(), "size": args.size, "repeats": args.repeats}
    for hierarchy in (True, False):
        out["hierarchy" if hierarchy else "grid"] = figures(
            args.size, hierarchy, args.scenarios, args.matrix, args.repeats
        )
    out["machine_after"] = machine_load()
    text = json.dumps(out, indent=1, sort_keys=True)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
