"""Costs on cards and access bought per 亿元 (network/analysis/costs.py): a published cost, an
estimate from the unit costs by terrain computed by hand, packages, the band, and the ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from network.analysis.compare import compare, ranking
from network.analysis.costs import CardCost, card_cost, estimate_built, gain_per_cost, person_minutes, terrain_shares
from network.assumptions import Assumptions
from network.errors import DataError, ScenarioError
from network.model import Model
from network.scenario.load import load_scenario
from network.sources.files import read_unit_costs

COSTS = Path(__file__).parent / "fixtures" / "cards" / "costs"


@pytest.fixture(scope="module")
def base():
    return Model.default(year=2030)


def test_an_estimate_is_km_times_the_unit_cost_of_each_terrain():
    units = read_unit_costs()
    a = Assumptions()
    plain = [(113.9, 34.75), (114.3, 34.75)]  # east of 郑州: plain all the way (relief under 50 m)
    assert terrain_shares(plain, a) == {"plain": 1.0}
    est, line = estimate_built({"id": "x", "kind": "expressway", "km": 40.0, "points": plain}, units, a)
    u = units[("expressway", "plain")]
    assert est == pytest.approx((40 * u["low"], 40 * u["central"], 40 * u["high"]))
    assert "40.0 km (plain 100%)" in line
    est, _ = estimate_built({"id": "y", "kind": "hsr", "km": 100.0, "points": plain}, units, a)
    assert est == pytest.approx((100 * 0.80, 100 * 1.16, 100 * 1.60))  # hsr: one rate for any terrain
    none, why = estimate_built({"id": "z", "kind": "class2", "km": 10.0, "points": plain}, units, a)
    assert none is None and "no unit cost for class2" in why


def test_the_anchors_give_their_own_totals_back():
    """The unit costs reproduce the two published totals they were taken from (to rounding)."""
    units = read_unit_costs()
    assert 372 * units[("hsr", "any")]["central"] == pytest.approx(431.3, rel=0.01)  # 太焦
    assert 69.754 * units[("expressway", "mountain")]["central"] == pytest.approx(74.86, rel=0.01)  # 新晋


def test_published_estimated_and_package_costs(base):
    pub = load_scenario(COSTS / "published.yaml")
    c = card_cost(pub, base.with_scenario(pub).apply_report, base.assumptions)
    assert (c.central, c.low, c.high, c.lifetime_years) == (50.0, 45.0, 60.0, 30)
    assert c.basis == "published: a test total, prices of 2024"
    est = load_scenario(COSTS / "estimated.yaml")
    e = card_cost(est, base.with_scenario(est).apply_report, base.assumptions)
    assert e.central == pytest.approx(40.0 * read_unit_costs()[("expressway", "plain")]["central"])
    pkg = load_scenario(COSTS / "package.yaml")
    p = card_cost(pkg, base.with_scenario(pkg).apply_report, base.assumptions)
    assert p.central == pytest.approx(c.central + e.central) and p.low == pytest.approx(c.low + e.low)
    partial = load_scenario(COSTS / "package_unpriced.yaml")
    q = card_cost(partial, base.with_scenario(partial).apply_report, base.assumptions)
    assert not q.known and "no cost for upgrade" in q.basis  # a partial sum would flatter the package


def test_a_published_cost_needs_its_source():
    with pytest.raises(ScenarioError) as err:
        load_scenario(COSTS / "no_source.yaml")
    assert f"{COSTS / 'no_source.yaml'}:4: cost" in str(err.value) and "needs its source" in str(err.value)


def test_the_band_and_the_lifetime():
    cost = CardCost("x", 100.0, 80.0, 150.0, "test", lifetime_years=40)
    g = gain_per_cost(1e6, cost)
    assert g["per_100m_yuan"] == pytest.approx(1e4)
    assert g["p10"] < g["per_100m_yuan"] < g["p90"] <= 1e6 / 80.0  # a dearer draw buys less
    assert g["per_100m_yuan_year"] == pytest.approx(1e4 * 40)
    assert gain_per_cost(1e6, CardCost("x", 100.0, 100.0, 100.0, "t"))["p10"] == pytest.approx(1e4)
    assert gain_per_cost(1e6, CardCost("x", None, None, None, "unknown"))["per_100m_yuan"] is None
    assert gain_per_cost(1e6, cost) == gain_per_cost(1e6, cost)  # same inputs, same band


def test_person_minutes_by_hand():
    rows = []
    for t, gains in (("a", (10.0, 0.0, np.inf)), ("b", (1.0, 2.0, 3.0))):
        for pid, pop, g, before in zip(("p", "q", "r"), (100, 200, 300), gains, (30.0, 60.0, np.inf)):
            rows.append(
                {
                    "target": t,
                    "place_id": pid,
                    "population_2020": pop,
                    "best_gain_min": g,
                    "rail_gain_min": 0.0,
                    "transit_gain_min": 0.0,
                    "best_before_min": before,
                    "rail_before_min": before,
                    "transit_before_min": before,
                }
            )
    total, left_out, far = person_minutes(pd.DataFrame(rows), ["a", "b"])
    # a: 10 x 100 (r unreachable before: left out); b: 100 + 400 + 900
    assert total == 1000 + 1400 and left_out == 1
    # the population-weighted median before is 60 (q): the worse-served half is r (unreachable before), b's 900
    assert far == pytest.approx(900 / 2400)


def test_compare_ranks_the_priced_scenarios(base, tmp_path):
    from network.viz.report import write_outputs

    cards = [load_scenario(COSTS / f) for f in ("published.yaml", "estimated.yaml", "upgrade.yaml")]
    comp = compare(base, cards, ["郑州"], decompose=False, workers=1)
    r = ranking(comp).set_index("scenario")
    assert r.loc["published", "cost_100m_yuan"] == 50.0
    assert r.loc["published", "person_min_per_100m_yuan"] == round(r.loc["published", "person_min_gain"] / 50.0)
    assert pd.isna(r.loc["upgrade", "rank_per_cost"]) and r.loc["upgrade", "cost_basis"].startswith("unknown")
    assert set(r["rank_per_cost"].dropna()) <= {1, 2}
    written = write_outputs(comp, tmp_path)
    assert (tmp_path / "charts" / "gain_per_cost.png").read_bytes()[:4] == b"\x89PNG"
    assert tmp_path / "links.gpkg" in written


def test_a_bad_unit_cost_file_names_the_line(tmp_path):
    bad = tmp_path / "u.csv"
    bad.write_text(
        "kind,terrain,low_100m_yuan_per_km,central_100m_yuan_per_km,high_100m_yuan_per_km,price_year,basis\n"
        "hsr,any,2,1,3,,x\nhsr,plain,1,1,1,1990s,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_unit_costs(bad)
    text = str(err.value)
    assert f"{bad}:2: low_100m_yuan_per_km <= central" in text and f"{bad}:3: field 'basis'" in text
    assert f"{bad}:3: price_year" in text
