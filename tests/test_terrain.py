"""Terrain: the clipped grid holds pvlib's heights, relief sorts the ground into plain, hilly and
mountain, and a road's setting changes its speed where its design speed is not published."""

from __future__ import annotations

import numpy as np
import pytest

from network.assumptions import Assumptions
from network.geo import haversine_km
from network.graph.timing import class_speed_kph
from network.sources.default import data_dir
from network.sources.terrain import read_terrain, settings

GRID = data_dir() / "terrain" / "altitude_5min.csv"


def _cell(grid, lon: float, lat: float) -> float:
    i = int(round((lat - grid.lat0) / grid.step_deg))
    j = int(round((lon - grid.lon0) / grid.step_deg))
    return float(grid.height_m[i, j])


@pytest.mark.parametrize(
    "lon, lat, height_m",
    # FACTS.md section 7b, the cells of pvlib's Altitude.h5 as measured there
    [
        (112.83278, 35.50222, 782),
        (113.28, 35.775, 1370),
        (113.239, 35.239, 82),
        (113.649, 34.758, 110),
        (113.10528, 36.18389, 1034),  # 长治
    ],  # fmt: skip
)
def test_the_clipped_grid_holds_the_published_cell_heights(lon, lat, height_m):
    grid = read_terrain(GRID)
    assert _cell(grid, lon, lat) == height_m
    assert np.isfinite(grid.height_m).all()


def test_relief_sorts_plain_plateau_and_escarpment():
    a = Assumptions()
    grid = read_terrain(GRID)
    points = {  # (lon, lat): the setting the ground there has
        (113.867, 35.309): "plain",  # 新乡, on the North China plain
        (112.833, 35.502): "plain",  # 晋城, on the plateau (relief under 100 m)
        (112.95, 35.30): "mountain",  # G207's descent south of 晋城
        (112.30, 35.20): "mountain",  # 王屋山
        (113.55, 35.55): "mountain",  # the Taihang crossing of 新晋
    }
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    got = settings(grid.relief_m(lon, lat), a.terrain_hilly_relief_m, a.terrain_mountain_relief_m)
    assert got.tolist() == list(points.values())


def test_the_same_road_is_slower_in_the_mountains_unless_its_design_speed_is_published():
    a = Assumptions()
    cls = np.array(["other", "other", "other", "national", "national", "expressway"], dtype=object)
    terrain = np.array(["plain", "hilly", "mountain", "mountain", "mountain", "mountain"], dtype=object)
    design = np.array([np.nan, np.nan, np.nan, np.nan, 60.0, 80.0])
    speed = class_speed_kph(cls, design, np.full(6, np.inf), a, terrain)
    assert speed[0] > speed[1] > speed[2]  # plain > hilly > mountain, same class
    assert speed[2] == pytest.approx(a.unclassified_road_speed_kph * a.mountain_road_speed_factor)
    assert speed[3] == pytest.approx(a.national_design_speed_kph * a.mountain_road_speed_factor * 0.8, rel=0.01)
    assert speed[4] == pytest.approx(60.0 * a.ordinary_road_speed_factor)  # published: holds its terrain
    assert speed[5] == 80.0  # an expressway's design speed holds its terrain


def test_a_steep_road_runs_at_the_section_46_speed_unless_its_design_is_published():
    a = Assumptions()
    cls = np.array(["other", "national", "national", "expressway"], dtype=object)
    terrain = np.array(["steep"] * 4, dtype=object)
    design = np.array([np.nan, np.nan, 60.0, 80.0])
    speed = class_speed_kph(cls, design, np.full(4, np.inf), a, terrain)
    assert speed[0] == pytest.approx(min(a.steep_road_speed_kph, a.unclassified_road_speed_kph * 0.67), rel=0.01)
    assert speed[1] == pytest.approx(a.steep_road_speed_kph)
    assert speed[2] == pytest.approx(60.0 * a.ordinary_road_speed_factor)  # its design holds its terrain
    assert speed[3] == 80.0


def test_grades_find_the_escarpment_roads_not_the_plain_or_the_plateau():
    """The mean grade between a road's ends, on the grid: 晋城 (plateau) to the foot of the
    escarpment at 焦作 climbs about 700 m over about 40 km (1.8 %); a road down the escarpment
    alone is steeper, and roads on the plain or across the plateau are under 1 %."""
    grid = read_terrain(GRID)
    a = Assumptions()

    def grade(p, q):
        km = haversine_km(p[0], p[1], q[0], q[1])
        return float(
            grid.grade_pct(np.array([p[0]]), np.array([p[1]]), np.array([q[0]]), np.array([q[1]]), np.array([km]))[0]
        )

    descent = grade((112.95, 35.36), (112.99, 35.27))  # G207's descent south of 晋城, end to end
    assert descent > 2.0 and descent > 3 * grade((113.65, 34.76), (113.87, 35.31))
    assert grade((113.65, 34.76), (113.87, 35.31)) < 1.0  # 郑州 to 新乡, on the plain
    assert grade((112.83, 35.50), (113.10, 36.18)) < 1.0  # 晋城 to 长治, across the plateau
    heights = grid.heights(np.array([112.95, 112.99]), np.array([35.36, 35.27]))
    assert abs(heights[0] - heights[1]) > 300  # the descent loses hundreds of metres
    # in the built layer, the steep roads are those of rough ground: their midpoints' relief is
    # hilly or mountain for nearly all their length
    from network.model import Model

    g = Model.default(2024).graph
    steep = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("terrain") == "steep"]
    assert steep
    mid = [
        ((g.nodes[u]["lon"] + g.nodes[v]["lon"]) / 2, (g.nodes[u]["lat"] + g.nodes[v]["lat"]) / 2) for u, v, _ in steep
    ]
    relief = grid.relief_m(np.array([m[0] for m in mid]), np.array([m[1] for m in mid]))
    km = np.array([d["length_km"] for *_, d in steep])
    assert km[relief >= a.terrain_hilly_relief_m].sum() > 0.9 * km.sum()


def test_a_trip_down_the_escarpment_is_slower_per_km_than_on_the_plain():
    """In the built network, the unclassified roads the escarpment carries are slower per km than
    those of the plain (the same class, the same rule)."""
    from network.model import Model

    g = Model.default(2024).graph
    per_km = {"plain": [], "mountain": []}
    for _, _, d in g.edges(data=True):
        if d.get("rule") == "road_layer" and d.get("speed_class", d.get("road_class")) == "other":
            if d.get("terrain") in per_km and d["length_km"] > 0.5 and not d.get("urban_km"):
                per_km[d["terrain"]].append(d["time_min"] / d["length_km"])
    assert len(per_km["mountain"]) > 20 and len(per_km["plain"]) > 100
    assert np.median(per_km["mountain"]) > 1.4 * np.median(per_km["plain"])


def test_zhengzhou_station_to_zhengzhou_east_by_rail_takes_metro_line_1_from_its_opening():
    """郑州站 and 郑州东 are joined by Metro Line 1 from 2013-12-28 (data/urban_rail.yaml): a rail trip
    between them takes it then, and before it had to ride trains out and back."""
    from network.graph.timing import metro_ride_min
    from network.model import Model

    after = Model.default(as_of="2013-12-28").route("郑州站", "郑州东站", mode="rail")
    before = Model.default(as_of="2013-12-27").route("郑州站", "郑州东站", mode="rail")
    assert [leg["mode"] for leg in after["legs"]] == ["metro"]
    assert after["minutes"] == pytest.approx(float(metro_ride_min(12.0, 10, 80.0, Assumptions())), abs=0.06)
    assert "metro" not in {leg["mode"] for leg in before["legs"]} and before["minutes"] > after["minutes"] + 20


def test_shanxi_tunnels_run_at_70_from_2019_and_legs_say_so():
    """晋焦's tunnels (10.4 km each way) are held to Shanxi's 70 km/h from 2019-01-18 on: the
    expressway legs of 晋城 → 焦作 carry their tunnel km and are slower than in 2018 by what the
    tunnels lose (10.4 km at 70 against 80: 1.1 min)."""
    from network.model import Model

    def expressway_legs(year: int) -> list[dict]:
        trip = Model.default(year).route("晋城", "焦作", mode="road")
        return [leg for leg in trip["legs"] if "G5512" in (leg.get("road") or "")]

    before, after = expressway_legs(2018), expressway_legs(2019)
    tunnels = sum(float(m.split(" km")[0]) for leg in after for m in leg["made_of"] if "in tunnels" in m)
    assert tunnels == pytest.approx(10.4 * sum(leg["km"] for leg in after) / 48.0, abs=0.3)
    assert not any("in tunnels" in m for leg in before for m in leg["made_of"])
    lost = sum(leg["minutes"] for leg in after) - sum(leg["minutes"] for leg in before)
    assert lost == pytest.approx(tunnels / 70 * 60 - tunnels / 80 * 60, abs=0.15)
