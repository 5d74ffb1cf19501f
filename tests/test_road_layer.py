"""The classified road layer: the map matcher on hand-checkable geometry, edge classes by date, and
the default network's corridors (absent before they open, slower trips before, closing never helps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.assumptions import Assumptions
from network.graph.road_layer import build_road_layer, edge_state, road_edge_attrs
from network.graph.timing import fill_times
from network.model import Model
from network.routing.paths import many_to_one
from network.scenario.load import load_scenario
from network.sources.default import data_dir
from network.sources.geometry import LineGraph
from network.sources.records import Corridor

# 0.01° of latitude is 1.112 km; at 35° N 0.01° of longitude is 0.911 km
LAT0 = 35.0


def ladder() -> LineGraph:
    """Two parallel east-west roads 0.05° (5.6 km) apart, 0.1° long (9.1 km), joined at both ends:
    nodes 0-1 (south road, lat 35.00), 2-3 (north road, lat 35.05), rungs 0-2 and 1-3."""
    lon = np.array([113.0, 113.1, 113.0, 113.1])
    lat = np.array([35.0, 35.0, 35.05, 35.05])
    pairs = [(0, 1, 9.11), (2, 3, 9.11), (0, 2, 5.56), (1, 3, 5.56)]
    u = np.array([a for a, b, _ in pairs] + [b for a, b, _ in pairs])
    v = np.array([b for a, b, _ in pairs] + [a for a, b, _ in pairs])
    km = np.array([k for *_, k in pairs] * 2)
    return LineGraph(lon=lon, lat=lat, u=u, v=v, length_km=km)


def corridor(cid: str, waypoints: list[list[float]], **extra: Any) -> Corridor:
    return Corridor(
        corridor_id=cid,
        ref="S1",
        name_zh=cid,
        name_en=cid,
        source="test",
        waypoints=tuple((float(a), float(b)) for a, b in waypoints),
        design_speed_kph=100.0,
        **extra,
    )


def test_matcher_follows_the_road_its_waypoints_lie_on():
    # waypoints 0.5 km north of the north road, at its west end, middle and east end
    c = corridor("north", [[35.0545, 113.0], [35.0545, 113.05], [35.0545, 113.1]])
    layer = build_road_layer(ladder(), [c], [], LAT0, 0.25, 1.35)
    m = layer.matches[0]
    assert m.result == "matched"
    owned = {(round(float(layer.lat[layer.u[e]]), 3), round(float(layer.lat[layer.v[e]]), 3)) for e in m.edges}
    assert owned == {(35.05, 35.05)}  # only pieces of the north road, split at the middle waypoint
    assert m.matched_km == pytest.approx(9.1, abs=0.05)
    assert m.max_offset_km == pytest.approx(0.5, abs=0.05)


def test_a_waypoint_far_from_any_road_adds_a_link_with_the_reason():
    c = corridor("far", [[35.05, 113.0], [35.30, 113.05]])  # 28 km north of the geometry
    m = build_road_layer(ladder(), [c], [], LAT0, 0.25, 1.35).matches[0]
    assert m.result == "added as link" and "no road within" in m.reason and not m.edges


def test_a_match_far_from_the_published_length_owns_nothing():
    c = corridor("long", [[35.05, 113.0], [35.05, 113.1]], length_km=30.0)  # 9.1 km matched
    layer = build_road_layer(ladder(), [c], [], LAT0, 0.25, 1.35)
    m = layer.matches[0]
    assert m.result == "added as link" and "published" in m.reason
    assert not any(layer.owners)


def test_published_length_scales_the_owned_edges():
    c = corridor("north", [[35.05, 113.0], [35.05, 113.1]], length_km=10.0)
    layer = build_road_layer(ladder(), [c], [], LAT0, 0.25, 1.35)
    e = layer.matches[0].edges[0]
    attrs = road_edge_attrs([layer.corridors[0]], float(layer.length_km[e]), 0.0, dt.date(2024, 1, 1), Assumptions())
    assert attrs is not None and attrs["length_km"] == pytest.approx(10.0, rel=1e-3)
    assert _minutes(attrs, Assumptions()) == pytest.approx(6.0, rel=1e-3)  # 10 km at 100 km/h


def test_built_up_part_runs_at_the_built_up_speed():
    a = Assumptions()
    layer = build_road_layer(ladder(), [], [(113.0, 35.0, 2.0)], LAT0, 0.25, 1.35)  # a town at node 0
    e = next(i for i in range(layer.u.size) if {int(layer.u[i]), int(layer.v[i])} == {0, 1})
    assert layer.urban_km[e] == pytest.approx(2.0, abs=0.3)
    attrs = road_edge_attrs([], float(layer.length_km[e]), float(layer.urban_km[e]), dt.date(2024, 1, 1), a)
    urban = layer.urban_km[e]
    expect = ((9.11 - urban) / a.unclassified_road_speed_kph + urban / a.built_up_speed_kph) * 60
    assert attrs["road_class"] == "other" and _minutes(attrs, a) == pytest.approx(expect)


def test_edge_state_by_date():
    new = corridor("new", [], opened=dt.date(2020, 9, 23))
    rebuilt = corridor("rebuilt", [], opened=dt.date(2020, 9, 23), upgrades="national")
    national = corridor("g1", [], road_class="national")
    before, after = dt.date(2020, 9, 22), dt.date(2020, 9, 23)
    assert edge_state([new], before) == ("absent", None)  # a new alignment did not exist
    assert edge_state([new], after)[0] == "expressway"
    assert edge_state([rebuilt], before) == ("national", None)  # the older road stays
    assert edge_state([new, national], before)[0] == "national"
    assert edge_state([new, national], after)[1] is new  # the higher class sets the speed
    assert edge_state([], after) == ("other", None)


# -- the default network ------------------------------------------------------------------------
_MODELS: dict[dt.date, Model] = {}


def model_on(date: dt.date) -> Model:
    if date not in _MODELS:
        _MODELS[date] = Model.default(as_of=date)
    return _MODELS[date]


def corridors_with_dates() -> list[dict]:
    doc = yaml.safe_load((data_dir() / "roads.yaml").read_text(encoding="utf-8"))
    first, last = dt.date(2001, 1, 1), dt.date(2026, 1, 1)
    return [c for c in doc["corridors"] if c.get("opened") and first <= c["opened"] <= last]


def owned_ids(m: Model) -> set[str]:
    out: set[str] = set()
    for *_, d in m.graph.edges(data=True):
        if d.get("mode") == "road":
            out.add(d.get("corridor_id") or "")
            out.update(str(d.get("owners") or "").split(","))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("c", corridors_with_dates(), ids=lambda c: c["corridor_id"])
def test_corridor_is_absent_the_day_before_it_opens_and_the_trip_along_it_slower(c):
    day_before, opening = c["opened"] - dt.timedelta(days=1), c["opened"]
    before, after = model_on(day_before), model_on(opening)
    assert c["corridor_id"] not in owned_ids(before)
    assert c["corridor_id"] in owned_ids(after)
    match = next(r for r in after.graph.graph["corridor_matches"] if r["corridor_id"] == c["corridor_id"])
    assert match["result"] in ("matched", "added as link") and (match["result"] == "matched" or match["reason"])
    layer_ends = {m.corridor_id: m.end_nodes for m in _layer_matches(after)}
    s, t = (f"r{n}" for n in layer_ends[c["corridor_id"]])
    minutes = []
    for m in (before, after):
        road = m.compiled("road")
        minutes.append(many_to_one(road, [t]).time_from(s, t))
    assert minutes[0] > minutes[1], f"{c['corridor_id']}: {minutes[0]:.1f} min before, {minutes[1]:.1f} after"


def _layer_matches(m: Model):
    from network.model import _default_inputs

    return _default_inputs(m.assumptions)[3].matches


def test_every_corridor_is_matched_or_added_with_a_reason(model):
    for r in model.graph.graph["corridor_matches"]:
        assert r["result"] in ("matched", "added as link")
        assert r["result"] == "matched" or r["reason"], r["corridor_id"]
        if r["result"] == "matched" and r["published_km"]:
            assert abs(r["matched_km"] - r["published_km"]) <= 0.25 * r["published_km"]


PLACES = ["阳城", "晋城", "陵川", "高平", "沁水", "泽州", "济源", "焦作", "洛阳", "郑州", "新乡", "长治"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cid=st.sampled_from(
        sorted(
            {
                c["corridor_id"]
                for c in yaml.safe_load((data_dir() / "roads.yaml").read_text(encoding="utf-8"))["corridors"]
            }
        )
    ),
    pair=st.tuples(st.sampled_from(PLACES), st.sampled_from(PLACES)).filter(lambda p: p[0] != p[1]),
)
def test_closing_a_corridor_never_makes_a_trip_faster(tmp_path_factory, model, cid, pair):
    path = tmp_path_factory.mktemp("close") / "close.yaml"
    path.write_text(
        f"name: close\ndescription: close {cid}\nsource: test\nchanges:\n"
        f"  - {{type: close, what: corridor, name: {cid}, opened: 2024}}\n",
        encoding="utf-8",
    )
    if cid not in owned_ids(model):
        return  # not open in 2024: nothing to close
    closed = model.with_scenario(load_scenario(path))
    for mode in ("road", "best"):
        assert closed.trip_minutes(*pair, mode=mode) >= model.trip_minutes(*pair, mode=mode) - 1e-9


ENDS = PLACES + ["晋城东站", "郑州站", "郑州东站", "焦作站", "洛阳龙门站", "长治东站", "新乡东站"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=st.tuples(st.sampled_from(ENDS), st.sampled_from(ENDS)).filter(lambda p: p[0] != p[1]))
def test_best_is_never_slower_than_any_mode(model, pair):
    best = model.trip_minutes(*pair, mode="best")
    for mode in ("road", "rail", "transit"):
        assert best <= model.trip_minutes(*pair, mode=mode) + 1e-9, mode


def test_platform_to_platform_trips_have_no_road_leg(model):
    for o, d in (("晋城东站", "郑州东站"), ("郑州站", "焦作站"), ("晋城东站", "洛阳龙门站")):
        trip = model.route(o, d, mode="rail")
        assert trip["measured"] == "platform-to-platform"
        assert not [leg for leg in trip["legs"] if leg["mode"] == "road"]


def test_rail_services_call_only_where_documented():
    doc = yaml.safe_load((data_dir() / "rail_lines.yaml").read_text(encoding="utf-8"))
    lines = {ln["line_id"]: [s["station"] for s in ln["stations"]] for ln in doc["lines"]}
    for svc in doc["services"]:
        if svc["stops"] == "all":
            continue
        line = lines[svc["line"]]
        i0, i1 = line.index(svc["stops"][0]), line.index(svc["stops"][-1])
        skipped = set(line[i0 : i1 + 1]) - set(svc["stops"])
        assert not skipped or svc.get("stops_source"), f"{svc['service_id']} skips {sorted(skipped)} without a source"


@pytest.mark.parametrize("year", [2000, 2002, 2010, 2020, 2022, 2026])
def test_every_place_is_reachable_by_road_in_every_year(year):
    """A corridor that opens later never takes away the only road to a town: where the geometry has
    one road that an expressway and the road before it share, the corridor says it upgrades it."""
    m = model_on(dt.date(year, 12, 31))
    places = m.places(kinds=("county", "district", "city"))
    road = m.compiled("road")
    goal = "place:zhengzhou:arrive"
    to_zhengzhou = many_to_one(road, [goal])
    unreachable = [p for p in places["place_id"] if not np.isfinite(to_zhengzhou.time_from(f"place:{p}", goal))]
    assert not unreachable


def _minutes(attrs, a) -> float:
    """An edge's minutes by its rule (network/graph/timing.py), as a build sets them."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_edge("a", "b", key=0, **attrs)
    fill_times(g, [("a", "b", 0)], a)
    return float(g.edges["a", "b", 0]["time_min"])


def test_closing_a_corridor_hands_a_shared_edge_to_the_next_owner_at_its_own_length(tmp_path):
    """济洛 (G55) and 济洛西 share edges; 济洛西's published length scales the geometry by about
    0.89. Closing G55 there leaves 济洛西 on the edge, at 济洛西's length, not the raw geometry's."""
    model = Model.default(2024)
    g = model.graph
    scale = g.graph["corridor_length_scale"]["jiluoxi"]
    assert abs(scale - 1.0) > 0.05
    shared = [
        (u, v, k)
        for u, v, k, d in g.edges(keys=True, data=True)
        if str(d.get("owners") or "").split(",")[:2] == ["g55_jiluo", "jiluoxi"]
    ]
    assert shared
    path = tmp_path / "close.yaml"
    path.write_text(
        "name: close\ndescription: close G55 济洛\nsource: test\nchanges:\n"
        "  - {type: close, what: corridor, name: g55_jiluo, opened: 2024}\n",
        encoding="utf-8",
    )
    closed = model.with_scenario(load_scenario(path)).graph
    for key in shared:
        d = closed.edges[key]
        assert d["corridor_id"] == "jiluoxi"
        assert d["length_km"] == pytest.approx(g.edges[key]["geometry_km"] * scale, rel=1e-6)
