"""Isochrones: the area within T minutes of a place (from it, or towards it), from network times.

In: a :class:`~network.model.Model`, a place (or station, airport, ``lon,lat``), thresholds in
minutes, a mode. Out: one polygon per threshold (a GeoDataFrame, EPSG:4326) with its area and the
population of the places inside its time, plus a folium map.

Method. One Dijkstra from the place's origin node (``from``) or one on the reversed graph from its
destination node (``towards``) gives the door-to-door time to or from every network node. Every
road, station, place and airport node reached within T is a centre of a disc whose radius is the
time left, at ``urban_access_speed_kph`` over ``access_circuity`` (travel off the modelled roads),
capped at :data:`OFF_NETWORK_MAX_KM`. The isochrone is the union of those discs. A longer time
gives every node a larger (or equal) disc and reaches a superset of nodes, so the bands nest
exactly. Times come from the network only: nothing is a straight-line buffer of the place.

Modes mean what they mean for a route (:mod:`network.model`). By ``rail`` or ``transit`` every
time rides a train (or coach, plane): road to a station within ``rail_access_max_km``, processing,
the wait and the ride, road on from a station within the same reach
(:meth:`~network.routing.trips.TripSearch.rail_times_from`). The town next door is then outside
the hour unless a train gets there within it; ``best`` is the area a traveller reaches any way.

Approximate: between modelled roads the disc stands for the local street grid the model does not
carry; areas across mountains from a reached node are included only within the disc.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from network.errors import LookupFailed
from network.geo import EARTH_RADIUS_KM, to_local_xy_km
from network.model import Model
from network.search import search

#: Largest off-network reach drawn around a reached node (km): about the spacing of the modelled
#: main roads in the region's valleys, beyond which the local grid is not a fair assumption.
OFF_NETWORK_MAX_KM = 5.0
_NODE_KINDS = ("road", "station", "place", "airport")


def node_times(model: Model, where: str, mode: str = "best", direction: str = "from") -> tuple[Any, np.ndarray, Any]:
    """(endpoint, minutes per compiled node, the model used) from (``from``) or towards
    (``towards``) a place, station, airport or ``lon,lat`` point."""
    if direction not in ("from", "towards"):
        raise LookupFailed(f"direction {direction!r}: expected from or towards")
    ep = model.resolve(where)
    if ep.kind == "point":
        model = model._with_points(ep)
        ep = model._point_endpoint(ep, "origin")
    compiled = model.compiled(mode)
    if mode in ("rail", "transit"):  # forced to ride, as route --mode rail|transit (model.py)
        if direction == "from":
            t = model.trips.rail_times_from(ep.origin_node, mode)
        else:
            t = model.trips.rail_times(compiled.node_ids, ep.destination_node, mode)[0]
    elif direction == "from":
        t = search(compiled.matrix, compiled.index[ep.origin_node])
    else:
        t = search(compiled.transposed, compiled.index[ep.destination_node])
    return ep, t, model


def isochrones(model: Model, where: str, minutes: Sequence[float], mode: str = "best", direction: str = "from") -> Any:
    """One polygon per threshold (module docstring). Columns: ``minutes``, ``area_km2``,
    ``population_within`` (county-level places whose door-to-door time is within), ``mode``,
    ``direction``, ``place``."""
    import geopandas as gpd
    import shapely

    thresholds = sorted(float(m) for m in minutes)
    if not thresholds or thresholds[0] <= 0:
        raise LookupFailed("isochrone minutes must be numbers > 0, e.g. 30,60,90,120,180")
    ep, t, model = node_times(model, where, mode, direction)
    compiled = model.compiled(mode)
    kinds = _node_kinds(model, compiled.node_ids)
    keep = np.isin(kinds, _NODE_KINDS) & np.isfinite(t)
    lon, lat = compiled.edges.lon[keep], compiled.edges.lat[keep]  # the edge table's node order
    tk = t[keep]
    a = model.assumptions
    speed_km_per_min = a.urban_access_speed_kph / a.access_circuity / 60.0
    lat0 = float(ep.lat)
    xy = to_local_xy_km(lon, lat, lat0)
    places = model.places()
    p_rows = [
        compiled.index[f"place:{p}" if direction == "towards" else f"place:{p}:arrive"] for p in places["place_id"]
    ]
    p_time = t[p_rows]
    rows, geoms = [], []
    for th in thresholds:
        inside = tk <= th
        radius = np.minimum((th - tk[inside]) * speed_km_per_min, OFF_NETWORK_MAX_KM)
        pts = shapely.points(xy[inside])
        discs = shapely.buffer(pts, np.maximum(radius, 0.05), quad_segs=8)
        poly = shapely.union_all(discs) if len(discs) else shapely.Polygon()
        rows.append(
            {
                "place": ep.label,
                "origin_lon": float(ep.lon),
                "origin_lat": float(ep.lat),
                "direction": direction,
                "mode": mode,
                "minutes": th,
                "area_km2": round(float(poly.area), 1),
                "population_within": int(places["population_2020"].to_numpy()[p_time <= th].sum()),
            }
        )
        geoms.append(_to_lonlat(poly, lat0))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:4326")


def _node_kinds(model: Model, ids: list[str]) -> np.ndarray:
    """The ``kind`` of every node in array order, read from the graph once per model."""
    key = f"node_kinds:{len(ids)}"
    if key not in model._cache:
        nodes = model.graph.nodes
        model._cache[key] = np.array([nodes[n]["kind"] for n in ids])
    out: np.ndarray = model._cache[key]
    return out


def _to_lonlat(geom: Any, lat0: float) -> Any:
    import shapely

    k = np.pi / 180 * EARTH_RADIUS_KM
    kx = k * np.cos(np.radians(lat0))
    return shapely.transform(geom, lambda c: np.column_stack([c[:, 0] / kx, c[:, 1] / k]))
