"""The library API for notebooks: long tables, GeoDataFrames with a CRS, a Trip with legs and path."""

from __future__ import annotations

import numpy as np
import pytest

import network


@pytest.fixture(scope="module")
def model():
    return network.Model.default(year=2024)


def test_travel_times_is_a_long_table_that_agrees_with_single_trips(model):
    tt = model.travel_times(["郑州", "洛阳"])
    assert list(tt.columns) == [
        "origin",
        "origin_zh",
        "origin_en",
        "population_2020",
        "destination",
        "mode",
        "minutes",
        "km",
    ]
    assert len(tt) == len(model.places()) * 2 * 4
    assert set(tt["mode"]) == {"road", "rail", "transit", "best"}
    for zh, mode in (("阳城县", "road"), ("阳城县", "rail"), ("高平市", "best"), ("沁水县", "road")):
        row = tt[(tt["origin_zh"] == zh) & (tt["destination"] == "luoyang") & (tt["mode"] == mode)].iloc[0]
        trip = model.trip(zh, "洛阳", mode)
        assert row["minutes"] == pytest.approx(trip.minutes, abs=0.11)
        assert row["km"] == pytest.approx(trip.km, abs=0.11)
    unreachable = tt[~np.isfinite(tt["minutes"])]
    assert (unreachable["mode"].isin(["rail", "transit"])).all() and not np.isfinite(unreachable["km"]).any()


def test_a_trip_has_legs_a_path_and_plain_data(model):
    trip = model.trip("晋城东站", "郑州站", "rail")
    # by hand, on the D4618 pattern (晋城东 - 焦作 - 郑州站): 62 km at 250 km/h cruise 14.88 min + the
    # start and stop supplements 2 + 3 (more than the 3.1 min the kinematics lose) = 19.88, x 1.05 =
    # 20.87; dwell 2; 78 km at 200 cruise 23.40 + 5 = 28.40, x 1.05 = 29.82; 52.69 in all
    assert trip.measured == "platform-to-platform" and trip.minutes == pytest.approx(52.7, abs=0.05)
    assert trip.geometry.geom_type == "LineString" and len(trip.coords) >= 2
    assert sum(leg["minutes"] for leg in trip.legs) == pytest.approx(trip.minutes, abs=0.2)
    data = trip.to_dict()
    assert data["geometry"]["type"] == "LineString" and data["legs"] and "coords" not in data
    assert model.route("晋城东站", "郑州站", "rail") == data
    legs = trip.legs_frame()
    assert len(legs) == len(trip.legs) and {"mode", "minutes", "km", "from", "to"} <= set(legs.columns)


def test_places_and_links_are_geodataframes_with_a_crs(model):
    places, links = model.places_frame(), model.links_frame()
    assert places.crs.to_epsg() == 4326 and links.crs.to_epsg() == 4326
    assert set(places["place_kind"]) >= {"county", "city"}
    assert {"road", "hsr"} <= set(links["mode"]) and (links["km"] > 0).all()
    assert links.geometry.geom_type.eq("LineString").all()
