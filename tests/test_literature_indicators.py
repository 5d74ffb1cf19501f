"""The literature's indicators (network/indicators/literature.py, network/analysis/indicators.py):
worked examples computed by hand, properties, the GDP file, and the indicators on the network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis.indicators import home_trains, indicators_by_city, literature_indicators, trains_per_day
from network.errors import DataError
from network.indicators.literature import (
    daily_accessibility,
    economic_potential,
    place_gdp,
    trains_weighted_potential,
)
from network.sources.default import data_dir
from network.sources.files import read_gdp

TIMES = np.array([[0.0, 30.0, 60.0], [30.0, 0.0, 150.0], [60.0, 150.0, 0.0]])
GDP = np.array([100.0, 600.0, 300.0])


def test_economic_potential_by_hand():
    # place 0: 600/30 + 300/60 = 25; place 1: 100/30 + 300/150 = 5.333; place 2: 100/60 + 600/150 = 5.667
    np.testing.assert_allclose(economic_potential(TIMES, GDP), [25.0, 100 / 30 + 2.0, 100 / 60 + 4.0])
    # a = 2: 600/900 + 300/3600
    assert economic_potential(TIMES, GDP, alpha=2.0)[0] == pytest.approx(600 / 900 + 300 / 3600)
    # unknown mass counts nothing; an unreachable destination counts nothing
    t = TIMES.copy()
    t[0, 2] = np.inf
    assert economic_potential(t, [100.0, 600.0, np.nan])[0] == pytest.approx(20.0)


def test_daily_accessibility_by_hand():
    # within 120 min: place 0 reaches all three (1000); place 1 itself and 0 (700); place 2 itself and 0 (400)
    np.testing.assert_allclose(daily_accessibility(TIMES, GDP, 120), [1000.0, 700.0, 400.0])
    np.testing.assert_allclose(daily_accessibility(TIMES, GDP, 240), [1000.0, 1000.0, 1000.0])


def test_trains_weighting_and_place_gdp_by_hand():
    np.testing.assert_allclose(trains_weighted_potential(TIMES, GDP, [10, 0, 2]), [250.0, 0.0, 2 * (100 / 60 + 4.0)])
    gdp = place_gdp(["甲", "甲", "乙", "丙"], [100, 300, 50, 7], {"甲": 40.0, "乙": 5.0})
    np.testing.assert_allclose(gdp[:3], [10.0, 30.0, 5.0])  # shares by population add up to the city's GDP
    assert np.isnan(gdp[3])


def test_home_trains_by_hand():
    # within 30 min: 12 + 8 = 20; the far one: 60 trains at 90 min count 60 * 30 / 90 = 20 (not more)
    f, home = home_trains(np.array([10.0, 25.0, 90.0]), np.array([12.0, 8.0, 60.0]))
    assert f == 20.0 and home.tolist() == [True, True, False]
    f, home = home_trains(np.array([10.0, 60.0]), np.array([12.0, 60.0]))
    assert f == 30.0 and home.tolist() == [False, True]
    assert home_trains(np.array([np.inf]), np.array([5.0]))[0] == 0.0


_minutes = st.lists(st.sampled_from([5.0, 20.0, 45.0, 90.0, 200.0, np.inf]), min_size=16, max_size=16)
_mass = st.lists(st.floats(0.0, 1000.0), min_size=4, max_size=4)


@settings(max_examples=80, deadline=None)
@given(_minutes, _mass, st.integers(0, 3), st.floats(0.0, 500.0), st.sampled_from([0.5, 1.0, 2.0]))
def test_more_mass_never_lowers_potential(times, mass, j, extra, alpha):
    t = np.array(times).reshape(4, 4)
    m = np.array(mass)
    more = m.copy()
    more[j] += extra
    assert (economic_potential(t, more, alpha) >= economic_potential(t, m, alpha) - 1e-9).all()
    assert (daily_accessibility(t, more, 120) >= daily_accessibility(t, m, 120)).all()


@settings(max_examples=80, deadline=None)
@given(_minutes, _mass, st.lists(st.floats(0.3, 1.0), min_size=16, max_size=16), st.sampled_from([60.0, 120.0, 240.0]))
def test_a_faster_network_never_lowers_accessibility(times, mass, factor, threshold):
    t = np.array(times).reshape(4, 4)
    faster = t * np.array(factor).reshape(4, 4)  # every pair as fast or faster
    m = np.array(mass)
    assert (daily_accessibility(faster, m, threshold) >= daily_accessibility(t, m, threshold)).all()
    assert (economic_potential(faster, m) >= economic_potential(t, m) - 1e-9).all()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from([5.0, 25.0, 30.0, 45.0, 120.0, np.inf]), min_size=5, max_size=5),
    st.lists(st.floats(0.0, 100.0), min_size=5, max_size=5),
    st.integers(0, 4),
    st.floats(0.2, 1.0),
)
def test_a_nearer_station_never_lowers_home_trains(minutes, trains, k, factor):
    t, f = np.array(minutes), np.array(trains)
    nearer = t.copy()
    nearer[k] = t[k] * factor if np.isfinite(t[k]) else 50.0  # a station brought closer, or a new one
    assert home_trains(nearer, f)[0] >= home_trains(t, f)[0] - 1e-9


def test_the_gdp_file_is_the_plans_table_in_yuan():
    gdp = read_gdp()
    assert gdp["郑州"]["gdp_100m_yuan"] == 11589.7 and gdp["晋城"]["gdp_100m_yuan"] == 1362.4
    places = pd.read_csv(data_dir() / "places.csv")
    census = places.groupby("city_zh")["population_2020"].sum()
    for city, row in gdp.items():
        if city in census:  # GDP over GDP per head is the city's population: the per-head column is yuan
            implied = row["gdp_100m_yuan"] * 1e8 / row["gdp_per_capita_yuan"]
            assert 0.75 < implied / census[city] < 1.25, city


def test_a_bad_gdp_file_names_file_line_and_field(tmp_path):
    bad = tmp_path / "gdp.csv"
    bad.write_text(
        "city_zh,gdp_2019_100m_yuan,gdp_per_capita_2019_yuan,source\n甲,abc,1,x\n乙,5,5,\n乙,5,5,y\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as err:
        read_gdp(bad)
    text = str(err.value)
    assert f"{bad}:2: gdp_2019_100m_yuan" in text and f"{bad}:3: field 'source'" in text and f"{bad}:4:" in text


def test_indicators_on_the_network(model):
    tab = literature_indicators(model)
    places = model.places()
    assert len(tab) == len(places)
    jc = tab.set_index("name_zh").loc["城区"]
    assert jc["potential_gdp_best"] >= jc["potential_gdp_road"] - 1e-6  # best is never slower than road
    assert jc["daily_pop_240_best"] >= jc["daily_pop_120_best"]
    assert "晋城东" in jc["home_stations"] and jc["home_trains_per_day"] > 0
    assert "no GDP for" in jc["note"] and "长治" in jc["note"]
    trains = trains_per_day(model)
    assert trains["station:jinchengdong"] > trains["station:jincheng"] > 0
    by = indicators_by_city(tab).set_index("city_zh")
    assert by.loc["晋城", "population_2020"] == int(places.loc[places["city_zh"] == "晋城", "population_2020"].sum())


def test_the_rail_matrix_equals_rail_times_target_by_target(model):
    from network.routing.rail_matrix import rail_matrix

    ids = model.places()["place_id"].tolist()
    origins = [f"place:{p}" for p in ids]
    targets = [f"place:{p}:arrive" for p in ids[::7]]
    for mode in ("rail", "transit"):
        got = rail_matrix(model.trips, origins, targets, mode)
        for j, t in enumerate(targets):
            want = model.trips.rail_times(origins, t, mode)[0]
            np.testing.assert_allclose(got[:, j], want)
        assert np.isfinite(got).any() and np.isinf(got).any()  # some pairs by train, some out of reach


def test_place_times_in_chunks_equal_one_search(model, monkeypatch):
    """On a network too large to search from every place at once, the chunked searches give the
    same minutes (forced here by a tiny chunk)."""
    import network.analysis.nearest as near
    from network.analysis.indicators import place_times

    whole = {m: place_times(model, m) for m in ("road", "best", "rail")}
    monkeypatch.setattr(near, "CHUNK_BYTES", 3 * model.compiled("road").matrix.shape[0] * 8)
    for m, want in whole.items():  # equal to the last bits a sum in another order can change
        np.testing.assert_allclose(place_times(model, m), want, rtol=1e-12)


def test_compare_leaves_the_extras_out_on_a_large_network_and_says_so(monkeypatch):
    import network.analysis.compare as cmp
    from network.model import Model
    from network.scenario.load import load_scenario

    monkeypatch.setattr(cmp, "EXTRAS_MAX_NODES", 100)  # the embedded network stands for a province here
    base = Model.default(year=2030)
    card = load_scenario(cmp.Path(__file__).resolve().parents[1] / "scenarios" / "jinyang_widening.yaml")
    comp = cmp.compare(base, [card], ["郑州"], decompose=False, workers=1)
    r = comp.results[0]
    assert r.nearest is None and r.indicators is None
    assert any("left out of compare on a network of" in n for n in r.report.notes)
