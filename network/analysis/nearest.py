"""Minutes from every place to its nearest (and n-th nearest) facility of each kind, on any network.

Facilities (:data:`FACILITY_KINDS`), read from the network itself, so a scenario's new station,
airport or interchange counts as soon as the scenario adds it:

* ``hsr_station``: a station where a high-speed train stops (an ``hsr`` ride leaves or enters one
  of its stops);
* ``rail_station``: a station where any passenger train stops (``hsr`` or ``rail`` rides; metro
  stations of a city's urban rail are not railway stations and are left out);
* ``airport``: an airport with scheduled passenger flights. Every airport node of a network is one:
  the embedded airports (``data/airports.csv``) are civil airports with scheduled service, and a
  card's general-aviation airfield (``passenger: false``) adds no node;
* ``expressway_entrance``: a road node where an expressway (or motorway) meets another road: the
  builder's own rule for where an expressway can be entered (:mod:`network.graph.build`).

Minutes are by road, door to the facility's street side (a station's forecourt, an airport's
landside, the entrance itself): the access allowance of the place's connector and the road
legs, as in every trip of the model; no station processing or check-in, no wait. Exact: the
places' cached road search where it fits (:data:`CHUNK_BYTES`), else one Dijkstra per facility on
the reversed road graph or per place, whichever side is smaller, in memory-bounded chunks
(:func:`network.routing.matrix.block_minutes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from network.indicators.nearest import far_summary, nth_nearest

if TYPE_CHECKING:
    from network.model import Model

FACILITY_KINDS = ("hsr_station", "rail_station", "airport", "expressway_entrance")

#: What each kind means, for tables and the docs.
FACILITY_WORDS = {
    "hsr_station": "station with high-speed trains",
    "rail_station": "station with passenger trains",
    "airport": "airport with scheduled flights",
    "expressway_entrance": "expressway entrance (interchange)",
}

#: The same, counted (for the notes).
FACILITY_PLURALS = {
    "hsr_station": "stations with high-speed trains",
    "rail_station": "stations with passenger trains",
    "airport": "airports with scheduled flights",
    "expressway_entrance": "expressway entrances (interchanges)",
}

#: What no kind's minutes can see.
OUTSIDE_NOTE = (
    "a facility outside the network (past its edge or missing from its data) is not counted, so places near "
    "the edge may read farther than they are"
)

#: Bytes a search from every place may take (places × nodes × 8) for its rows to be held and reused
#: (TripSearch.road_from, cached per network): 256 MB, the embedded network's 87 places take 5 MB;
#: above it (a province) the minutes come from memory-bounded chunked searches that keep only the
#: columns asked for (:func:`network.routing.matrix.block_minutes`).
CHUNK_BYTES = 256 * 2**20

_EXPRESSWAY_CLASSES = ("expressway", "motorway")


def _stop_station(node_id: str) -> str:
    """The station id of a stop node (``dep:<service>:<dir>:<station>``, ``arr:...``, or
    ``mixdep:<mode>:<s>:<t>``: the boarding station s; ``mixarr``: the alighting station t)."""
    parts = node_id.split(":")
    if parts[0] == "mixdep":
        return parts[2]
    return parts[-1]


def facility_nodes(model: Model, kind: str) -> list[tuple[str, str]]:
    """(road-graph node, name) of every facility of ``kind`` on the model's network, sorted by node."""
    if kind not in FACILITY_KINDS:
        raise ValueError(f"unknown facility kind {kind!r}; expected one of {', '.join(FACILITY_KINDS)}")
    network = model.network
    nodes = network.nodes
    if kind == "expressway_entrance":
        return _entrances(model)
    if kind == "airport":
        found = [n for n, d in network.named_nodes() if d["kind"] == "airport"]
    else:
        et = network.edge_table
        modes = ["hsr"] if kind == "hsr_station" else ["hsr", "rail"]
        rows = np.flatnonzero(np.isin(et.mode, modes) & (et.kind == "ride"))
        ids = et.node_ids
        stations = {_stop_station(ids[int(i)]) for i in np.concatenate([et.u[rows], et.v[rows]])}
        found = [f"station:{s}" for s in stations if f"station:{s}" in nodes]
    return sorted((n, str(nodes[n].get("name_zh") or n)) for n in found)


def _entrances(model: Model) -> list[tuple[str, str]]:
    """Road nodes where an expressway meets another road, named after the expressway (its ref
    and name where the edge has them). Road edges kept as arrays are read from the road layer's
    arrays, the others one by one; the graph is never built for this."""
    from network.graph.osm_ways import RoadGraph
    from network.graph.road_arrays import EdgeKeys

    network = model.network
    et = network.edge_table
    road = np.flatnonzero(et.mode == "road")
    keys = et.keys
    in_arrays = keys.road_rows if isinstance(keys, EdgeKeys) and not network.has_graph else 0
    layer = network.roads if in_arrays else None
    fast = np.zeros(len(road), dtype=bool)
    labels: dict[int, str] = {}
    arrays = road < in_arrays
    if arrays.any():  # the road layer's own arrays, compared at once (a province has millions of rows)
        assert isinstance(layer, RoadGraph)
        classes = np.asarray(layer.road_class).astype(str)[road[arrays]]
        fast[arrays] = np.isin(classes, _EXPRESSWAY_CLASSES)
        for i in road[arrays][fast[arrays]].tolist():
            ref, zh = layer.ref[i], layer.name_zh[i]
            labels[i] = " ".join(str(x) for x in (ref, zh) if x) or "expressway"
    for j in np.flatnonzero(~arrays).tolist():  # the graph's own road edges, one by one
        i = int(road[j])
        d = network.edge_data(keys[i])
        if str(d.get("road_class") or "") in _EXPRESSWAY_CLASSES:
            fast[j] = True
            labels[i] = " ".join(str(x) for x in (d.get("ref"), d.get("name_zh")) if x) or "expressway"
    ends = np.concatenate([et.u[road], et.v[road]])
    is_fast = np.concatenate([fast, fast])
    entrances = np.intersect1d(ends[is_fast], ends[~is_fast])
    name: dict[int, str] = {}
    for j in np.flatnonzero(fast).tolist():
        i = int(road[j])
        for n in (int(et.u[i]), int(et.v[i])):
            if n not in name or labels[i] < name[n]:
                name[n] = labels[i]
    ids = et.node_ids
    return sorted((ids[int(n)], f"{name[int(n)]} entrance") for n in entrances)


def nearest_matrix(
    model: Model, origins: Sequence[str], facilities: Sequence[str], n: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Road minutes from each of ``origins`` (graph nodes) to its ``n`` nearest of ``facilities``
    (graph nodes) and which they are (indices into ``facilities``, -1 past the reachable ones);
    ``(len(origins), n)`` each, nearest first, ties to the lower index."""
    road = model.trips.compiled("road")
    o = np.array([road.index[x] for x in origins], dtype=np.int64)
    f = np.array([road.index[x] for x in facilities], dtype=np.int64)
    if 0 < len(o) and len(o) * road.matrix.shape[0] * 8 <= CHUNK_BYTES and len(f):
        # small enough to hold: the road search from the places, cached per network and shared with
        # the base network's when a scenario leaves the roads alone (TripSearch.road_from)
        dist, _ = model.trips.road_from(list(origins))
        return nth_nearest(np.atleast_2d(dist)[:, f], n)
    return nearest_on_matrix(road.matrix, road.transposed, o, f, n)


def nearest_on_matrix(
    matrix: Any, transposed: Any, origins: np.ndarray, facilities: np.ndarray, n: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`nearest_matrix` on a CSR ``matrix`` (and its transpose), rows as indices: the
    origins × facilities minutes of :func:`~network.routing.matrix.block_minutes` (searched from
    the smaller side, in memory-bounded chunks), then the ``n`` nearest of each origin."""
    from network.routing.matrix import block_minutes

    return nth_nearest(block_minutes(matrix, transposed, origins, facilities), n)


def coverage_note(kind: str, found: Sequence[tuple[str, str]]) -> str:
    """What a kind's minutes can see: the facilities of the network, no others."""
    listed = f": {', '.join(name for _, name in found)}" if 0 < len(found) <= 6 else ""
    return f"{len(found)} {FACILITY_PLURALS[kind]} in the network{listed}; {OUTSIDE_NOTE}"


def nearest_facilities(model: Model, kinds: Sequence[str] = FACILITY_KINDS, n: int = 1) -> pd.DataFrame:
    """One row per county-level place, facility kind and rank (1 = nearest, up to ``n``): the
    road minutes to that facility and which it is (module docstring). A kind the network has none
    of gives ``inf`` minutes and an empty facility."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    places = model.places()
    origins = [f"place:{p}" for p in places["place_id"]]
    frames = []
    for kind in kinds:
        found = facility_nodes(model, kind)
        t, c = nearest_matrix(model, origins, [x[0] for x in found], n)
        for rank in range(n):
            col = c[:, rank]
            frames.append(
                pd.DataFrame(
                    {
                        "place_id": places["place_id"].to_numpy(),
                        "name_zh": places["name_zh"].to_numpy(),
                        "city_zh": places["city_zh"].to_numpy(),
                        "population_2020": places["population_2020"].to_numpy(),
                        "facility": kind,
                        "rank": rank + 1,
                        "minutes": np.round(t[:, rank], 1),
                        "facility_node": [found[k][0] if k >= 0 else "" for k in col],
                        "facility_name": [found[k][1] if k >= 0 else "" for k in col],
                        "note": coverage_note(kind, found),
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["facility", "rank", "place_id"], kind="stable").reset_index(drop=True)


def place_groups(model: Model) -> pd.DataFrame:
    """Each county-level place's groups: ``prefecture``; ``terrain`` (plain, hilly or mountain: the
    relief of the embedded terrain grid at the place's point, read with the thresholds the road
    speeds use, :mod:`network.sources.terrain`); ``size`` (population class, :data:`SIZE_CLASSES`)."""
    from network.sources.terrain import settings_at

    places = model.places()
    a = model.assumptions
    lon, lat = places["lon"].to_numpy(dtype=float), places["lat"].to_numpy(dtype=float)
    terrain = settings_at(lon, lat, a.terrain_hilly_relief_m, a.terrain_mountain_relief_m)
    pop = places["population_2020"].to_numpy(dtype=float)
    size = np.array([label for _, label in SIZE_CLASSES], dtype=object)[
        np.searchsorted([lo for lo, _ in SIZE_CLASSES], pop, side="right") - 1
    ]
    return pd.DataFrame(
        {
            "place_id": places["place_id"],
            "prefecture": places["city_zh"],
            "terrain": terrain,
            "size": size,
        }
    )


#: Population classes of county-level places (lower bound, label). The bands are this tool's
#: reporting steps, not an official classification: the region's counties run from about 100,000
#: to 2 million people (2020 census), and three bands split them into small, middle and large.
SIZE_CLASSES = ((0, "under 300k"), (300_000, "300k-600k"), (600_000, "600k and over"))


def nearest_by_group(table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Who is left far from each kind of facility: per kind (rank 1), per grouping (prefecture,
    terrain, size) and group, :func:`network.indicators.nearest.far_summary`."""
    first = table[table["rank"] == 1].merge(groups, on="place_id", how="left", validate="many_to_one")
    frames = []
    for kind, sub in first.groupby("facility", sort=False):
        for grouping in ("prefecture", "terrain", "size"):
            f = far_summary(sub["minutes"], sub["population_2020"], sub[grouping].astype(str), sub["name_zh"])
            f.insert(0, "grouping", grouping)
            f.insert(0, "facility", kind)
            frames.append(f[(f["group"] != "all") | (grouping == "prefecture")])
    return pd.concat(frames, ignore_index=True)


def nearest_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The nearest facility of each kind before and after a change, per place (rank 1 of
    :func:`nearest_facilities` on each network): minutes, the gain (before − after: positive =
    closer) and which facility is nearest on each."""
    keys = ["place_id", "facility"]
    b = before[before["rank"] == 1]
    a = after[after["rank"] == 1][[*keys, "minutes", "facility_name", "note"]]
    out = b.drop(columns=["rank", "facility_node", "note"]).merge(
        a, on=keys, how="left", suffixes=("_before", "_after"), validate="one_to_one"
    )
    with np.errstate(invalid="ignore"):
        gain = out["minutes_before"].to_numpy(dtype=float) - out["minutes_after"].to_numpy(dtype=float)
    # a place that could not reach any facility of a kind and now can gains without bound: say inf
    out["gain_min"] = np.where(np.isnan(gain), np.inf, np.round(gain, 1))
    cols = [
        "place_id",
        "name_zh",
        "city_zh",
        "population_2020",
        "facility",
        "minutes_before",
        "minutes_after",
        "gain_min",
        "facility_name_before",
        "facility_name_after",
        "note",
    ]
    return out[cols]
