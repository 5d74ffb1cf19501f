"""A service's own running time between two of its stops: what a timetable or a coach line
publishes as its "running time", as the model has it (rides and the dwells between them, from the
network's edge arrays: the minutes of the network asked about, a draw's included).

Used by ``taihang validate-times`` for figures that name a service (a coach's terminal-to-terminal
time), where the quickest trip between the two towns may take another service.
"""

from __future__ import annotations

import math

from network.errors import LookupFailed
from network.geo import haversine_km
from network.graph.network import Network


def service_run_minutes(
    network: Network, service_id: str, origin: tuple[float, float], dest: tuple[float, float]
) -> float:
    """Minutes from the departure of ``service_id`` at its stop nearest ``origin`` (lon, lat) to
    its arrival at the stop nearest ``dest``, riding in the direction that serves them in that
    order: the rides and the dwells between.

    Raises
    ------
    LookupFailed
        If the network has no such service on its date, or the two nearest stops are one.
    """
    g, table = network.graph, network.edge_table
    rides: dict[int, dict[str, tuple[str, tuple[str, str, object]]]] = {}  # direction -> from station -> (to, key)
    dwell: dict[tuple[int, str], tuple[str, str, object]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        if d.get("service_id") != service_id or d.get("kind") not in ("ride", "dwell"):
            continue
        _, _, direction, station = v.split(":", 3)
        if d["kind"] == "ride":
            rides.setdefault(int(direction), {})[u.split(":", 3)[3]] = (station, (u, v, k))
        else:
            dwell[(int(direction), station)] = (u, v, k)
    if not rides:
        raise LookupFailed(f"no service {service_id!r} runs in the network of {network.as_of}")
    stations = {s for seq in rides.values() for s in seq} | {t for seq in rides.values() for t, _ in seq.values()}

    def nearest(point: tuple[float, float]) -> str:
        def km(s: str) -> float:
            n = g.nodes[f"station:{s}"]
            return float(haversine_km(point[0], point[1], n["lon"], n["lat"]))

        return min(sorted(stations), key=km)

    first, last = nearest(origin), nearest(dest)
    if first == last:
        raise LookupFailed(f"service {service_id!r}: both ends are nearest its stop {first!r}")
    for direction, seq in sorted(rides.items()):
        minutes, at = 0.0, first
        while at in seq and at != last:
            to, key = seq[at]
            minutes += float(table.time_min[table.row_of[key]])
            if to != last and (direction, to) in dwell:
                minutes += float(table.time_min[table.row_of[dwell[(direction, to)]]])
            at = to
        if at == last:
            return minutes
    return math.nan
