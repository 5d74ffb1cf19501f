"""Shared waits where several services of a line serve two stations (network/graph/service_mix.py):
the wait comes from every train calling at both, the ride is the frequency-weighted mean of their
own rides, and a traveller may still wait for one pattern, so the strategy never makes a trip
slower."""

from __future__ import annotations

import pytest

from network.graph.edges import build_edge_table
from network.graph.network import Network
from network.graph.service_mix import MIX_PREFIX
from network.model import Model
from network.routing.services import service_run_minutes
from network.scenario.load import load_scenario


@pytest.fixture(scope="module")
def model2024() -> Model:
    return Model.default(2024)


def _mixes(g):
    return [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True) if d.get("rule") == "rail_mix"]


def _services_calling(g, s: str, t: str, mode: str = "hsr") -> dict[str, float]:
    """Headway at ``s`` of each service with a departure at ``s`` and a later arrival at ``t`` on
    the same train (found by walking the service's own nodes, not by the module under test)."""
    out = {}
    for _, dep, d in g.out_edges(f"inside:{s}", data=True):
        if d.get("kind") != "wait" or d["mode"] != mode or not dep.startswith("dep:"):
            continue
        _, sid, direction, _ = dep.split(":")
        if g.has_node(f"arr:{sid}:{direction}:{t}"):
            node, seen = dep, set()
            while node not in seen:  # ride forward on this train until t or the end
                seen.add(node)
                ride = [v for _, v, dd in g.out_edges(node, data=True) if dd["kind"] == "ride"]
                if not ride:
                    break
                if ride[0] == f"arr:{sid}:{direction}:{t}":
                    out[sid] = float(d["headway_min"])
                    break
                nxt = [v for _, v, dd in g.out_edges(ride[0], data=True) if dd["kind"] == "dwell"]
                if not nxt:
                    break
                node = nxt[0]
    return out


def test_every_pair_two_services_serve_has_a_shared_wait_from_all_of_them(model2024):
    g = model2024.network.graph
    mixes = _mixes(g)
    assert len(mixes) > 50  # 郑太's patterns and 京广's at 鹤壁东
    for u, *_ in mixes:
        _, mode, s, t = u.split(":")
        wait = [dd for _, _, dd in g.in_edges(u, data=True)]
        assert len(wait) == 1 and wait[0]["kind"] == "wait"
        calling = _services_calling(g, s, t, mode)
        assert len(calling) >= 2, (u, calling)
        assert wait[0]["headway_min"] == pytest.approx(1.0 / sum(1.0 / h for h in calling.values()))
        assert wait[0]["headway_min"] < min(calling.values())
    # and no pair served by two or more services lacks one
    stations = {n.split(":")[1] for n in g.nodes if n.startswith("inside:")}
    pairs = {tuple(u.split(":")[1:]) for u, *_ in mixes}
    for mode in ("hsr", "rail"):
        for s in sorted(stations):
            for t in sorted(stations):
                if s != t and len(_services_calling(g, s, t, mode)) >= 2:
                    assert (mode, s, t) in pairs, (mode, s, t)


def test_the_shared_ride_is_the_frequency_weighted_mean_of_the_services_own_rides(model2024):
    net = model2024.network
    g = net.graph
    checked = 0
    for u, v, k, _ in _mixes(g)[::7]:
        _, mode, s, t = u.split(":")
        calling = _services_calling(g, s, t, mode)
        a, b = g.nodes[f"station:{s}"], g.nodes[f"station:{t}"]
        rides = {sid: service_run_minutes(net, sid, (a["lon"], a["lat"]), (b["lon"], b["lat"])) for sid in calling}
        freq = {sid: 1.0 / h for sid, h in calling.items()}
        want = sum(freq[sid] * rides[sid] for sid in calling) / sum(freq.values())
        got = float(net.edge_table.time_min[net.edge_table.row_of[(u, v, k)]])
        assert got == pytest.approx(want, abs=1e-9), (u, rides)
        assert min(rides.values()) - 1e-9 <= got <= max(rides.values()) + 1e-9
        checked += 1
    assert checked >= 10


def test_a_trip_where_services_share_a_line_waits_for_any_of_them(model2024):
    """郑州 → 安阳 by rail: 京广 trains that pass 鹤壁东 and those that call there both serve
    郑州东 → 安阳东, so the wait is from all of them (42 each way), not from one pattern."""
    trip = model2024.route("郑州", "安阳", mode="rail")
    waits = [leg for leg in trip["legs"] if leg["mode"] == "wait"]
    rides = [leg for leg in trip["legs"] if leg["mode"] == "hsr"]
    assert [leg["service_id"] for leg in rides] == [f"{MIX_PREFIX}hsr"]
    g = model2024.network.graph
    calling = _services_calling(g, "zhengzhoudong", "anyangdong")
    assert set(calling) == {"jingguang_hsr", "jingguang_hsr_hebidong"}
    assert waits[0]["headway_min"] == pytest.approx(1.0 / sum(1.0 / h for h in calling.values()))


def test_the_strategy_never_makes_a_trip_slower_and_helps_some(model2024):
    """Removing the shared-wait edges leaves only one-pattern waits: no trip gets quicker, and
    the trips along 京广 get slower."""
    net = model2024.network
    g = net.graph.copy()
    g.remove_nodes_from([n for n in list(g.nodes) if n.startswith(("mixdep:", "mixarr:"))])
    without = Model(Network(g, net.data, net.roads, net.assumptions, build_edge_table(g)))
    a = model2024.travel_times(["郑州", "安阳"], modes=["rail"]).set_index(["origin", "destination"])["minutes"]
    b = without.travel_times(["郑州", "安阳"], modes=["rail"]).set_index(["origin", "destination"])["minutes"]
    assert a.index.equals(b.index)
    assert (a <= b + 1e-9).all()
    assert ((a < b - 1.0) & (a.index.get_level_values("destination") == "anyang")).any()


def test_a_scenario_that_changes_a_service_changes_the_shared_waits_it_is_part_of(model2024, tmp_path):
    """Doubling 郑太's unpublished-pattern trains (headway 64 → 30) changes every 郑太 pair's
    shared wait; the re-synced strategies equal those the changed services call for."""
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: t\ndescription: test\nsource: a test\nchanges:\n"
        "  - {type: change_service, service: zhengtai_trains, headway_min: 30, opened: 2020}\n",
        encoding="utf-8",
    )
    changed = model2024.with_scenario(load_scenario(p))
    g0, g1 = model2024.network.graph, changed.network.graph
    key = "mixdep:hsr:zhengzhou:jinchengdong"
    h0 = next(d for *_, d in g0.in_edges(key, data=True))["headway_min"]
    h1 = next(d for *_, d in g1.in_edges(key, data=True))["headway_min"]
    calling = _services_calling(g1, "zhengzhou", "jinchengdong")
    assert calling["zhengtai_trains"] == 30
    assert h1 == pytest.approx(1.0 / sum(1.0 / h for h in calling.values())) and h1 < h0
    report = changed.network.apply_report
    assert report is not None and any(u == key for u, *_ in report.changed_edges + report.added_edges)
    # the arrays searched hold the new waits, as the graph does
    et = changed.network.edge_table
    for u, v, k, d in g1.edges(keys=True, data=True):
        if u.startswith("inside:") and v.startswith("mixdep:"):
            assert et.time_min[et.row_of[(u, v, k)]] == pytest.approx(d["time_min"])
