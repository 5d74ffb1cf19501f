"""The working model: the default network for a date, compiled once, with ``route`` and ``score``.

This is the orchestration layer for Python users, notebooks and the CLI::

    >>> import network
    >>> model = network.Model.default(year=2024)
    >>> model.route("晋城东站", "郑州站", mode="rail")["minutes"]
    52.7
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
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from network.assumptions import Assumptions
from network.errors import LookupFailed, YearError
from network.geo import haversine_km
from network.graph import network_cache
from network.graph.edges import EdgeTable, build_edge_table
from network.graph.lookup import Endpoint, build_name_index, resolve
from network.graph.network import EARLIEST_DATE, Network, check_as_of
from network.graph.schema import MODE_SETS
from network.indicators.measures import cumulative_opportunities, potential_accessibility
from network.indicators.score import THRESHOLDS_MIN, summarise_scores
from network.routing.compile import CompiledGraph
from network.routing.matrix import od_minutes
from network.routing.paths import path_legs
from network.routing.trips import TripSearch
from network.search import cch_available, search
from network.sources.default import DEFAULT_TARGETS as _DATASET_TARGETS
from network.sources.default import data_as_of, data_dir

if TYPE_CHECKING:  # the scenario modules load on first use (pydantic schemas: a tenth of a second)
    import networkx as nx

    from network.graph.road_layer import RoadLayer
    from network.scenario.apply import ApplyReport
    from network.scenario.load import Scenario
    from network.sources.default import DefaultData
    from network.sources.geometry import LineGraph

DEFAULT_TARGETS = _DATASET_TARGETS  # data/dataset.yaml, region.targets

OSM_APPROXIMATION_NOTE = (
    "Free-flow car speeds from OSM maxspeed or China class defaults (no congestion, no curvature); rail "
    "waits from assumed headways, not a timetable; trains run only as the services file says. All "
    "constants: `taihang assumptions`; the build report: `taihang data --network FILE`."
)

APPROXIMATION_NOTE = (
    "Free-flow car speeds by road class and, where no design speed is published, by the terrain of a 5' "
    "height grid (plain, hilly, mountain; no single grade or bend; no congestion); roads that no curated "
    "corridor owns are undated and exist in every year; trains whose stops are not published call at every "
    "station (published patterns run as their own services); waits come from train counts or assumed "
    "headways, not a timetable, from every train calling at both stops where several patterns serve them "
    "(the ride then their frequency-weighted mean); rail and transit "
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


def _cch_cache() -> Path | None:
    """Where contraction orders are kept between runs (beside the cached networks)."""
    folder = network_cache.cache_dir()
    return None if folder is None else folder.parent / "cch"


def _inputs_stamp() -> tuple[Any, ...]:
    """The data folder and its files' modification times: a change of the data is a new key."""
    folder = data_dir()
    files = [*folder.glob("*.*"), *folder.glob("geometry/*"), *folder.glob("terrain/*")]
    return (str(folder), tuple(sorted((p.name, p.stat().st_mtime_ns) for p in files)))


def _with_base_coaches(network: Network) -> Network:
    """The network with today's intercity coaches (``data/coaches.yaml``, each from the year it
    opened): applied as a scenario's coach changes are, then part of the base (no scenario is
    named; ``graph.graph["base_coaches"]`` lists the lines in it and those not yet open)."""
    from network.scenario.apply import apply_scenario
    from network.scenario.load import load_scenario

    path = data_dir() / "coaches.yaml"
    if not path.is_file():
        return network
    sc = load_scenario(path)
    out, report = apply_scenario(network, sc)
    for key in [*report.added_edges, *report.changed_edges]:  # part of the base: no card made them
        if out.graph.has_edge(*key):
            out.graph.edges[key].pop("card", None)
    out.graph.graph["base_coaches"] = {
        "file": "data/coaches.yaml",
        "in_service": [c.change.id for c in sc.changes if c.change.opened <= network.as_of.year],
        "not_yet_open": [c.change.id for c in sc.changes if c.change.opened > network.as_of.year],
    }
    return dataclasses.replace(out, scenario=None, apply_report=None)


def _default_inputs(a: Assumptions) -> tuple[DefaultData, LineGraph, LineGraph, RoadLayer]:
    folder = data_dir()
    key = (
        *_inputs_stamp(),
        a.built_up_radius_city_km,
        a.built_up_radius_county_km,
        a.match_tolerance,
        a.max_match_circuity,
    )
    if key not in _INPUTS:
        from network.graph.build import build_layer
        from network.graph.road_layer import layer_geometry
        from network.sources.default import read_default_data
        from network.sources.geometry import read_region_geometry

        data = read_default_data(folder)
        raw = read_region_geometry("road", folder / "geometry")
        layer = build_layer(data, raw, a)
        _INPUTS.clear()  # one set of inputs at a time
        _INPUTS[key] = (data, layer_geometry(layer), read_region_geometry("rail", folder / "geometry"), layer)
    return _INPUTS[key]


#: Default models built in this process, by inputs, date and constants (least recently used first);
#: a model is about 30 MB, so eight stay well under the memory of a laptop.
_MODELS: OrderedDict[tuple[Any, ...], Model] = OrderedDict()
_MAX_MODELS = 8


@dataclass(frozen=True)
class Trip:
    """One trip (:meth:`Model.trip`): where from and to, the mode, what it measures (door to door,
    platform to platform), minutes, km, its legs, its path as (lon, lat) points (EPSG:4326), the
    network date and the caveats (:attr:`Model.warnings`)."""

    origin: str
    destination: str
    mode: str
    measured: str
    minutes: float
    km: float
    legs: tuple[dict[str, Any], ...]
    coords: tuple[tuple[float, float], ...]
    as_of: str
    note: str
    warnings: tuple[str, ...]

    @property
    def geometry(self) -> Any:
        """The path as a shapely ``LineString`` (lon, lat; EPSG:4326)."""
        import shapely

        return shapely.LineString(self.coords)

    def legs_frame(self) -> pd.DataFrame:
        """The legs as a table (one row per leg)."""
        return pd.DataFrame(list(self.legs))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: the fields, the legs and the path as a GeoJSON ``LineString``."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "coords"}
        out["legs"], out["warnings"] = list(self.legs), list(self.warnings)
        out["geometry"] = {"type": "LineString", "coordinates": [list(c) for c in self.coords]}
        return out


class Model:
    """Queries on a :class:`~network.graph.network.Network`: routes, scores, accessibility; the
    compiled arrays per mode and the name index are cached here, never in the network."""

    def __init__(
        self, network: Network, name_index: dict[str, list[Endpoint]] | None = None, parent: Model | None = None
    ) -> None:
        self.network = network
        # every search of a trip, with the compiled arrays; a scenario's shares the base's where
        # no change touches a mode
        self.trips: TripSearch = TripSearch(network, parent.trips if parent is not None else None)
        # tables read from the graph alone are shared with a parent of the same graph (a draw's)
        same_graph = parent is not None and parent.network.same_nodes(network)
        self._places_owner: dict[str, Any] = parent._places_owner if same_graph and parent is not None else {}
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
        return cast("Scenario | None", self.network.scenario)  # the graph layer holds it by a protocol

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
        from network.scenario.apply import apply_scenario

        return Model(apply_scenario(self.network, scenario)[0], parent=self)

    @classmethod
    def default(
        cls, year: int | None = None, as_of: dt.date | str | None = None, assumptions: Assumptions | None = None
    ) -> Model:
        """The embedded default network as it stood on ``as_of`` (or at the end of ``year``).

        Built once per process for each date and set of constants: the network is a value and
        the model's caches derive from it, so the same model is returned again (do not edit its
        graph; :meth:`with_scenario` makes a changed copy)."""
        date = as_of_date(year, as_of)
        assumptions = assumptions or Assumptions()
        key = (_inputs_stamp(), date, assumptions)
        if key in _MODELS:
            _MODELS.move_to_end(key)
            return _MODELS[key]
        cache_key = network_cache.key(date, assumptions) if network_cache.cache_dir() is not None else ""
        network = (
            network_cache.load(cache_key, assumptions, lambda: _default_inputs(assumptions)[:2]) if cache_key else None
        )
        if network is None:
            from network.graph.build import build_default_graph

            data, roads, railways, layer = _default_inputs(assumptions)
            graph = build_default_graph(data, roads, assumptions, date, railways, layer=layer)
            network = _with_base_coaches(Network(graph, data, roads, assumptions, build_edge_table(graph)))
            if cache_key:
                network_cache.store(network, cache_key)
        model = cls(network)
        _MODELS[key] = model
        while len(_MODELS) > _MAX_MODELS:
            _MODELS.popitem(last=False)
        return model

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
        from network.graph.build import build_default_graph
        from network.graph.netfile import read_network
        from network.graph.osm_ways import RoadGraph
        from network.graph.road_arrays import SourceIds, network_from_roads

        net = read_network(network) if isinstance(network, (str, Path)) else network
        date = as_of_date(year, as_of)
        assumptions = assumptions or Assumptions()
        arrays = isinstance(net.roads, RoadGraph)  # the road edges stay arrays (network/graph/road_arrays.py)
        graph = build_default_graph(net.data, net.roads, assumptions, date, None, net.bbox, roads_in_graph=not arrays)
        graph.graph["network"] = dict(net.meta)
        graph.graph["build_report"] = dict(net.report)
        # the source's own node ids (OSM, GMNS): `node:<id>` names a road node in route and matrix
        graph.graph["node_ids"] = SourceIds(net.roads.node_osm_id)
        if arrays:
            return cls(network_from_roads(graph, net.data, net.roads, assumptions))
        return cls(Network(graph, net.data, net.roads, assumptions, build_edge_table(graph)))

    @property
    def approximation_note(self) -> str:
        """What the times leave out, for this kind of network (embedded or built from OSM)."""
        return OSM_APPROXIMATION_NOTE if "network" in self.network.meta else APPROXIMATION_NOTE

    @property
    def as_of(self) -> str:
        """The network date (ISO), as outputs print it."""
        return self.network.as_of.isoformat()

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
            self._cache["name_index"] = build_name_index(dict(self.network.named_nodes()))
        return self._cache["name_index"]

    def compiled(self, mode: str) -> CompiledGraph:
        """CSR arrays for a mode filter, compiled on first use (:meth:`TripSearch.compiled`)."""
        return self.trips.compiled(mode)

    def service_minutes(self, service_id: str, origin: str, destination: str) -> float:
        """The running time of ``service_id`` from its stop nearest ``origin`` to its stop nearest
        ``destination`` (:func:`network.routing.services.service_run_minutes`)."""
        from network.routing.services import service_run_minutes

        a, b = self.resolve(origin), self.resolve(destination)
        return service_run_minutes(self.network, service_id, (a.lon, a.lat), (b.lon, b.lat))

    def resolve(self, text: str) -> Endpoint:
        """See :func:`network.graph.lookup.resolve`."""
        return resolve(self.network.nodes, self.network.meta, text, self.name_index)

    def per_graph(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, run once per graph and kept for every model on it (a draw's model
        shares its base's graph): for what depends on the graph's nodes only. Callers must not
        change what it returns."""
        owner = self._places_owner
        if key not in owner:
            owner[key] = compute()
        return owner[key]

    def places(self, kinds: Sequence[str] = ("county", "district")) -> pd.DataFrame:
        """The places of the network (default: the scored county-level units); a copy of a
        table read once per graph (a draw's model shares its base's graph, and the table)."""
        key = "places:" + "|".join(kinds)
        owner = self._places_owner
        if key not in owner:
            rows = [d for _, d in self.network.named_nodes() if d["kind"] == "place" and d["place_kind"] in kinds]
            cols = [
                "place_id",
                "name_zh",
                "name_en",
                "place_kind",
                "city_zh",
                "population_2020",
                "lon",
                "lat",
                "source",
            ]
            owner[key] = pd.DataFrame(rows, columns=cols).sort_values("place_id").reset_index(drop=True)
        out: pd.DataFrame = owner[key].copy()
        return out

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
        if places.empty:
            raise LookupFailed(
                "this network has no places to score: build it with --places FILE (CSV: place_id, name, population, "
                "lon, lat), or give a GMNS network zones (node.csv zone_id, zone.csv zone_id,name,population) or an "
                "OSM extract place=* nodes with a population tag; `taihang route` runs between nodes meanwhile"
            )
        origins = [f"place:{p}" for p in places["place_id"]]
        table = (
            places[["place_id", "name_zh", "name_en", "city_zh", "population_2020", "source"]]
            .rename(columns={"source": "position_source"})
            .copy()
        )
        target_eps = []
        for t in targets:
            try:
                ep = self.resolve(t)
            except LookupFailed as err:
                if tuple(targets) != tuple(DEFAULT_TARGETS):
                    raise
                raise LookupFailed(
                    f"{err}; the default targets are the embedded network's cities: on this network give --targets "
                    f"with its own places (`taihang places --network FILE` lists them)"
                ) from None
            if ep.kind != "place":
                raise LookupFailed(f"target {t!r} is a {ep.kind}; targets must be places (cities or counties)")
            target_eps.append(ep)
        for ep in target_eps:
            key = ep.key
            road = self.trips.to_target("road", ep.destination_node)
            best = self.trips.to_target("best", ep.destination_node)
            rows_road = [self.compiled("road").index[o] for o in origins]
            rows_best = [self.compiled("best").index[o] for o in origins]
            rail_min, _, _ = self.trips.rail_times(origins, ep.destination_node)
            transit_min, _, _ = self.trips.rail_times(origins, ep.destination_node, "transit")
            table[f"{key}_road_min"] = road.time_min[0, rows_road]
            table[f"{key}_rail_min"] = rail_min
            table[f"{key}_transit_min"] = transit_min
            table[f"{key}_best_min"] = best.time_min[0, rows_best]
            table[f"{key}_best_mode"] = self.trips.main_modes(best, origins)
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

    # -- single trips -----------------------------------------------------------------------
    def route(self, origin: str, destination: str, mode: str = "best") -> dict[str, Any]:
        """One trip with its legs, as plain data (:meth:`Trip.to_dict` of :meth:`trip`).

        Raises
        ------
        LookupFailed, UnreachableError
        """
        return self.trip(origin, destination, mode).to_dict()

    def trip(self, origin: str, destination: str, mode: str = "best") -> Trip:
        """One trip with its legs and path (:class:`Trip`). ORIGIN and DESTINATION are place,
        station or airport names (Chinese or English) or ``lon,lat``.

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
        path, measured, compiled = model.trips.path(o, d, mode)
        total = model.trips.minutes(o, d, mode)  # the search's own sum, as matrix and score have it
        legs = path_legs(compiled, model.network, path, total, model.network.assumptions)
        nodes = model.network.nodes
        return Trip(
            origin=o.label,
            destination=d.label,
            mode=mode,
            measured=measured,
            minutes=round(total, 1),  # the search's sum; the legs are rounded to add up to it
            km=round(sum(x["km"] for x in legs), 1),  # rounded to add up to the unrounded sum
            legs=tuple(legs),
            coords=tuple((float(nodes[n]["lon"]), float(nodes[n]["lat"])) for n in path),
            as_of=self.as_of,
            note=self.approximation_note,
            warnings=tuple(self.warnings),
        )

    def travel_times(
        self, targets: Sequence[str] = DEFAULT_TARGETS, modes: Sequence[str] = ("road", "rail", "transit", "best")
    ) -> pd.DataFrame:
        """Door-to-door times from every county-level place to each target as a long table: one
        row per origin, destination and mode with ``origin`` (place id), ``origin_zh``,
        ``origin_en``, ``population_2020``, ``destination``, ``mode``, ``minutes`` (``inf`` when
        there is no trip) and ``km`` (along the fastest path)."""
        per_place, _ = self.score(targets)
        keys = [self.resolve(t).key for t in targets]
        rows = []
        for key, target in zip(keys, targets):
            dest = self.resolve(target)
            for mode in modes:
                km = self.trips.path_km_to([f"place:{p}" for p in per_place["place_id"]], dest.destination_node, mode)
                rows.append(
                    pd.DataFrame(
                        {
                            "origin": per_place["place_id"],
                            "origin_zh": per_place["name_zh"],
                            "origin_en": per_place["name_en"],
                            "population_2020": per_place["population_2020"],
                            "destination": key,
                            "mode": mode,
                            "minutes": per_place[f"{key}_{mode}_min"],
                            "km": np.round(km, 1),
                        }
                    )
                )
        return pd.concat(rows, ignore_index=True)

    def matrix(
        self,
        origins: Sequence[str] | None = None,
        destinations: Sequence[str] | None = None,
        mode: str = "best",
        engine: str = "scipy",
    ) -> pd.DataFrame:
        """Door-to-door minutes between places as a long table: one row per origin and destination
        with ``origin``, ``origin_zh``, ``destination``, ``destination_zh``, ``mode`` and ``minutes``
        (``inf`` when there is no trip). Default: every county-level place to every other.
        ``road`` and ``best`` run one search per origin or per destination, whichever is fewer;
        ``rail`` and ``transit`` one forced-train search per destination. ``engine="cch"`` (road
        and best) runs the contraction hierarchy (optional: ``pip install 'taihang[cch]'``;
        :func:`network.routing.matrix.od_minutes`).

        Raises
        ------
        LookupFailed
            For a name that is not a place, an unknown mode, or an engine that cannot run it.
        """
        if mode not in MODE_SETS:
            raise LookupFailed(f"unknown mode {mode!r}; expected one of {sorted(MODE_SETS)}")
        if engine not in ("scipy", "cch"):
            raise LookupFailed(f"unknown engine {engine!r}; expected scipy or cch")
        if engine == "cch" and mode in ("rail", "transit"):
            raise LookupFailed(
                f"engine cch runs road and best matrices; a {mode} matrix forces a train on every trip, "
                "which runs on scipy: leave out the engine"
            )
        if engine == "cch" and not cch_available():
            raise LookupFailed("engine cch needs pyroutingkit: pip install 'taihang[cch]' (Linux x86_64, macOS arm64)")
        places = self.places(("county", "district", "city", "external"))
        names = dict(zip(places["place_id"], places["name_zh"]))

        def ends(given: Sequence[str] | None) -> list[tuple[str, str, str]]:
            """(key, origin node, destination node) of each end."""
            if given is None:
                return [(k, f"place:{k}", f"place:{k}:arrive") for k in self.places()["place_id"]]
            eps = [self.resolve(x) for x in given]
            bad = [e.label for e in eps if e.kind not in ("place", "node")]
            if bad:
                raise LookupFailed(
                    f"{', '.join(bad)}: not a place or a node (node:<id>); a matrix runs between places or nodes"
                )
            return [(e.key if e.kind == "place" else f"node:{e.key}", e.origin_node, e.destination_node) for e in eps]

        o_ends, d_ends = ends(origins), ends(destinations)
        o_keys, d_keys = [e[0] for e in o_ends], [e[0] for e in d_ends]
        o_nodes = [e[1] for e in o_ends]
        d_nodes = [e[2] for e in d_ends]
        if mode in ("rail", "transit"):
            minutes = (
                np.column_stack([self.trips.rail_times(o_nodes, d, mode)[0] for d in d_nodes])
                if d_nodes
                else np.zeros((len(o_nodes), 0))
            )
        else:
            minutes = od_minutes(self.compiled(mode), o_nodes, d_nodes, engine=engine, cache_dir=_cch_cache())
        o_idx, d_idx = np.meshgrid(np.arange(len(o_keys)), np.arange(len(d_keys)), indexing="ij")
        return pd.DataFrame(
            {
                "origin": np.array(o_keys, dtype=object)[o_idx.ravel()],
                "origin_zh": [names.get(o_keys[i], o_keys[i]) for i in o_idx.ravel()],
                "destination": np.array(d_keys, dtype=object)[d_idx.ravel()],
                "destination_zh": [names.get(d_keys[j], d_keys[j]) for j in d_idx.ravel()],
                "mode": mode,
                "minutes": np.round(minutes.ravel(), 1),
            }
        )

    def places_frame(self, kinds: Sequence[str] = ("county", "district", "city", "external")) -> Any:
        """The places as a GeoDataFrame of points (EPSG:4326)."""
        import geopandas as gpd

        df = self.places(kinds)
        return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")

    def links_frame(self, modes: Sequence[str] = ("road", "rail", "hsr", "bus", "air")) -> Any:
        """The road links and the rides of services (stop to stop) of ``modes`` as a GeoDataFrame
        of straight segments between their ends (EPSG:4326), with mode, kind, minutes, km, for
        roads class, ref and name, and ``card``: the scenario cards that added or changed the link
        (empty for the base network's); waits, dwells and connectors are left out."""
        import geopandas as gpd
        import shapely

        nodes, rows, ends = self.graph.nodes, [], []
        row_of, minutes = self.edge_table.row_of, self.edge_table.time_min  # this network's times (a draw's too)
        for u, v, k, d in self.graph.edges(keys=True, data=True):
            if d["mode"] in modes and d.get("kind") in ("link", "ride"):  # roads and rides, not waits or dwells
                rows.append(
                    {
                        "u": u,
                        "v": v,
                        "key": k,
                        "mode": d["mode"],
                        "kind": d.get("kind"),
                        "minutes": float(minutes[row_of[(u, v, k)]]),
                        "km": d["length_km"],
                        "road_class": d.get("road_class"),
                        "ref": d.get("ref"),
                        "name_zh": d.get("name_zh"),
                        "card": d.get("card") or "",  # the scenario cards that added or changed it
                    }
                )
                ends.append([[nodes[u]["lon"], nodes[u]["lat"]], [nodes[v]["lon"], nodes[v]["lat"]]])
        geometry = shapely.linestrings(np.asarray(ends, dtype=float).reshape(-1, 2, 2)) if ends else []
        return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs="EPSG:4326")

    def trip_minutes(self, origin: str, destination: str, mode: str = "best") -> float:
        """Minutes of :meth:`route` without its legs: from the compiled arrays only (fast, and
        right for a re-timed copy of the network). ``inf`` when there is no trip."""
        return self.trips.minutes(self.resolve(origin), self.resolve(destination), mode)

    def _with_points(self, *endpoints: Endpoint) -> Model:
        from network.graph.build import add_point

        graph = self.graph.copy()
        for ep, role in zip(endpoints, ("origin", "destination")):
            if ep.kind == "point":
                add_point(graph, self.data, self.roads, self.assumptions, ep.lon, ep.lat, f"point-{role}")
        return Model(dataclasses.replace(self.network, _graph=graph, edge_table=build_edge_table(graph), parts=None))

    def _point_endpoint(self, ep: Endpoint, role: str) -> Endpoint:
        if ep.kind != "point":
            return ep
        return Endpoint("point", ep.key, ep.label, f"place:point-{role}", f"place:point-{role}:arrive", ep.lon, ep.lat)
