"""Checks of the curated data and of the default network built from it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from network.errors import DataError
from network.geo import haversine_km
from network.graph.build import line_km_posts, rail_run_time_min
from network.graph.lookup import short_place_name
from network.sources.default import read_default_data, read_places

SHARED = Path(__file__).resolve().parent / "fixtures"  # copies of ../shared/data (see its README)


@pytest.fixture(scope="module")
def data():
    return read_default_data()


def test_every_curated_element_has_a_source(data):
    for p in data.places:
        assert p.source and p.position_source, p.place_id
    for s in data.stations:
        assert s.position_source, s.station_id
    for a in data.airports:
        assert a.position_source, a.airport_id
    for line in data.lines:
        assert line.source, line.line_id
    for c in data.corridors:
        assert c.source, c.corridor_id


def test_osm_sourced_station_positions_lie_within_1_km_of_openstreetmap(data):
    features = json.loads((SHARED / "osm_rail_stations_bbox.geojson").read_text(encoding="utf-8"))["features"]
    osm = {}
    for f in features:
        name = f["properties"].get("name")
        if name and f["properties"].get("station") != "subway":
            osm.setdefault(name, []).append(f["geometry"]["coordinates"])
    checked = 0
    for s in data.stations:
        pts = osm.get(s.name_zh) or osm.get(s.name_zh + "站")
        if not pts:
            continue
        d = min(float(haversine_km(s.lon, s.lat, lon, lat)) for lon, lat in pts)
        assert d <= 1.0, f"{s.name_zh} lies {d:.2f} km from its OpenStreetMap station"
        checked += 1
    assert checked >= 20  # most in-region stations are in the OSM file


def test_populations_match_the_census_table(data):
    import csv

    with (SHARED / "census2020_county_population_study_area.csv").open(encoding="utf-8") as fh:
        census = {r["code"]: int(r["人口数_合计"]) for r in csv.DictReader(fh)}
    for p in data.places:
        if p.population_2020 is not None:
            assert p.population_2020 == census[p.place_id[2:]], p.name_zh
    jincheng = sum(p.population_2020 for p in data.places if p.city_zh == "晋城" and p.population_2020)
    assert jincheng == census["140500"]  # every county of Jincheng is present


def test_bad_places_file_names_file_line_and_field(tmp_path):
    bad = tmp_path / "places.csv"
    bad.write_text(
        "place_id,name_zh,name_en,kind,city_zh,population_2020,lat,lon,position_source,source\n"
        "x1,甲,A,county,晋城,abc,35,112,approx,s\n"
        "x2,乙,B,town,晋城,5,95,112,approx,s\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_places(bad)
    msg = str(err.value)
    assert "3 problem(s)" in msg
    assert "line 2 (x1), field 'population_2020': found 'abc', expected a number" in msg
    assert "line 3 (x2), field 'kind'" in msg and "line 3 (x2), field 'lat'" in msg


def test_km_post_anchors_are_kept_and_interpolation_is_monotone(data):
    stations = {s.station_id: s for s in data.stations}
    line = next(ln for ln in data.lines if ln.line_id == "zhengtai_hsr")
    km = line_km_posts(line, stations)
    for s, k in zip(line.stations, km):
        if s.km is not None:
            assert k == pytest.approx(s.km)
    assert all(b > a for a, b in zip(km, km[1:]))


def test_run_time_by_hand():
    # 100 km at 200 km/h: 30 min cruise; accelerate 55.6/(2*0.3)=92.6 s, brake 55.6/(2*0.5)=55.6 s.
    assert rail_run_time_min([(100.0, 200.0)], 0.3, 0.5, 0.0) == pytest.approx(30 + (92.59 + 55.56) / 60, abs=0.01)
    # a 1 km hop never reaches 200 km/h: triangular profile, slower than cruise
    assert rail_run_time_min([(1.0, 200.0)], 0.3, 0.5, 0.0) > 1.0 / 200 * 60
    assert rail_run_time_min([(100.0, 200.0)], 0.3, 0.5, 0.05) == pytest.approx(
        1.05 * rail_run_time_min([(100.0, 200.0)], 0.3, 0.5, 0.0)
    )


def test_default_network_is_one_piece_for_passengers(model):
    # every scored place reaches every other place's centre and every served station, in best mode
    from network.routing.paths import many_to_one

    best = model.compiled("best")
    places = [n for n, d in model.graph.nodes(data=True) if d["kind"] == "place"]
    stations = [n for n, d in model.graph.nodes(data=True) if d["kind"] == "station"]
    m = many_to_one(best, [f"{p}:arrive" for p in places[:3]] + stations[:3])
    rows = [best.index[p] for p in places] + [best.index[s] for s in stations]
    assert np.all(np.isfinite(m.time_min[:, rows]))
    from network.graph.schema import validate_graph

    validate_graph(model.graph)


def test_year_filter_follows_opening_dates():
    from network.model import Model

    before = Model.default(as_of=dt.date(2020, 9, 22))
    after = Model.default(as_of=dt.date(2020, 12, 31))
    assert "station:jinchengdong" not in before.graph and "station:jinchengdong" in after.graph
    ids = lambda m: {d.get("corridor_id") for *_, d in m.graph.edges(data=True)}  # noqa: E731
    assert "yangji" not in ids(before) and "yangji" in ids(after)
    # opening the HSR and 阳济 never makes Jincheng slower to reach Zhengzhou
    t0 = before.route("晋城", "郑州")["minutes"]
    t1 = after.route("晋城", "郑州")["minutes"]
    assert t1 <= t0


def test_snap_onto_lines_splits_the_nearest_edge():
    from network.graph.build import snap_onto_lines
    from network.sources.geometry import LineGraph

    # one 10 km east-west track at lat 35.0 (0.1097 deg of lon is about 10 km there)
    track = LineGraph(
        lon=np.array([113.0, 113.1097]),
        lat=np.array([35.0, 35.0]),
        u=np.array([0, 1]),
        v=np.array([1, 0]),
        length_km=np.array([10.0, 10.0]),
    )
    out, (dist_km, node) = snap_onto_lines(track, np.array([113.0549, 113.2]), np.array([35.01, 35.0]), 35.0)
    assert out.n_nodes == 3  # the first point splits the edge; the second snaps to the end node
    assert node[1] == 1 and node[0] == 2
    assert dist_km[0] == pytest.approx(1.11, abs=0.15)  # 0.01 deg of latitude
    # the split keeps the total length, both ways
    assert sorted(out.length_km.tolist()) == pytest.approx([5.0, 5.0, 5.0, 5.0], abs=0.13)


def test_rail_geometry_runs_station_to_station_and_leaves_times_alone(model):
    g = model.graph
    matches = g.graph["rail_matches"]
    assert any(m["result"] == "follows railway" for m in matches)
    for m in matches:  # a drawn section agrees with its km posts within the stated tolerance
        if m["result"] == "follows railway":
            assert abs(m["railway_km"] - m["section_km"]) <= max(0.25 * m["section_km"], 3.0) + 0.1
    for u, v, d in g.edges(data=True):
        if d["kind"] == "ride" and d["mode"] in ("hsr", "rail"):  # coaches draw the roads they drive
            a, b = g.nodes[u], g.nodes[v]
            assert d["geometry"][0] == pytest.approx((a["lon"], a["lat"]))
            assert d["geometry"][-1] == pytest.approx((b["lon"], b["lat"]))
    # running times never depend on the drawing: a build without railway geometry has the same rides
    from network.graph.build import build_default_graph

    plain = build_default_graph(
        model.data, model.roads, model.assumptions, dt.date.fromisoformat(model.as_of), railways=None
    )
    rides = {(u, v): d["time_min"] for u, v, d in g.edges(data=True) if d["kind"] == "ride" and d["mode"] != "bus"}
    plain_rides = {(u, v): d["time_min"] for u, v, d in plain.edges(data=True) if d["kind"] == "ride"}
    assert rides == plain_rides


def test_the_region_defaults_are_data_read_once(tmp_path):
    """Targets, focus city and bounding box live in data/dataset.yaml, nowhere in the code."""
    import re
    import shutil
    from pathlib import Path

    from network.errors import DataError
    from network.sources.default import DEFAULT_TARGETS, FOCUS_CITY, REGION_BBOX, data_dir, read_region

    region = read_region()
    assert (region.targets, region.focus_city, region.bbox) == (DEFAULT_TARGETS, FOCUS_CITY, REGION_BBOX)
    root = Path(__file__).resolve().parents[1] / "network"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "110.8, 33.6" not in text, path
        assert not re.search(r"""["']晋城["']\s*$""", text, re.M), path
    shutil.copytree(data_dir(), tmp_path / "d")
    doc = (tmp_path / "d" / "dataset.yaml").read_text(encoding="utf-8").replace("bbox: [110.8", "bbox: [210.8")
    (tmp_path / "d" / "dataset.yaml").write_text(doc, encoding="utf-8")
    with pytest.raises(DataError, match="dataset.yaml: region: bbox"):
        read_region(tmp_path / "d")


@pytest.mark.parametrize(
    "file, old, new, needle",
    [
        ("rail_lines.yaml", "speed_kph_to_next: 200, opened", "speed_kph_to_nxt: 200, opened", "unknown field"),
        ("rail_lines.yaml", "mode: hsr", "mode: maglev", "mode: Input should be 'hsr' or 'rail'"),
        ("rail_lines.yaml", "headway_min:", "headway_min: -5 #", "headway_min: Input should be greater than"),
        ("roads.yaml", "design_speed_kph: 100", "design_speed_kph: 1000", "design_speed_kph: Input should be less"),
        ("roads.yaml", "road_class: expressway", "road_class: motorway", "road_class: Input should be"),
    ],
)
def test_curated_data_files_are_checked_by_schema_with_file_line_and_field(tmp_path, file, old, new, needle):
    import re
    import shutil

    from network.errors import DataError
    from network.sources.default import data_dir, read_default_data

    folder = tmp_path / "d"
    shutil.copytree(data_dir(), folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_default_data(folder)
    assert re.search(rf"{re.escape(file)}:\d+: \S*", str(err.value)), str(err.value)
    assert needle in str(err.value), str(err.value)


def test_curated_records_are_frozen_and_typed(data):
    """Nothing downstream edits a curated record in place: a change is a new record."""
    import dataclasses

    from network.sources.records import Corridor, Line, LineStop, Place

    assert isinstance(data.places[0], Place) and isinstance(data.corridors[0], Corridor)
    assert isinstance(data.lines[0], Line) and isinstance(data.lines[0].stations[0], LineStop)
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.places[0].lat = 0.0  # type: ignore[misc]
    assert isinstance(data.lines, tuple) and isinstance(data.corridors[0].waypoints, tuple)


def test_every_city_name_means_the_city_and_every_county_name_its_county():
    """A prefecture's plain name (and with 市) resolves to its centre, never to a county whose name
    shortens to it (新乡 → 新乡, 新乡县 → 新乡县); a county's full name resolves to that county."""
    from network.model import Model

    m = Model.default(2024)
    places = read_default_data().places
    clashes = 0
    for p in places:
        city = p.kind in ("city", "external")
        names = [p.name_zh]
        if city or not any(q.kind == "city" and q.name_en == p.name_en for q in places):
            names.append(p.name_en)  # an English name a city shares means the city (Jiyuan)
        if city and not p.name_zh.endswith("市") and not any(q.name_zh == p.name_zh + "市" for q in places):
            names.append(p.name_zh + "市")
        for name in names:
            assert m.resolve(name).key == p.place_id, (name, m.resolve(name).label)
        clashes += any(q.kind == "city" and short_place_name(p.name_zh) == q.name_zh for q in places if q is not p)
    assert clashes >= 2  # 新乡县 and 济源市 shorten to a city's name: the test has teeth


def test_no_expressway_is_always_open_and_every_bound_has_its_source(data, tmp_path):
    """An expressway whose opening day is not found opens on the latest date a source bounds it
    by (marked as a bound), never in every modelled year."""
    for c in data.corridors:
        if c.road_class == "expressway":
            assert c.opened is not None, c.corridor_id
        if c.opened_bound:
            assert c.opened_note and any(ch.isdigit() for ch in c.opened_note), c.corridor_id
    assert {"g55_jinji", "g55_jiluo"} <= {c.corridor_id for c in data.corridors if c.opened_bound}
    from network.errors import DataError
    from network.sources.default import read_corridors

    bad = tmp_path / "roads.yaml"
    bad.write_text(
        "corridors:\n  - corridor_id: x\n    ref: G1\n    name_zh: 甲\n    name_en: A\n    source: s\n"
        "    opened: null\n    opened_note: not found\n    waypoints: [[35.0, 113.0], [35.1, 113.1]]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"corridors\[0\] \(x\), field 'opened'.*latest date a source bounds it by"):
        read_corridors(bad)


@pytest.mark.slow
def test_every_dated_expressway_saves_time_along_itself_when_it_opens():
    """The road trip between an expressway's ends is quicker the day it opens than the day before,
    for every dated expressway (network.analysis.openings; `taihang data --openings`)."""
    from network.analysis.openings import opening_effects
    from network.model import Model

    rows = opening_effects(read_default_data().corridors, lambda date: Model.default(as_of=date))
    assert len(rows) >= 25
    for r in rows:
        assert "saved_min" in r, (r["corridor_id"], r["note"])
        assert r["saved_min"] > 0, (r["corridor_id"], r["before_route"])
