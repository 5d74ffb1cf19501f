"""Uncertainty: sample every assumption with a range, re-time the network, and report bands.

In: models (a base network, with or without a scenario), a number of draws, a seed. Out: for each
result, p10/p50/p90 over the draws and, for claims, the share of draws in which a verdict holds.

Sampling. Each constant of :class:`~network.assumptions.Assumptions` that re-times edges (all but
the rules that shape the network, marked ``drawn=False``) is drawn independently from a triangular
distribution (low, value, high): the stated value is the most likely, the range its plausible
limits, and nothing is assumed about the shape beyond that. Roads built from OpenStreetMap also
draw each class's default speed from its range in ``data/osm_road_speeds.csv`` (edges whose speed
came from a ``maxspeed`` tag keep it). Same seed, same draws: ``numpy.random.default_rng(seed)``,
in a fixed order of names.

Re-timing. The graph is not rebuilt: every edge is classified once by what its time depends on
(:class:`Retimer`), and each draw recomputes the edge-time array from the drawn constants:

=====================  =====================================================================
edge                   time in a draw
=====================  =====================================================================
road, unclassified     length / ``unclassified_road_speed_kph``
road, OSM default      length / (class default speed drawn)
connector              straight length x ``access_circuity`` / (``urban_access_speed_kph`` or,
                       beyond reach, the unclassified speed) + ``urban_access_allowance_min``
                       where the connector has one
processing             ``station_processing_min``, ``bus_boarding_min``, airport departure or
                       arrival processing (files that give their own airport times keep them)
egress, transfer       ``station_egress_min``, ``transfer_min``
dwell                  ``hsr_dwell_min`` / ``rail_dwell_min`` / ``bus_dwell_min``
wait                   min(headway x ``headway_factor`` / 2, ``wait_cap_min``)
rail or HSR ride       base time x (1 + supplement) / (1 + base supplement), and for lines a
                       scenario adds, / ``new_line_speed_factor``
anything else          unchanged (expressway speeds at design speed, flights, coach rides)
=====================  =====================================================================

Approximation: ride times scale with the running-time supplement and the new-line speed factor
only; acceleration and braking rates (a minute or two per stop) are not re-drawn. Everything
else is recomputed exactly (``tests/test_uncertainty.py`` checks that a draw at the base values
gives the base times).
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np

from network.assumptions import Assumptions
from network.graph.road_layer import CLASS_RANK
from network.model import Model
from network.sources.files import read_speed_defaults

_FIXED, _UNCL, _CONN, _PROC, _BUSBOARD, _AIRDEP, _AIRARR, _EGRESS, _TRANSFER = range(9)
_DWELL_HSR, _DWELL_RAIL, _DWELL_BUS, _WAIT, _RIDE, _OSMROAD = range(9, 15)


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
    """Edge times of a model as functions of the assumptions (module docstring)."""

    def __init__(self, model: Model):
        self.model = model
        et, g, a0 = model.edge_table, model.graph, model.assumptions
        n = len(et.u)
        self.cat = np.zeros(n, dtype=np.int8)
        self.t0 = et.time_min.copy()
        self.km = et.length_km.copy()
        self.headway = np.zeros(n)
        self.allowance = np.zeros(n)
        self.urban = np.zeros(n, dtype=bool)
        self.new_line = np.zeros(n, dtype=bool)
        self.road_class = np.array([""] * n, dtype=object)
        self.base_speed = np.zeros(n)
        self.urban_km = np.zeros(n)
        self.layer_class = np.array(["other"] * n, dtype=object)
        self.design = np.full(n, np.nan)
        self.limit = np.full(n, np.inf)
        corridors = {c["corridor_id"]: c for c in model.data.corridors}
        defaults = self.class_defaults = read_speed_defaults()
        for i, key in enumerate(et.keys):
            if not g.has_edge(*key):  # a row a scenario closed (masked in the extended table): stays as it is
                continue
            d = g.edges[key]
            kind, mode, src = d["kind"], d["mode"], str(d.get("source", ""))
            if kind == "link":
                if "urban_km" in d and d.get("road_class") in CLASS_RANK:  # the embedded road layer
                    self.cat[i] = _UNCL
                    self.urban_km[i] = float(d["urban_km"])
                    self.layer_class[i] = d["road_class"]
                    c = corridors.get(d.get("corridor_id") or "", {})
                    self.design[i] = float(c.get("design_speed_kph") or np.nan)
                    self.limit[i] = float(c.get("speed_limit_kph") or np.inf)
                elif d.get("speed_from") == "default" and d.get("road_class") in defaults:
                    self.cat[i] = _OSMROAD
                    self.road_class[i] = d["road_class"]
                    self.base_speed[i] = d["speed_kph"]
            elif kind == "connector":
                self._connector(i, d, a0)
            elif kind == "processing":
                self.cat[i] = (
                    _BUSBOARD
                    if "bus_boarding" in src
                    else _PROC
                    if mode == "station"
                    else _AIRDEP
                    if "departure" in src and "assumption" in src
                    else _AIRARR
                    if "arrival" in src and "assumption" in src
                    else _FIXED
                )
            elif kind == "egress":
                self.cat[i] = _EGRESS
            elif kind == "transfer":
                self.cat[i] = _TRANSFER
            elif kind == "dwell":
                self.cat[i] = {"hsr": _DWELL_HSR, "rail": _DWELL_RAIL, "bus": _DWELL_BUS}.get(mode, _FIXED)
            elif kind == "wait" and d.get("headway_min"):
                self.cat[i] = _WAIT
                self.headway[i] = float(d["headway_min"])
            elif kind == "ride" and mode in ("hsr", "rail"):
                self.cat[i] = _RIDE
                self.new_line[i] = src.startswith("scenario")
        self.rows_of = {c: np.flatnonzero(self.cat == c) for c in range(15)}
        self._layer: tuple[Any, ...] | None = None

    def _connector(self, i: int, d: dict[str, Any], a0: Assumptions) -> None:
        """Which speed and allowance a connector was built with (recovered from its time)."""
        km, t = d["length_km"], d["time_min"]
        for urban in (True, False):
            speed = a0.urban_access_speed_kph if urban else a0.unclassified_road_speed_kph
            for allow in (a0.urban_access_allowance_min, 0.0):
                if abs(km / speed * 60.0 + allow - t) < 1e-6:
                    self.cat[i] = _CONN
                    self.urban[i] = urban
                    self.allowance[i] = 1.0 if allow > 0 else 0.0
                    return

    def times(self, a: Assumptions, class_speeds: dict[str, float] | None = None) -> np.ndarray:
        """Every edge's minutes under the constants ``a`` (and OSM class speeds), in edge-table order."""
        a0, t, r = self.model.assumptions, self.t0.copy(), self.rows_of
        t[r[_UNCL]] = self._layer_times(r[_UNCL], a)
        if class_speeds is not None and r[_OSMROAD].size:
            rows = r[_OSMROAD]
            factor = np.array([class_speeds[c] / self.class_defaults[c]["speed_kph"] for c in self.road_class[rows]])
            t[rows] = self.km[rows] / (self.base_speed[rows] * factor) * 60.0
        c = r[_CONN]
        straight = self.km[c] / a0.access_circuity
        speed = np.where(self.urban[c], a.urban_access_speed_kph, a.unclassified_road_speed_kph)
        t[c] = straight * a.access_circuity / speed * 60.0 + self.allowance[c] * a.urban_access_allowance_min
        for cat, value in (
            (_PROC, a.station_processing_min),
            (_BUSBOARD, a.bus_boarding_min),
            (_AIRDEP, a.airport_departure_processing_min),
            (_AIRARR, a.airport_arrival_processing_min),
            (_EGRESS, a.station_egress_min),
            (_TRANSFER, a.transfer_min),
            (_DWELL_HSR, a.hsr_dwell_min),
            (_DWELL_RAIL, a.rail_dwell_min),
            (_DWELL_BUS, a.bus_dwell_min),
        ):
            t[r[cat]] = value
        w = r[_WAIT]
        t[w] = np.minimum(self.headway[w] * a.headway_factor / 2.0, a.wait_cap_min)
        ride = r[_RIDE]
        scale = (1.0 + a.running_time_supplement) / (1.0 + a0.running_time_supplement)
        t[ride] = (
            self.t0[ride]
            * scale
            / np.where(self.new_line[ride], a.new_line_speed_factor / a0.new_line_speed_factor, 1.0)
        )
        return t

    def _layer_times(self, rows: np.ndarray, a: Assumptions) -> np.ndarray:
        """Minutes of embedded road-layer edges under ``a`` (as :func:`road_speed_kph` and
        :func:`road_time_min`, on arrays)."""
        if self._layer is None or self._layer[0] is not rows:  # what no draw changes, once
            cls, design = self.layer_class[rows], self.design[rows]
            masks = {name: cls == name for name in ("expressway", "national", "provincial")}
            urban = np.where(masks["expressway"], 0.0, self.urban_km[rows])
            self._layer = (rows, masks, design, np.isnan(design), self.km[rows] - urban, urban, self.limit[rows])
        _, masks, design, no_design, open_km, urban, limit = self._layer
        speed = np.full(rows.size, a.unclassified_road_speed_kph)
        exp = masks["expressway"]
        speed[exp] = np.minimum(
            np.where(no_design[exp], a.expressway_default_design_speed_kph, design[exp]), a.expressway_speed_cap_kph
        )
        for name, default in (("national", a.national_design_speed_kph), ("provincial", a.provincial_design_speed_kph)):
            m = masks[name]
            speed[m] = np.where(no_design[m], default, design[m]) * a.ordinary_road_speed_factor
        speed = np.minimum(speed, limit)
        slow = np.minimum(a.built_up_speed_kph, speed)
        return (open_km / speed + urban / slow) * 60.0

    def model_for(self, a: Assumptions, class_speeds: dict[str, float] | None = None) -> Model:
        """A model of the network re-timed for the draw ``a`` (a new value; the graph and the name
        index are shared, not copied)."""
        base = self.model
        return Model(base.network.retimed(a, self.times(a, class_speeds)), name_index=base.name_index, parent=base)
