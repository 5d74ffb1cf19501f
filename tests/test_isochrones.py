"""Isochrones: nested, built from network times (not buffers), consistent with the scores."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from network.cli import main
from network.errors import UnreachableError
from network.isochrones import isochrones
from network.model import Model


@pytest.fixture(scope="module")
def model():
    return Model.default(year=2024)


@pytest.mark.parametrize("direction", ["from", "towards"])
def test_bands_nest(model, direction):
    g = isochrones(model, "郑州", [30, 60, 90, 120, 180], direction=direction)
    geoms = list(g.geometry)
    for small, big in zip(geoms, geoms[1:]):
        assert big.buffer(1e-9).contains(small)
    assert (np.diff(g["area_km2"]) > 0).all() and (np.diff(g["population_within"]) >= 0).all()


def test_not_a_straight_line_buffer(model):
    """A circle at 120 km/h for 60 min would cover π·120² ≈ 45,000 km²; the network reaches far less,
    and the band is not convex (it follows the roads)."""
    g = isochrones(model, "洛阳", [60])
    poly = g.geometry.iloc[0]
    assert g["area_km2"].iloc[0] < 0.3 * np.pi * 120**2
    assert poly.convex_hull.area > 1.2 * poly.area


def test_population_matches_scores(model):
    per_place, _ = model.score(["郑州"])
    g = isochrones(model, "郑州", [90], direction="towards")
    expected = int(per_place.loc[per_place["zhengzhou_best_min"] <= 90, "population_2020"].sum())
    assert g["population_within"].iloc[0] == expected


@pytest.mark.parametrize("mode", ["rail", "transit"])
@pytest.mark.parametrize("direction", ["from", "towards"])
def test_a_rail_isochrone_means_what_a_rail_route_means(model, mode, direction):
    """By rail or transit every time rides a train (or coach), as ``route --mode``: a place's time
    in the isochrone is its route's, and places only reachable without a train are left out."""
    from network.isochrones import node_times

    _, t, m = node_times(model, "阳城县", mode, direction)
    compiled = m.compiled(mode)
    places = m.places()
    checked = 0
    for pid, name in zip(places["place_id"], places["name_zh"]):
        if name == "阳城县":
            continue
        node = f"place:{pid}:arrive" if direction == "from" else f"place:{pid}"
        got = t[compiled.index[node]]
        trip = ("阳城县", name) if direction == "from" else (name, "阳城县")
        try:
            expected = m.route(*trip, mode=mode)["minutes"]
        except UnreachableError:  # no trip by train: out of every band
            assert not np.isfinite(got), name
            continue
        assert got == pytest.approx(expected, abs=0.051), name  # routes print one decimal
        checked += 1
    assert checked > 20
    road = isochrones(model, "阳城县", [60], mode="road")["population_within"].iloc[0]
    rail = isochrones(model, "阳城县", [60], mode=mode, direction=direction)["population_within"].iloc[0]
    assert rail < road  # within an hour by train is less than by car: access, processing, waits


def test_cli_writes_geojson_deterministically(tmp_path):
    runner = CliRunner()
    outs = []
    for k in range(2):
        out = tmp_path / f"iso{k}.geojson"
        res = runner.invoke(
            main,
            [
                "isochrone",
                "阳城",
                "--minutes",
                "60,120",
                "--out",
                str(out),
                "--year",
                "2024",
                "--map",
                str(tmp_path / f"m{k}.html"),
            ],
        )
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    doc = json.loads(outs[0])
    assert [f["properties"]["minutes"] for f in doc["features"]] == [60.0, 120.0]
    res = runner.invoke(main, ["isochrone", "阳城", "--minutes", "0,60"])
    assert res.exit_code == 2 and "> 0" in res.output
