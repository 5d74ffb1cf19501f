"""The records of a network's curated layers: places, stations, airports, rail lines with their
stations, services and road corridors.

Every reader (the embedded default in :mod:`network.sources.default`, an OSM build in
:mod:`network.graph.osm`, a network file in :mod:`network.graph.netfile`, a GMNS folder) makes
these same frozen records, so the graph builder and the scenario handlers read one shape, with
types mypy checks, and nothing downstream edits a record in place: a change is a new record
(:func:`dataclasses.replace`).

Units are in the names (``km``, ``_kph``, ``_min``); positions are WGS84 degrees; dates are
:class:`datetime.date` or ``None`` where the data holds none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from network.errors import DataError

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Place:
    """A town or city: an origin of the scores (``kind`` county or district, with its 2020
    census population) or a target (``city`` or ``external``)."""

    place_id: str
    name_zh: str
    name_en: str
    kind: str
    lat: float
    lon: float
    population_2020: int | None = None
    city_zh: str = ""
    position_source: str = ""
    position_note: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Station:
    """A passenger railway station."""

    station_id: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    position_source: str = ""
    opened: dt.date | None = None
    notes: str = ""
    #: the OSM name and elements a station read from OSM came from (empty for curated ones)
    osm_name: str = ""
    osm_ids: tuple[str, ...] = ()
    #: the scenario that plans the station (None for a station that exists)
    scenario: str | None = None


@dataclass(frozen=True, slots=True)
class Airport:
    """A passenger airport. Processing minutes left ``None`` take the assumptions' defaults."""

    airport_id: str
    iata: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    position_source: str = ""
    opened: dt.date | None = None
    departure_processing_min: float | None = None
    arrival_processing_min: float | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LineStop:
    """A station of a line, with the section to the next station (``None`` on the last)."""

    station: str
    km: float | None = None
    speed_kph_to_next: float | None = None
    opened_to_next: dt.date | None = None
    #: the section's path as (lon, lat) points, where it was measured on OSM track
    geometry_to_next: tuple[tuple[float, float], ...] | None = None
    #: True where the speed is published (a services file's), so a track measurement never lowers it
    curated_speed: bool = False
    #: a section a scenario builds: its speed carries ``new_line_speed_factor`` (graph/timing.py)
    new_section: bool = False
    #: a section whose km come from ``new_rail_circuity`` (no published length)
    circuity_section: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """A railway line: its stations in order."""

    line_id: str
    name_zh: str
    name_en: str
    mode: str
    source: str
    stations: tuple[LineStop, ...]
    circuity: float | None = None
    passenger_until: dt.date | None = None

    def station_ids(self) -> list[str]:
        """The line's station ids in order."""
        return [s.station for s in self.stations]

    def section_speed_kph(self, i: int) -> float:
        """The line speed of the section from station ``i`` to ``i + 1`` (km/h)."""
        speed = self.stations[i].speed_kph_to_next
        if speed is None:
            raise ValueError(f"line {self.line_id}: section {i} (from {self.stations[i].station}) has no speed")
        return speed


@dataclass(frozen=True, slots=True)
class Service:
    """A passenger service on a line: where it stops and how often it runs."""

    service_id: str
    line: str
    stops: tuple[str, ...]
    headway_min: float
    name_en: str | None = None
    stops_source: str | None = None
    from_: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Corridor:
    """A road corridor: an expressway, national or provincial road the scenarios can name."""

    corridor_id: str
    ref: str
    name_zh: str
    name_en: str
    source: str
    road_class: str = "expressway"
    towns: tuple[str, ...] = ()
    #: (lat, lon) points along the road, as roads.yaml gives them
    waypoints: tuple[tuple[float, float], ...] = ()
    length_km: float | None = None
    design_speed_kph: float | None = None
    speed_limit_kph: float | None = None
    lanes: int | None = None
    upgrades: str | None = None
    opened: dt.date | None = None
    #: True where ``opened`` is the latest date a source bounds the opening by, not the day itself
    opened_bound: bool = False
    #: km of tunnel each way on its Shanxi part (the province's tunnel limit applies there)
    tunnel_km: float | None = None
    opened_note: str | None = None
    #: published / matched length where the corridor was matched on geometry that cuts its bends
    #: (set by :func:`network.graph.road_layer.build_road_layer`; 1 elsewhere)
    length_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class UrbanLine:
    """A city's metro between two of its railway stations (the way travellers change between them)."""

    line_id: str
    name_zh: str
    name_en: str
    from_station: str
    to_station: str
    length_km: float
    hops: int
    max_speed_kph: float
    headway_min: float
    source: str
    opened: dt.date | None = None


@dataclass(frozen=True)
class DefaultData:
    """The curated layers of a network, as frozen records."""

    places: tuple[Place, ...] = ()
    stations: tuple[Station, ...] = ()
    airports: tuple[Airport, ...] = ()
    lines: tuple[Line, ...] = ()
    services: tuple[Service, ...] = ()
    corridors: tuple[Corridor, ...] = ()
    urban_lines: tuple[UrbanLine, ...] = ()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return as_plain(value)
    return value


def as_plain(record: Any) -> dict[str, Any]:
    """A record as a JSON-friendly dict (dates as ISO text, tuples as lists), for files and listings."""
    return {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


#: Fields that hold dates (ISO text in files)
_DATE_FIELDS = frozenset({"opened", "opened_to_next", "passenger_until", "from_", "until"})


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def record_from(cls: type[R], values: Mapping[str, Any], where: str) -> R:
    """A record of type ``cls`` from a mapping read from a file (dates from ISO text, lists as
    tuples), the inverse of :func:`as_plain`.

    Raises
    ------
    DataError
        Naming ``where`` and the field that is unknown, missing or not a date.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = {f.name for f in fields}
    unknown = sorted(set(values) - names)
    if unknown:
        raise DataError(
            f"{where}: unknown field(s) {', '.join(unknown)}; a {cls.__name__} has {', '.join(sorted(names))}"
        )
    required = [f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [k for k in required if k not in values]
    if missing:
        raise DataError(f"{where}: missing field(s) {', '.join(missing)}; a {cls.__name__} needs {', '.join(required)}")
    kw: dict[str, Any] = {}
    for k, v in values.items():
        if k in _DATE_FIELDS and v not in (None, "") and not isinstance(v, dt.date):
            try:
                v = dt.date.fromisoformat(str(v))
            except ValueError:
                raise DataError(f"{where}: {k}: {v!r} is not a date; expected YYYY-MM-DD") from None
        kw[k] = None if k in _DATE_FIELDS and v == "" else _tuples(v)
    try:
        return cls(**kw)
    except TypeError as err:
        raise DataError(f"{where}: {err}") from None
