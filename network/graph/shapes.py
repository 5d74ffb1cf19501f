"""A network file's road layers in and out a part at a time (:mod:`network.graph.netfile`): a
province's millions of points and lines read as WKB from Arrow and decoded a chunk at a time, and
written as GeoDataFrames of a few hundred thousand edges each, so neither way holds them whole."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from network.graph.osm_ways import RoadGraph

#: Shapes decoded at a time from a road layer (about 60 MB of shapely objects at once).
_SHAPE_CHUNK = 200_000


def _shapes(chunk: np.ndarray) -> np.ndarray:
    import shapely

    return shapely.from_wkb(chunk) if chunk.size and not isinstance(chunk[0], shapely.Geometry) else chunk


def point_xy(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each point (WKB or shapes); NaN for a missing or empty one."""
    import shapely

    xs, ys = [], []
    for s in range(0, len(shapes), _SHAPE_CHUNK):
        pts = _shapes(shapes[s : s + _SHAPE_CHUNK])
        xs.append(shapely.get_x(pts))
        ys.append(shapely.get_y(pts))
    return (np.concatenate(xs), np.concatenate(ys)) if xs else (np.zeros(0), np.zeros(0))


def line_points(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every point of every line (WKB or shapes) and the row it belongs to, a chunk at a time."""
    import shapely

    points, owners = [np.zeros((0, 2))], [np.zeros(0, dtype=np.int64)]
    for s in range(0, len(shapes), _SHAPE_CHUNK):
        c, o = shapely.get_coordinates(_shapes(shapes[s : s + _SHAPE_CHUNK]), return_index=True)
        points.append(c)
        owners.append(o.astype(np.int64) + s)
    return np.vstack(points), np.concatenate(owners)


#: Road edges written to a network file at a time (about 100 MB of shapes and text at once).
_WRITE_PART = 400_000


def _text(values: Any) -> Any:
    """A text column as pandas' compact string array (a NumPy text array of a province's names
    takes hundreds of MB: every row as wide as the longest)."""
    return pd.array(pd.Series(np.asarray(values, dtype=object)).astype(str), dtype="string")


def road_layer_parts(r: RoadGraph) -> list[Any]:
    """The ``road_edges`` layer of ``r`` as parts for :func:`network.io.atomic_write_gpkg`: functions
    that each make the GeoDataFrame of :data:`_WRITE_PART` edges."""
    import geopandas as gpd
    import shapely

    points, owner = r.edge_points()
    first = np.searchsorted(owner, np.arange(r.n_edges + 1))  # where each edge's points begin

    def part(lo: int, hi: int) -> Any:
        rows = slice(lo, hi)
        speed_from = _text(r.speed_source[rows])
        return gpd.GeoDataFrame(
            {
                "u": r.u[rows],
                "v": r.v[rows],
                "length_km": r.length_km[rows],
                "speed_kph": r.speed_kph[rows],
                "speed_from": speed_from,
                # the timing rule the edge is built with (network/graph/timing.py), for readers of the file
                "rule": _text(np.where(speed_from == "default", "osm_default", "road_speed")),
                "road_class": _text(r.road_class[rows]),
                "ref": _text(r.ref[rows]),
                "name_zh": _text(r.name_zh[rows]),
                "name_en": _text(r.name_en[rows]),
                "corridor_id": _text(r.corridor_id[rows] if r.corridor_id.size else [""] * (hi - lo)),
            },
            geometry=shapely.linestrings(points[first[lo] : first[hi]], indices=owner[first[lo] : first[hi]] - lo)
            if hi > lo
            else [],
            crs="EPSG:4326",
        )

    return [
        functools.partial(part, lo, min(lo + _WRITE_PART, r.n_edges)) for lo in range(0, max(r.n_edges, 1), _WRITE_PART)
    ]


def release_memory() -> None:
    """Give back to the system what a large read freed but kept: Arrow's memory pool, and the C
    heap where it is glibc's (``malloc_trim``). A province's network file leaves about 0.5 GB
    behind otherwise, which every later step of the command would carry. Nothing else changes."""
    import ctypes
    import gc

    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except ImportError:
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): the system keeps what it keeps
        pass
