"""Turn an OpenStreetMap extract into the inputs of the graph builder.

In: an :class:`~network.sources.osm.OsmExtract`, an :class:`~network.assumptions.Assumptions`, a
services file (or the embedded default's lines and services where the extract covers its region),
and places (the embedded default's inside the extract, or a user CSV). Out: an
:class:`OsmNetwork`: a :class:`~network.graph.osm_ways.RoadGraph`, a
:class:`~network.graph.osm_ways.RailGraph`, and a :class:`~network.sources.default.DefaultData`
whose stations, lines, services, places, airports and corridors follow the default network's
record formats, so :func:`~network.graph.build.build_default_graph` builds the multimodal graph
and scenario files apply unchanged.

Rail. OSM holds no timetable, so which trains run, where they stop and how often comes from the
services file (the format of ``data/rail_lines.yaml``, with stations given by name; see
``data/services_example.yaml``). Each station of a line is matched to an OSM station by name
(within ``station_match_max_km`` of a position the file gives, if any). Each section between
consecutive stations is measured on the OSM track: the quickest path at track speeds over
passenger track, snapped at both stations. Km posts the file gives are kept (published figures
beat a measurement); others come from the track. A section's line speed is the file's speed,
lowered to the track's mean speed over the path where that is lower. A section with no track
path is measured as straight line x ``new_rail_circuity`` and reported.

Roads: the classes kept, speeds from ``maxspeed`` or the China defaults of
``data/osm_road_speeds.csv``, one-way rules, refs and names. Curated corridors of the default
region (``data/expressways.yaml``) are tied to OSM edges carrying their ref within 5 km of their
waypoints, so scenario files can name them; every other motorway or trunk ref is a corridor too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from network.assumptions import Assumptions, forced_warnings
from network.crs import to_wgs84
from network.errors import DataError
from network.geo import haversine_km, to_local_xy_km
from network.graph.build import snap_onto_lines
from network.graph.lookup import norm_name
from network.graph.osm_ways import RailGraph, RoadGraph, rail_graph, road_graph
from network.search import csr_min, search, walk_back
from network.sources.default import REGION_BBOX, DefaultData, data_dir, read_default_data
from network.sources.files import read_services_file, read_speed_defaults, read_user_places
from network.sources.geometry import LineGraph
from network.sources.osm import SOURCE_LICENCE, OsmExtract, OsmFeature, population_of
from network.sources.records import Airport, Corridor, Line, LineStop, Place, Service, Station
from network.yamlio import line_of


@dataclass
class OsmNetwork:
    """Everything :func:`network.graph.build.build_default_graph` needs, plus a build report."""

    data: DefaultData
    roads: RoadGraph
    rails: RailGraph
    meta: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The area the network covers (west, south, east, north)."""
        w, s, e, n = (float(x) for x in self.meta["bbox"])
        return (w, s, e, n)


# -- stations ----------------------------------------------------------------------------------
def station_base_name(name: str) -> str:
    """A station name without the word for station, as the default network writes it.

    >>> [station_base_name(n) for n in ("晋城东站", "郑州火车站", "Jincheng East Railway Station")]
    ['晋城东', '郑州', 'Jincheng East']
    """
    name = re.sub(r"(火车站|高铁站|站)$", "", name.strip())
    return re.sub(r"\s+(railway\s+)?station$", "", name, flags=re.IGNORECASE)


def osm_stations(features: Sequence[OsmFeature], merge_km: float) -> list[Station]:
    """Station records from OSM features, one per station.

    A node and an area of the same name within ``merge_km`` are one station (the node gives the
    position: it is where mappers put the station itself); a nameless ``building=train_station``
    that close joins the station too. Nameless stations elsewhere are kept under their OSM id.
    """
    feats = sorted(features, key=lambda f: (f.is_area, f.osm_type, f.osm_id))  # nodes first
    out: list[dict[str, Any]] = []
    for f in feats:
        raw = f.tags.get("name:zh") or f.tags.get("name") or ""
        name = station_base_name(raw) if raw else ""
        merged = False
        for rec in out:
            near = float(haversine_km(rec["lon"], rec["lat"], f.lon, f.lat)) <= merge_km
            if near and (norm_name(rec["name_zh"]) == norm_name(name) or not name):
                rec["osm_ids"].append(f"{f.osm_type}/{f.osm_id}")
                merged = True
                break
        if merged:
            continue
        sid = f"osm-{f.osm_type[0]}{f.osm_id}"
        en = f.tags.get("name:en") or f.tags.get("int_name") or ""
        out.append(
            {
                "station_id": sid,
                "name_zh": name or sid,
                "name_en": station_base_name(en) if en else (name or sid),
                "lon": f.lon,
                "lat": f.lat,
                "opened": None,
                "osm_name": raw,
                "osm_ids": [f"{f.osm_type}/{f.osm_id}"],
                "position_source": f"OpenStreetMap {f.osm_type} {f.osm_id} ({SOURCE_LICENCE})",
            }
        )
    return [Station(**{**rec, "osm_ids": tuple(rec["osm_ids"])}) for rec in out]


def osm_airports(features: Sequence[OsmFeature]) -> tuple[list[Airport], int]:
    """Airports with an IATA code (passenger airports); returns (records, aerodromes without one)."""
    out: list[Airport] = []
    seen: set[str] = set()
    skipped = 0
    for f in sorted(features, key=lambda f: (f.is_area, f.osm_type, f.osm_id)):
        iata = (f.tags.get("iata") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", iata):
            skipped += 1
            continue
        if iata in seen:
            continue
        seen.add(iata)
        zh = f.tags.get("name:zh") or f.tags.get("name") or iata
        out.append(
            Airport(
                airport_id=iata.lower(),
                iata=iata,
                name_zh=zh,
                name_en=f.tags.get("name:en") or f.tags.get("int_name") or zh,
                lon=f.lon,
                lat=f.lat,
                position_source=f"OpenStreetMap {f.osm_type} {f.osm_id} ({SOURCE_LICENCE})",
            )
        )
    return out, skipped


def _services_from_file(
    path: Path, registry: list[Station], a: Assumptions
) -> tuple[list[Line], list[Service], list[Station]]:
    """Lines and services of a services file with stations matched to ``registry`` by name.
    Returns (lines, services, new stations the file placed itself)."""
    doc, line_map = read_services_file(path)
    problems: list[str] = []
    crs = str(doc.get("crs", "wgs84")).lower()
    if crs not in ("wgs84", "gcj02", "bd09"):
        problems.append(f"{path}:{line_of(line_map, ('crs',))}: crs: {crs!r}; expected wgs84, gcj02 or bd09")
        crs = "wgs84"

    def where(*loc: Any) -> str:
        return f"{path}:{line_of(line_map, loc)}"

    by_name: dict[str, list[Station]] = {}
    for rec in registry:
        for n in (rec.name_zh, rec.name_en, rec.station_id):
            by_name.setdefault(norm_name(station_base_name(n)), []).append(rec)
    extra: list[Station] = []
    lines: list[Line] = []
    services: list[Service] = []
    for i, ln in enumerate(doc["lines"]):
        if not isinstance(ln, dict):
            problems.append(f"{where('lines', i)}: lines[{i}]: expected a mapping with line_id, mode, stations")
            continue
        lid = ln.get("line_id")
        if not lid:
            problems.append(f"{where('lines', i)}: lines[{i}].line_id: missing; give the line an id")
        if ln.get("mode") not in ("hsr", "rail"):
            problems.append(f"{where('lines', i, 'mode')}: lines[{i}].mode: {ln.get('mode')!r}; expected hsr or rail")
        line_speed = ln.get("speed_kph")
        stations: list[LineStop] = []
        for j, st in enumerate(ln.get("stations") or []):
            loc: tuple[Any, ...] = ("lines", i, "stations", j)
            st = {"name": st} if isinstance(st, str) else st
            if not isinstance(st, dict) or not st.get("name"):
                problems.append(f"{where(*loc)}: lines[{i}].stations[{j}]: expected a name or {{name: ..., km: ...}}")
                continue
            pos = None
            if "lon" in st or "lat" in st:
                try:
                    x, y = to_wgs84(float(st["lon"]), float(st["lat"]), crs)
                    pos = (float(x), float(y))
                except (KeyError, TypeError, ValueError):
                    problems.append(f"{where(*loc)}: lines[{i}].stations[{j}]: lon and lat must both be numbers")
            cands = by_name.get(norm_name(station_base_name(str(st["name"]))), [])
            if pos is not None:
                cands = [c for c in cands if float(haversine_km(c.lon, c.lat, *pos)) <= a.station_match_max_km]
            if not cands and pos is None:
                import difflib

                close = difflib.get_close_matches(
                    str(st["name"]), sorted({r.name_zh for r in registry}), n=4, cutoff=0.5
                )
                hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
                problems.append(
                    f"{where(*loc)}: lines[{i}].stations[{j}].name: no station {st['name']!r} in the OSM "
                    f"data; {hint}or give its position as {{name: ..., lon: ..., lat: ...}}"
                )
                continue
            if cands:
                rec = min(cands, key=lambda c: float(haversine_km(c.lon, c.lat, *(pos or (c.lon, c.lat)))))
            else:
                assert pos is not None
                rec = Station(
                    station_id=f"svc-{lid}-{j}",
                    name_zh=station_base_name(str(st["name"])),
                    name_en=str(st.get("name_en") or st["name"]),
                    lon=pos[0],
                    lat=pos[1],
                    position_source=f"services file {path.name} (not in the OSM data)",
                )
                extra.append(rec)
                registry.append(rec)
            speed = st.get("speed_kph_to_next", line_speed)
            stations.append(
                LineStop(
                    station=rec.station_id,
                    km=None if st.get("km") is None else float(st["km"]),
                    speed_kph_to_next=None if speed is None else float(speed),
                    opened_to_next=_date_or_none(st.get("opened_to_next")),
                )
            )
            if speed is None and j < len(ln.get("stations") or []) - 1:
                problems.append(
                    f"{where(*loc)}: lines[{i}].stations[{j}]: no speed; give the line a speed_kph or "
                    "the station a speed_kph_to_next"
                )
        if len(stations) < 2:
            problems.append(f"{where('lines', i, 'stations')}: lines[{i}].stations: a line needs two or more stations")
            continue
        stations[-1] = replace(stations[-1], speed_kph_to_next=None)
        lines.append(
            Line(
                line_id=str(lid),
                name_zh=ln.get("name_zh") or str(lid),
                name_en=ln.get("name_en") or str(lid),
                mode=str(ln.get("mode")),
                source=ln.get("source") or f"services file {path.name}",
                stations=tuple(stations),
            )
        )
    known = {ln.line_id: ln for ln in lines}
    for i, svc in enumerate(doc["services"]):
        loc = ("services", i)
        if not isinstance(svc, dict) or svc.get("line") not in known:
            got = svc.get("line") if isinstance(svc, dict) else svc
            problems.append(f"{where(*loc, 'line')}: services[{i}].line: {got!r}; expected one of {sorted(known)}")
            continue
        ids = known[svc["line"]].station_ids()
        names = {norm_name(station_base_name(r.name_zh)): r.station_id for r in registry if r.station_id in ids}
        stops = (
            ids
            if svc.get("stops", "all") == "all"
            else [names.get(norm_name(station_base_name(str(n)))) for n in svc["stops"]]
        )
        if None in stops or len(stops) < 2:
            problems.append(
                f"{where(*loc, 'stops')}: services[{i}].stops: 'all' or two or more stations of line {svc['line']!r}"
            )
            continue
        try:
            headway = float(svc["headway_min"])
            assert headway > 0
        except (KeyError, TypeError, ValueError, AssertionError):
            problems.append(f"{where(*loc, 'headway_min')}: services[{i}].headway_min: expected minutes > 0")
            continue
        services.append(
            Service(
                service_id=svc.get("service_id") or f"{svc['line']}-{i}",
                line=svc["line"],
                stops=tuple(str(x) for x in stops),
                headway_min=headway,
                name_en=svc.get("name_en"),
            )
        )
    if problems:
        raise DataError(f"{len(problems)} problem(s) in services file {path}:\n" + "\n".join(problems))
    return lines, services, extra


def _date_or_none(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _default_services(
    default: DefaultData, registry: list[Station], a: Assumptions
) -> tuple[list[Line], list[Service], list[Station], dict[str, str | None]]:
    """The embedded default's lines and services, its stations moved to their OSM positions where
    an OSM station of the same name lies within ``station_match_max_km``; the others keep their
    curated position. Returns (lines, services, stations, {curated id: OSM station id or None})."""
    by_name: dict[str, list[Station]] = {}
    for rec in registry:
        by_name.setdefault(norm_name(rec.name_zh), []).append(rec)
    stations: list[Station] = []
    matched: dict[str, str | None] = {}
    taken: set[str] = set()
    for s in default.stations:
        cands = [
            r
            for r in by_name.get(norm_name(s.name_zh), [])
            if float(haversine_km(r.lon, r.lat, s.lon, s.lat)) <= a.station_match_max_km
        ]
        if cands:
            r = min(cands, key=lambda r: float(haversine_km(r.lon, r.lat, s.lon, s.lat)))
            taken.add(r.station_id)
            matched[s.station_id] = r.station_id
            stations.append(replace(s, lon=r.lon, lat=r.lat, osm_ids=r.osm_ids, position_source=r.position_source))
        else:
            matched[s.station_id] = None
            stations.append(replace(s, position_source=f"{s.position_source} (curated; not found in the OSM data)"))
    stations += [r for r in registry if r.station_id not in taken]
    return list(default.lines), list(default.services), stations, matched


# -- measuring lines on the track --------------------------------------------------------------
def measure_lines(
    lines: list[Line], stations: dict[str, Station], rails: RailGraph, a: Assumptions, lat0: float
) -> tuple[list[Line], list[dict[str, Any]]]:
    """Measure every section on the OSM track (module docstring): the lines with the km posts and
    speeds the file left open filled and each section's ``geometry_to_next``, and one report row
    per section."""
    report: list[dict[str, Any]] = []
    pax = rails.passenger
    track = LineGraph(rails.lon, rails.lat, rails.u[pax], rails.v[pax], rails.length_km[pax])
    if track.n_edges == 0:
        for ln in lines:
            report += [
                {
                    "line_id": ln.line_id,
                    "from": s.station,
                    "to": t.station,
                    "track_km": None,
                    "result": "straight (no passenger track in the data)",
                }
                for s, t in zip(ln.stations, ln.stations[1:])
            ]
        return [_fill_straight(ln, a) for ln in lines], report
    ids = sorted({s.station for ln in lines for s in ln.stations})
    if not ids:
        return lines, report
    pos = np.array([[stations[i].lon, stations[i].lat] for i in ids])
    snapped_graph, (dist, node) = snap_onto_lines(track, pos[:, 0], pos[:, 1], lat0)
    # time weights: split edges inherit their parent's speed via nearest original edge speed
    speed = _edge_speeds(snapped_graph, rails, pax, lat0)
    n = snapped_graph.n_nodes
    minutes = snapped_graph.length_km / speed * 60.0
    t_mat, keep = csr_min(snapped_graph.u, snapped_graph.v, np.maximum(minutes, 1e-9), n)
    km_mat = csr_matrix((snapped_graph.length_km[keep], t_mat.indices, t_mat.indptr), shape=(n, n))
    snap = {sid: (float(dist[k]), int(node[k])) for k, sid in enumerate(ids)}
    measured: list[Line] = []
    for ln in lines:
        st = list(ln.stations)
        sources = sorted({snap[s.station][1] for s in st[:-1]})
        _, pred = search(t_mat, sources, predecessors=True)
        row = {x: k for k, x in enumerate(sources)}
        section_km: list[float | None] = []
        for k, (s, t) in enumerate(zip(st, st[1:])):
            (ds, ns), (dt_, nt) = snap[s.station], snap[t.station]
            path = walk_back(pred[row[ns]], nt, source=ns) if ns != nt else None
            ok = path is not None and max(ds, dt_) <= a.rail_snap_max_km
            rep: dict[str, Any] = {"line_id": ln.line_id, "from": s.station, "to": t.station, "track_km": None}
            if ok:
                assert path is not None
                km = float(sum(km_mat[x, y] for x, y in zip(path, path[1:])))
                mins = float(sum(t_mat[x, y] for x, y in zip(path, path[1:])))
                section_km.append(km)
                track_speed = km / mins * 60.0 if mins > 0 else None
                new_speed = s.speed_kph_to_next
                if new_speed is None:
                    new_speed = track_speed
                elif track_speed is not None and track_speed < new_speed and not s.curated_speed:
                    new_speed = track_speed
                p, q = stations[s.station], stations[t.station]
                geometry = (
                    ((p.lon, p.lat),)
                    + tuple((float(snapped_graph.lon[x]), float(snapped_graph.lat[x])) for x in path)
                    + ((q.lon, q.lat),)
                )
                st[k] = replace(s, speed_kph_to_next=new_speed, geometry_to_next=geometry)
                rep.update(track_km=round(km, 2), track_speed_kph=round(track_speed or 0, 1), result="on track")
            else:
                section_km.append(None)
                far = max(ds, dt_) > a.rail_snap_max_km
                why = "station further than rail_snap_max_km from track" if far else "no track path"
                rep.update(result=f"straight x new_rail_circuity ({why})")
            report.append(rep)
        circuity = ln.circuity
        if all(
            s.km is None for s in st
        ):  # no published km posts: the track (or circuity where it has no path) gives them
            chain = [0.0]
            for k, section in enumerate(section_km):
                if section is None:
                    p, q = stations[st[k].station], stations[st[k + 1].station]
                    section = float(haversine_km(p.lon, p.lat, q.lon, q.lat)) * (circuity or a.new_rail_circuity)
                chain.append(chain[-1] + section)
            st = [replace(s, km=km) for s, km in zip(st, chain)]
        elif circuity is None:
            circuity = a.new_rail_circuity
        measured.append(_default_speeds(replace(ln, stations=tuple(st), circuity=circuity), a))
    return measured, report


def _default_speeds(ln: Line, a: Assumptions) -> Line:
    """Sections with no speed from the file or the track run at the default track speed."""
    default = a.osm_hsr_default_speed_kph if ln.mode == "hsr" else a.osm_rail_default_speed_kph
    stops = [
        replace(s, speed_kph_to_next=default) if s.speed_kph_to_next is None and k < len(ln.stations) - 1 else s
        for k, s in enumerate(ln.stations)
    ]
    return replace(ln, stations=tuple(stops))


def _fill_straight(ln: Line, a: Assumptions) -> Line:
    if all(s.km is None for s in ln.stations) and ln.circuity is None:
        ln = replace(ln, circuity=a.new_rail_circuity)
    return _default_speeds(ln, a)


def _edge_speeds(g: LineGraph, rails: RailGraph, mask: np.ndarray, lat0: float) -> np.ndarray:
    """Speed of each edge of the snapped track graph: that of the original edge it lies on
    (found by the edge midpoint's nearest original-edge midpoint)."""
    ou, ov = rails.u[mask], rails.v[mask]
    mid = to_local_xy_km(0.5 * (rails.lon[ou] + rails.lon[ov]), 0.5 * (rails.lat[ou] + rails.lat[ov]), lat0)
    tree = cKDTree(mid)
    q = to_local_xy_km(0.5 * (g.lon[g.u] + g.lon[g.v]), 0.5 * (g.lat[g.u] + g.lat[g.v]), lat0)
    _, k = tree.query(q)
    return rails.speed_kph[mask][k]


def _inside(lon: float, lat: float, bbox: Sequence[float]) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def _overlaps_default(bbox: Sequence[float]) -> bool:
    w, s, e, n = REGION_BBOX
    return not (bbox[2] < w or bbox[0] > e or bbox[3] < s or bbox[1] > n)


# -- corridors ---------------------------------------------------------------------------------
def corridors_for(roads: RoadGraph, default: DefaultData | None, lat0: float) -> tuple[list[Corridor], np.ndarray]:
    """Corridor records and, per road edge, the corridor id it belongs to ("" if none).

    A curated corridor claims the edges whose ``ref`` lists its ref and whose midpoint lies within
    5 km of its waypoint line; every other ref on motorway or trunk edges becomes a corridor of
    its own (``osm-<ref>``), named after its most common name.
    """
    refs = [[x.strip() for x in re.split(r"[;,/]", r) if x.strip()] for r in roads.ref.tolist()]
    corridor_of = np.array([""] * roads.n_edges, dtype=object)
    records: list[Corridor] = []
    with_ref: dict[str, list[int]] = {}  # ref -> edges listing it: one pass, so the build stays linear
    for k, rs in enumerate(refs):
        for r in rs:
            with_ref.setdefault(r, []).append(k)
    first = np.array([rs[0] if rs else "" for rs in refs], dtype=object)
    for c in default.corridors if default else []:
        if not c.ref or not c.waypoints or c.ref not in with_ref:
            continue
        wps = np.array(c.waypoints, dtype=float)
        samples = []
        for (la0, lo0), (la1, lo1) in zip(wps, wps[1:]):
            n = max(2, int(float(haversine_km(lo0, la0, lo1, la1))) + 1)
            samples.append(np.column_stack([np.linspace(lo0, lo1, n), np.linspace(la0, la1, n)]))
        pts = np.vstack(samples)
        cand = np.array(with_ref[c.ref], dtype=np.int64)
        cand = cand[corridor_of[cand] == ""]
        mid_lon = 0.5 * (roads.lon[roads.u[cand]] + roads.lon[roads.v[cand]])
        mid_lat = 0.5 * (roads.lat[roads.u[cand]] + roads.lat[roads.v[cand]])
        near, _ = cKDTree(to_local_xy_km(pts[:, 0], pts[:, 1], lat0)).query(to_local_xy_km(mid_lon, mid_lat, lat0))
        hit = cand[near <= 5.0]
        if hit.size:
            corridor_of[hit] = c.corridor_id
            records.append(c)
    main = np.isin(roads.road_class, ["motorway", "trunk", "motorway_link", "trunk_link"])
    extra: dict[str, list[str]] = {}
    for k in np.flatnonzero(main & (corridor_of == "")).tolist():
        for r in refs[k][:1]:
            extra.setdefault(r, []).append(str(roads.name_zh[k]))
    # every edge whose first ref is one of these joins that ref's corridor, in one pass
    free = (corridor_of == "") & np.isin(first, sorted(extra))
    corridor_of[free] = np.array(["osm-" + r for r in first[free]], dtype=object)
    for ref in sorted(extra):
        names = [n for n in extra[ref] if n]
        name = max(sorted(set(names)), key=names.count) if names else ref
        cid = f"osm-{ref}"
        records.append(
            Corridor(
                corridor_id=cid,
                ref=ref,
                name_zh=name,
                name_en=ref,
                source=f"OpenStreetMap ref={ref} ({SOURCE_LICENCE})",
                opened_note="a road of the OSM data: open on its extract date",
            )
        )
    return records, corridor_of


# -- the whole build ---------------------------------------------------------------------------
def settlement_places(settlements: list[Any]) -> list[Place]:
    """The extract's settlements (``place=*`` nodes with a population) as places to score, named
    by ``name:zh``/``name`` and ``name:en``/``int_name``, in a stable order (by OSM id)."""
    out = []
    for f in sorted(settlements, key=lambda f: f.osm_id):
        t = f.tags
        zh = t.get("name:zh") or t.get("name") or f"node {f.osm_id}"
        out.append(
            Place(
                place_id=f"osm{f.osm_id}",
                name_zh=zh,
                name_en=t.get("name:en") or t.get("int_name") or t.get("name") or zh,
                kind="county",
                lat=f.lat,
                lon=f.lon,
                population_2020=population_of(t),
                position_source=f"OSM node {f.osm_id} (place={t.get('place')})",
                source="OpenStreetMap place=* with population (the tag's own date and source)",
            )
        )
    return out


def build_osm_network(
    extract: OsmExtract,
    assumptions: Assumptions | None = None,
    services_path: Path | None = None,
    places_path: Path | None = None,
    speeds_path: Path | None = None,
    progress: bool = False,
) -> OsmNetwork:
    """Build the inputs of the multimodal graph from an extract (module docstring).

    Raises
    ------
    DataError
        If the extract has no roads of the chosen classes, if no places fall inside it, or if the
        services or places file has problems.
    """
    a = assumptions or Assumptions()
    speeds = read_speed_defaults(speeds_path)
    unknown = [c for c in extract.road_classes if c not in speeds]
    if unknown:
        raise DataError(
            f"no default speed for highway class(es) {unknown}; add them to "
            f"{speeds_path or data_dir() / 'osm_road_speeds.csv'} with a source"
        )
    if not extract.roads:
        raise DataError(
            f"{extract.source}: no roads of classes {', '.join(extract.road_classes)} in the data; "
            "check the file or area, or widen --road-classes"
        )
    bbox = extract.bbox or REGION_BBOX
    lat0 = 0.5 * (bbox[1] + bbox[3])
    roads = road_graph(
        extract.roads, {k: v["speed_kph"] for k, v in speeds.items()}, a.expressway_speed_cap_kph, progress
    )
    rails = rail_graph(
        extract.railways, a.osm_hsr_default_speed_kph, a.osm_rail_default_speed_kph, a.osm_hsr_min_speed_kph
    )
    registry = osm_stations(extract.stations, a.station_merge_km)
    airports, no_iata = osm_airports(extract.aerodromes)
    default = read_default_data() if _overlaps_default(bbox) else None
    report: dict[str, Any] = {}
    if services_path is not None:
        lines, services, _ = _services_from_file(services_path, registry, a)
        stations = registry
        services_source = f"services file {services_path.name}"
    elif default is not None:
        lines, services, stations, matched = _default_services(default, registry, a)
        # the default's published section speeds: a track measurement never lowers them
        lines = [replace(ln, stations=tuple(replace(s, curated_speed=True) for s in ln.stations)) for ln in lines]
        report["default_station_matches"] = matched
        services_source = "embedded default (data/rail_lines.yaml), stations moved to their OSM positions"
    else:
        lines, services, stations = [], [], registry
        services_source = "none: give --services FILE to run trains (OSM holds no timetable)"
    by_id = {s.station_id: s for s in stations}
    lines, report["rail_sections"] = measure_lines(lines, by_id, rails, a, lat0)
    if places_path is not None:
        places = read_user_places(places_path)
    elif default is not None:
        places = [p for p in default.places if _inside(p.lon, p.lat, bbox) or p.kind == "external"]
    else:
        places = []
    if not any(p.kind in ("county", "district") for p in places) and extract.settlements:
        places = settlement_places(extract.settlements)  # the extract's own place=* nodes with a population
        report_notes = [f"places: the extract's {len(places)} place=* nodes with a population tag"]
    else:
        report_notes = []
    if not any(p.kind in ("county", "district") for p in places):
        raise DataError(
            f"no places with population inside the data's area {tuple(round(x, 3) for x in bbox)}: "
            "give --places FILE.csv (columns place_id, name, population, lon, lat), or an extract whose "
            "place=* nodes (city, town, village, ...) carry a population tag"
        )
    corridors, corridor_of = corridors_for(roads, default, lat0)
    roads = replace(roads, corridor_id=corridor_of)
    data = DefaultData(
        places=tuple(places),
        stations=tuple(stations),
        airports=tuple(airports),
        lines=tuple(lines),
        services=tuple(services),
        corridors=tuple(corridors),
    )
    report.update(
        {
            "road_nodes": roads.n_nodes,
            "road_edges": roads.n_edges,
            "road_edges_by_class": {c: int((roads.road_class == c).sum()) for c in extract.road_classes},
            "road_speed_from_maxspeed_share": round(float((roads.speed_source == "maxspeed").mean()), 3)
            if roads.n_edges
            else 0.0,
            "rail_nodes": rails.n_nodes,
            "rail_edges": rails.n_edges // 2,
            "highspeed_track_km": round(float(rails.length_km[rails.highspeed].sum() / 2), 1),
            "freight_only_track_km": round(float(rails.length_km[~rails.passenger].sum() / 2), 1),
            "stations": len(registry),
            "airports": len(airports),
            "aerodromes_without_iata": no_iata,
            "places": len(places),
            "places_source": report_notes[0] if report_notes else "",
            "corridors": len(corridors),
            "services_source": services_source,
            # doubts about the source and forced constants: said in every later output of the network
            "warnings": extract.warnings + forced_warnings(a),
        }
    )
    meta = {
        "source": extract.source,
        "extract_date": extract.extract_date,
        "bbox": list(bbox),
        "licence": SOURCE_LICENCE,
        "road_classes": list(extract.road_classes),
        "services": services_source,
    }
    return OsmNetwork(data=data, roads=roads, rails=rails, meta=meta, report=report)
