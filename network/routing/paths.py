"""Shortest paths on compiled arrays: many-to-one times, path recovery and legs.

In: a :class:`~network.routing.compile.CompiledGraph`. Out: arrays of minutes (``inf`` where a
node cannot reach a target; never a sentinel number), node paths, and legs (consecutive edges of
one mode and service merged: mode, from, to, minutes, km).

Many-to-one is one-to-many on the transposed matrix: one ``scipy.sparse.csgraph.dijkstra`` call
for all targets (a C loop; no Python per node).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from network.errors import UnreachableError
from network.graph.schema import edge_cards
from network.graph.timing import layer_speed_kph
from network.graph.timing_words import describe
from network.repair import Tree, repair_tree
from network.routing.compile import CompiledGraph
from network.search import search, walk_back

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class ManyToOne:
    """Times from every node to each target (rows: targets, columns: nodes), with predecessors
    pointing from each node to the next node on its way to the target."""

    graph: CompiledGraph
    targets: list[str]
    time_min: NDArray[np.float64]
    next_hop: NDArray[np.int32]

    def time_from(self, origin: str, target: str) -> float:
        """Minutes from ``origin`` to ``target`` (``inf`` if unreachable)."""
        return float(self.time_min[self.targets.index(target), self.graph.index[origin]])

    def path(self, origin: str, target: str) -> list[str]:
        """Node ids from ``origin`` to ``target``.

        Raises
        ------
        UnreachableError
            If the target cannot be reached from the origin in this mode.
        """
        row = self.targets.index(target)
        i, goal = self.graph.index[origin], self.graph.index[target]
        if not np.isfinite(self.time_min[row, i]):
            raise UnreachableError(f"no {self.graph.mode} path from {origin} to {target}")
        out = (walk_back(self.next_hop[row], i, source=goal) or [])[::-1]  # a reverse search: origin ... target
        return [self.graph.node_ids[k] for k in out]


def many_to_one(graph: CompiledGraph, targets: list[str], limit_min: float = np.inf) -> ManyToOne:
    """Minutes from every node to each of ``targets`` by reverse Dijkstra (one C call).

    Parameters
    ----------
    limit_min
        Stop searching beyond this time (nodes further away get ``inf``).
    """
    rows = np.array([graph.index[t] for t in targets], dtype=np.int64)
    dist, pred = search(graph.transposed, rows, predecessors=True, limit=limit_min)
    return ManyToOne(graph=graph, targets=list(targets), time_min=np.atleast_2d(dist), next_hop=np.atleast_2d(pred))


def one_to_many(
    graph: CompiledGraph, origins: list[str], limit_min: float = np.inf, min_only: bool = False
) -> NDArray[np.float64]:
    """Minutes from each origin (rows) to every node; with ``min_only`` one row, the minimum over
    origins (a multi-source search)."""
    rows = np.array([graph.index[o] for o in origins], dtype=np.int64)
    dist = search(graph.matrix, rows, limit=limit_min, min_only=min_only)
    return np.atleast_2d(dist)


_LEG_MODE = {"road": "road", "access": "road"}


class EdgeSource(Protocol):
    """Where the legs read edges' and nodes' attributes: a :class:`~network.graph.network.Network`
    (without building its graph), or a ``networkx`` graph (:func:`graph_source`)."""

    @property
    def nodes(self) -> Mapping[str, dict[str, Any]]:
        """Node id → attributes."""
        ...

    @property
    def meta(self) -> Mapping[str, Any]:
        """The network's own attributes (its ``assumptions``)."""
        ...

    def edge_data(self, key: tuple[str, str, Any]) -> dict[str, Any]:
        """The attributes of the edge ``key``."""
        ...


@dataclass(frozen=True)
class _GraphSource:
    graph: nx.MultiDiGraph

    @property
    def nodes(self) -> Mapping[str, dict[str, Any]]:
        nodes: Mapping[str, dict[str, Any]] = self.graph.nodes
        return nodes

    @property
    def meta(self) -> Mapping[str, Any]:
        meta: Mapping[str, Any] = self.graph.graph
        return meta

    def edge_data(self, key: tuple[str, str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = self.graph.edges[key]
        return data


def graph_source(graph: nx.MultiDiGraph) -> EdgeSource:
    """A ``networkx`` graph as the :class:`EdgeSource` of :func:`path_legs`."""
    return _GraphSource(graph)


def path_legs(
    graph: CompiledGraph,
    source: EdgeSource,
    path: list[str],
    total_min: float | None = None,
    assumptions: Any = None,
) -> list[dict[str, Any]]:
    """Merge a node path's edges into legs (``source`` gives the edges' attributes).

    A leg is a run of edges with the same leg mode and service: ``road`` (driving, including
    connectors), ``processing``, ``wait``, ``hsr``/``rail``/``air``/``bus`` (in-vehicle, with
    dwells), ``transfer``, ``egress``. Each leg: ``mode``, ``from``, ``to`` (names), ``minutes``,
    ``km``, for road legs ``road`` (what it runs on: ``access``, a ref and name with its class, or
    ``other road``; a road leg ends where that changes) and for rides ``service_id``/``line``;
    ``cards`` where a scenario card added or changed one of its edges.
    """
    legs: list[dict[str, Any]] = []
    for a, b in zip(path, path[1:]):
        e_row = graph.edge_between(graph.index[a], graph.index[b])
        key = graph.edges.keys[e_row]
        data = source.edge_data(key)
        # minutes and km from the arrays searched (a re-timed network shares its graph with the base)
        minutes, km = float(graph.edges.time_min[e_row]), float(graph.edges.length_km[e_row])
        kind = data["kind"]
        if kind in ("ride", "dwell"):
            leg_mode = data["mode"]
        elif kind in ("processing", "wait", "transfer", "egress"):
            leg_mode = kind
        else:
            leg_mode = _LEG_MODE.get(data["mode"], data["mode"])
        service = data.get("service_id") if kind in ("ride", "dwell") else None
        road = _road_label(data) if leg_mode == "road" else None
        if (
            legs
            and legs[-1]["mode"] == leg_mode
            and legs[-1].get("service_id") == service
            and legs[-1].get("road") == road
        ):
            leg = legs[-1]
            leg["to_node"] = b
            leg["minutes"] += minutes
            leg["km"] += km
            leg["parts"].append(data)
        else:
            leg = {"mode": leg_mode, "from_node": a, "to_node": b, "minutes": minutes, "km": km, "parts": [data]}
            if road:
                leg["road"] = road
            if service:
                leg["service_id"] = service
                leg["line"] = data.get("name_zh")
            if kind == "wait":
                leg["headway_min"] = data.get("headway_min")
            legs.append(leg)
    for field, total in (("minutes", total_min), ("km", None)):
        for leg, shown in zip(legs, rounded_to_total([leg[field] for leg in legs], total=total)):
            leg[field] = shown
    if assumptions is None:  # the constants of the network searched (a re-timed one differs from its graph's)
        assumptions = source.meta.get("assumptions")
    for leg in legs:
        leg["from"] = node_label(source.nodes, leg.pop("from_node"))
        leg["to"] = node_label(source.nodes, leg.pop("to_node"))
        parts = leg.pop("parts")
        cards = list(dict.fromkeys(c for p in parts for c in edge_cards(p)))
        if cards:  # the scenario cards that added or changed an edge of the leg
            leg["cards"] = cards
        if assumptions is not None and all("rule" in p for p in parts):
            leg["rule"] = parts[0]["rule"] if len({p["rule"] for p in parts}) == 1 else "mixed"
            made = list(dict.fromkeys(describe(p, assumptions) for p in parts))
            made = made[:4] + ([f"… and {len(made) - 4} more"] if len(made) > 4 else [])
            urban = sum(
                float(p.get("urban_km") or 0.0)
                for p in parts
                if p["rule"] == "road_layer" and (p.get("speed_class") or p.get("road_class")) != "expressway"
            )
            if urban > 0.05:
                made.append(f"{urban:.1f} km of it built-up, at built_up_speed_kph {assumptions.built_up_speed_kph:g}")
                start, k = _built_up_run(parts, assumptions)
                end, _ = _built_up_run(parts[k + 1 :][::-1], assumptions)
                leg["built_up_start_min"], leg["built_up_end_min"] = round(start, 2), round(end, 2)
            tunnel = sum(float(p.get("tunnel_km") or 0.0) for p in parts if p["rule"] == "road_layer")
            if tunnel > 0.05:
                limit = assumptions.shanxi_tunnel_speed_kph
                made.append(f"{tunnel:.1f} km of it in tunnels, at shanxi_tunnel_speed_kph {limit:g}")
            leg["made_of"] = made
    return legs


def _built_up_run(parts: list[dict[str, Any]], a: Any) -> tuple[float, int]:
    """Minutes on the built-up stretches of the run of edges at the head of ``parts`` that lie in
    a built-up area: every edge wholly built-up, and the first that is not (its built-up part),
    as :func:`~network.graph.timing.road_layer_min` times them; and the index of that last edge
    (-1 if the run is empty). Expressways keep their speed through towns: a run stops at one."""
    total = 0.0
    for k, p in enumerate(parts):
        urban = float(p.get("urban_km") or 0.0)
        if p.get("rule") != "road_layer" or (p.get("speed_class") or p.get("road_class")) == "expressway" or not urban:
            return total, k - 1
        total += urban / min(a.built_up_speed_kph, layer_speed_kph(p, a)) * 60.0
        if urban < float(p.get("length_km") or 0.0) - 1e-9:
            return total, k
    return total, len(parts) - 1


def rounded_to_total(values: list[float], decimals: int = 1, total: float | None = None) -> list[float]:
    """``values`` rounded to ``decimals`` so that they add up to ``total`` (default: their sum)
    rounded the same way (largest remainder: the parts that lost most are rounded up; ties go to
    the earlier part), so a trip's printed legs sum to its printed total.

    >>> rounded_to_total([10.04, 10.04, 10.04])
    [10.1, 10.0, 10.0]
    >>> rounded_to_total([1.25, 2.25])
    [1.3, 2.2]
    >>> rounded_to_total([0.04, 0.04], total=0.1)
    [0.1, 0.0]
    """
    if not values:
        return []
    scale = 10**decimals
    scaled = np.asarray(values, dtype=float) * scale
    if not np.isfinite(scaled).all():
        return [round(v, decimals) for v in values]
    floors = np.floor(scaled)
    whole = float(scaled.sum()) if total is None else float(total) * scale
    units = min(int(round(whole)) - int(floors.sum()), len(floors))
    order = np.argsort(-(scaled - floors), kind="stable")  # largest remainder first, earlier first on ties
    floors[order[: max(0, units)]] += 1
    return [round(float(x) / scale, decimals) for x in floors]


def _road_label(edge: dict[str, Any]) -> str:
    """What a road leg runs on: 'access' for connectors, else the road's ref and name, or its class."""
    if edge.get("kind") == "connector":
        return "access"
    cls = edge.get("road_class") or "road"
    if edge.get("ref") or edge.get("name_zh"):
        return f"{edge.get('ref') or ''} {edge.get('name_zh') or ''} ({cls})".strip()
    return f"{cls} road"


def node_label(nodes: Mapping[str, dict[str, Any]], node: str) -> str:
    """A readable name for a node: bilingual name for named nodes, coordinates for road nodes."""
    data = nodes[node]
    if data.get("name_zh"):
        return f"{data['name_zh']} ({data['name_en']})"
    return f"road node {data['lon']:.3f},{data['lat']:.3f}"


def repaired_search(
    tree: Tree, base: CompiledGraph, child: CompiledGraph, u: np.ndarray, v: np.ndarray, target: str
) -> ManyToOne:
    """:func:`many_to_one` to ``target`` on ``child`` (a scenario's arrays) from ``tree``, the
    search on ``base`` (its parent's), repaired where the edges ``u -> v`` the scenario changed
    can move it (:func:`network.repair.repair_tree`; equal to a fresh search). Each changed pair
    is read from both arrays: re-timed, closed (no entry: ``inf``) or added (no entry before)."""
    pairs = np.unique(np.column_stack([u, v]), axis=0)
    u, v = pairs[:, 0], pairs[:, 1]
    new = np.asarray(child.matrix[u, v]).ravel()
    inside = (u < base.matrix.shape[0]) & (v < base.matrix.shape[0])
    old = np.full(len(u), np.inf)
    old[inside] = np.asarray(base.matrix[u[inside], v[inside]]).ravel()
    new, old = np.where(new == 0, np.inf, new), np.where(old == 0, np.inf, old)  # 0: no such entry
    moved = new != old
    # the search runs on the transposed arrays: an edge u -> v is v -> u there
    rebound = tree.rebound(child.transposed, child.matrix)
    dist, pred = repair_tree(rebound, v[moved], u[moved], old[moved], new[moved])
    return ManyToOne(child, [target], dist[None, :], pred.astype(np.int32)[None, :])
