"""Apply a scenario to a built network: a new graph and routing arrays, the base left untouched.

In: a :class:`~network.graph.network.Network` (the base network for a date) and a
:class:`~network.scenario.load.Scenario`. Out: a new ``Network`` whose graph is a copy of the base
with the changes made, plus an :class:`ApplyReport` (what was added, changed, removed, skipped,
and notes such as "freight only").

Names are resolved against the network's registries (every curated station, open or not; places;
airports; corridor refs and names; line ids and names), never against internal node numbers, so
a file applies to any network that has the same names. An unknown name is a
:class:`~network.errors.ScenarioError` naming file, line and field, with close matches.

Routing arrays are not rebuilt from the graph: the base :class:`EdgeTable` is extended with the
new nodes and edges (appended), removed edges are masked and changed edges re-timed in place;
the CSR matrices are then assembled from those arrays (vectorised, a few ms).

A change applies when its ``opened`` year is not after the network's year; later ones are skipped
and listed. How each change is modelled:

* ``add_rail_line``: stations by name or position; section lengths from ``length_km``
  (split in proportion to straight lines through ``via`` points) or straight line x circuity;
  trains at ``operating_speed_kph`` (else design speed) through the same kinematic run-time model
  as existing lines; services with waits from headways. Freight-only lines add no passenger
  edges.
* ``add_road``: a node at every waypoint joined to the nearest road nodes (an interchange),
  links between them; expressway speed = design speed (capped at the legal 120 km/h), other
  classes design speed x ``ordinary_road_speed_factor``.
* ``upgrade_road``: the corridor's links get the new speed; lanes are recorded only (the model
  has free-flow speeds, so a widening alone changes no time; the report says so).
* ``add_service``: a service on a curated or scenario line (restores a freight line too).
* ``change_service``: an existing service with new stops and/or headway (removed and re-added).
* ``add_airport``: landside and airside nodes with processing times, road connectors, and
  scheduled routes (wait from headway + block time).
* ``add_bus_service``: coach stops at the named places/stations (boarding time, wait from
  headway), riding the car's fastest road path at min(link speed, ``bus_max_speed_kph``).
* ``add_freight_facility``: recorded; no passenger effect.
* ``close``: a corridor falls back to the ordinary road speed on its geometry (or its added links
  go); a line (or a section ``between`` two stations) loses its rides; a service or a scenario
  road is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from network.errors import ScenarioError
from network.graph.edges import extend_edge_table
from network.graph.network import Network
from network.graph.schema import edge_cards
from network.graph.service_mix import mixes_of, sync_service_mixes
from network.graph.timing import fill_times
from network.scenario.applier import ApplyReport, _RecordingGraph
from network.scenario.load import LocatedChange, Scenario
from network.scenario.rail_changes import RailChanges
from network.scenario.road_changes import RoadChanges
from network.scenario.stop_changes import StopChanges

__all__ = ["ApplyReport", "apply_scenario"]


class _Applier(RailChanges, RoadChanges, StopChanges):
    """Applies a scenario: every change through its handler, in file order."""

    def __init__(self, network: Network, scenario: Scenario):
        super().__init__(network, scenario)
        #: one handler per change type of :mod:`network.scenario.schema` (a test checks they match)
        self.handlers: dict[str, Callable[[LocatedChange], None]] = {
            "add_rail_line": self.add_rail_line,
            "add_service": self.add_service,
            "change_service": self.change_service,
            "add_road": self.add_road,
            "upgrade_road": self.upgrade_road,
            "add_airport": self.add_airport,
            "add_bus_service": self.add_bus_service,
            "add_freight_facility": self.add_freight_facility,
            "close": self.close,
        }

    # -- driver ----------------------------------------------------------------------------------
    def run(self) -> _RecordingGraph:
        self.g.recording = True
        for lc in self.scenario.changes:
            ch = lc.change
            what = getattr(ch, "id", None) or getattr(ch, "corridor", None) or getattr(ch, "name", "")
            label = f"{lc.scenario}: {ch.type} {what}"
            if ch.opened > self.as_of.year:
                self.report.skipped.append(f"{label} (opens {ch.opened}, after the network date {self.as_of})")
                continue
            before = len(self.problems)
            n_new, n_changed = len(self.g.new_edges), len(self.report.changed_edges)
            n_removed = len(self.report.removed_edges)
            self.handlers[ch.type](lc)
            if len(self.problems) == before:
                self.report.applied.append(label)
                self._stamp(self.g.new_edges[n_new:] + self.report.changed_edges[n_changed:], lc.scenario)
                for key in self.report.removed_edges[n_removed:]:
                    self.report.removed_by.setdefault(key, lc.scenario)
        if not self.problems:  # shared waits follow the services as changed (network/graph/service_mix.py)
            n_new = len(self.g.new_edges)
            sync_service_mixes(self.g, self.net.assumptions, self._remove)
            self._stamp_mixes(self.g.new_edges[n_new:])
        self.g.recording = False
        if self.problems:
            raise ScenarioError(self.problems)
        # (a road node of the arrays a connector joined is new to the graph, not to the network)
        self.report.added_nodes = [n for n in self.g.new_nodes if n not in self.net.edge_table.index]
        # an edge removed and added again under the same key (change_service) is a change of a
        # base edge, or still an addition if the base never had it
        base = self.base_graph
        gone = [e for e in dict.fromkeys(self.report.removed_edges) if not self.g.has_edge(*e)]
        back = [e for e in dict.fromkeys(self.report.removed_edges) if self.g.has_edge(*e)]
        self.report.removed_edges = [e for e in gone if base.has_edge(*e)]
        self.report.changed_edges = list(
            dict.fromkeys(
                [e for e in self.report.changed_edges if self.g.has_edge(*e)] + [e for e in back if base.has_edge(*e)]
            )
        )
        self.report.added_edges = [
            e for e in dict.fromkeys(self.g.new_edges) if self.g.has_edge(*e) and not base.has_edge(*e)
        ]
        return self.g

    def _stamp(self, keys: list[tuple[str, str, Any]], card: str) -> None:
        """Name the card on every edge it added or changed (``card``: the cards, in the order they
        touched it, joined by "; "). The attribute dicts are this network's own (new edges', and
        the copies :meth:`_record_change` made), never the base's."""
        for key in dict.fromkeys(keys):
            if not self.g.has_edge(*key):
                continue
            d = self.g.edges[key]
            cards = edge_cards(d)
            if card not in cards:
                d["card"] = "; ".join([*cards, card])

    def _stamp_mixes(self, keys: list[tuple[str, str, Any]]) -> None:
        """Name the cards on the shared waits the services' changes made: a mix's ride carries the
        cards of the rides it averages (``mix_path``), its wait and egress the cards of its ride;
        a mix of base services only, re-made because a card changed the line, names the scenario."""
        rides: dict[str, str] = {}
        for key in dict.fromkeys(keys):
            if self.g.has_edge(*key) and self.g.edges[key].get("mix_path"):
                cards = [
                    c
                    for m in self.g.edges[key]["mix_path"]
                    if self.g.has_edge(*m)
                    for c in edge_cards(self.g.edges[tuple(m)])
                ]
                label = "; ".join(dict.fromkeys(cards)) or self.scenario.name
                self._stamp([key], label)
                rides[str(key[0])] = rides[str(key[1])] = label
        for key in dict.fromkeys(keys):
            if self.g.has_edge(*key) and not self.g.edges[key].get("card"):
                label = rides.get(str(key[0])) or rides.get(str(key[1])) or self.scenario.name
                self._stamp([key], label)


def apply_scenario(network: Network, scenario: Scenario) -> tuple[Network, ApplyReport]:
    """The network with ``scenario`` applied (a new value; ``network`` is unchanged), and what
    was done (see the module docstring).

    Raises
    ------
    ScenarioError
        For names that match nothing (with suggestions) or changes that cannot apply.
    """
    applier = _Applier(network, scenario)
    graph = applier.run()
    report_ = applier.report
    touched = list(dict.fromkeys(k for k in report_.added_edges + report_.changed_edges if graph.has_edge(*k)))
    follow = [k for k in mixes_of(graph, touched) if k not in set(touched)]  # rides averaging a changed edge
    report_.changed_edges.extend(k for k in follow if k not in set(report_.added_edges))
    touched += follow
    fill_times(graph, touched, network.assumptions)  # the new and changed edges' minutes, in one pass
    report = applier.report
    table = extend_edge_table(network.edge_table, graph, report)
    if applier.roads_as_arrays:  # the graph holds everything but the road arrays: put them together
        from network.graph.road_arrays import with_own_graph

        return with_own_graph(network, graph, table, scenario=scenario, apply_report=report), report
    out = Network(
        graph,
        network.data,
        network.roads,
        network.assumptions,
        table,
        scenario=scenario,
        apply_report=report,
    )
    return out, report
