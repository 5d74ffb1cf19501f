"""Edge times as data: every edge carries a :class:`Rule` and the inputs that rule needs, and one
vectorised function, :func:`edge_minutes`, turns them and the constants into minutes.

The builder and the scenario handlers describe an edge with :func:`timed` (its rule and inputs,
and the minutes the same formula gives); a draw of the constants re-times a whole network with
:func:`edge_minutes` on its :class:`TimingTable`. Each formula below exists once and works on
scalars and arrays alike, so a built time and a re-timed time cannot disagree.

=================  ==========================================  ===================================
rule               inputs (edge attributes)                    minutes
=================  ==========================================  ===================================
road_layer         length_km, urban_km, speed_class,           built-up part at min(built_up
                   design_kph, limit_kph, terrain, tunnel_km   speed, road speed), tunnels at the
                                                               Shanxi limit, the rest at the
                                                               class speed (network/graph/
                                                               road_layer.py: design x factor,
                                                               unpublished designs and other roads
                                                               x the terrain's factor, expressways
                                                               capped, posted limits)
road_speed         length_km, speed_kph                        length / speed (a speed the source
                                                               gives: OSM maxspeed, GMNS, a card)
osm_default        length_km, speed_kph, road_class            length / the class's default speed
                                                               (data/osm_road_speeds.csv; drawn)
connector          straight_km, far, allowance                 straight x access_circuity / (urban
                                                               access speed, or beyond reach the
                                                               unclassified speed) + the urban
                                                               allowance where the end is a place
station_processing                                             station_processing_min
bus_boarding                                                   bus_boarding_min
air_departure                                                  airport_departure_processing_min
air_arrival                                                    airport_arrival_processing_min
egress                                                         station_egress_min
transfer                                                       transfer_min
dwell              mode, hub                                   hsr/rail/bus/metro_dwell_min;
                                                               hsr_hub_dwell_min at a hub
wait               headway_min                                 min(headway x headway_factor / 2,
                                                               wait_cap_min)
rail_ride          length_km, cruise_min, v_first_kph,         cruise + acceleration and braking
                   v_last_kph, new_line, built_factor, mode    losses (triangular when too short),
                                                               x (1 + running_time_supplement);
                                                               speeds x new_line_speed_factor on a
                                                               line a scenario adds
metro_ride         length_km, hops, v_first_kph (the line's    each hop (length / hops) from stop
                   top speed)                                  to stop: accelerate, cruise, brake
                                                               (triangular when short), plus
                                                               metro_dwell_min at each stop between
coach              coach_path (the road edges it drives)       each road edge at min(its speed,
                                                               bus_max_speed_kph), connectors at
                                                               their time
rail_mix           mix_path, mix_weight (the ride and dwell    the weighted sum of those edges'
                   edges of each service between two stops)    minutes (network/graph/
                                                               service_mix.py)
fixed              fixed_min, time_reason                      the time the source gives (a block
                                                               time, a coach's road minutes, a
                                                               file's airport processing)
=================  ==========================================  ===================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from network.assumptions import Assumptions

if TYPE_CHECKING:
    import networkx as nx


class Rule(StrEnum):
    """What an edge's time is made of (module docstring)."""

    ROAD_LAYER = "road_layer"
    ROAD_SPEED = "road_speed"
    OSM_DEFAULT = "osm_default"
    CONNECTOR = "connector"
    STATION_PROCESSING = "station_processing"
    BUS_BOARDING = "bus_boarding"
    AIR_DEPARTURE = "air_departure"
    AIR_ARRIVAL = "air_arrival"
    EGRESS = "egress"
    TRANSFER = "transfer"
    DWELL = "dwell"
    WAIT = "wait"
    RAIL_RIDE = "rail_ride"
    COACH = "coach"
    RAIL_MIX = "rail_mix"
    METRO_RIDE = "metro_ride"
    FIXED = "fixed"


RULES: tuple[Rule, ...] = tuple(Rule)
_CODE = {r: k for k, r in enumerate(RULES)}

Num = Any  # a float or an array of floats: every formula below takes either


# -- the formulas, once --------------------------------------------------------------------------
def terrain_factor(terrain: Num, a: Assumptions) -> Num:
    """The speed factor of the terrain around a road: ``hilly_road_speed_factor``,
    ``mountain_road_speed_factor`` (also on a steep road), else 1 (plain, or not known)."""
    t = np.asarray(terrain)  # text arrays compare in C; an object array compares element by element
    return np.select(
        [t == "hilly", (t == "mountain") | (t == "steep")],
        [a.hilly_road_speed_factor, a.mountain_road_speed_factor],
        1.0,
    )


def class_speed_kph(road_class: Num, design_kph: Num, limit_kph: Num, a: Assumptions, terrain: Num = "") -> Num:
    """Free-flow car speed of a road of the embedded layer outside built-up areas (km/h):
    expressways at their design speed (where none is published, their posted limit, else
    ``expressway_default_design_speed_kph``) capped at ``expressway_speed_cap_kph``; national and
    provincial roads at their design speed x ``ordinary_road_speed_factor``, where it is not
    published the class default x the terrain's
    factor (:func:`terrain_factor`); other roads at ``unclassified_road_speed_kph`` x the terrain's
    factor; never above a posted limit (``inf`` where none) nor the legal maximum. A published
    design speed already holds its terrain (新晋 80 in the mountains), and so does an expressway's.
    A steep road (terrain ``steep``) without a published design runs at most at ``steep_road_speed_kph``."""
    cls = np.asarray(road_class)
    design = np.asarray(design_kph, dtype=float)
    no_design = np.isnan(design)
    by_terrain = terrain_factor(terrain, a)
    limit = np.asarray(limit_kph, dtype=float)
    # an expressway runs at its design speed; where none is published, at its posted limit if one
    # is (安林 100), else at the default design speed
    unpublished = np.where(np.isfinite(limit), limit, a.expressway_default_design_speed_kph)
    expressway = np.minimum(np.where(no_design, unpublished, design), a.expressway_speed_cap_kph)
    national = np.where(no_design, a.national_design_speed_kph * by_terrain, design) * a.ordinary_road_speed_factor
    provincial = np.where(no_design, a.provincial_design_speed_kph * by_terrain, design) * a.ordinary_road_speed_factor
    speed = np.select(
        [cls == "expressway", cls == "national", cls == "provincial"],
        [expressway, national, provincial],
        default=a.unclassified_road_speed_kph * by_terrain,
    )
    # a steep road without a published design runs at the 实施条例 §46 speed at most
    steep = (np.asarray(terrain) == "steep") & no_design & (cls != "expressway")
    speed = np.where(steep, np.minimum(speed, a.steep_road_speed_kph), speed)
    return np.minimum(np.minimum(speed, limit), a.expressway_speed_cap_kph)


def layer_speed_kph(d: dict[str, Any], a: Assumptions) -> float:
    """The open-road speed of one ``road_layer`` edge (attributes ``d``) under the constants ``a``
    (:func:`class_speed_kph`; the edge's ``speed_kph`` is the one of the constants it was built
    with, which a re-timed network does not share)."""
    cls = d.get("speed_class") or d.get("road_class") or ""
    design = d.get("design_kph")
    limit = d.get("limit_kph")
    return float(
        class_speed_kph(
            cls,
            np.nan if design is None else float(design),
            np.inf if limit is None else float(limit),
            a,
            d.get("terrain") or "",
        )
    )


def road_layer_min(
    length_km: Num, urban_km: Num, road_class: Num, speed_kph: Num, a: Assumptions, tunnel_km: Num = 0.0
) -> Num:
    """Minutes on a road of the embedded layer: its built-up part at ``built_up_speed_kph`` (never
    faster than the road), its tunnels under the Shanxi limit at ``shanxi_tunnel_speed_kph`` (never
    faster than the road), the rest at ``speed_kph``; expressways are access-controlled and keep
    their speed through towns."""
    urban = np.where(np.asarray(road_class) == "expressway", 0.0, np.asarray(urban_km, dtype=float))
    tunnel = np.nan_to_num(np.asarray(tunnel_km, dtype=float), nan=0.0)
    speed = np.asarray(speed_kph, dtype=float)
    slow = np.minimum(a.built_up_speed_kph, speed)
    in_tunnel = np.minimum(a.shanxi_tunnel_speed_kph, speed)
    return ((np.asarray(length_km, dtype=float) - urban - tunnel) / speed + urban / slow + tunnel / in_tunnel) * 60.0


def road_length_km(length_km: Num, circuity_built: Num, a: Assumptions) -> Num:
    """A road's length: as built, or, for a new road whose length is the straight line x
    ``new_road_circuity`` (``circuity_built`` then; NaN otherwise), at this circuity."""
    built = np.asarray(circuity_built, dtype=float)
    return np.asarray(length_km, dtype=float) * np.where(np.isnan(built), 1.0, a.new_road_circuity / built)


#: The inputs of :func:`rail_ride_min`.
RIDE_INPUTS = ("length_km", "cruise_min", "cruise_new_min", "cruise_circ_min", "length_circ_km", "v_first_kph",
               "v_last_kph", "first_new", "last_new", "built_factor", "built_circuity", "hsr")  # fmt: skip


def speed_min(length_km: Num, speed_kph: Num) -> Num:
    """Minutes on an edge driven at its own speed (``road_speed``, ``osm_default``): length / speed."""
    return np.asarray(length_km, dtype=float) / np.asarray(speed_kph, dtype=float) * 60.0


def connector_min(straight_km: Num, far: Num, allowance: Num, a: Assumptions) -> Num:
    """Minutes on an access connector: the straight line x ``access_circuity`` at the urban
    access speed (or, ``far`` beyond the road geometry, the unclassified road speed), plus the
    urban allowance where ``allowance`` (the connector ends at a place)."""
    speed = np.where(np.asarray(far, dtype=bool), a.unclassified_road_speed_kph, a.urban_access_speed_kph)
    extra = np.where(np.asarray(allowance, dtype=bool), a.urban_access_allowance_min, 0.0)
    return np.asarray(straight_km, dtype=float) * a.access_circuity / speed * 60.0 + extra


def wait_min(headway_min: Num, a: Assumptions) -> Num:
    """Mean wait for a service every ``headway_min``: half the headway times ``headway_factor``,
    capped at ``wait_cap_min`` (travellers who know the timetable do not wait longer)."""
    return np.minimum(np.asarray(headway_min, dtype=float) * a.headway_factor / 2.0, a.wait_cap_min)


def rail_ride_min(x: dict[str, Num], a: Assumptions) -> Num:
    """Running time between two stops (:func:`network.graph.build.rail_run_time_min`, on arrays):
    the longer of the kinematic run (cruise at the sections' speeds, plus the time lost
    accelerating to the first section's speed, v / 2a, and braking from the last, v / 2b, or the
    triangular profile when the run is too short) and timetable practice (the cruise plus the
    starting and stopping supplements, 起停附加时分: ``hsr_start_supplement_min`` and
    ``hsr_stop_supplement_min``, or the conventional ones); times (1 + ``running_time_supplement``),
    the recovery margin.

    ``x`` holds the inputs (:data:`RIDE_INPUTS`, scalars or arrays): ``cruise_min`` on sections
    of lines that exist, ``cruise_new_min`` on sections of a line a scenario adds (built at
    speeds x ``built_factor``, the ``new_line_speed_factor`` then, and scaled to this one), and
    ``cruise_circ_min`` / ``length_circ_km`` on new sections whose length is the straight line x
    ``new_rail_circuity`` (built with ``built_circuity``); ``first_new``/``last_new`` say whether
    the first and last sections are new."""
    hsr = np.asarray(x["hsr"], dtype=bool)
    factor = a.new_line_speed_factor / np.asarray(x["built_factor"], dtype=float)
    stretch = a.new_rail_circuity / np.asarray(x["built_circuity"], dtype=float)
    accel = np.where(hsr, a.hsr_acceleration_mps2, a.rail_acceleration_mps2)
    brake = np.where(hsr, a.hsr_braking_mps2, a.rail_braking_mps2)
    length_circ = np.asarray(x["length_circ_km"], dtype=float)
    length_m = (np.asarray(x["length_km"], dtype=float) + length_circ * (stretch - 1.0)) * 1000.0
    cruise_min = (
        np.asarray(x["cruise_min"], dtype=float)
        + np.asarray(x["cruise_new_min"], dtype=float) / factor
        + np.asarray(x["cruise_circ_min"], dtype=float) * stretch / factor
    )
    cruise_s = cruise_min * 60.0
    v1 = np.asarray(x["v_first_kph"], dtype=float) * np.where(np.asarray(x["first_new"], dtype=bool), factor, 1.0) / 3.6
    v2 = np.asarray(x["v_last_kph"], dtype=float) * np.where(np.asarray(x["last_new"], dtype=bool), factor, 1.0) / 3.6
    full = cruise_s + v1 / (2 * accel) + v2 / (2 * brake)
    peak = np.sqrt(2 * length_m * accel * brake / (accel + brake))
    short = peak / accel + peak / brake
    reaches = v1**2 / (2 * accel) + v2**2 / (2 * brake) <= length_m
    kinematic = np.where(reaches, full, short)
    # timetable practice: the cruise plus the starting and stopping supplements (起停附加时分)
    start = np.where(hsr, a.hsr_start_supplement_min, a.rail_start_supplement_min) * 60.0
    stop = np.where(hsr, a.hsr_stop_supplement_min, a.rail_stop_supplement_min) * 60.0
    t = np.where(length_m <= 0, 0.0, np.maximum(kinematic, cruise_s + start + stop))
    return t * (1 + a.running_time_supplement) / 60.0


def metro_ride_min(length_km: Num, hops: Num, v_max_kph: Num, a: Assumptions) -> Num:
    """Minutes on a metro line over ``hops`` hops of ``length_km`` in all: each hop from a stand
    to a stand at up to ``v_max_kph`` (``metro_acceleration_mps2``, ``metro_braking_mps2``;
    triangular when the hop is too short to reach it), and ``metro_dwell_min`` at each stop between.

    >>> from network.assumptions import Assumptions
    >>> round(float(metro_ride_min(12.0, 10, 80.0, Assumptions())), 1)  # 郑州站 - 郑州东 on Line 1
    17.2
    """
    n = np.asarray(hops, dtype=float)
    d = np.asarray(length_km, dtype=float) * 1000.0 / n
    v = np.asarray(v_max_kph, dtype=float) / 3.6
    acc, brk = a.metro_acceleration_mps2, a.metro_braking_mps2
    reaches = v**2 / (2 * acc) + v**2 / (2 * brk) <= d
    full = d / v + v / (2 * acc) + v / (2 * brk)
    peak = np.sqrt(2 * d * acc * brk / (acc + brk))
    hop_s = np.where(reaches, full, peak / acc + peak / brk)
    return (n * hop_s / 60.0) + (n - 1.0) * a.metro_dwell_min


def constant_min(rule: Rule, mode: str, a: Assumptions, hub: bool = False) -> float:
    """Minutes of the rules that are one constant (processing, egress, transfer, dwell; an HSR
    dwell at a ``hub`` is ``hsr_hub_dwell_min``)."""
    if rule is Rule.DWELL:
        if mode == "hsr" and hub:
            return float(a.hsr_hub_dwell_min)
        return float(
            {"hsr": a.hsr_dwell_min, "rail": a.rail_dwell_min, "bus": a.bus_dwell_min, "metro": a.metro_dwell_min}[mode]
        )
    return float(
        {
            Rule.STATION_PROCESSING: a.station_processing_min,
            Rule.BUS_BOARDING: a.bus_boarding_min,
            Rule.AIR_DEPARTURE: a.airport_departure_processing_min,
            Rule.AIR_ARRIVAL: a.airport_arrival_processing_min,
            Rule.EGRESS: a.station_egress_min,
            Rule.TRANSFER: a.transfer_min,
        }[rule]
    )


def road_inputs(
    length_km: float,
    urban_km: float,
    speed_class: str,
    design_kph: float | None,
    limit_kph: float | None = None,
    terrain: str = "",
    tunnel_km: float = 0.0,
) -> dict[str, Any]:
    """The inputs of a ``road_layer`` edge: its lengths, the class its speed follows (expressway,
    national or provincial: design x factor; else the unclassified speed), the road's design
    speed and posted limit (None where it gives none) and the terrain around it (plain, hilly,
    mountain; "" where not known) and its km under the Shanxi tunnel limit."""
    return {
        "length_km": length_km,
        "urban_km": urban_km,
        "speed_class": speed_class,
        "design_kph": design_kph or None,
        "limit_kph": limit_kph or None,
        "terrain": terrain,
        "tunnel_km": tunnel_km,
    }


# -- one edge: its rule, inputs and minutes ---------------------------------------------------------
def timed(rule: Rule, a: Assumptions, **inputs: Any) -> dict[str, Any]:
    """The attributes that time an edge: ``rule`` and its ``inputs``; its minutes are set once
    the graph is built (:func:`fill_times`). Builders and scenario handlers call this: they never
    compute a time themselves. (``a`` is the constants the inputs were derived with.)

    >>> from network.assumptions import Assumptions
    >>> timed(Rule.WAIT, Assumptions(), headway_min=20.0)
    {'rule': 'wait', 'headway_min': 20.0}
    """
    if rule is Rule.FIXED and not inputs.get("time_reason"):
        raise ValueError("a fixed time needs its reason (time_reason)")
    return {"rule": rule.value, **{k: v for k, v in inputs.items() if k != "mode"}}  # mode: the edge's own


def fill_times(graph: nx.MultiDiGraph, keys: list[tuple[str, str, Any]], a: Assumptions) -> None:
    """Set ``time_min`` of the edges ``keys`` of ``graph`` by their rules, in one vectorised
    pass (:func:`edge_minutes`): after a build, a scenario's changes, or a point added; a
    ``road_layer`` edge's ``speed_kph`` is set from the same pass. The road edges a coach among
    them drives are read too (not set)."""
    if not keys:
        return
    edges = graph.edges
    extra = [tuple(e) for k in keys if edges[k].get("rule") == Rule.COACH.value for e in edges[k]["coach_path"]]
    extra += [tuple(e) for k in keys if edges[k].get("rule") == Rule.RAIL_MIX.value for e in edges[k]["mix_path"]]
    table_keys = list(dict.fromkeys([*keys, *extra]))
    table = TimingTable.from_graph(graph, table_keys)
    minutes, speeds = _evaluate(table, a)
    layer = table.rule == _CODE[Rule.ROAD_LAYER]
    for i, (key, t) in enumerate(zip(keys, minutes[: len(keys)].tolist())):
        d = edges[key]
        d["time_min"] = t
        if layer[i]:  # the open-road speed the rule gives (shown in listings, compared by upgrades)
            d["speed_kph"] = float(speeds[i])


# -- every edge: the table and the vectorised evaluation --------------------------------------------
@dataclass(frozen=True)
class TimingTable:
    """The rule and inputs of every edge of an edge table, as arrays (rows as the edge table)."""

    rule: NDArray[np.int8]
    mode: NDArray[np.str_]
    length_km: NDArray[np.float64]
    urban_km: NDArray[np.float64]
    tunnel_km: NDArray[np.float64]
    road_class: NDArray[np.str_]
    design_kph: NDArray[np.float64]
    limit_kph: NDArray[np.float64]
    terrain: NDArray[np.str_]
    speed_kph: NDArray[np.float64]
    straight_km: NDArray[np.float64]
    far: NDArray[np.bool_]
    allowance: NDArray[np.bool_]
    hub: NDArray[np.bool_]
    headway_min: NDArray[np.float64]
    cruise_min: NDArray[np.float64]
    v_first_kph: NDArray[np.float64]
    v_last_kph: NDArray[np.float64]
    first_new: NDArray[np.bool_]
    last_new: NDArray[np.bool_]
    cruise_new_min: NDArray[np.float64]
    cruise_circ_min: NDArray[np.float64]
    length_circ_km: NDArray[np.float64]
    built_factor: NDArray[np.float64]
    built_circuity: NDArray[np.float64]
    hops: NDArray[np.float64]
    circuity_built: NDArray[np.float64]
    fixed_min: NDArray[np.float64]
    #: the road rows each coach ride drives: ``coach_member[k]`` is a row of the table and
    #: ``coach_owner[k]`` the coach ride's row
    coach_owner: NDArray[np.intp]
    coach_member: NDArray[np.intp]
    #: the ride and dwell rows each shared-wait ride averages, with their weights (as the coach's)
    mix_owner: NDArray[np.intp]
    mix_member: NDArray[np.intp]
    mix_weight: NDArray[np.float64]

    def rows(self, rule: Rule) -> NDArray[np.intp]:
        """The rows timed by ``rule``."""
        return np.flatnonzero(self.rule == _CODE[rule])

    @classmethod
    def from_graph(
        cls, graph: nx.MultiDiGraph, keys: list[tuple[str, str, Any]], base_time: NDArray[np.float64] | None = None
    ) -> TimingTable:
        """The rule and inputs of the edges ``keys`` of ``graph`` (a key no longer in the graph,
        a closed edge, keeps its ``base_time`` as a fixed time)."""
        n = len(keys)
        out = {
            "rule": np.full(n, _CODE[Rule.FIXED], dtype=np.int8),
            "mode": np.array([""] * n, dtype=object),
            "road_class": np.array([""] * n, dtype=object),
            "terrain": np.array([""] * n, dtype=object),
            "far": np.zeros(n, dtype=bool),
            "allowance": np.zeros(n, dtype=bool),
            "hub": np.zeros(n, dtype=bool),
            "first_new": np.zeros(n, dtype=bool),
            "last_new": np.zeros(n, dtype=bool),
            "fixed_min": np.full(n, np.nan) if base_time is None else np.asarray(base_time, dtype=float).copy(),
        }
        floats = ("length_km", "urban_km", "design_kph", "limit_kph", "speed_kph", "straight_km", "headway_min",
                  "cruise_min", "v_first_kph", "v_last_kph", "cruise_new_min", "cruise_circ_min", "length_circ_km",
                  "built_factor", "built_circuity", "circuity_built", "hops", "tunnel_km")  # fmt: skip
        for name in floats:
            out[name] = np.full(n, np.inf if name == "limit_kph" else np.nan)
        for i, key in enumerate(keys):
            if not graph.has_edge(*key):
                continue
            d = graph.edges[key]
            rule = d.get("rule")
            if rule is None:
                raise ValueError(f"edge {key} has no timing rule; every builder sets one (network/graph/timing.py)")
            out["rule"][i] = _CODE[Rule(rule)]
            out["mode"][i] = d.get("mode", "")
            out["road_class"][i] = d.get("speed_class") or d.get("road_class") or ""
            out["terrain"][i] = d.get("terrain") or ""
            for name in ("far", "allowance", "hub", "first_new", "last_new"):
                out[name][i] = bool(d.get(name, False))
            for name in floats:
                value = d.get(name)
                if value is not None:
                    out[name][i] = float(value)
            if d.get("fixed_min") is not None:
                out["fixed_min"][i] = float(d["fixed_min"])
        row_of = {key: i for i, key in enumerate(keys)}
        owner: list[int] = []
        member: list[int] = []
        for i in np.flatnonzero(out["rule"] == _CODE[Rule.COACH]).tolist():
            for key in graph.edges[keys[i]]["coach_path"]:
                owner.append(i)
                member.append(row_of[tuple(key)])  # the caller includes the path's edges (fill_times does)
        out["coach_owner"] = np.array(owner, dtype=np.intp)
        out["coach_member"] = np.array(member, dtype=np.intp)
        owner, member, weight = [], [], []
        for i in np.flatnonzero(out["rule"] == _CODE[Rule.RAIL_MIX]).tolist():
            d = graph.edges[keys[i]]
            for key, w in zip(d["mix_path"], d["mix_weight"]):
                owner.append(i)
                member.append(row_of[tuple(key)])  # the caller includes the members (fill_times does)
                weight.append(float(w))
        out["mix_owner"] = np.array(owner, dtype=np.intp)
        out["mix_member"] = np.array(member, dtype=np.intp)
        out["mix_weight"] = np.array(weight, dtype=float)
        for name in ("mode", "road_class", "terrain"):  # text arrays: compared in C in every draw
            out[name] = out[name].astype(str)
        return cls(**out)


def edge_minutes(
    table: TimingTable,
    a: Assumptions,
    class_speeds: dict[str, float] | None = None,
    class_defaults: dict[str, float] | None = None,
) -> NDArray[np.float64]:
    """Every edge's minutes under the constants ``a``, by its rule (module docstring), in one
    vectorised pass. ``class_speeds`` (with the ``class_defaults`` they replace) re-times the
    ``osm_default`` roads of a network built from OpenStreetMap (a draw of their class speeds)."""
    return _evaluate(table, a, class_speeds, class_defaults)[0]


def _evaluate(
    table: TimingTable,
    a: Assumptions,
    class_speeds: dict[str, float] | None = None,
    class_defaults: dict[str, float] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(minutes of every edge, open-road speed of every road edge, NaN elsewhere)."""
    t = table.fixed_min.copy()
    road_speed = np.full(t.size, np.nan)  # open-road speed of each road edge (coaches drive them)
    r = table.rows(Rule.ROAD_LAYER)
    speed = class_speed_kph(table.road_class[r], table.design_kph[r], table.limit_kph[r], a, table.terrain[r])
    road_speed[r] = speed
    length = road_length_km(table.length_km[r], table.circuity_built[r], a)
    t[r] = road_layer_min(length, table.urban_km[r], table.road_class[r], speed, a, table.tunnel_km[r])
    r = table.rows(Rule.ROAD_SPEED)
    road_speed[r] = table.speed_kph[r]
    t[r] = speed_min(table.length_km[r], table.speed_kph[r])
    r = table.rows(Rule.OSM_DEFAULT)
    factor = np.ones(r.size)
    if class_speeds is not None and class_defaults is not None and r.size:
        factor = np.array([class_speeds[c] / class_defaults[c] for c in table.road_class[r]])
    road_speed[r] = table.speed_kph[r] * factor
    t[r] = speed_min(table.length_km[r], table.speed_kph[r] * factor)
    r = table.rows(Rule.CONNECTOR)
    t[r] = connector_min(table.straight_km[r], table.far[r], table.allowance[r], a)
    r = table.rows(Rule.WAIT)
    t[r] = wait_min(table.headway_min[r], a)
    r = table.rows(Rule.RAIL_RIDE)
    t[r] = rail_ride_min(
        {name: getattr(table, name)[r] for name in RIDE_INPUTS if name != "hsr"} | {"hsr": table.mode[r] == "hsr"}, a
    )
    for rule in (Rule.STATION_PROCESSING, Rule.BUS_BOARDING, Rule.AIR_DEPARTURE, Rule.AIR_ARRIVAL, Rule.EGRESS,
                 Rule.TRANSFER):  # fmt: skip
        t[table.rows(rule)] = constant_min(rule, "", a)
    r = table.rows(Rule.DWELL)
    for mode in ("hsr", "rail", "bus", "metro"):
        t[r[table.mode[r] == mode]] = constant_min(Rule.DWELL, mode, a)
    t[r[(table.mode[r] == "hsr") & table.hub[r]]] = constant_min(Rule.DWELL, "hsr", a, hub=True)
    r = table.rows(Rule.METRO_RIDE)
    t[r] = metro_ride_min(table.length_km[r], table.hops[r], table.v_first_kph[r], a)
    r = table.rows(Rule.RAIL_MIX)
    if r.size:  # after the rides and dwells it averages
        t[r] = np.bincount(table.mix_owner, weights=table.mix_weight * t[table.mix_member], minlength=t.size)[r]
    r = table.rows(Rule.COACH)
    if r.size:
        t[r] = coach_min(table.coach_owner, table.coach_member, road_speed, table.length_km, t, t.size, a)[r]
    return t, road_speed


def coach_min(
    owner: NDArray[np.intp],
    member: NDArray[np.intp],
    road_speed: NDArray[np.float64],
    length_km: NDArray[np.float64],
    t: NDArray[np.float64],
    n: int,
    a: Assumptions,
) -> NDArray[np.float64]:
    """Minutes of coach rides (by row, for ``n`` rows): each road edge they drive at the lower of
    its open-road speed and ``bus_max_speed_kph`` (a coach keeps to its own limit), connectors
    and other edges without a speed at their own time ``t``."""
    speed = road_speed[member]
    each = np.where(
        np.isfinite(speed),
        length_km[member] / np.minimum(np.nan_to_num(speed, nan=1.0), a.bus_max_speed_kph) * 60.0,
        t[member],
    )
    return np.bincount(owner, weights=each, minlength=n).astype(float)
