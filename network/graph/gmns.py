"""A road network from a GMNS folder (:mod:`network.sources.gmns`), as a built network.

The result is an :class:`~network.graph.osm.OsmNetwork` (the value ``taihang build`` writes), so
everything that runs on a built network runs on it: routes, matrices, isochrones, scenarios.
Links keep the file's lengths and free speeds (``speed_from = "given"``: no class default, no
draw re-samples them); the file's ``node_id`` stays with each node, so ``node:<id>`` names it in
``route`` and ``matrix``. Places are optional: without them trips run between nodes and
coordinates; with a places file (``--places``) the indicators and scores run as on any network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from network.assumptions import Assumptions, forced_warnings
from network.errors import DataError
from network.graph.osm import OsmNetwork
from network.graph.osm_ways import RailGraph, RoadGraph
from network.sources.default import DefaultData
from network.sources.files import read_user_places
from network.sources.gmns import GmnsNetwork, read_gmns, zone_places


def _node_ids(net: GmnsNetwork) -> np.ndarray:
    try:
        return np.array([int(x) for x in net.node_id], dtype=np.int64)
    except ValueError:
        bad = next(x for x in net.node_id if not str(x).lstrip("-").isdigit())
        raise DataError(
            f"{net.folder / 'node.csv'}: node_id {bad!r} is not an integer; GMNS node ids are integers"
        ) from None


def gmns_road_graph(net: GmnsNetwork) -> RoadGraph:
    """The links of ``net`` as road edges, each drawn straight between its nodes."""
    n = len(net.u)
    empty = np.full(n, "", dtype=object)
    geom_lon = np.column_stack([net.lon[net.u], net.lon[net.v]]).ravel()
    geom_lat = np.column_stack([net.lat[net.u], net.lat[net.v]]).ravel()
    classes = np.array([str(x).strip() or "gmns" for x in net.facility_type], dtype=object)
    return RoadGraph(
        lon=net.lon.astype(float),
        lat=net.lat.astype(float),
        u=net.u.astype(np.int64),
        v=net.v.astype(np.int64),
        length_km=net.length_km.astype(float),
        chain=np.arange(n, dtype=np.int64),
        chain_reversed=np.zeros(n, dtype=bool),
        geom_offsets=np.arange(0, 2 * n + 1, 2, dtype=np.int64),
        geom_lon=geom_lon,
        geom_lat=geom_lat,
        speed_kph=net.free_speed_kph.astype(float),
        speed_source=np.full(n, "given", dtype=object),
        road_class=classes,
        ref=empty.copy(),
        name_zh=np.array([str(x) for x in net.link_name], dtype=object),
        name_en=empty.copy(),
        corridor_id=empty.copy(),
        node_osm_id=_node_ids(net),
    )


def _empty_rails() -> RailGraph:
    z, zi = np.zeros(0), np.zeros(0, dtype=np.int64)
    return RailGraph(lon=z, lat=z, u=zi, v=zi, length_km=z, speed_kph=z)


def build_gmns_network(
    folder: str | Path,
    assumptions: Assumptions | None = None,
    places_path: Path | None = None,
    units: tuple[str, str] | None = None,
    source_date: str | None = None,
) -> OsmNetwork:
    """A built network from the GMNS folder (module docstring).

    Raises
    ------
    DataError
        For every problem of the GMNS files or the places file.
    """
    a = assumptions or Assumptions()
    net = read_gmns(folder, units)
    roads = gmns_road_graph(net)
    zone_warnings: list[str] = []
    if places_path is not None:
        places = read_user_places(places_path)
    else:  # the network's own zones, if it has them (node.csv zone_id, zone.csv)
        places, zone_warnings = zone_places(net)
    pad = 0.05
    bbox = [
        float(net.lon.min()) - pad,
        float(net.lat.min()) - pad,
        float(net.lon.max()) + pad,
        float(net.lat.max()) + pad,
    ]
    data = DefaultData(places=tuple(places))
    folder = Path(folder)
    report: dict[str, Any] = {
        "road_nodes": roads.n_nodes,
        "road_edges": roads.n_edges,
        "gmns_links": len(set(net.link_id.tolist())),
        "units": {"length": net.units[0], "speed": net.units[1]},
        "places": len(places),
        "rail_sections": [],
        "warnings": forced_warnings(a)
        + zone_warnings
        + (
            []
            if places
            else [
                "no places: give --places FILE (place_id, name, population, lon, lat) or zones in the GMNS files "
                "(node.csv zone_id, zone.csv population) to score; trips run between nodes (node:<id>) and coordinates"
            ]
        ),
    }
    meta = {
        "source": f"GMNS {folder.name}",
        "extract_date": source_date,  # GMNS carries no date: None unless the caller knows it
        "bbox": bbox,
        "licence": "as given by the source of the GMNS files (taihang does not know it)",
        "road_classes": sorted(set(roads.road_class.tolist())),
        "services": "none (a GMNS road network)",
        "kind": "gmns",
    }
    return OsmNetwork(data=data, roads=roads, rails=_empty_rails(), meta=meta, report=report)
