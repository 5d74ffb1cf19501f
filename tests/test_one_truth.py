"""One truth for minutes: a trip's total is the search's own, on the arrays of the network asked
about (a re-timed draw too), and its printed legs add up to its printed total."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from network.analysis.uncertainty import Retimer
from network.routing.paths import rounded_to_total


def test_a_draws_trip_equals_its_travel_times(model):
    a0 = model.assumptions
    drawn = Retimer(model).model_for(dataclasses.replace(a0, station_processing_min=a0.station_processing_min + 20))
    table = drawn.travel_times(["郑州"], ["rail"])
    row = table[(table["origin_zh"] == "阳城县") & (table["mode"] == "rail")]
    trip = drawn.trip("阳城县", "郑州", "rail")
    assert trip.minutes == pytest.approx(round(float(row["minutes"].iloc[0]), 1))
    assert trip.minutes > model.trip("阳城县", "郑州", "rail").minutes + 19  # the draw's, not the base's
    proc = [leg for leg in trip.legs if leg["mode"] == "processing"]
    assert proc and proc[0]["minutes"] == pytest.approx(a0.station_processing_min + 20, abs=0.05)


def test_route_totals_equal_the_matrix_and_legs_add_up(model):
    places = model.places(("county", "district", "city"))["name_zh"].tolist()
    rng = random.Random(7)
    pairs = [tuple(rng.sample(places, 2)) for _ in range(60)]
    for mode in ("best", "road", "rail"):
        matrix = model.matrix(sorted({o for o, _ in pairs}), sorted({d for _, d in pairs}), mode)
        cell = {(r.origin, r.destination): r.minutes for r in matrix.itertuples()}
        for o, d in pairs:
            expected = cell[(model.resolve(o).key, model.resolve(d).key)]
            if not np.isfinite(expected):
                continue
            trip = model.trip(o, d, mode)
            assert trip.minutes == round(expected, 1), (o, d, mode)
            assert round(sum(leg["minutes"] for leg in trip.legs), 1) == trip.minutes, (o, d, mode)
            assert round(sum(leg["km"] for leg in trip.legs), 1) == trip.km, (o, d, mode)


def test_rounded_parts_add_up_to_the_rounded_total():
    rng = np.random.default_rng(3)
    for _ in range(2000):
        parts = list(rng.random(rng.integers(1, 12)) * rng.choice([1, 10, 100]))
        shown = rounded_to_total(parts)
        assert round(sum(shown), 1) == round(sum(parts), 1)
        assert all(abs(s - p) < 0.1 + 1e-9 for s, p in zip(shown, parts))


def test_a_sweeps_central_draw_equals_check(tmp_path):
    from pathlib import Path

    import pandas as pd
    from click.testing import CliRunner

    from network.cli import main

    root = Path(__file__).resolve().parents[1]
    claim, scenario = root / "claims" / "gates_of_luoyang.yaml", root / "scenarios" / "without_yangji_expressway.yaml"
    run = CliRunner().invoke
    assert run(main, ["check", str(claim), "--out", str(tmp_path / "k")]).exit_code == 0
    res = run(main, ["sweep", str(scenario), "--claims", str(claim), "--draws", "0", "--workers", "1",
                     "--out", str(tmp_path / "s")])  # fmt: skip
    assert res.exit_code == 0, res.output
    checked = pd.read_csv(tmp_path / "k" / "gates_of_luoyang_verdicts.csv")
    swept = pd.read_csv(tmp_path / "s" / "sweep.csv")
    swept = swept[(swept["metric"] == "max_minutes") & (swept["kind"] == "claim")]
    names = {"today": "baseline", "without_yangji": "without_yangji_expressway"}
    compared = 0
    for row in checked.itertuples():
        if row.network not in names or not np.isfinite(row.max_minutes):
            continue
        hit = swept[
            (swept["scenario"] == names[row.network])
            & (swept["reading"] == row.reading)
            & (swept["mode"] == row.mode)
            & (swept["threshold_min"] == row.threshold_min)
        ]
        assert len(hit) == 1, row
        assert hit["value"].iloc[0] == pytest.approx(row.max_minutes, rel=1e-12), row
        compared += 1
    assert compared >= 4


@pytest.mark.parametrize("mode", ["road", "best"])
def test_both_engines_print_the_same_numbers(model, mode):
    pytest.importorskip("pyroutingkit")
    scipy_cells = model.matrix(None, None, mode, "scipy")
    cch_cells = model.matrix(None, None, mode, "cch")
    assert len(scipy_cells) > 5000
    np.testing.assert_array_equal(scipy_cells["minutes"].to_numpy(), cch_cells["minutes"].to_numpy())


def test_links_of_a_draw_carry_the_draws_minutes(model):
    a0 = model.assumptions
    drawn = Retimer(model).model_for(dataclasses.replace(a0, unclassified_road_speed_kph=45.0))
    base, other = model.links_frame(("road",)), drawn.links_frame(("road",))
    assert len(base) == len(other)
    slower = other["minutes"].to_numpy() > base["minutes"].to_numpy() + 1e-9
    assert slower.any() and (other["minutes"].to_numpy() >= base["minutes"].to_numpy() - 1e-9).all()
