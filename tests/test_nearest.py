"""Time to the nearest facility (network/indicators/nearest.py, network/analysis/nearest.py): the
n nearest equal a brute-force search on random networks, chunked or not, and the facilities read
from the network are the ones it has."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix

import network.routing.matrix as matrix_module
from network.analysis.nearest import (
    facility_nodes,
    nearest_by_group,
    nearest_change,
    nearest_facilities,
    nearest_on_matrix,
    place_groups,
)
from network.indicators.nearest import far_summary

FIX = Path(__file__).parent / "fixtures"


def _random_graph(seed: int, n: int = 40, m: int = 120) -> tuple[csr_matrix, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = u != v
    w = rng.choice([1.0, 2.0, 2.5, 7.0], m)  # few distinct weights: ties happen
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b, x in zip(u[keep], v[keep], w[keep]):
        if not g.has_edge(a, b) or g[a][b]["weight"] > x:
            g.add_edge(int(a), int(b), weight=float(x))
    rows = [(a, b, d["weight"]) for a, b, d in g.edges(data=True)]
    mat = csr_matrix(([r[2] for r in rows], ([r[0] for r in rows], [r[1] for r in rows])), shape=(n, n))
    return mat, g


def _brute(g: nx.DiGraph, origins, facilities, n):
    """Every origin's distance to every facility by networkx, sorted (ties to the lower index)."""
    out_t, out_k = [], []
    for o in origins:
        dist = nx.single_source_dijkstra_path_length(g, int(o), weight="weight")
        t = np.array([dist.get(int(f), np.inf) for f in facilities])
        order = sorted(range(len(facilities)), key=lambda k: (t[k], k))[:n]
        ts = [t[k] for k in order] + [np.inf] * (n - len(order))
        ks = [k if np.isfinite(t[k]) else -1 for k in order] + [-1] * (n - len(order))
        out_t.append(ts)
        out_k.append(ks)
    return np.array(out_t, dtype=float), np.array(out_k)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_nearest_equals_brute_force_on_random_networks(seed, chunk_rows, monkeypatch):
    mat, g = _random_graph(seed)
    monkeypatch.setattr(matrix_module, "CHUNK_BYTES", chunk_rows * mat.shape[0] * 8)  # rows per search call
    rng = np.random.default_rng(100 + seed)
    for n_orig, n_fac in ((12, 5), (5, 12)):  # searched from the facilities, then from the origins
        origins = rng.choice(mat.shape[0], n_orig, replace=False)
        facilities = rng.choice(mat.shape[0], n_fac, replace=False)
        for n in (1, 3, 7):
            t, k = nearest_on_matrix(mat, mat.T.tocsr(), origins, facilities, n)
            bt, bk = _brute(g, origins, facilities, n)
            np.testing.assert_allclose(t, bt)
            np.testing.assert_array_equal(k, bk)


def test_no_facility_gives_inf_and_no_index():
    mat, _ = _random_graph(0)
    t, k = nearest_on_matrix(mat, mat.T.tocsr(), np.array([0, 1]), np.array([], dtype=np.int64), 2)
    assert np.isinf(t).all() and (k == -1).all()


def test_far_summary_worked_example():
    s = far_summary([10.0, 40.0, np.inf, 70.0], [100, 300, 50, 50], ["a", "a", "b", "b"], ["p", "q", "r", "s"])
    every = s[s["group"] == "all"].iloc[0]
    assert every["weighted_mean_min"] == round((10 * 100 + 40 * 300 + 70 * 50) / 450, 1)
    assert every["places_beyond_30_min"] == 3 and every["population_beyond_30_min"] == 400
    assert every["places_beyond_60_min"] == 2 and every["population_beyond_60_min"] == 100
    assert every["unreachable_places"] == 1 and every["farthest_place"] == "r"
    b = s[s["group"] == "b"].iloc[0]
    assert b["weighted_mean_min"] == 70.0 and b["population"] == 100


def test_facilities_are_read_from_the_network(model):
    hsr = dict(facility_nodes(model, "hsr_station"))
    rail = dict(facility_nodes(model, "rail_station"))
    assert "station:jinchengdong" in hsr and "station:jincheng" not in hsr  # 晋城东 (HSR), 晋城 (conventional)
    assert set(hsr) < set(rail) and "station:jincheng" in rail
    assert {n for n, _ in facility_nodes(model, "airport")} == {"airport:cgo", "airport:lya", "airport:cih"}
    entrances = facility_nodes(model, "expressway_entrance")
    assert entrances and all(name.endswith("entrance") for _, name in entrances)
    with pytest.raises(ValueError, match="unknown facility kind"):
        facility_nodes(model, "port")


def test_nearest_table_and_groups(model):
    tab = nearest_facilities(model, n=2)
    places = model.places()
    assert len(tab) == len(places) * 4 * 2
    first, second = (tab[tab["rank"] == r].set_index(["facility", "place_id"])["minutes"] for r in (1, 2))
    assert (first <= second).all()
    jc = tab[(tab["place_id"] == "cn140502") & (tab["facility"] == "hsr_station") & (tab["rank"] == 1)].iloc[0]
    assert jc["facility_name"] == "晋城东"
    # the nearest HSR station's minutes are the road search's own
    assert jc["minutes"] == round(model.trip_minutes("城区", "晋城东站", "road"), 1) or jc["minutes"] < 60
    groups = place_groups(model)
    assert set(groups["terrain"]) <= {"plain", "hilly", "mountain"}
    by = nearest_by_group(tab, groups)
    assert set(by["grouping"]) == {"prefecture", "terrain", "size"}
    total = by[(by["grouping"] == "prefecture") & (by["group"] == "all") & (by["facility"] == "airport")].iloc[0]
    assert total["population"] == int(places["population_2020"].sum())


def test_a_new_station_brings_its_places_closer():
    from network.model import Model
    from network.scenario.load import load_scenario

    root = Path(__file__).resolve().parents[1]
    base = Model.default(year=2035)  # the line is open by then
    sc = base.with_scenario(load_scenario(root / "scenarios" / "yangji_intercity_rail.yaml"))
    assert not sc.apply_report.skipped
    ch = nearest_change(nearest_facilities(base), nearest_facilities(sc))
    yc = ch[(ch["name_zh"] == "阳城县") & (ch["facility"] == "rail_station")].iloc[0]
    assert yc["gain_min"] > 0 and yc["facility_name_after"] != yc["facility_name_before"]
    assert (ch["gain_min"] >= 0).all()  # adding a line never takes a station away


def test_entrances_on_road_arrays_equal_the_graph():
    from network.graph.gmns import build_gmns_network
    from network.model import Model

    net = build_gmns_network(FIX / "gmns_zones")
    fast = Model.from_network(net, year=2025)
    assert not fast.network.has_graph
    arrays = facility_nodes(fast, "expressway_entrance")
    assert arrays and not fast.network.has_graph  # read from the arrays
    _ = fast.network.graph  # now built: read edge by edge
    assert facility_nodes(fast, "expressway_entrance") == arrays
