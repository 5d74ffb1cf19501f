"""The multimodal graph's attribute schema, documented once and checked by one validator.

The graph is a ``networkx.MultiDiGraph``. Times are minutes, lengths km, speeds km/h, positions
WGS84 degrees. Dates are ISO strings (``YYYY-MM-DD``) or None.

Nodes (``kind`` and id pattern)
-------------------------------
============  ===========================  ==========================================================
kind          id                           meaning
============  ===========================  ==========================================================
road          ``r<n>``                     a node of the road geometry
place         ``place:<place_id>``         a place as trip origin (edges leave it only)
place_arrive  ``place:<place_id>:arrive``  the same place as destination (edges enter it only), so
                                           no path passes through a place
station       ``station:<station_id>``     a station's street side (road access)
inside        ``inside:<station_id>``      past security, on the concourse
stop_dep      ``dep:<service>:<dir>:<st>`` a train of a service ready to leave a stop (dir +1/-1)
stop_arr      ``arr:<service>:<dir>:<st>`` the same train arrived at a stop
stop_dep      ``mixdep:<mode>:<s>:<t>``    boarding the first of the trains calling at s and then t
stop_arr      ``mixarr:<mode>:<s>:<t>``    arrived at t on it (network/graph/service_mix.py)
airport       ``airport:<airport_id>``     an airport's landside
airside       ``airside:<airport_id>``     past security at an airport
============  ===========================  ==========================================================

Every node has ``kind``, ``lon``, ``lat``; named nodes also ``name_zh``, ``name_en``, ``source``.

Edges
-----
``mode``: road, access, station, hsr, rail, air, bus. ``kind``: link (a road), connector (a
place, station or airport to the road), processing (security/boarding buffer or terminal),
wait (boarding a service: wait from headway), ride (in-vehicle), dwell (staying on board at a
stop), egress (leaving a station), transfer (between platforms). Every edge has ``time_min``
(>= 0, finite), ``length_km`` (>= 0), ``mode``, ``kind``, ``source``; rides and links carry
``name_zh``/``name_en``/``ref`` where known, ``line_id``/``service_id``/``corridor_id`` where
they belong to one, and ``opened``. Rides may carry ``geometry``: a list of (lon, lat) along the
track, for drawing only (``time_min`` and ``length_km`` never derive from it). An edge a
scenario added or changed carries ``card``: the cards that made it, in order, joined by "; "
(:func:`edge_cards`).

Mode filters (:data:`MODE_SETS`) say which edge modes a trip may use.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from network.errors import DataError

if TYPE_CHECKING:
    import networkx as nx

NODE_KINDS = {"road", "place", "place_arrive", "station", "inside", "stop_dep", "stop_arr", "airport", "airside"}
EDGE_MODES = {"road", "access", "station", "hsr", "rail", "metro", "air", "bus"}
EDGE_KINDS = {"link", "connector", "processing", "wait", "ride", "dwell", "egress", "transfer"}
TRANSIT_MODES = {"hsr", "rail", "metro", "air", "bus"}

#: Which edge modes each routing mode may use. "rail" means rail (HSR or conventional) with road
#: access at both ends (a city's metro between its railway stations included); "transit" is public
#: transport (rail, coach or air) with road access;
#: "best" allows everything, so it is never slower than the others.
MODE_SETS: dict[str, frozenset[str]] = {
    "road": frozenset({"road", "access"}),
    "rail": frozenset({"road", "access", "station", "hsr", "rail", "metro"}),
    "transit": frozenset({"road", "access", "station", "hsr", "rail", "metro", "bus", "air"}),
    "best": frozenset(EDGE_MODES),
}

#: Edge modes of a platform-to-platform trip between two stations: trains (or coaches) and the
#: station's own links (transfers), never a road leg.
PLATFORM_MODE_SETS: dict[str, frozenset[str]] = {
    "rail_platform": frozenset({"station", "hsr", "rail", "metro"}),
    "transit_platform": frozenset({"station", "hsr", "rail", "metro", "bus"}),
}


def edge_cards(data: dict[str, Any]) -> list[str]:
    """The scenario cards that added or changed an edge (its ``card`` attribute), in order; none
    for an edge of the base network.

    >>> edge_cards({"card": "a_link; b_widening"}), edge_cards({})
    (['a_link', 'b_widening'], [])
    """
    return [c for c in str(data.get("card") or "").split("; ") if c]


def validate_graph(graph: nx.MultiDiGraph) -> None:
    """Check every node and edge against the schema.

    Raises
    ------
    DataError
        Listing up to 20 violations (node or edge, attribute, value found, what is expected).
    """
    problems: list[str] = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in NODE_KINDS:
            problems.append(f"node {node!r}: kind {data.get('kind')!r}, expected one of {sorted(NODE_KINDS)}")
        for key in ("lon", "lat"):
            if not isinstance(data.get(key), (int, float)) or not math.isfinite(data[key]):
                problems.append(f"node {node!r}: {key} {data.get(key)!r}, expected a finite number")
    for u, v, data in graph.edges(data=True):
        t = data.get("time_min")
        if not isinstance(t, (int, float)) or not (t >= 0 and math.isfinite(t)):
            problems.append(f"edge {u!r}->{v!r}: time_min {t!r}, expected a finite number >= 0")
        length = data.get("length_km")
        if not isinstance(length, (int, float)) or not length >= 0:
            problems.append(f"edge {u!r}->{v!r}: length_km {length!r}, expected a number >= 0")
        if data.get("mode") not in EDGE_MODES:
            problems.append(f"edge {u!r}->{v!r}: mode {data.get('mode')!r}, expected one of {sorted(EDGE_MODES)}")
        if data.get("kind") not in EDGE_KINDS:
            problems.append(f"edge {u!r}->{v!r}: kind {data.get('kind')!r}, expected one of {sorted(EDGE_KINDS)}")
        if len(problems) > 20:
            break
    if problems:
        raise DataError("graph violates the schema (network/graph/schema.py):\n  " + "\n  ".join(problems[:20]))
