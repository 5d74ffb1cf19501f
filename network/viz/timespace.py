"""Time-space maps: the region redrawn so that distance from a centre is travel time.

Each place keeps its bearing from the centre (郑州, 洛阳, 晋城, …) and moves along it to the
distance its travel time would cover at a reference speed: ``r = minutes x v_ref / 60``. Rings at
60, 90 and 120 minutes are then circles, and "inside the one-hour circle" can be seen: a place
inside the 60-minute ring is within an hour, wherever it lies on the ground. This is the
centred time-space map of the accessibility literature (Ullah & Kraak, 2015, "An alternative
method to constructing time cartograms for the visual representation of scheduled movement data",
Journal of Maps 11(4); the Chinese HSR studies use it for the one-hour circles, e.g. Wang et al.,
2022, ISPRS Int. J. Geo-Inf. 11(8):432).

The reference speed is one number for every map drawn together (before and after a project), so
their rings are the same size and a place that moves inward got closer. By default it is the median
of straight-line km over minutes of the places of the first network (the map's "typical" speed: a
place faster than typical moves inward from where it lies, a slower one outward); it is printed on
every map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from network.geo import haversine_km

#: the rings drawn, minutes (those inside the map's extent)
RINGS_MIN = (60, 90, 120, 180, 240)


def bearings_deg(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Initial bearing (degrees clockwise from north) from (lon0, lat0) to each point."""
    p0, p = math.radians(lat0), np.radians(lat)
    dl = np.radians(lon - lon0)
    x = np.sin(dl) * np.cos(p)
    y = math.cos(p0) * np.sin(p) - math.sin(p0) * np.cos(p) * np.cos(dl)
    return np.degrees(np.arctan2(x, y)) % 360.0


def timespace_frame(model: Any, centre: str, mode: str = "best", towards: bool = False) -> pd.DataFrame:
    """Every county-level place's bearing, straight-line km and minutes from (or, ``towards``, to)
    ``centre`` by ``mode`` on ``model``'s network: ``place_id, name_zh, name_en, lon, lat, bearing_deg,
    km, minutes`` (``inf`` where the mode cannot make the trip)."""
    c = model.resolve(centre)
    places = model.places(("county", "district", "city"))
    frame = model.places_frame()
    pos = frame.set_index("place_id")[["lon", "lat"]]
    ids = [p for p in places["place_id"] if p != c.key]
    kind = places.set_index("place_id").loc[ids, "place_kind"].to_numpy()
    lon = pos.loc[ids, "lon"].to_numpy(dtype=float)
    lat = pos.loc[ids, "lat"].to_numpy(dtype=float)
    if towards:
        tt = model.matrix(ids, [centre], mode)  # place ids resolve as names do
        minutes = tt.set_index("origin").loc[ids, "minutes"].to_numpy(dtype=float)
    else:
        tt = model.matrix([centre], ids, mode)
        minutes = tt.set_index("destination").loc[ids, "minutes"].to_numpy(dtype=float)
    names = places.set_index("place_id").loc[ids]
    return _frame(ids, names["name_zh"], names["name_en"], lon, lat, (c.lon, c.lat), minutes, kind == "city")


def _frame(
    ids: Any,
    name_zh: Any,
    name_en: Any,
    lon: np.ndarray,
    lat: np.ndarray,
    centre: tuple[float, float],
    minutes: np.ndarray,
    city: np.ndarray,
) -> pd.DataFrame:
    """The places of a time-space map: where they lie, their bearing and straight-line km from
    ``centre`` (lon, lat), their minutes, and whether each is a prefecture centre (named)."""
    return pd.DataFrame(
        {
            "place_id": np.asarray(ids),
            "name_zh": np.asarray(name_zh),
            "name_en": np.asarray(name_en),
            "lon": lon,
            "lat": lat,
            "bearing_deg": bearings_deg(centre[0], centre[1], lon, lat),
            "km": haversine_km(centre[0], centre[1], lon, lat),
            "minutes": minutes,
            "city": city,
        }
    )


def reference_speed_kph(frame: pd.DataFrame) -> float:
    """The median straight-line speed (km/h) of the places reached (module docstring)."""
    ok = np.isfinite(frame["minutes"].to_numpy(dtype=float)) & (frame["minutes"].to_numpy(dtype=float) > 0)
    return float(np.median(frame["km"].to_numpy(dtype=float)[ok] / frame["minutes"].to_numpy(dtype=float)[ok] * 60.0))


def timespace_xy(frame: pd.DataFrame, v_ref_kph: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, y) of each place on the ground and in time-space, km east and north of the centre."""
    b = np.radians(frame["bearing_deg"].to_numpy(dtype=float))
    km = frame["km"].to_numpy(dtype=float)
    r = frame["minutes"].to_numpy(dtype=float) * v_ref_kph / 60.0
    return km * np.sin(b), km * np.cos(b), r * np.sin(b), r * np.cos(b)


def timespace_png(
    panels: Sequence[tuple[str, pd.DataFrame]],
    centre_label: str,
    mode: str,
    v_ref_kph: float | None = None,
    label_places: Sequence[str] = (),
    warnings: Sequence[str] = (),
    towards: bool = False,
) -> bytes:
    """The time-space maps of ``panels`` (title, :func:`timespace_frame`) side by side, one
    reference speed for all (``v_ref_kph``, default :func:`reference_speed_kph` of the first):
    each place a dot at its time-space position with a thin line from where it lies, rings at
    :data:`RINGS_MIN`, places inside 60 minutes in red; prefecture centres and ``label_places``
    (place ids) named with their minutes.
    A place the mode cannot reach is listed under its panel."""
    from network.viz.charts import _plt, _png

    plt = _plt()
    v = v_ref_kph or reference_speed_kph(panels[0][1])
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 6.6), squeeze=False)
    # one extent for every panel: the farthest place reached, on the ground or in time, up to 240 min
    far = 0.0
    for _, frame in panels:
        gx, gy, tx, ty = timespace_xy(frame, v)
        ok = np.isfinite(tx)
        far = max(far, float(np.hypot(tx[ok], ty[ok]).max(initial=0)), float(np.hypot(gx[ok], gy[ok]).max(initial=0)))
    reach = min(far, max(RINGS_MIN) * v / 60.0) * 1.08
    for ax, (title, frame) in zip(axes[0], panels):
        gx, gy, tx, ty = timespace_xy(frame, v)
        ok = np.isfinite(tx)
        minutes = frame["minutes"].to_numpy(dtype=float)
        for ring in [r for r in RINGS_MIN if r * v / 60.0 <= reach]:
            ax.add_patch(plt.Circle((0, 0), ring * v / 60.0, fill=False, color="#555555", lw=0.8, ls="--"))
            ax.text(0, ring * v / 60.0, f"{ring} min", fontsize=8, color="#555555", ha="center", va="bottom")
        for i in np.flatnonzero(ok):
            ax.plot([gx[i], tx[i]], [gy[i], ty[i]], color="#bbbbbb", lw=0.5, zorder=1)
        inside = ok & (minutes <= RINGS_MIN[0])
        ax.scatter(gx[ok], gy[ok], s=6, color="#bbbbbb", zorder=2, label="where it lies")
        ax.scatter(tx[ok & ~inside], ty[ok & ~inside], s=18, color="#2b8cbe", zorder=3, label="by travel time")
        ax.scatter(tx[inside], ty[inside], s=26, color="#d7301f", zorder=4, label=f"within {RINGS_MIN[0]} min")
        ax.scatter([0], [0], marker="*", s=140, color="black", zorder=5)
        ax.text(0, 0, f"  {centre_label}", fontsize=9, va="center")
        ids = frame["place_id"].tolist()
        named = set(label_places) | set(frame.loc[frame["city"], "place_id"])
        for k, pid in enumerate(ids):
            if pid in named and ok[k]:
                ax.text(tx[k], ty[k], f" {frame['name_zh'].iloc[k]} {minutes[k]:.0f}", fontsize=8, zorder=6)
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.set_aspect("equal")
        ax.set_xlabel("km east of the centre (time-space: minutes x reference speed)", fontsize=8)
        ax.set_ylabel("km north", fontsize=8)
        within = int(inside.sum())
        ax.set_title(f"{title}\n{within} of {len(frame)} places within {RINGS_MIN[0]} min (red)", fontsize=10)
        missing = frame.loc[~ok, "name_zh"].tolist()
        if missing:
            ax.text(0.01, 0.01, "not reachable: " + "、".join(missing[:12]), transform=ax.transAxes, fontsize=7)
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"Time-space map {'to' if towards else 'from'} {centre_label} by {mode}: each place along its bearing "
        "at the distance its minutes "
        f"cover at {v:.0f} km/h (the median straight-line speed)",
        fontsize=10,
    )
    return _png(fig, warnings)


def frames_from_comparison(
    graph: Any, result: Any, target: str, mode: str = "best"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(before, after) :func:`timespace_frame` s towards ``target`` from a comparison's place table
    (``result.places``: its ``<mode>_before_min`` and ``<mode>_after_min``), with no new search:
    the time-space map shows the very minutes the comparison reports."""
    pos = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
    if target not in pos:
        raise KeyError(f"{target}: not a place of the network")
    c = pos[target]
    rows = result.places[(result.places["target"] == target) & (result.places["place_id"] != target)]
    rows = rows[rows["place_id"].isin(pos)].sort_values("place_id")
    ids = rows["place_id"].to_numpy()
    lon = np.array([pos[p]["lon"] for p in ids], dtype=float)
    lat = np.array([pos[p]["lat"] for p in ids], dtype=float)
    city = np.array([pos[p].get("place_kind") == "city" for p in ids])

    def frame(when: str) -> pd.DataFrame:
        minutes = pd.to_numeric(rows[f"{mode}_{when}_min"], errors="coerce").to_numpy(float)
        minutes = np.where(np.isnan(minutes), np.inf, minutes)  # no trip: unreachable, as timespace_frame gives it
        return _frame(ids, rows["name_zh"], rows["name_en"], lon, lat, (c["lon"], c["lat"]), minutes, city)

    return frame("before"), frame("after")


def _offset_lonlat(lon0: float, lat0: float, x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points ``x_km`` east and ``y_km`` north of (lon0, lat0), on a local flat approximation
    (good to well under 1 % over the few hundred km a time-space map spans)."""
    lat = lat0 + y_km / 111.32
    lon = lon0 + x_km / (111.32 * math.cos(math.radians(lat0)))
    return lon, lat


def add_timespace_layers(
    m: Any, panels: Sequence[tuple[str, pd.DataFrame]], centre: tuple[float, float], centre_label: str, v_ref_kph: float
) -> None:
    """The time-space maps of ``panels`` as layers of the folium map ``m`` (off at first; switch
    one on in the layer control): each place at its time-space position around ``centre``
    (lon, lat), a thin line from where it lies, the rings of :data:`RINGS_MIN` as circles, places
    within the first ring in red. The positions are the PNG's (:func:`timespace_xy`), drawn on
    the ground map so a planner can compare the two."""
    import html

    import folium

    lon0, lat0 = centre
    for title, frame in panels:
        group = folium.FeatureGroup(name=f"Time-space map, {title}", show=False)
        for ring in RINGS_MIN[:3]:
            folium.Circle(
                (lat0, lon0),
                radius=ring * v_ref_kph / 60.0 * 1000.0,
                color="#555555",
                weight=1,
                dash_array="6 4",
                fill=False,
                tooltip=f"{ring} min from {html.escape(centre_label)} at {v_ref_kph:.0f} km/h",
            ).add_to(group)
        _, _, tx, ty = timespace_xy(frame, v_ref_kph)
        ok = np.isfinite(tx)
        t_lon, t_lat = _offset_lonlat(lon0, lat0, np.where(ok, tx, 0.0), np.where(ok, ty, 0.0))
        minutes = frame["minutes"].to_numpy(dtype=float)
        for k in np.flatnonzero(ok):
            name = html.escape(f"{frame['name_zh'].iloc[k]} {frame['name_en'].iloc[k]}")
            folium.PolyLine(
                [(frame["lat"].iloc[k], frame["lon"].iloc[k]), (t_lat[k], t_lon[k])], color="#999999", weight=1
            ).add_to(group)
            folium.CircleMarker(  # small, ringed in black: not the place markers of the other layers
                (t_lat[k], t_lon[k]),
                radius=4,
                color="#000000",
                weight=2,
                fill=True,
                fill_opacity=0.9,
                fill_color="#d7301f" if minutes[k] <= RINGS_MIN[0] else "#2b8cbe",
                tooltip=f"{name}: {minutes[k]:.0f} min ({title})",
            ).add_to(group)
        group.add_to(m)
