"""The network as arrays: every edge of the graph as one row (:class:`EdgeTable`), nodes numbered in
Morton (Z-curve) order so that nearby nodes sit near each other in memory.

Built once per graph (:func:`build_edge_table`); a scenario extends the base table instead of
rebuilding it (:func:`extend_edge_table`). Routing compiles it per mode (:mod:`network.routing.compile`).
"""

from __future__ import annotations

import dataclasses
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
from numpy.typing import NDArray

from network.geo import morton_order

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class EdgeTable:
    """All edges of a graph as arrays (one row per graph edge), built once per graph."""

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    time_min: NDArray[np.float64]
    length_km: NDArray[np.float64]
    mode: NDArray[np.str_]
    kind: NDArray[np.str_]
    keys: list[tuple[str, str, Any]]
    node_ids: list[str]
    index: Mapping[str, int]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    @cached_property
    def row_of(self) -> Mapping[tuple[str, str, Any], int]:
        """Edge key → row, built on first use and kept (every scenario on this table asks); keys
        kept as arrays (:mod:`network.graph.road_arrays`) give their own mapping, not a dict."""
        rows = getattr(self.keys, "rows", None)
        return rows() if rows is not None else {key: i for i, key in enumerate(self.keys)}

    @cached_property
    def mode_codes(self) -> tuple[list[str], NDArray[np.int16]]:
        """(the distinct modes, sorted; each row's index into them): small integers, so asking
        which modes a set of rows holds costs a bincount, not a sort of strings."""
        names, codes = np.unique(self.mode, return_inverse=True)
        return [str(m) for m in names], codes.astype(np.int16)

    def modes_of(self, rows: NDArray[np.integer[Any]]) -> set[str]:
        """The modes the edge-table ``rows`` hold."""
        names, codes = self.mode_codes
        return {names[k] for k in np.flatnonzero(np.bincount(codes[rows], minlength=len(names)))}

    def with_times(self, time_min: NDArray[np.float64]) -> EdgeTable:
        """The same edges with other times (a draw): what depends on the structure only
        (:attr:`row_of`, :attr:`mode_codes`) is carried over, not rebuilt."""
        out = dataclasses.replace(self, time_min=time_min)
        for name in ("row_of", "mode_codes"):
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name]
        return out


class EdgeChanges(Protocol):
    """What a change of the graph did, by node and edge key (an ApplyReport has these)."""

    added_nodes: list[str]
    added_edges: list[tuple[str, str, Any]]
    changed_edges: list[tuple[str, str, Any]]
    removed_edges: list[tuple[str, str, Any]]


def build_edge_table(graph: nx.MultiDiGraph) -> EdgeTable:
    """Collect the graph's edges into arrays, with nodes numbered in Morton order."""
    nodes = list(graph.nodes)
    lon = np.array([graph.nodes[n]["lon"] for n in nodes], dtype=float)
    lat = np.array([graph.nodes[n]["lat"] for n in nodes], dtype=float)
    order = morton_order(lon, lat)
    node_ids = [nodes[k] for k in order]
    index = {n: i for i, n in enumerate(node_ids)}
    keys, u, v, t, length, mode, kind = [], [], [], [], [], [], []
    for a, b, key, data in graph.edges(keys=True, data=True):
        keys.append((a, b, key))
        u.append(index[a])
        v.append(index[b])
        t.append(data["time_min"])
        length.append(data["length_km"])
        mode.append(data["mode"])
        kind.append(data.get("kind", ""))
    return EdgeTable(
        u=np.array(u, dtype=np.int64),
        v=np.array(v, dtype=np.int64),
        time_min=np.array(t, dtype=float),
        length_km=np.array(length, dtype=float),
        mode=np.array(mode, dtype=str),
        kind=np.array(kind, dtype=str),
        keys=keys,
        node_ids=node_ids,
        index=index,
        lon=lon[order],
        lat=lat[order],
    )


def _text_column(base: NDArray[np.str_], changed: dict[int, str], added: list[str]) -> NDArray[np.str_]:
    """``base`` with the rows ``changed`` set and ``added`` appended, as NumPy text wide enough for
    all (no detour through Python objects: a province has millions of rows)."""
    width = max([base.dtype.itemsize // 4, 1, *(len(x) for x in [*changed.values(), *added])])
    out = np.empty(base.size + len(added), dtype=f"<U{width}")
    out[: base.size] = base
    out[base.size :] = added
    if changed:
        out[list(changed)] = list(changed.values())
    return out


def extend_edge_table(base: EdgeTable, graph: nx.MultiDiGraph, changes: EdgeChanges) -> EdgeTable:
    """The base edge table with the new nodes and edges of ``graph`` appended, removed edges
    masked (mode ``closed``, which no routing mode allows, and no kind) and changed edges re-timed: no
    rebuild of the arrays from the graph (a scenario changes a few edges of many)."""
    node_ids = base.node_ids + changes.added_nodes
    # the base's index under the new nodes' (a province's million entries are not copied)
    index: ChainMap[str, int] = ChainMap(
        {n: len(base.node_ids) + k for k, n in enumerate(changes.added_nodes)},
        cast("MutableMapping[str, int]", base.index),  # read only: ChainMap writes to its first map alone
    )
    lon = np.concatenate([base.lon, [graph.nodes[n]["lon"] for n in changes.added_nodes]])
    lat = np.concatenate([base.lat, [graph.nodes[n]["lat"] for n in changes.added_nodes]])
    row_of = base.row_of
    time_min = base.time_min.copy()
    set_mode: dict[int, str] = {}
    set_kind: dict[int, str] = {}
    for key in changes.changed_edges:
        if key in row_of and graph.has_edge(*key):
            time_min[row_of[key]] = graph.edges[key]["time_min"]
            set_mode[row_of[key]] = graph.edges[key]["mode"]
            set_kind[row_of[key]] = graph.edges[key].get("kind", "")
    for key in changes.removed_edges:
        if key in row_of:
            set_mode[row_of[key]] = "closed"
            set_kind[row_of[key]] = ""
    added = [e for e in changes.added_edges if graph.has_edge(*e)]
    data = [graph.edges[e] for e in added]
    mode = _text_column(base.mode, set_mode, [d["mode"] for d in data])
    kind = _text_column(base.kind, set_kind, [d.get("kind", "") for d in data])
    return EdgeTable(
        u=np.concatenate([base.u, np.array([index[e[0]] for e in added], dtype=np.int64)]),
        v=np.concatenate([base.v, np.array([index[e[1]] for e in added], dtype=np.int64)]),
        time_min=np.concatenate([time_min, np.array([d["time_min"] for d in data], dtype=float)]),
        length_km=np.concatenate([base.length_km, np.array([d["length_km"] for d in data], dtype=float)]),
        mode=mode,
        kind=kind,
        # keys kept as arrays (a province's road edges, network/graph/road_arrays.py) stay so
        keys=base.keys.extended(added) if hasattr(base.keys, "extended") else [*base.keys, *added],
        node_ids=node_ids,
        index=index,
        lon=lon,
        lat=lat,
    )
