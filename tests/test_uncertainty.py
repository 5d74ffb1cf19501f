"""Uncertainty draws: reproducible, re-timing exact at the base values, bands around the estimate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from network.analysis.claims import check_claim, load_claim
from network.analysis.uncertainty import Retimer, draw_assumptions, sampled_names
from network.assumptions import Assumptions
from network.model import Model

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def model():
    return Model.default(year=2026)


def test_retiming_at_base_values_is_exact(model):
    rt = Retimer(model)
    assert np.array_equal(rt.times(model.assumptions), model.edge_table.time_min)
    # and a changed constant moves exactly the edges it should: processing 20 -> 30 min
    t = rt.times(model.assumptions.replace(station_processing_min=30.0))
    moved = np.flatnonzero(t != model.edge_table.time_min)
    assert moved.size and np.all(t[moved] == 30.0)


def test_retimed_model_equals_a_rebuilt_one(model):
    """Re-timing the edges gives the same trips as building the network with the drawn constants
    (for constants the re-timing recomputes exactly)."""
    a = model.assumptions.replace(
        station_processing_min=27.0,
        wait_cap_min=33.0,
        urban_access_speed_kph=24.0,
        unclassified_road_speed_kph=52.0,
        transfer_min=14.0,
        hsr_dwell_min=3.0,
        national_design_speed_kph=70.0,
        built_up_speed_kph=25.0,
        expressway_default_design_speed_kph=90.0,
        ordinary_road_speed_factor=0.7,
    )
    fast = Retimer(model).model_for(a)
    slow = Model.default(year=2026, assumptions=a)
    for o, d, mode in (
        ("阳城", "洛阳", "best"),
        ("晋城", "郑州", "rail"),
        ("晋城东站", "郑州东站", "rail"),
        ("陵川", "晋城", "road"),
        ("晋城", "焦作", "road"),
    ):
        assert fast.trip_minutes(o, d, mode) == pytest.approx(slow.trip_minutes(o, d, mode), abs=1e-6)


def test_draws_are_reproducible_and_in_range():
    base = Assumptions()
    a1, s1 = draw_assumptions(base, 50, seed=11)
    a2, s2 = draw_assumptions(base, 50, seed=11)
    a3, _ = draw_assumptions(base, 50, seed=12)
    assert a1 == a2 and s1 == s2 and a1 != a3
    meta = {
        f: (base.__dataclass_fields__[f].metadata["low"], base.__dataclass_fields__[f].metadata["high"])
        for f in sampled_names(base)
    }
    for a in a1:
        for f, (lo, hi) in meta.items():
            assert lo <= getattr(a, f) <= hi


@pytest.mark.slow
def test_claim_bands_reproducible_and_bracket_sensibly(tmp_path):
    claim = load_claim(ROOT / "claims" / "gates_of_luoyang.yaml")
    runs = [check_claim(claim, lambda y: Model.default(year=y), draws=40, seed=5) for _ in range(2)]
    cols = ["p10_min", "p50_min", "p90_min", "share_of_draws_within"]
    assert runs[0].per_destination[cols].equals(runs[1].per_destination[cols])
    per = runs[0].per_destination
    assert (per["p10_min"] <= per["p50_min"]).all() and (per["p50_min"] <= per["p90_min"]).all()
    assert per["share_of_draws_within"].between(0, 1).all()
    assert runs[0].overall["share_of_draws_holding"].notna().all()
    assert "40 draws (seed 5" in runs[0].uncertainty_note
