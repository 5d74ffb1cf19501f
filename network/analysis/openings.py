"""What each curated expressway changed when it opened: the road trip between its two ends (its
first and last waypoints) on the day before it opened and on the day it opened, in km and minutes,
with the roads each trip takes. Every dated expressway should save time along itself; one that
does not is a fault of the data or the model, and this table is where it shows.

The network of each date is the embedded one as the data has it (:meth:`Model.default`), so the
"before" trip runs on the roads of that day, older national roads and terrain included; other
corridors that opened the same day open in both trips' "after".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from network.errors import NetworkModelError
from network.sources.records import Corridor

#: the earliest day a before/after can be asked about: the network's own first date
EARLIEST = dt.date(2000, 1, 2)


def route_summary(trip: dict[str, Any]) -> str:
    """The roads of a trip, each once in order with its km (stretches under 1 km left out)."""
    parts: list[list[Any]] = []
    for leg in trip["legs"]:
        name = leg.get("road") or leg.get("line") or leg["mode"]
        if parts and parts[-1][0] == name:
            parts[-1][1] += leg["km"]
        else:
            parts.append([name, leg["km"]])
    return " > ".join(f"{n} {km:.0f} km" for n, km in parts if km >= 1.0)


def opening_effects(corridors: Iterable[Corridor], model_for: Callable[[dt.date], Any]) -> list[dict[str, Any]]:
    """One row per dated expressway (module docstring); ``model_for(date)`` gives the network of
    a date. A trip the model cannot make is reported with the reason, not dropped."""
    rows = []
    for c in corridors:
        if c.road_class != "expressway" or c.opened is None or c.opened < EARLIEST or len(c.waypoints) < 2:
            continue
        row: dict[str, Any] = {
            "corridor_id": c.corridor_id,
            "ref": c.ref,
            "name_zh": c.name_zh,
            "opened": c.opened.isoformat() + (" (bound)" if c.opened_bound else ""),
        }
        # its two ends; where an end reaches no road but the new one (a bridgehead), the next
        # waypoint in
        last = len(c.waypoints) - 1
        pairs = [(0, last), (1, last), (0, last - 1), (1, last - 1)]
        problem = ""
        for i, j in (p for p in pairs if p[0] < p[1]):
            (lat0, lon0), (lat1, lon1) = c.waypoints[i], c.waypoints[j]
            ends = (f"{lon0},{lat0}", f"{lon1},{lat1}")
            try:
                before = model_for(c.opened - dt.timedelta(days=1)).route(*ends, mode="road")
                after = model_for(c.opened).route(*ends, mode="road")
                break
            except NetworkModelError as err:
                problem = problem or str(err).splitlines()[0]
        else:
            rows.append({**row, "note": problem})
            continue
        rows.append(
            {
                **row,
                "before_km": before["km"],
                "before_min": before["minutes"],
                "after_km": after["km"],
                "after_min": after["minutes"],
                "saved_min": round(before["minutes"] - after["minutes"], 1),
                "before_route": route_summary(before),
                "note": ""
                if (i, j) == (0, last)
                else f"from waypoint {i + 1} to {j + 1} (an end reaches no other road)",
            }
        )
    return rows
