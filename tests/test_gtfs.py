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
    return gk.read_feed(out / "gtfs", dist_units="km"), res.output


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


def test_the_feed_says_what_it_holds(tmp_path):
    """The message counts the trips the feed has; the feed folder holds GTFS files only (the
    manifest beside it) and the zip the same files; route names are names; coach stations one
    line shares with another at one point are one stop; the contact is written when given."""
    import io
    import zipfile

    out = tmp_path / "feed"
    res = CliRunner().invoke(
        main, ["export-gtfs", "--year", "2024", "--out", str(out), "--contact", "planner@example.org"]
    )
    assert res.exit_code == 0, res.output
    trips = pd.read_csv(out / "gtfs" / "trips.txt")
    assert f": {len(trips)} trips (" in res.output
    names = sorted(p.name for p in (out / "gtfs").iterdir())
    assert "manifest.json" not in names and (out / "manifest.json").is_file()
    with zipfile.ZipFile(io.BytesIO((out / "gtfs.zip").read_bytes())) as zf:
        assert sorted(zf.namelist()) == names
        assert all(zf.read(n) == (out / "gtfs" / n).read_bytes() for n in names)
    routes = pd.read_csv(out / "gtfs" / "routes.txt", keep_default_na=False)
    assert not (routes["route_short_name"] == routes["route_id"]).any()
    assert set(routes["route_short_name"]) - {""} <= {"D4618", "G2405"}  # published train numbers only
    assert routes["route_long_name"].is_unique  # two patterns of one line read apart
    stops = pd.read_csv(out / "gtfs" / "stops.txt")
    assert not stops.duplicated(["stop_name", "stop_lat", "stop_lon"]).any()
    assert not stops["stop_name"].str.contains("站站").any()
    assert "晋城汽车站" in set(stops["stop_name"])
    info = pd.read_csv(out / "gtfs" / "feed_info.txt")
    assert info["feed_contact_email"].tolist() == ["planner@example.org"]
    bad = CliRunner().invoke(main, ["export-gtfs", "--out", str(tmp_path / "x"), "--contact", "someone"])
    assert bad.exit_code != 0 and "--contact 'someone'" in bad.output and not (tmp_path / "x").exists()
