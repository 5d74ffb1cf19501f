"""Every search of a trip on one network, in one place: door to door per mode, trips forced
through a train (rail, transit) with road access at both ends, platform to platform between two
stations, and the station pair rule of ``best``. Compiled arrays are cached per network.

In: a :class:`~network.graph.network.Network` and endpoints (:class:`~network.graph.lookup.Endpoint`,
resolved by the caller). Out: minutes (``inf`` when there is no trip) and node paths for
:func:`~network.routing.paths.path_legs`. All searches go through :mod:`network.search`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np

from network.errors import UnreachableError
from network.geo import haversine_km
from network.graph.edges import EdgeTable
from network.graph.lookup import Endpoint
from network.graph.network import Network
from network.graph.schema import MODE_SETS, PLATFORM_MODE_SETS
from network.repair import HAVE_NUMBA, Tree
from network.routing.compile import CompiledGraph, compile_edges
from network.routing.paths import ManyToOne, many_to_one, repaired_search
from network.search import entries_of, search, tree_sums, walk_back

#: Networks with at least this many directed entries in a mode repair their parent's searches for a
#: scenario (:meth:`TripSearch.to_target`) instead of searching again. Below it a fresh search takes
#: about a millisecond, less than loading the compiled repair kernel once (about 0.3 s a process).
REPAIR_MIN_ENTRIES = 200_000

#: In-vehicle modes a trip's main mode can be (ties: the first listed), and the edge kinds counted.
_MAIN_MODES = ("hsr", "rail", "metro", "bus", "air")
_RIDE_KINDS = ("ride", "dwell")


def _widen(rows: np.ndarray, n: int, fill: float) -> np.ndarray:
    """Search rows over a base network's nodes, widened to a scenario's ``n`` (its added nodes
    come last and are not reached: a mode no change touched has no edge to them)."""
    if rows.shape[-1] == n:
        return rows
    pad = [(0, 0)] * (rows.ndim - 1) + [(0, n - rows.shape[-1])]
    return np.pad(rows, pad, constant_values=fill)


#: Served stations per edge structure: id of the edge table's ``u`` array → (a weak reference to
#: it, the stations, their rows); an entry whose array is gone is dropped on the next insert.
_STATIONS: dict[int, tuple[weakref.ref[np.ndarray], list[str], np.ndarray]] = {}


def _station_rows(network: Network) -> tuple[list[str], np.ndarray]:
    """The served stations of a network (street nodes with a concourse) and the edge-table rows of
    their processing edges: read once per edge structure and kept for every network on it (the
    draws of one network share its edge table's structure)."""
    et = network.edge_table
    hit = _STATIONS.get(id(et.u))
    if hit is None or hit[0]() is not et.u:
        nodes = network.nodes
        stations = [
            n for n, d in network.named_nodes() if d["kind"] == "station" and f"inside:{n.split(':', 1)[1]}" in nodes
        ]
        rows = np.flatnonzero(et.mode == "station")
        row_of = {(int(et.u[r]), int(et.v[r])): int(r) for r in rows}
        picked = np.array(
            [row_of[(et.index[s], et.index[f"inside:{s.split(':', 1)[1]}"])] for s in stations], dtype=np.int64
        )
        for k in [k for k, h in _STATIONS.items() if h[0]() is None]:
            del _STATIONS[k]
        hit = _STATIONS[id(et.u)] = (weakref.ref(et.u), stations, picked)
    return hit[1], hit[2]


class TripSearch:
    """The trip searches of one network (module docstring); ``compiled`` arrays on first use.

    With a ``parent`` (the searches of the base network a scenario was applied to), the
    compiled arrays and searches of every mode filter that no change of the scenario touches
    (no edge it allows was added, re-timed or removed) are the parent's, computed there once
    for all scenarios of that base and widened to the scenario's added nodes: a rail project
    re-runs no road search, a road project no platform search."""

    def __init__(self, network: Network, parent: TripSearch | None = None) -> None:
        self.network = network
        self._compiled: dict[str, CompiledGraph] = {}
        self._cache: dict[str, Any] = {}
        self._parent = parent if parent is not None and self._extends(parent.network.edge_table) else None
        self._touched: set[str] | None = None
        self._from_sets: list[list[str]] = []  # origin lists road_from has searched from

    def _extends(self, base: EdgeTable) -> bool:
        """Whether this network's edge table is ``base`` with rows and nodes appended (a scenario's)."""
        new = self.network.edge_table
        nb, ne = len(base.node_ids), len(base.u)
        return (
            len(new.node_ids) >= nb
            and len(new.u) >= ne
            and new.node_ids[:nb] == base.node_ids
            and bool(np.array_equal(new.u[:ne], base.u))
            and bool(np.array_equal(new.v[:ne], base.v))
        )

    def _changed_rows(self) -> np.ndarray:
        """Edge-table rows whose time or mode differ from the parent's, and the rows appended
        (computed once)."""
        assert self._parent is not None
        if "changed_rows" not in self._cache:
            base, new = self._parent.network.edge_table, self.network.edge_table
            ne = len(base.u)
            changed = new.time_min[:ne] != base.time_min
            if new.mode is not base.mode:  # a draw shares its base's modes; a scenario may re-mode edges
                changed |= new.mode[:ne] != base.mode
            self._cache["changed_rows"] = np.concatenate([np.flatnonzero(changed), np.arange(ne, len(new.u))])
        rows: np.ndarray = self._cache["changed_rows"]
        return rows

    def _inherited(self, mode: str) -> TripSearch | None:
        """The parent whose arrays and searches stand for this network's in ``mode``, or None."""
        if self._parent is None:
            return None
        if self._touched is None:
            base, new = self._parent.network.edge_table, self.network.edge_table
            rows = self._changed_rows()
            self._touched = base.modes_of(rows[rows < len(base.u)]) | new.modes_of(rows)
        allowed = {**MODE_SETS, **PLATFORM_MODE_SETS}[mode]
        return None if allowed & self._touched else self._parent

    def _n_base(self) -> int:
        return len(self._parent.network.edge_table.node_ids) if self._parent is not None else 0

    def _wide(self, rows: np.ndarray, fill: float) -> np.ndarray:
        return _widen(rows, len(self.network.edge_table.node_ids), fill)

    def _shared(
        self,
        key: str,
        mode: str,
        reusable: Callable[[], bool],
        from_parent: Callable[[TripSearch], Any],
        compute: Callable[[], Any],
    ) -> Any:
        """``self._cache[key]``, computed once: taken from the parent (``from_parent``, widened to
        this network's nodes) where no change touched ``mode`` and ``reusable()`` holds, else
        ``compute()``."""
        if key not in self._cache:
            parent = self._inherited(mode)
            self._cache[key] = from_parent(parent) if parent is not None and reusable() else compute()
        return self._cache[key]

    def to_target(self, mode: str, target: str) -> ManyToOne:
        """Every node's minutes to ``target`` in ``mode`` (one backward search), cached: a claim,
        a score and the forced-train trips ask for the same searches many times."""

        def from_parent(parent: TripSearch) -> ManyToOne:
            base = parent.to_target(mode, target)
            return ManyToOne(
                self.compiled(mode), base.targets, self._wide(base.time_min, np.inf), self._wide(base.next_hop, -9999)
            )

        out: ManyToOne = self._shared(
            f"to:{mode}:{target}",
            mode,
            lambda: self.network.edge_table.index[target] < self._n_base(),
            from_parent,
            lambda: self._repaired(mode, target) or many_to_one(self.compiled(mode), [target]),
        )
        return out

    def _repaired(self, mode: str, target: str) -> ManyToOne | None:
        """:meth:`to_target` for a scenario of a large network from its parent's search: the
        known tree repaired where the scenario's changed edges can move it
        (:func:`network.repair.repair_tree`; equal to a fresh search), or None where that does not
        pay (no parent, a small network, no numba, a target the parent lacks)."""
        parent = self._parent
        if parent is None or not HAVE_NUMBA or self.network.edge_table.index[target] >= self._n_base():
            return None
        child, base = self.compiled(mode), parent.compiled(mode)
        if child.matrix.nnz < REPAIR_MIN_ENTRIES:
            return None
        key = f"tree:{mode}:{target}"
        if key not in parent._cache:  # the tree's children, once for every scenario of the parent
            known = parent.to_target(mode, target)
            parent._cache[key] = Tree(base.transposed, base.matrix, known.time_min[0], known.next_hop[0])
        et, rows = self.network.edge_table, self._changed_rows()
        return repaired_search(parent._cache[key], base, child, et.u[rows], et.v[rows], target)

    def compiled(self, mode: str) -> CompiledGraph:
        """CSR arrays for a mode filter, compiled on first use."""
        if mode not in self._compiled and self._parent is not None:
            base, edges = self._parent.compiled(mode), self.network.edge_table
            if self._inherited(mode) is not None:
                self._compiled[mode] = base.widened(edges)
            else:  # re-weight the base's arrays where they changed (a full compile if edges were added)
                self._compiled[mode] = base.retimed(edges, self._changed_rows())
        if mode not in self._compiled:
            self._compiled[mode] = compile_edges(self.network.edge_table, mode)
        return self._compiled[mode]

    def path(self, o: Endpoint, d: Endpoint, mode: str) -> tuple[list[str], str, CompiledGraph]:
        """The node path of the fastest trip from ``o`` to ``d`` in ``mode``, what it measures
        (door-to-door, platform-to-platform, station-to-station by road) and the arrays it ran on.

        Raises
        ------
        UnreachableError
            If there is no such trip.
        """
        if o.kind == "station" and d.kind == "station" and mode != "road":
            return self.station_pair_path(o, d, mode)
        compiled = self.compiled(mode)
        if mode in ("rail", "transit"):
            return self.rail_path(o.origin_node, d.destination_node, mode), "door-to-door", compiled
        m2o = self.to_target(mode, d.destination_node)
        if not np.isfinite(m2o.time_from(o.origin_node, d.destination_node)):
            raise UnreachableError(f"no {mode} trip from {o.label} to {d.label}")
        return m2o.path(o.origin_node, d.destination_node), "door-to-door", compiled

    def path_km_to(self, origins: list[str], target: str, mode: str) -> np.ndarray:
        """Kilometres along the fastest path from each origin node to ``target`` in ``mode``
        (``inf`` where there is none): for road and best by one pass down the search tree, for
        rail and transit along each trip forced through a train."""
        if mode in ("rail", "transit"):
            out = []
            for o in origins:
                try:
                    path = self.rail_path(o, target, mode)
                except UnreachableError:
                    out.append(np.inf)
                    continue
                out.append(self._path_km(self.compiled(mode), path))
            return np.array(out, dtype=float)
        compiled = self.compiled(mode)
        m2o = self.to_target(mode, target)
        time, hop = m2o.time_min[0], m2o.next_hop[0]
        nodes = np.arange(len(hop))
        step = np.where(hop >= 0, entries_of(compiled.matrix, nodes, np.maximum(hop, 0)), -1)
        length = np.where(step >= 0, compiled.edges.length_km[compiled.edge_of_entry[np.maximum(step, 0)]], 0.0)
        km = np.where(np.isfinite(time), tree_sums(hop, length), np.inf)
        return np.array([km[compiled.index[o]] for o in origins], dtype=float)

    @staticmethod
    def _path_km(compiled: CompiledGraph, path: list[str]) -> float:
        rows = [compiled.index[n] for n in path]
        length = compiled.edges.length_km
        return float(sum(length[compiled.edge_between(a, b)] for a, b in zip(rows, rows[1:])))

    def minutes(self, o: Endpoint, d: Endpoint, mode: str = "best") -> float:
        """Minutes of :meth:`path` without the path: from the arrays only (right for a re-timed
        network too). ``inf`` when there is no trip."""
        if o.kind == "station" and d.kind == "station" and mode != "road":
            return self.station_pair_minutes(o, d, mode)
        if mode in ("rail", "transit"):
            return float(self.rail_times([o.origin_node], d.destination_node, mode)[0][0])
        m2o = self.to_target(mode, d.destination_node)
        return float(m2o.time_from(o.origin_node, d.destination_node))

    @cached_property
    def served_stations(self) -> tuple[list[str], np.ndarray]:
        """Station street nodes with a concourse (served by a train), and their processing minutes."""
        stations, rows = _station_rows(self.network)
        # times from the edge table, so re-timed copies (uncertainty draws) agree
        return stations, self.network.edge_table.time_min[rows]

    def road_from(self, origins: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Road minutes and predecessors from each origin to every node (one Dijkstra call),
        cached per list of origins."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            road = self.compiled("road")
            out: tuple[np.ndarray, np.ndarray] = search(
                road.matrix, [road.index[o] for o in origins], predecessors=True
            )
            return out

        key = "from:" + "\x1f".join(origins)
        if key not in self._cache:
            for other in self._from_sets:  # a search already run from these origins and more: its rows
                if set(origins) <= set(other):
                    d, p = self.road_from(other)
                    pick = [other.index(o) for o in origins]
                    self._cache[key] = (d[pick], p[pick])
                    break
        dist, pred = self._shared(
            key,
            "road",
            lambda: all(self.network.edge_table.index[o] < self._n_base() for o in origins),
            lambda parent: tuple(self._wide(a, f) for a, f in zip(parent.road_from(origins), (np.inf, -9999))),
            compute,
        )
        if origins not in self._from_sets:
            self._from_sets.append(list(origins))
        return dist, pred

    def ask_from(self, origins: list[str]) -> None:
        """Say which origins the caller will ask about, one list at a time: the road searches
        from them run once, as one call from all of them (when they are fewer than the served
        stations, as :meth:`rail_times` would choose), and later lists read its rows."""
        if 0 < len(origins) < len(self.served_stations[0]):
            self.road_from(list(dict.fromkeys(origins)))

    def platform_matrix(self, pt_mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Platform-graph minutes (and predecessors) from each served station's concourse to every
        node, on trains (and coaches for transit) only: one Dijkstra call, cached per network."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            net = self.compiled(f"{pt_mode}_platform")
            rows = [net.index[f"inside:{x.split(':', 1)[1]}"] for x in self.served_stations[0]]
            out: tuple[np.ndarray, np.ndarray] = search(net.matrix, rows, predecessors=True)
            return out

        dist, pred = self._shared(
            f"platform_{pt_mode}",
            f"{pt_mode}_platform",
            self._same_stations,
            lambda parent: tuple(self._wide(a, f) for a, f in zip(parent.platform_matrix(pt_mode), (np.inf, -9999))),
            compute,
        )
        return dist, pred

    def road_to_stations(self) -> np.ndarray:
        """Road minutes from every node to each served station (stations x nodes): one backward
        search from the stations (fewer than the places asking), cached per network and shared
        with the parent's when no change touched the road."""

        def compute() -> np.ndarray:
            road = self.compiled("road")
            rows = np.array([road.index[x] for x in self.served_stations[0]], dtype=np.int64)
            return np.atleast_2d(search(road.transposed, rows)) if len(rows) else np.zeros((0, 0))

        out: np.ndarray = self._shared(
            "to_stations",
            "road",
            self._same_stations,
            lambda parent: self._wide(parent.road_to_stations(), np.inf),
            compute,
        )
        return out

    def _same_stations(self) -> bool:
        """Whether this network's served stations are its parent's (in the same order)."""
        return self._parent is not None and self._parent.served_stations[0] == self.served_stations[0]

    def between_stations(self, pt_mode: str) -> tuple[np.ndarray, np.ndarray]:
        """(each served station's road row, minutes on trains (and coaches for transit) from each
        served station to each other one, s x s'): ``inf`` on the diagonal, since boarding and
        alighting at one station is no rail trip."""
        road, net = self.compiled("road"), self.compiled(f"{pt_mode}_platform")
        stations = self.served_stations[0]
        s_road = np.array([road.index[x] for x in stations], dtype=np.int64)
        s_net = np.array([net.index[x] if x in net.index else -1 for x in stations], dtype=np.int64)
        platform, _ = self.platform_matrix(pt_mode)
        on_trains = np.where(s_net[None, :] >= 0, platform[:, np.maximum(s_net, 0)], np.inf)
        np.fill_diagonal(on_trains, np.inf)
        return s_road, on_trains

    def rail_times(self, origins: list[str], target: str, mode: str = "rail") -> tuple[np.ndarray, np.ndarray, Any]:
        """Door-to-door minutes from each origin to ``target`` forced to ride a train (``mode``
        "rail") or a train or coach ("transit").

        A trip is road to a boarding station s, station processing, trains (and transfers inside
        stations) to an alighting station s', road to the target:
        min over s, s' of road(o, s) + processing(s) + platform(s, s') + road(s', target), where s
        lies within ``rail_access_max_km`` (straight line) of the origin and s' within it of the
        target. Returns (minutes, chosen (s, s') per origin, context for :meth:`rail_path`). The
        road legs to the stations come from one search per origin (:meth:`road_from`) or, when
        the stations are fewer, one per station (:meth:`road_to_stations`).
        """
        pt_mode = "transit" if mode == "transit" else "rail"
        road = self.compiled("road")
        stations, processing = self.served_stations
        n = len(origins)
        if not stations:  # no trains run in this network (e.g. built without a services file)
            return np.full(n, np.inf), np.zeros((n, 2), dtype=np.int64), ([], None, None)
        s_road, on_trains = self.between_stations(pt_mode)
        if len(origins) < len(stations):  # fewer searches from the origins than from the stations
            to_station = self.road_from(origins)[0][:, s_road]
        else:
            to_station = self.road_to_stations()[:, [road.index[o] for o in origins]].T  # origins x stations
        egress = self.to_target("road", target)
        reach = self.network.assumptions.rail_access_max_km
        et = self.network.edge_table
        s_pos = np.column_stack([et.lon[s_road], et.lat[s_road]])  # road arrays are numbered as the edge table
        t_row = et.index[target]
        far_t = haversine_km(s_pos[:, 0], s_pos[:, 1], et.lon[t_row], et.lat[t_row]) > reach
        leave = np.where(far_t, np.inf, egress.time_min[0, s_road])  # s'
        tail = on_trains + leave[None, :]
        alight = np.argmin(tail, axis=1)
        tail_min = tail[np.arange(len(stations)), alight]
        o_rows = np.array([et.index[o] for o in origins], dtype=np.int64)
        o_pos = np.column_stack([et.lon[o_rows], et.lat[o_rows]])
        far_o = haversine_km(o_pos[:, None, 0], o_pos[:, None, 1], s_pos[None, :, 0], s_pos[None, :, 1]) > reach
        total = np.where(far_o, np.inf, to_station + processing[None, :] + tail_min[None, :])
        board = np.argmin(total, axis=1)
        minutes = total[np.arange(n), board]
        return minutes, np.column_stack([board, alight[board]]), (stations, egress, pt_mode)

    def rail_times_from(self, origin: str, mode: str = "rail") -> np.ndarray:
        """Door-to-door minutes from ``origin`` to every node forced to ride a train (``mode``
        "rail") or a train or coach ("transit"): the mirror of :meth:`rail_times`, so an isochrone
        by rail means what a route by rail means. Road to a boarding station s within
        ``rail_access_max_km`` of the origin, processing, trains to another station s', road to
        the node, s' within the same reach of the node."""
        pt_mode = "transit" if mode == "transit" else "rail"
        stations, processing = self.served_stations
        n_nodes = self.compiled("road").matrix.shape[0]
        if not stations:
            return np.full(n_nodes, np.inf)
        s_road, on_trains = self.between_stations(pt_mode)
        et = self.network.edge_table
        reach = self.network.assumptions.rail_access_max_km
        s_lon, s_lat = et.lon[s_road], et.lat[s_road]
        o_row = et.index[origin]
        far_o = haversine_km(s_lon, s_lat, et.lon[o_row], et.lat[o_row]) > reach
        board = np.where(far_o, np.inf, self.road_from([origin])[0][0, s_road] + processing)  # s
        arrive = np.min(board[:, None] + on_trains, axis=0)  # at each s'
        egress = self.road_from(stations)[0]  # s' x nodes
        far_d = haversine_km(s_lon[:, None], s_lat[:, None], et.lon[None, :n_nodes], et.lat[None, :n_nodes]) > reach
        out: np.ndarray = np.min(np.where(far_d, np.inf, arrive[:, None] + egress), axis=0)
        return out

    def main_mode(self, m2o: Any, origin: str, target: str) -> str:
        """The mode of a trip: the in-vehicle mode with the most minutes, or road."""
        return self.main_modes(m2o, [origin])[0]

    def main_modes(self, m2o: ManyToOne, origins: list[str]) -> list[str]:
        """:meth:`main_mode` of the trip from each origin to the search's target, from the search
        tree at once: in-vehicle minutes per mode summed down the tree (:func:`tree_sums`)."""
        compiled, time, hop = m2o.graph, m2o.time_min[0], m2o.next_hop[0]
        nodes = np.arange(len(hop))
        step = np.where(hop >= 0, entries_of(compiled.matrix, nodes, np.maximum(hop, 0)), -1)
        rows = np.where(step >= 0, compiled.edge_of_entry[np.maximum(step, 0)], -1)
        minutes = np.where(step >= 0, compiled.matrix.data[np.maximum(step, 0)], 0.0)
        kind, mode = self._edge_kinds(), self.network.edge_table.mode
        ride = np.zeros((len(hop), len(_MAIN_MODES)))
        for k, m in enumerate(_MAIN_MODES):
            counts = (rows >= 0) & (mode[np.maximum(rows, 0)] == m) & np.isin(kind[np.maximum(rows, 0)], _RIDE_KINDS)
            ride[:, k] = np.where(counts, minutes, 0.0)
        ride = tree_sums(hop, ride)
        out = []
        for o in origins:
            i = compiled.index[o]
            if not np.isfinite(time[i]):
                out.append("unreachable")
            elif ride[i].max() > 0:
                out.append(_MAIN_MODES[int(np.argmax(ride[i]))])
            else:
                out.append("road")
        return out

    def _edge_kinds(self) -> np.ndarray:
        """The ``kind`` of every edge-table row (ride, dwell, wait, link, ...; empty for an edge a
        scenario removed)."""
        return self.network.edge_table.kind

    def rail_path(self, origin: str, target: str, mode: str = "rail") -> list[str]:
        """The node path of :meth:`rail_times`' trip from ``origin``: road, platform graph, road."""
        minutes, chosen, (stations, egress, pt_mode) = self.rail_times([origin], target, mode)
        if not np.isfinite(minutes[0]):
            names = [self.network.nodes[n].get("name_zh") or n for n in (origin, target)]
            raise UnreachableError(
                f"no trip by {mode} from {names[0]} to {names[1]} boarding and alighting within "
                f"{self.network.assumptions.rail_access_max_km:g} km of its ends (rail_access_max_km)"
            )
        road, net = self.compiled("road"), self.compiled(f"{pt_mode}_platform")
        board, alight = (stations[int(i)] for i in chosen[0])
        _, pred = self.road_from([origin])
        first = [road.node_ids[r] for r in walk_back(pred[0], road.index[board]) or []]
        _, platform_pred = self.platform_matrix(pt_mode)
        row = stations.index(board)
        middle = [net.node_ids[r] for r in walk_back(platform_pred[row], net.index[alight]) or []]
        # middle runs inside:board ... station:alight
        last: list[str] = egress.path(alight, target)[1:]
        return first + middle + last

    # -- station to station -------------------------------------------------------------------
    # rail/transit: platform to platform on trains (and coaches for transit) only, with no road leg;
    # best: the faster of that and the road trip between the two station fronts, so best is never
    # slower than any mode; the trip says which it measured.
    def platform_search(
        self, o: Endpoint, d: Endpoint, mode: str
    ) -> tuple[np.ndarray, np.ndarray, list[int], set[int]]:
        """One backward search on the platform graph from every arrival at ``d``: (minutes,
        next hops, departure rows at ``o``, arrival rows)."""
        net = self.compiled(f"{'transit' if mode == 'transit' else 'rail'}_platform")
        nodes = self.network.nodes
        deps = self.network.successors(f"inside:{o.key}")
        arrs = [n for n in self.network.predecessors(f"station:{d.key}") if nodes[n]["kind"] == "stop_arr"]
        deps = [x for x in deps if x in net.index]
        arrs = [x for x in arrs if x in net.index]
        if not deps or not arrs:
            where = o.label if not deps else d.label
            raise UnreachableError(f"no passenger service at {where} on {self.network.as_of}")
        dist, pred, _ = search(net.transposed, [net.index[a] for a in arrs], min_only=True, predecessors=True)
        return dist, pred, [net.index[x] for x in deps], {net.index[a] for a in arrs}

    def platform_minutes(self, o: Endpoint, d: Endpoint, mode: str = "rail") -> float:
        """Platform-to-platform minutes from station ``o`` to station ``d`` (``inf`` if none): the
        least over ``d``'s arrivals of one forward search from all of ``o``'s departures at once
        (min-only, cached per station: every destination of ``o`` reads the same search)."""
        net = self.compiled(f"{'transit' if mode == 'transit' else 'rail'}_platform")
        key = f"platform_from:{net.mode}:{o.key}"
        if key not in self._cache:
            inside = f"inside:{o.key}"
            deps = [net.index[n] for n in self.network.successors(inside)]
            self._cache[key] = search(net.matrix, deps, min_only=True) if deps else None
        dist = self._cache[key]
        station = f"station:{d.key}"
        nodes = self.network.nodes
        if dist is None or station not in nodes:
            return float("inf")
        arrs = [net.index[n] for n in self.network.predecessors(station) if nodes[n]["kind"] == "stop_arr"]
        return float(np.min(dist[arrs])) if arrs else float("inf")

    def platform_path(self, o: Endpoint, d: Endpoint, mode: str = "rail") -> list[str]:
        """The node path of :meth:`platform_minutes`' trip."""
        net = self.compiled(f"{'transit' if mode == 'transit' else 'rail'}_platform")
        dist, pred, dep_rows, goal = self.platform_search(o, d, mode)
        k = dep_rows[int(np.argmin(dist[dep_rows]))]
        if not np.isfinite(dist[k]):
            raise UnreachableError(f"no {mode} trip from {o.label} to {d.label} on {self.network.as_of}")
        path = (walk_back(pred, k) or [])[::-1]  # the search ran backwards from the arrivals: k ... goal
        return [net.node_ids[r] for r in path]

    def station_pair_minutes(self, o: Endpoint, d: Endpoint, mode: str) -> float:
        """Station to station: platform to platform, or for ``best`` the faster of that and the road."""
        pt = self.platform_minutes(o, d, "transit" if mode == "best" else mode)
        if mode != "best":
            return pt
        road = self.to_target("road", d.destination_node)
        return min(pt, float(road.time_from(o.origin_node, d.destination_node)))

    def station_pair_path(self, o: Endpoint, d: Endpoint, mode: str) -> tuple[list[str], str, CompiledGraph]:
        """The node path of :meth:`station_pair_minutes`' trip, what it measures and its arrays."""
        pt_mode = "transit" if mode == "best" else mode
        if mode == "best":
            road = self.to_target("road", d.destination_node)
            if road.time_from(o.origin_node, d.destination_node) < self.platform_minutes(o, d, pt_mode):
                return road.path(o.origin_node, d.destination_node), "station-to-station by road", self.compiled("road")
        return self.platform_path(o, d, pt_mode), "platform-to-platform", self.compiled(f"{pt_mode}_platform")
