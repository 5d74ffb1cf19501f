"""Readers of the files a user gives a build: default road speeds by OSM class, a services file
(lines and trains), a places CSV. Each read is bounded (regular files under a size limit) and
every problem names the file, the line and the field; a file's content is never echoed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from network.crs import to_wgs84
from network.errors import DataError
from network.io import read_bounded_bytes
from network.sources.default import data_dir
from network.sources.records import Place
from network.textrules import text_problem


def _csv_rows(path: Path, what: str, needed: list[str], example: str) -> list[dict[str, str]]:
    """The rows of a small UTF-8 CSV file with the ``needed`` columns (``what`` names it in
    errors; ``example`` is the shipped file to compare with).

    Raises
    ------
    DataError
        If the file is not UTF-8 CSV or lacks a column (the header is not echoed: the file may
        not be such a file at all).
    """
    raw = read_bounded_bytes(path, 1_000_000, f"{what} ({', '.join(needed)})")
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a UTF-8 CSV file ({str(err)[:80]})") from None
    if [c for c in needed if c not in (reader.fieldnames or [])]:
        raise DataError(f"{path}:1: expected the columns {', '.join(needed)}; is this a {what} (see {example})?")
    return rows


def read_speed_defaults(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """China default speeds by highway class: ``highway -> {speed_kph, low_kph, high_kph, source}``.

    Raises
    ------
    DataError
        Naming the file, line and field of every bad row.
    """
    path = path or data_dir() / "osm_road_speeds.csv"
    needed = ["highway", "speed_kph", "low_kph", "high_kph", "source"]
    rows = _csv_rows(path, "road speeds file", needed, "data/osm_road_speeds.csv")
    out, problems = {}, []
    for i, row in enumerate(rows, start=2):
        try:
            vals = {k: float(row[k]) for k in ("speed_kph", "low_kph", "high_kph")}
        except (KeyError, TypeError, ValueError):
            problems.append(f"{path}:{i}: speed_kph, low_kph, high_kph must be numbers")
            continue
        if not row.get("source"):
            problems.append(f"{path}:{i}: field 'source': every default speed needs its source or reasoning")
        out[row["highway"]] = {**vals, "source": row.get("source", "")}
    if problems:
        raise DataError("\n".join(problems))
    return out


def read_services_file(path: Path) -> tuple[dict[str, Any], Any]:
    """Parse a services file (format: ``data/services_example.yaml``; schema
    :class:`~network.sources.schemas.ServicesFile`) with its line map.

    Raises
    ------
    DataError
        With ``file:line: field: problem`` for every problem found.
    """
    from network.sources.schemas import ServicesFile, validated_with_lines

    doc, lines = validated_with_lines(path, ServicesFile)
    return doc, lines


def read_user_places(path: Path) -> list[Place]:
    """Places from a user CSV: ``place_id, name, population, lon, lat`` and optionally ``name_en``,
    ``kind`` (county|district|city|external; default county), ``city``, ``crs`` (wgs84, gcj02 or
    bd09 per row: positions copied from Chinese map services are converted to WGS84).

    Raises
    ------
    DataError
        Naming the file, line and field of every bad row.
    """
    raw = read_bounded_bytes(path, 20_000_000, "places CSV (place_id, name, population, lon, lat)")
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        rows, header = list(reader), reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a UTF-8 CSV file ({str(err)[:80]})") from None
    need = ["place_id", "name", "population", "lon", "lat"]
    missing = [c for c in need if c not in header]
    if missing:
        raise DataError(
            f"{path}:1: missing column(s) {missing}; a places CSV needs {need} (optional: name_en, kind, city, crs)"
        )
    out: list[Place] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        try:
            lon, lat = float(row["lon"]), float(row["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                f"{path}:{i}: lon/lat: {row.get('lon')!r}, {row.get('lat')!r}; expected degrees, "
                "lon first (e.g. 112.85, 35.49)"
            )
            continue
        crs = (row.get("crs") or "wgs84").lower()
        if crs not in ("wgs84", "gcj02", "bd09"):
            problems.append(f"{path}:{i}: crs: {crs!r}; expected wgs84, gcj02 or bd09")
            continue
        x, y = to_wgs84(lon, lat, crs)
        lon, lat = float(x), float(y)
        kind = row.get("kind") or "county"
        if kind not in ("county", "district", "city", "external"):
            problems.append(f"{path}:{i}: kind: {kind!r}; expected county, district, city or external")
        pop = None
        if kind in ("county", "district"):
            try:
                pop = int(float(row["population"]))
                assert pop >= 0
            except (TypeError, ValueError, AssertionError):
                problems.append(f"{path}:{i}: population: {row.get('population')!r}; expected a whole number")
        for col in ("place_id", "name", "name_en", "city"):
            why = text_problem(row.get(col) or "", one_line=True)
            if why:
                problems.append(f"{path}:{i}: {col}: {why}")
        if row["place_id"] in seen:
            problems.append(f"{path}:{i}: place_id: {row['place_id']!r} appears twice; ids must be unique")
        seen.add(row["place_id"])
        out.append(
            Place(
                place_id=row["place_id"],
                name_zh=row["name"],
                name_en=row.get("name_en") or row["name"],
                kind=kind,
                city_zh=row.get("city") or "",
                population_2020=pop,
                lon=lon,
                lat=lat,
                position_source=f"{path.name} line {i}" + (f" ({crs} converted)" if crs != "wgs84" else ""),
                source=f"{path.name}",
            )
        )
    if problems:
        from network.errors import shown_problems

        raise DataError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(shown_problems(problems)))
    return out


def read_gdp(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """GDP of the prefecture-level cities (``data/gdp.csv``): ``city_zh -> {gdp_100m_yuan,
    gdp_per_capita_yuan, source}``, 2019 (the plan's table 4).

    Raises
    ------
    DataError
        Naming the file, line and field of every bad row.
    """
    path = path or data_dir() / "gdp.csv"
    needed = ["city_zh", "gdp_2019_100m_yuan", "gdp_per_capita_2019_yuan", "source"]
    rows = _csv_rows(path, "GDP file", needed, "data/gdp.csv")
    out: dict[str, dict[str, Any]] = {}
    problems = []
    for i, row in enumerate(rows, start=2):
        try:
            gdp, per = float(row["gdp_2019_100m_yuan"]), float(row["gdp_per_capita_2019_yuan"])
        except (TypeError, ValueError):
            problems.append(f"{path}:{i}: gdp_2019_100m_yuan and gdp_per_capita_2019_yuan must be numbers")
            continue
        if not (gdp > 0 and per > 0):
            problems.append(f"{path}:{i}: GDP and GDP per head must be positive")
        if not row.get("source"):
            problems.append(f"{path}:{i}: field 'source': every figure needs its source")
        if row["city_zh"] in out:
            problems.append(f"{path}:{i}: city_zh {row['city_zh']!r} is given twice; keep one row per city")
        out[row["city_zh"]] = {"gdp_100m_yuan": gdp, "gdp_per_capita_yuan": per, "source": row["source"]}
    if problems:
        raise DataError("\n".join(problems))
    return out


def read_unit_costs(path: Path | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """Construction cost per km (``data/unit_costs.csv``): ``(kind, terrain) -> {low, central,
    high (亿元/km), price_year (or None), basis}``; terrain ``any`` fits every terrain.

    Raises
    ------
    DataError
        Naming the file, line and field of every bad row.
    """
    path = path or data_dir() / "unit_costs.csv"
    cols = ["low_100m_yuan_per_km", "central_100m_yuan_per_km", "high_100m_yuan_per_km"]
    rows = _csv_rows(path, "unit costs file", ["kind", "terrain", *cols, "price_year", "basis"], "data/unit_costs.csv")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    problems = []
    for i, row in enumerate(rows, start=2):
        try:
            lo, mid, hi = (float(row[c]) for c in cols)
        except (TypeError, ValueError):
            problems.append(f"{path}:{i}: {', '.join(cols)} must be numbers (亿元 per km)")
            continue
        if not 0 < lo <= mid <= hi:
            problems.append(f"{path}:{i}: low_100m_yuan_per_km <= central <= high, all above 0")
        if not row.get("basis"):
            problems.append(f"{path}:{i}: field 'basis': every unit cost needs its source or reasoning")
        year = (row.get("price_year") or "").strip()
        if year and not year.isdigit():
            problems.append(f"{path}:{i}: price_year: a year, or empty where it is not published")
        out[(row["kind"], row["terrain"])] = {
            "low": lo,
            "central": mid,
            "high": hi,
            "price_year": int(year) if year.isdigit() else None,
            "basis": row.get("basis", ""),
        }
    if problems:
        raise DataError("\n".join(problems))
    return out
