"""Routing on compiled arrays: hand-checkable graphs and Hypothesis invariants."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.routing.compile import compile_graph
from network.routing.paths import graph_source, many_to_one, one_to_many, path_legs
from tests.conftest import grid_graph, road_edge


def test_grid_times_are_manhattan_distances():
    g = grid_graph(4)
    c = compile_graph(g, "road")
    m = many_to_one(c, ["r0_0"])
    for i in range(4):
        for j in range(4):
            assert m.time_from(f"r{i}_{j}", "r0_0") == np.float64(i + j)


def test_parallel_edges_keep_the_fastest_and_legs_report_it():
    g = grid_graph(2)
    road_edge(g, "r0_0", "r1_0", 1.0, 120.0, road_class="expressway")  # parallel, twice as fast
    c = compile_graph(g, "road")
    m = many_to_one(c, ["r1_0"])
    assert m.time_from("r0_0", "r1_0") == 0.5
    legs = path_legs(c, graph_source(g), m.path("r0_0", "r1_0"))
    assert legs == [
        {
            "mode": "road",
            "minutes": 0.5,
            "km": 1.0,
            "road": "expressway road",
            "from": "road node 113.000,35.000",
            "to": "road node 113.010,35.000",
        }
    ]


def test_mode_filter_excludes_rail_from_road():
    g = grid_graph(3)
    g.add_edge("r0_0", "r2_2", mode="hsr", kind="ride", length_km=3.0, time_min=0.1, source="test")
    assert many_to_one(compile_graph(g, "road"), ["r2_2"]).time_from("r0_0", "r2_2") == 4.0
    assert np.isclose(many_to_one(compile_graph(g, "best"), ["r2_2"]).time_from("r0_0", "r2_2"), 0.1)


def test_unreachable_is_inf_not_a_sentinel():
    g = grid_graph(2)
    g.add_node("island", kind="road", lon=114.0, lat=36.0)
    m = many_to_one(compile_graph(g, "road"), ["island"])
    assert np.isinf(m.time_from("r0_0", "island"))


@st.composite
def random_graphs(draw):
    n = draw(st.integers(3, 12))
    g = nx.MultiDiGraph()
    for k in range(n):
        g.add_node(f"n{k}", kind="road", lon=113 + draw(st.floats(0, 1)), lat=35 + draw(st.floats(0, 1)))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, n - 1), st.floats(0.1, 50), st.floats(20, 120)),
            min_size=1,
            max_size=40,
        )
    )
    for u, offset, km, speed in edges:  # v = u + offset (mod n) is never u: no self-loops
        road_edge(g, f"n{u}", f"n{(u + offset) % n}", km, speed)
    return g


def _all_pairs(g):
    c = compile_graph(g, "road")
    nodes = list(g.nodes)
    d = one_to_many(c, nodes)
    cols = [c.index[x] for x in nodes]
    return d[:, cols]


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_triangle_inequality(g):
    d = _all_pairs(g)
    n = d.shape[0]
    for k in range(n):
        assert np.all(d <= d[:, [k]] + d[[k], :] + 1e-9)


@settings(max_examples=60, deadline=None)
@given(random_graphs(), st.data())
def test_closing_an_edge_never_makes_a_trip_faster(g, data):
    before = _all_pairs(g)
    edges = list(g.edges(keys=True))
    g.remove_edge(*data.draw(st.sampled_from(edges)))
    after = _all_pairs(g)
    assert np.all(after >= before - 1e-9)


@settings(max_examples=60, deadline=None)
@given(random_graphs(), st.data(), st.floats(1.0, 3.0))
def test_raising_a_speed_never_makes_a_trip_slower(g, data, factor):
    before = _all_pairs(g)
    u, v, k = data.draw(st.sampled_from(list(g.edges(keys=True))))
    e = g.edges[u, v, k]
    e["speed_kph"] *= factor
    e["time_min"] = e["length_km"] / e["speed_kph"] * 60.0
    after = _all_pairs(g)
    assert np.all(after <= before + 1e-9)


def test_compiled_agrees_with_networkx():
    g = grid_graph(5)
    for u, v, _key, e in g.edges(keys=True, data=True):
        e["time_min"] = 1.0 + (hash((u, v)) % 7) / 3.0
    c = compile_graph(g, "road")
    m = many_to_one(c, ["r4_4"])
    ref = nx.single_source_dijkstra_path_length(g.reverse(), "r4_4", weight="time_min")
    for node, t in ref.items():
        assert np.isclose(m.time_from(node, "r4_4"), t)


def test_searches_on_the_process_pool_match_one_process():
    """One process pool for the package (network.parallel.fork_map): searches forked per target
    give the single-process answers, in order."""
    from scipy.sparse.csgraph import dijkstra

    from network.parallel import fork_map

    base = grid_graph(5)
    road_edge(base, "r0_0", "r4_4", 2.0, 120.0)  # one-way shortcut: direction must be kept
    g = compile_graph(base, "road")
    targets = [0, g.matrix.shape[0] - 1, 3]
    expected = dijkstra(g.transposed, directed=True, indices=targets)
    global _REVERSED
    _REVERSED = g.transposed  # inherited by the forked workers, never pickled
    got = np.vstack(fork_map(_search_to, targets, workers=2))
    assert np.array_equal(got, expected)


_REVERSED = None


def _search_to(target: int) -> np.ndarray:
    from network.search import search

    return search(_REVERSED, target)


def test_tree_sums_equal_the_walk_to_the_root_on_random_trees():
    from network.search import NO_PREDECESSOR, entries_of, tree_sums, walk_back

    rng = np.random.default_rng(3)
    for n in (1, 2, 10, 500):
        hop = np.array([NO_PREDECESSOR] + [int(rng.integers(0, k)) for k in range(1, n)])  # parents come first
        values = rng.random(n)
        sums = tree_sums(hop, values)
        for v in rng.choice(n, min(n, 20), replace=False):
            path = walk_back(hop, int(v))  # root ... v
            assert sums[v] == pytest.approx(sum(values[k] for k in path))
    from scipy.sparse import csr_matrix

    m = csr_matrix(np.array([[0, 2.0, 0], [0, 0, 3.0], [4.0, 0, 5.0]]))
    assert entries_of(m, np.array([0, 1, 2, 2, 0]), np.array([1, 2, 0, 2, 0])).tolist() == [0, 1, 2, 3, -1]


def _dense(matrix):
    """Dense weights with an entry re-weighted to ``inf`` (a closed edge) shown as no entry (0)."""
    d = matrix.toarray()
    d[~np.isfinite(d)] = 0.0
    return d


@settings(max_examples=80, deadline=None)
@given(random_graphs(), st.data())
def test_retimed_arrays_equal_a_fresh_compile(g, data):
    """Re-weighting compiled arrays in place of a recompile (scenarios, draws) must give the
    same matrix and the same edge per entry as compiling the changed table from scratch, with
    parallel edges, closed edges and edges that become allowed among the changes."""
    import dataclasses

    from network.graph.edges import build_edge_table
    from network.routing.compile import compile_edges

    table = build_edge_table(g)
    base = compile_edges(table, "road")
    n = len(table.u)
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True)), dtype=np.int64)
    time_min, mode = table.time_min.copy(), table.mode.astype(object)
    for r in rows:
        action = data.draw(st.sampled_from(["faster", "slower", "close", "rail"]))
        if action in ("faster", "slower"):
            time_min[r] *= 0.5 if action == "faster" else 2.0
        else:
            mode[r] = "closed" if action == "close" else "rail"
    changed = dataclasses.replace(table, time_min=time_min, mode=mode.astype(str))
    reopened = dataclasses.replace(changed, mode=table.mode)  # edges allowed again: a full compile
    for new, given_rows in ((changed, rows), (changed, None), (reopened, rows)):
        fresh, fast = compile_edges(new, "road"), base.retimed(new, given_rows)
        np.testing.assert_allclose(_dense(fresh.matrix), _dense(fast.matrix))
        np.testing.assert_allclose(_dense(fresh.transposed), _dense(fast.transposed))
        nodes = list(g.nodes)
        np.testing.assert_allclose(one_to_many(fresh, nodes), one_to_many(fast, nodes))
        kept = {(int(new.u[r]), int(new.v[r])): float(new.time_min[r]) for r in fresh.edge_of_entry}
        for e, r in enumerate(fast.edge_of_entry):
            if np.isfinite(fast.matrix.data[e]):
                assert kept[(int(new.u[r]), int(new.v[r]))] == pytest.approx(float(new.time_min[r]))


@settings(max_examples=60, deadline=None)
@given(random_graphs(), st.data())
def test_overlaid_arrays_equal_a_fresh_compile_and_are_restored(g, data):
    """Weights written in place for a block (many scenarios on one graph) must route as a fresh
    compile of the re-timed table, and leave the arrays exactly as they were afterwards."""
    import dataclasses

    from network.graph.edges import build_edge_table
    from network.routing.compile import compile_edges

    table = build_edge_table(g)
    base = compile_edges(table, "road")
    before = (base.matrix.data.copy(), base.transposed.data.copy(), base.edge_of_entry.copy())
    n = len(table.u)
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)), dtype=np.int64)
    factor = np.array(data.draw(st.lists(st.sampled_from([0.5, 2.0, np.inf]), min_size=len(rows), max_size=len(rows))))
    time_min = table.time_min.copy()
    time_min[rows] = time_min[rows] * factor
    closed = table.mode.astype(object)
    closed[rows[np.isinf(factor)]] = "closed"
    fresh = compile_edges(dataclasses.replace(table, time_min=time_min, mode=closed.astype(str)), "road")
    nodes = list(g.nodes)
    with base.overlaid(rows, time_min[rows]) as fast:
        np.testing.assert_allclose(one_to_many(fresh, nodes), one_to_many(fast, nodes))
        np.testing.assert_allclose(_dense(fresh.transposed), _dense(fast.transposed))
    for a, b in zip(before, (base.matrix.data, base.transposed.data, base.edge_of_entry)):
        np.testing.assert_array_equal(a, b)
