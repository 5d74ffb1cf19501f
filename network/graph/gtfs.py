"""The network's scheduled services as a GTFS feed, so that another engine can check them.

Every rail, high-speed rail, coach and air service of a graph (the base network's and those a
scenario added) becomes a GTFS route with one trip per direction, its stop times from the
run-time model (the ride minutes of its edges, the dwell minutes at its stops) and its headway as
a frequency over the service day. Times are modelled, not timetabled: ``stop_times.txt`` marks
them ``timepoint=0`` (approximate) and ``feed_info.txt`` says where they come from.

The graph holds a service as a chain per direction: ``dep:<service>:<dir>:<stop>`` → (ride) →
``arr:<service>:<dir>:<next>`` → (dwell) → ``dep:<service>:<dir>:<next>`` …; a flight rides from
its departure node to the destination airport's ``airside`` node. The headway is on the wait edge
into the first departure.

Files written (https://gtfs.org/schedule/reference/): ``agency.txt``, ``stops.txt``,
``routes.txt``, ``trips.txt``, ``stop_times.txt``, ``frequencies.txt``, ``calendar.txt``,
``feed_info.txt``. Route types: 2 (rail; high-speed rail too, with ``route_desc`` saying so), 1
(metro), 3 (coach), 1100 (air, an extended type: basic GTFS has none for air).

A route's short name is its published train number where the service is one (D4618, G2405), and
empty otherwise (GTFS: "often a short, abstract identifier"; an internal id is neither); its long
name is the line's Chinese name and the service's English one, so two patterns of one line read
apart. Coach stations a scenario names once per coach line are one stop when they stand at one
point under one name, so a traveller changes coaches there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from typing import Any

import networkx as nx

from network.errors import DataError
from network.textrules import one_line

#: The service day the frequencies cover (assumed: intercity services run from early morning to
#: late evening; the model has no timetable, only headways).
SERVICE_START = "06:00:00"
SERVICE_END = "22:00:00"

#: Services this infrequent are written as their departures, each a trip (06:00 and every headway
#: after it while the day lasts), not as a frequency: a timetable of a few trains a day lists
#: them, and some GTFS readers keep headway_secs in 16 bits (at most 9 hours).
EXPLICIT_FROM_MIN = 180.0
_DAY_LENGTH_MIN = 16 * 60  # SERVICE_START to SERVICE_END

_ROUTE_TYPE = {"hsr": 2, "rail": 2, "metro": 1, "bus": 3, "air": 1100}
_MODE_WORDS = {
    "hsr": "high-speed rail",
    "rail": "conventional rail",
    "metro": "metro",
    "bus": "intercity coach",
    "air": "flight",
}


#: Where each trip's clock starts (its first departure): the start of the service day.
_DAY_START_MIN = 6 * 60


def _hms(minutes: float) -> str:
    seconds = int(round((minutes + _DAY_START_MIN) * 60.0))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _stop_key(graph: nx.MultiDiGraph, node: str) -> str:
    d = graph.nodes[node]
    if d.get("station_id"):
        return str(d["station_id"])
    if d["kind"] in ("airside", "airport"):
        return node.split(":", 1)[1]  # the airport's key, as its departures' station_id
    return node.rsplit(":", 1)[-1]


def services(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every service direction of the graph as ``{service_id, direction, mode, name_zh, name_en,
    headway_min, stops: [(stop key, node, arrival_min, departure_min, km)]}``, in a stable order."""
    rides: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for u, v, d in graph.edges(data=True):
        if d["kind"] == "ride" and d.get("service_id") and d.get("rule") != "rail_mix":  # not a strategy
            direction = u.split(":")[-2] if u.count(":") >= 3 else "1"
            rides[(str(d["service_id"]), direction)].append((u, v, d))
    out = []
    for (sid, direction), edges in sorted(rides.items()):
        by_dep = {u: (v, d) for u, v, d in edges}
        dwell_into: dict[str, float] = {}
        for _, v, _ in edges:
            for _, nxt, dd in graph.out_edges(v, data=True):
                if dd["kind"] == "dwell" and nxt in by_dep:
                    dwell_into[nxt] = float(dd["time_min"])
        firsts = sorted(u for u in by_dep if u not in dwell_into)
        if len(firsts) != 1:
            raise DataError(
                f"service {sid} direction {direction}: {len(firsts)} first stops ({firsts[:3]}); "
                "a service must run as one chain of stops per direction"
            )
        node, clock, km = firsts[0], 0.0, 0.0
        stops = [(_stop_key(graph, node), node, 0.0, 0.0, 0.0)]
        headway = next(
            (float(dd["headway_min"]) for _, _, dd in graph.in_edges(node, data=True) if dd.get("headway_min")), None
        )
        mode, first = str(edges[0][2]["mode"]), edges[0][2]
        seen = {node}
        while node in by_dep:
            v, d = by_dep[node]
            clock += float(d["time_min"])
            km += float(d.get("length_km", 0.0))
            nxt = next((x for _, x, dd in graph.out_edges(v, data=True) if dd["kind"] == "dwell" and x in by_dep), None)
            dwell = dwell_into[nxt] if nxt is not None else 0.0
            stops.append((_stop_key(graph, v), v, clock, clock + dwell, km))
            clock += dwell
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            node = nxt
        out.append(
            {
                "service_id": sid,
                "direction": direction,
                "mode": mode,
                "name_zh": str(first.get("name_zh", sid)),
                "name_en": str(first.get("name_en", sid)),
                "line_id": str(first.get("line_id", "")),
                "headway_min": headway,
                "stops": stops,
            }
        )
    return out


#: A published train number at the end of a service id (``zhengtai_d4618`` → D4618).
_TRAIN_NUMBER = re.compile(r"_([gdckzt]\d{1,5})$")


def short_name(service_id: str) -> str:
    """The published train number a service id ends with, upper case, or "" (module docstring)."""
    m = _TRAIN_NUMBER.search(service_id)
    return m.group(1).upper() if m else ""


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    """A GTFS table; every text field on one line (:func:`network.textrules.one_line`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([one_line(x) for x in row] for row in rows)
    return buf.getvalue()


def contact_fields(contact: str | None) -> dict[str, str]:
    """``feed_info``'s contact columns for ``contact``: an e-mail address or an http(s) URL of
    whoever publishes the feed (the user who exports it: taihang is a model, not an operator)."""
    if not contact:
        return {}
    contact = contact.strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
        return {"feed_contact_email": contact}
    if re.fullmatch(r"https?://\S+", contact):
        return {"feed_contact_url": contact}
    raise DataError(
        f"--contact {contact!r}: expected an e-mail address (planner@example.org) or a web address "
        "(https://example.org/feedback) of whoever answers for this feed"
    )


def gtfs_tables(
    graph: nx.MultiDiGraph,
    as_of: str,
    label: str,
    version: str,
    runs: list[dict[str, Any]] | None = None,
    contact: str | None = None,
) -> dict[str, str]:
    """The feed's files (name → CSV text) for the services of ``graph`` on the date ``as_of``
    (``label``: the network or scenario named in ``feed_info.txt``; ``runs``: :func:`services`
    of the graph, if the caller has them; ``contact``: :func:`contact_fields`)."""
    runs = services(graph) if runs is None else runs
    contacts = contact_fields(contact)
    if not runs:
        raise DataError(f"{label}: the network has no scheduled service (rail, coach or air) to write as GTFS")
    stops: dict[str, list[Any]] = {}
    same_point: dict[tuple[str, str, str], str] = {}  # coach stations of several lines: one stop
    stop_of: dict[str, str] = {}
    for r in runs:
        for key, node, *_ in r["stops"]:
            d = graph.nodes[node]
            row = [key, d.get("name_zh") or key, d.get("name_en") or "", f"{d['lat']:.6f}", f"{d['lon']:.6f}"]
            stop_of[key] = same_point.setdefault((row[1], row[3], row[4]), key)
            stops.setdefault(stop_of[key], row)
    routes: dict[str, list[Any]] = {}
    trips, stop_times, freqs = [], [], []
    for r in runs:
        routes.setdefault(
            r["service_id"],
            [
                r["service_id"],
                "taihang",
                short_name(r["service_id"]),
                f"{r['name_zh']} · {r['name_en']}",
                f"{_MODE_WORDS.get(r['mode'], r['mode'])}; times modelled from lengths, speeds and dwells, "
                "not a timetable",
                _ROUTE_TYPE.get(r["mode"], 2),
            ],
        )
        base_id = f"{r['service_id']}:{r['direction']}"
        headway = r["headway_min"]
        if headway and headway < EXPLICIT_FROM_MIN:  # frequent: one trip and its headway
            starts, ids = [0.0], [base_id]
            freqs.append([base_id, SERVICE_START, SERVICE_END, int(round(headway * 60)), 0])
        else:  # a few a day: each departure its own trip, from the start of the day every headway
            n = max(1, int(_DAY_LENGTH_MIN // headway) + 1) if headway else 1
            starts = [k * float(headway or 0.0) for k in range(n)]
            ids = [f"{base_id}:{k + 1}" for k in range(n)]
        for offset, trip_id in zip(starts, ids):
            last = stops[stop_of[r["stops"][-1][0]]]
            trips.append([r["service_id"], "daily", trip_id, 0 if r["direction"] != "-1" else 1, last[1]])
            for seq, (key, _, arr, dep, km) in enumerate(r["stops"], start=1):
                stop_times.append([trip_id, _hms(arr + offset), _hms(dep + offset), stop_of[key], seq, f"{km:.3f}", 0])
    start = dt.date.fromisoformat(as_of)
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    day = start.strftime("%Y%m%d")
    return {
        "agency.txt": _csv(
            ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
            [["taihang", "taihang model services (not an operator)", "https://gtfs.org", "Asia/Shanghai", "zh"]],
        ),
        "stops.txt": _csv(["stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon"], sorted(stops.values())),
        "routes.txt": _csv(
            ["route_id", "agency_id", "route_short_name", "route_long_name", "route_desc", "route_type"],
            sorted(routes.values()),
        ),
        "trips.txt": _csv(["route_id", "service_id", "trip_id", "direction_id", "trip_headsign"], trips),
        "stop_times.txt": _csv(
            [
                "trip_id",
                "arrival_time",
                "departure_time",
                "stop_id",
                "stop_sequence",
                "shape_dist_traveled",
                "timepoint",
            ],
            stop_times,
        ),
        "frequencies.txt": _csv(["trip_id", "start_time", "end_time", "headway_secs", "exact_times"], freqs),
        "calendar.txt": _csv(
            ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            + ["start_date", "end_date"],
            [["daily", 1, 1, 1, 1, 1, 1, 1, day, end.strftime("%Y%m%d")]],
        ),
        "feed_info.txt": _csv(
            ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date"]
            + ["feed_version", *contacts],
            [
                [
                    "taihang",
                    "https://gtfs.org",
                    "zh",
                    day,
                    end.strftime("%Y%m%d"),
                    f"taihang {version}: {label}, {as_of}",
                    *contacts.values(),
                ]
            ],
        ),
    }


def feed_zip(tables: dict[str, str]) -> bytes:
    """The feed as one .zip (what most GTFS tools read), the same bytes for the same tables: files
    in name order, each dated 1980-01-01 (the zip format's first day)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(tables):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, tables[name].encode("utf-8"))
    return buf.getvalue()
