"""Shortest paths repaired after a change (network/repair.py) equal a fresh search: random graphs,
random speed-ups, slow-downs, closures and new links, one or several sources."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from network.repair import HAVE_NUMBA, Tree, repair, repair_tree
from network.search import search


def _graph(rng: np.random.Generator, n: int, m: int) -> csr_matrix:
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = u != v
    u, v = u[keep], v[keep]
    w = rng.uniform(0.5, 10.0, u.size)
    g = csr_matrix((w, (u, v)), shape=(n, n))  # duplicates summed: still a valid weight
    g.sum_duplicates()
    g.sort_indices()
    return g


def _change(rng: np.random.Generator, g: csr_matrix, k: int, kinds: tuple[str, ...]) -> np.ndarray:
    """New weights for ``k`` entries: faster, slower, closed (inf) or opened (was inf)."""
    data = g.data.copy()
    picks = rng.choice(data.size, size=min(k, data.size), replace=False)
    for e in picks:
        kind = kinds[rng.integers(len(kinds))]
        if kind == "faster":
            data[e] *= rng.uniform(0.1, 0.9)
        elif kind == "slower":
            data[e] *= rng.uniform(1.1, 5.0)
        elif kind == "closed":
            data[e] = np.inf
        else:  # "opened": a link the base did not have (inf there), new now
            g.data[e] = np.inf
            data[e] = rng.uniform(0.5, 3.0)
    return data


def _check(seed: int, n: int, m: int, k: int, sources: int, kinds: tuple[str, ...]) -> None:
    rng = np.random.default_rng(seed)
    g = _graph(rng, n, m)
    new = _change(rng, g, k, kinds)  # may set some base weights to inf (the links opened later)
    src = rng.choice(n, size=sources, replace=False)
    d, p, _ = search(g, src, min_only=True, predecessors=True)
    old = g.data.copy()
    tree = Tree(g, g.T.tocsr(), d, p)
    rows = np.repeat(np.arange(n), np.diff(g.indptr))
    changed = np.flatnonzero(old != new)
    g.data[:] = new
    tree.reverse.data[:] = g.T.tocsr().data
    got, pred = repair_tree(tree, rows[changed], g.indices[changed], old[changed], new[changed])
    fresh = search(g, src, min_only=True)
    np.testing.assert_allclose(got, fresh, rtol=1e-12, atol=1e-12)
    reached = np.flatnonzero(np.isfinite(got) & (pred >= 0))  # the tree's edges are tight: real paths
    for y in reached:
        x = pred[y]
        lo, hi = g.indptr[x], g.indptr[x + 1]
        w = g.data[lo:hi][g.indices[lo:hi] == y].min()
        assert got[y] == pytest.approx(got[x] + w, rel=1e-12, abs=1e-12)
    assert set(np.flatnonzero(np.isfinite(got) & (pred < 0))) <= set(src.tolist())


@pytest.mark.parametrize("kinds", [("faster",), ("slower",), ("closed",), ("opened",)])
def test_each_kind_of_change_alone(kinds):
    for seed in range(30):
        _check(seed, n=60, m=240, k=8, sources=2, kinds=kinds)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 80),
    density=st.integers(1, 6),
    k=st.integers(1, 30),
    sources=st.integers(1, 3),
)
def test_any_mix_of_changes_equals_a_fresh_search(seed, n, density, k, sources):
    _check(seed, n, n * density, k, min(sources, n), ("faster", "slower", "closed", "opened"))


def test_a_large_change_on_a_grid_equals_a_fresh_search():
    """A 120 x 120 grid (both ways), a corridor of 100 edges sped up and 40 edges closed elsewhere."""
    size = 120
    idx = np.arange(size * size).reshape(size, size)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    rng = np.random.default_rng(3)
    w = rng.uniform(0.3, 1.5, u.size)
    g = csr_matrix((np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(size**2,) * 2)
    g.sort_indices()
    d, p, _ = search(g, [0, size**2 - 1], min_only=True, predecessors=True)
    tree = Tree(g, g.T.tocsr(), d, p)
    old = g.data.copy()
    new = old.copy()
    corridor = rng.choice(old.size, 100, replace=False)
    closed = rng.choice(np.setdiff1d(np.arange(old.size), corridor), 40, replace=False)
    new[corridor] *= 0.5
    new[closed] = np.inf
    changed = np.concatenate([corridor, closed])
    rows = np.repeat(np.arange(size**2), np.diff(g.indptr))
    g.data[:] = new
    tree.reverse.data[:] = g.T.tocsr().data
    got = repair(tree, rows[changed], g.indices[changed], old[changed], new[changed])
    np.testing.assert_allclose(got, search(g, [0, size**2 - 1], min_only=True), rtol=1e-12)


def test_numba_is_there():
    """The fast path needs numba (a dependency); without it the answer is a full search's."""
    assert HAVE_NUMBA


@pytest.mark.parametrize(
    "card",
    ["jincheng_plan.yaml", "without_yangji_expressway.yaml", "lingchuan_hebi_expressway.yaml", "yangcheng_plan.yaml"],
)
def test_a_scenario_repairs_its_parents_searches_to_the_same_times(card, monkeypatch):
    """TripSearch.to_target on a scenario's network from the base's tree (forced on for this small
    network) equals a fresh search in every mode, new links and closures included."""
    from pathlib import Path

    import network.routing.trips as trips
    from network.model import Model
    from network.routing.paths import many_to_one
    from network.scenario.load import load_scenario

    monkeypatch.setattr(trips, "REPAIR_MIN_ENTRIES", 0)
    base = Model.default(2035)
    scenario = base.with_scenario(load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / card))
    ts, checked = scenario.trips, 0
    for mode in ("road", "best", "rail_platform"):
        for target in ("place:zhengzhou:arrive", "place:luoyang:arrive"):
            if ts._inherited(mode) is not None:
                continue  # the scenario does not touch this mode: the parent's own search stands
            got = ts._repaired(mode, target)
            assert got is not None
            fresh = many_to_one(ts.compiled(mode), [target])
            np.testing.assert_allclose(got.time_min, fresh.time_min, rtol=1e-12, atol=1e-12)
            checked += 1
    assert checked >= 2


def test_a_comparison_is_the_same_with_repairs(monkeypatch):
    """compare() with every scenario search repaired (forced on) gives the same place table as
    with fresh searches: times, gains and each trip's main mode."""
    from pathlib import Path

    import pandas as pd

    import network.routing.paths as paths
    import network.routing.trips as trips
    from network.analysis.compare import compare
    from network.model import Model
    from network.scenario.load import load_scenario

    root = Path(__file__).resolve().parents[1] / "scenarios"
    cards = [load_scenario(root / f"{c}.yaml") for c in ("jincheng_plan", "without_yangji_expressway")]
    base = Model.default(2035)
    fresh = compare(base, cards, ["郑州", "洛阳"], decompose=False, workers=1)
    monkeypatch.setattr(trips, "REPAIR_MIN_ENTRIES", 0)
    calls = []

    def counted(*args):
        calls.append(1)
        return repair_tree(*args)

    monkeypatch.setattr(paths, "repair_tree", counted)
    repaired = compare(base, cards, ["郑州", "洛阳"], decompose=False, workers=1)
    assert len(calls) >= 4  # the scenarios' searches were repaired, not run again
    for a, b in zip(fresh.results, repaired.results):
        pd.testing.assert_frame_equal(a.places, b.places)
