"""The state a scenario is applied on: the copied graph, the builder, the name registries, and
the helpers every change type uses (``network.scenario.apply`` runs it)."""

from __future__ import annotations

import difflib
import gc
import re
import weakref
from collections.abc import Mapping
from typing import Any

import networkx as nx

from network.errors import ScenarioError
from network.graph.build import GraphBuilder
from network.graph.lookup import norm_name, place_names
from network.graph.network import ApplyReport, Network
from network.scenario.load import LocatedChange, Scenario
from network.sources.default import REGION_BBOX
from network.sources.records import Line, Station
from network.yamlio import dotted


class _RecordingGraph(nx.MultiDiGraph):
    """A MultiDiGraph that records the nodes and edges added while ``recording`` is on."""

    recording = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_nodes: list[str] = []
        self.new_edges: list[tuple[str, str, Any]] = []

    def add_node(self, node_for_adding: Any, **attr: Any) -> None:
        if node_for_adding in self._node:  # its attribute dict may be the base's: a new one
            self._node[node_for_adding] = {**self._node[node_for_adding], **attr}
            return
        if self.recording:
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
    """A copy of ``graph`` to edit, built on networkx's own adjacency dicts in one pass: fresh
    adjacency dicts, but node and edge attribute dicts shared with the base. Nothing writes into
    a shared one: :meth:`_RecordingGraph.add_node` puts a new dict in place of an existing
    node's, :meth:`ApplierBase._record_change` a new dict in place of an edge's.
    ``tests/test_scenarios.py`` checks it equals the base and that edits never reach it."""
    paused = gc.isenabled()
    gc.disable()  # tens of thousands of new dicts: the collector would scan the whole heap often
    try:
        return _copy_adjacency(graph)
    finally:
        if paused:
            gc.enable()


def _copy_adjacency(graph: nx.MultiDiGraph) -> _RecordingGraph:
    g = _RecordingGraph()
    g.graph.update(graph.graph)
    g._node.update(graph._node)
    succ = {u: {v: dict(kd) for v, kd in nbrs.items()} for u, nbrs in graph._succ.items()}
    pred: dict[Any, dict[Any, Any]] = {n: {} for n in graph._node}
    for u, nbrs in succ.items():
        for v, kd in nbrs.items():
            pred[v][u] = kd  # networkx shares one key dict between the two directions
    g._succ.update(succ)
    g._pred.update(pred)
    return g


class _Names:
    """Name → thing, with close-match suggestions on a miss."""

    def __init__(self, what: str):
        self.what = what
        self.table: dict[str, Any] = {}

    def copy(self) -> _Names:
        """A copy to add names to (the table is copied, the things are shared)."""
        out = _Names(self.what)
        out.table = dict(self.table)
        return out

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


#: The change types applied to the graph of everything but the roads where a network keeps its
#: road edges as arrays: they add roads and read none (any other builds the whole graph first).
ROAD_ARRAY_CHANGES = frozenset({"add_road"})

#: The road access index of a base network (:meth:`GraphBuilder.access_index`), built once.
_ACCESS: weakref.WeakKeyDictionary[Network, tuple[Any, Any, Any]] = weakref.WeakKeyDictionary()

#: The edge keys of each corridor of a base network, in graph order, built once.
_CORRIDOR_EDGES: weakref.WeakKeyDictionary[Network, dict[str, list[tuple[str, str, Any]]]] = weakref.WeakKeyDictionary()


def corridor_index(network: Network) -> dict[str, list[tuple[str, str, Any]]]:
    """Corridor id → the keys of its edges in ``network`` (built on first use, kept)."""
    out = _CORRIDOR_EDGES.get(network)
    if out is None:
        out = {}
        for u, v, k, cid in network.graph.edges(keys=True, data="corridor_id"):
            if cid is not None:
                out.setdefault(cid, []).append((u, v, k))
        _CORRIDOR_EDGES[network] = out
    return out


#: The name registries of a base network, built once (every scenario applied to it asks).
_REGISTRIES: weakref.WeakKeyDictionary[Network, tuple[_Names, ...]] = weakref.WeakKeyDictionary()


def _registries(
    network: Network, graph: nx.MultiDiGraph, stations: Mapping[str, Station], lines: Mapping[str, Line]
) -> tuple[_Names, ...]:
    """Stations, places, airports, lines, corridors and services of ``network`` (whose airports
    and services ``graph`` holds) by every name."""
    data = network.data
    stations_n = _Names("station")
    for sid, s in stations.items():
        stations_n.add([sid, s.name_zh, s.name_zh + "站", s.name_en, s.name_en + " station"], sid)
    places = _Names("place, station or airport")

    # ranked as network.graph.lookup ranks them: 新乡 is the city, not 新乡县; Jiyuan the city, 济源市 the county
    ranked = [
        (
            place_names(p.name_zh, p.name_en, p.place_id, p.kind, p.city_zh),
            ("place", p.place_id, p.lon, p.lat, p.name_zh, p.name_en),
        )
        for p in data.places
    ]
    for rank in range(3):
        for names, entry in ranked:
            places.add(list(names[rank]), entry)
    for sid, s in stations.items():
        entry = ("station", sid, s.lon, s.lat, s.name_zh, s.name_en)
        places.add([s.name_zh + "站", s.name_en + " station", sid], entry)
        places.add([s.name_zh], entry)
    airports = _Names("airport")
    for n, d in graph.nodes(data=True):
        if d["kind"] == "airport":
            airports.add([d["iata"], d["name_zh"], d["name_en"]], n.split(":", 1)[1])
            places.add(
                [d["iata"], d["name_zh"], d["name_en"]],
                ("airport", n.split(":", 1)[1], d["lon"], d["lat"], d["name_zh"], d["name_en"]),
            )
    line_names = _Names("line")
    for lid, ln in lines.items():
        line_names.add(
            [
                lid,
                ln.name_zh,
                ln.name_en,
                re.split(r"\s*[(（]", ln.name_zh)[0],
                re.split(r"\s*[(（]", ln.name_en)[0],
            ],
            lid,
        )
    corridors = _Names("corridor")
    by_ref: dict[str, list[str]] = {}
    for c in data.corridors:
        short = re.match(r"^(.+?高速)", c.name_zh)
        corridors.add([c.corridor_id, c.name_zh, c.name_en, short.group(1) if short else None], [c.corridor_id])
        if c.ref:
            by_ref.setdefault(c.ref, []).append(c.corridor_id)
    for ref, ids in by_ref.items():
        corridors.add([ref], ids)
    services = _Names("service")
    for _, _, d in graph.edges(data=True):
        if d.get("service_id"):
            services.add([d["service_id"]], d["service_id"])
    return stations_n, places, airports, line_names, corridors, services


#: A route length above this multiple of the straight line is taken for a typing error: the
#: steepest descent in data/ (焦作–晋城东 down the Taihang) is 1.5 x, mountain roads 1.5-2 x.
MAX_CIRCUITY = 3.0
#: Gate-to-gate speed no airliner reaches: cruise is about 850-900 km/h (A320/B737 class), and a
#: block time includes taxi, climb and descent.
MAX_BLOCK_SPEED_KPH = 900.0


class ApplierBase:
    """A copy of the network being changed, its builder and registries; the change types are
    mixins of this (:mod:`network.scenario.rail_changes`, :mod:`network.scenario.road_changes`,
    :mod:`network.scenario.stop_changes`)."""

    def __init__(self, network: Network, scenario: Scenario):
        self.net = network
        self.scenario = scenario
        self.a = network.assumptions
        self.as_of = network.as_of
        # a scenario that only adds roads to a network whose road edges are arrays is applied to the
        # graph of everything else (network/graph/road_arrays.py): no province-size copy
        own = network.own_graph
        self.roads_as_arrays = own is not None and all(lc.change.type in ROAD_ARRAY_CHANGES for lc in scenario.changes)
        self.base_graph = own if self.roads_as_arrays and own is not None else network.graph
        self.g = _copy(self.base_graph)
        data = network.data
        bbox = network.meta.get("bbox", REGION_BBOX)
        self.b = GraphBuilder(
            data, network.roads, self.a, self.as_of, bbox=bbox, graph=self.g, roads_in_graph=not self.roads_as_arrays
        )
        self.b.stations = dict(self.b.stations)  # the scenario's new stations join this copy
        if network in _ACCESS:
            self.b.use_access_index(_ACCESS[network])
        else:  # built on the copy before any change: the base network's access nodes
            _ACCESS[network] = self.b.access_index()
        self.report = ApplyReport(scenario=scenario.name)
        self.problems: list[str] = []
        self.lines = {ln.line_id: ln for ln in data.lines}
        names = _REGISTRIES.get(network)
        if names is None:
            names = _REGISTRIES[network] = _registries(network, self.base_graph, self.b.stations, self.lines)
        # each applier adds its scenario's names to its own copies
        self.stations, self.places, self.airports, self.line_names, self.corridors, self.services = (
            n.copy() for n in names
        )

    # -- helpers -------------------------------------------------------------------------------
    def _station_id(self, stop: Any, lc: LocatedChange, *loc: Any) -> str | None:
        if isinstance(stop, str):
            return self.stations.get(stop, f"{lc.where(*loc)}: {dotted(loc)}", self.problems)
        if hasattr(stop, "station"):
            return self.stations.get(stop.station, f"{lc.where(*loc)}: {dotted(loc)}.station", self.problems)
        sid = stop.id
        if sid in self.b.stations and self.b.stations[sid].scenario is None:
            self.problems.append(
                f"{lc.where(*loc)}: new station id {sid!r} is already an existing station; refer to it by name instead"
            )
            return None
        self._check_in_region(stop.lon, stop.lat, lc, *loc)
        self.b.stations[sid] = Station(
            station_id=sid,
            name_zh=stop.name_zh,
            name_en=stop.name_en,
            lon=stop.lon,
            lat=stop.lat,
            scenario=lc.scenario,
            position_source=f"scenario {lc.file} (planned position)",
        )
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
        u, v, k = key
        keydict = self.g._succ[u][v]  # shared with _pred[v][u]; its attribute dicts with the base
        keydict[k] = {**keydict[k], **attrs}
        self.report.changed_edges.append(key)

    def _remove(self, key: tuple[str, str, Any]) -> None:
        self.g.remove_edge(*key)
        self.report.removed_edges.append(key)

    def _point(self, item: Any, lc: LocatedChange, *loc: Any) -> tuple[float, float, str, str] | None:
        """(lon, lat, Chinese name, English name) of a named place or a ``[lon, lat]`` point."""
        if isinstance(item, str):
            hit = self.places.get(item, f"{lc.where(*loc)}: {dotted(loc)}", self.problems)
            return None if hit is None else (float(hit[2]), float(hit[3]), hit[4], hit[5])
        lon, lat = float(item[0]), float(item[1])
        self._check_in_region(lon, lat, lc, *loc)
        return lon, lat, f"{lon:.3f},{lat:.3f}", f"{lon:.3f},{lat:.3f}"
