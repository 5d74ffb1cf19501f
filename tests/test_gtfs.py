"""GTFS out: the network's and a scenario's services as a feed, read back with gtfs_kit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from network.cli import main

gk = pytest.importorskip("gtfs_kit")
ROOT = Path(__file__).resolve().parents[1]


def _feed(tmp_path, *args):
    out = tmp_path / "feed"
    res = CliRunner().invoke(main, ["export-gtfs", *args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return gk.read_feed(out, dist_units="km"), res.output


def _seconds(hms: pd.Series) -> np.ndarray:
    parts = hms.str.split(":", expand=True).astype(int)
    return (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy()


def test_the_feed_reads_back_whole_and_consistent(tmp_path, model):
    feed, _ = _feed(tmp_path, "--year", "2024")
    st, trips, stops, routes = feed.stop_times, feed.trips, feed.stops, feed.routes
    assert set(st["stop_id"]) <= set(stops["stop_id"])
    assert set(st["trip_id"]) == set(trips["trip_id"])
    assert set(trips["route_id"]) == set(routes["route_id"])
    assert set(routes["route_type"]) <= {1, 2, 3, 1100}  # metro, rail, coach, air
    for _, g in st.groupby("trip_id"):  # times never run backwards along a trip
        g = g.sort_values("stop_sequence")
        arr, dep = _seconds(g["arrival_time"]), _seconds(g["departure_time"])
        assert (dep >= arr).all() and (arr[1:] >= dep[:-1]).all()
    services = {  # every service, not the shared-wait strategies over them (network/graph/service_mix.py)
        d["service_id"] for *_, d in model.graph.edges(data=True) if d["kind"] == "ride" and d["rule"] != "rail_mix"
    }
    assert set(routes["route_id"]) == services
    stats = gk.compute_trip_stats(feed)
    assert (stats["duration"] > 0).all() and (stats["distance"] > 0).all()


def test_a_direct_train_takes_the_model_platform_time(tmp_path, model):
    """The feed's fastest direct trip from 晋城东 to 郑州 equals the model's platform-to-platform
    minutes (rides and dwells of the run-time model), to the second the feed rounds to."""
    feed, _ = _feed(tmp_path, "--year", "2024")
    st = feed.stop_times
    o, d = model.resolve("晋城东站"), model.resolve("郑州站")
    best = np.inf
    for _, g in st.groupby("trip_id"):
        g = g.set_index("stop_id")
        if o.key in g.index and d.key in g.index and g.loc[o.key, "stop_sequence"] < g.loc[d.key, "stop_sequence"]:
            t = (
                _seconds(pd.Series([g.loc[d.key, "arrival_time"]]))[0]
                - _seconds(pd.Series([g.loc[o.key, "departure_time"]]))[0]
            )
            best = min(best, t / 60.0)
    assert np.isfinite(best)
    assert best == pytest.approx(model.trips.platform_minutes(o, d, "rail"), abs=2 / 60)


def test_a_scenario_adds_its_coach_and_flight(tmp_path):
    feed, out = _feed(tmp_path, str(ROOT / "scenarios" / "luoyang_yangcheng_bus.yaml"), "--year", "2035")
    assert "bus" in out and 3 in set(feed.routes["route_type"])
    feed, _ = _feed(tmp_path, str(ROOT / "scenarios" / "jincheng_airport.yaml"), "--year", "2035")
    air = feed.routes[feed.routes["route_type"] == 1100]
    assert len(air) == 2  # both directions of the Beijing flight
    trips = feed.trips[feed.trips["route_id"].isin(air["route_id"])]
    assert len(trips) == 2  # one flight a day each way: written as its departure, not a frequency
