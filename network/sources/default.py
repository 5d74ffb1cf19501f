"""Read the embedded default network's curated layers from ``data/``.

In: ``places.csv``, ``stations.csv``, ``airports.csv``, ``rail_lines.yaml``, ``roads.yaml``.
Out: a :class:`DefaultData` of plain records (dicts with documented keys), validated: every
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


@dataclass(frozen=True)
class DefaultData:
    """Validated curated layers. Records are dicts; see each ``read_*`` for their keys."""

    places: list[dict[str, Any]]
    stations: list[dict[str, Any]]
    airports: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    services: list[dict[str, Any]]
    corridors: list[dict[str, Any]]


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


def read_places(path: Path) -> list[dict[str, Any]]:
    """Places: ``place_id, name_zh, name_en, kind (county|district|city|external), city_zh,
    population_2020 (int or None), lat, lon, position_source, position_note, source``."""
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
    out, seen = [], set()
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
        out.append({**row, "lat": lat, "lon": lon, "population_2020": pop})
    problems.raise_if_any()
    return out


def read_stations(path: Path) -> list[dict[str, Any]]:
    """Stations: ``station_id, name_zh, name_en, lat, lon, position_source, opened (date|None), notes``."""
    rows, problems = _read_csv(path, ["station_id", "name_zh", "name_en", "lat", "lon", "position_source", "opened"])
    out, seen = [], set()
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('station_id')})"
        if row["station_id"] in seen:
            problems.add(where, "station_id", row["station_id"], "a unique id")
        seen.add(row["station_id"])
        lat, lon = _check_position(row, problems, where)
        if not row.get("position_source"):
            problems.add(where, "position_source", "", "where the position comes from")
        out.append({**row, "lat": lat, "lon": lon, "opened": _date(row["opened"], problems, where, "opened")})
    problems.raise_if_any()
    return out


def read_airports(path: Path) -> list[dict[str, Any]]:
    """Airports: ``airport_id, iata, name_zh, name_en, lat, lon, position_source, opened``."""
    rows, problems = _read_csv(
        path, ["airport_id", "iata", "name_zh", "name_en", "lat", "lon", "position_source", "opened"]
    )
    out = []
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('airport_id')})"
        lat, lon = _check_position(row, problems, where)
        out.append({**row, "lat": lat, "lon": lon, "opened": _date(row["opened"], problems, where, "opened")})
    problems.raise_if_any()
    return out


def read_rail(path: Path, station_ids: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rail lines and services from ``rail_lines.yaml`` (format described in that file; schema
    :class:`~network.sources.schemas.RailFile`)."""
    from network.sources.schemas import RailFile, validated

    doc = validated(path, RailFile)
    problems = _Problems(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("lines"), list) or not isinstance(doc.get("services"), list):
        raise DataError(f"{path}: expected top-level keys 'lines' and 'services', each a list")
    lines, line_ids = [], set()
    for i, line in enumerate(doc["lines"]):
        where = f"lines[{i}] ({line.get('line_id') if isinstance(line, dict) else line})"
        if not isinstance(line, dict):
            problems.add(where, "-", line, "a mapping")
            continue
        for key in ("line_id", "name_zh", "name_en", "mode", "source", "stations"):
            if not line.get(key):
                problems.add(where, key, line.get(key), "a value")
        if line.get("mode") not in {"hsr", "rail"}:
            problems.add(where, "mode", line.get("mode"), "hsr or rail")
        stations = []
        for j, st in enumerate(line.get("stations") or []):
            w = f"{where}.stations[{j}]"
            if not isinstance(st, dict) or st.get("station") not in station_ids:
                problems.add(
                    w, "station", st.get("station") if isinstance(st, dict) else st, "a station_id of stations.csv"
                )
                continue
            last = j == len(line["stations"]) - 1
            speed = None if last else _number(st.get("speed_kph_to_next"), problems, w, "speed_kph_to_next")
            stations.append(
                {
                    "station": st["station"],
                    "km": _number(st.get("km"), problems, w, "km", positive=False, optional=True),
                    "speed_kph_to_next": speed,
                    "opened_to_next": None if last else _date(st.get("opened_to_next"), problems, w, "opened_to_next"),
                }
            )
        if len(stations) < 2:
            problems.add(where, "stations", len(stations), "at least two stations")
        has_km = any(s["km"] is not None for s in stations)
        circuity = line.get("circuity")
        if not has_km and circuity is None:
            problems.add(where, "circuity", None, "a circuity factor when no station has a km post")
        lines.append(
            {
                **line,
                "stations": stations,
                "circuity": circuity,
                "passenger_until": _date(line.get("passenger_until"), problems, where, "passenger_until"),
            }
        )
        line_ids.add(line.get("line_id"))
    services = []
    by_line = {ln["line_id"]: ln for ln in lines}
    for i, svc in enumerate(doc["services"]):
        where = f"services[{i}] ({svc.get('service_id') if isinstance(svc, dict) else svc})"
        if not isinstance(svc, dict):
            problems.add(where, "-", svc, "a mapping")
            continue
        if svc.get("line") not in line_ids:
            problems.add(where, "line", svc.get("line"), f"one of {sorted(str(x) for x in line_ids)}")
            continue
        line_stations = [s["station"] for s in by_line[svc["line"]]["stations"]]
        stops = line_stations if svc.get("stops") == "all" else svc.get("stops")
        if not isinstance(stops, list) or len(stops) < 2 or any(s not in line_stations for s in stops):
            problems.add(where, "stops", svc.get("stops"), f"'all' or at least two of {line_stations}")
            continue
        order = [line_stations.index(s) for s in stops]
        if order != sorted(order):
            problems.add(where, "stops", stops, "stations in line order")
        headway = _number(svc.get("headway_min"), problems, where, "headway_min")
        start = _date(svc.get("from"), problems, where, "from")
        until = _date(svc.get("until"), problems, where, "until")
        if start and until and until < start:
            problems.add(where, "until", svc.get("until"), f"a date on or after 'from' ({start})")
        services.append({**svc, "stops": stops, "headway_min": headway, "from": start, "until": until})
    problems.raise_if_any()
    return lines, services


ROAD_CLASSES = ("expressway", "national", "provincial")
OLDER_ROAD_CLASSES = ("national", "provincial", "other")


def read_corridors(path: Path) -> list[dict[str, Any]]:
    """Road corridors from ``roads.yaml`` (format described in that file; schema
    :class:`~network.sources.schemas.RoadsFile`)."""
    from network.sources.schemas import RoadsFile, validated

    doc = validated(path, RoadsFile)
    problems = _Problems(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("corridors"), list):
        raise DataError(f"{path}: expected a top-level key 'corridors' holding a list")
    out, seen = [], set()
    for i, c in enumerate(doc["corridors"]):
        where = f"corridors[{i}] ({c.get('corridor_id') if isinstance(c, dict) else c})"
        if not isinstance(c, dict):
            problems.add(where, "-", c, "a mapping")
            continue
        for key in ("corridor_id", "ref", "name_zh", "name_en", "source"):
            if not c.get(key):
                problems.add(where, key, c.get(key), "a value")
        if c.get("corridor_id") in seen:
            problems.add(where, "corridor_id", c.get("corridor_id"), "a unique id")
        seen.add(c.get("corridor_id"))
        road_class = c.get("road_class", "expressway")
        if road_class not in ROAD_CLASSES:
            problems.add(where, "road_class", road_class, f"one of {', '.join(ROAD_CLASSES)}")
        upgrades = c.get("upgrades")
        if upgrades is not None and upgrades not in OLDER_ROAD_CLASSES:
            problems.add(
                where,
                "upgrades",
                upgrades,
                f"one of {', '.join(OLDER_ROAD_CLASSES)} (the class of "
                "the road on the alignment before), or leave it out for a new alignment",
            )
        wps = c.get("waypoints")
        if (
            not isinstance(wps, list)
            or len(wps) < 2
            or not all(isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w) for w in wps)
        ):
            problems.add(where, "waypoints", wps, "a list of at least two [lat, lon] pairs")
            wps = []
        opened = _date(c.get("opened"), problems, where, "opened")
        if opened is None and not c.get("opened_note"):
            problems.add(where, "opened_note", None, "a note saying why there is no opening date")
        out.append(
            {
                **c,
                "waypoints": wps,
                "road_class": road_class,
                "upgrades": upgrades,
                "length_km": _number(c.get("length_km"), problems, where, "length_km", optional=True),
                "design_speed_kph": _number(
                    c.get("design_speed_kph"), problems, where, "design_speed_kph", optional=True
                ),
                "speed_limit_kph": _number(c.get("speed_limit_kph"), problems, where, "speed_limit_kph", optional=True),
                "opened": opened,
            }
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
    lines, services = read_rail(folder / "rail_lines.yaml", {s["station_id"] for s in stations})
    return DefaultData(
        places=read_places(folder / "places.csv"),
        stations=stations,
        airports=read_airports(folder / "airports.csv"),
        lines=lines,
        services=services,
        corridors=read_corridors(folder / "roads.yaml"),
    )
