"""The literature's indicators on a network: economic potential and daily accessibility (by
population and by GDP) by road, best mode and rail, and rail potential weighted by trains, per
county-level place (formulas and sources: :mod:`network.indicators.literature`).

Masses: each place's 2020 census population, and its share of its prefecture's 2019 GDP by
population (``data/gdp.csv``, the Jincheng plan's table 4; :func:`~network.indicators.literature.place_gdp`).
Prefectures missing from that table (长治, 运城 and the external cities) carry no GDP mass, and the
output says which. Times are the model's door-to-door minutes between places: one search from the
places by road and by best mode, and by rail the same rule as every rail trip, for all pairs at once
(:func:`network.routing.rail_matrix.rail_matrix`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from network.indicators.literature import (
    DAILY_THRESHOLDS_MIN,
    SERVICE_DAY_MIN,
    daily_accessibility,
    economic_potential,
    place_gdp,
    trains_weighted_potential,
)

if TYPE_CHECKING:
    from network.model import Model

INDICATOR_MODES = ("road", "best", "rail")

#: A place's home stations for the trains-weighted potential: the stations with passenger trains
#: within this many road minutes count whole, farther ones in proportion (:func:`home_trains`). Half
#: an hour's drive, the first of the reporting steps of :mod:`network.indicators.nearest`: an
#: assumption, not a norm.
HOME_STATION_MIN = 30.0


def place_times(model: Model, mode: str) -> np.ndarray:
    """Door-to-door minutes between the county-level places (origins × destinations, in the order
    of :meth:`Model.places`) by ``mode`` (road, best or rail). On a network too large to hold a
    search from every place at once (:data:`~network.analysis.nearest.CHUNK_BYTES`), the searches
    run in chunks and only the places' columns are kept (:func:`network.routing.matrix.od_minutes`)."""
    from network.analysis.nearest import CHUNK_BYTES

    ids = model.places()["place_id"].tolist()
    origins = [f"place:{p}" for p in ids]
    arrive = [f"place:{p}:arrive" for p in ids]
    n_nodes = model.compiled("road").matrix.shape[0]
    small = len(origins) * n_nodes * 8 <= CHUNK_BYTES
    if mode == "rail":
        if small:
            from network.routing.rail_matrix import rail_matrix

            t = rail_matrix(model.trips, origins, arrive)
        else:  # the rule of every rail trip, target by target (its searches are bounded per target)
            cols = [model.trips.rail_times(origins, a)[0] for a in arrive]
            t = np.column_stack(cols) if cols else np.zeros((0, 0))
    elif mode == "road" and small:  # the places' road search, cached per network, shared where roads are unchanged
        road = model.compiled("road")
        t = np.atleast_2d(model.trips.road_from(origins)[0])[:, [road.index[a] for a in arrive]]
    else:  # memory-bounded chunked searches, the places' columns kept
        from network.routing.matrix import od_minutes

        t = od_minutes(model.compiled(mode), origins, arrive)
    t = np.array(t, dtype=float)
    np.fill_diagonal(t, 0.0)
    return t


def trains_per_day(model: Model) -> dict[str, float]:
    """Trains a day calling at each station (both directions, HSR and conventional): for every
    service stopping there, the service day (:data:`~network.indicators.literature.SERVICE_DAY_MIN`)
    over its headway. Station node (``station:<id>``) → trains."""
    et = model.edge_table
    rows = np.flatnonzero((et.kind == "wait") & np.isin(et.mode, ["hsr", "rail"]))
    out: dict[str, float] = {}
    for i in rows.tolist():
        key = et.keys[i]
        u, v = str(key[0]), str(key[1])
        if not (u.startswith("inside:") and v.startswith("dep:")):  # a shared wait (mixdep) counts no train
            continue
        headway = model.network.edge_data(key).get("headway_min")
        if headway:
            station = "station:" + u.split(":", 1)[1]
            out[station] = out.get(station, 0.0) + SERVICE_DAY_MIN / float(headway)
    return out


def literature_indicators(model: Model, modes: Sequence[str] = INDICATOR_MODES) -> pd.DataFrame:
    """One row per county-level place: its masses, and per mode economic potential by population and
    by GDP and the population and GDP within each daily threshold; by rail also the home stations
    (:data:`HOME_STATION_MIN`), their trains a day and the trains-weighted GDP potential."""
    from network.sources.files import read_gdp

    places = model.places()
    pop = places["population_2020"].to_numpy(dtype=float)
    gdp_by_city = {c: v["gdp_100m_yuan"] for c, v in read_gdp().items()}
    gdp = place_gdp(places["city_zh"].tolist(), pop, gdp_by_city)
    out = places[["place_id", "name_zh", "city_zh", "population_2020"]].copy()
    out["gdp_2019_100m_yuan"] = np.round(gdp, 2)
    for mode in modes:
        t = place_times(model, mode)
        out[f"potential_pop_{mode}"] = np.round(economic_potential(t, pop), 0)
        out[f"potential_gdp_{mode}"] = np.round(economic_potential(t, gdp), 2)
        for th in DAILY_THRESHOLDS_MIN:
            out[f"daily_pop_{int(th)}_{mode}"] = daily_accessibility(t, pop, th).astype(np.int64)
            out[f"daily_gdp_{int(th)}_{mode}"] = np.round(daily_accessibility(t, gdp, th), 1)
        if mode == "rail":
            names, f = _home_trains(model, places["place_id"].tolist())
            out["home_stations"] = names
            out["home_trains_per_day"] = np.round(f, 1)
            out["trains_potential_gdp_rail"] = np.round(trains_weighted_potential(t, gdp, f), 1)
    missing = sorted(set(places["city_zh"]) - set(gdp_by_city))
    out["note"] = (
        "GDP: each place's share of its prefecture's 2019 GDP by population (data/gdp.csv); trains a day: "
        "of the services the network models, not a station's whole timetable"
        + (f"; no GDP for {', '.join(missing)}: their places carry no GDP mass" if missing else "")
    )
    return out


def _home_trains(model: Model, place_ids: list[str]) -> tuple[list[str], np.ndarray]:
    """Each place's home stations and the trains a day it can board (:func:`home_trains`)."""
    from network.analysis.nearest import facility_nodes, nearest_matrix

    stations = facility_nodes(model, "rail_station")
    t, k = nearest_matrix(model, [f"place:{p}" for p in place_ids], [s for s, _ in stations], max(1, len(stations)))
    trains = trains_per_day(model)
    per = np.array([trains.get(s, 0.0) for s, _ in stations] + [0.0])  # index -1: no station
    names, total = [], []
    for row_t, row_k in zip(t, k):
        f, home = home_trains(row_t, per[row_k])
        names.append(", ".join(stations[j][1] for j in row_k[home]))
        total.append(f)
    return names, np.array(total, dtype=float)


def home_trains(minutes: np.ndarray, trains: np.ndarray) -> tuple[float, np.ndarray]:
    """Trains a day a place can board, from the road minutes to every station and their trains:
    F = max(Σ trains of the stations within :data:`HOME_STATION_MIN`, max over the farther ones of
    trains · HOME_STATION_MIN / minutes): every station within half an hour counts whole, a farther
    one by how much farther it is. A new station or a faster road never lowers F. Also the mask of
    the stations that give F (the home stations).

    >>> home_trains(np.array([10.0, 20.0, 60.0]), np.array([5.0, 7.0, 40.0]))
    (20.0, array([False, False,  True]))
    """
    ok = np.isfinite(minutes)
    near = ok & (minutes <= HOME_STATION_MIN)
    far = ok & ~near
    within = float(trains[near].sum())
    discounted = np.where(far, trains * HOME_STATION_MIN / np.where(far, minutes, 1.0), 0.0)
    if far.any() and discounted.max() > within:
        return float(discounted.max()), np.arange(len(minutes)) == int(np.argmax(discounted))
    return within, near


def indicators_by_city(table: pd.DataFrame) -> pd.DataFrame:
    """Per prefecture: the population-weighted mean of every indicator column of
    :func:`literature_indicators` over its places (the prefecture's own figure)."""
    cols = [c for c in table.columns if c.startswith(("potential_", "daily_", "trains_"))]
    w = table["population_2020"].to_numpy(dtype=float)
    rows = []
    for city, idx in table.groupby("city_zh", sort=True).groups.items():
        sel = table.index.get_indexer(idx)
        row: dict[str, object] = {"city_zh": city, "places": len(sel), "population_2020": int(w[sel].sum())}
        for c in cols:
            v = table[c].to_numpy(dtype=float)[sel]
            row[c] = round(float((v * w[sel]).sum() / w[sel].sum()), 2) if w[sel].sum() > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def indicators_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Long table of every indicator per place before and after, with the change and the change in
    per cent (positive = more accessible)."""
    keys = ["place_id", "name_zh", "city_zh", "population_2020"]
    cols = [c for c in before.columns if c.startswith(("potential_", "daily_", "trains_"))]
    b = before.melt(id_vars=keys, value_vars=cols, var_name="indicator", value_name="before")
    a = after.melt(id_vars=["place_id"], value_vars=cols, var_name="indicator", value_name="after")
    out = b.merge(a, on=["place_id", "indicator"], how="left", validate="one_to_one")
    out["change"] = (out["after"] - out["before"]).round(2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(out["before"] > 0, 100.0 * out["change"] / out["before"], np.nan)
    out["change_pct"] = np.round(pct, 2)
    return out
