"""Indicator formulas: hand-checkable cases and properties (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from network.indicators.measures import (
    change,
    coefficient_of_variation,
    cumulative_opportunities,
    gini,
    network_efficiency,
    potential_accessibility,
    share_within,
    theil,
    weighted_average_travel_time,
)
from network.search import csr_min

times = st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=1, max_size=30)
positive = st.lists(st.floats(0.1, 1e4, allow_nan=False), min_size=1, max_size=30)


def test_hand_checked_region():
    """Three towns, two targets: every indicator by hand."""
    t = np.array([[30.0, 90.0], [60.0, 45.0], [np.inf, 120.0]])  # town x target
    pop = np.array([100.0, 200.0, 100.0])
    jobs = np.array([1000.0, 500.0])
    assert cumulative_opportunities(t, jobs, 60).tolist() == [1000.0, 1500.0, 0.0]
    assert share_within(t[:, 0], pop, 60) == 0.75
    assert weighted_average_travel_time(t[:, 0], pop) == pytest.approx((30 * 100 + 60 * 200) / 300)
    a = potential_accessibility(t, jobs, "negative_exponential", beta=0.05)
    assert a[0] == pytest.approx(1000 * np.exp(-1.5) + 500 * np.exp(-4.5))
    assert a[2] == pytest.approx(500 * np.exp(-6.0))
    # 100 km straight at 100 km/h is 60 min: times of 60 and 90 give efficiencies 1 and 1.5
    assert network_efficiency([60.0, 90.0], [100.0, 100.0], 100.0, [1.0, 1.0]) == 1.25


def test_equal_distribution_is_zero_inequality():
    assert gini([42.0] * 7) == 0.0
    assert theil([42.0] * 7, [1, 2, 3, 4, 5, 6, 7]) == pytest.approx(0.0, abs=1e-15)
    assert coefficient_of_variation([42.0] * 7) == 0.0


@given(positive)
def test_gini_bounds_and_scale(values):
    g = gini(values)
    assert 0.0 <= g < 1.0 + 1e-12
    assert gini([v * 3.7 for v in values]) == pytest.approx(g, abs=1e-9)


@given(positive, st.lists(st.integers(1, 5), min_size=30, max_size=30))
def test_weights_equal_replication(values, reps):
    """Integer weights give the same Gini, Theil and CV as repeating each value that many times."""
    w = reps[: len(values)]
    rep = [v for v, k in zip(values, w) for _ in range(k)]
    assert gini(values, w) == pytest.approx(gini(rep), abs=1e-9)
    assert theil(values, w) == pytest.approx(theil(rep), abs=1e-9)
    assert coefficient_of_variation(values, w) == pytest.approx(coefficient_of_variation(rep), abs=1e-9)


@given(st.lists(times, min_size=1, max_size=5), st.floats(0, 500), st.floats(0, 500))
def test_cumulative_never_falls_as_threshold_grows(rows, t1, t2):
    n = min(len(r) for r in rows)
    t = np.array([r[:n] for r in rows])
    o = np.ones(n)
    lo, hi = sorted((t1, t2))
    assert (cumulative_opportunities(t, o, lo) <= cumulative_opportunities(t, o, hi)).all()


@settings(max_examples=50)
@given(st.integers(3, 12), st.data())
def test_adding_a_link_never_lowers_accessibility(n, data):
    """Shortest times can only fall when an edge is added, so no accessibility measure falls."""
    edges = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(1, 100)), min_size=1, max_size=3 * n)
    )
    extra = data.draw(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(1, 100)))

    def times(es):
        es = [e for e in es if e[0] != e[1]]
        if not es:
            return np.full((n, n), np.inf)
        u, v, w = map(np.array, zip(*es))
        m, _ = csr_min(u, v, w, n)  # parallel edges: the shorter one
        return dijkstra(m)

    pop = np.arange(1, n + 1, dtype=float)
    before, after = times(edges), times(edges + [extra])
    for decay, p in (
        ("negative_exponential", {"beta": 0.03}),
        ("power", {"alpha": 1.0}),
        ("cumulative", {"threshold_min": 60.0}),
    ):
        assert (
            potential_accessibility(after, pop, decay, **p) >= potential_accessibility(before, pop, decay, **p) - 1e-9
        ).all()


def test_change():
    c = change([60.0, np.inf, 100.0], [50.0, 80.0, 100.0], [1, 5, 1])
    assert c["both_reachable"] == 2
    assert c["weighted_absolute"] == -5.0


def test_place_accessibility_never_falls_when_a_plan_adds_links():
    """On the real network: a package that only adds links and services never lowers any place's
    potential or cumulative accessibility."""
    from pathlib import Path

    from network.model import Model
    from network.scenario.load import load_scenario

    sc = load_scenario(Path(__file__).parents[1] / "scenarios" / "jincheng_plan.yaml")
    assert not any(c.change.type == "close" for c in sc.changes)
    base = Model.default(year=2032)
    before, after = base.place_accessibility(), base.with_scenario(sc).place_accessibility()
    for col in [c for c in before.columns if c.startswith(("potential", "population_within"))]:
        assert (after[col] >= before[col]).all(), col
    assert (after["potential_best"] > before["potential_best"]).any()
    cols = [c for c in before.columns if c.startswith("population_within")]
    assert (np.diff(before[cols].to_numpy(), axis=1) >= 0).all()  # 60 <= 120 <= 180
