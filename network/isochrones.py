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

Approximate: between modelled roads the disc stands for the local street grid the model does not
carry; areas across mountains from a reached node are included only within the disc.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from network.errors import LookupFailed
from network.geo import EARTH_RADIUS_KM, to_local_xy_km

#: Largest off-network reach drawn around a reached node (km): about the spacing of the modelled
#: main roads in the region's valleys, beyond which the local grid is not a fair assumption.
OFF_NETWORK_MAX_KM = 5.0
_NODE_KINDS = ("road", "station", "place", "airport")


def node_times(model: Any, where: str, mode: str = "best",
               direction: str = "from") -> tuple[Any, np.ndarray, Any]:
    """(endpoint, minutes per compiled node, the model used) from (``from``) or towards
    (``towards``) a place, station, airport or ``lon,lat`` point."""
    if direction not in ("from", "towards"):
        raise LookupFailed(f"direction {direction!r}: expected from or towards")
    ep = model.resolve(where)
    if ep.kind == "point":
        model = model._with_points(ep)
        ep = model._point_endpoint(ep, "origin")
    compiled = model.compiled(mode)
    if direction == "from":
        t = dijkstra(compiled.matrix, indices=compiled.index[ep.origin_node])
    else:
        t = dijkstra(compiled.transposed, indices=compiled.index[ep.destination_node])
    return ep, t, model


def isochrones(model: Any, where: str, minutes: Sequence[float], mode: str = "best",
               direction: str = "from") -> Any:
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
    g = model.graph
    ids = compiled.node_ids
    kinds = np.array([g.nodes[n]["kind"] for n in ids])
    keep = np.isin(kinds, _NODE_KINDS) & np.isfinite(t)
    lon = np.array([g.nodes[n]["lon"] for n in ids])[keep]
    lat = np.array([g.nodes[n]["lat"] for n in ids])[keep]
    tk = t[keep]
    a = model.assumptions
    speed_km_per_min = a.urban_access_speed_kph / a.access_circuity / 60.0
    lat0 = float(ep.lat)
    xy = to_local_xy_km(lon, lat, lat0)
    places = model.places()
    p_rows = [compiled.index[f"place:{p}" if direction == "towards" else f"place:{p}:arrive"]
              for p in places["place_id"]]
    p_time = t[p_rows]
    rows, geoms = [], []
    for th in thresholds:
        inside = tk <= th
        radius = np.minimum((th - tk[inside]) * speed_km_per_min, OFF_NETWORK_MAX_KM)
        pts = shapely.points(xy[inside])
        discs = shapely.buffer(pts, np.maximum(radius, 0.05), quad_segs=8)
        poly = shapely.union_all(discs) if len(discs) else shapely.Polygon()
        rows.append({"place": ep.label, "origin_lon": float(ep.lon), "origin_lat": float(ep.lat),
                     "direction": direction, "mode": mode, "minutes": th,
                     "area_km2": round(float(poly.area), 1),
                     "population_within": int(places["population_2020"].to_numpy()[p_time <= th].sum())})
        geoms.append(_to_lonlat(poly, lat0))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:4326")


def _to_lonlat(geom: Any, lat0: float) -> Any:
    import shapely

    k = np.pi / 180 * EARTH_RADIUS_KM
    kx = k * np.cos(np.radians(lat0))
    return shapely.transform(geom, lambda c: np.column_stack([c[:, 0] / kx, c[:, 1] / k]))


def isochrone_map(gdf: Any, graph: Any, warnings: list[str] | None = None) -> Any:
    """A folium map of the bands (largest first, so smaller ones sit on top) over the network
    (rail, expressways, national roads, stations), with the county-level places named, the origin
    marked and a legend; fitted to the largest band."""
    import folium

    from network.viz.maps import add_legend, add_network, network_bounds, new_map

    if len(gdf):
        w, s, e, n = gdf.geometry.total_bounds
        bounds = (float(w), float(s), float(e), float(n))
    else:
        bounds = network_bounds(graph)
    m = new_map(bounds)
    add_network(m, graph, layers=("hsr", "rail", "expressway", "national"), opacity=0.7)
    palette = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#7f0000"]
    colours = {row["minutes"]: palette[min(k, len(palette) - 1)]
               for k, (_, row) in enumerate(gdf.sort_values("minutes").iterrows())}
    for _, row in gdf.sort_values("minutes", ascending=False).iterrows():
        colour = colours[row["minutes"]]
        folium.GeoJson(row.geometry.__geo_interface__, name=f"within {row['minutes']:g} min",
                       style_function=lambda _f, c=colour: {"color": c, "weight": 1, "fillColor": c,
                                                             "fillOpacity": 0.35},
                       tooltip=f"{row['place']}: within {row['minutes']:g} min ({row['direction']}, {row['mode']}); "
                               f"{row['population_within']:,} people in county-level places").add_to(m)
    names = folium.FeatureGroup(name="Place names")
    from network.viz.maps import _label

    for _, d in graph.nodes(data=True):
        if d.get("kind") == "place" and d.get("place_kind") in ("city", "county"):
            folium.CircleMarker((d["lat"], d["lon"]), radius=2, color="#333", weight=1, fill=True).add_to(names)
            _label(d["name_zh"], d["lat"], d["lon"]).add_to(names)
    names.add_to(m)
    first = gdf.iloc[0] if len(gdf) else None
    if first is not None and "origin_lat" in gdf:
        folium.Marker((first["origin_lat"], first["origin_lon"]), tooltip=f"origin: {first['place']}",
                      icon=folium.DivIcon(html="<div style='font-size:24px;line-height:24px;color:#b10026'>★</div>",
                                          icon_size=(24, 24), icon_anchor=(12, 12))).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    title = (f"Isochrones {first['direction']} {first['place']} ({first['mode']})" if first is not None
             else "Isochrones")
    add_legend(m, title, [(colours[x], f"≤ {x:g} min") for x in sorted(colours)], ["hsr", "rail", "expressway"],
               note="★ origin. Door-to-door network times; off-network reach at urban access speed, ≤ 5 km",
               warnings=warnings)
    return m
