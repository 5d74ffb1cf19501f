"""The network as a value: what a build (or a scenario, or a draw of the constants) produces.

A :class:`Network` holds the graph, the inputs it was built from, the constants, the edge arrays
and, if one was applied, the scenario with its report. It is frozen: applying a scenario
(:func:`network.scenario.apply.apply_scenario`) or re-timing the edges for a draw
(:meth:`Network.retimed`) gives a new value; nothing writes into one. Queries (routes, scores)
live one layer up, in :class:`network.model.Model`, which caches compiled arrays per network.

The arrays are the store: a network read back from the cache (:mod:`network.graph.network_cache`)
holds its edge arrays, its nodes' attributes and the graph's own attributes, and builds the
``networkx`` graph only when something asks for :attr:`Network.graph` (a scenario, a map, a
report of the edges). Routes, scores and claims run on the arrays and never build it; so do its
inputs (:attr:`Network.data`, :attr:`Network.roads`), read again from the data folder on first use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from network.assumptions import Assumptions, forced_warnings
from network.errors import YearError
from network.graph.edges import EdgeTable

if TYPE_CHECKING:
    import networkx as nx

    from network.sources.default import DefaultData
    from network.sources.geometry import LineGraph


#: The earliest date the embedded network describes. Road geometry is a recent OpenStreetMap
#: snapshot and cannot be dated; before 2000 most of the region's expressways did not exist, so
#: earlier networks would mislead.
EARLIEST_DATE = dt.date(2000, 1, 1)


def check_as_of(as_of: dt.date) -> None:
    """Raise :class:`YearError` for a date before :data:`EARLIEST_DATE`."""
    if as_of < EARLIEST_DATE:
        raise YearError(
            f"{as_of.isoformat()} is before the earliest year the embedded network "
            f"describes ({EARLIEST_DATE.year}); use --year {EARLIEST_DATE.year} or later"
        )


class Scenario(Protocol):
    """What the graph layer knows of a scenario (the scenario layer's ``Scenario`` has it)."""

    @property
    def name(self) -> str:
        """The scenario's name."""
        ...


@dataclass
class ApplyReport:
    """What applying a scenario did (the scenario layer fills it; the graph layer holds it, so
    ``graph`` never imports ``scenario``)."""

    scenario: str
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    changed_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    removed_edges: list[tuple[str, str, Any]] = field(default_factory=list)
    added_nodes: list[str] = field(default_factory=list)
    #: the card whose change removed each removed edge (a kept edge names its cards in ``card``)
    removed_by: dict[tuple[str, str, Any], str] = field(default_factory=dict)
    #: what each new line or road is, for its cost: ``card``, ``id``, ``kind`` (``hsr``, ``rail``
    #: or the road class), ``design_speed_kph``, ``km`` (route length as modelled) and ``points``
    #: (its polyline, lon/lat)
    built: list[dict[str, Any]] = field(default_factory=list)


#: A graph's edges in its own order, each (from, to, key, attributes).
EdgeList = Iterable[tuple[str, str, Any, dict[str, Any]]]


@dataclass(frozen=True, eq=False)
class GraphParts:
    """A graph kept as its parts (:mod:`network.graph.network_cache` reads them): the nodes with
    their attributes and the graph's own attributes at once, the edges' attributes on first use
    (most commands never need them)."""

    nodes: Mapping[str, dict[str, Any]]
    meta: dict[str, Any]
    edges: Callable[[], EdgeList]
    #: one edge's attributes by its key without building the graph, where the parts can give it
    edge: Callable[[tuple[str, str, Any]], dict[str, Any]] | None = None
    #: the graph of everything but the road edges kept as arrays (:mod:`network.graph.road_arrays`)
    own: nx.MultiDiGraph | None = None

    def materialise(self) -> nx.MultiDiGraph:
        """The ``networkx`` graph: nodes and edges in their stored order, the same keys."""
        import networkx as nx

        g = nx.MultiDiGraph()
        g.graph = self.meta  # one dict: what is written to either is seen by both
        g.add_nodes_from(self.nodes.items())
        g.add_edges_from(self.edges())
        return g


@dataclass(frozen=True, eq=False)
class Network:
    """A built network for one date (see the module docstring).

    Built from a graph (``Network(graph, data, roads, assumptions, edge_table)``) or from its
    parts (:meth:`from_parts`).

    Attributes
    ----------
    graph
        The multimodal graph (:mod:`network.graph.schema`), built on first use from the parts of a
        cached network; :attr:`meta` is its own attributes, ``meta["as_of"]`` its date.
    data, roads
        The default data and road geometry it was built from (a scenario builds on them).
    assumptions
        The constants it was built with.
    edge_table
        Every edge as arrays (:class:`~network.graph.edges.EdgeTable`).
    scenario, apply_report
        The scenario applied to the base network and what applying it did (None for a base).
    """

    _graph: nx.MultiDiGraph | None
    _data: DefaultData | None
    _roads: LineGraph | None
    assumptions: Assumptions
    edge_table: EdgeTable
    scenario: Scenario | None = None
    apply_report: ApplyReport | None = None
    parts: GraphParts | None = None
    inputs: Callable[[], tuple[DefaultData, LineGraph]] | None = None

    @classmethod
    def from_parts(
        cls,
        parts: GraphParts,
        assumptions: Assumptions,
        edge_table: EdgeTable,
        inputs: Callable[[], tuple[DefaultData, LineGraph]],
    ) -> Network:
        """A base network from its stored parts; the graph and the inputs are built on first use."""
        return cls(None, None, None, assumptions, edge_table, parts=parts, inputs=inputs)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The graph (built from :attr:`parts` on first use, then kept)."""
        if self._graph is None:
            assert self.parts is not None, "a network has a graph or its parts"
            object.__setattr__(self, "_graph", self.parts.materialise())
        assert self._graph is not None
        return self._graph

    @property
    def own_graph(self) -> nx.MultiDiGraph | None:
        """The graph of everything but the road edges, where those are arrays
        (:mod:`network.graph.road_arrays`): a scenario that only adds roads is applied to it."""
        return self.parts.own if self.parts is not None else None

    @property
    def has_graph(self) -> bool:
        """Whether the graph has been built (a cached network builds it only when asked)."""
        return self._graph is not None

    def _inputs(self) -> tuple[DefaultData, LineGraph]:
        if self._data is None or self._roads is None:
            assert self.inputs is not None, "a network has its inputs or a way to read them"
            data, roads = self.inputs()
            object.__setattr__(self, "_data", data)
            object.__setattr__(self, "_roads", roads)
        assert self._data is not None and self._roads is not None
        return self._data, self._roads

    @property
    def data(self) -> DefaultData:
        """The curated data the network was built from."""
        return self._inputs()[0]

    @property
    def roads(self) -> LineGraph:
        """The road geometry the network was built from."""
        return self._inputs()[1]

    @property
    def nodes(self) -> Mapping[str, dict[str, Any]]:
        """Node id → its attributes (``kind``, ``lon``, ``lat`` and what its kind has), without
        building the graph."""
        if self._graph is not None:
            nodes: Mapping[str, dict[str, Any]] = self._graph.nodes
            return nodes
        assert self.parts is not None
        return self.parts.nodes

    def named_nodes(self) -> list[tuple[str, dict[str, Any]]]:
        """(id, attributes) of every node but the road nodes: places, stations, stops, airports
        (what names, scores and station searches look for; a province has a million road nodes)."""
        nodes = self.nodes
        own = getattr(nodes, "own_nodes", None)  # road nodes kept as arrays: the graph's own hold the rest
        pairs = own().items() if own is not None else nodes.items()
        return [(n, d) for n, d in pairs if d["kind"] != "road"]

    def edge_data(self, key: tuple[str, str, Any]) -> dict[str, Any]:
        """The attributes of the edge ``key`` (a route's legs read them), without building the
        graph where its parts can give one edge."""
        if self._graph is None and self.parts is not None and self.parts.edge is not None:
            return self.parts.edge(key)
        data: dict[str, Any] = self.graph.edges[key]
        return data

    @property
    def meta(self) -> dict[str, Any]:
        """The graph's own attributes (``as_of``, ``bbox``, a built network's ``network`` and
        ``build_report``, ...), without building the graph."""
        if self._graph is not None:
            meta: dict[str, Any] = self._graph.graph
            return meta
        assert self.parts is not None
        return self.parts.meta

    def _rows_at(self, node: str, side: np.ndarray) -> Iterator[int]:
        et = self.edge_table
        k = et.index.get(node)
        if k is None:
            return iter(())
        return (int(r) for r in np.flatnonzero(side == k) if et.mode[r] != "closed")

    def successors(self, node: str) -> list[str]:
        """The nodes an edge leads to from ``node`` (empty for an unknown node)."""
        if self._graph is not None:
            return list(self._graph.successors(node)) if node in self._graph else []
        et = self.edge_table
        return list(dict.fromkeys(et.node_ids[et.v[r]] for r in self._rows_at(node, et.u)))

    def predecessors(self, node: str) -> list[str]:
        """The nodes with an edge to ``node`` (empty for an unknown node)."""
        if self._graph is not None:
            return list(self._graph.predecessors(node)) if node in self._graph else []
        et = self.edge_table
        return list(dict.fromkeys(et.node_ids[et.u[r]] for r in self._rows_at(node, et.v)))

    def same_nodes(self, other: Network) -> bool:
        """Whether ``other`` is this network's structure re-timed (a draw): one node set, one
        edge structure."""
        return self.edge_table.u is other.edge_table.u and self._graph is other._graph and self.parts is other.parts

    @property
    def as_of(self) -> dt.date:
        """The network date (the model gives it as ISO text, :attr:`network.model.Model.as_of`)."""
        return dt.date.fromisoformat(str(self.meta["as_of"]))

    @property
    def warnings(self) -> list[str]:
        """What every output of this network must carry: doubts about its source and constants
        forced outside their range at build time, constants forced now (``--force``), and the
        changes of its scenario not open on its date (not applied)."""
        built = self.meta.get("build_report", {}).get("warnings", [])
        out = [f"network file: {w}" for w in built] + forced_warnings(self.assumptions)
        skipped = self.apply_report.skipped if self.apply_report is not None else []
        if skipped and self.scenario is not None:
            out.append(
                f"{len(skipped)} change(s) of scenario {self.scenario.name} not open on {self.as_of}, "
                f"not applied: {'; '.join(skipped)}"
            )
        return out

    def retimed(self, assumptions: Assumptions, time_min: np.ndarray) -> Network:
        """The same network with other constants and edge times (a draw); the graph is shared,
        its edge attributes are not the draw's (queries use the arrays)."""
        return dataclasses.replace(self, assumptions=assumptions, edge_table=self.edge_table.with_times(time_min))
