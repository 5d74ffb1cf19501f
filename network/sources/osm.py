"""Read OpenStreetMap data: from a file (``.osm``, ``.osm.bz2``, ``.osm.pbf``) or by download.

In: a file path, or place names / a bounding box to download with osmnx. Out: an
:class:`OsmExtract`: the road ways of the wanted highway classes, the railway ways, the railway
stations (from nodes and from areas, i.e. closed ways and multipolygon relations) and the
aerodromes, each with the tags the network needs, coordinates in WGS84 degrees.

Files are parsed by libosmium (the ``osmium`` package): it streams, so memory grows with what is
kept (the chosen roads and railways, a few hundred MB for a province), not with the file. Node
locations are held in libosmium's own index (``flex_mem``: a sparse array for extracts, a dense
one for planet-sized files), not in Python objects. Areas (stations or airports mapped as
buildings or site outlines) are assembled by libosmium's area handler.

Downloads use osmnx (Overpass API and Nominatim), which caches every response in
``<cache>/osmnx`` so a second build of the same area needs no network. Without the internet the
download fails with :class:`~network.errors.DownloadError`, which says how to build from a file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from network.errors import DataError, DownloadError
from network.sources.geometry import cache_dir
from network.sources.pbf import pbf_completeness

#: Highway classes kept by default: the intercity network, motorway to tertiary, and their links.
DEFAULT_ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
)

#: Tags kept on road ways (everything else is dropped while streaming).
ROAD_TAGS = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "maxspeed:forward",
    "maxspeed:backward",
    "ref",
    "name",
    "name:zh",
    "name:en",
    "int_name",
)
#: Tags kept on railway ways.
RAIL_TAGS = (
    "railway",
    "usage",
    "service",
    "highspeed",
    "maxspeed",
    "railway:traffic_mode",
    "passenger",
    "name",
    "name:zh",
    "name:en",
    "ref",
)
#: Tags kept on stations, aerodromes and settlements.
FEATURE_TAGS = (
    "railway",
    "public_transport",
    "train",
    "station",
    "building",
    "aeroway",
    "iata",
    "icao",
    "aerodrome",
    "aerodrome:type",
    "name",
    "name:zh",
    "name:en",
    "int_name",
    "place",
    "population",
)

#: ``place=*`` values of the settlements that can be scored as places (with a ``population`` tag).
PLACE_VALUES = ("city", "town", "county", "municipality", "borough", "suburb", "village")

#: Railway values that carry trains on a main network (trams, subways and light rail are urban
#: transport and are left out; narrow gauge in this region is industrial).
RAIL_VALUES = ("rail",)
#: ``service=*`` values of yard track: not part of any through route.
_YARD_SERVICES = ("yard", "spur")

SOURCE_LICENCE = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass
class OsmWay:
    """A way with its kept tags and node ids and positions (WGS84 degrees), in way order."""

    way_id: int
    tags: dict[str, str]
    node_ids: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]


@dataclass
class OsmFeature:
    """A station or aerodrome: a node, or an area (closed way or multipolygon) at its centroid."""

    osm_type: str  # "node", "way" or "relation"
    osm_id: int
    tags: dict[str, str]
    lon: float
    lat: float

    @property
    def is_area(self) -> bool:
        """True for a closed way or relation (its position is the centroid)."""
        return self.osm_type != "node"


@dataclass
class OsmExtract:
    """What a build needs from OpenStreetMap, plus where it came from."""

    roads: list[OsmWay] = field(default_factory=list)
    railways: list[OsmWay] = field(default_factory=list)
    stations: list[OsmFeature] = field(default_factory=list)
    aerodromes: list[OsmFeature] = field(default_factory=list)
    #: settlements (``place=*`` nodes with a ``population`` tag): the places to score when no
    #: places file is given
    settlements: list[OsmFeature] = field(default_factory=list)
    source: str = ""
    extract_date: str | None = None  # ISO date of the newest object, or of the file's header
    bbox: tuple[float, float, float, float] | None = None  # (west, south, east, north)
    road_classes: tuple[str, ...] = DEFAULT_ROAD_CLASSES
    warnings: list[str] = field(default_factory=list)  # doubts about the source (a PBF that may be cut short)
    #: what was left out for want of a valid position: way nodes, ways cut, ways dropped, features
    dropped: dict[str, int] = field(
        default_factory=lambda: {"way_nodes": 0, "ways_cut": 0, "ways_dropped": 0, "features": 0}
    )


# -- tag rules (pure functions, shared by the file reader and the download path) ---------------
def is_rail_station(tags: dict[str, str]) -> bool:
    """A station or halt of the main railway (not a subway, light-rail, tram or funicular stop).

    >>> is_rail_station({"railway": "station", "name": "晋城东站"})
    True
    >>> is_rail_station({"railway": "station", "station": "subway"})
    False
    >>> is_rail_station({"building": "train_station", "name": "阳城南站"})
    True
    """
    if tags.get("station") in ("subway", "light_rail", "monorail", "funicular", "tram"):
        return False
    if tags.get("train") == "no":
        return False
    if tags.get("railway") in ("station", "halt"):
        return True
    if tags.get("public_transport") == "station" and tags.get("train") == "yes":
        return True
    return tags.get("building") == "train_station"


def population_of(tags: dict[str, str]) -> int | None:
    """A settlement's ``population`` tag as a whole number (``12,345`` and ``12 345`` read too),
    or None where the node is no settlement of :data:`PLACE_VALUES` or the tag is no number."""
    if tags.get("place") not in PLACE_VALUES:
        return None
    text = tags.get("population", "").replace(",", "").replace(" ", "")
    try:
        value = int(float(text))
    except ValueError:
        return None
    return value if value > 0 else None


def is_aerodrome(tags: dict[str, str]) -> bool:
    """An aerodrome (``aeroway=aerodrome``): airports and airfields alike; the build keeps those with an IATA code."""
    return tags.get("aeroway") == "aerodrome"


def is_rail_line(tags: dict[str, str]) -> bool:
    """A running railway track (``railway=rail``), not yard track or an area."""
    return (
        tags.get("railway") in RAIL_VALUES and tags.get("service") not in _YARD_SERVICES and tags.get("area") != "yes"
    )


def _keep(tags: Any, keys: Sequence[str]) -> dict[str, str]:
    return {k: tags[k] for k in keys if k in tags}


def _in_bbox(lon: float, lat: float, bbox: tuple[float, float, float, float] | None) -> bool:
    return bbox is None or (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3])


# -- files -------------------------------------------------------------------------------------
_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".o5m")


def read_osm_file(
    path: str | Path,
    road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES,
    bbox: tuple[float, float, float, float] | None = None,
    progress: bool = False,
) -> OsmExtract:
    """Stream an OSM file and keep the roads, railways, stations and aerodromes.

    ``bbox`` (west, south, east, north) keeps only ways with a node inside it and features inside
    it. ``progress`` shows a tqdm counter of objects read.

    Raises
    ------
    DataError
        If the file is missing, has an unknown suffix, or libosmium cannot parse it.
    """
    import osmium

    p = Path(path)
    if not p.exists():
        raise DataError(
            f"{p}: no such file; give an OpenStreetMap extract (.osm, .osm.bz2 or .osm.pbf), "
            "e.g. from https://download.geofabrik.de/asia/china.html"
        )
    if not p.is_file():
        raise DataError(f"{p}: not a regular file (a directory, device or FIFO); give an OpenStreetMap extract")
    if not any(p.name.endswith(s) for s in _SUFFIXES):
        raise DataError(
            f"{p}: unknown file type; expected one of {', '.join(_SUFFIXES)} (rename the file if its suffix is wrong)"
        )
    check_expansion(p)
    classes = set(road_classes)
    out = OsmExtract(source=f"file {p.name}", road_classes=tuple(road_classes))
    if p.name.endswith(".pbf"):
        doubt = pbf_completeness(p)  # a file cut at a block boundary reads without error in libosmium
        out.warnings += [doubt] if doubt else []
    newest = 0.0
    try:
        header = osmium.io.Reader(str(p), osmium.osm.osm_entity_bits.NOTHING).header()
        stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
        box = header.box()
        header_bbox = (
            (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat) if box.valid() else None
        )
        # Pass 1: roads, railways, stations and aerodromes by key, filtered in libosmium. Pass 2:
        # station buildings (building=train_station) by tag, so the millions of other buildings of
        # a province never reach Python; those with a railway, public_transport or aeroway key
        # were seen in pass 1 and are skipped.
        main = ("highway", "railway", "public_transport", "aeroway", "place")
        station_building = osmium.filter.TagFilter(("building", "train_station"))
        passes = [
            osmium.FileProcessor(str(p))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter("railway", "public_transport", "aeroway"))
            .with_filter(osmium.filter.KeyFilter(*main)),
            osmium.FileProcessor(str(p))
            .with_locations()
            .with_areas(osmium.filter.TagFilter(("building", "train_station")))
            .with_filter(station_building),
        ]
        bar = _progress(progress)
        obj: Any  # osmium yields a union of object types; each branch checks which it has
        for k, processor in enumerate(passes):
            for obj in processor:
                if bar is not None:
                    bar.update(1)
                tags = obj.tags
                if k == 1 and (obj.is_way() or any(key in tags for key in main)):
                    continue  # a building's way (its area comes separately), or seen in pass 1
                ts = obj.timestamp.timestamp() if hasattr(obj, "timestamp") and obj.timestamp else 0.0
                newest = _read_object(obj, tags, ts, out, classes, bbox, newest)
        if bar is not None:
            bar.close()
    except (RuntimeError, ValueError, OverflowError, UnicodeError, osmium.InvalidLocationError) as err:
        # libosmium reports parse errors as RuntimeError; ids out of range as ValueError, bad
        # coordinates (nan, empty, 1e10) as InvalidLocationError
        raise DataError(
            f"{p}: cannot be read as OpenStreetMap data ({err}); check that the download is "
            "complete and the suffix matches the format"
        ) from err
    out.warnings += dropped_warning(out.dropped)
    out.extract_date = _date_of(stamp) or (
        dt.datetime.fromtimestamp(newest, dt.UTC).date().isoformat() if newest > 0 else None
    )
    out.bbox = bbox or header_bbox or _bbox_of(out)  # the area the file says it covers, else its extent
    return out


def dropped_warning(dropped: dict[str, int]) -> list[str]:
    """The warning a build carries when features were left out for want of a valid position."""
    if not any(dropped.values()):
        return []
    return [
        f"{dropped['way_nodes']:,} node(s) of roads and railways have no valid position in the file (missing from "
        f"the extract, or coordinates off the Earth): {dropped['ways_cut']:,} way(s) were cut at them and "
        f"{dropped['ways_dropped']:,} left out; {dropped['features']:,} station or airport node(s) left out. Near "
        "the edge of a clipped extract this is expected; elsewhere roads may be missing"
    ]


#: bzip2 and gzip shrink OSM XML about 10-20 times (Geofabrik's .osm.bz2 extracts; the planet
#: file is about 13x); a file that expands more than this is not an extract but a bomb.
MAX_EXPANSION = 100
_EXPANSION_FLOOR_BYTES = 64_000_000  # a small file may expand this far whatever its ratio


def check_expansion(path: Path) -> None:
    """Refuse a ``.bz2``/``.gz`` file that expands more than :data:`MAX_EXPANSION` times its
    size (at least 64 MB), found by decompressing it in 8 MB pieces (bounded memory) before
    libosmium reads it; a damaged archive is refused too.

    Raises
    ------
    DataError
        Naming the file, how far it expanded and the limit.
    """
    import bz2
    import gzip

    opener = bz2.open if path.name.endswith(".bz2") else gzip.open if path.name.endswith(".gz") else None
    if opener is None:
        return
    size = path.stat().st_size
    limit = max(MAX_EXPANSION * size, _EXPANSION_FLOOR_BYTES)
    total = 0
    try:
        with opener(path, "rb") as fh:
            while total <= limit and (chunk := fh.read(8 << 20)):
                total += len(chunk)
    except (OSError, EOFError, ValueError) as err:
        raise DataError(f"{path}: not a readable compressed file ({str(err)[:80]}); download it again") from None
    if total > limit:
        raise DataError(
            f"{path}: expands to more than {limit:,} bytes from {size:,} (over {MAX_EXPANSION}x); an "
            "OpenStreetMap extract compresses 10-20x, so this is not one. Download the extract again"
        )


def _read_object(
    obj: Any,
    tags: Any,
    ts: float,
    out: OsmExtract,
    classes: set[str],
    bbox: tuple[float, float, float, float] | None,
    newest: float,
) -> float:
    """Add one OSM object to ``out`` (a road, railway, station or aerodrome); returns the newest
    timestamp of what was kept."""
    if obj.is_area():
        ftags = _keep(tags, FEATURE_TAGS)
        if is_rail_station(ftags) or is_aerodrome(ftags):
            centre = _area_centroid(obj)
            if centre is not None and _in_bbox(*centre, bbox):
                feat = OsmFeature("way" if obj.from_way() else "relation", obj.orig_id(), ftags, *centre)
                (out.stations if is_rail_station(ftags) else out.aerodromes).append(feat)
                newest = max(newest, ts)
    elif obj.is_node():
        ftags = _keep(tags, FEATURE_TAGS)
        if population_of(ftags) is not None and obj.location.valid() and _in_bbox(obj.lon, obj.lat, bbox):
            out.settlements.append(OsmFeature("node", obj.id, ftags, float(obj.lon), float(obj.lat)))
        if (is_rail_station(ftags) or is_aerodrome(ftags)) and not obj.location.valid():
            out.dropped["features"] += 1
        elif (is_rail_station(ftags) or is_aerodrome(ftags)) and _in_bbox(obj.lon, obj.lat, bbox):
            feat = OsmFeature("node", obj.id, ftags, float(obj.lon), float(obj.lat))
            (out.stations if is_rail_station(ftags) else out.aerodromes).append(feat)
            newest = max(newest, ts)
    elif obj.is_way():
        hw = tags.get("highway")
        if hw in classes and tags.get("area") != "yes":
            ways = _ways(obj, _keep(tags, ROAD_TAGS), bbox, out.dropped)
            out.roads.extend(ways)
            newest = max(newest, ts) if ways else newest
        elif "railway" in tags and is_rail_line(_keep(tags, ("railway", "service", "area"))):
            ways = _ways(obj, _keep(tags, RAIL_TAGS), bbox, out.dropped)
            out.railways.extend(ways)
            newest = max(newest, ts) if ways else newest
    return newest


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" objects", unit_scale=True, desc="reading OSM", mininterval=1.0)


def _ways(
    obj: Any, tags: dict[str, str], bbox: tuple[float, float, float, float] | None, dropped: dict[str, int]
) -> list[OsmWay]:
    """The way as runs of nodes inside the extract: a node missing from a clipped file (or with
    an impossible position) cuts the way there (joining across the gap would invent a road);
    ``dropped`` counts such nodes and the ways cut or left with nothing."""
    runs: list[list[tuple[int, float, float]]] = [[]]
    invalid = 0
    for n in obj.nodes:
        loc = n.location
        if loc.valid():
            runs[-1].append((n.ref, loc.lon, loc.lat))
        else:
            invalid += 1
            if runs[-1]:
                runs.append([])
    if invalid:
        dropped["way_nodes"] += invalid
        usable = any(len(r) >= 2 for r in runs)
        dropped["ways_cut" if usable else "ways_dropped"] += 1
    out = []
    for run in runs:
        if len(run) < 2:
            continue
        ids = np.array([r[0] for r in run], dtype=np.int64)
        lon, lat = np.array([r[1] for r in run]), np.array([r[2] for r in run])
        if bbox is not None and not np.any((lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1]) & (lat <= bbox[3])):
            continue
        out.append(OsmWay(int(obj.id), tags, ids, lon, lat))
    return out


def _area_centroid(area: Any) -> tuple[float, float] | None:
    from shapely.geometry import Polygon

    best: tuple[float, Any] | None = None
    for ring in area.outer_rings():
        pts = [(n.lon, n.lat) for n in ring if n.location.valid()]
        if len(pts) >= 3:
            poly = Polygon(pts)
            if best is None or poly.area > best[0]:
                best = (poly.area, poly)
    if best is None:
        return None
    c = best[1].centroid
    return float(c.x), float(c.y)


def _date_of(stamp: str | None) -> str | None:
    if not stamp:
        return None
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _bbox_of(ex: OsmExtract) -> tuple[float, float, float, float] | None:
    lons = [w.lon for w in ex.roads + ex.railways] + [np.array([f.lon for f in ex.stations + ex.aerodromes])]
    lats = [w.lat for w in ex.roads + ex.railways] + [np.array([f.lat for f in ex.stations + ex.aerodromes])]
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    if lon.size == 0:
        return None
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


# -- download (osmnx) --------------------------------------------------------------------------
def download_osm(
    places: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES,
    cache_folder: str | Path | None = None,
) -> OsmExtract:
    """Download roads, railways, stations and aerodromes for places or a bbox with osmnx.

    osmnx caches each Overpass/Nominatim response in ``cache_folder`` (default
    ``<taihang cache>/osmnx``), so a repeated build works offline.

    Raises
    ------
    DownloadError
        When the servers cannot be reached (offline) or return nothing for the area.
    """
    import osmnx as ox
    import requests

    if not places and bbox is None:
        raise DownloadError("give --place (one or more) or --bbox W,S,E,N to download, or --osm-file to read a file")
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(cache_folder or cache_dir() / "osmnx")
    ox.settings.useful_tags_way = sorted(set(ROAD_TAGS) | set(RAIL_TAGS))
    ox.settings.useful_tags_node = ["highway"]
    road_filter = '["highway"~"^(' + "|".join(road_classes) + ')$"]'
    rail_filter = '["railway"~"^(' + "|".join(RAIL_VALUES) + ')$"]'
    feature_tags: dict[str, Any] = {
        "railway": ["station", "halt"],
        "public_transport": "station",
        "building": "train_station",
        "aeroway": "aerodrome",
        "place": list(PLACE_VALUES),
    }
    where = ", ".join(places) if places else f"bbox {bbox}"
    try:
        if places:
            roads = ox.graph_from_place(list(places), custom_filter=road_filter, simplify=False, retain_all=True)
            rails = _optional(
                lambda: ox.graph_from_place(list(places), custom_filter=rail_filter, simplify=False, retain_all=True)
            )
            feats = _optional(lambda: ox.features_from_place(list(places), tags=feature_tags))
        else:
            assert bbox is not None
            roads = ox.graph_from_bbox(bbox, custom_filter=road_filter, simplify=False, retain_all=True)
            rails = _optional(
                lambda: ox.graph_from_bbox(bbox, custom_filter=rail_filter, simplify=False, retain_all=True)
            )
            feats = _optional(lambda: ox.features_from_bbox(bbox, tags=feature_tags))
    except requests.exceptions.RequestException as err:
        raise DownloadError(
            f"could not download OpenStreetMap data for {where}: {type(err).__name__}: {err}. This needs the "
            "internet (Overpass API and Nominatim). Offline, download an extract elsewhere (e.g. "
            "https://download.geofabrik.de/asia/china.html) and run: taihang build --osm-file FILE.osm.pbf"
        ) from err
    except ValueError as err:  # osmnx: place not geocoded, or no data in the area
        raise DownloadError(
            f"OpenStreetMap has no usable data for {where}: {err}. Check the place name "
            "(e.g. 晋城市, or 'Jincheng, Shanxi, China') or the bbox order W,S,E,N"
        ) from err
    out = extract_from_osmnx(roads, rails, feats, road_classes)
    out.source = f"osmnx download: {where}"
    out.extract_date = dt.datetime.now(dt.UTC).date().isoformat()  # a download is of OSM as it is now (UTC)
    if bbox is not None:
        out.bbox = bbox
    return out


def _optional(fetch: Any) -> Any:
    """Railways and features may be absent from an area: osmnx then raises
    InsufficientResponseError (a ValueError); that is not an error for the build."""
    import osmnx as ox

    try:
        return fetch()
    except ox._errors.InsufficientResponseError:
        return None


def extract_from_osmnx(
    roads: Any, rails: Any, features: Any, road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES
) -> OsmExtract:
    """Turn osmnx's unsimplified graphs and features GeoDataFrame into an :class:`OsmExtract`.

    Every osmnx edge is one segment between consecutive OSM nodes; each becomes a two-node way
    carrying the way's tags (osmnx has already turned ``oneway`` into a bool and added the reverse
    edge of two-way roads, so a segment present in one direction only is written ``oneway=yes``).
    """
    out = OsmExtract(road_classes=tuple(road_classes))
    classes = set(road_classes)
    if roads is not None:
        out.roads = list(_segments(roads, ROAD_TAGS, lambda t: t.get("highway") in classes))
    if rails is not None:
        out.railways = list(_segments(rails, RAIL_TAGS, is_rail_line))
    if features is not None and len(features):
        for (etype, eid), row in features.iterrows():
            tags = {k: str(row[k]) for k in FEATURE_TAGS if k in row.index and isinstance(row[k], str)}
            geom = row.geometry
            c = geom if geom.geom_type == "Point" else geom.centroid
            feat = OsmFeature(str(etype), int(eid), tags, float(c.x), float(c.y))
            if is_rail_station(tags):
                out.stations.append(feat)
            elif is_aerodrome(tags):
                out.aerodromes.append(feat)
            elif population_of(tags) is not None and etype == "node":
                out.settlements.append(feat)
    out.bbox = _bbox_of(out)
    return out


def _segments(graph: Any, keys: Sequence[str], keep: Any) -> Iterable[OsmWay]:
    seen: set[tuple[int, int, int]] = set()
    for u, v, d in graph.edges(data=True):
        tags = {k: _tag_text(d[k]) for k in keys if k in d and d[k] is not None and k != "oneway"}
        if not keep(tags):
            continue
        way_id = d["osmid"] if not isinstance(d["osmid"], list) else d["osmid"][0]
        a, b = min(u, v), max(u, v)
        if (a, b, way_id) in seen:
            continue
        seen.add((a, b, way_id))
        two_way = graph.has_edge(v, u) and any(
            (e["osmid"] if not isinstance(e["osmid"], list) else e["osmid"][0]) == way_id
            for e in graph.get_edge_data(v, u).values()
        )
        tags["oneway"] = "no" if two_way else "yes"
        nu, nv = graph.nodes[u], graph.nodes[v]
        yield OsmWay(
            int(way_id),
            tags,
            np.array([u, v], dtype=np.int64),
            np.array([nu["x"], nv["x"]], dtype=float),
            np.array([nu["y"], nv["y"]], dtype=float),
        )


def _tag_text(value: Any) -> str:
    if isinstance(value, list):  # osmnx joins differing values of merged edges into a list
        return str(value[0])
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)
