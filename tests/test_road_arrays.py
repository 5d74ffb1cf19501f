"""A built network's road edges kept as arrays (network/graph/road_arrays.py) give the network
a build with every road edge in the graph gives: the same graph once asked for, the same times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from network.assumptions import Assumptions
from network.graph.build import build_default_graph
from network.graph.edges import build_edge_table
from network.graph.gmns import build_gmns_network
from network.graph.network import Network
from network.graph.osm import build_osm_network
from network.graph.road_arrays import EdgeKeys, RoadNodes, SourceIds
from network.model import Model, as_of_date
from network.sources.osm import read_osm_file

FIX = Path(__file__).parent / "fixtures"


def _built(name: str):
    if name == "osm":
        osm = FIX / "osm"
        return build_osm_network(
            read_osm_file(osm / "corridor.osm"), services_path=osm / "services.yaml", places_path=osm / "places.csv"
        )
    return build_gmns_network(FIX / "gmns_zones")


def _graph_model(net) -> Model:
    """The same network built the way every road edge in the graph builds it."""
    a, date = Assumptions(), as_of_date(2025)
    g = build_default_graph(net.data, net.roads, a, date, None, net.bbox, roads_in_graph=True)
    g.graph["network"] = dict(net.meta)
    g.graph["build_report"] = dict(net.report)
    g.graph["node_ids"] = SourceIds(net.roads.node_osm_id)
    return Model(Network(g, net.data, net.roads, a, build_edge_table(g)))


@pytest.mark.parametrize("name", ["osm", "gmns"])
def test_arrays_and_graph_give_one_network(name):
    net = _built(name)
    fast, full = Model.from_network(net, year=2025), _graph_model(net)
    assert not fast.network.has_graph
    a, b = fast.edge_table, full.edge_table
    assert a.node_ids == b.node_ids  # one numbering (Morton order of the same points)
    rows_a = {k: i for i, k in enumerate(a.keys)}
    order = np.array([rows_a[k] for k in b.keys])
    for name_ in ("u", "v", "time_min", "length_km", "mode", "kind"):
        np.testing.assert_array_equal(getattr(a, name_)[order], getattr(b, name_))
    assert dict(fast.network.nodes.items()) == dict(full.graph.nodes(data=True))
    if name == "gmns":
        pd.testing.assert_frame_equal(fast.score(["East"])[0], full.score(["East"])[0])
    else:
        assert fast.trip_minutes("晋城东站", "阳城南站", "rail") == full.trip_minutes("晋城东站", "阳城南站", "rail")
    assert not fast.network.has_graph  # scores and trips ran on the arrays
    g, h = fast.graph, full.graph  # built on asking: the same nodes, edges, keys and attributes
    assert dict(g.nodes(data=True)) == dict(h.nodes(data=True))
    assert sorted(g.edges(keys=True, data=True), key=str) == sorted(h.edges(keys=True, data=True), key=str)
    assert {k: v for k, v in g.graph.items() if k != "assumptions"} == {
        k: v for k, v in h.graph.items() if k != "assumptions"
    }


def test_road_nodes_and_source_ids_are_mappings():
    net = _built("gmns")
    model = Model.from_network(net, year=2025)
    nodes = model.network.nodes
    assert isinstance(nodes, RoadNodes)
    ids = list(nodes)
    assert len(ids) == len(set(ids)) == len(nodes) == len(model.edge_table.node_ids)
    assert "r0" in nodes and nodes["r0"]["kind"] == "road" and "r999999" not in nodes and "r01" not in nodes
    src = model.network.meta["node_ids"]
    osm = net.roads.node_osm_id
    assert all(src[str(int(k))] == f"r{i}" for i, k in enumerate(osm))
    assert sorted(src) == sorted(str(int(k)) for k in osm) and "nope" not in src


def test_every_edge_s_points_at_once_are_each_edge_s_points():
    roads = _built("osm").roads
    assert roads.chain_reversed.any()  # both directions of a chain
    points, owner = roads.edge_points()
    for k in range(roads.n_edges):
        assert [tuple(map(float, p)) for p in points[owner == k]] == roads.edge_coords(k)


def test_a_route_s_legs_read_the_arrays_as_the_graph():
    net = _built("osm")
    fast, full = Model.from_network(net, year=2025), _graph_model(net)
    for mode in ("road", "rail", "best"):
        assert fast.route("西镇", "东镇", mode) == full.route("西镇", "东镇", mode)
    assert fast.route("晋城东站", "阳城南站") == full.route("晋城东站", "阳城南站")
    assert not fast.network.has_graph


def test_a_scenario_on_the_arrays_is_the_scenario_on_the_graph():
    from network.scenario.load import load_scenario

    card = FIX / "cards" / "west_east.yaml"
    net = _built("gmns")
    sc = load_scenario(card)
    fast, full = Model.from_network(net, year=2025).with_scenario(sc), _graph_model(net).with_scenario(sc)
    assert isinstance(fast.edge_table.keys, EdgeKeys)  # the scenario's keys stay arrays too
    assert sorted(fast.edge_table.keys, key=str) == sorted(full.edge_table.keys, key=str)
    pd.testing.assert_frame_equal(fast.score(["East"])[0], full.score(["East"])[0])
    assert fast.route("West", "East", "road") == full.route("West", "East", "road")
    # the card only adds a road: applied to the graph of everything else, no whole graph built
    assert not fast.network.has_graph
    assert not any(str(k).startswith("osm") for *_, k in fast.network.own_graph.edges(keys=True))
    g, h = fast.graph, full.graph
    assert dict(g.nodes(data=True)) == dict(h.nodes(data=True))
    assert sorted(g.edges(keys=True, data=True), key=str) == sorted(h.edges(keys=True, data=True), key=str)


def test_a_road_layer_written_in_parts_reads_back_whole(tmp_path, monkeypatch):
    from network.graph import netfile, shapes

    net = _built("osm")
    whole = netfile.write_network(net, tmp_path / "whole.gpkg")
    monkeypatch.setattr(shapes, "_WRITE_PART", 5)  # 21 edges: five parts
    parts = netfile.write_network(net, tmp_path / "parts.gpkg")
    again = netfile.write_network(net, tmp_path / "again.gpkg")
    assert parts.read_bytes() == again.read_bytes()  # the same inputs, the same bytes
    a, b = netfile.read_network(whole).roads, netfile.read_network(parts).roads
    for name in ("u", "v", "length_km", "speed_kph", "geom_offsets", "geom_lon", "geom_lat", "lon", "lat"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("speed_source", "road_class", "ref", "name_zh", "name_en", "corridor_id"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist()


def test_rows_by_key_without_a_dict_of_road_keys():
    table = Model.from_network(_built("gmns"), year=2025).edge_table
    rows = table.row_of
    assert not isinstance(rows, dict)
    assert all(rows[k] == i for i, k in enumerate(table.keys))
    assert len(rows) == len(table.keys)
    assert ("r0", "r1", "osm999999") not in rows and ("x", "y", 0) not in rows
    wrong_ends = next(k for k in table.keys if str(k[2]).startswith("osm"))
    assert (wrong_ends[1], wrong_ends[0], wrong_ends[2]) not in rows or wrong_ends[0] == wrong_ends[1]
