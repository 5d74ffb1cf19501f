"""GMNS in: a network read exactly as given, routed between its nodes, and checked against
AequilibraE's own path engine on the Sioux Falls model it ships."""

from __future__ import annotations

import io
import shutil
import sqlite3
import struct
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from network.cli import main
from network.errors import DataError
from network.graph.gmns import build_gmns_network
from network.model import Model
from network.routing.matrix import od_minutes

FIXTURE = Path(__file__).parent / "fixtures" / "gmns_small"


def _node_minutes(model: Model, ids: list[str]) -> np.ndarray:
    nodes = [model.resolve(f"node:{i}").origin_node for i in ids]
    return od_minutes(model.compiled("road"), nodes, nodes)


def test_the_fixture_routes_on_its_own_lengths_speeds_and_directions():
    model = Model.from_network(build_gmns_network(FIXTURE), year=2025)
    t = _node_minutes(model, ["10", "20", "30", "40"])
    # miles at mph: 6 mi @ 60 = 6 min both ways; 5 @ 30 = 10 one way; 4 @ 40 = 6 one way; 12 @ 60 = 12 both ways
    want = np.array(
        [
            [0, 6, 16, 12],
            [6, 0, 10, 16],
            [18, 24, 0, 6],
            [12, 18, 28, 0],
        ],
        dtype=float,
    )
    np.testing.assert_allclose(t, want, atol=1e-9)
    km = {d["length_km"] for *_, d in model.graph.edges(data=True) if d["kind"] == "link"}
    assert any(abs(k - 6 * 1.609344) < 1e-9 for k in km)  # the file's length, not the 9.0 km between the points


def test_cli_build_from_gmns_and_route_between_nodes(tmp_path):
    out = tmp_path / "g.gpkg"
    runner = CliRunner()
    res = runner.invoke(main, ["build", "--gmns", str(FIXTURE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "as given" in res.output and "no places: give --places FILE" in res.output
    res = runner.invoke(main, ["route", "node:30", "node:20", "--mode", "road", "--network", str(out), "--json"])
    assert res.exit_code == 0, res.output
    import json

    assert json.loads(res.output)["minutes"] == pytest.approx(24.0)


def test_bad_gmns_files_are_named_with_line_and_field(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURE, bad)
    (bad / "config.csv").unlink()
    with pytest.raises(DataError, match=r"config\.csv: missing; .*--gmns-units"):
        build_gmns_network(bad)
    text = (FIXTURE / "link.csv").read_text().replace("2,20,30,5.0,30", "2,20,99,5.0,-3")
    (bad / "link.csv").write_text(text)
    with pytest.raises(DataError) as err:
        build_gmns_network(bad, units=("mi", "mph"))
    msg = str(err.value)
    assert "link.csv:3: to_node_id: '99' is not a node_id" in msg
    assert "link.csv:3: free_speed: -3 mph (-4.8 km/h); a road's free-flow speed lies between 1 and 200 km/h" in msg


def _aequilibrae_model(tmp_path: Path, name: str, link_columns: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links and nodes of a model AequilibraE ships (``name``.zip), read from its project database."""
    ref = Path(pytest.importorskip("aequilibrae").__file__).parent / "reference_files" / f"{name}.zip"
    zipfile.ZipFile(ref).extractall(tmp_path / name)
    with sqlite3.connect(tmp_path / name / "project_database.sqlite") as c:
        links = pd.read_sql(f"select {link_columns} from links", c)
        nodes = pd.read_sql("select node_id, is_centroid, geometry from nodes", c)
    # a SpatiaLite point blob: its bounding box starts at byte 6 (min x, min y: the point itself)
    nodes["x"] = [struct.unpack("<d", b[6:14])[0] for b in nodes["geometry"]]
    nodes["y"] = [struct.unpack("<d", b[14:22])[0] for b in nodes["geometry"]]
    return links, nodes


def _aequilibrae_skim(links: pd.DataFrame, nodes: pd.DataFrame, cost: str) -> tuple[np.ndarray, list[int]]:
    """AequilibraE's own engine on its own network: the zone-to-zone skim of ``cost`` and the zones."""
    from aequilibrae.paths import Graph, NetworkSkimming

    g = Graph()
    g.network = links[["link_id", "a_node", "b_node", "direction", cost]].copy()
    g.prepare_graph(nodes.loc[nodes["is_centroid"] == 1, "node_id"].to_numpy())
    g.set_graph(cost)
    g.set_skimming([cost])
    g.set_blocked_centroid_flows(False)
    skim = NetworkSkimming(g)
    skim.execute()
    return skim.results.skims.get_matrix(cost), list(skim.results.skims.index)


def _gmns_from(folder: Path, nodes: pd.DataFrame, links: pd.DataFrame, **columns: object) -> Path:
    """The AequilibraE network written as GMNS (lengths in metres as AequilibraE has them), with
    the link ``columns`` given (free_speed and the direction field)."""
    folder.mkdir()
    pd.DataFrame({"length_units": ["m"], "speed_units": ["kph"]}).to_csv(folder / "config.csv", index=False)
    nodes[["node_id"]].assign(x_coord=nodes["x"], y_coord=nodes["y"]).to_csv(folder / "node.csv", index=False)
    pd.DataFrame(
        {
            "link_id": links["link_id"],
            "from_node_id": links["a_node"],
            "to_node_id": links["b_node"],
            "length": links["distance"],
            **columns,
        }
    ).to_csv(folder / "link.csv", index=False)
    return folder


def test_sioux_falls_skims_equal_aequilibrae(tmp_path):
    links, nodes = _aequilibrae_model(
        tmp_path, "sioux_falls", "link_id, a_node, b_node, direction, distance, free_flow_time"
    )
    theirs, order = _aequilibrae_skim(links, nodes, "free_flow_time")  # minutes
    # GMNS carries speeds, AequilibraE times: the free speed that gives its free-flow time
    folder = _gmns_from(
        tmp_path / "gmns",
        nodes,
        links,
        free_speed=links["distance"] / 1000 / (links["free_flow_time"] / 60),
        directed=np.where(links["direction"] == 0, "false", "true"),
    )
    assert (links["direction"] == 1).all()  # Sioux Falls lists each direction as its own link
    model = Model.from_network(build_gmns_network(folder), year=2025)
    ours = _node_minutes(model, [str(n) for n in order])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
    assert theirs.max() > 20  # a real network with long trips, not a trivial one


@pytest.mark.slow
def test_coquimbo_car_skims_equal_aequilibrae(tmp_path):
    """AequilibraE's Coquimbo model (a real city network of about 20,000 links, most of them
    two-way: ``dir_flag`` 0): its car distance skim between the 133 zones equals AequilibraE's
    own engine, unreachable pairs included. Speeds are set to 60 km/h, so minutes read as km."""
    links, nodes = _aequilibrae_model(tmp_path, "coquimbo", "link_id, a_node, b_node, direction, distance, modes")
    links = links[links["modes"].str.contains("c")]  # the car network
    assert (links["direction"] == 0).sum() > 10_000
    theirs, order = _aequilibrae_skim(links, nodes, "distance")
    theirs = theirs / 1000.0
    folder = _gmns_from(tmp_path / "gmns", nodes, links, free_speed=60.0, dir_flag=links["direction"])
    model = Model.from_network(build_gmns_network(folder), year=2025)
    ours = _node_minutes(model, [str(n) for n in order])
    reached = np.isfinite(theirs) & (theirs < 1e9)  # AequilibraE marks unreached pairs with a huge number
    assert reached.sum() > 15_000
    np.testing.assert_allclose(ours[reached], theirs[reached], rtol=1e-9, atol=1e-9)
    assert np.isinf(ours[~reached]).all()


ZONES = Path(__file__).parent / "fixtures" / "gmns_zones"


def test_gmns_zones_become_places_that_score(tmp_path):
    """node.csv zone_id and zone.csv (name, population) make the zones places: the network scores
    with no --places, at each zone's centroid node, weighted by its population."""
    out = tmp_path / "z.gpkg"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--gmns", str(ZONES), "--out", str(out)]).exit_code == 0
    res = runner.invoke(main, ["score", "--network", str(out), "--targets", "East", "--format", "csv"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.output))
    assert sorted(table["name_zh"]) == ["East", "Middle", "West"]
    assert dict(zip(table["name_zh"], table["population_2020"])) == {"West": 120000, "Middle": 80000, "East": 50000}
    model = Model.from_network(build_gmns_network(ZONES), year=2025)
    west = model.route("West", "East", mode="road")
    assert west["minutes"] == pytest.approx(table.loc[table["name_zh"] == "West", "zone3_road_min"].item(), abs=0.05)


def test_a_network_without_places_says_how_to_give_them(tmp_path):
    out = tmp_path / "n.gpkg"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--gmns", str(FIXTURE), "--out", str(out)]).exit_code == 0
    res = runner.invoke(main, ["score", "--network", str(out), "--targets", "node:10"])
    assert res.exit_code == 2 and "no places to score" in res.output and "--places" in res.output
    res = runner.invoke(main, ["score", "--network", str(tmp_path / "n.gpkg")])  # the default targets
    assert res.exit_code == 2


def test_a_bad_zone_population_names_its_line(tmp_path):
    folder = tmp_path / "g"
    shutil.copytree(ZONES, folder)
    text = (folder / "zone.csv").read_text(encoding="utf-8").replace("80000", "many")
    (folder / "zone.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"zone\.csv:3: population: 'many'"):
        build_gmns_network(folder)


def test_a_comparison_on_a_zones_network_ranks_on_every_place(tmp_path):
    """On a network without the embedded focus city, compare ranks on every place's gain (and
    says so), not on an empty set."""
    out = tmp_path / "z.gpkg"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--gmns", str(ZONES), "--out", str(out)]).exit_code == 0
    card = Path(__file__).parent / "fixtures" / "cards" / "west_east.yaml"
    res = runner.invoke(
        main, ["compare", str(card), "--network", str(out), "--targets", "East", "--no-decompose", "--wide"]
    )
    assert res.exit_code == 0, res.output
    assert "Ranked on every place's gain" in res.output and "Mean of empty slice" not in res.output
    from network.analysis.compare import compare, ranking
    from network.graph.netfile import read_network
    from network.scenario.load import load_scenario

    model = Model.from_network(read_network(out), year=2025)
    row = ranking(compare(model, [load_scenario(card)], ["East"], decompose=False)).iloc[0]
    assert row["focus_city"] == "every place" and row["main_gain_min"] > 0
