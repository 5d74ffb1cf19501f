"""OSM ways to compact graphs: tag rules (speeds, one-way, classes) and topological simplification.

In: :class:`~network.sources.osm.OsmWay` lists. Out: :class:`RoadGraph` (roads with class, speed,
ref and names per directed edge) and :class:`RailGraph` (two-way track with speed and flags).

Simplification keeps a node where a road ends, branches, or changes its attributes (class, speed,
direction, ref, name), and merges the chain of segments between two kept nodes into one edge whose
length is the sum of the segments' great-circle lengths and whose geometry is kept for drawing.
That is what osmnx's ``simplify_graph`` does, on arrays instead of a networkx graph, so a province
fits in memory; ``tests/test_osm.py`` checks shortest paths against osmnx on real data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from network.geo import haversine_km
from network.sources.geometry import LineGraph
from network.sources.osm import OsmWay

_MPH = 1.609344


#: A ``maxspeed`` outside this range (km/h) is a mapping error, read as no tag: slower than 5 is
#: not a limit of a through road, and nothing on rails or roads runs faster than 450.
MAXSPEED_RANGE_KPH = (5.0, 450.0)


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` tag in km/h, or None when it holds no number (``none``, ``signals``,
    ``CN:urban``) or an impossible one (:data:`MAXSPEED_RANGE_KPH`). ``mph`` values are
    converted; of several values (``80;60``) the lowest is used.

    >>> parse_maxspeed("80"), parse_maxspeed("50 mph"), parse_maxspeed("100;80"), parse_maxspeed("none")
    (80.0, 80.5, 80.0, None)
    >>> parse_maxspeed("9999"), parse_maxspeed("0")
    (None, None)
    """
    if not value:
        return None
    speeds = []
    for part in str(value).split(";"):
        m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", part)
        if m:
            v = float(m.group(1)) * (_MPH if m.group(2) == "mph" else 1.0)
            if MAXSPEED_RANGE_KPH[0] <= v <= MAXSPEED_RANGE_KPH[1]:
                speeds.append(round(v, 1))
    return min(speeds) if speeds else None


def oneway_flags(tags: dict[str, str]) -> tuple[bool, bool]:
    """(forward allowed, backward allowed) along the way's node order.

    Motorways and roundabouts are one-way unless tagged otherwise (OSM convention);
    ``oneway=-1`` means against the node order.

    >>> oneway_flags({"highway": "motorway"}), oneway_flags({"oneway": "-1"}), oneway_flags({})
    ((True, False), (False, True), (True, True))
    """
    ow = tags.get("oneway", "").lower()
    if ow in ("yes", "true", "1"):
        return True, False
    if ow in ("-1", "reverse"):
        return False, True
    if ow in ("no", "false", "0", "reversible", "alternating"):
        return True, True
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") in ("motorway", "motorway_link"):
        return True, False
    return True, True


@dataclass
class Simplified:
    """A simplified undirected way graph; edges keep their way's orientation and attributes."""

    node_osm_id: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    a: NDArray[np.int64]  # edge start (index into nodes), in the orientation of ``attr``
    b: NDArray[np.int64]
    length_km: NDArray[np.float64]
    attr: list[Any]  # per edge, as returned by the attribute function (oriented a -> b)
    geom_offsets: NDArray[np.int64]  # edge k's coordinates are geom_lon[offsets[k]:offsets[k+1]]
    geom_lon: NDArray[np.float64]
    geom_lat: NDArray[np.float64]


def simplify_ways(
    ways: Sequence[OsmWay], attr_of: Callable[[OsmWay], Hashable], reverse: Callable[[Any], Any], progress: bool = False
) -> Simplified:
    """Merge chains of way segments between kept nodes (module docstring).

    ``attr_of(way)`` gives the attributes of the way in its node order; ``reverse(attr)`` the same
    attributes seen against it. Two segments meeting at a node of degree 2 merge when their
    attributes, oriented along the chain, are equal.
    """
    seg_a, seg_b, seg_attr, seg_km = [], [], [], []
    pos: dict[int, tuple[float, float]] = {}
    attrs: list[Any] = []
    attr_index: dict[Any, int] = {}
    for w in ways:
        key = attr_of(w)
        k = attr_index.setdefault(key, len(attrs))
        if k == len(attrs):
            attrs.append(key)
        km = haversine_km(w.lon[:-1], w.lat[:-1], w.lon[1:], w.lat[1:])
        ids = w.node_ids.tolist()
        for i, nid in enumerate(ids):
            pos.setdefault(nid, (float(w.lon[i]), float(w.lat[i])))
        for i in range(len(ids) - 1):
            if ids[i] != ids[i + 1]:
                seg_a.append(ids[i])
                seg_b.append(ids[i + 1])
                seg_attr.append(k)
                seg_km.append(float(km[i]))
    for x in list(attrs):  # every orientation of every attribute gets an index
        r = reverse(x)
        if r not in attr_index:
            attr_index[r] = len(attrs)
            attrs.append(r)
    rev_index = [attr_index[reverse(x)] for x in attrs]
    # incident segment ends per node: +s+1 when the segment starts there, -(s+1) when it ends there
    incident: dict[int, list[int]] = {}
    for s, (x, y) in enumerate(zip(seg_a, seg_b)):
        incident.setdefault(x, []).append(s + 1)
        incident.setdefault(y, []).append(-(s + 1))

    def oriented_away(end: int) -> int:  # attribute index of the segment seen leaving the node
        s = abs(end) - 1
        return seg_attr[s] if end > 0 else rev_index[seg_attr[s]]

    def oriented_toward(end: int) -> int:
        s = abs(end) - 1
        return seg_attr[s] if end < 0 else rev_index[seg_attr[s]]

    kept: set[int] = set()
    for node, ends in incident.items():
        if len(ends) != 2:
            kept.add(node)
            continue
        e1, e2 = ends
        if abs(e1) == abs(e2) or oriented_toward(e1) != oriented_away(e2):
            kept.add(node)
    used = np.zeros(len(seg_a), dtype=bool)
    out_a: list[int] = []
    out_b: list[int] = []
    out_attr: list[Any] = []
    out_km: list[float] = []
    offsets = [0]
    g_lon: list[float] = []
    g_lat: list[float] = []

    def walk(start: int, end: int) -> None:
        node, first = start, True
        chain_km = 0.0
        coords = [pos[start]]
        attr = oriented_away(end)
        while True:
            s = abs(end) - 1
            used[s] = True
            nxt = seg_b[s] if end > 0 else seg_a[s]
            chain_km += seg_km[s]
            coords.append(pos[nxt])
            node = nxt
            if node in kept or (not first and node == start):
                break
            first = False
            e1, e2 = incident[node]
            end = e2 if abs(e1) - 1 == s else e1
        out_a.append(start)
        out_b.append(node)
        out_attr.append(attrs[attr])
        out_km.append(chain_km)
        g_lon.extend(c[0] for c in coords)
        g_lat.extend(c[1] for c in coords)
        offsets.append(len(g_lon))

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(kept), unit=" nodes", desc="simplifying", mininterval=1.0)
    for node in sorted(kept):
        for end in incident[node]:
            if not used[abs(end) - 1]:
                walk(node, end)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    for s in np.flatnonzero(~used).tolist():  # rings with no kept node: keep their first node
        if not used[s]:
            kept.add(seg_a[s])
            walk(seg_a[s], s + 1)
    ids = np.array(sorted(kept), dtype=np.int64)
    index = {int(n): i for i, n in enumerate(ids.tolist())}
    return Simplified(
        node_osm_id=ids,
        lon=np.array([pos[n][0] for n in ids.tolist()]),
        lat=np.array([pos[n][1] for n in ids.tolist()]),
        a=np.array([index[x] for x in out_a], dtype=np.int64),
        b=np.array([index[x] for x in out_b], dtype=np.int64),
        length_km=np.array(out_km),
        attr=out_attr,
        geom_offsets=np.array(offsets, dtype=np.int64),
        geom_lon=np.array(g_lon),
        geom_lat=np.array(g_lat),
    )


@dataclass(frozen=True)
class ChainGraph(LineGraph):
    """A :class:`LineGraph` whose edges keep the geometry of their simplified chain: edge k is
    chain ``chain[k]`` (reversed when ``chain_reversed[k]``), whose coordinates are
    ``geom_lon/lat[geom_offsets[c]:geom_offsets[c + 1]]``."""

    chain: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    chain_reversed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    geom_offsets: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    geom_lon: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    geom_lat: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    def edge_points(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Every edge's points (lon, lat rows; each edge's as :meth:`edge_coords` gives them) and
        the edge each belongs to, for all edges at once (no loop over edges)."""
        start = self.geom_offsets[self.chain]
        length = self.geom_offsets[self.chain + 1] - start
        owner = np.repeat(np.arange(self.chain.size, dtype=np.int64), length)
        first = np.cumsum(length) - length  # where each edge's points begin in the output
        step = np.arange(owner.size, dtype=np.int64) - first[owner]
        src = np.where(self.chain_reversed[owner], start[owner] + length[owner] - 1 - step, start[owner] + step)
        return np.column_stack([self.geom_lon[src], self.geom_lat[src]]), owner

    def edge_coords(self, k: int) -> list[tuple[float, float]]:
        """The (lon, lat) points of edge ``k``, its ends included."""
        c = int(self.chain[k])
        s, e = int(self.geom_offsets[c]), int(self.geom_offsets[c + 1])
        pts = list(zip(self.geom_lon[s:e].tolist(), self.geom_lat[s:e].tolist()))
        return pts[::-1] if self.chain_reversed[k] else pts


# -- roads -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoadGraph(ChainGraph):
    """Directed road edges with their attributes and chain geometry."""

    speed_kph: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    speed_source: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))  # "maxspeed" or "default"
    road_class: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))
    ref: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))
    name_zh: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))
    name_en: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))
    corridor_id: NDArray[Any] = field(default_factory=lambda: np.zeros(0, dtype=object))  # "" if none
    node_osm_id: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _names(tags: dict[str, str]) -> tuple[str, str]:
    zh = tags.get("name:zh") or tags.get("name") or ""
    en = tags.get("name:en") or tags.get("int_name") or ""
    return zh, en


def road_graph(
    ways: Sequence[OsmWay], default_speed_kph: dict[str, float], cap_kph: float, progress: bool = False
) -> RoadGraph:
    """Roads as a :class:`RoadGraph`: speeds from ``maxspeed`` (and ``maxspeed:forward`` /
    ``:backward``) where tagged, otherwise ``default_speed_kph[highway]``; never above ``cap_kph``.
    """

    def attr_of(w: OsmWay) -> tuple[Any, ...]:
        t = w.tags
        fwd_ok, bwd_ok = oneway_flags(t)
        ms = parse_maxspeed(t.get("maxspeed"))
        f = parse_maxspeed(t.get("maxspeed:forward")) or ms
        b = parse_maxspeed(t.get("maxspeed:backward")) or ms
        default = default_speed_kph[t["highway"]]
        zh, en = _names(t)
        return (
            t["highway"],
            fwd_ok,
            bwd_ok,
            min(f or default, cap_kph),
            min(b or default, cap_kph),
            f is not None,
            b is not None,
            t.get("ref", ""),
            zh,
            en,
        )

    def reverse(x: tuple[Any, ...]) -> tuple[Any, ...]:
        return (x[0], x[2], x[1], x[4], x[3], x[6], x[5], *x[7:])

    s = simplify_ways(ways, attr_of, reverse, progress)
    u, v, km, sp, src, cls, ref, zh, en, chain, rev = [], [], [], [], [], [], [], [], [], [], []
    for k, x in enumerate(s.attr):
        for ok, a, b, speed, tagged, reversed_ in (
            (x[1], s.a[k], s.b[k], x[3], x[5], False),
            (x[2], s.b[k], s.a[k], x[4], x[6], True),
        ):
            if ok:
                u.append(int(a))
                v.append(int(b))
                km.append(float(s.length_km[k]))
                sp.append(speed)
                src.append("maxspeed" if tagged else "default")
                cls.append(x[0])
                ref.append(x[7])
                zh.append(x[8])
                en.append(x[9])
                chain.append(k)
                rev.append(reversed_)
    obj = lambda xs: np.array(xs, dtype=object)  # noqa: E731
    return RoadGraph(
        lon=s.lon,
        lat=s.lat,
        u=np.array(u, dtype=np.int64),
        v=np.array(v, dtype=np.int64),
        length_km=np.array(km),
        speed_kph=np.array(sp, dtype=float),
        speed_source=obj(src),
        road_class=obj(cls),
        ref=obj(ref),
        name_zh=obj(zh),
        name_en=obj(en),
        node_osm_id=s.node_osm_id,
        chain=np.array(chain, dtype=np.int64),
        chain_reversed=np.array(rev, dtype=bool),
        geom_offsets=s.geom_offsets,
        geom_lon=s.geom_lon,
        geom_lat=s.geom_lat,
    )


# -- rail --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RailGraph(ChainGraph):
    """Two-way track edges (both directions listed) with line speed, flags and chain geometry."""

    speed_kph: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    highspeed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    passenger: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))


#: ``usage`` values of track that carries no scheduled passenger trains.
FREIGHT_USAGE = ("industrial", "military", "tourism", "freight")


def is_highspeed(tags: dict[str, str], hsr_min_kph: float) -> bool:
    """High-speed track: ``highspeed=yes``, or a ``maxspeed`` of at least ``hsr_min_kph``.

    >>> is_highspeed({"highspeed": "yes"}, 200), is_highspeed({"maxspeed": "250"}, 200), is_highspeed({}, 200)
    (True, True, False)
    """
    ms = parse_maxspeed(tags.get("maxspeed"))
    return tags.get("highspeed") == "yes" or (ms is not None and ms >= hsr_min_kph)


def carries_passengers(tags: dict[str, str]) -> bool:
    """False for track tagged freight-only (``usage`` industrial/military/tourism, or
    ``railway:traffic_mode=freight``, or ``passenger=no``).

    >>> carries_passengers({"usage": "main"}), carries_passengers({"usage": "industrial"})
    (True, False)
    """
    return not (
        tags.get("usage") in FREIGHT_USAGE
        or tags.get("railway:traffic_mode") == "freight"
        or tags.get("passenger") == "no"
    )


def rail_graph(
    ways: Sequence[OsmWay], hsr_default_kph: float, rail_default_kph: float, hsr_min_kph: float
) -> RailGraph:
    """Track as a :class:`RailGraph`: speed from ``maxspeed`` where tagged, otherwise the default
    of its kind (high-speed or conventional)."""

    def attr_of(w: OsmWay) -> tuple[Any, ...]:
        hs = is_highspeed(w.tags, hsr_min_kph)
        speed = parse_maxspeed(w.tags.get("maxspeed")) or (hsr_default_kph if hs else rail_default_kph)
        return (speed, hs, carries_passengers(w.tags))

    s = simplify_ways(ways, attr_of, lambda x: x)
    n = len(s.attr)
    both = np.concatenate
    speed = np.array([x[0] for x in s.attr], dtype=float)
    hs = np.array([x[1] for x in s.attr], dtype=bool)
    pax = np.array([x[2] for x in s.attr], dtype=bool)
    chain = np.arange(n, dtype=np.int64)
    return RailGraph(
        lon=s.lon,
        lat=s.lat,
        u=both([s.a, s.b]),
        v=both([s.b, s.a]),
        length_km=both([s.length_km, s.length_km]),
        speed_kph=both([speed, speed]),
        highspeed=both([hs, hs]),
        passenger=both([pax, pax]),
        chain=both([chain, chain]),
        chain_reversed=both([np.zeros(n, dtype=bool), np.ones(n, dtype=bool)]),
        geom_offsets=s.geom_offsets,
        geom_lon=s.geom_lon,
        geom_lat=s.geom_lat,
    )
