"""What an edge's time is made of, in words: ``describe`` one edge (``route --json``'s
``made_of``), each rule's formula in one line, and a summary of a graph's edges by rule
(``taihang data``). The formulas themselves are in :mod:`network.graph.timing`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network.assumptions import Assumptions
from network.graph.timing import RULES, Rule, constant_min, layer_speed_kph, terrain_factor

if TYPE_CHECKING:
    import networkx as nx


def _terrain_words(d: dict[str, Any], a: Assumptions) -> str:
    terrain = d.get("terrain") or ""
    if terrain == "steep":
        return f" on a steep grade, at most steep_road_speed_kph {a.steep_road_speed_kph:g}"
    if terrain in ("hilly", "mountain"):
        return f" x {terrain}_road_speed_factor {float(terrain_factor(terrain, a)):g}"
    return ", plain" if terrain == "plain" else ""


def describe(d: dict[str, Any], a: Assumptions) -> str:
    """What the time of the edge with attributes ``d`` is made of, in words, e.g.
    ``expressway at 100 km/h (design 100, legal cap 120); 1.2 km built-up at 40 km/h``.

    >>> from network.assumptions import Assumptions
    >>> describe({"rule": "wait", "headway_min": 30.0}, Assumptions())
    'wait: half of a 30 min headway x 1, capped at 20 min'
    """
    rule = Rule(d.get("rule", "fixed"))
    if rule is Rule.ROAD_LAYER:  # its built-up and tunnel stretches are added by the caller, who sums them over a leg
        cls = d.get("speed_class") or d.get("road_class") or "road"
        design, limit = d.get("design_kph"), d.get("limit_kph")
        speed = layer_speed_kph(d, a)
        if cls == "expressway":
            why = f"design {design:g}" if design else "posted" if limit else "expressway_default_design_speed_kph"
        elif cls in ("national", "provincial"):
            why = f"design {design:g}" if design else f"{cls}_design_speed_kph" + _terrain_words(d, a)
            why += f" x ordinary_road_speed_factor {a.ordinary_road_speed_factor:g}"
        else:
            why = "unclassified_road_speed_kph" + _terrain_words(d, a)
        parts = [f"{cls} at {speed:.0f} km/h ({why})"]
        if limit:
            parts.append(f"posted limit {limit:g} km/h")
        if d.get("circuity_built"):
            parts.append(f"length = straight line x new_road_circuity {a.new_road_circuity:g}")
        return "; ".join(parts)
    if rule is Rule.ROAD_SPEED:
        return f"{d.get('road_class') or 'road'} at {float(d['speed_kph']):.0f} km/h as the source gives it"
    if rule is Rule.OSM_DEFAULT:
        return f"{d.get('road_class')} at its class default {float(d['speed_kph']):.0f} km/h (data/osm_road_speeds.csv)"
    if rule is Rule.CONNECTOR:
        speed = a.unclassified_road_speed_kph if d.get("far") else a.urban_access_speed_kph
        extra = f" + {a.urban_access_allowance_min:g} min at the place" if d.get("allowance") else ""
        return f"access: {float(d['straight_km']):.1f} km straight x {a.access_circuity:g} at {speed:g} km/h{extra}"
    if rule is Rule.WAIT:
        return (
            f"wait: half of a {float(d['headway_min']):g} min headway x {a.headway_factor:g}, "
            f"capped at {a.wait_cap_min:g} min"
        )
    if rule is Rule.RAIL_RIDE:
        cruise = float(d["cruise_min"]) + float(d["cruise_new_min"]) + float(d["cruise_circ_min"])
        return (
            f"train: {float(d['length_km']):.1f} km, cruising {cruise:.1f} min at line speed "
            f"{float(d['v_first_kph']):.0f}-{float(d['v_last_kph']):.0f} km/h, with starting and stopping "
            f"losses, x {1 + a.running_time_supplement:g} (running-time supplement)"
        )
    if rule is Rule.COACH:
        return f"coach: along {len(d['coach_path'])} road edges at up to {a.bus_max_speed_kph:g} km/h"
    if rule is Rule.RAIL_MIX:
        return (
            f"any train: the frequency-weighted mean of {len(set(e[0].split(':')[1] for e in d['mix_path']))} "
            "services' rides between the two stops"
        )
    if rule is Rule.METRO_RIDE:
        return (
            f"metro: {float(d['length_km']):.1f} km in {float(d['hops']):.0f} hops at up to "
            f"{float(d['v_first_kph']):.0f} km/h, {a.metro_dwell_min:g} min at each stop between"
        )
    if rule is Rule.FIXED:
        return f"fixed: {d.get('time_reason')}"
    if rule is Rule.DWELL:
        hub = bool(d.get("hub")) and d.get("mode") == "hsr"
        name = "hsr_hub_dwell_min" if hub else f"{d.get('mode')}_dwell_min"
        return f"dwell: {constant_min(rule, str(d.get('mode', '')), a, hub):g} min ({name})"
    return f"{rule.value.replace('_', ' ')}: {constant_min(rule, '', a):g} min ({RULE_FORMULAS[rule]})"


#: What each rule's minutes are made of, in one line (the module docstring has the table).
RULE_FORMULAS = {
    Rule.ROAD_LAYER: "length at the class speed (design x factor, capped, never above a posted limit; "
    "unpublished designs and other roads x the terrain's factor); built-up part at built_up_speed_kph",
    Rule.ROAD_SPEED: "length / the speed the source gives",
    Rule.OSM_DEFAULT: "length / the class default speed (data/osm_road_speeds.csv)",
    Rule.CONNECTOR: "straight line x access_circuity at urban_access_speed_kph (+ urban_access_allowance_min)",
    Rule.STATION_PROCESSING: "station_processing_min",
    Rule.BUS_BOARDING: "bus_boarding_min",
    Rule.AIR_DEPARTURE: "airport_departure_processing_min",
    Rule.AIR_ARRIVAL: "airport_arrival_processing_min",
    Rule.EGRESS: "station_egress_min",
    Rule.TRANSFER: "transfer_min",
    Rule.DWELL: "hsr/rail/bus/metro_dwell_min (hsr_hub_dwell_min where high-speed lines meet)",
    Rule.WAIT: "min(headway x headway_factor / 2, wait_cap_min)",
    Rule.RAIL_RIDE: "the longer of the kinematic run and cruise + start and stop supplements, "
    "x (1 + running_time_supplement)",
    Rule.COACH: "its roads at min(speed, bus_max_speed_kph)",
    Rule.RAIL_MIX: "the frequency-weighted mean of the rides of the services calling at both stops",
    Rule.METRO_RIDE: "each hop: accelerate, cruise at the top speed, brake (metro_*_mps2); metro_dwell_min between",
    Rule.FIXED: "the time its source gives (time_reason)",
}


def rule_summary(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per rule of the edges of ``graph``: how many edges, of which kinds and modes,
    their km and minutes, and the formula (``taihang data``)."""
    rows: dict[str, dict[str, Any]] = {}
    for _, _, d in graph.edges(data=True):
        r = rows.setdefault(
            d["rule"], {"rule": d["rule"], "edges": 0, "kinds": set(), "modes": set(), "km": 0.0, "minutes": 0.0}
        )
        r["edges"] += 1
        r["kinds"].add(str(d.get("kind", "")))
        r["modes"].add(str(d.get("mode", "")))
        r["km"] += float(d.get("length_km") or 0.0)
        r["minutes"] += float(d["time_min"])
    out = []
    for rule in RULES:
        if rule.value in rows:
            r = rows[rule.value]
            out.append(
                {
                    **r,
                    "kinds": ", ".join(sorted(r["kinds"])),
                    "modes": ", ".join(sorted(r["modes"])),
                    "km": round(r["km"], 1),
                    "minutes": round(r["minutes"], 1),
                    "formula": RULE_FORMULAS[rule],
                }
            )
    return out
