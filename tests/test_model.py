"""The working model on the default network: scores, routes, look-ups, assumptions."""

from __future__ import annotations

import numpy as np
import pytest

from network.assumptions import Assumptions
from network.errors import AssumptionError, LookupFailed


def test_score_covers_every_place_and_best_is_never_slower(model):
    per_place, summary = model.score()
    assert len(per_place) == len(model.places()) >= 80
    for t in ("zhengzhou", "luoyang"):
        best, road, rail = (per_place[f"{t}_{m}_min"].to_numpy() for m in ("best", "road", "rail"))
        assert np.all(np.isfinite(best))
        assert np.all(best <= road + 1e-6) and np.all(best <= rail + 1e-6)
    s = summary.set_index(["target", "mode"])
    zz = s.loc[("zhengzhou", "best")]
    assert zz["population_within_60_min"] <= zz["population_within_90_min"] <= zz["population_within_120_min"]


def test_station_to_station_is_platform_to_platform(model):
    trip = model.route("晋城东站", "郑州站", mode="rail")
    assert trip["measured"] == "platform-to-platform"
    assert [leg["mode"] for leg in trip["legs"]] == ["hsr"]
    assert trip["km"] == pytest.approx(140.0)  # the FACTS.md km post


def test_place_rail_trip_has_access_processing_wait_ride_egress(model):
    trip = model.route("晋城", "郑州", mode="rail")
    modes = [leg["mode"] for leg in trip["legs"]]
    assert modes[0] == "road" and "processing" in modes and "wait" in modes and "hsr" in modes
    assert trip["minutes"] == pytest.approx(sum(leg["minutes"] for leg in trip["legs"]), abs=0.2)


def test_names_resolve_in_chinese_and_english(model):
    assert model.resolve("阳城").key == model.resolve("Yangcheng").key == "cn140522"
    assert model.resolve("郑州").kind == "place" and model.resolve("郑州站").kind == "station"
    assert model.resolve("Zhengzhou East station").key == "zhengzhoudong"
    assert model.resolve("CGO").kind == "airport"
    with pytest.raises(LookupFailed, match="did you mean"):
        model.resolve("Yangchen")


def test_coordinates_route(model):
    trip = model.route("112.85,35.50", "郑州", mode="road")
    assert trip["measured"] == "door-to-door" and trip["minutes"] > 60
    with pytest.raises(LookupFailed, match="outside the region"):
        model.resolve("120.0,30.0")


def test_assumption_overrides_change_results_in_the_right_direction(model):
    from network.model import Model

    slow = Model.default(year=2024, assumptions=Assumptions().replace(force=True, station_processing_min=40))
    assert slow.route("晋城", "郑州", mode="rail")["minutes"] > model.route("晋城", "郑州", mode="rail")["minutes"]
    with pytest.raises(AssumptionError, match="did you mean"):
        Assumptions().replace(station_procesing_min=40)


def test_platform_minutes_forward_equal_the_backward_search_between_every_station_pair(model):
    """Platform minutes come from one forward min-only search per boarding station; the paths
    from one backward search per alighting station. Both must give the same least time."""
    from network.errors import UnreachableError
    from network.routing.trips import TripSearch

    ts = TripSearch(model.network)
    eps = [model.resolve(model.graph.nodes[n]["name_zh"]) for n in ts.served_stations[0]]
    eps = [e for e in eps if e.kind == "station"][:12]  # names that are not also a place's
    assert len(eps) == 12
    checked = 0
    for o in eps:
        for d in eps:
            if o.key == d.key:
                continue
            fwd = ts.platform_minutes(o, d, "rail")
            try:
                dist, _, deps, _ = ts.platform_search(o, d, "rail")
                back = float(np.min(dist[deps]))
            except UnreachableError:
                back = float("inf")
            assert fwd == pytest.approx(back, abs=1e-9) or (np.isinf(fwd) and np.isinf(back))
            checked += np.isfinite(fwd)
    assert checked > 10  # the pairs are mostly connected: the check compared real trips


def test_road_searches_read_from_a_wider_search_equal_their_own(model):
    from network.routing.trips import TripSearch

    places = [f"place:{p}" for p in model.places()["place_id"][:6]]
    wide = TripSearch(model.network)
    wide.ask_from(places)
    own = TripSearch(model.network)
    for sub in (places[:1], places[2:5], places[::-1]):
        np.testing.assert_array_equal(wide.road_from(sub)[0], own.road_from(sub)[0])
