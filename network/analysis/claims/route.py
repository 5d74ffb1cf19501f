"""Claims about routes, not minutes: "no expressway runs direct, one must go round by 长治", "only
roads link us to 运城". Each check looks at the fastest trip from the origin's centre to each
destination (:class:`~network.analysis.claims.spec.RouteCheck`):

* ``via``: the trip passes within ``within_km`` (straight line) of a place: the closest approach
  of its nodes to the place's point;
* ``expressway_all_the_way``: no more than :data:`OFF_EXPRESSWAY_KM` of its road kilometres run
  off expressways (the drive from each centre to its interchange);
* ``fastest_mode``: the door-to-door trip by the best mode has this main mode;
* ``rail_trip``: a trip forced through a train exists at all (stations within rail_access_max_km
  of both ends and trains between them).

A check holds when what the network shows equals the claim's ``expect``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from network.analysis.claims.evaluate import verdict_row
from network.analysis.claims.spec import ClaimFile, RouteCheck
from network.errors import UnreachableError
from network.geo import haversine_km
from network.graph.lookup import Endpoint
from network.model import Model

#: Road kilometres off expressways that a trip "on expressways all the way" may still have: from
#: each city centre to its interchange and back off at the far end (assumed: 5–8 km at each end in
#: a prefecture city; the embedded places sit at the city centres).
OFF_EXPRESSWAY_KM = 15.0


def _road_path(model: Model, o: Endpoint, d: Endpoint, mode: str) -> tuple[list[str], float]:
    nodes, _, _ = model.trips.path(o, d, mode)
    return nodes, float(model.trips.minutes(o, d, mode))


def _endpoints(model: Model, origin: str, dest: str) -> tuple[Model, Endpoint, Endpoint]:
    """The two ends resolved; a ``lon,lat`` end is joined to the roads first (on a copy)."""
    o, d = model.resolve(origin), model.resolve(dest)
    if o.kind == "point" or d.kind == "point":
        model = model._with_points(o, d)
        o, d = model._point_endpoint(o, "origin"), model._point_endpoint(d, "destination")
    return model, o, d


def _edge_attrs(model: Model, nodes: list[str], mode: str) -> list[dict[str, Any]]:
    compiled = model.compiled(mode)
    keys = model.edge_table.keys
    out = []
    for a, b in zip(nodes, nodes[1:]):
        row = compiled.edge_between(compiled.index[a], compiled.index[b])
        out.append(model.graph.edges[keys[row]])
    return out


def _one(model: Model, chk: RouteCheck, origin: str, dest: str) -> tuple[bool | None, float, float, str]:
    """(what the network shows, the number behind it, trip minutes, detail)."""
    model, o, d = _endpoints(model, origin, dest)
    if chk.rail_trip:
        minutes = model.trips.minutes(o, d, "rail")
        found = bool(np.isfinite(minutes))
        return (
            found,
            minutes,
            minutes,
            "a trip by train exists" if found else "no trip by train (no station pair in reach)",
        )
    if chk.fastest_mode is not None:
        m2o = model.trips.to_target("best", d.destination_node)
        main = model.trips.main_mode(m2o, o.origin_node, d.destination_node)
        shown = {"hsr": "rail", "rail": "rail"}.get(main, main)
        return shown == chk.fastest_mode, float("nan"), model.trips.minutes(o, d, "best"), f"fastest by {main}"
    try:
        nodes, minutes = _road_path(model, o, d, chk.mode)
    except UnreachableError as err:
        return None, float("nan"), float("inf"), str(err)
    if chk.via is not None:
        via = model.resolve(chk.via)
        lon = np.array([model.graph.nodes[n]["lon"] for n in nodes])
        lat = np.array([model.graph.nodes[n]["lat"] for n in nodes])
        km = float(np.min(haversine_km(lon, lat, via.lon, via.lat)))
        return (
            km <= chk.within_km,
            round(km, 1),
            minutes,
            f"passes {km:.1f} km from {chk.via} (within {chk.within_km:g} km counts)",
        )
    edges = _edge_attrs(model, nodes, chk.mode)
    road_km = sum(e["length_km"] for e in edges if e.get("kind") == "link")
    exp_km = sum(e["length_km"] for e in edges if e.get("kind") == "link" and e.get("road_class") == "expressway")
    off = road_km - exp_km
    return (
        off <= OFF_EXPRESSWAY_KM,
        round(off, 1),
        minutes,
        f"{exp_km:.0f} of {road_km:.0f} road km on expressways, {off:.0f} km off them ({OFF_EXPRESSWAY_KM:g} allowed)",
    )


def evaluate_routes(model: Model, spec: ClaimFile, network_name: str) -> pd.DataFrame:
    """One row per route check and destination: what the network shows and whether the claim holds."""
    origin = spec.origin.city if spec.origin.city is not None else (spec.origin.places or [""])[0]
    rows = []
    for chk in spec.route_checks:
        for dest in spec.destinations:
            shown, value, minutes, detail = _one(model, chk, origin, dest.place)
            rows.append(
                {
                    "network": network_name,
                    "reading": chk.name,
                    "mode": "best" if chk.fastest_mode else "rail" if chk.rail_trip else chk.mode,
                    "destination": dest.place,
                    "threshold_min": float("nan"),
                    "minutes": minutes,
                    "shows": shown,
                    "expected": chk.expect,
                    "holds": shown is not None and shown == chk.expect,
                    "value": value,
                    "detail": f"{origin} → {dest.place}: {detail}",
                }
            )
    return pd.DataFrame(rows)


def route_verdicts(per: pd.DataFrame, spec: ClaimFile) -> pd.DataFrame:
    """A verdict per network and check: every destination (or any, with ``require``) agrees."""
    groups = per.groupby(["network", "reading", "mode"], sort=False)
    out = [verdict_row(g, spec.require, n, r, m, float("nan"), "minutes") for (n, r, m), g in groups]
    return pd.DataFrame(out)
