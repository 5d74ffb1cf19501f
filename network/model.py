"""The working model: the default network for a date, compiled once, with ``route`` and ``score``.

This is the orchestration layer for Python users, notebooks and the CLI::

    >>> import network
    >>> model = network.Model.default(year=2024)
    >>> model.route("晋城东站", "郑州站", mode="rail")["minutes"]
    66.4
    >>> per_place, summary = model.score(["郑州", "洛阳"])
    >>> len(per_place), sorted(set(summary["mode"]))
    (87, ['best', 'rail', 'road', 'transit'])

Three routing modes (:data:`~network.graph.schema.MODE_SETS`):

* ``road``: car on the road network, door to door.
* ``rail``: a trip that uses rail (HSR or conventional) for its main part, with road access to the
  boarding station and from the alighting one. It is forced to ride a train, so it can be slower
  than ``road``; this is the "time with rail" a planner compares.
* ``transit``: like ``rail`` but any public transport (rail, intercity coach, air) may carry the
  main part; it differs from ``rail`` only where a scenario adds coach or air services.
* ``best``: any combination; never slower than the others.

A trip between two stations by ``rail`` or ``transit`` is measured platform to platform (from
departure at the first station to arrival at the second, no access, processing or first wait, and
no road leg), so it compares with a timetable; by ``best`` it is the faster of that and the road
trip between the two station fronts. Any other trip is door to door.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from network.assumptions import Assumptions
from network.errors import LookupFailed, UnreachableError, YearError
from network.geo import haversine_km
from network.graph.build import EARLIEST_DATE, add_point, build_default_graph, build_layer, check_as_of
from network.graph.edges import EdgeTable, build_edge_table
from network.graph.lookup import Endpoint, build_name_index, resolve
from network.graph.network import Network
from network.graph.road_layer import RoadLayer, layer_geometry
from network.graph.schema import MODE_SETS, TRANSIT_MODES
from network.indicators.score import THRESHOLDS_MIN, summarise_scores
from network.routing.compile import CompiledGraph, compile_edges
from network.routing.engine import search, walk_back
from network.routing.paths import many_to_one, path_legs
from network.scenario.apply import ApplyReport, apply_scenario
from network.scenario.load import Scenario
from network.sources.default import DefaultData, data_as_of, data_dir, read_default_data
from network.sources.geometry import LineGraph, read_region_geometry

DEFAULT_TARGETS = ("郑州", "洛阳")

OSM_APPROXIMATION_NOTE = (
    "Free-flow car speeds from OSM maxspeed or China class defaults (no congestion, no curvature); rail "
    "waits from assumed headways, not a timetable; trains run only as the services file says. All "
    "constants: `taihang assumptions`; the build report: `taihang data --network FILE`."
)

APPROXIMATION_NOTE = (
    "Free-flow car speeds by road class (no congestion, no terrain); roads that no curated corridor owns "
    "are undated and exist in every year; trains call at every station where no stopping pattern is "
    "published, and waits come from train counts or assumed headways, not a timetable; rail and transit "
    "board and alight within 60 km of the trip's ends; positions marked 'approx' carry about 3 km "
    "uncertainty. Corridor matches: `taihang data`; all constants: `taihang assumptions`."
)


#: The last year a network may be asked for: a generation beyond the plans' 2035 horizon. Later
#: years would only repeat the network of the last opening with a misleading date.
LATEST_YEAR = 2060


def as_of_date(year: int | None = None, as_of: dt.date | str | None = None) -> dt.date:
    """The network date: ``as_of`` if given, else 31 December of ``year``, else the data's own
    date (:func:`~network.sources.default.data_as_of`; never the clock).

    Raises
    ------
    YearError
        For a date before the earliest the data describes.
    """
    if as_of is not None:
        try:
            date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise YearError(f"{str(as_of)[:40]!r} is not a date; give YYYY-MM-DD") from None
    elif year is not None:
        if year < EARLIEST_DATE.year:
            check_as_of(dt.date(max(year, 1), 1, 1))
        if year > LATEST_YEAR:
            raise YearError(
                f"{year} is after the last year the model describes ({LATEST_YEAR}); the plans here "
                f"look to 2035, so give a year from {EARLIEST_DATE.year} to {LATEST_YEAR}"
            )
        date = dt.date(year, 12, 31)
    else:
        date = data_as_of()
    check_as_of(date)
    return date


def default_year(scenarios: Sequence[Scenario] = ()) -> int:
    """The year of a run that gives none: the data's own year, or the year the last change of
    ``scenarios`` opens if that is later (so every change is open). The one rule for the CLI,
    claims and notebooks."""
    return max([data_as_of().year, *(c.change.opened for sc in scenarios for c in sc.changes)])


#: The embedded inputs and road layer, read and matched once per process: they do not depend on the
#: date, only on the files (keyed by their modification times) and the layer's own assumptions.
_INPUTS: dict[tuple[Any, ...], tuple[DefaultData, LineGraph, LineGraph, RoadLayer]] = {}


def _default_inputs(a: Assumptions) -> tuple[DefaultData, LineGraph, LineGraph, RoadLayer]:
    folder = data_dir()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in [*folder.glob("*.*"), *folder.glob("geometry/*")]))
    key = (
        str(folder),
        stamp,
        a.built_up_radius_city_km,
        a.built_up_radius_county_km,
        a.match_tolerance,
        a.max_match_circuity,
    )
    if key not in _INPUTS:
        data = read_default_data(folder)
        raw = read_region_geometry("road", folder / "geometry")
        layer = build_layer(data, raw, a)
        _INPUTS.clear()  # one set of inputs at a time
        _INPUTS[key] = (data, layer_geometry(layer), read_region_geometry("rail", folder / "geometry"), layer)
    return _INPUTS[key]


class Model:
    """Queries on a :class:`~network.graph.network.Network`: routes, scores, accessibility; the
    compiled arrays per mode and the name index are cached here, never in the network."""

    def __init__(self, network: Network, name_index: dict[str, list[Endpoint]] | None = None) -> None:
        self.network = network
        self._compiled: dict[str, CompiledGraph] = {}
        self._cache: dict[str, Any] = {}
        if name_index is not None:  # the same names (a re-timed copy): no need to index again
            self._cache["name_index"] = name_index

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The network's graph."""
        return self.network.graph

    @property
    def data(self) -> DefaultData:
        """The curated data the network was built from."""
        return self.network.data

    @property
    def roads(self) -> LineGraph:
        """The road geometry the network was built from."""
        return self.network.roads

    @property
    def assumptions(self) -> Assumptions:
        """The constants of the network."""
        return self.network.assumptions

    @property
    def scenario(self) -> Scenario | None:
        """The scenario applied to the base network, if any."""
        return self.network.scenario

    @property
    def apply_report(self) -> ApplyReport | None:
        """What applying :attr:`scenario` did."""
        return self.network.apply_report

    def with_scenario(self, scenario: Scenario) -> Model:
        """This network with a scenario applied (a new Model; this one is unchanged).

        Raises
        ------
        ScenarioError
            For unknown names (with close matches) or changes that cannot apply.
        """
        return Model(apply_scenario(self.network, scenario)[0])

    @classmethod
    def default(
        cls, year: int | None = None, as_of: dt.date | str | None = None, assumptions: Assumptions | None = None
    ) -> Model:
        """The embedded default network as it stood on ``as_of`` (or at the end of ``year``)."""
        date = as_of_date(year, as_of)
        assumptions = assumptions or Assumptions()
        data, roads, railways, layer = _default_inputs(assumptions)
        graph = build_default_graph(data, roads, assumptions, date, railways, layer=layer)
        return cls(Network(graph, data, roads, assumptions, build_edge_table(graph)))

    @classmethod
    def from_network(
        cls,
        network: Any,
        year: int | None = None,
        as_of: dt.date | str | None = None,
        assumptions: Assumptions | None = None,
    ) -> Model:
        """A network built by ``taihang build`` (a network file path, or an
        :class:`~network.graph.osm.OsmNetwork`) as it stood on ``as_of`` (or at the end of ``year``):
        the rail lines and services carry dates; OSM roads are as mapped on the extract date.

        Raises
        ------
        DataError
            If the file is not a taihang network file.
        """
        from network.netfile import read_network

        net = read_network(network) if isinstance(network, (str, Path)) else network
        date = as_of_date(year, as_of)
        assumptions = assumptions or Assumptions()
        graph = build_default_graph(net.data, net.roads, assumptions, date, None, net.bbox)
        graph.graph["network"] = dict(net.meta)
        graph.graph["build_report"] = dict(net.report)
        return cls(Network(graph, net.data, net.roads, assumptions, build_edge_table(graph)))

    @property
    def approximation_note(self) -> str:
        """What the times leave out, for this kind of network (embedded or built from OSM)."""
        return OSM_APPROXIMATION_NOTE if "network" in self.graph.graph else APPROXIMATION_NOTE

    @property
    def as_of(self) -> str:
        """The network date (ISO)."""
        return self.network.as_of

    @property
    def warnings(self) -> list[str]:
        """See :attr:`network.graph.network.Network.warnings`."""
        return self.network.warnings

    @property
    def edge_table(self) -> EdgeTable:
        """Every edge of the network as arrays."""
        return self.network.edge_table

    @property
    def name_index(self) -> dict[str, list[Endpoint]]:
        """Names (Chinese, English, codes) to endpoints, built on first use."""
        if "name_index" not in self._cache:
            self._cache["name_index"] = build_name_index(self.graph)
        return self._cache["name_index"]

    def compiled(self, mode: str) -> CompiledGraph:
        """CSR arrays for a mode filter, compiled on first use."""
        if mode not in self._compiled:
            self._compiled[mode] = compile_edges(self.edge_table, mode)
        return self._compiled[mode]

    def resolve(self, text: str) -> Endpoint:
        """See :func:`network.graph.lookup.resolve`."""
        return resolve(self.graph, text, self.name_index)

    def places(self, kinds: Sequence[str] = ("county", "district")) -> pd.DataFrame:
        """The places of the network (default: the scored county-level units)."""
        rows = [d for _, d in self.graph.nodes(data=True) if d["kind"] == "place" and d["place_kind"] in kinds]
        cols = ["place_id", "name_zh", "name_en", "place_kind", "city_zh", "population_2020", "lon", "lat", "source"]
        return pd.DataFrame(rows, columns=cols).sort_values("place_id").reset_index(drop=True)

    # -- times ------------------------------------------------------------------------------
    @cached_property
    def _served_stations(self) -> tuple[list[str], np.ndarray]:
        """Station street nodes with a concourse (served by a train), and their processing minutes."""
        stations = [
            n
            for n, d in self.graph.nodes(data=True)
            if d["kind"] == "station" and f"inside:{n.split(':', 1)[1]}" in self.graph
        ]
        et = self.edge_table  # times from the edge table, so re-timed copies (uncertainty draws) agree
        rows = np.flatnonzero(et.mode == "station")
        row_of = {(int(et.u[r]), int(et.v[r])): int(r) for r in rows}
        processing = np.array(
            [et.time_min[row_of[(et.index[s], et.index[f"inside:{s.split(':', 1)[1]}"])]] for s in stations]
        )
        return stations, processing

    def _road_from(self, origins: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Road minutes and predecessors from each origin to every node (one Dijkstra call)."""
        road = self.compiled("road")
        return search(road.matrix, [road.index[o] for o in origins], predecessors=True)

    def _platform_matrix(self, pt_mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Platform-graph minutes (and predecessors) from each served station's concourse to every
        node, on trains (and coaches for transit) only: one Dijkstra call, cached per model."""
        key = f"platform_{pt_mode}"
        if key not in self._cache:
            net = self.compiled(f"{pt_mode}_platform")
            stations, _ = self._served_stations
            rows = [net.index[f"inside:{x.split(':', 1)[1]}"] for x in stations]
            self._cache[key] = search(net.matrix, rows, predecessors=True)
        return self._cache[key]

    def _rail_times(
        self,
        origins: list[str],
        target: str,
        mode: str = "rail",
        road_from: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, Any]:
        """Door-to-door minutes from each origin to ``target`` forced to ride a train (``mode``
        "rail") or a train or coach ("transit"). ``road_from`` is :meth:`_road_from` of the same
        origins, when the caller already has it.

        A trip is road to a boarding station s, station processing, trains (and transfers inside
        stations) to an alighting station s', road to the target:
        min over s, s' of road(o, s) + processing(s) + platform(s, s') + road(s', target), where s
        lies within ``rail_access_max_km`` (straight line) of the origin and s' within it of the
        target. Returns (minutes, chosen (s, s') per origin, context for :meth:`_rail_path`).
        """
        pt_mode = "transit" if mode == "transit" else "rail"
        road, net = self.compiled("road"), self.compiled(f"{pt_mode}_platform")
        stations, processing = self._served_stations
        n = len(origins)
        if not stations:  # no trains run in this network (e.g. built without a services file)
            return np.full(n, np.inf), np.zeros((n, 2), dtype=np.int64), ([], None, None, None)
        s_road = np.array([road.index[x] for x in stations], dtype=np.int64)
        s_net = np.array([net.index[x] if x in net.index else -1 for x in stations], dtype=np.int64)
        to_station, pred = road_from if road_from is not None else self._road_from(origins)
        egress = many_to_one(road, [target])
        platform, _ = self._platform_matrix(pt_mode)
        on_trains = np.where(s_net[None, :] >= 0, platform[:, np.maximum(s_net, 0)], np.inf)  # s x s'
        reach = self.assumptions.rail_access_max_km
        s_pos = np.array([[self.graph.nodes[x]["lon"], self.graph.nodes[x]["lat"]] for x in stations])
        t_node = self.graph.nodes[target]
        far_t = haversine_km(s_pos[:, 0], s_pos[:, 1], t_node["lon"], t_node["lat"]) > reach
        leave = np.where(far_t, np.inf, egress.time_min[0, s_road])  # s'
        tail = on_trains + leave[None, :]
        np.fill_diagonal(tail, np.inf)  # boarding and alighting at one station is no rail trip
        alight = np.argmin(tail, axis=1)
        tail_min = tail[np.arange(len(stations)), alight]
        o_pos = np.array([[self.graph.nodes[o]["lon"], self.graph.nodes[o]["lat"]] for o in origins])
        far_o = haversine_km(o_pos[:, None, 0], o_pos[:, None, 1], s_pos[None, :, 0], s_pos[None, :, 1]) > reach
        total = np.where(far_o, np.inf, to_station[:, s_road] + processing[None, :] + tail_min[None, :])
        board = np.argmin(total, axis=1)
        minutes = total[np.arange(n), board]
        return minutes, np.column_stack([board, alight[board]]), (stations, pred, egress, pt_mode)

    def score(
        self, targets: Sequence[str] = DEFAULT_TARGETS, thresholds_min: Sequence[float] = THRESHOLDS_MIN
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Door-to-door minutes from every county-level place to each target by road, with rail
        and by the best mode, plus population-weighted summaries.

        Returns
        -------
        (per_place, summary)
            ``per_place``: one row per place with ``<target>_road_min``, ``_rail_min``,
            ``_best_min``, ``_best_mode``. ``summary``: one row per target and mode with the
            population-weighted mean time and population within 60/90/120 min
            (:func:`network.indicators.score.summarise_scores`).
        """
        places = self.places()
        origins = [f"place:{p}" for p in places["place_id"]]
        table = (
            places[["place_id", "name_zh", "name_en", "city_zh", "population_2020", "source"]]
            .rename(columns={"source": "position_source"})
            .copy()
        )
        target_eps = []
        for t in targets:
            ep = self.resolve(t)
            if ep.kind != "place":
                raise LookupFailed(f"target {t!r} is a {ep.kind}; targets must be places (cities or counties)")
            target_eps.append(ep)
        road_from = self._road_from(origins)  # shared by every target and public-transport mode
        for ep in target_eps:
            key = ep.key
            road = many_to_one(self.compiled("road"), [ep.destination_node])
            best = many_to_one(self.compiled("best"), [ep.destination_node])
            rows_road = [self.compiled("road").index[o] for o in origins]
            rows_best = [self.compiled("best").index[o] for o in origins]
            rail_min, _, _ = self._rail_times(origins, ep.destination_node, road_from=road_from)
            transit_min, _, _ = self._rail_times(origins, ep.destination_node, "transit", road_from)
            table[f"{key}_road_min"] = road.time_min[0, rows_road]
            table[f"{key}_rail_min"] = rail_min
            table[f"{key}_transit_min"] = transit_min
            table[f"{key}_best_min"] = best.time_min[0, rows_best]
            table[f"{key}_best_mode"] = [self._main_mode(best, o, ep.destination_node) for o in origins]
        for col in table.columns:
            if col.endswith("_min"):
                table[col] = table[col].round(1)
        straight = {
            ep.key: haversine_km(places["lon"].to_numpy(), places["lat"].to_numpy(), ep.lon, ep.lat)
            for ep in target_eps
        }
        return table, summarise_scores(
            table,
            [ep.key for ep in target_eps],
            modes=("road", "rail", "transit", "best"),
            thresholds_min=thresholds_min,
            straight_km=straight,
        )

    def place_accessibility(
        self, mode: str = "best", beta_per_min: float = 0.02, thresholds_min: Sequence[float] = (60, 120, 180)
    ) -> pd.DataFrame:
        """Per county-level place: potential accessibility to the population of every county-level
        place, A_i = Σ_j P_j exp(-β t_ij) (Hansen 1959; β = 0.02/min halves the weight every 35 min,
        an assumed value within the 0.01-0.05 range of intercity studies), and the population
        reachable within each threshold (:mod:`network.indicators.measures`). Times are door to
        door in ``mode`` (road or best; one Dijkstra from every place)."""
        from network.indicators.measures import cumulative_opportunities, potential_accessibility

        if mode not in ("road", "best"):
            raise LookupFailed(f"place accessibility is computed by road or best mode, not {mode!r}")
        places = self.places()
        ids = places["place_id"].tolist()
        compiled = self.compiled(mode)
        d = search(compiled.matrix, [compiled.index[f"place:{p}"] for p in ids])
        t = d[:, [compiled.index[f"place:{p}:arrive"] for p in ids]]
        pop = places["population_2020"].to_numpy(dtype=float)
        out = places[["place_id", "name_zh", "name_en", "population_2020"]].copy()
        out[f"potential_{mode}"] = potential_accessibility(t, pop, "negative_exponential", beta=beta_per_min).round(0)
        for th in thresholds_min:
            out[f"population_within_{int(th)}_min_{mode}"] = cumulative_opportunities(t, pop, th).astype(np.int64)
        return out

    def _main_mode(self, m2o: Any, origin: str, target: str) -> str:
        """The mode of a trip: the in-vehicle mode with the most minutes, or road."""
        if not np.isfinite(m2o.time_from(origin, target)):
            return "unreachable"
        legs = path_legs(m2o.graph, self.graph, m2o.path(origin, target))
        ride: dict[str, float] = {}
        for leg in legs:
            if leg["mode"] in TRANSIT_MODES:
                ride[leg["mode"]] = ride.get(leg["mode"], 0.0) + leg["minutes"]
        return max(ride, key=lambda m: ride[m]) if ride else "road"

    # -- single trips -----------------------------------------------------------------------
    def route(self, origin: str, destination: str, mode: str = "best") -> dict[str, Any]:
        """One trip with its legs.

        Returns a dict with ``origin``, ``destination``, ``mode``, ``measured``
        (door-to-door or platform-to-platform), ``minutes``, ``km``, ``legs``, ``as_of``, ``note`` and
        ``warnings`` (:attr:`warnings`).

        Raises
        ------
        LookupFailed, UnreachableError
        """
        if mode not in MODE_SETS:
            raise LookupFailed(f"unknown mode {mode!r}; expected one of {sorted(MODE_SETS)}")
        o, d = self.resolve(origin), self.resolve(destination)
        model = self
        if o.kind == "point" or d.kind == "point":
            model = self._with_points(o, d)
            o, d = model._point_endpoint(o, "origin"), model._point_endpoint(d, "destination")
        if o.kind == "station" and d.kind == "station" and mode != "road":
            path, measured, compiled = model._station_pair_path(o, d, mode)
        else:
            measured = "door-to-door"
            compiled = model.compiled(mode)
            if mode in ("rail", "transit"):
                path = model._rail_path(o.origin_node, d.destination_node, mode)
            else:
                m2o = many_to_one(compiled, [d.destination_node])
                if not np.isfinite(m2o.time_from(o.origin_node, d.destination_node)):
                    raise UnreachableError(f"no {mode} trip from {o.label} to {d.label}")
                path = m2o.path(o.origin_node, d.destination_node)
        legs = path_legs(compiled, model.graph, path)
        return {
            "origin": o.label,
            "destination": d.label,
            "mode": mode,
            "measured": measured,
            "as_of": self.as_of,
            "minutes": round(sum(x["minutes"] for x in legs), 1),
            "km": round(sum(x["km"] for x in legs), 1),
            "legs": legs,
            "note": self.approximation_note,
            "warnings": self.warnings,
        }

    def _rail_path(self, origin: str, target: str, mode: str = "rail") -> list[str]:
        minutes, chosen, (stations, pred, egress, pt_mode) = self._rail_times([origin], target, mode)
        if not np.isfinite(minutes[0]):
            names = [self.graph.nodes[n].get("name_zh") or n for n in (origin, target)]
            raise UnreachableError(
                f"no trip by {mode} from {names[0]} to {names[1]} boarding and alighting within "
                f"{self.assumptions.rail_access_max_km:g} km of its ends (rail_access_max_km)"
            )
        road, net = self.compiled("road"), self.compiled(f"{pt_mode}_platform")
        board, alight = (stations[int(i)] for i in chosen[0])
        first = [road.node_ids[r] for r in walk_back(pred[0], road.index[board]) or []]
        _, platform_pred = self._platform_matrix(pt_mode)
        row = stations.index(board)
        middle = [net.node_ids[r] for r in walk_back(platform_pred[row], net.index[alight]) or []]
        # middle runs inside:board ... station:alight
        return first + middle + egress.path(alight, target)[1:]

    def trip_minutes(self, origin: str, destination: str, mode: str = "best") -> float:
        """Minutes of :meth:`route` without its legs: from the compiled arrays only (fast, and
        right for a re-timed copy of the network). ``inf`` when there is no trip."""
        o, d = self.resolve(origin), self.resolve(destination)
        if o.kind == "station" and d.kind == "station" and mode != "road":
            return self._station_pair_minutes(o, d, mode)
        if mode in ("rail", "transit"):
            return float(self._rail_times([o.origin_node], d.destination_node, mode)[0][0])
        m2o = many_to_one(self.compiled(mode), [d.destination_node])
        return float(m2o.time_from(o.origin_node, d.destination_node))

    # -- station to station -------------------------------------------------------------------
    # rail/transit: platform to platform on trains (and coaches for transit) only, with no road leg;
    # best: the faster of that and the road trip between the two station fronts, so best is never
    # slower than any mode; the trip says which it measured.
    def _platform_search(
        self, o: Endpoint, d: Endpoint, mode: str
    ) -> tuple[np.ndarray, np.ndarray, list[int], set[int]]:
        net = self.compiled(f"{'transit' if mode == 'transit' else 'rail'}_platform")
        deps = [n for n in self.graph.successors(f"inside:{o.key}")] if f"inside:{o.key}" in self.graph else []
        arrs = [n for n in self.graph.predecessors(f"station:{d.key}") if self.graph.nodes[n]["kind"] == "stop_arr"]
        deps = [x for x in deps if x in net.index]
        arrs = [x for x in arrs if x in net.index]
        if not deps or not arrs:
            raise UnreachableError(f"no passenger service at {o.label if not deps else d.label} on {self.as_of}")
        dist, pred, _ = search(net.transposed, [net.index[a] for a in arrs], min_only=True, predecessors=True)
        return dist, pred, [net.index[x] for x in deps], {net.index[a] for a in arrs}

    def _platform_minutes(self, o: Endpoint, d: Endpoint, mode: str = "rail") -> float:
        try:
            dist, _, dep_rows, _ = self._platform_search(o, d, mode)
        except UnreachableError:
            return float("inf")
        return float(np.min(dist[dep_rows]))

    def _platform_path(self, o: Endpoint, d: Endpoint, mode: str = "rail") -> list[str]:
        net = self.compiled(f"{'transit' if mode == 'transit' else 'rail'}_platform")
        dist, pred, dep_rows, goal = self._platform_search(o, d, mode)
        k = dep_rows[int(np.argmin(dist[dep_rows]))]
        if not np.isfinite(dist[k]):
            raise UnreachableError(f"no {mode} trip from {o.label} to {d.label} on {self.as_of}")
        path = (walk_back(pred, k) or [])[::-1]  # the search ran backwards from the arrivals: k ... goal
        return [net.node_ids[r] for r in path]

    def _station_pair_minutes(self, o: Endpoint, d: Endpoint, mode: str) -> float:
        pt = self._platform_minutes(o, d, "transit" if mode == "best" else mode)
        if mode != "best":
            return pt
        road = many_to_one(self.compiled("road"), [d.destination_node])
        return min(pt, float(road.time_from(o.origin_node, d.destination_node)))

    def _station_pair_path(self, o: Endpoint, d: Endpoint, mode: str) -> tuple[list[str], str, CompiledGraph]:
        pt_mode = "transit" if mode == "best" else mode
        if mode == "best":
            road = many_to_one(self.compiled("road"), [d.destination_node])
            if road.time_from(o.origin_node, d.destination_node) < self._platform_minutes(o, d, pt_mode):
                return road.path(o.origin_node, d.destination_node), "station-to-station by road", self.compiled("road")
        return self._platform_path(o, d, pt_mode), "platform-to-platform", self.compiled(f"{pt_mode}_platform")

    def _with_points(self, *endpoints: Endpoint) -> Model:
        graph = self.graph.copy()
        for ep, role in zip(endpoints, ("origin", "destination")):
            if ep.kind == "point":
                add_point(graph, self.data, self.roads, self.assumptions, ep.lon, ep.lat, f"point-{role}")
        return Model(dataclasses.replace(self.network, graph=graph, edge_table=build_edge_table(graph)))

    def _point_endpoint(self, ep: Endpoint, role: str) -> Endpoint:
        if ep.kind != "point":
            return ep
        return Endpoint("point", ep.key, ep.label, f"place:point-{role}", f"place:point-{role}:arrive", ep.lon, ep.lat)
