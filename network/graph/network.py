"""The network as a value: what a build (or a scenario, or a draw of the constants) produces.

A :class:`Network` holds the graph, the inputs it was built from, the constants, the edge arrays
and, if one was applied, the scenario with its report. It is frozen: applying a scenario
(:func:`network.scenario.apply.apply_scenario`) or re-timing the edges for a draw
(:meth:`Network.retimed`) gives a new value; nothing writes into one. Queries (routes, scores)
live one layer up, in :class:`network.model.Model`, which caches compiled arrays per network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import networkx as nx
import numpy as np

from network.assumptions import Assumptions, forced_warnings
from network.graph.edges import EdgeTable
from network.sources.default import DefaultData
from network.sources.geometry import LineGraph


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


@dataclass(frozen=True, eq=False)
class Network:
    """A built network for one date (see the module docstring).

    Attributes
    ----------
    graph
        The multimodal graph (:mod:`network.graph.schema`); ``graph.graph["as_of"]`` is its date.
    data, roads
        The default data and road geometry it was built from (a scenario builds on them).
    assumptions
        The constants it was built with.
    edge_table
        Every edge as arrays (:class:`~network.graph.edges.EdgeTable`).
    scenario, apply_report
        The scenario applied to the base network and what applying it did (None for a base).
    """

    graph: nx.MultiDiGraph
    data: DefaultData
    roads: LineGraph
    assumptions: Assumptions
    edge_table: EdgeTable
    scenario: Scenario | None = None
    apply_report: ApplyReport | None = None

    @property
    def as_of(self) -> dt.date:
        """The network date (the model gives it as ISO text, :attr:`network.model.Model.as_of`)."""
        return dt.date.fromisoformat(str(self.graph.graph["as_of"]))

    @property
    def warnings(self) -> list[str]:
        """What every output of this network must carry: doubts about its source and constants
        forced outside their range at build time, constants forced now (``--force``), and the
        changes of its scenario not open on its date (not applied)."""
        built = self.graph.graph.get("build_report", {}).get("warnings", [])
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
