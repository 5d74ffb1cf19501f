"""The network file: a built network saved as one GeoPackage, readable in QGIS.

Layers (all EPSG:4326):

==============  ===========  ============================================================
layer           geometry     content
==============  ===========  ============================================================
``metadata``    none         key/value rows: format, source, extract date, bbox, tool version,
                             licence (© OpenStreetMap contributors, ODbL), road classes, services
``road_edges``  LineString   one row per directed road edge: u, v, length_km, speed_kph,
                             speed_from (maxspeed|default), road_class, ref, name_zh, name_en,
                             corridor_id
``road_nodes``  Point        node index and OSM node id
``rail_track``  LineString   one row per track edge: length_km, speed_kph, highspeed, passenger
``stations``    Point        station records (curated ones keep their ids)
``places``      Point        trip origins and destinations with population
``airports``    Point        airports with IATA codes
``rail_lines``  LineString   one row per line; ``stations_json`` holds its stations, km posts,
                             section speeds and opening dates
``services``    none         service_id, line, stops_json, headway_min, name_en
``corridors``   none         corridor records as JSON (``record_json``)
==============  ===========  ============================================================

Why GeoPackage (not GeoParquet): one file holds every layer, QGIS and GDAL open it natively, and
its attribute tables carry the metadata record. Writes are atomic and byte-reproducible (the GDAL
timestamp is pinned to the extract date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib.metadata
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.errors import DataError
from network.graph.osm import OsmNetwork
from network.graph.osm_ways import RailGraph, RoadGraph
from network.graph.shapes import line_points, point_xy, release_memory, road_layer_parts
from network.io import atomic_write_gpkg, has_arrow, require_regular_file
from network.sources.checks import Problems, check_links, check_points
from network.sources.records import (
    Airport,
    Corridor,
    DefaultData,
    Line,
    LineStop,
    Place,
    R,
    Service,
    Station,
    as_plain,
    record_from,
)

FORMAT = "taihang-network/1"
_LAYERS = (
    "metadata",
    "road_edges",
    "road_nodes",
    "stations",
    "places",
    "airports",
    "rail_lines",
    "services",
    "corridors",
)


def _version() -> str:
    try:
        return importlib.metadata.version("taihang")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _json_default(x: Any) -> Any:
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, (np.integer, np.floating)):
        return x.item()
    if isinstance(x, tuple):
        return list(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return as_plain(x)
    raise TypeError(f"not JSON-serialisable: {type(x).__name__}")


def _dumps(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, sort_keys=True, default=_json_default)


def _points(records: Sequence[Place | Station | Airport], columns: list[str]) -> Any:
    import geopandas as gpd

    df = pd.DataFrame([{c: _cell(getattr(r, c)) for c in columns} for r in records], columns=columns)
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy([r.lon for r in records], [r.lat for r in records]), crs="EPSG:4326"
    )


def _cell(x: Any) -> Any:
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, (list, tuple, dict)):
        return _dumps(x)
    return x


def _linestrings(parts: list[list[tuple[float, float]]]) -> Any:
    """Shapely LineStrings from ragged coordinate lists (one vectorised call)."""
    from shapely import linestrings

    if not parts:
        return []
    flat = np.array([p for part in parts for p in part], dtype=float)
    index = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return linestrings(flat, indices=index)


def write_network(net: OsmNetwork, path: str | Path) -> Path:
    """Save a built network as a GeoPackage (module docstring), atomically.

    Raises
    ------
    DataError
        If ``path`` does not end in ``.gpkg``, or the roads fail the checks a network file is
        read with (:mod:`network.sources.checks`).
    """
    import geopandas as gpd

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise DataError(f"{path}: the network file is a GeoPackage; give a name ending in .gpkg")
    r, rail, d = net.roads, net.rails, net.data
    problems = Problems(f"{path} (as built, before writing)")  # a file taihang writes is one it would read
    ok = check_points(problems, r.lon, r.lat, lambda i: f"road node {i}", "position")
    check_links(problems, r.lon, r.lat, r.u, r.v, r.length_km, r.speed_kph, lambda i: f"road edge {i}", node_ok=ok)
    problems.raise_if_any("the source data gave roads no network may hold; nothing was written")
    meta = {**net.meta, "format": FORMAT, "tool_version": _version(), "report": net.report}
    meta_df = pd.DataFrame({"key": list(meta), "value": [_dumps(v) for v in meta.values()]})
    roads = road_layer_parts(r)
    nodes = gpd.GeoDataFrame(
        {"node": np.arange(r.n_nodes), "osm_id": r.node_osm_id},
        geometry=gpd.points_from_xy(r.lon, r.lat),
        crs="EPSG:4326",
    )
    half = rail.n_edges // 2  # both directions are listed; the first half is one of each
    track = gpd.GeoDataFrame(
        {
            "length_km": rail.length_km[:half],
            "speed_kph": rail.speed_kph[:half],
            "highspeed": rail.highspeed[:half],
            "passenger": rail.passenger[:half],
        },
        geometry=_linestrings([rail.edge_coords(k) for k in range(half)]),
        crs="EPSG:4326",
    )
    line_rows, line_geoms = [], []
    st = {s.station_id: s for s in d.stations}
    for ln in d.lines:
        coords: list[tuple[float, float]] = []
        for i, s in enumerate(ln.stations[:-1]):
            seg = s.geometry_to_next or [
                (st[s.station].lon, st[s.station].lat),
                (st[ln.stations[i + 1].station].lon, st[ln.stations[i + 1].station].lat),
            ]
            coords.extend(seg if not coords else seg[1:])
        line_geoms.append(coords)
        line_rows.append(
            {
                "line_id": ln.line_id,
                "name_zh": ln.name_zh,
                "name_en": ln.name_en,
                "mode": ln.mode,
                "source": ln.source,
                "circuity": ln.circuity,
                "passenger_until": _cell(ln.passenger_until),
                "stations_json": _dumps(ln.stations),
            }
        )
    lines = gpd.GeoDataFrame(
        pd.DataFrame(
            line_rows,
            columns=["line_id", "name_zh", "name_en", "mode", "source", "circuity", "passenger_until", "stations_json"],
        ),
        geometry=_linestrings(line_geoms),
        crs="EPSG:4326",
    )
    services = pd.DataFrame(
        [
            {
                "service_id": s.service_id,
                "line": s.line,
                "stops_json": _dumps(s.stops),
                "headway_min": s.headway_min,
                "name_en": s.name_en or "",
            }
            for s in d.services
        ],
        columns=["service_id", "line", "stops_json", "headway_min", "name_en"],
    )
    corridors = pd.DataFrame(
        {"corridor_id": [c.corridor_id for c in d.corridors], "record_json": [_dumps(c) for c in d.corridors]}
    )
    layers = [
        ("metadata", meta_df),
        ("road_edges", roads),
        ("road_nodes", nodes),
        ("rail_track", track),
        ("stations", _points(d.stations, ["station_id", "name_zh", "name_en", "opened", "position_source", "osm_ids"])),
        (
            "places",
            _points(
                d.places,
                ["place_id", "name_zh", "name_en", "kind", "city_zh", "population_2020", "position_source", "source"],
            ),
        ),
        (
            "airports",
            _points(
                d.airports,
                [
                    "airport_id",
                    "iata",
                    "name_zh",
                    "name_en",
                    "position_source",
                    "opened",
                    "departure_processing_min",
                    "arrival_processing_min",
                ],
            ),
        ),
        ("rail_lines", lines),
        ("services", services),
        ("corridors", corridors),
    ]
    return atomic_write_gpkg(path, layers, str(net.meta.get("extract_date") or "2000-01-01"))


def _date(x: Any) -> dt.date | None:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x == "":
        return None
    return dt.date.fromisoformat(str(x))


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _str(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


#: The largest network file read (a province's main roads are a few hundred MB).
MAX_FILE_BYTES = 4_000_000_000
_FIX = "fix these rows, or build the file again with `taihang build`"


def _check_roads(path: Path, edges: Any, nodes: Any) -> None:
    """The road layers of a network file, checked (:mod:`network.sources.checks`)."""
    problems = Problems(str(path))
    for layer, df, cols in (
        ("road_edges", edges, ("u", "v", "length_km", "speed_kph")),
        ("road_nodes", nodes, ("node", "osm_id")),
    ):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise DataError(f"{path}:{layer}: column(s) {', '.join(missing)} missing; {_FIX}")
    node = pd.to_numeric(nodes["node"], errors="coerce").to_numpy(dtype=float)
    count = len(node)
    bad_index = ~np.isfinite(node) | (node != np.round(node)) | (node < 0) | (node >= count)
    problems.add_rows(
        bad_index, lambda i: f"{path}:road_nodes/{i + 1}", "node", lambda i: f"{node[i]:g}; expected 0..{count - 1}"
    )
    if not bad_index.any() and len(np.unique(node)) != count:
        problems.add(f"{path}:road_nodes", "node", "an index appears twice; each of 0..n-1 must appear once")
    order = np.argsort(np.where(bad_index, count, node), kind="stable")
    lon = nodes["x"].to_numpy(dtype=float)[order]  # NaN for a missing point: refused below
    lat = nodes["y"].to_numpy(dtype=float)[order]
    node_ok = check_points(problems, lon, lat, lambda i: f"{path}:road_nodes/{int(order[i]) + 1}", "geometry")
    num = {
        c: pd.to_numeric(edges[c], errors="coerce").to_numpy(dtype=float) for c in ("u", "v", "length_km", "speed_kph")
    }
    ends = {}
    for c in ("u", "v"):
        bad = ~np.isfinite(num[c]) | (num[c] != np.round(num[c])) | (num[c] < 0) | (num[c] >= count)
        values = num[c]

        def not_a_node(i: int, x: np.ndarray = values) -> str:
            return f"{x[i]:g} is not a node (0..{count - 1})"

        problems.add_rows(bad, lambda i: f"{path}:road_edges/{i + 1}", c, not_a_node)
        ends[c] = np.where(bad, -1, np.nan_to_num(num[c], nan=-1)).astype(np.int64)
    check_links(
        problems,
        lon,
        lat,
        ends["u"],
        ends["v"],
        num["length_km"],
        num["speed_kph"],
        lambda i: f"{path}:road_edges/{i + 1}",
        node_ok=node_ok,
        report_refs=False,
    )
    problems.raise_if_any(_FIX)


def _where(path: Path, layer: str, i: int) -> str:
    return f"{path}:{layer}/{i + 1}"


def _check_rules(path: Path, edges: Any) -> None:
    """A road edge's ``rule`` column, where the file has one, says how its minutes are computed and
    must agree with ``speed_from`` (a class default speed is re-drawn, a given one is not)."""
    if "rule" not in edges.columns:  # written before the column existed: the rule follows speed_from
        return
    problems = Problems(str(path))
    speed_from = edges["speed_from"].fillna("").astype(str).to_numpy()
    rule = edges["rule"].fillna("").astype(str).to_numpy()
    expected = np.where(speed_from == "default", "osm_default", "road_speed")
    problems.add_rows(
        rule != expected,
        lambda i: f"{path}:road_edges/{i + 1}",
        "rule",
        lambda i: f"{rule[i]!r} with speed_from {speed_from[i]!r}; expected {expected[i]!r}",
    )
    problems.raise_if_any(_FIX)


def _check_records(path: Path, places: Any, stations: Any, airports: Any, services: Any) -> None:
    """Positions of places, stations and airports, and services' headways, checked."""
    problems = Problems(str(path))
    for layer, records in (("places", places), ("stations", stations), ("airports", airports)):
        if not records:
            continue
        lon = np.array([float(r["lon"]) for r in records])
        lat = np.array([float(r["lat"]) for r in records])
        check_points(problems, lon, lat, functools.partial(_where, path, layer), "geometry")
    headway = np.array([float(s["headway_min"]) for s in services], dtype=float)
    problems.add_rows(
        ~(np.isfinite(headway) & (headway >= 2) & (headway <= 7 * 24 * 60)),
        lambda i: f"{path}:services/{i + 1}",
        "headway_min",
        lambda i: f"{headway[i]:g}; a headway is from 2 minutes to a week",
    )
    problems.raise_if_any(_FIX)


def _check_lines(path: Path, lines: list[dict[str, Any]]) -> None:
    """Rail lines: the km posts given (a station without one is placed by the builder) finite and
    increasing, section speeds 20-450 km/h, circuity 1-3."""
    problems = Problems(str(path))
    for i, line in enumerate(lines):
        where = f"{path}:rail_lines/{i + 1}"
        given = [s.get("km") for s in line["stations"] if s.get("km") is not None]
        km = np.array([x if isinstance(x, (int, float)) else np.nan for x in given], dtype=float)
        if len(line["stations"]) < 2 or not np.isfinite(km).all() or (np.diff(km) <= 0).any():
            problems.add(where, "stations_json", "km posts must be numbers that increase along the line")
        speeds = np.array(
            [s["speed_kph_to_next"] for s in line["stations"][:-1] if s.get("speed_kph_to_next") is not None],
            dtype=float,
        )
        if len(speeds) and not ((speeds >= 20) & (speeds <= 450)).all():
            problems.add(where, "stations_json", "a section speed lies outside 20-450 km/h")
        c = line.get("circuity")
        if c is not None and not 1.0 <= c <= 3.0:
            problems.add(where, "circuity", f"{c:g}; a route is 1 to 3 times the straight line")
    problems.raise_if_any(_FIX)


def read_network(path: str | Path) -> OsmNetwork:
    """Load a network file written by :func:`write_network`.

    Raises
    ------
    DataError
        If the file is missing, is not a GeoPackage, lacks a layer, or has another format.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such network file; build one with `taihang build ... --out {path.name}`")
    require_regular_file(path, MAX_FILE_BYTES, "network file (a GeoPackage from `taihang build`)")
    try:
        have = {name for name, _ in pyogrio.list_layers(path)}
    except Exception as err:  # pyogrio raises DataSourceError and others for non-GeoPackage input
        raise DataError(f"{path}: not a GeoPackage ({err}); give a file written by `taihang build`") from None
    missing = [x for x in _LAYERS if x not in have]
    if missing:
        raise DataError(
            f"{path}: layer(s) {missing} missing; this is not a taihang network file (rebuild it with `taihang build`)"
        )
    layer_read = ["metadata"]

    arrow = has_arrow()  # through Arrow: a province's road layer reads in a third of the time

    def read(layer: str, **kw: Any) -> Any:
        layer_read[0] = layer
        if kw.pop("shapes", True) is False:  # (attributes, geometry as WKB or shapes): no GeoDataFrame
            if arrow:
                info, table = pyogrio.read_arrow(path, layer=layer)
                name = info["geometry_name"] or "wkb_geometry"
                wkb = table.column(name).to_numpy(zero_copy_only=False)
                return table.drop_columns([name]).to_pandas(), wkb
            df = pyogrio.read_dataframe(path, layer=layer)
            return pd.DataFrame(df.drop(columns="geometry")), np.asarray(df.geometry.values)
        return pyogrio.read_dataframe(path, layer=layer, use_arrow=arrow, **kw)

    try:
        out = _read_layers(path, read)
        release_memory()  # what reading a province's layers took, back to the system
        return out
    except DataError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:  # a cell edited out of shape
        raise DataError(
            f"{path}:{layer_read[0]}: a value cannot be read ({type(err).__name__}: {str(err)[:100]}); the file was "
            "edited or written by another program: build it again with `taihang build`"
        ) from None


def _read_layers(path: Path, read: Any) -> OsmNetwork:
    """The layers of a network file (:func:`read_network`), checked."""
    meta_df = read("metadata", read_geometry=False)
    meta = {k: json.loads(v) for k, v in zip(meta_df["key"], meta_df["value"])}
    if meta.get("format") != FORMAT:
        raise DataError(
            f"{path}: format {meta.get('format')!r}, this taihang reads {FORMAT!r}; rebuild the "
            "file with this version's `taihang build`"
        )
    # the road layers without a GeoDataFrame: a province's millions of shapes are read a chunk at a time
    e, e_shapes = read("road_edges", shapes=False)
    n, n_shapes = read("road_nodes", shapes=False)
    n["x"], n["y"] = point_xy(n_shapes)
    del n_shapes
    _check_roads(path, e, n)
    _check_rules(path, e)
    order = np.argsort(n["node"].to_numpy())
    allc, owner = line_points(e_shapes)
    del e_shapes
    counts = np.bincount(owner, minlength=len(e)).astype(np.int64)

    def obj(col: str) -> np.ndarray:
        """A text column as objects, each distinct text one object (a province's millions of
        rows hold a few hundred names: 8 bytes a row, not a string each)."""
        codes, uniques = pd.factorize(e[col].fillna("").astype(str))
        return np.asarray(uniques, dtype=object)[codes] if len(e) else np.zeros(0, dtype=object)

    roads = RoadGraph(
        lon=n["x"].to_numpy(dtype=float)[order],
        lat=n["y"].to_numpy(dtype=float)[order],
        u=e["u"].to_numpy(dtype=np.int64),
        v=e["v"].to_numpy(dtype=np.int64),
        length_km=e["length_km"].to_numpy(dtype=float),
        speed_kph=e["speed_kph"].to_numpy(dtype=float),
        speed_source=obj("speed_from"),
        road_class=obj("road_class"),
        ref=obj("ref"),
        name_zh=obj("name_zh"),
        name_en=obj("name_en"),
        corridor_id=obj("corridor_id"),
        node_osm_id=n["osm_id"].to_numpy(dtype=np.int64)[order],
        chain=np.arange(len(e), dtype=np.int64),
        chain_reversed=np.zeros(len(e), dtype=bool),
        geom_offsets=np.concatenate([[0], np.cumsum(counts)]),
        geom_lon=allc[:, 0].copy(),
        geom_lat=allc[:, 1].copy(),
    )
    stations = [
        {
            "station_id": r.station_id,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "opened": _date(r.opened),
            "position_source": r.position_source,
            "osm_ids": json.loads(r.osm_ids) if _str(r.osm_ids) else [],
            "lon": r.geometry.x,
            "lat": r.geometry.y,
        }
        for r in read("stations").itertuples()
    ]
    places = [
        {
            "place_id": r.place_id,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "kind": r.kind,
            "city_zh": _str(r.city_zh),
            "population_2020": None if pd.isna(r.population_2020) else int(r.population_2020),
            "position_source": r.position_source,
            "source": r.source,
            "lon": r.geometry.x,
            "lat": r.geometry.y,
        }
        for r in read("places").itertuples()
    ]
    airports = [
        {
            "airport_id": r.airport_id,
            "iata": r.iata,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "position_source": r.position_source,
            "opened": _date(r.opened),
            "departure_processing_min": _num(r.departure_processing_min),
            "arrival_processing_min": _num(r.arrival_processing_min),
            "lon": r.geometry.x,
            "lat": r.geometry.y,
        }
        for r in read("airports").itertuples()
    ]
    lines = []
    for r in read("rail_lines", read_geometry=False).itertuples():
        sts = json.loads(r.stations_json)  # dates are read with the records below
        lines.append(
            {
                "line_id": r.line_id,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "mode": r.mode,
                "source": r.source,
                "circuity": None if pd.isna(r.circuity) else float(r.circuity),
                "passenger_until": _date(r.passenger_until),
                "stations": sts,
            }
        )
    services = [
        {
            "service_id": r.service_id,
            "line": r.line,
            "stops": json.loads(r.stops_json),
            "headway_min": float(r.headway_min),
            "name_en": _str(r.name_en) or None,
        }
        for r in read("services", read_geometry=False).itertuples()
    ]
    corridors = [json.loads(r.record_json) for r in read("corridors", read_geometry=False).itertuples()]
    _check_records(path, places, stations, airports, services)
    _check_lines(path, lines)

    def records(cls: type[R], layer: str, rows: list[dict[str, Any]]) -> tuple[R, ...]:
        return tuple(record_from(cls, r, f"{path}:{layer}/{i + 1}") for i, r in enumerate(rows))

    data = DefaultData(
        places=records(Place, "places", places),
        stations=records(Station, "stations", stations),
        airports=records(Airport, "airports", airports),
        lines=tuple(
            replace(
                record_from(Line, {**ln, "stations": []}, f"{path}:rail_lines/{i + 1}"),
                stations=records(LineStop, f"rail_lines/{i + 1}/stations_json", ln["stations"]),
            )
            for i, ln in enumerate(lines)
        ),
        services=records(Service, "services", services),
        corridors=records(Corridor, "corridors", corridors),
    )
    report = meta.pop("report", {})
    return OsmNetwork(
        data=data,
        roads=roads,
        rails=RailGraph(
            np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        ),
        meta=meta,
        report=report,
    )
