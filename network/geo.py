"""Small geodesic helpers on WGS84 lon/lat arrays (degrees). Distances in km."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def to_local_xy_km(lon: ArrayLike, lat: ArrayLike, lat0: float) -> NDArray[np.float64]:
    """Equirectangular projection around latitude ``lat0`` (good to <0.5% over a few hundred km).

    Used only to find nearest neighbours with a KD-tree; distances reported are haversine.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    k = np.pi / 180 * EARTH_RADIUS_KM
    return np.column_stack([lon * k * np.cos(np.radians(lat0)), lat * k])


def morton_order(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
    """Permutation that sorts points along a Z-order (Morton) curve.

    Numbering nodes in spatial order keeps graph neighbours close in memory; the reference
    measurements (PERFORMANCE.md) show shuffled numbering running 2-3x slower.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return np.zeros(0, dtype=np.int64)

    def scale(v: NDArray[np.float64]) -> NDArray[np.uint64]:
        lo, hi = float(v.min()), float(v.max())
        span = hi - lo if hi > lo else 1.0
        return ((v - lo) / span * 65535).astype(np.uint64)

    def spread(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
        x = (x | (x << np.uint64(8))) & np.uint64(0x00FF00FF)
        x = (x | (x << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        x = (x | (x << np.uint64(2))) & np.uint64(0x33333333)
        x = (x | (x << np.uint64(1))) & np.uint64(0x55555555)
        return x

    key = spread(scale(lon)) | (spread(scale(lat)) << np.uint64(1))
    return np.argsort(key, kind="stable").astype(np.int64)
