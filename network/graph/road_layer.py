"""The classified road layer of the embedded network: corridors matched onto unclassified geometry.

In: the road geometry (:class:`~network.sources.geometry.LineGraph`: nodes and straight edges with
lengths, no classes, names or refs), the curated road corridors of ``data/roads.yaml``
(expressways, national and provincial roads, each with ref, names, waypoints along its alignment,
length, design speed and opening date), and the places (for built-up areas).
Out: a :class:`RoadLayer`: the geometry split at the candidate points of the matcher, every
undirected edge with the corridors that own it, and a :class:`CorridorMatch` per corridor saying how
well it was matched.

Matching is a hidden-Markov map matcher (Newson & Krumm 2009, "Hidden Markov map matching through
noise and sparseness", ACM SIGSPATIAL GIS): the waypoints are the observations; the hidden states are
candidate points on road edges within ``match_radius_km`` of each waypoint; the emission cost of a
candidate is ``0.5 (d / σ)²`` for its distance ``d`` from the waypoint; the transition cost between
candidates of consecutive waypoints is ``|route km − straight km| / β`` (a matched path should be
about as long as the stretch between the two waypoints, so detours through other roads are
penalised); the Viterbi algorithm picks the cheapest chain, and its shortest paths are the edges the
corridor owns. Searches run on CSR arrays (:func:`network.search.search` with a ``limit``).

The geometry's edges are straight chords between nodes rounded to 0.001°, so a winding road comes
out short; where a corridor publishes its length, the edges it owns are scaled by published /
matched km (the report prints the factor).

A corridor whose match fails (a waypoint with no road within reach, no path, or a matched length
outside ``match_tolerance`` of the published one) owns **no** geometry: it is added as its own link
between the road points nearest its end waypoints, and the report says why.

Class of an edge on a date (:func:`edge_state`): the highest-ranked corridor that owns it and is open
(expressway > national > provincial); else, if its owners are not open yet, the class of the road it
was before when the corridor ``upgrades`` one, else the edge is **absent** (a new alignment did not
exist); unowned edges are class ``other``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix

from network.geo import haversine_km, to_local_xy_km
from network.search import search, walk_back
from network.sources.geometry import LineGraph
from network.sources.records import Corridor, Place
from network.sources.terrain import TerrainGrid, settings

#: Road classes from the fastest down; a corridor's class outranks the classes below it on an edge
#: that two corridors share.
CLASS_RANK = {"expressway": 0, "national": 1, "provincial": 2, "other": 3}

#: Matcher settings (data-quality rules, not behavioural parameters). Waypoints are placed to about
#: 1 km and the geometry's nodes are rounded to 0.001° (about 0.1 km), so σ = 1.5 km; a candidate
#: further than 4 km (about 2.7 σ) is not considered.
MATCH_SIGMA_KM = 1.5
MATCH_RADIUS_KM = 4.0
MATCH_MAX_CANDIDATES = 8
#: β of the transition cost: 1 km, or 15 % of the stretch for long stretches (roads in hill country
#: run 1.1-1.3 x the straight line between towns, so a relative scale is needed).
MATCH_BETA_KM = 1.0
MATCH_BETA_SHARE = 0.15
#: A projection closer than this to an edge end uses the end node instead of splitting the edge.
_SPLIT_MIN_KM = 0.2


@dataclass
class CorridorMatch:
    """How one corridor was laid on the geometry (printed by ``taihang data``)."""

    corridor_id: str
    result: str  # "matched" or "added as link"
    reason: str = ""
    matched_km: float | None = None
    waypoint_km: float = 0.0  # along the waypoint chain, straight
    published_km: float | None = None
    max_offset_km: float | None = None  # largest distance of a waypoint from its matched point
    share_matched: float = 0.0  # share of the waypoint chain (by straight km) matched
    length_scale: float = 1.0  # published km / matched km: applied to the owned edges' lengths
    edges: list[int] = field(default_factory=list)  # undirected edge indices owned
    end_nodes: tuple[int, int] = (-1, -1)  # road nodes nearest the first and last waypoints


@dataclass(frozen=True)
class RoadLayer:
    """The split geometry (undirected edges ``u < v``), edge owners and the match report."""

    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_km: np.ndarray
    urban_km: np.ndarray  # length of each edge inside a built-up area
    owners: list[list[int]]  # per edge: indices into ``corridors`` of the corridors owning it
    corridors: list[Corridor]  # with each one's length_scale set by its match
    matches: list[CorridorMatch]
    #: per edge: plain, hilly or mountain from the ground around its midpoint, or steep from its
    #: own grade (network/sources/terrain.py); "" where no terrain grid was given
    terrain: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))


def _undirected(g: LineGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keep = g.u < g.v
    u, v, km = g.u[keep], g.v[keep], g.length_km[keep]
    order = np.lexsort((v, u))
    return u[order], v[order], km[order]


def split_at_points(
    lon: np.ndarray,
    lat: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    km: np.ndarray,
    p_lon: np.ndarray,
    p_lat: np.ndarray,
    lat0: float,
    radius_km: float,
    max_candidates: int,
) -> tuple[tuple[np.ndarray, ...], list[list[tuple[int, float]]]]:
    """Candidate points of each point ``p`` on the edges within ``radius_km``, splitting the edges there.

    Every edge with any part within ``radius_km`` of a point offers the point's perpendicular
    projection onto it (or its nearer end node within 0.2 km of an end); the nearest
    ``max_candidates`` per point are kept. Edges are split at every kept projection (length shared
    in proportion, the edges being straight). Returns the new graph ``(lon, lat, u, v, km)`` and, per
    point, ``[(node, distance_km), ...]`` nearest first.
    """
    from scipy.spatial import cKDTree  # on first use: importing it costs 0.2 s

    xy = to_local_xy_km(lon, lat, lat0)
    a, b = xy[u], xy[v]
    ab = b - a
    seg_len = np.hypot(ab[:, 0], ab[:, 1])
    # sample each edge every 1 km so a KD-tree finds the edges near a point
    counts = np.maximum(1, np.ceil(seg_len / 1.0).astype(int))
    edge_of = np.repeat(np.arange(u.size), counts + 1)
    frac = np.concatenate([np.linspace(0.0, 1.0, c + 1) for c in counts]) if u.size else np.zeros(0)
    samples = a[edge_of] + frac[:, None] * ab[edge_of]
    tree = cKDTree(samples)
    pxy = to_local_xy_km(p_lon, p_lat, lat0)
    new_lon, new_lat = list(lon.tolist()), list(lat.tolist())
    splits: dict[int, list[tuple[float, int]]] = {}
    out: list[list[tuple[int, float]]] = []
    for k in range(len(p_lon)):
        near = np.unique(edge_of[tree.query_ball_point(pxy[k], radius_km + 0.6)])
        cands: dict[int, float] = {}
        for e in near.tolist():
            length = seg_len[e]
            t = float(np.clip(np.dot(pxy[k] - a[e], ab[e]) / (length * length), 0.0, 1.0)) if length > 0 else 0.0
            foot = a[e] + t * ab[e]
            d = float(np.hypot(*(pxy[k] - foot)))
            if d > radius_km:
                continue
            if t * length < _SPLIT_MIN_KM:
                node = int(u[e])
            elif (1 - t) * length < _SPLIT_MIN_KM:
                node = int(v[e])
            else:
                existing = [n for f, n in splits.get(e, []) if abs(f - t) * length < _SPLIT_MIN_KM]
                if existing:
                    node = existing[0]
                else:
                    node = len(new_lon)
                    new_lon.append(float(lon[u[e]] + t * (lon[v[e]] - lon[u[e]])))
                    new_lat.append(float(lat[u[e]] + t * (lat[v[e]] - lat[u[e]])))
                    splits.setdefault(e, []).append((t, node))
            cands[node] = min(d, cands.get(node, math.inf))
        out.append(sorted(cands.items(), key=lambda x: (x[1], x[0]))[:max_candidates])
    keep = np.ones(u.size, dtype=bool)
    nu, nv, nkm = [u], [v], [km]
    for e, pts in splits.items():
        keep[e] = False
        chain = [(0.0, int(u[e]))] + sorted(pts) + [(1.0, int(v[e]))]
        for (f0, x), (f1, y) in zip(chain, chain[1:]):
            if x != y:
                nu.append(np.array([min(x, y)]))
                nv.append(np.array([max(x, y)]))
                nkm.append(np.array([(f1 - f0) * km[e]]))
    nu[0], nv[0], nkm[0] = u[keep], v[keep], km[keep]
    uu, vv, kk = np.concatenate(nu), np.concatenate(nv), np.concatenate(nkm)
    order = np.lexsort((vv, uu))
    return (np.array(new_lon), np.array(new_lat), uu[order], vv[order], kk[order]), out


def _lengths_csr(n: int, u: np.ndarray, v: np.ndarray, km: np.ndarray) -> Any:
    return coo_matrix(
        (np.concatenate([km, km]), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    ).tocsr()


def viterbi_match(
    lengths: Any, candidates: list[list[tuple[int, float]]], straight_km: np.ndarray, sigma_km: float = MATCH_SIGMA_KM
) -> tuple[list[int] | None, list[list[int]], str]:
    """The cheapest chain of candidates (module docstring) and the node path of each stretch.

    ``candidates[t]`` are ``(node, distance_km)`` of waypoint ``t``; ``straight_km[t]`` is the
    straight distance from waypoint ``t`` to ``t + 1``. Returns (chosen node per waypoint or None,
    node path per stretch, reason when it failed).
    """
    if any(not c for c in candidates):
        missing = [t for t, c in enumerate(candidates) if not c]
        return None, [], f"waypoint(s) {missing} have no road within {MATCH_RADIUS_KM:g} km"
    cost = np.array([0.5 * (d / sigma_km) ** 2 for _, d in candidates[0]])
    back: list[np.ndarray] = []
    preds: list[tuple[np.ndarray, dict[int, int]]] = []
    for t in range(len(candidates) - 1):
        src = np.array([n for n, _ in candidates[t]])
        dst = np.array([n for n, _ in candidates[t + 1]])
        gc = float(straight_km[t])
        limit = 3.0 * gc + 10.0
        dist, pred = search(lengths, src, directed=False, limit=limit, predecessors=True)
        beta = max(MATCH_BETA_KM, MATCH_BETA_SHARE * gc)
        trans = np.abs(dist[:, dst] - gc) / beta  # inf where unreachable within the limit
        total = cost[:, None] + trans
        best_prev = np.argmin(total, axis=0)
        emission = np.array([0.5 * (d / sigma_km) ** 2 for _, d in candidates[t + 1]])
        cost = total[best_prev, np.arange(dst.size)] + emission
        if not np.isfinite(cost).any():
            return None, [], f"no road path between waypoints {t} and {t + 1} within {limit:.0f} km"
        back.append(best_prev)
        preds.append((pred, {int(s): i for i, s in enumerate(src)}))
    j = int(np.argmin(cost))
    chosen = [int(candidates[-1][j][0])]
    for t in range(len(candidates) - 2, -1, -1):
        j = int(back[t][j])
        chosen.append(int(candidates[t][j][0]))
    chosen.reverse()
    paths = []
    for t, (pred, row_of) in enumerate(preds):
        s, goal = chosen[t], chosen[t + 1]
        paths.append(walk_back(pred[row_of[s]], goal, source=s) or [s])
    return chosen, paths, ""


def built_up_km(
    lon: np.ndarray,
    lat: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    km: np.ndarray,
    centres: list[tuple[float, float, float]],
    lat0: float,
    step_km: float = 0.25,
) -> np.ndarray:
    """Length of each straight edge that lies within a built-up circle ``(lon, lat, radius_km)``.

    Each edge is sampled every ``step_km``; the share of samples inside any circle times the
    edge length is its built-up length.
    """
    from scipy.spatial import cKDTree  # on first use: importing it costs 0.2 s

    if not centres or u.size == 0:
        return np.zeros(u.size)
    xy = to_local_xy_km(lon, lat, lat0)
    cxy = to_local_xy_km(np.array([c[0] for c in centres]), np.array([c[1] for c in centres]), lat0)
    radius = np.array([c[2] for c in centres])
    counts = np.maximum(1, np.ceil(km / step_km).astype(int))
    edge_of = np.repeat(np.arange(u.size), counts)
    frac = np.concatenate([(np.arange(c) + 0.5) / c for c in counts])
    pts = xy[u][edge_of] + frac[:, None] * (xy[v][edge_of] - xy[u][edge_of])
    dist, idx = cKDTree(cxy).query(pts, k=min(4, len(centres)))
    dist, idx = np.atleast_2d(dist.T).T, np.atleast_2d(idx.T).T
    inside = (dist <= radius[np.minimum(idx, len(centres) - 1)]).any(axis=1)
    share = np.bincount(edge_of, weights=inside.astype(float), minlength=u.size) / counts
    return share * km


def build_road_layer(
    geometry: LineGraph,
    corridors: Sequence[Corridor],
    centres: list[tuple[float, float, float]],
    lat0: float,
    match_tolerance: float,
    max_match_circuity: float,
    terrain: tuple[TerrainGrid, float, float, float] | None = None,
) -> RoadLayer:
    """Match every corridor onto ``geometry`` and classify its edges (module docstring).

    ``centres`` are the built-up circles ``(lon, lat, radius_km)``; ``terrain`` is the grid, the
    hilly and mountain relief thresholds (m) and the steep grade (%) that set each edge's terrain.
    Deterministic: the same inputs give the same layer.
    """
    from scipy.spatial import cKDTree  # on first use: importing it costs 0.2 s

    u, v, km = _undirected(geometry)
    wp = [np.array(c.waypoints, dtype=float).reshape(-1, 2) for c in corridors]
    all_lat = np.concatenate([w[:, 0] for w in wp]) if wp else np.zeros(0)
    all_lon = np.concatenate([w[:, 1] for w in wp]) if wp else np.zeros(0)
    (lon, lat, u, v, km), cands = split_at_points(
        geometry.lon, geometry.lat, u, v, km, all_lon, all_lat, lat0, MATCH_RADIUS_KM, MATCH_MAX_CANDIDATES
    )
    n = lon.size
    lengths = _lengths_csr(n, u, v, km)
    edge_index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(u.tolist(), v.tolist()))}
    owners: list[list[int]] = [[] for _ in range(u.size)]
    matches = []
    tree = cKDTree(to_local_xy_km(lon, lat, lat0))
    offset = 0
    for ci, (c, w) in enumerate(zip(corridors, wp)):
        cand = cands[offset : offset + len(w)]
        offset += len(w)
        straight = haversine_km(w[:-1, 1], w[:-1, 0], w[1:, 1], w[1:, 0])
        chain_km = float(straight.sum())
        _, ends = tree.query(to_local_xy_km(w[[0, -1], 1], w[[0, -1], 0], lat0))
        m = CorridorMatch(
            c.corridor_id,
            "added as link",
            waypoint_km=round(chain_km, 1),
            published_km=c.length_km,
            end_nodes=(int(ends[0]), int(ends[1])),
        )
        chosen, paths, reason = viterbi_match(lengths, cand, straight)
        if chosen is not None:
            edges: list[int] = []
            for path in paths:
                for a, b in zip(path, path[1:]):
                    edges.append(edge_index[(min(a, b), max(a, b))])
            matched_km = float(km[edges].sum()) if edges else 0.0
            m.matched_km = round(matched_km, 1)
            m.max_offset_km = round(max(dict(cand[t])[node] for t, node in enumerate(chosen)), 2)
            m.end_nodes = (chosen[0], chosen[-1])
            published = c.length_km
            if published and abs(matched_km - published) > match_tolerance * published:
                reason = (
                    f"matched {matched_km:.1f} km against {published:g} km published "
                    f"(more than {match_tolerance:.0%} off)"
                )
            elif not published and matched_km > max_match_circuity * chain_km:
                reason = (
                    f"matched {matched_km:.1f} km is more than {max_match_circuity:g} x the "
                    f"{chain_km:.1f} km waypoint chain"
                )
            elif matched_km == 0.0:
                reason = "all waypoints matched the same point"
            else:
                m.result, m.share_matched = "matched", 1.0
                m.edges = sorted(set(edges))
                if published:
                    m.length_scale = round(published / matched_km, 4)
                for e in m.edges:
                    owners[e].append(ci)
        m.reason = reason
        matches.append(m)
    urban = built_up_km(lon, lat, u, v, km, centres, lat0)
    scaled = [replace(c, length_scale=m.length_scale) for c, m in zip(corridors, matches)]
    setting = np.full(u.size, "", dtype=object)
    if terrain is not None:
        grid, hilly_m, mountain_m, steep_pct = terrain
        relief = grid.relief_m(0.5 * (lon[u] + lon[v]), 0.5 * (lat[u] + lat[v]))
        grade = grid.grade_pct(lon[u], lat[u], lon[v], lat[v], km)
        setting = settings(relief, hilly_m, mountain_m, grade, steep_pct)
    return RoadLayer(
        lon=lon,
        lat=lat,
        u=u,
        v=v,
        length_km=km,
        urban_km=urban,
        owners=owners,
        corridors=scaled,
        matches=matches,
        terrain=setting,
    )


#: the day Shanxi's 70 km/h limit in every expressway tunnel was reported in force (山西晚报 2019-01-18,
#: FACTS.md section 8.1); before it the tunnels run at the road's speed
SHANXI_TUNNEL_LIMIT_FROM = dt.date(2019, 1, 18)


def is_open_on(opened: dt.date | None, as_of: dt.date) -> bool:
    """Whether an element opened on ``opened`` is open on ``as_of`` (no date: open in every
    modelled year)."""
    return opened is None or opened <= as_of


def is_open(corridor: Corridor, as_of: dt.date) -> bool:
    """Whether a corridor is open on ``as_of`` (:func:`is_open_on` of its ``opened``)."""
    return is_open_on(corridor.opened, as_of)


def _rank(c: Corridor) -> tuple[int, str]:
    return (CLASS_RANK[c.road_class], c.corridor_id)


def edge_state(owners: Sequence[Corridor], as_of: dt.date) -> tuple[str, Corridor | None]:
    """(class, the corridor that sets it) of an edge owned by ``owners`` on ``as_of``.

    Class ``"absent"`` means the edge did not exist: every owner is a new alignment not yet open.
    Class ``"other"`` with no corridor is an unowned road (or an older road below an upgrade).
    """
    if not owners:
        return "other", None
    open_now = [c for c in owners if is_open(c, as_of)]
    if open_now:
        top = min(open_now, key=_rank)
        return top.road_class, top
    older = [c.upgrades for c in owners if c.upgrades]
    if older:
        cls = min(older, key=lambda x: CLASS_RANK[x])
        return cls, None
    return "absent", None


def road_speed_kph(road_class: str, design_kph: float | None, limit_kph: float | None, a: Any) -> float:
    """Free-flow car speed of a road of ``road_class`` outside built-up areas (km/h):
    :func:`network.graph.timing.class_speed_kph` with the corridor's design speed and posted
    limit (expressways at their design speed capped at the legal 120 km/h; national and provincial
    roads at design x ``ordinary_road_speed_factor``; other roads at
    ``unclassified_road_speed_kph``)."""
    from network.graph.timing import class_speed_kph

    return float(class_speed_kph(road_class, float(design_kph or "nan"), float(limit_kph or "inf"), a))


def _speeds(c: Corridor | None) -> tuple[float | None, float | None]:
    return (c.design_speed_kph, c.speed_limit_kph) if c is not None else (None, None)


def corridor_attrs(c: Corridor) -> dict[str, Any]:
    """The attributes a corridor gives the edges it owns (ref, names, id, dates, source)."""
    out: dict[str, Any] = {
        "road_class": c.road_class,
        "ref": c.ref,
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "corridor_id": c.corridor_id,
        "opened": c.opened.isoformat() if c.opened else None,
        "source": c.source,
    }
    if c.lanes:
        out["lanes"] = c.lanes
    return out


def road_edge_attrs(
    owners: Sequence[Corridor], length_km: float, urban_km: float, as_of: dt.date, a: Any, terrain: str = ""
) -> dict[str, Any] | None:
    """Attributes of a geometry edge owned by ``owners`` on ``as_of``, or None if it is absent
    (:func:`edge_state`). ``owners`` of the result lists the open owners, top first, so a scenario
    that closes the top one can fall back to the next."""
    cls, top = edge_state(owners, as_of)
    if cls == "absent":
        return None
    geometry = {"geometry_km": length_km, "geometry_urban_km": urban_km}
    tunnel_km = 0.0
    if top is not None:  # the geometry's straight chords shorten winding roads: use the published length
        length_km *= top.length_scale
        urban_km *= top.length_scale
        if top.tunnel_km and top.length_km and as_of >= SHANXI_TUNNEL_LIMIT_FROM:
            tunnel_km = length_km * min(1.0, top.tunnel_km / top.length_km)  # its share of the tunnels
    from network.graph.timing import Rule, road_inputs, timed

    attrs: dict[str, Any] = {  # speed_kph and time_min are set by the timing pass (fill_times)
        "mode": "road",
        "kind": "link",
        "road_class": cls,
        **geometry,
        **timed(
            Rule.ROAD_LAYER,
            a,
            **road_inputs(length_km, urban_km, cls, *_speeds(top), terrain=terrain, tunnel_km=tunnel_km),
        ),
    }
    if top is not None:
        attrs.update(corridor_attrs(top))
    open_now = sorted((c for c in owners if is_open(c, as_of)), key=_rank)
    attrs["owners"] = ",".join(c.corridor_id for c in open_now)
    later = [c.corridor_id for c in owners if not is_open(c, as_of)]
    if later:
        attrs["replaced_later_by"] = ",".join(sorted(later))
    return attrs


def closed_road_attrs(
    edge: dict[str, Any], closed: set[str], corridors: Mapping[str, Corridor], as_of: dt.date, a: Any
) -> dict[str, Any] | None:
    """Attributes of a geometry edge after the corridors ``closed`` are closed (a scenario's
    ``close``): the next open owner takes over; with none, the older road class where a closed
    corridor ``upgrades`` one; else None (the edge goes: it was a new alignment)."""
    ids = [x for x in str(edge.get("owners") or "").split(",") if x]
    owners = [
        corridors[i] if i not in closed else replace(corridors[i], opened=dt.date.max) for i in ids if i in corridors
    ]
    return road_edge_attrs(
        owners, float(edge["geometry_km"]), float(edge["geometry_urban_km"]), as_of, a, str(edge.get("terrain") or "")
    )


def built_up_centres(places: Sequence[Place], a: Any) -> list[tuple[float, float, float]]:
    """Built-up circles ``(lon, lat, radius_km)``: every prefecture-level city centre and every
    county seat or urban district centre of ``places`` (external destinations have no roads)."""
    out = []
    for p in places:
        if p.kind == "city":
            out.append((p.lon, p.lat, float(a.built_up_radius_city_km)))
        elif p.kind in ("county", "district"):
            out.append((p.lon, p.lat, float(a.built_up_radius_county_km)))
    return out


def layer_geometry(layer: RoadLayer) -> LineGraph:
    """The layer's split geometry as a :class:`LineGraph` with every edge both ways."""
    return LineGraph(
        lon=layer.lon,
        lat=layer.lat,
        u=np.concatenate([layer.u, layer.v]),
        v=np.concatenate([layer.v, layer.u]),
        length_km=np.concatenate([layer.length_km] * 2),
    )
