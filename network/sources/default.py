"""Read the embedded default network's curated layers from ``data/``.

In: ``places.csv``, ``stations.csv``, ``airports.csv``, ``rail_lines.yaml``, ``roads.yaml``,
``urban_rail.yaml``.
Out: a :class:`~network.sources.records.DefaultData` of frozen records, validated: every
problem of a file is collected and reported at once, each with the file, the row or item, the
field, what was found and what is expected.

The data folder is ``TAIHANG_DATA_DIR`` if set, else the repository's ``data/`` next to the
package (an editable install or a source checkout), else the copy installed with the package.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from network.errors import DataError
from network.sources.records import (
    Airport,
    Corridor,
    DefaultData,
    Line,
    LineStop,
    Place,
    Service,
    Station,
    UrbanLine,
)

__all__ = ["DefaultData", "data_as_of", "data_dir", "read_default_data", "read_region"]


def data_dir() -> Path:
    """The folder holding the curated layers (see the module docstring)."""
    env = os.environ.get("TAIHANG_DATA_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / "data"
    if (here / "places.csv").exists():
        return here
    installed = Path(__file__).resolve().parents[1] / "_data"
    if (installed / "places.csv").exists():
        return installed
    raise DataError(
        f"no data folder found (looked in {here} and {installed}); set TAIHANG_DATA_DIR "
        "to the repository's data/ folder"
    )


def data_as_of(folder: Path | None = None) -> dt.date:
    """The date the embedded data describes (``data/dataset.yaml``): the default network date.

    Raises
    ------
    DataError
        If the file is missing or holds no ``as_of`` date.
    """
    path = (folder or data_dir()) / "dataset.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        value = doc["as_of"]
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as err:
        raise DataError(
            f"{path}: cannot read the data's as_of date ({err}); the file holds `as_of: YYYY-MM-DD`"
        ) from None


@dataclass(frozen=True)
class Region:
    """The region of the embedded network (``data/dataset.yaml``, ``region``): its default
    targets, the city whose gains rank projects, and its bounding box."""

    targets: tuple[str, ...]
    focus_city: str
    bbox: tuple[float, float, float, float]


def read_region(folder: Path | None = None) -> Region:
    """The ``region`` block of ``data/dataset.yaml``.

    Raises
    ------
    DataError
        Naming the file and the field that is missing or malformed.
    """
    path = (folder or data_dir()) / "dataset.yaml"
    try:
        block = yaml.safe_load(path.read_text(encoding="utf-8"))["region"]
        targets = tuple(str(t) for t in block["targets"])
        bbox = tuple(float(x) for x in block["bbox"])
        focus = str(block["focus_city"])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as err:
        raise DataError(
            f"{path}: region: cannot read it ({type(err).__name__}: {str(err)[:80]}); the file holds region: "
            "with targets (a list of places), focus_city and bbox [west, south, east, north]"
        ) from None
    west, south, east, north = bbox if len(bbox) == 4 else (0.0, 0.0, 0.0, 0.0)
    if len(bbox) != 4 or not (-180 <= west < east <= 180 and -90 <= south < north <= 90) or not targets:
        raise DataError(f"{path}: region: bbox must be [west, south, east, north] in degrees, and targets not empty")
    return Region(targets=targets, focus_city=focus, bbox=(west, south, east, north))


_REGION = read_region()
#: The region the default network describes: (west, south, east, north) in degrees (data/dataset.yaml).
REGION_BBOX = _REGION.bbox
#: The default targets of scores, maps and comparisons (data/dataset.yaml).
DEFAULT_TARGETS = _REGION.targets
#: The city whose places' gains rank projects in a comparison (data/dataset.yaml).
FOCUS_CITY = _REGION.focus_city


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, field: str, found: Any, expected: str) -> None:
        self.items.append(f"{self.path.name}: {where}, field '{field}': found {found!r}, expected {expected}")

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(f"{len(self.items)} problem(s) in {self.path}:\n  " + "\n  ".join(self.items))


def _date(value: Any, problems: _Problems, where: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(where, field, value, "an ISO date YYYY-MM-DD or empty")
        return None


def _number(
    value: Any, problems: _Problems, where: str, field: str, positive: bool = True, optional: bool = False
) -> float | None:
    if value in (None, "") and optional:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.add(where, field, value, "a number")
        return None
    if positive and not number > 0:
        problems.add(where, field, value, "a number > 0")
        return None
    return number


def _read_csv(path: Path, required: list[str]) -> tuple[list[dict[str, str]], _Problems]:
    problems = _Problems(path)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = reader.fieldnames or []
    except OSError as err:
        raise DataError(f"cannot read {path}: {err}") from err
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; the header must include {required}")
    return rows, problems


def _check_position(row: dict[str, str], problems: _Problems, where: str) -> tuple[float, float]:
    lat = _number(row.get("lat"), problems, where, "lat", positive=False)
    lon = _number(row.get("lon"), problems, where, "lon", positive=False)
    if lat is not None and not -90 <= lat <= 90:
        problems.add(where, "lat", lat, "a latitude in degrees (-90..90), WGS84")
    if lon is not None and not -180 <= lon <= 180:
        problems.add(where, "lon", lon, "a longitude in degrees (-180..180), WGS84")
    return (lat or 0.0, lon or 0.0)


def read_places(path: Path) -> list[Place]:
    """Places (``places.csv``: ``place_id, name_zh, name_en, kind (county|district|city|external),
    city_zh, population_2020, lat, lon, position_source, position_note, source``)."""
    rows, problems = _read_csv(
        path,
        [
            "place_id",
            "name_zh",
            "name_en",
            "kind",
            "city_zh",
            "population_2020",
            "lat",
            "lon",
            "position_source",
            "source",
        ],
    )
    out: list[Place] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('place_id')})"
        if row["place_id"] in seen:
            problems.add(where, "place_id", row["place_id"], "a unique id")
        seen.add(row["place_id"])
        if row["kind"] not in {"county", "district", "city", "external"}:
            problems.add(where, "kind", row["kind"], "one of county, district, city, external")
        lat, lon = _check_position(row, problems, where)
        pop = None
        if row["kind"] in {"county", "district"}:
            number = _number(row["population_2020"], problems, where, "population_2020")
            pop = int(number) if number is not None else None
        if not row.get("source"):
            problems.add(where, "source", row.get("source"), "a source")
        out.append(
            Place(
                place_id=row["place_id"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                kind=row["kind"],
                lat=lat,
                lon=lon,
                population_2020=pop,
                city_zh=row["city_zh"] or "",
                position_source=row["position_source"] or "",
                position_note=row.get("position_note") or "",
                source=row["source"] or "",
            )
        )
    problems.raise_if_any()
    return out


def read_stations(path: Path) -> list[Station]:
    """Stations (``stations.csv``: ``station_id, name_zh, name_en, lat, lon, position_source, opened, notes``)."""
    rows, problems = _read_csv(path, ["station_id", "name_zh", "name_en", "lat", "lon", "position_source", "opened"])
    out: list[Station] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('station_id')})"
        if row["station_id"] in seen:
            problems.add(where, "station_id", row["station_id"], "a unique id")
        seen.add(row["station_id"])
        lat, lon = _check_position(row, problems, where)
        if not row.get("position_source"):
            problems.add(where, "position_source", "", "where the position comes from")
        out.append(
            Station(
                station_id=row["station_id"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                lat=lat,
                lon=lon,
                position_source=row["position_source"] or "",
                opened=_date(row["opened"], problems, where, "opened"),
                notes=row.get("notes") or "",
            )
        )
    problems.raise_if_any()
    return out


def read_airports(path: Path) -> list[Airport]:
    """Airports (``airports.csv``: ``airport_id, iata, name_zh, name_en, lat, lon, position_source,
    opened, departure_processing_min, arrival_processing_min, notes``)."""
    rows, problems = _read_csv(
        path, ["airport_id", "iata", "name_zh", "name_en", "lat", "lon", "position_source", "opened"]
    )
    out: list[Airport] = []
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('airport_id')})"
        lat, lon = _check_position(row, problems, where)
        dep, arr = (
            _number(row.get(k), problems, where, k, optional=True)
            for k in ("departure_processing_min", "arrival_processing_min")
        )
        out.append(
            Airport(
                airport_id=row["airport_id"],
                iata=row["iata"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                lat=lat,
                lon=lon,
                position_source=row["position_source"] or "",
                opened=_date(row["opened"], problems, where, "opened"),
                departure_processing_min=dep,
                arrival_processing_min=arr,
                notes=row.get("notes") or "",
            )
        )
    problems.raise_if_any()
    return out


def read_rail(path: Path, station_ids: set[str]) -> tuple[list[Line], list[Service]]:
    """Rail lines and services from ``rail_lines.yaml`` (format described in that file; schema
    :class:`~network.sources.schemas.RailFile`). The schema checks fields and types; this checks
    what it cannot: station ids against stations.csv, stops in line order, dates in order."""
    from network.sources.schemas import RailFile, validated

    doc = validated(path, RailFile)
    problems = _Problems(path)
    lines: list[Line] = []
    for i, line in enumerate(doc["lines"]):
        where = f"lines[{i}] ({line['line_id']})"
        stations: list[LineStop] = []
        for j, st in enumerate(line["stations"]):
            if st["station"] not in station_ids:
                problems.add(f"{where}.stations[{j}]", "station", st["station"], "a station_id of stations.csv")
                continue
            last = j == len(line["stations"]) - 1
            w = f"{where}.stations[{j}]"
            speed = None if last else _number(st.get("speed_kph_to_next"), problems, w, "speed_kph_to_next")
            stations.append(
                LineStop(
                    station=st["station"],
                    km=_number(st.get("km"), problems, w, "km", positive=False, optional=True),
                    speed_kph_to_next=speed,
                    opened_to_next=None if last else _date(st.get("opened_to_next"), problems, w, "opened_to_next"),
                )
            )
        if len(stations) < 2:
            problems.add(where, "stations", len(stations), "at least two stations")
        circuity = line.get("circuity")
        if all(s.km is None for s in stations) and circuity is None:
            problems.add(where, "circuity", None, "a circuity factor when no station has a km post")
        lines.append(
            Line(
                line_id=line["line_id"],
                name_zh=line["name_zh"],
                name_en=line["name_en"],
                mode=line["mode"],
                source=line["source"],
                stations=tuple(stations),
                circuity=None if circuity is None else float(circuity),
                passenger_until=_date(line.get("passenger_until"), problems, where, "passenger_until"),
            )
        )
    services: list[Service] = []
    by_line = {ln.line_id: ln for ln in lines}
    for i, svc in enumerate(doc["services"]):
        where = f"services[{i}] ({svc['service_id']})"
        if svc["line"] not in by_line:
            problems.add(where, "line", svc["line"], f"one of {sorted(by_line)}")
            continue
        line_stations = by_line[svc["line"]].station_ids()
        stops = line_stations if svc["stops"] == "all" else list(svc["stops"])
        if any(s not in line_stations for s in stops):
            problems.add(where, "stops", svc["stops"], f"'all' or at least two of {line_stations}")
            continue
        order = [line_stations.index(s) for s in stops]
        if order != sorted(order):
            problems.add(where, "stops", stops, "stations in line order")
        start = _date(svc.get("from"), problems, where, "from")
        until = _date(svc.get("until"), problems, where, "until")
        if start and until and until < start:
            problems.add(where, "until", svc.get("until"), f"a date on or after 'from' ({start})")
        services.append(
            Service(
                service_id=svc["service_id"],
                line=svc["line"],
                stops=tuple(stops),
                headway_min=float(svc["headway_min"]),
                name_en=svc["name_en"],
                stops_source=svc.get("stops_source"),
                from_=start,
                until=until,
            )
        )
    problems.raise_if_any()
    return lines, services


def read_corridors(path: Path) -> list[Corridor]:
    """Road corridors from ``roads.yaml`` (format described in that file; schema
    :class:`~network.sources.schemas.RoadsFile`). Beyond the schema: ids unique, and a note where
    there is no opening date."""
    from network.sources.schemas import RoadsFile, validated

    doc = validated(path, RoadsFile)
    problems = _Problems(path)
    out: list[Corridor] = []
    seen: set[str] = set()
    for i, c in enumerate(doc["corridors"]):
        where = f"corridors[{i}] ({c['corridor_id']})"
        if c["corridor_id"] in seen:
            problems.add(where, "corridor_id", c["corridor_id"], "a unique id")
        seen.add(c["corridor_id"])
        opened = _date(c.get("opened"), problems, where, "opened")
        if opened is None and not c.get("opened_note"):
            problems.add(where, "opened_note", None, "a note saying why there is no opening date")
        if opened is None and c.get("road_class", "expressway") == "expressway":
            problems.add(
                where,
                "opened",
                None,
                "a date: every expressway opened after 1988; where the day is not found give the latest "
                "date a source bounds it by, with opened_bound: true and the source in opened_note",
            )
        if c.get("tunnel_km") and not c.get("length_km"):
            problems.add(where, "tunnel_km", c.get("tunnel_km"), "a published length_km beside it (the tunnels' share)")
        if c.get("opened_bound") and not c.get("opened_note"):
            problems.add(where, "opened_note", None, "the source of the bound")
        numbers = {
            k: _number(c.get(k), problems, where, k, optional=True)
            for k in ("length_km", "design_speed_kph", "speed_limit_kph")
        }
        out.append(
            Corridor(
                corridor_id=c["corridor_id"],
                ref=c["ref"],
                name_zh=c["name_zh"],
                name_en=c["name_en"],
                source=c["source"],
                road_class=c.get("road_class", "expressway"),
                towns=tuple(c.get("towns") or ()),
                waypoints=tuple((float(lat), float(lon)) for lat, lon in c["waypoints"]),
                length_km=numbers["length_km"],
                design_speed_kph=numbers["design_speed_kph"],
                speed_limit_kph=numbers["speed_limit_kph"],
                lanes=c.get("lanes"),
                upgrades=c.get("upgrades"),
                opened=opened,
                opened_bound=bool(c.get("opened_bound")),
                tunnel_km=c.get("tunnel_km"),
                opened_note=c.get("opened_note"),
            )
        )
    problems.raise_if_any()
    return out


def read_urban_rail(path: Path, station_ids: set[str]) -> list[UrbanLine]:
    """Metro lines between railway stations from ``urban_rail.yaml`` (schema
    :class:`~network.sources.schemas.UrbanRailFile`); both ends must be stations of stations.csv."""
    from network.sources.schemas import UrbanRailFile, validated

    doc = validated(path, UrbanRailFile)
    problems = _Problems(path)
    out: list[UrbanLine] = []
    for i, ln in enumerate(doc["lines"]):
        where = f"lines[{i}] ({ln['line_id']})"
        for end in ("from", "to"):
            if ln[end] not in station_ids:
                problems.add(where, end, ln[end], "a station_id of stations.csv")
        out.append(
            UrbanLine(
                line_id=ln["line_id"],
                name_zh=ln["name_zh"],
                name_en=ln["name_en"],
                from_station=ln["from"],
                to_station=ln["to"],
                length_km=float(ln["length_km"]),
                hops=int(ln["hops"]),
                max_speed_kph=float(ln["max_speed_kph"]),
                headway_min=float(ln["headway_min"]),
                source=ln["source"],
                opened=_date(ln.get("opened"), problems, where, "opened"),
            )
        )
    problems.raise_if_any()
    return out


def read_default_data(folder: Path | None = None) -> DefaultData:
    """Read and validate every curated layer.

    Raises
    ------
    DataError
        Listing every problem of the first file that has any.
    """
    folder = folder or data_dir()
    stations = read_stations(folder / "stations.csv")
    lines, services = read_rail(folder / "rail_lines.yaml", {s.station_id for s in stations})
    return DefaultData(
        places=tuple(read_places(folder / "places.csv")),
        stations=tuple(stations),
        airports=tuple(read_airports(folder / "airports.csv")),
        lines=tuple(lines),
        services=tuple(services),
        corridors=tuple(read_corridors(folder / "roads.yaml")),
        urban_lines=tuple(read_urban_rail(folder / "urban_rail.yaml", {s.station_id for s in stations}))
        if (folder / "urban_rail.yaml").is_file()
        else (),
    )
