"""Apply a scenario to a built network: a new graph and routing arrays, the base left untouched.

In: a :class:`~network.graph.network.Network` (the base network for a date) and a
:class:`~network.scenario.load.Scenario`. Out: a new ``Network`` whose graph is a copy of the base
with the changes made, plus an :class:`ApplyReport` (what was added, changed, removed, skipped,
and notes such as "freight only").

Names are resolved against the network's registries (every curated station, open or not; places;
airports; corridor refs and names; line ids and names), never against internal node numbers, so
a file applies to any network that has the same names. An unknown name is a
:class:`~network.errors.ScenarioError` naming file, line and field, with close matches.

Routing arrays are not rebuilt from the graph: the base :class:`EdgeTable` is extended with the
new nodes and edges (appended), removed edges are masked and changed edges re-timed in place;
the CSR matrices are then assembled from those arrays (vectorised, a few ms).

A change applies when its ``opened`` year is not after the network's year; later ones are skipped
and listed. How each change is modelled:

* ``add_rail_line``: stations by name or position; section lengths from ``length_km``
  (split in proportion to straight lines through ``via`` points) or straight line x circuity;
  trains at ``operating_speed_kph`` (else design speed) through the same kinematic run-time model
  as existing lines; services with waits from headways. Freight-only lines add no passenger
  edges.
* ``add_road``: a node at every waypoint joined to the nearest road nodes (an interchange),
  links between them; expressway speed = design speed (capped at the legal 120 km/h), other
  classes design speed x ``ordinary_road_speed_factor``.
* ``upgrade_road``: the corridor's links get the new speed; lanes are recorded only (the model
  has free-flow speeds, so a widening alone changes no time; the report says so).
* ``add_service``: a service on a curated or scenario line (restores a freight line too).
* ``change_service``: an existing service with new stops and/or headway (removed and re-added).
* ``add_airport``: landside and airside nodes with processing times, road connectors, and
  scheduled routes (wait from headway + block time).
* ``add_bus_service``: coach stops at the named places/stations (boarding time, wait from
  headway), riding the car's fastest road path at min(link speed, ``bus_max_speed_kph``).
* ``add_freight_facility``: recorded; no passenger effect.
* ``close``: a corridor falls back to the ordinary road speed on its geometry (or its added links
  go); a line (or a section ``between`` two stations) loses its rides; a service or a scenario
  road is removed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from network.errors import ScenarioError
from network.geo import haversine_km, to_local_xy_km
from network.graph.build import GraphBuilder, line_km_posts
from network.graph.edges import extend_edge_table
from network.graph.lookup import norm_name, short_place_name
from network.graph.network import Network
from network.graph.road_layer import closed_road_attrs, road_speed_kph, road_time_min
from network.routing.compile import compile_edges
from network.routing.engine import search, walk_back
from network.scenario.load import LocatedChange, Scenario
from network.sources.default import REGION_BBOX
from network.yamlio import dotted


@dataclass
class ApplyReport:
    """What applying a scenario did."""

    scenario: str
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    changed_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    removed_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    added_nodes: list[str] = field(default_factory=list)


class _RecordingGraph(nx.MultiDiGraph):
    """A MultiDiGraph that records the nodes and edges added while ``recording`` is on."""

    recording = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_nodes: list[str] = []
        self.new_edges: list[tuple[str, str, Any]] = []

    def add_node(self, node_for_adding: Any, **attr: Any) -> None:
        if self.recording and node_for_adding not in self._node:
            self.new_nodes.append(node_for_adding)
        super().add_node(node_for_adding, **attr)

    def add_edge(self, u_for_edge: Any, v_for_edge: Any, key: Any = None, **attr: Any) -> Any:
        if self.recording:
            for n in (u_for_edge, v_for_edge):
                if n not in self._node:
                    raise ScenarioError([f"internal: edge to unknown node {n!r}"])
        k = super().add_edge(u_for_edge, v_for_edge, key=key, **attr)
        if self.recording:
            self.new_edges.append((u_for_edge, v_for_edge, k))
        return k


def _copy(graph: nx.MultiDiGraph) -> _RecordingGraph:
    g = _RecordingGraph()
    g.graph.update(graph.graph)
    g.add_nodes_from(graph.nodes(data=True))
    g.add_edges_from(graph.edges(keys=True, data=True))
    for _, _, d in g.edges(data=True):  # fresh dicts: edits never reach the base graph
        if "geometry" in d:
            d["geometry"] = list(d["geometry"])
    return g


class _Names:
    """Name → thing, with close-match suggestions on a miss."""

    def __init__(self, what: str):
        self.what = what
        self.table: dict[str, Any] = {}

    def add(self, names: list[str | None], thing: Any) -> None:
        for n in names:
            if n:
                self.table.setdefault(norm_name(n), thing)

    def get(self, name: str, where: str, problems: list[str]) -> Any:
        hit = self.table.get(norm_name(name))
        if hit is None:
            close = difflib.get_close_matches(norm_name(name), list(self.table), n=4, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(f"{where}: unknown {self.what} {name!r}{hint}")
        return hit


#: A route length above this multiple of the straight line is taken for a typing error: the
#: steepest descent in data/ (焦作–晋城东 down the Taihang) is 1.5 x, mountain roads 1.5-2 x.
MAX_CIRCUITY = 3.0
#: Gate-to-gate speed no airliner reaches: cruise is about 850-900 km/h (A320/B737 class), and a
#: block time includes taxi, climb and descent.
MAX_BLOCK_SPEED_KPH = 900.0


class _Applier:
    def __init__(self, network: Network, scenario: Scenario):
        self.net = network
        self.scenario = scenario
        self.a = network.assumptions
        self.as_of = dt.date.fromisoformat(network.as_of)
        self.g = _copy(network.graph)
        data = network.data
        bbox = network.graph.graph.get("bbox", REGION_BBOX)
        self.b = GraphBuilder(data, network.roads, self.a, self.as_of, bbox=bbox, graph=self.g)
        self.b.stations = {sid: dict(s) for sid, s in self.b.stations.items()}
        self.report = ApplyReport(scenario=scenario.name)
        self.problems: list[str] = []
        self.lines = {ln["line_id"]: ln for ln in data.lines}
        #: one handler per change type of :mod:`network.scenario.schema` (a test checks they match)
        self.handlers: dict[str, Callable[[LocatedChange], None]] = {
            "add_rail_line": self.add_rail_line,
            "add_service": self.add_service,
            "change_service": self.change_service,
            "add_road": self.add_road,
            "upgrade_road": self.upgrade_road,
            "add_airport": self.add_airport,
            "add_bus_service": self.add_bus_service,
            "add_freight_facility": self.add_freight_facility,
            "close": self.close,
        }
        self.stations = _Names("station")
        for sid, s in self.b.stations.items():
            self.stations.add([sid, s["name_zh"], s["name_zh"] + "站", s["name_en"], s["name_en"] + " station"], sid)
        self.places = _Names("place, station or airport")
        for p in data.places:
            self.places.add(
                [p["place_id"], p["name_zh"], p["name_en"], short_place_name(p["name_zh"])],
                ("place", p["place_id"], p["lon"], p["lat"], p["name_zh"], p["name_en"]),
            )
        for sid, s in self.b.stations.items():
            self.places.add(
                [s["name_zh"] + "站", s["name_en"] + " station", sid],
                ("station", sid, s["lon"], s["lat"], s["name_zh"], s["name_en"]),
            )
            self.places.add([s["name_zh"]], ("station", sid, s["lon"], s["lat"], s["name_zh"], s["name_en"]))
        self.airports = _Names("airport")
        for n, d in self.g.nodes(data=True):
            if d["kind"] == "airport":
                self.airports.add([d["iata"], d["name_zh"], d["name_en"]], n.split(":", 1)[1])
                self.places.add(
                    [d["iata"], d["name_zh"], d["name_en"]],
                    ("airport", n.split(":", 1)[1], d["lon"], d["lat"], d["name_zh"], d["name_en"]),
                )
        self.line_names = _Names("line")
        for lid, ln in self.lines.items():
            self.line_names.add(
                [
                    lid,
                    ln["name_zh"],
                    ln["name_en"],
                    re.split(r"\s*[(（]", ln["name_zh"])[0],
                    re.split(r"\s*[(（]", ln["name_en"])[0],
                ],
                lid,
            )
        self.corridors = _Names("corridor")
        by_ref: dict[str, list[str]] = {}
        for c in data.corridors:
            short = re.match(r"^(.+?高速)", c["name_zh"])
            self.corridors.add(
                [c["corridor_id"], c["name_zh"], c["name_en"], short.group(1) if short else None], [c["corridor_id"]]
            )
            if c["ref"]:
                by_ref.setdefault(c["ref"], []).append(c["corridor_id"])
        for ref, ids in by_ref.items():
            self.corridors.add([ref], ids)
        self.services = _Names("service")
        for _, _, d in self.g.edges(data=True):
            if d.get("service_id"):
                self.services.add([d["service_id"]], d["service_id"])

    # -- helpers -------------------------------------------------------------------------------
    def _station_id(self, stop: Any, lc: LocatedChange, *loc: Any) -> str | None:
        if isinstance(stop, str):
            return self.stations.get(stop, f"{lc.where(*loc)}: {dotted(loc)}", self.problems)
        if hasattr(stop, "station"):
            return self.stations.get(stop.station, f"{lc.where(*loc)}: {dotted(loc)}.station", self.problems)
        sid = stop.id
        if sid in self.b.stations and self.b.stations[sid].get("scenario") is None:
            self.problems.append(
                f"{lc.where(*loc)}: new station id {sid!r} is already an existing station; refer to it by name instead"
            )
            return None
        self._check_in_region(stop.lon, stop.lat, lc, *loc)
        self.b.stations[sid] = {
            "station_id": sid,
            "name_zh": stop.name_zh,
            "name_en": stop.name_en,
            "lon": stop.lon,
            "lat": stop.lat,
            "opened": None,
            "scenario": lc.scenario,
            "position_source": f"scenario {lc.file} (planned position)",
        }
        self.stations.add([sid, stop.name_zh, stop.name_zh + "站", stop.name_en], sid)
        return sid

    def _check_in_region(self, lon: float, lat: float, lc: LocatedChange, *loc: Any) -> None:
        west, south, east, north = self.b.bbox
        if not (west <= lon <= east and south <= lat <= north):
            self.problems.append(
                f"{lc.where(*loc)}: position lon {lon}, lat {lat} lies outside the region "
                f"{west}..{east} E, {south}..{north} N; coordinates are [lon, lat] in WGS84"
            )

    def _record_change(self, key: tuple[str, str, Any], **attrs: Any) -> None:
        self.g.edges[key].update(attrs)
        self.report.changed_edges.append(key)

    def _remove(self, key: tuple[str, str, Any]) -> None:
        self.g.remove_edge(*key)
        self.report.removed_edges.append(key)

    # -- change types --------------------------------------------------------------------------
    def add_rail_line(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        ids: list[str] = []
        via: list[list[tuple[float, float]]] = []
        for i, stop in enumerate(ch.stations):
            sid = self._station_id(stop, lc, "stations", i)
            if sid is not None:
                ids.append(sid)
                via.append([tuple(p) for p in getattr(stop, "via", [])])
        if len(ids) != len(ch.stations) or self.problems:
            return
        if len(set(ids)) != len(ids):
            self.problems.append(f"{lc.where('stations')}: stations: a station appears twice on line {ch.id!r}")
            return
        pos = [(self.b.stations[s]["lon"], self.b.stations[s]["lat"]) for s in ids]
        polylines = [[pos[i], *via[i], pos[i + 1]] for i in range(len(ids) - 1)]
        straight = np.array(
            [sum(float(haversine_km(p[0], p[1], q[0], q[1])) for p, q in zip(pl, pl[1:])) for pl in polylines]
        )
        if ch.length_km:
            chain = float(straight.sum())
            if ch.length_km < chain * 0.98:  # 2 % for station positions placed to about a km
                self.problems.append(
                    f"{lc.where('length_km')}: length_km: {ch.length_km:g} km is shorter than the "
                    f"{chain:.1f} km straight line through its stations; give the route length"
                )
                return
            if ch.length_km > chain * MAX_CIRCUITY:
                self.problems.append(
                    f"{lc.where('length_km')}: length_km: {ch.length_km:g} km is more than "
                    f"{MAX_CIRCUITY:g} x the {chain:.1f} km straight line through its stations; "
                    "check the length or the stations"
                )
                return
            sections = straight / straight.sum() * ch.length_km
        else:
            sections = straight * (ch.circuity or a.new_rail_circuity)
        km = np.concatenate([[0.0], np.cumsum(sections)])
        speed = (ch.operating_speed_kph or ch.design_speed_kph) * a.new_line_speed_factor
        line = {
            "line_id": ch.id,
            "name_zh": ch.name_zh,
            "name_en": ch.name_en,
            "mode": ch.mode,
            "source": f"scenario {lc.file}",
            "passenger_until": None,
            "stations": [
                {
                    "station": s,
                    "km": float(k),
                    "speed_kph_to_next": speed if i < len(ids) - 1 else None,
                    "opened_to_next": None,
                }
                for i, (s, k) in enumerate(zip(ids, km))
            ],
        }
        self.lines[ch.id] = line
        self.line_names.add([ch.id, ch.name_zh, ch.name_en], ch.id)
        for i, pl in enumerate(polylines):
            self.b.section_geometry[(ch.id, i)] = [(float(x), float(y)) for x, y in pl]
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: freight-only line; it carries no passengers, so passenger "
                "accessibility is not what it changes"
            )
            return
        for j, svc in enumerate(ch.services):
            if svc.continues_on is None:
                self._add_service(lc, line, svc.id, svc.stops, svc.headway_min, svc.name_en, ("services", j, "stops"))
                continue
            through = self._through_line(lc, line, svc, j)
            if through is not None:
                own = (
                    [s["station"] for s in line["stations"]]
                    if svc.stops == "all"
                    else [self._station_id(n, lc, "services", j, "stops", k) for k, n in enumerate(svc.stops)]
                )
                if None in own:
                    return
                if len(own) < 2:
                    self.problems.append(
                        f"{lc.where('services', j, 'stops')}: services[{j}].stops: a service needs "
                        "at least two stops (or 'all')"
                    )
                    return
                if own[-1] != through["stations"][len(line["stations"]) - 1]["station"]:
                    own = own[::-1]
                extra = [
                    self._station_id(n, lc, "services", j, "continues_on", "stops", k)
                    for k, n in enumerate(svc.continues_on.stops)
                ]
                if None in extra:
                    return
                self._add_service(
                    lc,
                    through,
                    svc.id,
                    own + extra,
                    svc.headway_min,
                    svc.name_en,
                    ("services", j, "continues_on", "stops"),
                    by_id=True,
                )

    def _through_line(self, lc: LocatedChange, line: dict[str, Any], svc: Any, j: int) -> dict[str, Any] | None:
        """A composite line: the new line, then the existing line from the junction (the new
        line's end station) towards the service's continuing stops."""
        loc = ("services", j, "continues_on")
        lid = self.line_names.get(svc.continues_on.line, f"{lc.where(*loc, 'line')}: continues_on.line", self.problems)
        if lid is None:
            return None
        other = self.lines[lid]
        o_ids = [s["station"] for s in other["stations"]]
        n_ids = [s["station"] for s in line["stations"]]
        stations = list(line["stations"])
        if n_ids[0] in o_ids and n_ids[-1] not in o_ids:
            stations = [dict(s) for s in stations[::-1]]
            total = stations[0]["km"]
            for k, s in enumerate(stations):
                s["km"] = total - s["km"]
                last = k >= len(n_ids) - 1
                s["speed_kph_to_next"] = None if last else line["stations"][len(n_ids) - 2 - k]["speed_kph_to_next"]
        junction = stations[-1]["station"]
        if junction not in o_ids:
            self.problems.append(
                f"{lc.where(*loc)}: continues_on: line {line['line_id']!r} does not end at a station "
                f"of {lid!r} (its stations: {', '.join(o_ids)}); the junction must be an end station"
            )
            return None
        first = self._station_id(svc.continues_on.stops[0], lc, *loc, "stops", 0)
        if first is None or first not in o_ids:
            if first is not None:
                self.problems.append(f"{lc.where(*loc, 'stops')}: continues_on.stops[0]: not a station of {lid!r}")
            return None
        o_km = line_km_posts(other, self.b.stations)
        ji, fi = o_ids.index(junction), o_ids.index(first)
        step = 1 if fi > ji else -1
        base_km = stations[-1]["km"]
        out = [dict(s) for s in stations[:-1]]
        idx = list(range(ji, (len(o_ids) if step > 0 else -1), step))
        for n, i in enumerate(idx):
            nxt = i + step
            speed = None
            if n < len(idx) - 1:
                speed = other["stations"][min(i, nxt)]["speed_kph_to_next"]
            out.append(
                {
                    "station": o_ids[i],
                    "km": base_km + abs(o_km[i] - o_km[ji]),
                    "speed_kph_to_next": speed,
                    "opened_to_next": (
                        other["stations"][min(i, nxt)].get("opened_to_next") if n < len(idx) - 1 else None
                    ),
                }
            )
        return {
            "line_id": f"{line['line_id']}+{lid}",
            "name_zh": line["name_zh"],
            "name_en": line["name_en"],
            "mode": line["mode"],
            "source": line["source"],
            "passenger_until": None,
            "stations": out,
        }

    def _add_service(
        self,
        lc: LocatedChange,
        line: dict[str, Any],
        sid: str,
        stops: Any,
        headway: float,
        name_en: str | None,
        loc: tuple[Any, ...],
        by_id: bool = False,
    ) -> None:
        ids = [s["station"] for s in line["stations"]]
        if stops == "all":
            stop_ids = ids
        else:
            stop_ids = []
            for k, name in enumerate(stops):
                st = name if by_id else self._station_id(name, lc, *loc, k)
                if st is None:
                    return
                if st not in ids:
                    self.problems.append(
                        f"{lc.where(*loc, k)}: {dotted(loc)}[{k}]: station {name!r} "
                        f"is not on line {line['line_id']!r} (its stations: {', '.join(ids)})"
                    )
                    continue
                stop_ids.append(st)
            order = [ids.index(s) for s in stop_ids]
            if order != sorted(order) and order != sorted(order, reverse=True):
                self.problems.append(f"{lc.where(*loc)}: {dotted(loc)}: stops must be in line order")
            if len(stop_ids) < 2:
                self.problems.append(f"{lc.where(*loc)}: {dotted(loc)}: a service needs two or more stops")
            if self.problems:
                return
            if order and order[0] > order[-1]:
                stop_ids = stop_ids[::-1]
        self.b.add_service(
            {"service_id": sid, "line": line["line_id"], "stops": stop_ids, "headway_min": headway, "name_en": name_en},
            line,
        )

    def add_service(self, lc: LocatedChange) -> None:
        ch = lc.change
        lid = self.line_names.get(ch.line, f"{lc.where('line')}: line", self.problems)
        if lid is None:
            return
        line = self.lines[lid]
        if line.get("passenger_until") is not None and line["passenger_until"] <= self.as_of:
            self.report.notes.append(
                f"{ch.id}: restores passenger service on {line['name_zh']} "
                f"(freight only since {line['passenger_until']})"
            )
        self._add_service(lc, line, ch.id, ch.stops, ch.headway_min, ch.name_en, ("stops",))

    def change_service(self, lc: LocatedChange) -> None:
        """Remove the service's edges and add it again with the new stops and/or headway."""
        ch = lc.change
        known = {s["service_id"]: s for s in self.net.data.services}
        svc = known.get(ch.service)
        if svc is None:
            close = difflib.get_close_matches(ch.service, list(known), n=4, cutoff=0.5)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else f"; known: {', '.join(sorted(known))}"
            self.problems.append(f"{lc.where('service')}: service: unknown service {ch.service!r}{hint}")
            return
        for u, v, k, d in list(self.g.edges(keys=True, data=True)):
            if d.get("service_id") == ch.service:
                self._remove((u, v, k))
        line = self.lines[svc["line"]]
        stops = ch.stops if ch.stops is not None else svc["stops"]
        self._add_service(
            lc,
            line,
            ch.service,
            stops,
            ch.headway_min or svc["headway_min"],
            svc.get("name_en"),
            ("stops",),
            by_id=ch.stops is None,
        )

    def _point(self, item: Any, lc: LocatedChange, *loc: Any) -> tuple[float, float, str] | None:
        if isinstance(item, str):
            hit = self.places.get(item, f"{lc.where(*loc)}: {dotted(loc)}", self.problems)
            return None if hit is None else (float(hit[2]), float(hit[3]), hit[4])
        lon, lat = float(item[0]), float(item[1])
        self._check_in_region(lon, lat, lc, *loc)
        return lon, lat, f"{lon:.3f},{lat:.3f}"

    def add_road(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        found = [self._point(w, lc, "waypoints", i) for i, w in enumerate(ch.waypoints)]
        if any(p is None for p in found) or self.problems:
            return
        pts = [p for p in found if p is not None]
        seg = np.array([float(haversine_km(p[0], p[1], q[0], q[1])) for p, q in zip(pts, pts[1:])])
        if (seg <= 0).any():
            self.problems.append(f"{lc.where('waypoints')}: waypoints: two consecutive waypoints are the same point")
            return
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: built for through freight; cars may use it too, so it is modelled as an open road"
            )
        chain = float(seg.sum())
        if ch.length_km and not chain * 0.98 <= ch.length_km <= chain * MAX_CIRCUITY:
            self.problems.append(
                f"{lc.where('length_km')}: length_km: {ch.length_km:g} km against a {chain:.1f} km "
                f"straight line through its waypoints; a road is at least that long and at most "
                f"{MAX_CIRCUITY:g} x it: check the length or the waypoints"
            )
            return
        lengths = seg / seg.sum() * ch.length_km if ch.length_km else seg * a.new_road_circuity
        if ch.road_class == "expressway":
            speed = min(ch.design_speed_kph, a.expressway_speed_cap_kph)
        else:
            speed = min(ch.design_speed_kph * a.ordinary_road_speed_factor, a.expressway_speed_cap_kph)
        nodes = []
        for k, p in enumerate(pts):
            node = f"rs:{ch.id}:{k}"
            self.g.add_node(
                node,
                kind="road",
                lon=p[0],
                lat=p[1],
                name_zh=p[2],
                name_en=p[2],
                source=f"scenario {lc.file}",
            )
            self.b.connect(node, p[0], p[1], 0.0)
            nodes.append(node)
        attrs = {
            "mode": "road",
            "kind": "link",
            "road_class": ch.road_class,
            "ref": ch.ref,
            "name_zh": ch.name_zh,
            "name_en": ch.name_en,
            "corridor_id": ch.id,
            "lanes": ch.lanes,
            "opened": str(ch.opened),
            "speed_kph": speed,
            "source": f"scenario {lc.file}",
        }
        for (x, y), km in zip(zip(nodes, nodes[1:]), lengths.tolist()):
            for u, v in ((x, y), (y, x)):
                self.g.add_edge(u, v, key=f"corridor:{ch.id}", length_km=km, time_min=km / speed * 60.0, **attrs)

    def _corridor_edges(self, name: str, lc: LocatedChange, field_name: str) -> list[tuple[str, str, Any]]:
        ids = self.corridors.get(name, f"{lc.where(field_name)}: {field_name}", self.problems)
        if ids is None:
            return []
        wanted = set(ids)
        keys = [(u, v, k) for u, v, k, d in self.g.edges(keys=True, data=True) if d.get("corridor_id") in wanted]
        if not keys:
            self.problems.append(
                f"{lc.where(field_name)}: {field_name}: corridor {name!r} is not open on "
                f"{self.as_of} in this network, so it cannot be changed; check its opening year"
            )
        return keys

    def upgrade_road(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        keys = self._corridor_edges(ch.corridor, lc, "corridor")
        for key in keys:
            d = self.g.edges[key]
            attrs: dict[str, Any] = {"lanes": ch.lanes} if ch.lanes else {}
            if ch.design_speed_kph:
                cls = (
                    d.get("road_class")
                    if d.get("road_class") in ("expressway", "national", "provincial")
                    else "expressway"
                )
                speed = road_speed_kph(cls, {"design_speed_kph": ch.design_speed_kph}, a)
                if speed > d.get("speed_kph", 0):
                    attrs.update(
                        speed_kph=speed,
                        design_speed_kph=ch.design_speed_kph,
                        time_min=road_time_min(d["length_km"], float(d.get("urban_km", 0.0)), cls, speed, a),
                    )
            self._record_change(key, **attrs)
        if keys and ch.design_speed_kph is None:
            self.report.notes.append(
                f"{ch.corridor}: widening only (lanes {ch.lanes}); free-flow speeds have "
                "no congestion, so the model shows no time change from capacity"
            )

    def add_airport(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        self._check_in_region(ch.lon, ch.lat, lc, "lon")
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: general-aviation airfield without scheduled passenger "
                "service; it does not change passenger accessibility"
            )
            return
        self._airport_nodes(
            ch.id,
            ch.iata or ch.id.upper()[:3],
            ch.name_zh,
            ch.name_en,
            ch.lon,
            ch.lat,
            ch.departure_processing_min or a.airport_departure_processing_min,
            ch.arrival_processing_min or a.airport_arrival_processing_min,
            f"scenario {lc.file}",
        )
        self.airports.add([ch.id, ch.iata, ch.name_zh, ch.name_en], ch.id)
        for j, r in enumerate(ch.routes):
            if isinstance(r.to, str):
                to = self.airports.get(r.to, f"{lc.where('routes', j, 'to')}: routes[{j}].to", self.problems)
                if to is None:
                    continue
            else:
                to = r.to.iata.lower()
                if f"airport:{to}" not in self.g:
                    self._airport_nodes(
                        to,
                        r.to.iata,
                        r.to.name_zh,
                        r.to.name_en,
                        r.to.lon,
                        r.to.lat,
                        a.airport_departure_processing_min,
                        a.airport_arrival_processing_min,
                        f"scenario {lc.file}",
                    )
            for x, y in ((ch.id, to), (to, ch.id)):
                sid = f"air-{ch.id}-{x}-{y}"
                dep = f"dep:{sid}:1:{x}"
                xd = self.g.nodes[f"airport:{x}"]
                self.g.add_node(
                    dep,
                    kind="stop_dep",
                    lon=xd["lon"],
                    lat=xd["lat"],
                    name_zh=xd["name_zh"],
                    name_en=xd["name_en"],
                    service_id=sid,
                )
                info = {
                    "mode": "air",
                    "service_id": sid,
                    "name_zh": f"{xd['name_zh']} 航线",
                    "name_en": "flight",
                    "source": f"scenario {lc.file}",
                }
                self.g.add_edge(
                    f"airside:{x}",
                    dep,
                    kind="wait",
                    length_km=0.0,
                    headway_min=r.headway_min,
                    time_min=min(r.headway_min * a.headway_factor / 2.0, a.wait_cap_min),
                    **info,
                )
                yd = self.g.nodes[f"airport:{y}"]
                km = float(haversine_km(xd["lon"], xd["lat"], yd["lon"], yd["lat"]))
                if km / (r.block_min / 60.0) > MAX_BLOCK_SPEED_KPH:
                    self.problems.append(
                        f"{lc.where('routes', j, 'block_min')}: routes[{j}].block_min: "
                        f"{r.block_min:g} min for {km:.0f} km is {km / (r.block_min / 60.0):.0f} km/h "
                        f"gate to gate, faster than an airliner ({MAX_BLOCK_SPEED_KPH:g} km/h); "
                        "give the scheduled block time"
                    )
                    return
                self.g.add_edge(
                    dep,
                    f"airside:{y}",
                    kind="ride",
                    time_min=r.block_min,
                    length_km=float(haversine_km(xd["lon"], xd["lat"], yd["lon"], yd["lat"])),
                    **info,
                )

    def _airport_nodes(
        self,
        aid: str,
        iata: str,
        name_zh: str,
        name_en: str,
        lon: float,
        lat: float,
        dep_min: float,
        arr_min: float,
        source: str,
    ) -> None:
        land, air = f"airport:{aid}", f"airside:{aid}"
        attrs = {"lon": lon, "lat": lat, "name_zh": name_zh, "name_en": name_en, "iata": iata, "source": source}
        self.g.add_node(land, kind="airport", **attrs)
        self.g.add_node(air, kind="airside", **attrs)
        self.g.add_edge(
            land,
            air,
            mode="air",
            kind="processing",
            length_km=0.0,
            time_min=dep_min,
            source="airport departure processing",
        )
        self.g.add_edge(
            air,
            land,
            mode="air",
            kind="processing",
            length_km=0.0,
            time_min=arr_min,
            source="airport arrival processing",
        )
        west, south, east, north = self.b.bbox
        if west <= lon <= east and south <= lat <= north:
            self.b.connect(land, lon, lat, 0.0)
            return
        # outside the road geometry: joined to the external places within connector reach
        for p in self.net.data.places:
            if p["kind"] == "external":
                km = float(haversine_km(lon, lat, p["lon"], p["lat"]))
                if km <= self.a.connector_max_km * 2:
                    t = km * self.a.access_circuity / self.a.urban_access_speed_kph * 60.0
                    common = {
                        "mode": "access",
                        "kind": "connector",
                        "length_km": km * self.a.access_circuity,
                        "time_min": t + self.a.urban_access_allowance_min,
                        "source": "connector: external airport to its city",
                    }
                    self.g.add_edge(f"place:{p['place_id']}", land, **common)
                    self.g.add_edge(land, f"place:{p['place_id']}:arrive", **common)

    def add_bus_service(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        found = [self._point(s, lc, "stops", i) for i, s in enumerate(ch.stops)]
        if any(p is None for p in found) or self.problems:
            return
        pts = [p for p in found if p is not None]
        road = compile_edges(self.net.edge_table, "road")
        xy = to_local_xy_km([p[0] for p in pts], [p[1] for p in pts], self.b.lat0)
        _, near = self.b.nearest_access(xy)
        rows = [road.index[f"r{int(j)}"] for j in near]
        dist, pred = search(road.matrix, rows[:-1], predecessors=True)
        seg_min, seg_km = [], []
        for k in range(len(rows) - 1):
            if not np.isfinite(dist[k, rows[k + 1]]):
                self.problems.append(f"{lc.where('stops', k + 1)}: stops[{k + 1}]: no road from the previous stop")
                return
            minutes = km_total = 0.0
            nodes = walk_back(pred[k], rows[k + 1], source=rows[k]) or []
            for prev, node in zip(nodes, nodes[1:]):
                d = self.g.edges[road.edges.keys[road.edge_between(prev, node)]]
                speed = d.get("speed_kph")
                minutes += d["length_km"] / min(speed, a.bus_max_speed_kph) * 60.0 if speed else d["time_min"]
                km_total += d["length_km"]
            seg_min.append(minutes)
            seg_km.append(km_total)
        stop_ids = []
        for k, p in enumerate(pts):
            sid = f"bus-{ch.id}-{k}"
            self.b.stations[sid] = {
                "station_id": sid,
                "name_zh": f"{p[2]}汽车站",
                "name_en": f"{p[2]} bus stop",
                "lon": p[0],
                "lat": p[1],
                "opened": None,
                "scenario": lc.scenario,
                "position_source": "at the named place (scenario)",
            }
            self.b.ensure_station(sid, processing_min=a.bus_boarding_min)
            stop_ids.append(sid)
        info = {
            "mode": "bus",
            "service_id": ch.id,
            "name_zh": ch.name_zh,
            "name_en": ch.name_en,
            "source": f"scenario {lc.file}",
        }
        for direction, seq in ((1, list(range(len(stop_ids)))), (-1, list(range(len(stop_ids)))[::-1])):
            for n, k in enumerate(seq):
                st = self.b.stations[stop_ids[k]]
                pos = {
                    "lon": st["lon"],
                    "lat": st["lat"],
                    "name_zh": st["name_zh"],
                    "name_en": st["name_en"],
                    "station_id": stop_ids[k],
                    "service_id": ch.id,
                }
                dep, arr = f"dep:{ch.id}:{direction}:{stop_ids[k]}", f"arr:{ch.id}:{direction}:{stop_ids[k]}"
                if n < len(seq) - 1:
                    self.g.add_node(dep, kind="stop_dep", **pos)
                    self.g.add_edge(
                        f"inside:{stop_ids[k]}",
                        dep,
                        kind="wait",
                        length_km=0.0,
                        headway_min=ch.headway_min,
                        time_min=min(ch.headway_min * a.headway_factor / 2.0, a.wait_cap_min),
                        **info,
                    )
                if n > 0:
                    self.g.add_node(arr, kind="stop_arr", **pos)
                    self.g.add_edge(
                        arr,
                        f"station:{stop_ids[k]}",
                        mode="station",
                        kind="egress",
                        length_km=0.0,
                        time_min=a.station_egress_min,
                        source="assumption station_egress_min",
                    )
                    if n < len(seq) - 1:
                        self.g.add_edge(arr, dep, kind="dwell", length_km=0.0, time_min=a.bus_dwell_min, **info)
                    prev = seq[n - 1]
                    seg = min(prev, k)
                    self.g.add_edge(
                        f"dep:{ch.id}:{direction}:{stop_ids[prev]}",
                        arr,
                        kind="ride",
                        length_km=seg_km[seg],
                        time_min=seg_min[seg],
                        **info,
                    )

    def add_freight_facility(self, lc: LocatedChange) -> None:
        self.report.notes.append(
            f"{lc.change.id}: freight facility; it carries no passengers, so passenger "
            "accessibility is not what it changes"
        )

    def close(self, lc: LocatedChange) -> None:
        ch, a = lc.change, self.a
        if ch.what == "corridor":
            ids = self.corridors.get(ch.name, f"{lc.where('name')}: name", self.problems)
            if ids is None:
                return
            closed = set(ids)
            records = {c["corridor_id"]: c for c in self.net.data.corridors}
            keys = [
                (u, v, k)
                for u, v, k, d in self.g.edges(keys=True, data=True)
                if d.get("corridor_id") in closed or closed & set(str(d.get("owners") or "").split(","))
            ]
            if not keys:
                self.problems.append(
                    f"{lc.where('name')}: name: corridor {ch.name!r} is not open on {self.as_of} "
                    "in this network, so it cannot be closed; check its opening year"
                )
            for key in keys:
                d = self.g.edges[key]
                if str(key[2]).startswith("corridor:") or "geometry_km" not in d:
                    self._remove(key)  # its own link (or a road of a network built from OSM)
                    continue
                attrs = closed_road_attrs(d, closed, records, self.as_of, a)
                if attrs is None:  # a new alignment: without it the edge did not exist
                    self._remove(key)
                else:  # the older road, or the next corridor on the same geometry, takes over
                    for gone in ("ref", "name_zh", "name_en", "corridor_id", "opened", "lanes", "replaced_later_by"):
                        if gone not in attrs and gone in d:
                            attrs[gone] = None
                    self._record_change(key, closed_corridor=",".join(sorted(closed)), **attrs)
        elif ch.what == "road":
            for key in self._road_edges(ch.name, lc):
                self._remove(key)
        elif ch.what == "line":
            lid = self.line_names.get(ch.name, f"{lc.where('name')}: name", self.problems)
            if lid is None:
                return
            ids = [s["station"] for s in self.lines[lid]["stations"]]
            lo, hi = 0, len(ids) - 1
            if ch.between:
                ends = [self._station_id(n, lc, "between", i) for i, n in enumerate(ch.between)]
                if None in ends:
                    return
                bad = [e for e in ends if e not in ids]
                if bad:
                    self.problems.append(f"{lc.where('between')}: between: {bad} not on line {lid!r}")
                    return
                lo, hi = sorted(ids.index(e) for e in ends)
            for u, v, k, d in list(self.g.edges(keys=True, data=True)):
                if d.get("line_id") == lid and d["kind"] == "ride":
                    i0, i1 = sorted(
                        (ids.index(self.g.nodes[u]["station_id"]), ids.index(self.g.nodes[v]["station_id"]))
                    )
                    if i0 < hi and i1 > lo:  # the ride overlaps the closed section
                        self._remove((u, v, k))
        elif ch.what == "service":
            sid = self.services.get(ch.name, f"{lc.where('name')}: name", self.problems)
            for u, v, k, d in list(self.g.edges(keys=True, data=True)):
                if sid is not None and d.get("service_id") == sid:
                    self._remove((u, v, k))

    def _road_edges(self, name: str, lc: LocatedChange) -> list[tuple[str, str, Any]]:
        keys = [
            (u, v, k)
            for u, v, k, d in self.g.edges(keys=True, data=True)
            if d.get("corridor_id") == name and str(k).startswith("corridor:")
        ]
        if not keys:
            self.problems.append(
                f"{lc.where('name')}: name: no road {name!r} added by a scenario is open on "
                f"{self.as_of}; to close a curated expressway use what: corridor"
            )
        return keys

    # -- driver ----------------------------------------------------------------------------------
    def run(self) -> _RecordingGraph:
        self.g.recording = True
        for lc in self.scenario.changes:
            ch = lc.change
            what = getattr(ch, "id", None) or getattr(ch, "corridor", None) or getattr(ch, "name", "")
            label = f"{lc.scenario}: {ch.type} {what}"
            if ch.opened > self.as_of.year:
                self.report.skipped.append(f"{label} (opens {ch.opened}, after the network date {self.as_of})")
                continue
            before = len(self.problems)
            self.handlers[ch.type](lc)
            if len(self.problems) == before:
                self.report.applied.append(label)
        self.g.recording = False
        if self.problems:
            raise ScenarioError(self.problems)
        self.report.added_nodes = list(self.g.new_nodes)
        # an edge removed and added again under the same key (change_service) is a change of a
        # base edge, or still an addition if the base never had it
        base = self.net.graph
        gone = [e for e in dict.fromkeys(self.report.removed_edges) if not self.g.has_edge(*e)]
        back = [e for e in dict.fromkeys(self.report.removed_edges) if self.g.has_edge(*e)]
        self.report.removed_edges = [e for e in gone if base.has_edge(*e)]
        self.report.changed_edges = list(
            dict.fromkeys(
                [e for e in self.report.changed_edges if self.g.has_edge(*e)] + [e for e in back if base.has_edge(*e)]
            )
        )
        self.report.added_edges = [
            e for e in dict.fromkeys(self.g.new_edges) if self.g.has_edge(*e) and not base.has_edge(*e)
        ]
        return self.g


def apply_scenario(network: Network, scenario: Scenario) -> tuple[Network, ApplyReport]:
    """The network with ``scenario`` applied (a new value; ``network`` is unchanged), and what
    was done (see the module docstring).

    Raises
    ------
    ScenarioError
        For names that match nothing (with suggestions) or changes that cannot apply.
    """
    applier = _Applier(network, scenario)
    graph = applier.run()
    report = applier.report
    out = Network(
        graph,
        network.data,
        network.roads,
        network.assumptions,
        extend_edge_table(network.edge_table, graph, report),
        scenario=scenario,
        apply_report=report,
    )
    return out, report
