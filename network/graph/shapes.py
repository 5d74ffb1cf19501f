"""Coordinates out of many shapes at once: a network file's road layers (a province's millions of
points and lines) as WKB from Arrow, decoded a chunk at a time, so no GeoDataFrame of them is
ever held (:mod:`network.graph.netfile`)."""

from __future__ import annotations

import numpy as np

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
