"""GCJ-02 / BD-09 to WGS84: round trips, offsets of the known size, identity outside China."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from network.crs import bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02
from network.geo import haversine_km

china_lon = st.floats(74.0, 134.0)
china_lat = st.floats(18.0, 53.0)


@given(china_lon, china_lat)
def test_gcj02_round_trip_is_within_a_centimetre(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert abs(wlon - lon) < 2e-7 and abs(wlat - lat) < 2e-7


@given(china_lon, china_lat)
def test_gcj02_offset_is_a_few_hundred_metres(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 0.01 < float(haversine_km(lon, lat, glon, glat)) < 1.0


@given(china_lon, china_lat)
def test_bd09_round_trip(lon, lat):
    blon, blat = gcj02_to_bd09(lon, lat)
    glon, glat = bd09_to_gcj02(blon, blat)
    assert abs(glon - lon) < 1e-5 and abs(glat - lat) < 1e-5


def test_identity_outside_china_and_for_wgs84():
    lon, lat = wgs84_to_gcj02(2.35, 48.85)  # Paris
    assert (lon, lat) == (2.35, 48.85)
    x, y = to_wgs84([112.979251], [35.533970], "WGS84")
    np.testing.assert_array_equal(x, [112.979251])


def test_jincheng_east_station_converts_back():
    # 晋城东 (WGS84, zh-Wikipedia) as a GCJ-02 map service would show it, then back
    glon, glat = wgs84_to_gcj02(112.979251, 35.533970)
    assert float(haversine_km(112.979251, 35.533970, glon, glat)) > 0.2
    lon, lat = to_wgs84(glon, glat, "gcj-02")
    assert float(haversine_km(112.979251, 35.533970, lon, lat)) < 0.001
    with pytest.raises(ValueError, match="expected wgs84, gcj02 or bd09"):
        to_wgs84(1, 1, "mars")
