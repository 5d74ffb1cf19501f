"""Equity indicators: who is outside a circle and how far (network/indicators/equity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.indicators.equity import equity_table, fgt, outside_summary, tenth_ratio

times = st.lists(st.floats(1, 400), min_size=1, max_size=30)


@st.composite
def places(draw):
    t = draw(times)
    w = draw(st.lists(st.floats(1, 1e6), min_size=len(t), max_size=len(t)))
    return np.array(t), np.array(w)


def test_a_worked_example():
    t, w = np.array([30.0, 75.0, 120.0]), np.array([100.0, 200.0, 100.0])
    s = outside_summary(t, w, 60)
    assert s["population_outside"] == 300 and s["share_outside"] == 0.75
    assert s["mean_excess_min"] == pytest.approx((200 * 15 + 100 * 60) / 300, abs=0.05)
    assert s["worst_excess_min"] == 60.0
    assert s["fgt_gap"] == pytest.approx((200 * 0.25 + 100 * 1.0) / 400, abs=1e-4)
    assert s["fgt_severity"] == pytest.approx((200 * 0.0625 + 100 * 1.0) / 400, abs=1e-4)
    # worst tenth (40 people) all in the 120-min place, best tenth all in the 30-min place
    assert s["tenth_ratio"] == pytest.approx(4.0)


def test_an_unreachable_place_is_outside_and_its_excess_is_infinite():
    s = outside_summary(np.array([30.0, np.inf]), np.array([1.0, 1.0]), 60)
    assert s["places_outside"] == 1 and s["unreachable_places"] == 1
    assert np.isinf(s["worst_excess_min"]) and np.isinf(s["fgt_gap"]) and np.isinf(s["tenth_ratio"])


@settings(max_examples=80, deadline=None)
@given(places(), st.floats(10, 300), st.floats(0, 100))
def test_a_wider_circle_never_leaves_more_outside(p, z, more):
    t, w = p
    for alpha in (0, 1, 2):
        assert fgt(t, w, z + more, alpha) <= fgt(t, w, z, alpha) + 1e-12
    assert fgt(t, w, z, 0) == pytest.approx(w[t > z].sum() / w.sum())


@settings(max_examples=80, deadline=None)
@given(places(), st.floats(0.1, 10))
def test_the_tenth_ratio_is_at_least_one_and_has_no_unit(p, scale):
    t, w = p
    r = tenth_ratio(t, w)
    assert r >= 1 - 1e-9
    assert tenth_ratio(t * scale, w) == pytest.approx(r, rel=1e-9)
    assert tenth_ratio(np.full_like(t, 50.0), w) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(places(), st.floats(10, 300))
def test_prefectures_and_counties_add_up_to_the_region(p, z):
    t, w = p
    pref = [f"p{i % 3}" for i in range(len(t))]
    cty = [f"c{i}" for i in range(len(t))]
    tab = equity_table(t, w, pref, cty, [z])
    region = tab[tab["level"] == "region"].iloc[0]
    for level in ("prefecture", "county"):
        rows = tab[tab["level"] == level]
        assert rows["population_outside"].sum() == pytest.approx(region["population_outside"], abs=len(t))
        assert rows["places_outside"].sum() == region["places_outside"]
    assert region["worst_excess_min"] == pytest.approx(tab["worst_excess_min"].max())


def test_score_equity_counts_the_people_outside_the_circle(model):
    from network.indicators.score import equity_of_scores

    per_place, _ = model.score(["郑州"], thresholds_min=(60, 120))
    eq = equity_of_scores(per_place, ["zhengzhou"], thresholds_min=(60, 120))
    row = eq[(eq["level"] == "region") & (eq["mode"] == "best") & (eq["threshold_min"] == 120)].iloc[0]
    t, w = per_place["zhengzhou_best_min"], per_place["population_2020"]
    assert row["population_outside"] == int(w[~(t <= 120)].sum())
    assert row["worst_excess_min"] == pytest.approx(t.max() - 120, abs=0.05)
    assert set(eq["group"]) >= set(per_place["city_zh"]) | set(per_place["name_zh"])


def test_the_table_equals_the_summary_group_by_group():
    """equity_table computes every group at once; each row equals outside_summary of the group's
    places (random times with unreachable and missing ones, zero populations, shared counties)."""
    import numpy as np
    import pandas as pd

    from network.indicators.equity import equity_table, outside_summary

    rng = np.random.default_rng(1)
    for _ in range(100):
        n = int(rng.integers(1, 40))
        t = rng.uniform(0, 300, n)
        t[rng.random(n) < 0.1] = np.inf
        t[rng.random(n) < 0.05] = np.nan
        w = rng.integers(0, 100_000, n).astype(float)
        pref = np.array([f"p{x}" for x in rng.integers(0, 4, n)], dtype=object)
        cty = np.array([f"c{x}" for x in rng.integers(0, n, n)], dtype=object)
        got = equity_table(t, w, pref, cty, [60, 90], target="x")
        rows = []
        for th in (60, 90):
            groups = [("region", "all", np.ones(n, dtype=bool))]
            groups += [("prefecture", str(p), pref == p) for p in dict.fromkeys(pref.tolist())]
            groups += [("county", str(c), cty == c) for c in dict.fromkeys(cty.tolist())]
            for level, name, mask in groups:
                rows.append(
                    {"target": "x", "threshold_min": th, "level": level, "group": name}
                    | outside_summary(t[mask], w[mask], th)
                )
        pd.testing.assert_frame_equal(got, pd.DataFrame(rows), check_dtype=False)
