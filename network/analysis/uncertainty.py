"""Uncertainty: sample every assumption that re-times edges, re-time the network, and report bands.

In: models (a base network, with or without a scenario), a number of draws, a seed. Out: for each
result, p10/p50/p90 over the draws and, for claims, the share of draws in which a verdict holds.

Sampling. Each constant of :class:`~network.assumptions.Assumptions` that re-times edges (all but
the rules that shape the network, marked ``drawn=False``) is drawn independently from a triangular
distribution (low, value, high): the stated value is the most likely, the range its plausible
limits, and nothing is assumed about the shape beyond that. Roads built from OpenStreetMap also
draw each class's default speed from its range in ``data/osm_road_speeds.csv`` (edges whose speed
came from a ``maxspeed`` tag keep it). Same seed, same draws: ``numpy.random.default_rng(seed)``,
in a fixed order of names.

Re-timing. The graph is not rebuilt: every edge carries its timing rule and inputs (set by the
builder, :mod:`network.graph.timing`), read once into arrays, and each draw evaluates
:func:`~network.graph.timing.edge_minutes` with the drawn constants: the same formulas the build
used, so a draw at the built constants gives the built times exactly, and every constant a rule
uses is re-drawn (acceleration and braking of trains included). Fixed times (block times, coach
road minutes, an airport's own processing times) keep their value. Roads built from
OpenStreetMap also take their class's drawn default speed (edges with a ``maxspeed`` keep it).
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np

from network.assumptions import Assumptions
from network.graph.timing import TimingTable, edge_minutes
from network.model import Model
from network.sources.files import read_speed_defaults


def sampled_names(base: Assumptions) -> list[str]:
    """The constants the draws vary (all but the rules that shape the network, ``drawn=False``),
    in a fixed order."""
    return [f.name for f in dataclasses.fields(base) if f.metadata.get("drawn", True)]


def draw_assumptions(base: Assumptions, n: int, seed: int) -> tuple[list[Assumptions], list[dict[str, float]]]:
    """``n`` draws of the assumptions and of the OSM class speeds (triangular, module docstring)."""

    rng = np.random.default_rng(seed)
    names = sampled_names(base)
    meta = {f.name: f.metadata for f in dataclasses.fields(base)}
    cols = {}
    for name in names:
        value = float(getattr(base, name))
        lo, hi = float(meta[name]["low"]), float(meta[name]["high"])
        cols[name] = rng.triangular(lo, min(max(value, lo), hi), hi, size=n)
    speeds = read_speed_defaults()
    speed_cols = {
        c: rng.triangular(v["low_kph"], v["speed_kph"], v["high_kph"], size=n) for c, v in sorted(speeds.items())
    }
    # drawn inside each range by construction, so the range check of Assumptions.replace is not needed
    draws = [dataclasses.replace(base, **cast(dict[str, Any], {k: float(cols[k][i]) for k in names})) for i in range(n)]
    class_speeds = [{c: float(speed_cols[c][i]) for c in speed_cols} for i in range(n)]
    return draws, class_speeds


class Retimer:
    """Edge times of a model as functions of the assumptions: each edge's rule and inputs
    (:class:`~network.graph.timing.TimingTable`), read once, and
    :func:`~network.graph.timing.edge_minutes` per draw."""

    def __init__(self, model: Model):
        self.model = model
        et = model.edge_table
        self.table = TimingTable.from_graph(model.graph, et.keys, et.time_min)
        self.class_defaults = {c: float(v["speed_kph"]) for c, v in read_speed_defaults().items()}

    def times(self, a: Assumptions, class_speeds: dict[str, float] | None = None) -> np.ndarray:
        """Every edge's minutes under the constants ``a`` (and OSM class speeds), in edge-table order."""
        return edge_minutes(self.table, a, class_speeds, self.class_defaults)

    def model_for(self, a: Assumptions, class_speeds: dict[str, float] | None = None) -> Model:
        """A model of the network re-timed for the draw ``a`` (a new value; the graph and the name
        index are shared, not copied)."""
        base = self.model
        return Model(base.network.retimed(a, self.times(a, class_speeds)), name_index=base.name_index, parent=base)
