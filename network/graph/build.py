"""Build the multimodal graph of the embedded default network as it stood on a date.

In: :class:`~network.sources.default.DefaultData` (curated layers), the clipped road geometry
(:class:`~network.sources.geometry.LineGraph`), an :class:`~network.assumptions.Assumptions`, and
``as_of`` (a date). Out: a ``networkx.MultiDiGraph`` following :mod:`network.graph.schema`, with
``graph.graph`` holding ``as_of``, ``corridor_matches`` (how each expressway was matched),
``rail_matches`` (how each rail section was drawn) and ``assumptions``.

Rail geometry: with the clipped ``scgraph_data`` railway graph, each section between consecutive
stations of a line is drawn along the shortest railway path between the rail nodes nearest its
two stations, if both stations lie within ``rail_snap_max_km`` of the railway and the path length
agrees with the section's km-post length within ``match_tolerance`` (or 3 km for short sections);
otherwise the section is drawn straight. Geometry is for maps and isochrones only: running times
always come from the curated km posts and section speeds.

Door-to-door structure: place → connector (+ urban allowance) → roads → connector → station
street side → processing → wait (from headway) → ride (+ dwells) → egress or transfer → … →
connector → roads → connector (+ allowance) → place. Elements not yet open on ``as_of`` are left
out; an expressway not yet open falls back to the unclassified road speed on its geometry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix

from network.assumptions import Assumptions
from network.geo import haversine_km, to_local_xy_km
from network.graph.network import check_as_of
from network.graph.osm_ways import RoadGraph
from network.graph.road_layer import (
    RoadLayer,
    build_road_layer,
    built_up_centres,
    corridor_attrs,
    is_open,
    is_open_on,
    layer_geometry,
    road_edge_attrs,
    road_speed_kph,
)
from network.graph.service_mix import sync_service_mixes
from network.graph.timing import Rule, fill_times, road_inputs, timed
from network.search import search, walk_back
from network.sources.default import REGION_BBOX, DefaultData
from network.sources.geometry import SCGRAPH_LICENCE, LineGraph
from network.sources.osm import SOURCE_LICENCE
from network.sources.records import Line, Service, Station, UrbanLine

_LAT0 = 0.5 * (REGION_BBOX[1] + REGION_BBOX[3])


def _hsr_hubs(lines: Iterable[Line]) -> frozenset[str]:
    """Stations on two or more high-speed lines, told apart by their names before any bracket (郑西高铁
    and its branch into 郑州站, "郑西高铁 (郑州站 方向)", are one line)."""
    names: dict[str, set[str]] = {}
    for ln in lines:
        if ln.mode == "hsr":
            base = ln.name_zh.split(" (")[0].split("(")[0].strip()
            for sid in ln.station_ids():
                names.setdefault(sid, set()).add(base)
    return frozenset(s for s, n in names.items() if len(n) >= 2)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def ride_inputs(sections: list[tuple[float, float, bool, bool]], a: Assumptions) -> dict[str, Any]:
    """The inputs of a rail ride's time (:func:`network.graph.timing.rail_ride_min`) from its
    sections: (length_km, line speed km/h, on a line a scenario adds, length from
    ``new_rail_circuity``). A new line's speeds already carry ``new_line_speed_factor`` and its
    lengths ``new_rail_circuity``: both are recorded, so a draw of either re-times the ride."""

    def cruise(keep: Any) -> float:
        return sum(km / v * 60.0 for km, v, new, circ in sections if keep(new, circ))

    return {
        "length_km": sum(km for km, _, _, _ in sections),
        "cruise_min": cruise(lambda new, circ: not new),
        "cruise_new_min": cruise(lambda new, circ: new and not circ),
        "cruise_circ_min": cruise(lambda new, circ: new and circ),
        "length_circ_km": sum(km for km, _, new, circ in sections if new and circ),
        "v_first_kph": sections[0][1],
        "v_last_kph": sections[-1][1],
        "first_new": sections[0][2],
        "last_new": sections[-1][2],
        "built_factor": a.new_line_speed_factor,
        "built_circuity": a.new_rail_circuity,
    }


def rail_run_time_min(
    sections: list[tuple[float, float]],
    accel_mps2: float,
    brake_mps2: float,
    supplement: float,
    start_stop_min: float = 0.0,
) -> float:
    """Running time (min) between two stops over sections of (length_km, line speed km/h): the
    scalar reference of :func:`network.graph.timing.rail_ride_min`, for checks by hand.

    Cruise at each section's speed; add the time lost accelerating from the first stop to the
    first section's speed (v / 2a) and braking from the last section's speed (v / 2b); if the run
    is too short to reach that speed, use the triangular profile. Speed changes between sections
    are taken as instantaneous (small next to stop losses). Never less than the cruise plus
    ``start_stop_min`` (the timetable's starting and stopping supplements). Then add the
    running-time supplement.

    >>> round(rail_run_time_min([(100.0, 200.0)], 0.3, 0.5, 0.0), 2)  # 30 min + losses
    32.47
    >>> round(rail_run_time_min([(100.0, 200.0)], 0.3, 0.5, 0.0, start_stop_min=5.0), 2)  # 30 + 2 + 3
    35.0
    """
    length_m = sum(km for km, _ in sections) * 1000.0
    if length_m <= 0:
        return 0.0
    cruise_s = sum(km * 1000.0 / (v / 3.6) for km, v in sections)
    v_first, v_last = sections[0][1] / 3.6, sections[-1][1] / 3.6
    d_accel = v_first**2 / (2 * accel_mps2)
    d_brake = v_last**2 / (2 * brake_mps2)
    if d_accel + d_brake <= length_m:
        t = cruise_s + v_first / (2 * accel_mps2) + v_last / (2 * brake_mps2)
    else:  # never reaches line speed: accelerate to a peak speed then brake
        v_peak = math.sqrt(2 * length_m * accel_mps2 * brake_mps2 / (accel_mps2 + brake_mps2))
        t = v_peak / accel_mps2 + v_peak / brake_mps2
    return max(t, cruise_s + start_stop_min * 60.0) * (1 + supplement) / 60.0


def line_km_posts(line: Line, stations: Mapping[str, Station]) -> list[float]:
    """Km post of every station of a line.

    Anchors (stations with ``km``) are kept exactly; stations between anchors are interpolated in
    proportion to straight-line distance; before the first / after the last anchor, or on a line
    without anchors, straight-line distance times the line's ``circuity`` is used.
    """
    ids = line.station_ids()
    lon = np.array([stations[i].lon for i in ids])
    lat = np.array([stations[i].lat for i in ids])
    step = haversine_km(lon[:-1], lat[:-1], lon[1:], lat[1:])
    chain = np.concatenate([[0.0], np.cumsum(step)])
    anchors = [(k, s.km) for k, s in enumerate(line.stations) if s.km is not None]
    circuity = line.circuity or 1.0
    if not anchors:
        return list(chain * circuity)
    km = np.empty(len(ids))
    first_k, first_km = anchors[0]
    km[: first_k + 1] = first_km - (chain[first_k] - chain[: first_k + 1]) * circuity
    for (k0, km0), (k1, km1) in zip(anchors, anchors[1:]):
        span = chain[k1] - chain[k0]
        frac = (chain[k0 : k1 + 1] - chain[k0]) / span if span > 0 else np.zeros(k1 - k0 + 1)
        km[k0 : k1 + 1] = km0 + frac * (km1 - km0)
    last_k, last_km = anchors[-1]
    km[last_k:] = last_km + (chain[last_k:] - chain[last_k]) * circuity
    return [float(x) for x in km]


#: Section matches shorter than this absolute difference are accepted whatever the ratio (a
#: station snapped 1 km along the track changes a 6 km section by a third).
_RAIL_MATCH_SLACK_KM = 3.0


def snap_onto_lines(
    lines: LineGraph, lon: np.ndarray, lat: np.ndarray, lat0: float, step_km: float = 0.25
) -> tuple[LineGraph, tuple[np.ndarray, np.ndarray]]:
    """Snap points onto the nearest edge of a line graph, splitting that edge at the snap point.

    The edges are sampled every ``step_km``; a point goes to its nearest sample, so the snap
    point lies within ``step_km / 2`` of the exact projection. Edges are treated as two-way.
    Returns the augmented graph (new nodes appended) and, per point, (distance in km to the snap
    point, node index of the snap point).
    """
    from scipy.spatial import cKDTree  # on first use: importing it costs 0.2 s

    pairs = {
        (min(u, v), max(u, v)): km
        for u, v, km in zip(lines.u.tolist(), lines.v.tolist(), lines.length_km.tolist())
        if u != v
    }
    edges = sorted(pairs)
    counts = [max(1, math.ceil(pairs[e] / step_km)) for e in edges]
    edge_of = np.repeat(np.arange(len(edges)), [c + 1 for c in counts])
    frac = np.concatenate([np.linspace(0.0, 1.0, c + 1) for c in counts])
    eu = np.array([e[0] for e in edges])[edge_of]
    ev = np.array([e[1] for e in edges])[edge_of]
    s_lon = lines.lon[eu] + frac * (lines.lon[ev] - lines.lon[eu])
    s_lat = lines.lat[eu] + frac * (lines.lat[ev] - lines.lat[eu])
    dist, sample = cKDTree(to_local_xy_km(s_lon, s_lat, lat0)).query(to_local_xy_km(lon, lat, lat0))
    # group the snap points by edge, in order along it, and chain u -> p1 -> p2 ... -> v
    new_lon, new_lat = list(lines.lon), list(lines.lat)
    node_of_point = np.empty(len(lon), dtype=np.int64)
    splits: dict[int, list[tuple[float, int]]] = {}
    for k, smp in enumerate(sample.tolist()):
        f = float(frac[smp])
        e = int(edge_of[smp])
        u, v = edges[e]
        if f == 0.0:
            node_of_point[k] = u
        elif f == 1.0:
            node_of_point[k] = v
        else:
            node_of_point[k] = len(new_lon)
            new_lon.append(float(s_lon[smp]))
            new_lat.append(float(s_lat[smp]))
            splits.setdefault(e, []).append((f, int(node_of_point[k])))
    split_edges = {edges[e] for e in splits}
    keep = [(u, v, km) for (u, v), km in pairs.items() if (u, v) not in split_edges]
    for e, pts in splits.items():
        u, v = edges[e]
        chain = [(0.0, u)] + sorted(pts) + [(1.0, v)]
        for (f0, a), (f1, b) in zip(chain, chain[1:]):
            if a != b:
                keep.append((a, b, (f1 - f0) * pairs[(u, v)]))
    uu = np.array([k[0] for k in keep] + [k[1] for k in keep], dtype=np.int64)
    vv = np.array([k[1] for k in keep] + [k[0] for k in keep], dtype=np.int64)
    ll = np.array([k[2] for k in keep] * 2, dtype=np.float64)
    out = LineGraph(lon=np.array(new_lon), lat=np.array(new_lat), u=uu, v=vv, length_km=ll)
    return out, (dist, node_of_point)


#: Where an edge of a network read from GMNS comes from (:mod:`network.graph.gmns`).
GMNS_SOURCE = "GMNS network file: length and free speed as given"


class GraphBuilder:
    """The builder's blocks, used by the default build, the OSM build and scenario application
    alike: roads and corridors, places, airports, stations (:meth:`ensure_station`), services
    (:meth:`add_service`) and road connectors (:meth:`connect`). ``graph`` is the graph to add
    to (a new one by default; a scenario passes its copy of the base)."""

    def __init__(
        self,
        data: DefaultData,
        roads: LineGraph,
        assumptions: Assumptions,
        as_of: dt.date,
        railways: LineGraph | None = None,
        bbox: tuple[float, float, float, float] = REGION_BBOX,
        layer: RoadLayer | None = None,
        graph: nx.MultiDiGraph | None = None,
        roads_in_graph: bool = True,
    ):
        self.data = data
        #: False: the road edges of a :class:`RoadGraph` stay in its arrays (a province-size network,
        #: :mod:`network.graph.road_arrays`); the graph holds the road nodes the rest joins
        self.roads_in_graph = roads_in_graph or not isinstance(roads, RoadGraph)
        self.layer = layer
        self.bbox = tuple(bbox)
        self.lat0 = 0.5 * (bbox[1] + bbox[3])
        self.roads = roads
        self.railways = railways
        #: (line_id, index of the first station of the section) -> [(lon, lat), ...] in line order
        self.section_geometry: dict[tuple[str, int], list[tuple[float, float]]] = {}
        self.a = assumptions
        self.as_of = as_of
        licence = SOURCE_LICENCE if isinstance(roads, RoadGraph) else SCGRAPH_LICENCE
        self.g = (
            graph
            if graph is not None
            else nx.MultiDiGraph(as_of=as_of.isoformat(), road_licence=licence, bbox=self.bbox)
        )
        self._road_xy = to_local_xy_km(roads.lon, roads.lat, self.lat0)
        self._access: tuple[Any, Any, np.ndarray] | None = None  # (graph it was built for, tree, node rows)
        self.stations = {s.station_id: s for s in data.stations}
        #: stations where two or more high-speed lines of the data meet (a longer HSR dwell there)
        self.hubs = _hsr_hubs(data.lines)

    # -- roads ------------------------------------------------------------------------------
    def add_roads(self) -> None:
        """Road nodes and edges: the classified layer on the date, or the roads of an OSM build."""
        r = self.roads
        if not self.roads_in_graph:
            return
        for i in range(r.n_nodes):
            self.g.add_node(f"r{i}", kind="road", lon=float(r.lon[i]), lat=float(r.lat[i]))
        if isinstance(r, RoadGraph):
            self._add_osm_roads(r)
            return
        self._add_classified_roads()

    def _add_classified_roads(self) -> None:
        """Edges of the classified road layer present on the date, and corridors added as links
        (:mod:`network.graph.road_layer`)."""
        layer, a, as_of = self.layer, self.a, self.as_of
        assert layer is not None
        base_source = f"road geometry: OpenStreetMap main roads ({SCGRAPH_LICENCE})"
        # each corridor's published / matched length, for a scenario that closes one on an edge
        # another shares (the next owner takes over with its own scale)
        self.g.graph["corridor_length_scale"] = {c.corridor_id: c.length_scale for c in layer.corridors}
        terrain = layer.terrain.tolist() if layer.terrain.size else [""] * layer.u.size
        for e, (u, v, km, urban) in enumerate(
            zip(layer.u.tolist(), layer.v.tolist(), layer.length_km.tolist(), layer.urban_km.tolist())
        ):
            owners = [layer.corridors[i] for i in layer.owners[e]]
            attrs = road_edge_attrs(owners, km, urban, as_of, a, terrain[e])
            if attrs is None:
                continue
            attrs["source"] = attrs.pop("source", None) or base_source
            for x, y in ((u, v), (v, u)):
                self.g.add_edge(f"r{x}", f"r{y}", key="road", **attrs)
        for c, m in zip(layer.corridors, layer.matches):
            if m.result == "matched" or not is_open(c, as_of):
                continue
            s, t = m.end_nodes
            km = c.length_km or m.waypoint_km * a.max_match_circuity
            speed = road_speed_kph(c.road_class, c.design_speed_kph, c.speed_limit_kph, a)
            attrs = {
                "mode": "road",
                "kind": "link",
                "speed_kph": speed,
                **corridor_attrs(c),
                "owners": c.corridor_id,
                "source": f"{c.source}; added as its own link: {m.reason}",
                **timed(
                    Rule.ROAD_LAYER, a, **road_inputs(km, 0.0, c.road_class, c.design_speed_kph, c.speed_limit_kph)
                ),
            }
            for x, y in ((s, t), (t, s)):
                self.g.add_edge(f"r{x}", f"r{y}", key=f"corridor:{c.corridor_id}", **attrs)

    def _add_osm_roads(self, r: RoadGraph) -> None:
        osm_source = f"OpenStreetMap ({SOURCE_LICENCE})"
        cols = zip(
            r.u.tolist(),
            r.v.tolist(),
            r.length_km.tolist(),
            r.speed_kph.tolist(),
            r.speed_source.tolist(),
            r.road_class.tolist(),
            r.ref.tolist(),
            r.name_zh.tolist(),
            r.name_en.tolist(),
            r.corridor_id.tolist() if r.corridor_id.size else [""] * r.n_edges,
        )
        for k, (u, v, km, speed, how, cls, ref, zh, en, cid) in enumerate(cols):
            attrs = {"ref": ref, "name_zh": zh, "name_en": en} if (ref or zh or en) else {}
            if cid:
                attrs["corridor_id"] = cid
            self.g.add_edge(
                f"r{u}",
                f"r{v}",
                key=f"osm{k}",
                mode="road",
                kind="link",
                road_class=cls,
                speed_from=how,
                **timed(
                    Rule.OSM_DEFAULT if how == "default" else Rule.ROAD_SPEED, self.a, length_km=km, speed_kph=speed
                ),
                source=GMNS_SOURCE if how == "given" else osm_source,
                **attrs,
            )

    def match_corridors(self) -> None:
        """Report how each corridor was laid on the geometry (``graph.graph["corridor_matches"]``).
        Roads from OpenStreetMap keep their own classes; their corridors are tied by ref when the
        network is built (:func:`network.graph.osm.corridors_for`)."""
        if isinstance(self.roads, RoadGraph):
            self.g.graph["corridor_matches"] = [
                {
                    "corridor_id": c.corridor_id,
                    "ref": c.ref,
                    "name_zh": c.name_zh,
                    "result": "tied to OSM edges by ref",
                }
                for c in self.data.corridors
            ]
            return
        assert self.layer is not None
        report = []
        for c, m in zip(self.layer.corridors, self.layer.matches):
            report.append(
                {
                    "corridor_id": c.corridor_id,
                    "road_class": c.road_class,
                    "ref": c.ref,
                    "name_zh": c.name_zh,
                    "published_km": c.length_km,
                    "waypoint_km": m.waypoint_km,
                    "matched_km": m.matched_km,
                    "max_offset_km": m.max_offset_km,
                    "result": m.result,
                    "reason": m.reason,
                    "edges": len(m.edges),
                    "length_scale": m.length_scale,
                    "speed_kph": round(road_speed_kph(c.road_class, c.design_speed_kph, c.speed_limit_kph, self.a), 1),
                    "opened": _iso(c.opened),
                    "open_on_date": is_open(c, self.as_of),
                }
            )
        self.g.graph["corridor_matches"] = report

    # -- connectors -------------------------------------------------------------------------
    def nearest_access(self, xy: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Distances (km) and road node indices of the ``k`` nearest **access nodes** of each local
        ``xy`` point: road nodes with at least one road that is not an expressway (motorway), since
        expressways are entered only where another road meets them (in the embedded geometry, every
        node an expressway shares with another road is taken as an interchange)."""
        _, tree, rows = self.access_index()
        dists, idx = tree.query(xy, k=min(k, rows.size))
        return dists, rows[idx]

    def access_index(self) -> tuple[Any, Any, np.ndarray]:
        """(graph, k-d tree, road node rows) of the access nodes of :meth:`nearest_access`, built
        on first use for the graph as it then is. A scenario's builder is handed its base
        network's index (:meth:`use_access_index`): access nodes are those of the network as built."""
        from scipy.spatial import cKDTree  # on first use: importing it costs 0.2 s

        if self._access is None or self._access[0] is not self.g:
            ok = np.zeros(self.roads.n_nodes, dtype=bool)
            if not self.roads_in_graph:  # the road edges are arrays: every node off an expressway
                assert isinstance(self.roads, RoadGraph)
                fast = np.isin(np.asarray(self.roads.road_class, dtype=str), ["expressway", "motorway"])
                ok[self.roads.u[~fast]] = True
            for u, _, d in self.g.edges(data=True):
                if (
                    d.get("mode") == "road"
                    and d.get("road_class") not in ("expressway", "motorway")
                    and isinstance(u, str)
                    and u.startswith("r")
                    and u[1:].isdigit()
                ):
                    j = int(u[1:])
                    if j < ok.size:
                        ok[j] = True
            rows = np.flatnonzero(ok) if ok.any() else np.arange(self.roads.n_nodes)
            self._access = (self.g, cKDTree(self._road_xy[rows]), rows)
        return self._access

    def use_access_index(self, index: tuple[Any, Any, np.ndarray]) -> None:
        """Take the access nodes of ``index`` (from :meth:`access_index` of the base network)."""
        self._access = (self.g, index[1], index[2])

    def connect(self, node: str, lon: float, lat: float, allowance_min: float, inbound_node: str | None = None) -> None:
        """Join ``node`` to its nearest road nodes both ways (``inbound_node`` receives the
        road→node edges instead, for places). Beyond ``connector_max_km`` it joins the single
        nearest road node at the unclassified speed (coarse access outside the road geometry)."""
        a = self.a
        dists, idx = self.nearest_access(to_local_xy_km([lon], [lat], self.lat0)[0], k=a.connector_neighbours)
        dists, idx = np.atleast_1d(dists), np.atleast_1d(idx)
        pairs = list(zip(dists.tolist(), idx.tolist()))
        far = pairs[0][0] > a.connector_max_km
        if far:
            pairs = pairs[:1]
        for _, j in pairs:
            rlon, rlat = float(self.roads.lon[j]), float(self.roads.lat[j])
            if f"r{j}" not in self.g:  # road edges kept as arrays: the node joins the graph here
                self.g.add_node(f"r{j}", kind="road", lon=rlon, lat=rlat)
            straight = float(haversine_km(lon, lat, rlon, rlat))
            common = {
                "mode": "access",
                "kind": "connector",
                "length_km": straight * a.access_circuity,
                "source": "connector: straight line x access_circuity at urban_access_speed_kph",
                **timed(Rule.CONNECTOR, a, straight_km=straight, far=far, allowance=allowance_min > 0),
            }
            self.g.add_edge(node, f"r{j}", **common)
            self.g.add_edge(f"r{j}", inbound_node or node, **common)

    def add_places(self) -> None:
        """Each place as an origin and an arrival node, connected to the roads nearby."""
        allowance = self.a.urban_access_allowance_min
        for p in self.data.places:
            base = {
                "lon": p.lon,
                "lat": p.lat,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "place_id": p.place_id,
                "place_kind": p.kind,
                "city_zh": p.city_zh,
                "population_2020": p.population_2020,
                "source": p.position_source,
            }
            out_id, in_id = f"place:{p.place_id}", f"place:{p.place_id}:arrive"
            self.g.add_node(out_id, kind="place", **base)
            self.g.add_node(in_id, kind="place_arrive", **base)
            if p.kind == "external":
                continue  # joined to its station(s) in add_rail
            self.connect(out_id, p.lon, p.lat, allowance, inbound_node=in_id)

    def add_airports(self) -> None:
        """Airports open on the date (:meth:`add_airport` each, processing times from the data or
        the assumptions)."""
        for ap in self.data.airports:
            if not is_open_on(ap.opened, self.as_of):
                continue
            self.add_airport(
                ap.airport_id, ap.iata, ap.name_zh, ap.name_en, ap.lon, ap.lat,
                ap.departure_processing_min, ap.arrival_processing_min, ap.position_source,
            )  # fmt: skip

    def add_airport(
        self,
        aid: str,
        iata: str,
        name_zh: str,
        name_en: str,
        lon: float,
        lat: float,
        dep_min: float | None,
        arr_min: float | None,
        source: str,
        external_outside: bool = False,
    ) -> None:
        """One airport: landside and airside nodes, departure and arrival processing edges (the
        minutes given, or None for the constants), and road access. With ``external_outside`` an
        airport outside the road geometry is joined to the external places within twice the
        connector reach instead (a scenario's far airport)."""
        land, air = f"airport:{aid}", f"airside:{aid}"
        attrs = {"lon": lon, "lat": lat, "name_zh": name_zh, "name_en": name_en, "iata": iata, "source": source}
        self.g.add_node(land, kind="airport", **attrs)
        self.g.add_node(air, kind="airside", **attrs)
        common = {"mode": "air", "kind": "processing", "length_km": 0.0, "source": source}
        for x, y, given, rule in ((land, air, dep_min, Rule.AIR_DEPARTURE), (air, land, arr_min, Rule.AIR_ARRIVAL)):
            how = (
                timed(rule, self.a)
                if given is None
                else timed(Rule.FIXED, self.a, fixed_min=given, time_reason=f"the airport's own {rule.value} time")
            )
            self.g.add_edge(x, y, **common, **how)
        west, south, east, north = self.bbox
        if not external_outside or (west <= lon <= east and south <= lat <= north):
            self.connect(land, lon, lat, 0.0)
            return
        a = self.a
        for p in self.data.places:
            if p.kind == "external":
                km = float(haversine_km(lon, lat, p.lon, p.lat))
                if km <= a.connector_max_km * 2:
                    link = {
                        "mode": "access",
                        "kind": "connector",
                        "length_km": km * a.access_circuity,
                        "source": "connector: external airport to its city",
                        **timed(Rule.CONNECTOR, a, straight_km=km, allowance=True),
                    }
                    self.g.add_edge(f"place:{p.place_id}", land, **link)
                    self.g.add_edge(land, f"place:{p.place_id}:arrive", **link)

    # -- rail -------------------------------------------------------------------------------
    def ensure_station(self, sid: str, bus_stop: bool = False) -> None:
        """The station's front and concourse nodes, the processing edge between them, road access
        within ``connector_max_km`` and links to external places it serves (once; a second call
        does nothing). A ``bus_stop`` boards in ``bus_boarding_min``, not a station's processing."""
        node = f"station:{sid}"
        if node in self.g:
            return
        s, a = self.stations[sid], self.a
        attrs = {
            "lon": s.lon,
            "lat": s.lat,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "station_id": sid,
            "source": s.position_source,
        }
        self.g.add_node(node, kind="station", **attrs)
        self.g.add_node(f"inside:{sid}", kind="inside", **attrs)
        self.g.add_edge(
            node,
            f"inside:{sid}",
            mode="station",
            kind="processing",
            length_km=0.0,
            source="assumption station_processing_min" if not bus_stop else "assumption bus_boarding_min",
            **timed(Rule.BUS_BOARDING if bus_stop else Rule.STATION_PROCESSING, a),
        )
        d_road = float(self.nearest_access(to_local_xy_km([s.lon], [s.lat], self.lat0)[0])[0])
        if d_road <= a.connector_max_km:
            self.connect(node, s.lon, s.lat, 0.0)
        # An external destination within reach of a station is joined to it directly (the road
        # geometry stops at the region's edge).
        for p in self.data.places:
            if p.kind != "external":
                continue
            km = float(haversine_km(s.lon, s.lat, p.lon, p.lat))
            if km <= a.connector_max_km:
                common = {
                    "mode": "access",
                    "kind": "connector",
                    "length_km": km * a.access_circuity,
                    "source": "connector: external place to its station",
                    **timed(Rule.CONNECTOR, a, straight_km=km, allowance=True),
                }
                self.g.add_edge(f"place:{p.place_id}", node, **common)
                self.g.add_edge(node, f"place:{p.place_id}:arrive", **common)

    def match_rail_geometry(self) -> None:
        """Draw each rail section along the railway geometry where it agrees (module docstring)."""
        report: list[dict[str, Any]] = []
        self.g.graph["rail_matches"] = report
        for line in self.data.lines:  # sections measured on OSM track carry their geometry
            for i, st in enumerate(line.stations):
                if st.geometry_to_next:
                    self.section_geometry[(line.line_id, i)] = list(st.geometry_to_next)
        rw = self.railways
        if rw is None or rw.n_nodes == 0:
            return
        all_ids = sorted(self.stations)
        pos_all = np.array([[self.stations[i].lon, self.stations[i].lat] for i in all_ids])
        rw, snap_all = snap_onto_lines(rw, pos_all[:, 0], pos_all[:, 1], self.lat0)
        n = rw.n_nodes
        lengths = coo_matrix((rw.length_km, (rw.u, rw.v)), shape=(n, n)).tocsr()
        snap_of = {sid: (float(snap_all[0][k]), int(snap_all[1][k])) for k, sid in enumerate(all_ids)}
        for line in self.data.lines:
            ids = [s.station for s in line.stations]
            km = line_km_posts(line, self.stations)
            pos = np.array([[self.stations[i].lon, self.stations[i].lat] for i in ids])
            snap_km = np.array([snap_of[i][0] for i in ids])
            snapped = np.array([snap_of[i][1] for i in ids])
            sources = np.unique(snapped[:-1])
            dist, pred = search(lengths, sources, directed=False, predecessors=True)
            row_of = {int(x): k for k, x in enumerate(sources)}
            for i in range(len(ids) - 1):
                section_km = abs(km[i + 1] - km[i])
                s, t = int(snapped[i]), int(snapped[i + 1])
                path_km = float(dist[row_of[s], t])
                near = max(snap_km[i], snap_km[i + 1]) <= self.a.rail_snap_max_km
                ok = (
                    near
                    and np.isfinite(path_km)
                    and s != t
                    and abs(path_km - section_km) <= max(self.a.match_tolerance * section_km, _RAIL_MATCH_SLACK_KM)
                )
                if ok:
                    nodes = walk_back(pred[row_of[s]], t, source=s) or [s]
                    coords = [(float(pos[i, 0]), float(pos[i, 1]))]
                    coords += [(float(rw.lon[k]), float(rw.lat[k])) for k in nodes]
                    coords.append((float(pos[i + 1, 0]), float(pos[i + 1, 1])))
                    self.section_geometry[(line.line_id, i)] = coords
                report.append(
                    {
                        "line_id": line.line_id,
                        "from": ids[i],
                        "to": ids[i + 1],
                        "section_km": round(section_km, 1),
                        "railway_km": round(path_km, 1) if np.isfinite(path_km) and near else None,
                        "result": "follows railway" if ok else "straight",
                    }
                )

    def _ride_geometry(
        self, line_id: str, i0: int, i1: int, direction: int, ids: list[str]
    ) -> list[tuple[float, float]]:
        coords: list[tuple[float, float]] = []
        for i in range(i0, i1):
            seg = self.section_geometry.get((line_id, i))
            if seg is None:
                a, b = self.stations[ids[i]], self.stations[ids[i + 1]]
                seg = [(a.lon, a.lat), (b.lon, b.lat)]
            coords.extend(seg if not coords else seg[1:])
        return coords if direction > 0 else coords[::-1]

    def add_rail(self) -> None:
        """Every service running on the date, on lines open to passengers."""
        lines = {ln.line_id: ln for ln in self.data.lines}
        for svc in self.data.services:
            line = lines[svc.line]
            if line.passenger_until is not None and line.passenger_until <= self.as_of:
                continue
            if (svc.from_ and svc.from_ > self.as_of) or (svc.until and svc.until < self.as_of):
                continue  # the service did not run on the date
            self.add_service(svc, line)

    def add_urban_rail(self) -> None:
        """Each metro line between two railway stations open on the date (``data/urban_rail.yaml``):
        one service both ways, its ride timed by the ``metro_ride`` rule, with a wait from its
        headway and a transfer at each end (:meth:`add_calls`)."""
        for ln in self.data.urban_lines:
            if not is_open_on(ln.opened, self.as_of):
                continue
            ends = [ln.from_station, ln.to_station]
            info = {
                "line_id": ln.line_id,
                "service_id": ln.line_id,
                "name_zh": ln.name_zh,
                "name_en": ln.name_en,
                "source": ln.source,
            }
            for direction, seq in ((1, ends), (-1, ends[::-1])):

                def ride(k: int, seq: list[str] = seq, ln: UrbanLine = ln) -> dict[str, Any]:
                    a, b = self.stations[seq[k - 1]], self.stations[seq[k]]
                    return {
                        "geometry": [(a.lon, a.lat), (b.lon, b.lat)],
                        "length_km": ln.length_km,
                        **timed(Rule.METRO_RIDE, self.a, hops=float(ln.hops), v_first_kph=ln.max_speed_kph),
                    }

                self.add_calls(
                    ln.line_id, direction, seq, "metro", info, ln.headway_min, ride, transfer=True,
                    wait_source="wait = min(headway/2, wait_cap_min); headway assumed",
                )  # fmt: skip

    def add_service(self, svc: Service, line: Line) -> None:
        """Add one service (both directions) on ``line``; stops on sections not open on the
        date are cut off (the service runs in pieces). Passenger use of the line is not checked
        here (a scenario may restore service on a freight line)."""
        as_of = self.as_of
        ids = line.station_ids()
        km = line_km_posts(line, self.stations)
        open_to = [s.opened_to_next is None or s.opened_to_next <= as_of for s in line.stations[:-1]]
        stops = [st for st in svc.stops if is_open_on(self.stations[st].opened, as_of)]
        runs: list[list[str]] = [[]]
        for st in stops:
            if runs[-1]:
                i0, i1 = ids.index(runs[-1][-1]), ids.index(st)
                if not all(open_to[i0:i1]):
                    runs.append([])
            runs[-1].append(st)
        for run in (r for r in runs if len(r) >= 2):
            for direction, seq in ((1, run), (-1, run[::-1])):
                self._add_service_direction(svc, line, seq, direction, ids, km)

    def _add_service_direction(
        self,
        svc: Service,
        line: Line,
        seq: list[str],
        direction: int,
        ids: list[str],
        km: list[float],
    ) -> None:
        a, mode, sid = self.a, line.mode, svc.service_id
        info = {
            "line_id": line.line_id,
            "service_id": sid,
            "name_zh": line.name_zh,
            "name_en": svc.name_en or line.name_en,
            "source": line.source,
        }

        def ride(k: int) -> dict[str, Any]:
            i0, i1 = sorted((ids.index(seq[k - 1]), ids.index(seq[k])))
            sections = [
                (
                    abs(km[i + 1] - km[i]),
                    line.section_speed_kph(i),
                    line.stations[i].new_section,
                    line.stations[i].circuity_section,
                )
                for i in range(i0, i1)
            ]
            if direction < 0:
                sections = sections[::-1]
            return {
                "geometry": self._ride_geometry(line.line_id, i0, i1, direction, ids),
                **timed(Rule.RAIL_RIDE, a, mode=mode, **ride_inputs(sections, a)),
            }

        self.add_calls(
            sid, direction, seq, mode, info, svc.headway_min, ride, transfer=True,
            wait_source="wait = min(headway/2, wait_cap_min); headway assumed",
        )  # fmt: skip

    def add_calls(
        self,
        sid: str,
        direction: int,
        stops: list[str],
        mode: str,
        info: dict[str, Any],
        headway_min: float,
        ride: Any,
        transfer: bool,
        wait_source: str | None = None,
    ) -> None:
        """The edges of one direction of a service (a train's or a coach's) calling at ``stops``
        (station ids) in order: at each stop a departure and an arrival node, the wait from the
        concourse (``headway_min``), egress to the street, a transfer back to the concourse
        (``transfer``), the dwell, and the ride from the previous stop (``ride(k)``: its
        geometry and timing attributes). Written once for every kind of service."""
        a = self.a
        for k, st in enumerate(stops):
            self.ensure_station(st)
            s = self.stations[st]
            dep, arr = f"dep:{sid}:{direction}:{st}", f"arr:{sid}:{direction}:{st}"
            pos = {
                "lon": s.lon,
                "lat": s.lat,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "station_id": st,
                "service_id": sid,
            }
            if k < len(stops) - 1:
                self.g.add_node(dep, kind="stop_dep", **pos)
                self.g.add_edge(
                    f"inside:{st}",
                    dep,
                    mode=mode,
                    kind="wait",
                    length_km=0.0,
                    **{**info, "source": wait_source or info["source"]},
                    **timed(Rule.WAIT, a, headway_min=headway_min),
                )
            if k == 0:
                continue
            self.g.add_node(arr, kind="stop_arr", **pos)
            self.g.add_edge(
                arr,
                f"station:{st}",
                mode="station",
                kind="egress",
                length_km=0.0,
                source="assumption station_egress_min",
                **timed(Rule.EGRESS, a),
            )
            if transfer:
                self.g.add_edge(
                    arr,
                    f"inside:{st}",
                    mode="station",
                    kind="transfer",
                    length_km=0.0,
                    source="assumption transfer_min",
                    **timed(Rule.TRANSFER, a),
                )
            if k < len(stops) - 1:
                self.g.add_edge(
                    arr,
                    dep,
                    mode=mode,
                    kind="dwell",
                    length_km=0.0,
                    **{**info, "source": f"assumption {mode}_dwell_min" if wait_source else info["source"]},
                    **timed(Rule.DWELL, a, mode=mode, hub=st in self.hubs),
                )
            self.g.add_edge(f"dep:{sid}:{direction}:{stops[k - 1]}", arr, mode=mode, kind="ride", **info, **ride(k))


def build_default_graph(
    data: DefaultData,
    roads: LineGraph,
    assumptions: Assumptions,
    as_of: dt.date,
    railways: LineGraph | None = None,
    bbox: tuple[float, float, float, float] = REGION_BBOX,
    layer: RoadLayer | None = None,
    roads_in_graph: bool = True,
) -> nx.MultiDiGraph:
    """Build the default multimodal graph as it stood on ``as_of`` (see the module docstring).
    Without ``railways`` every rail section is drawn straight (or along ``geometry_to_next``
    where a line's station carries one). ``roads`` may be a
    :class:`~network.graph.osm_ways.RoadGraph` (a network built from OpenStreetMap): its edges keep
    their own classes and speeds. ``bbox`` is the area the network covers. ``layer`` is the
    classified road layer of ``roads`` (:func:`build_layer`; built here when not given); ``roads``
    must then be its split geometry. ``roads_in_graph=False`` leaves the edges of a ``RoadGraph``
    out of the graph (and its nodes, but those the rest joins):
    :func:`network.graph.road_arrays.network_from_roads` keeps them as arrays.

    Raises
    ------
    YearError
        If ``as_of`` is before :data:`EARLIEST_DATE`.
    """
    check_as_of(as_of)
    if layer is None and not isinstance(roads, RoadGraph):
        layer = build_layer(data, roads, assumptions, bbox)
        roads = layer_geometry(layer)
    b = GraphBuilder(data, roads, assumptions, as_of, railways, bbox, layer, roads_in_graph=roads_in_graph)
    b.add_roads()
    b.match_corridors()
    b.add_places()
    b.add_airports()
    b.match_rail_geometry()
    b.add_rail()
    b.add_urban_rail()
    sync_service_mixes(b.g, assumptions)  # shared waits where several services serve two stops
    b.g.graph["assumptions"] = assumptions
    fill_times(b.g, list(b.g.edges(keys=True)), assumptions)  # every edge's minutes, in one pass
    return b.g


def build_layer(
    data: DefaultData, roads: LineGraph, assumptions: Assumptions, bbox: tuple[float, float, float, float] = REGION_BBOX
) -> RoadLayer:
    """The classified road layer of the embedded geometry (:mod:`network.graph.road_layer`): the
    same for every date, so a model builds it once. Each edge's terrain comes from the embedded
    grid (``data/terrain/``, :mod:`network.sources.terrain`)."""
    from network.sources.default import data_dir
    from network.sources.terrain import read_terrain

    grid = read_terrain(data_dir() / "terrain" / "altitude_5min.csv")
    return build_road_layer(
        roads,
        data.corridors,
        built_up_centres(data.places, assumptions),
        0.5 * (bbox[1] + bbox[3]),
        assumptions.match_tolerance,
        assumptions.max_match_circuity,
        (
            grid,
            assumptions.terrain_hilly_relief_m,
            assumptions.terrain_mountain_relief_m,
            assumptions.steep_road_grade_pct,
        ),
    )


def add_point(
    graph: nx.MultiDiGraph,
    data: DefaultData,
    roads: LineGraph,
    assumptions: Assumptions,
    lon: float,
    lat: float,
    node_id: str,
) -> tuple[str, str]:
    """Add a trip end at ``lon, lat`` to ``graph`` in place, joined like a place (connectors and
    the urban allowance). Returns (origin node, destination node)."""
    b = GraphBuilder(
        data, roads, assumptions, dt.date.fromisoformat(graph.graph["as_of"]), bbox=graph.graph.get("bbox", REGION_BBOX)
    )
    b.g = graph
    attrs = {
        "lon": lon,
        "lat": lat,
        "name_zh": f"{lon:.4f},{lat:.4f}",
        "name_en": "point",
        "place_id": node_id,
        "place_kind": "point",
        "city_zh": "",
        "population_2020": None,
        "source": "user coordinates",
    }
    out_id, in_id = f"place:{node_id}", f"place:{node_id}:arrive"
    graph.add_node(out_id, kind="place", **attrs)
    graph.add_node(in_id, kind="place_arrive", **attrs)
    before = set(graph.out_edges(out_id, keys=True)) | set(graph.in_edges(in_id, keys=True))
    b.connect(out_id, lon, lat, assumptions.urban_access_allowance_min, inbound_node=in_id)
    new = (set(graph.out_edges(out_id, keys=True)) | set(graph.in_edges(in_id, keys=True))) - before
    fill_times(graph, sorted(new, key=str), assumptions)
    return out_id, in_id
