"""Scenario files: validation messages, composition, application properties, the shipped library."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.errors import ScenarioError
from network.graph.network import Network
from network.model import Model
from network.routing.compile import build_edge_table, compile_edges
from network.routing.paths import many_to_one
from network.scenario.apply import apply_scenario
from network.scenario.load import EMPTY, load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
HEAD = "name: t\ndescription: test\nsource: a test\n"


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def model2030():
    from network.model import Model

    return Model.default(year=2030)


def place_times(model, target: str = "place:luoyang:arrive", mode: str = "best") -> np.ndarray:
    model = Model(model) if isinstance(model, Network) else model
    c = model.compiled(mode)
    m = many_to_one(c, [target])
    rows = [c.index[f"place:{p}"] for p in model.places()["place_id"]]
    return m.time_min[0, rows]


# -- one valid file per change type ----------------------------------------------------------------
VALID = {
    "add_rail_line": """
      - type: add_rail_line
        id: l1
        name_zh: 线
        name_en: line
        mode: hsr
        stations: [晋城东, {id: newst, name_zh: 新站, name_en: New, lon: 112.6, lat: 35.3, via: [[112.8, 35.4]]}]
        design_speed_kph: 250
        services: [{id: s1, headway_min: 60, continues_on: {line: 郑太高铁, stops: [焦作, 郑州]}}]
        opened: 2028""",
    "add_road": """
      - {type: add_road, id: r1, name_zh: 路, name_en: road, road_class: expressway,
         waypoints: [阳城县, [112.6, 35.3], 济源], design_speed_kph: 120, lanes: 4, opened: 2028}""",
    "upgrade_road": """
      - {type: upgrade_road, corridor: G55, design_speed_kph: 120, opened: 2028}""",
    "add_service": """
      - {type: add_service, line: 侯月铁路, id: hy, stops: [阳城, 晋城北], headway_min: 120, opened: 2028}""",
    "change_service": """
      - {type: change_service, service: zhengtai_trains, headway_min: 30, opened: 2028}""",
    "add_airport": """
      - {type: add_airport, id: ap, iata: JIC, name_zh: 机场, name_en: airport, lon: 112.84, lat: 35.42,
         routes: [{to: CGO, block_min: 40, headway_min: 240}], opened: 2028}""",
    "add_bus_service": """
      - {type: add_bus_service, id: b1, name_zh: 公交, name_en: bus, stops: [阳城县, 济源, 洛阳], headway_min: 60,
         opened: 2028}""",
    "add_freight_facility": """
      - {type: add_freight_facility, id: f1, name_zh: 货场, name_en: yard, opened: 2028}""",
    "close": """
      - {type: close, what: line, name: 郑太高铁, between: [焦作, 晋城东], opened: 2028}""",
}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_one_valid_file_per_change_type(kind, tmp_path, model2030):
    sc = load_scenario(write(tmp_path, HEAD + "changes:" + VALID[kind]))
    assert [c.change.type for c in sc.changes] == [kind]
    out, report = apply_scenario(model2030.network, sc)
    assert report.applied and not report.skipped
    if kind not in ("add_freight_facility",):
        assert report.added_edges or report.changed_edges or report.removed_edges
    Model(out).score(["洛阳"])  # the changed network still scores


# -- physically impossible values, found when the change meets the network ------------------------
IMPOSSIBLE = [
    (
        "rail shorter than the straight line",
        """
      - {type: add_rail_line, id: l1, name_zh: 线, name_en: line, mode: hsr, stations: [晋城东, 郑州],
         length_km: 0.001, design_speed_kph: 250, services: [{id: s1, headway_min: 60}], opened: 2028}""",
        "shorter than the",
    ),
    (
        "rail far longer than the straight line",
        """
      - {type: add_rail_line, id: l1, name_zh: 线, name_en: line, mode: hsr, stations: [晋城东, 郑州],
         length_km: 4000, design_speed_kph: 250, services: [{id: s1, headway_min: 60}], opened: 2028}""",
        "more than 3 x",
    ),
    (
        "road shorter than the straight line",
        """
      - {type: add_road, id: r1, name_zh: 路, name_en: road, road_class: expressway, length_km: 1,
         waypoints: [阳城县, 济源], design_speed_kph: 100, opened: 2028}""",
        "a road is at least that long",
    ),
    (
        "air faster than an airliner",
        """
      - {type: add_airport, id: ap, iata: JIC, name_zh: 机场, name_en: airport, lon: 112.84, lat: 35.42,
         routes: [{to: CGO, block_min: 1, headway_min: 240}], opened: 2028}""",
        "faster than an airliner",
    ),
]


@pytest.mark.parametrize("label,body,message", IMPOSSIBLE, ids=[i[0] for i in IMPOSSIBLE])
def test_physically_impossible_changes_are_refused(tmp_path, model2030, label, body, message):
    sc = load_scenario(write(tmp_path, HEAD + "changes:" + body))
    with pytest.raises(ScenarioError) as err:
        apply_scenario(model2030.network, sc)
    assert message in str(err.value) and "length_km" in str(err.value) or "block_min" in str(err.value)


# -- one invalid file per rule, with the message and the line ------------------------------------
INVALID = [
    (
        "unknown key",
        "changes:\n  - {type: close, what: line, name: x, opened: 2028, colour: red}\n",
        5,
        "unknown field 'colour'",
    ),
    ("unknown type", "changes:\n  - type: add_rali_line\n    id: x\n", 5, "unknown change type 'add_rali_line'"),
    ("missing type", "changes:\n  - id: x\n", 5, "needs a 'type'"),
    (
        "missing field",
        "changes:\n  - type: add_freight_facility\n    id: f\n    name_zh: a\n    name_en: b\n",
        5,
        "opened: required field is missing",
    ),
    (
        "wrong type",
        "changes:\n  - {type: add_service, line: a, id: s, headway_min: lots, opened: 2028}\n",
        5,
        "headway_min: Input should be a valid number",
    ),
    (
        "negative speed",
        "changes:\n  - type: upgrade_road\n    corridor: G55\n    design_speed_kph: -5\n    opened: 2028\n",
        7,
        "greater than or equal to 20",
    ),
    (
        "tiny speed",
        "changes:\n  - {type: upgrade_road, corridor: G55, design_speed_kph: 1e-12, opened: 2028}\n",
        5,
        "greater than or equal to 20",
    ),
    (
        "tiny headway",
        "changes:\n  - {type: add_service, line: a, id: s, stops: [a, b], headway_min: 1e-12, opened: 2028}\n",
        5,
        "headway_min: Input should be greater than or equal to 2",
    ),
    (
        "planned before the network's years",
        "changes:\n  - {type: add_freight_facility, id: f, name_zh: a, name_en: b, opened: 1990}\n",
        5,
        "greater than or equal to 2000",
    ),
    (
        "nan",
        "changes:\n  - {type: upgrade_road, corridor: G55, design_speed_kph: .nan, opened: 2028}\n",
        5,
        "finite number",
    ),
    (
        "bad enum",
        "changes:\n  - {type: add_road, id: r, name_zh: a, name_en: b, road_class: motorway,\n"
        "     waypoints: [[112.5, 35.3], [112.6, 35.3]], design_speed_kph: 80, opened: 2028}\n",
        5,
        "road_class: Input should be 'expressway'",
    ),
    (
        "passenger line without services",
        "changes:\n  - {type: add_rail_line, id: l, name_zh: a, name_en: b, mode: hsr,"
        " stations: [晋城东, 郑州], design_speed_kph: 250, opened: 2030}\n",
        5,
        "needs at least one entry in 'services'",
    ),
    (
        "assumed names a non-field",
        "changes:\n  - {type: add_freight_facility, id: f, name_zh: a, name_en: b,"
        " opened: 2028, assumed: {speed: x}}\n",
        5,
        "'assumed' names ['speed']",
    ),
    ("duplicate key", "name: u\n", 4, "key given twice"),
    ("alias", "changes: &a []\nextra: *a\n", 4, "anchors and aliases"),
    (
        "year out of range",
        "changes:\n  - {type: add_freight_facility, id: f, name_zh: a, name_en: b, opened: 1800}\n",
        5,
        "greater than or equal to 2000",
    ),
]


@pytest.mark.parametrize("label,body,line,message", INVALID, ids=[i[0] for i in INVALID])
def test_invalid_files_name_line_field_and_fix(tmp_path, label, body, line, message):
    path = write(tmp_path, HEAD + body)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert message in text, text
    assert f"{path}:{line}:" in text, text


def test_every_problem_is_reported_at_once(tmp_path):
    body = (
        "changes:\n  - {type: upgrade_road, corridor: G55, design_speed_kph: -1, opened: 2028}\n"
        "  - {type: add_rali_line}\n  - {type: close, what: bridge, name: x, opened: 2028}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, HEAD + body))
    assert len(err.value.problems) == 3


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_unreadable_files(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, text))


def test_unknown_names_suggest_close_matches(tmp_path, model2030):
    sc = load_scenario(
        write(
            tmp_path,
            HEAD + "changes:\n  - {type: add_service, line: 侯月铁路, id: s,"
            " stops: [阳成, 晋城北], headway_min: 60, opened: 2028}\n",
        )
    )
    with pytest.raises(ScenarioError) as err:
        apply_scenario(model2030.network, sc)
    assert "unknown station '阳成'" in str(err.value) and "did you mean" in str(err.value)
    assert ":5: stops[0]: unknown station" in str(err.value)


# -- composition -----------------------------------------------------------------------------------
def test_cycles_and_missing_includes_are_errors(tmp_path):
    write(tmp_path, HEAD.replace("t\n", "a\n") + "extends: b.yaml\n", "a.yaml")
    write(tmp_path, HEAD.replace("t\n", "b\n") + "includes: [a.yaml]\n", "b.yaml")
    with pytest.raises(ScenarioError, match="composition cycle: a.yaml -> b.yaml -> a.yaml"):
        load_scenario(tmp_path / "a.yaml")
    with pytest.raises(ScenarioError, match="no file 'nope.yaml'"):
        load_scenario(write(tmp_path, HEAD + "includes: [nope.yaml]\n", "c.yaml"))


def test_conflicting_ids_are_errors_but_a_shared_file_counts_once(tmp_path):
    fac = "changes:\n  - {type: add_freight_facility, id: f, name_zh: a, name_en: b, opened: 2028}\n"
    write(tmp_path, HEAD.replace("t\n", "x\n") + fac, "x.yaml")
    write(tmp_path, HEAD.replace("t\n", "y\n") + fac, "y.yaml")
    with pytest.raises(ScenarioError, match="id 'f' is also added"):
        load_scenario(write(tmp_path, HEAD + "includes: [x.yaml, y.yaml]\n", "p.yaml"))
    write(tmp_path, HEAD.replace("t\n", "p1\n") + "includes: [x.yaml]\n", "p1.yaml")
    write(tmp_path, HEAD.replace("t\n", "p2\n") + "includes: [x.yaml]\n", "p2.yaml")
    both = load_scenario(write(tmp_path, HEAD + "includes: [p1.yaml, p2.yaml]\n", "both.yaml"))
    assert len(both.changes) == 1 and both.is_package


# -- application properties ----------------------------------------------------------------------
def test_empty_scenario_changes_nothing(model2030):
    out, report = apply_scenario(model2030.network, EMPTY)
    assert not (report.added_edges or report.changed_edges or report.removed_edges)
    np.testing.assert_array_equal(place_times(out), place_times(model2030))


@pytest.mark.parametrize("source", ["both_plans.yaml", "change_service", "without_jiaozuo_taiyuan_hsr.yaml"])
def test_incremental_arrays_equal_a_full_rebuild(model2030, tmp_path, source):
    if source == "change_service":
        sc = load_scenario(write(tmp_path, HEAD + "changes:" + VALID["change_service"] + "\n"))
    else:
        sc = load_scenario(SCENARIOS[0].parent / source)
    out, _ = apply_scenario(model2030.network, sc)
    full = compile_edges(build_edge_table(out.graph), "best")
    c = Model(out).compiled("best")
    for target in ("place:zhengzhou:arrive", "place:luoyang:arrive"):
        a = many_to_one(c, [target]).time_min[0]
        b = many_to_one(full, [target]).time_min[0]
        ids = Model(out).places()["place_id"]
        np.testing.assert_allclose([a[c.index[f"place:{p}"]] for p in ids], [b[full.index[f"place:{p}"]] for p in ids])


@pytest.mark.parametrize(
    ("source", "shares"),
    [
        ("yangcheng_yangyun_expressway.yaml", ["rail_platform", "transit_platform"]),  # roads only: trains alone
        ("jincheng_houma_hsr.yaml", []),  # new stations with road access: every mode changes
        ("both_plans.yaml", []),
    ],
)
def test_searches_shared_with_the_base_equal_fresh_ones(model2030, source, shares):
    """A scenario's model reuses the base's searches for the modes no change touches; its scores
    must equal those of a model of the same network searched from scratch."""
    sc = load_scenario(SCENARIOS[0].parent / source)
    shared = model2030.with_scenario(sc)
    fresh = Model(shared.network)
    modes = ("road", "rail", "transit", "best", "rail_platform", "transit_platform")
    assert [m for m in modes if shared.trips._inherited(m)] == shares
    assert not [m for m in modes if fresh.trips._inherited(m)]
    a, b = shared.score(["郑州", "洛阳"])[0], fresh.score(["郑州", "洛阳"])[0]
    pd.testing.assert_frame_equal(a, b)


PLACES = ["阳城县", "沁水县", "陵川县", "高平市", "城区", "泽州县", "济源", "洛阳", "郑州", "焦作", "垣曲县", "修武县"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.sampled_from(PLACES), b=st.sampled_from(PLACES), speed=st.floats(40, 120), year=st.just(2030))
def test_adding_a_road_never_makes_a_trip_slower_nor_mutates_the_base(tmp_path_factory, model2030, a, b, speed, year):
    if a == b:
        return
    tmp = tmp_path_factory.mktemp("add")
    body = (
        f"changes:\n  - {{type: add_road, id: r, name_zh: a, name_en: b, road_class: expressway,"
        f" waypoints: [{a}, {b}], design_speed_kph: {speed}, opened: {year}}}\n"
    )
    before_edges = model2030.graph.number_of_edges()
    before = place_times(model2030)
    table_before = model2030.edge_table.time_min.copy()
    out, _ = apply_scenario(model2030.network, load_scenario(write(tmp, HEAD + body)))
    assert np.all(place_times(out) <= before + 1e-9)
    assert model2030.graph.number_of_edges() == before_edges
    np.testing.assert_array_equal(model2030.edge_table.time_min, table_before)
    np.testing.assert_array_equal(place_times(model2030), before)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    what=st.sampled_from(
        [
            ("corridor", "G55"),
            ("corridor", "阳济高速"),
            ("corridor", "新晋高速"),
            ("line", "郑太高铁"),
            ("line", "郑西高铁"),
            ("service", "zhengtai_trains"),
        ]
    )
)
def test_closing_never_makes_a_trip_faster(tmp_path_factory, model2030, what):
    tmp = tmp_path_factory.mktemp("close")
    body = f"changes:\n  - {{type: close, what: {what[0]}, name: {what[1]}, opened: 2020}}\n"
    out, _ = apply_scenario(model2030.network, load_scenario(write(tmp, HEAD + body)))
    for target in ("place:zhengzhou:arrive", "place:luoyang:arrive"):
        assert np.all(place_times(out, target) >= place_times(model2030, target) - 1e-9)


def _jincheng_rail_to(model, target: str) -> float:
    per, _ = model.score([target])
    key = model.resolve(target).key
    return float(per.loc[per["name_zh"] == "城区", f"{key}_rail_min"].iloc[0])


def test_direction_checks(model2030):
    d = SCENARIOS[0].parent
    without_hsr = model2030.with_scenario(load_scenario(d / "without_jiaozuo_taiyuan_hsr.yaml"))
    assert _jincheng_rail_to(without_hsr, "郑州") > _jincheng_rail_to(model2030, "郑州")
    link = model2030.with_scenario(load_scenario(d / "henan_west_hsr_link.yaml"))
    assert _jincheng_rail_to(link, "洛阳") <= _jincheng_rail_to(model2030, "洛阳")
    new = link.route("晋城东站", "洛阳龙门站", mode="rail")["minutes"]
    assert new < model2030.route("晋城东站", "洛阳龙门站", mode="rail")["minutes"] - 20
    no_yangji = model2030.with_scenario(load_scenario(d / "without_yangji_expressway.yaml"))
    yc = model2030.places()["name_zh"].tolist().index("阳城县")
    assert place_times(no_yangji, mode="road")[yc] > place_times(model2030, mode="road")[yc]


# -- the shipped library -------------------------------------------------------------------------
def test_there_is_a_scenario_for_every_project_and_packages():
    names = {p.stem for p in SCENARIOS}
    for needed in (
        "jincheng_hebi_hsr",
        "jincheng_houma_hsr",
        "henan_west_hsr_link",
        "jincheng_plan",
        "yangcheng_plan",
        "without_jiaozuo_taiyuan_hsr",
        "without_yangji_expressway",
        "without_xinjin_expressway",
        "luoyang_yangcheng_bus",
        "houyue_passenger",
        "jinxin_second_corridor",
        "jinjiao_second_corridor",
        "jinlin_expressway",
        "exit_trunk_class1",
        "tourism_coach_loop",
        "cross_border_coaches",
        "jincheng_logistics_hubs",
        "qinhe_tourist_road",
        "taihang_one_yangcheng",
        "yangcheng_county_roads",
        "yangcheng_passenger_hub",
    ):
        assert needed in names


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_validates_and_scores(path, model2030):
    from network.model import Model

    sc = load_scenario(path)
    year = max([2030] + [c.change.opened for c in sc.changes])
    base = model2030 if year == 2030 else Model.default(year=year)
    out, report = apply_scenario(base.network, sc)
    assert not report.skipped
    per, _ = Model(out).score(["郑州", "洛阳"])
    assert np.isfinite(per["zhengzhou_best_min"]).all()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and sc.source  # the plan passage is quoted


# -- fuzzing the loader ----------------------------------------------------------------------------
VALID_TEXT = HEAD + "changes:" + VALID["add_road"] + "\n"
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.text(max_size=300),
        yaml_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
        st.tuples(st.integers(0, len(VALID_TEXT)), st.text(max_size=12)).map(
            lambda t: VALID_TEXT[: t[0]] + t[1] + VALID_TEXT[t[0] :]
        ),
        st.integers(1, 60).map(lambda n: HEAD + "changes: " + "[" * n + "]" * n),
        st.dictionaries(
            st.sampled_from(["name", "description", "source", "changes", "includes", "extends"]),
            yaml_values,
            max_size=6,
        ).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    )
)
def test_fuzzed_files_end_in_a_scenario_error_or_a_scenario(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(data, encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError as err:
        assert err.problems and all(isinstance(p, str) and p for p in err.problems)
    else:
        assert sc.name


def test_deep_nesting_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="nesting"):
        load_scenario(write(tmp_path, HEAD + "changes: " + "[" * 500 + "]" * 500 + "\n"))


def test_huge_numbers_are_rejected_cleanly(tmp_path):
    body = "changes:\n  - {type: upgrade_road, corridor: G55, design_speed_kph: 1e400, opened: 2028}\n"
    with pytest.raises(ScenarioError, match="design_speed_kph"):
        load_scenario(write(tmp_path, HEAD + body))
    assert math.isinf(float("1e400"))


def test_every_change_type_has_exactly_one_handler(model2030):
    import typing

    from network.scenario.apply import _Applier
    from network.scenario.schema import Change

    union = typing.get_args(Change)[0]
    types = {typing.get_args(cls.model_fields["type"].annotation)[0] for cls in typing.get_args(union)}
    assert set(_Applier(model2030.network, EMPTY).handlers) == types


def test_the_working_copy_equals_the_base_and_edits_stay_in_it(model2030):
    """The copy shares node and edge attribute dicts with the base (fast), so every edit must go through
    the applier's own helpers, which put new dicts in place: after a scenario that re-times,
    removes and adds edges, the base graph is exactly as before."""
    import networkx as nx

    from network.scenario.applier import _copy

    g = _copy(model2030.graph)
    assert nx.utils.graphs_equal(g, model2030.graph)
    assert dict(g.graph) == dict(model2030.graph.graph)
    u, v, k = next(iter(g.edges(keys=True)))
    g.add_node(u, name_zh="changed")  # as the builders do: a new attribute dict, not a write into the shared one
    g.remove_edge(u, v, k)
    assert model2030.graph.has_edge(u, v, k) and model2030.graph.nodes[u].get("name_zh") != "changed"
    snapshot = {(a, b, key): dict(d) for a, b, key, d in model2030.graph.edges(keys=True, data=True)}
    nodes = {n: dict(d) for n, d in model2030.graph.nodes(data=True)}
    for name in ("both_plans.yaml", "without_jiaozuo_taiyuan_hsr.yaml", "without_xinjin_expressway.yaml"):
        out, report = apply_scenario(model2030.network, load_scenario(SCENARIOS[0].parent / name))
        assert report.changed_edges or report.removed_edges
        for key in report.changed_edges:
            assert out.graph.edges[key] is not model2030.graph.edges[key]
    after = {(a, b, key): dict(d) for a, b, key, d in model2030.graph.edges(keys=True, data=True)}
    assert after == snapshot
    assert {n: dict(d) for n, d in model2030.graph.nodes(data=True)} == nodes


def test_plan_packages_hold_no_what_if_and_what_ifs_say_so():
    root = Path(__file__).resolve().parents[1] / "scenarios"
    for pkg in ("jincheng_plan", "yangcheng_plan", "both_plans"):
        sc = load_scenario(root / f"{pkg}.yaml")
        leaves = [c for c in sc.components]
        while any(c.components for c in leaves):
            leaves = [x for c in leaves for x in (c.components or [c])]
        assert leaves and not [c.name for c in leaves if c.what_if], pkg
    assert load_scenario(root / "houyue_passenger.yaml").what_if


def test_serves_names_an_unknown_place_with_file_and_line(tmp_path, model):
    from network.analysis.compare import compare
    from network.errors import LookupFailed

    f = tmp_path / "s.yaml"
    f.write_text("name: s\ndescription: d\nsource: x\nserves: [鹤壁, 不存在的地方]\nchanges: []\n", encoding="utf-8")
    with pytest.raises(LookupFailed, match=r"s\.yaml:4: serves: .*不存在的地方"):
        compare(model, [load_scenario(f)], ["郑州"], decompose=False, workers=1)
