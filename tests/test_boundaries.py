"""Every network is checked where it comes in, every input is bounded, and no text from a file
can attack whoever reads taihang's outputs (a spreadsheet, a GTFS consumer, a browser)."""

from __future__ import annotations

import bz2
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from network.cli import main
from network.errors import DataError, ScenarioError
from network.tables import csv_text

ROOT = Path(__file__).resolve().parents[1]
OSM = ROOT / "tests" / "fixtures" / "osm"
GMNS = ROOT / "tests" / "fixtures" / "gmns_small"
CLI = [sys.executable, "-c", "from network.cli import main; main()"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def refused(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    assert "taihang: error:" in res.output and "Traceback" not in res.output, res.output
    for n in needles:
        assert n in res.output, res.output


def run_bounded(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a hang fails the test at 20 s instead of stalling the run."""
    t0 = time.perf_counter()
    res = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=20, cwd=cwd)
    assert time.perf_counter() - t0 < 20
    assert "Traceback" not in res.stderr, res.stderr
    return res


# -- networks ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("net") / "n.gpkg"
    res = run("build", "--osm-file", str(OSM / "corridor.osm"), "--places", str(OSM / "places.csv"), "--out", str(out))
    assert res.exit_code == 0, res.output
    return out


def _edited(src: Path, dst: Path, sql: str) -> Path:
    shutil.copy(src, dst)
    with sqlite3.connect(dst) as c:
        # the GeoPackage's triggers call SpatiaLite functions plain SQLite lacks; they only keep an index
        for f in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            c.create_function(f, 1, lambda _g: 0)
        c.execute(sql)
    return dst


@pytest.mark.parametrize(
    "sql, needle",
    [
        ("update road_edges set speed_kph = 0 where fid = 1", "n.gpkg:road_edges/1: speed_kph: 0 km/h"),
        ("update road_edges set speed_kph = -50 where fid = 2", "n.gpkg:road_edges/2: speed_kph: -50 km/h"),
        ("update road_edges set speed_kph = 1e308 where fid = 2", "n.gpkg:road_edges/2: speed_kph: 1e+308 km/h"),
        ("update road_edges set u = 99999 where fid = 3", "n.gpkg:road_edges/3: u: 99999 is not a node"),
        (
            "update road_edges set length_km = 0.001 where fid = 4",
            "n.gpkg:road_edges/4: length_km: 0.001 km is shorter",
        ),
        ("update road_nodes set node = 0 where fid = 2", "n.gpkg:road_nodes: node: an index appears twice"),
        ("update services set headway_min = 0 where fid = 1", "n.gpkg:services/1: headway_min: 0"),
        ("update rail_lines set stations_json = 'garbage' where fid = 1", "n.gpkg:rail_lines: a value cannot be read"),
        (
            "update rail_lines set stations_json = replace(stations_json, '\"km\": 8.0', '\"km\": -8.0') where fid = 1",
            "n.gpkg:rail_lines/1: stations_json: km posts must be numbers that increase",
        ),
        ("update corridors set record_json = '{' where fid = 1", "n.gpkg:corridors: a value cannot be read"),
        (
            "update corridors set record_json = replace(record_json, '\"ref\"', '\"colour\"') where fid = 1",
            "n.gpkg:corridors/1: unknown field(s) colour",
        ),
        (
            'update corridors set record_json = \'{"corridor_id": "x"}\' where fid = 1',
            "n.gpkg:corridors/1: missing field(s) ref, name_zh, name_en, source",
        ),
        (
            "update rail_lines set stations_json = replace(stations_json, '\"opened_to_next\": null', "
            '\'"opened_to_next": "soon"\') where fid = 1',
            "opened_to_next: 'soon' is not a date; expected YYYY-MM-DD",
        ),
        ("update road_edges set rule = 'fixed' where fid = 1", "n.gpkg:road_edges/1: rule: 'fixed' with speed_from"),
    ],
)
def test_a_bad_value_in_a_network_file_is_refused_with_its_layer_and_field(built, tmp_path, sql, needle):
    bad = _edited(built, tmp_path / "n.gpkg", sql)
    res = run("route", "0", "1", "--network", str(bad))
    refused(res, needle.replace("n.gpkg", str(bad)))


def test_a_node_far_from_the_rest_is_refused(built, tmp_path):
    import pyogrio

    nodes = pyogrio.read_dataframe(built, layer="road_nodes")
    from shapely.geometry import Point

    nodes.loc[5, "geometry"] = Point(-70.0, 35.5)  # 10,000 km west
    bad = tmp_path / "n.gpkg"
    shutil.copy(built, bad)
    pyogrio.write_dataframe(nodes, bad, layer="road_nodes", driver="GPKG")
    refused(run("route", "0", "1", "--network", str(bad)), f"{bad}:road_nodes/6: geometry:", "from the middle")


def _gmns(tmp_path: Path, links: str | None = None, nodes: str | None = None) -> Path:
    folder = tmp_path / "g"
    shutil.copytree(GMNS, folder)
    if links is not None:
        (folder / "link.csv").write_text(links, encoding="utf-8")
    if nodes is not None:
        (folder / "node.csv").write_text(nodes, encoding="utf-8")
    return folder


HEADER = "link_id,from_node_id,to_node_id,length,free_speed,directed,lanes,facility_type,name\n"


@pytest.mark.parametrize(
    "links, nodes, needle",
    [
        (HEADER + "1,10,20,6.0,1e308,false,2,motorway,West\n", None, "link.csv:2: free_speed: 1e+308 mph"),
        (HEADER + "1,10,20,6.0,0,false,2,motorway,West\n", None, "link.csv:2: free_speed: 0 mph"),
        (
            HEADER + "1,10,20,6.0,60,false,2,motorway,West\n1,20,30,5.0,30,true,1,primary,\n",
            None,
            "link.csv:3: link_id: '1' appears before",
        ),
        (
            None,
            "node_id,x_coord,y_coord,name\n10,112.80,35.50,W\n20,112.90,35.50,M\n30,112.98,35.50,E\n40,-70.0,35.53,N\n",
            "node.csv:5: x_coord,y_coord: (-70.00000, 35.53000) lies",
        ),
        (HEADER + "1,10,20,0.1,60,false,2,motorway,West\n", None, "link.csv:2: length: 0.1 mi (0.161 km) is shorter"),
    ],
)
def test_a_bad_gmns_value_is_refused_with_its_file_line_and_field(tmp_path, links, nodes, needle):
    folder = _gmns(tmp_path, links, nodes)
    res = run("build", "--gmns", str(folder), "--out", str(tmp_path / "g.gpkg"))
    refused(res, needle)
    assert not (tmp_path / "g.gpkg").exists()


def test_problems_are_reported_all_at_once_and_capped(tmp_path):
    rows = "".join(f"{k},10,20,6.0,{-k},false,2,motorway,x\n" for k in range(1, 101))
    folder = _gmns(tmp_path, HEADER + rows)
    from network.graph.gmns import build_gmns_network

    with pytest.raises(DataError) as err:
        build_gmns_network(folder)
    text = str(err.value)
    assert "100 problem(s)" in text and "… and 80 more" in text
    assert text.count("free_speed:") == 20


def test_osm_ways_cut_by_missing_nodes_are_counted_and_warned_about(tmp_path):
    from network.sources.osm import read_osm_file

    text = (OSM / "corridor.osm").read_text(encoding="utf-8")
    assert read_osm_file(OSM / "corridor.osm").dropped == {
        "way_nodes": 0,
        "ways_cut": 0,
        "ways_dropped": 0,
        "features": 0,
    }
    cut = tmp_path / "cut.osm"
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith('<node id="2"')]  # way 100's 2nd node
    cut.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ex = read_osm_file(cut)
    # node 2 is on the expressway (cut there: 3-4 is kept) and ends a two-node link (left out)
    assert ex.dropped == {"way_nodes": 2, "ways_cut": 1, "ways_dropped": 1, "features": 0}
    assert any("2 node(s) of roads and railways have no valid position" in w for w in ex.warnings)


@pytest.mark.parametrize("suffix", [".osm.bz2", ".osm.gz"])
def test_a_decompression_bomb_is_refused_quickly(tmp_path, suffix):
    zeros = b"<osm>" + b"\0" * (200 << 20)  # 200 MB of nothing in a file of a few kB
    bomb = tmp_path / f"bomb{suffix}"
    bomb.write_bytes(bz2.compress(zeros) if suffix.endswith("bz2") else gzip.compress(zeros))
    assert bomb.stat().st_size < 300_000
    t0 = time.perf_counter()
    refused(run("build", "--osm-file", str(bomb), "--out", str(tmp_path / "b.gpkg")), "expands to more than")
    assert time.perf_counter() - t0 < 10


def test_a_cached_network_is_read_only_if_it_is_the_users_own_and_whole(tmp_path, monkeypatch):
    import dataclasses
    import datetime as dt

    from network.assumptions import Assumptions
    from network.graph import network_cache
    from network.model import Model

    monkeypatch.delenv("TAIHANG_NO_CACHE", raising=False)
    monkeypatch.setenv("TAIHANG_CACHE_DIR", str(tmp_path / "cache"))
    net = Model.default(year=2024).network
    a = Assumptions()
    key = network_cache.key(dt.date(2024, 12, 31), a)

    def inputs():
        return net.data, net.roads

    network_cache.store(net, key)
    path = tmp_path / "cache" / "networks" / f"default-{key}.npz"
    assert network_cache.load(key, a, inputs) is not None
    os.chmod(path, 0o666)  # anyone could have written it: another user's network could answer wrongly
    assert network_cache.load(key, a, inputs) is None
    os.chmod(path, 0o644)
    times = net.edge_table.time_min.copy()
    times[3] = np.nan
    broken = dataclasses.replace(net, edge_table=dataclasses.replace(net.edge_table, time_min=times))
    path.write_bytes(network_cache.to_bytes(broken))
    assert network_cache.load(key, a, inputs) is None  # rebuilt, not used


# -- bounded inputs ------------------------------------------------------------------------------
def test_fifos_and_devices_are_refused_without_waiting(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (
        ["score", "--network", str(fifo)],
        ["validate-times", str(fifo)],
        ["validate-times", "/dev/zero"],
        ["validate", str(fifo)],
        ["check", "/dev/zero"],
    ):
        res = run_bounded(*args)
        assert res.returncode == 2 and "not a regular file" in res.stderr, (args, res.stderr)


def test_a_huge_scenario_is_refused_in_one_line_quickly(tmp_path):
    head = "name: big\ndescription: d\nsource: s\nchanges:\n"
    change = (
        "  - {type: add_road, id: r%d, name_zh: 路, name_en: r, waypoints: [阳城, 晋城], design_speed_kph: 80, "
        "opened: 2030}\n"
    )
    body, k = [], 0
    while sum(map(len, body)) < 900_000:
        body.append(change % k)
        k += 1
    f = tmp_path / "big.yaml"
    f.write_text(head + "".join(body), encoding="utf-8")
    res = run_bounded("validate", str(f))
    assert res.returncode == 2 and "at most 200" in res.stderr
    assert len(res.stderr) < 2_000


def test_printed_problems_are_capped(tmp_path):
    head = "name: many\ndescription: d\nsource: s\nchanges:\n"
    bad = "".join(f"  - {{type: add_road, id: r{k}, bogus{k}: 1}}\n" for k in range(150))
    f = tmp_path / "many.yaml"
    f.write_text(head + bad, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        from network.scenario.load import load_scenario

        load_scenario(f)
    assert len(err.value.problems) > 300
    assert len(str(err.value).splitlines()) == 22  # the head, 20 problems and "… and K more"
    res = run("validate", str(f))
    assert res.exit_code == 2 and len(res.output.splitlines()) == 22


def test_repeated_figures_are_refused(tmp_path):
    f = tmp_path / "f.csv"
    row = "阳城,济源,road,2021,km,59.788,25%,x\n"
    f.write_text("origin,destination,mode,year,measure,value,tolerance,source\n" + row + row, encoding="utf-8")
    refused(run("validate-times", str(f)), "f.csv:3: the figure of line 2 again")


def test_claim_edge_cases_are_clean(tmp_path):
    (tmp_path / "claims").mkdir()
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    text = (ROOT / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    empty = tmp_path / "claims" / "empty.yaml"
    empty.write_text(text.replace("threshold_min: 60", "threshold_min: []"), encoding="utf-8")
    refused(run("check", str(empty)), "threshold_min")
    route = (ROOT / "claims" / "no_expressway_to_hebi_anyang.yaml").read_text(encoding="utf-8")
    point = tmp_path / "claims" / "point.yaml"
    point.write_text(route.replace("  - {place: 安阳东站}", '  - {place: "114.35,36.1"}'), encoding="utf-8")
    res = run("check", str(point))
    assert res.exit_code == 0 and "114.35,36.1" in res.output, res.output
    long_path = tmp_path / ("a" * 300 + ".yaml")
    for args in (["validate", str(long_path)], ["check", str(long_path)], ["compare", str(long_path)]):
        refused(run(*args))


# -- text ----------------------------------------------------------------------------------------
CARD = (
    "name: t\ndescription: {desc}\nsource: s\nchanges:\n"
    "  - {{type: add_road, id: r, name_zh: {name}, name_en: r, waypoints: [阳城, 晋城], design_speed_kph: 80, "
    "opened: 2030}}\n"
)


@pytest.mark.parametrize(
    "name, desc, needle",
    [
        ('"路\\n=cmd"', "d", "holds a newline"),
        ('"路\\u202e"', "d", "bidirectional control (U+202E)"),
        ('"路\\e[2J"', "d", "control character (U+001B)"),
        ("路", '"d\\u2066"', "bidirectional control (U+2066)"),
    ],
)
def test_names_with_control_or_bidi_characters_are_refused_in_cards(tmp_path, name, desc, needle):
    f = tmp_path / "c.yaml"
    f.write_text(CARD.format(name=name, desc=desc), encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(needle)):
        from network.scenario.load import load_scenario

        load_scenario(f)


def test_names_with_control_characters_are_refused_in_claims(tmp_path):
    from network.analysis.claims import load_claim

    text = (ROOT / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "claims").mkdir()
    f = tmp_path / "claims" / "c.yaml"
    f.write_text(text.replace("{place: 郑州,", '{place: "郑州\\r\\n=1+1",'), encoding="utf-8")
    with pytest.raises(ScenarioError, match="holds a newline"):
        load_claim(f)


def test_csv_text_cells_cannot_start_a_formula():
    import pandas as pd

    df = pd.DataFrame({"name": ['=HYPERLINK("x")', "+1", "-a", "@b", "\tc", "阳城"], "minutes": [-1.5, 2, 3, 4, 5, 6]})
    lines = csv_text(df).splitlines()
    assert lines[1] == '"\'=HYPERLINK(""x"")",-1.5'
    assert [ln.split(",")[0] for ln in lines[2:]] == ["'+1", "'-a", "'@b", "'\tc", "阳城"]
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_text(pd.DataFrame({"t": [" \r=cmd()"], "n": [1]})))))
    assert rows == [["t", "n"], [" \n=cmd()", "1"]]  # a lone CR cannot start a row of its own


def test_a_hostile_place_name_reaches_no_output_as_code(tmp_path):
    places = tmp_path / "places.csv"
    rows = (
        (OSM / "places.csv").read_text(encoding="utf-8").replace("西镇", '=HYPERLINK("<img src=x onerror=alert(1)>")')
    )
    places.write_text(rows, encoding="utf-8")
    net = tmp_path / "n.gpkg"
    assert (
        run("build", "--osm-file", str(OSM / "corridor.osm"), "--places", str(places), "--out", str(net)).exit_code == 0
    )
    res = run("matrix", "--network", str(net), "--out", str(tmp_path / "m.csv"))
    assert res.exit_code == 0, res.output
    assert "\n=HYPERLINK" not in (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert ",\"'=HYPERLINK" in (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert run("map", "--network", str(net), "--target", "East Town", "--out", str(tmp_path / "m.html")).exit_code == 0
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x" in html
    bad = tmp_path / "bad.csv"
    bad.write_text((OSM / "places.csv").read_text(encoding="utf-8").replace("西镇", "西\u202e镇"), encoding="utf-8")
    refused(
        run("build", "--osm-file", str(OSM / "corridor.osm"), "--places", str(bad), "--out", str(tmp_path / "x.gpkg")),
        "bad.csv:2: name: holds a bidirectional control",
    )


def test_gtfs_fields_are_one_line():
    from network.graph.gtfs import _csv

    text = _csv(["route_long_name"], [["晋城\n郑州\u202e"], ["a\r\nb"]])
    assert text == "route_long_name\n晋城 郑州\na  b\n"
