"""A network whose road edges stay arrays: the province-size path of a built network (GMNS,
OpenStreetMap).

A province has millions of road edges; as ``networkx`` edges they cost about 1.5 kB each (a
Henan-size network took 5.3 GB to become a model). Here the road edges of the
:class:`~network.graph.osm_ways.RoadGraph` never enter the graph: :func:`network_from_roads` takes the
graph of everything else (places, stations, services, airports and their connectors, built with
``roads_in_graph=False``) and puts the two together as one :class:`~network.graph.edges.EdgeTable`,
which is what routes, scores and matrices run on. The ``networkx`` graph of the whole network is
built only if something asks for it (:attr:`network.graph.network.Network.graph`: a map, a report,
a card that changes existing roads or services), from the same arrays: the same nodes, edges, keys
and attributes as a build with the roads in the graph. A card that only adds roads is applied to a
copy of the graph of everything else (:func:`with_own_graph` puts the result together).

Road edge ``k`` is ``r{u} -> r{v}`` with key ``osm{k}``, timed by its rule (``road_speed`` or
``osm_default``: length / speed, :func:`network.graph.timing.speed_min`).
"""

from __future__ import annotations

import re
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

from network.assumptions import Assumptions
from network.geo import morton_order
from network.graph.edges import EdgeTable
from network.graph.network import GraphParts, Network
from network.graph.osm_ways import RoadGraph
from network.graph.timing import Rule, speed_min

if TYPE_CHECKING:
    import networkx as nx

    from network.sources.default import DefaultData

_ROAD_ID = re.compile(r"r(\d+)$")


def _road_index(node: str, n: int) -> int | None:
    m = _ROAD_ID.match(node) if isinstance(node, str) else None
    if m is None:
        return None
    i = int(m.group(1))
    return i if i < n and node == f"r{i}" else None


class RoadNodes(Mapping[str, dict[str, Any]]):
    """Node id → attributes of a network whose road nodes are arrays: the graph's own nodes, then
    every road node ``r{i}`` the graph does not hold (built on asking: ``kind``, ``lon``, ``lat``).
    Iterating the items (every place, station or airport a caller looks for) makes no lookups."""

    def __init__(self, graph_nodes: Mapping[str, dict[str, Any]], roads: RoadGraph) -> None:
        self._own = graph_nodes
        self._roads = roads
        self._n = int(roads.n_nodes)
        held = [i for i in (_road_index(n, self._n) for n in graph_nodes) if i is not None]
        self._held = np.zeros(self._n, dtype=bool)
        self._held[held] = True

    def own_nodes(self) -> Mapping[str, dict[str, Any]]:
        """The graph's own nodes: every node but the road nodes only the arrays hold."""
        return self._own

    def __getitem__(self, node: str) -> dict[str, Any]:
        if node in self._own:
            return self._own[node]
        i = _road_index(node, self._n)
        if i is None:
            raise KeyError(node)
        return {"kind": "road", "lon": float(self._roads.lon[i]), "lat": float(self._roads.lat[i])}

    def __contains__(self, node: object) -> bool:
        return node in self._own or (isinstance(node, str) and _road_index(node, self._n) is not None)

    def _road_rows(self) -> list[int]:
        return np.flatnonzero(~self._held).tolist()

    def __iter__(self) -> Iterator[str]:
        yield from self._own
        for i in self._road_rows():
            yield f"r{i}"

    def __len__(self) -> int:
        return len(self._own) + self._n - int(self._held.sum())

    def items(self) -> ItemsView[str, dict[str, Any]]:
        """(node id, attributes) of every node, without a lookup each."""
        return _RoadItems(self)

    def values(self) -> ValuesView[dict[str, Any]]:
        """The attributes of every node, without a lookup each."""
        return _RoadValues(self)

    def _pairs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self._own.items()
        rows = self._road_rows()
        lon, lat = self._roads.lon[rows].tolist(), self._roads.lat[rows].tolist()
        for i, x, y in zip(rows, lon, lat):
            yield f"r{i}", {"kind": "road", "lon": x, "lat": y}


class _RoadItems(ItemsView[str, dict[str, Any]]):
    _mapping: RoadNodes

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return self._mapping._pairs()


class _RoadValues(ValuesView[dict[str, Any]]):
    _mapping: RoadNodes

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (d for _, d in self._mapping._pairs())


class SourceIds(Mapping[str, str]):
    """The source's own node id (OSM, GMNS) → road node ``r{i}``, looked up in the sorted ids
    (a dict of a province's million ids would cost about 200 MB)."""

    def __init__(self, source_ids: NDArray[np.int64]) -> None:
        self._order = np.argsort(source_ids, kind="stable")
        self._sorted = np.asarray(source_ids)[self._order]

    def __getitem__(self, key: str) -> str:
        try:
            k = int(key)
        except (TypeError, ValueError):
            raise KeyError(key) from None
        pos = int(np.searchsorted(self._sorted, k))
        if pos >= self._sorted.size or self._sorted[pos] != k or str(k) != str(key):
            raise KeyError(key)
        return f"r{int(self._order[pos])}"

    def __iter__(self) -> Iterator[str]:
        return (str(int(k)) for k in np.asarray(self._sorted)[np.argsort(self._order)])

    def __len__(self) -> int:
        return int(self._sorted.size)


def _road_row(key: tuple[str, str, Any], u: NDArray[np.int64], v: NDArray[np.int64]) -> int | None:
    """The road row of ``key`` (``r{u}``, ``r{v}``, ``osm{k}`` with those ends), or None."""
    a, b, k = key
    if not (isinstance(k, str) and k.startswith("osm") and k[3:].isdigit()):
        return None
    i = int(k[3:])
    return i if i < u.size and (a, b) == (f"r{int(u[i])}", f"r{int(v[i])}") else None


class EdgeKeys(Sequence[tuple[str, str, Any]]):
    """The edge table's keys without a tuple per road edge: road rows first (``r{u}``, ``r{v}``,
    ``osm{k}`` for the road edges ``u -> v``), then the graph's own edges ``own``."""

    def __init__(self, u: NDArray[np.int64], v: NDArray[np.int64], own: list[tuple[str, str, Any]]) -> None:
        self._u, self._v, self._own = u, v, own
        self._m = int(u.size)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str, Any]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i < self._m:
            return (f"r{int(self._u[i])}", f"r{int(self._v[i])}", f"osm{i}")
        return self._own[i - self._m]

    def __len__(self) -> int:
        return self._m + len(self._own)

    @property
    def road_rows(self) -> int:
        """How many rows, from the first, are road edges kept as arrays (row ``k`` is the road
        layer's edge ``k``)."""
        return self._m

    def __iter__(self) -> Iterator[tuple[str, str, Any]]:
        for k, (a, b) in enumerate(zip(self._u.tolist(), self._v.tolist())):
            yield (f"r{a}", f"r{b}", f"osm{k}")
        yield from self._own

    def rows(self) -> Mapping[tuple[str, str, Any], int]:
        """Key → row without a dict of every road edge's key (:attr:`EdgeTable.row_of
        <network.graph.edges.EdgeTable.row_of>`): a road key gives its row by its number."""
        return _KeyRows(self)

    def extended(self, added: Sequence[tuple[str, str, Any]]) -> EdgeKeys:
        """These keys and ``added`` after them (a scenario's new edges), no road key made."""
        return EdgeKeys(self._u, self._v, [*self._own, *added])


class _KeyRows(Mapping[tuple[str, str, Any], int]):
    """Row of each key of an :class:`EdgeKeys` (the mapping :meth:`EdgeKeys.rows` gives)."""

    def __init__(self, keys: EdgeKeys) -> None:
        self._keys = keys
        self._own = {k: keys._m + i for i, k in enumerate(keys._own)}

    def __getitem__(self, key: tuple[str, str, Any]) -> int:
        row = _road_row(key, self._keys._u, self._keys._v)
        return row if row is not None else self._own[key]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return False
        return True

    def __iter__(self) -> Iterator[tuple[str, str, Any]]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def road_edge_attrs(roads: RoadGraph, k: int, minutes: float, road_source: str, gmns_source: str) -> dict[str, Any]:
    """The attributes of road edge ``k`` as :meth:`GraphBuilder._add_osm_roads
    <network.graph.build.GraphBuilder>` gives them, with its minutes."""
    how = str(roads.speed_source[k])
    attrs: dict[str, Any] = {
        "mode": "road",
        "kind": "link",
        "road_class": roads.road_class[k],
        "speed_from": how,
        "rule": (Rule.OSM_DEFAULT if how == "default" else Rule.ROAD_SPEED).value,
        "length_km": float(roads.length_km[k]),
        "speed_kph": float(roads.speed_kph[k]),
        "source": gmns_source if how == "given" else road_source,
    }
    ref, zh, en = roads.ref[k], roads.name_zh[k], roads.name_en[k]
    if ref or zh or en:
        attrs |= {"ref": ref, "name_zh": zh, "name_en": en}
    if roads.corridor_id.size and roads.corridor_id[k]:
        attrs["corridor_id"] = roads.corridor_id[k]
    attrs["time_min"] = minutes
    return attrs


def network_from_roads(
    graph: nx.MultiDiGraph, data: DefaultData, roads: RoadGraph, assumptions: Assumptions
) -> Network:
    """The network of ``graph`` (built with ``roads_in_graph=False``) and the road edges of
    ``roads`` (module docstring). Nodes are numbered in Morton order, as
    :func:`~network.graph.edges.build_edge_table` numbers them."""
    n_roads = int(roads.n_nodes)
    others = [n for n in graph.nodes if _road_index(n, n_roads) is None]
    ids = [f"r{i}" for i in range(n_roads)] + others
    lon = np.concatenate([roads.lon, [graph.nodes[n]["lon"] for n in others]]).astype(float)
    lat = np.concatenate([roads.lat, [graph.nodes[n]["lat"] for n in others]]).astype(float)
    order = morton_order(lon, lat)
    pos = np.empty(len(ids), dtype=np.int64)
    pos[order] = np.arange(len(ids))
    node_ids = [ids[k] for k in order]
    index = {n: i for i, n in enumerate(node_ids)}
    own = list(graph.edges(keys=True, data=True))
    road_min = speed_min(roads.length_km, roads.speed_kph)
    mode_len = max([4, *(len(d["mode"]) for *_, d in own)])
    kind_len = max([4, *(len(d.get("kind", "")) for *_, d in own)])
    table = EdgeTable(
        u=np.concatenate([pos[roads.u], np.array([index[a] for a, *_ in own], dtype=np.int64)]),
        v=np.concatenate([pos[roads.v], np.array([index[b] for _, b, *_ in own], dtype=np.int64)]),
        time_min=np.concatenate([road_min, np.array([d["time_min"] for *_, d in own], dtype=float)]),
        length_km=np.concatenate([roads.length_km, np.array([d["length_km"] for *_, d in own], dtype=float)]),
        mode=np.concatenate([np.full(roads.u.size, "road"), np.array([d["mode"] for *_, d in own])]).astype(
            f"<U{mode_len}"
        ),
        kind=np.concatenate([np.full(roads.u.size, "link"), np.array([d.get("kind", "") for *_, d in own])]).astype(
            f"<U{kind_len}"
        ),
        keys=EdgeKeys(roads.u, roads.v, [(a, b, k) for a, b, k, _ in own]),  # type: ignore[arg-type]
        node_ids=node_ids,
        index=index,
        lon=lon[order],
        lat=lat[order],
    )
    return Network(None, data, roads, assumptions, table, parts=_parts(graph, roads, road_min))


def _parts(graph: nx.MultiDiGraph, roads: RoadGraph, road_min: NDArray[np.float64]) -> GraphParts:
    """The parts of a network of ``graph`` (everything but the road edges) and ``roads``."""
    from network.graph.build import GMNS_SOURCE
    from network.sources.osm import SOURCE_LICENCE

    road_source = f"OpenStreetMap ({SOURCE_LICENCE})"

    def edges() -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
        """Every edge, one at a time (a province's millions never held twice)."""
        for k, (a, b, t) in enumerate(zip(roads.u.tolist(), roads.v.tolist(), road_min.tolist())):
            yield f"r{a}", f"r{b}", f"osm{k}", road_edge_attrs(roads, k, t, road_source, GMNS_SOURCE)
        for a, b, k, d in graph.edges(keys=True, data=True):
            yield a, b, k, dict(d)

    def edge(key: tuple[str, str, Any]) -> dict[str, Any]:
        k = _road_row(key, roads.u, roads.v)
        if k is not None:
            return road_edge_attrs(roads, k, float(road_min[k]), road_source, GMNS_SOURCE)
        data: dict[str, Any] = graph.edges[key]
        return data

    return GraphParts(RoadNodes(graph.nodes, roads), graph.graph, edges, edge, own=graph)


def with_own_graph(base: Network, graph: nx.MultiDiGraph, table: EdgeTable, **fields: Any) -> Network:
    """A network of ``base``'s road arrays and ``graph`` (a scenario's copy of ``base``'s own
    graph, roads only added to it), with the edge table ``table`` and other ``fields``
    (``scenario``, ``apply_report``)."""
    roads = base.roads
    assert isinstance(roads, RoadGraph)
    road_min = speed_min(roads.length_km, roads.speed_kph)
    return Network(None, base.data, roads, base.assumptions, table, parts=_parts(graph, roads, road_min), **fields)
