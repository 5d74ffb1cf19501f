"""Checks every network must pass where it enters taihang (a GeoPackage from ``taihang build``, a
GMNS folder, an OpenStreetMap extract, the on-disk cache): the values a routing engine would
otherwise turn into a ``ZeroDivisionError``, a negative leg or a 0-minute 10 km link.

Each problem is one line ``file:layer/row: field: message`` (for a CSV, ``file:line``), all of
them found in one pass over the arrays and reported together, capped at :data:`MAX_SHOWN` lines
and "K more". The bounds, with their reasons:

=============================  =================  =============================================
check                          bound              why
=============================  =================  =============================================
coordinates                    lon -180..180,     on Earth, in degrees (EPSG:4326)
                               lat -90..90
a node near the rest           within            a node 10,000 km from the others is a typo or a
                               ``max(200 km, 10   projected coordinate read as degrees; 10 x the
                               x median)`` of     median distance from the median point leaves
                               the median point   room for any real region or province, and one
                                                  stray node cannot move the median
node references                0 <= index < n     an edge must join two nodes of the file
road speed                     1-200 km/h         no road's free-flow car speed is outside it
                                                  (the fastest legal limits are 130-150 km/h;
                                                  1 km/h is slower than walking)
link length                    > 0, <= 1,000 km   a link is a stretch between junctions
length vs straight line        >= 0.98 x straight a road is never shorter than the straight line
                               - 0.05 km          between its ends; 2 % and 50 m allow for rounded
                                                  lengths and node positions (AequilibraE's
                                                  Coquimbo model is within 0.4 % and 9 m)
link ids                       unique             one id, one link (two rows of a two-way link
                                                  share it after reading)
=============================  =================  =============================================
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from network.errors import DataError
from network.geo import haversine_km

MAX_SHOWN = 20
ROAD_SPEED_KPH = (1.0, 200.0)
LINK_MAX_KM = 1000.0
STRAIGHT_FACTOR = 0.98
STRAIGHT_SLACK_KM = 0.05
OUTLIER_MIN_KM = 200.0
OUTLIER_MEDIAN_FACTOR = 10.0


class Problems:
    """Problems of one input, collected and raised together (capped)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.count = 0

    def append(self, line: str) -> None:
        """A problem already written as ``where: field: message``."""
        self.count += 1
        if len(self.lines) < MAX_SHOWN:
            self.lines.append(line)

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, where: str, field: str, message: str) -> None:
        """One problem at ``where`` (``file:line`` or ``file:layer/row``) in ``field``."""
        self.count += 1
        if len(self.lines) < MAX_SHOWN:
            self.lines.append(f"{where}: {field}: {message}")

    def add_rows(
        self, bad: NDArray[np.bool_], where: Callable[[int], str], field: str, message: Callable[[int], str]
    ) -> None:
        """One problem per ``True`` row of ``bad`` (only the first :data:`MAX_SHOWN` are formatted)."""
        rows = np.flatnonzero(bad)
        for i in rows[: max(0, MAX_SHOWN - len(self.lines))]:
            self.lines.append(f"{where(int(i))}: {field}: {message(int(i))}")
        self.count += len(rows)

    def raise_if_any(self, fix: str) -> None:
        """Raise :class:`DataError` with every problem (capped) and ``fix``, if there is any."""
        if not self.count:
            return
        more = self.count - len(self.lines)
        tail = [f"… and {more:,} more"] if more > 0 else []
        raise DataError(f"{self.source}: {self.count:,} problem(s); {fix}:\n  " + "\n  ".join(self.lines + tail))


def check_points(
    problems: Problems, lon: NDArray[np.float64], lat: NDArray[np.float64], where: Callable[[int], str], field: str
) -> NDArray[np.bool_]:
    """Coordinates on Earth and near the rest; returns which rows are usable."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    on_earth = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    problems.add_rows(
        ~on_earth,
        where,
        field,
        lambda i: (
            f"({lon[i]}, {lat[i]}) is not a position on Earth; expected longitude -180..180 and "
            "latitude -90..90 in degrees (EPSG:4326)"
        ),
    )
    ok = np.flatnonzero(on_earth)
    if len(ok) >= 3:
        mid_lon, mid_lat = float(np.median(lon[ok])), float(np.median(lat[ok]))
        dist = np.full(len(lon), 0.0)
        dist[ok] = haversine_km(lon[ok], lat[ok], mid_lon, mid_lat)
        limit = max(OUTLIER_MIN_KM, OUTLIER_MEDIAN_FACTOR * float(np.median(dist[ok])))
        far = on_earth & (dist > limit)
        problems.add_rows(
            far,
            where,
            field,
            lambda i: (
                f"({lon[i]:.5f}, {lat[i]:.5f}) lies {dist[i]:,.0f} km from the middle of the network, "
                f"more than {limit:,.0f} km (10 x the median node's distance); check the coordinate (swapped, a typo, "
                "or projected units read as degrees)"
            ),
        )
        on_earth = on_earth & ~far
    return on_earth


def check_links(
    problems: Problems,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    length_km: NDArray[np.float64],
    speed_kph: NDArray[np.float64],
    where: Callable[[int], str],
    fields: tuple[str, str, str, str] = ("u", "v", "length_km", "speed_kph"),
    link_ids: NDArray[np.object_] | None = None,
    node_ok: NDArray[np.bool_] | None = None,
    report_refs: bool = True,
    shown: tuple[Callable[[int], str], Callable[[int], str]] | None = None,
) -> None:
    """Every link's node references (unless the caller has: ``report_refs``), length (positive,
    at most :data:`LINK_MAX_KM`, not shorter than the straight line between its nodes) and speed
    (:data:`ROAD_SPEED_KPH`); link ids unique. ``shown`` = (length, speed) as the file wrote
    them (its own units), for the messages."""
    n = len(lon)
    u = np.asarray(u)
    v = np.asarray(v)
    length = np.asarray(length_km, dtype=float)
    speed = np.asarray(speed_kph, dtype=float)
    refs = [(u, fields[0]), (v, fields[1])] if report_refs else []
    for ends, field in refs:

        def not_a_node(i: int, e: NDArray[np.int64] = ends) -> str:
            return f"{e[i]} is not a node of the network (nodes 0..{n - 1})"

        problems.add_rows((ends < 0) | (ends >= n), where, field, not_a_node)
    show_length, show_speed = shown or (lambda i: f"{length[i]:g} km", lambda i: f"{speed[i]:g} km/h")
    lo, hi = ROAD_SPEED_KPH
    bad_speed = ~(np.isfinite(speed) & (speed >= lo) & (speed <= hi))
    problems.add_rows(
        bad_speed,
        where,
        fields[3],
        lambda i: f"{show_speed(i)}; a road's free-flow speed lies between {lo:g} and {hi:g} km/h",
    )
    bad_length = ~(np.isfinite(length) & (length > 0) & (length <= LINK_MAX_KM))
    problems.add_rows(
        bad_length,
        where,
        fields[2],
        lambda i: f"{show_length(i)}; a link's length is more than 0 and at most {LINK_MAX_KM:,.0f} km",
    )
    valid = (u >= 0) & (u < n) & (v >= 0) & (v < n) & ~bad_length
    if node_ok is not None:
        valid &= node_ok[np.clip(u, 0, max(n - 1, 0))] & node_ok[np.clip(v, 0, max(n - 1, 0))]
    rows = np.flatnonzero(valid)
    if len(rows):
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        straight = np.zeros(len(length))
        straight[rows] = haversine_km(lon[u[rows]], lat[u[rows]], lon[v[rows]], lat[v[rows]])
        short = valid & (length < STRAIGHT_FACTOR * straight - STRAIGHT_SLACK_KM)
        problems.add_rows(
            short,
            where,
            fields[2],
            lambda i: (
                f"{show_length(i)} is shorter than the straight line between its nodes "
                f"({straight[i]:.3f} km; allowed down to {STRAIGHT_FACTOR:g} x it less "
                f"{STRAIGHT_SLACK_KM * 1000:.0f} m); "
                "check the length's unit and the node positions"
            ),
        )
    if link_ids is not None:
        import pandas as pd

        ids = np.asarray(link_ids, dtype=object)
        dup = pd.Series(ids).duplicated(keep="first").to_numpy()  # hashed: linear in the links
        problems.add_rows(dup, where, "link_id", lambda i: f"{ids[i]!r} appears before; link ids must be unique")
