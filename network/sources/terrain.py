"""Ground heights of the region and the terrain setting of a road: plain, hilly or mountain.

In: ``data/terrain/altitude_5min.csv`` (``lat, lon, height_m``), the region clipped once from
pvlib's global 5 arc-minute altitude grid by ``tools/clip_terrain.py`` (sources and licence there).
Out: heights at any points (bilinear between cell centres) and each point's **relief**: the
highest less the lowest height at the point and at four points half a cell (1/24 degree, about
4.6 km north-south and 3.8 km east-west) north, south, east and west of it.

Chinese road design sorts terrain into three settings (平原微丘, 重丘, 山岭: plain, hilly,
mountain) and gives each class of road a design speed per setting (e.g. 新晋高速 120 / 100 / 80
km/h; FACTS.md section 7b, 8). A 5' grid resolves the 南太行 escarpment between the 晋城/陵川
plateau and the plain (600–1300 m within one to three cells) but no single grade or valley, so a
road's setting here is the setting of the ground around it, read from the relief with two
thresholds (:class:`~network.assumptions.Assumptions` ``terrain_hilly_relief_m`` and
``terrain_mountain_relief_m``; their reasoning is there). Measured on this grid with this stencil:
the plain cities 0–67 m (新乡 0, 郑州 16, 洛阳 19, 济源 28, 焦作 67), the plateau seats 42–109 m
(晋城 42, 阳城 48, 长治 75, 高平 80, 陵川 94, 沁水 109), the escarpment 185–410 m (阳济 at 35.3 N
112.4 E 185, G207's descent 261, 王屋山 303, 新晋 at 35.55 N 113.55 E 408). Limits: a city at the
foot of a range reads hilly where the range is within about 4 km (运城 237 m, under 中条山).

A road is **steep** where its own mean grade, the height between its ends over its length
(:meth:`TerrainGrid.grade_pct`), reaches ``steep_road_grade_pct``: a road that climbs or descends
for kilometres, where the 实施条例 §46 limits cars to 30 km/h on steep descents and sharp bends.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from network.errors import DataError

#: the grid's cell, degrees (5 arc-minutes)
CELL_DEG = 1.0 / 12.0
#: the stencil's reach: half a cell either way
STENCIL_DEG = CELL_DEG / 2.0
#: terrain settings, in order of their code (0, 1, 2); a road on a sustained grade is "steep"
#: whatever the ground around it (:func:`settings`)
SETTINGS = ("plain", "hilly", "mountain")
STEEP = "steep"


@dataclass(frozen=True)
class TerrainGrid:
    """Heights on a regular latitude/longitude grid of cell centres (rows south to north)."""

    lat0: float
    lon0: float
    step_deg: float
    height_m: NDArray[np.float64]  # (rows, cols)

    def heights(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """Heights at the points, bilinear between the four nearest cell centres (edge cells
        repeat beyond the grid)."""
        rows, cols = self.height_m.shape
        y = np.clip((np.asarray(lat, dtype=float) - self.lat0) / self.step_deg, 0, rows - 1)
        x = np.clip((np.asarray(lon, dtype=float) - self.lon0) / self.step_deg, 0, cols - 1)
        i0 = np.minimum(np.floor(y).astype(int), rows - 2)
        j0 = np.minimum(np.floor(x).astype(int), cols - 2)
        fy, fx = y - i0, x - j0
        h = self.height_m
        return (
            h[i0, j0] * (1 - fy) * (1 - fx)
            + h[i0 + 1, j0] * fy * (1 - fx)
            + h[i0, j0 + 1] * (1 - fy) * fx
            + h[i0 + 1, j0 + 1] * fy * fx
        )

    def grade_pct(
        self,
        lon0: NDArray[np.float64],
        lat0: NDArray[np.float64],
        lon1: NDArray[np.float64],
        lat1: NDArray[np.float64],
        length_km: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """The mean grade (%) of roads from (lon0, lat0) to (lon1, lat1) of ``length_km``: the
        height between their ends over their length (0 where the length is 0). On a 5' grid this is
        the climb of the ground the road crosses, smoothed over about 9 km: it finds a road that
        climbs or descends for kilometres (the escarpment), not a single ramp."""
        rise = np.abs(self.heights(lon1, lat1) - self.heights(lon0, lat0))
        km = np.asarray(length_km, dtype=float)
        return np.divide(rise, km * 10.0, out=np.zeros_like(rise), where=km > 0)

    def relief_m(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """Highest less lowest height at each point and half a cell N, S, E and W of it (module
        docstring)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        d = STENCIL_DEG
        stack = np.stack(
            [
                self.heights(lon, lat),
                self.heights(lon, lat + d),
                self.heights(lon, lat - d),
                self.heights(lon + d, lat),
                self.heights(lon - d, lat),
            ]
        )
        return stack.max(axis=0) - stack.min(axis=0)


def settings(
    relief_m: NDArray[np.float64],
    hilly_m: float,
    mountain_m: float,
    grade_pct: NDArray[np.float64] | None = None,
    steep_pct: float = np.inf,
) -> NDArray[np.object_]:
    """The setting of each relief: plain below ``hilly_m``, mountain from ``mountain_m``, hilly
    between; and "steep" where the road's own ``grade_pct`` (:meth:`TerrainGrid.grade_pct`)
    reaches ``steep_pct``, whatever the ground around it."""
    r = np.asarray(relief_m, dtype=float)
    code = (r >= hilly_m).astype(int) + (r >= mountain_m).astype(int)
    out = np.array(SETTINGS, dtype=object)[code]
    if grade_pct is not None:
        out[np.asarray(grade_pct, dtype=float) >= steep_pct] = STEEP
    return out


@cache
def read_terrain(path: Path) -> TerrainGrid:
    """The grid of ``path`` (module docstring).

    Raises
    ------
    DataError
        If the file is missing, not a complete regular grid, or holds a height off the Earth.
    """
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        lat = np.array([float(r["lat"]) for r in rows])
        lon = np.array([float(r["lon"]) for r in rows])
        h = np.array([float(r["height_m"]) for r in rows])
    except (OSError, KeyError, ValueError) as err:
        raise DataError(
            f"{path}: cannot read the terrain grid ({type(err).__name__}: {str(err)[:80]}); "
            "rebuild it with tools/clip_terrain.py (columns lat, lon, height_m)"
        ) from None
    lats, lons = np.unique(np.round(lat, 5)), np.unique(np.round(lon, 5))
    if lats.size < 2 or lons.size < 2 or lats.size * lons.size != h.size:
        raise DataError(
            f"{path}: not a complete regular grid ({h.size} heights); rebuild it with tools/clip_terrain.py"
        )
    if not np.all((h > -450) & (h < 9000)):
        raise DataError(f"{path}: a height outside -450..9000 m; rebuild it with tools/clip_terrain.py")
    grid = np.full((lats.size, lons.size), np.nan)
    grid[np.searchsorted(lats, np.round(lat, 5)), np.searchsorted(lons, np.round(lon, 5))] = h
    step = float(np.median(np.diff(lats)))
    return TerrainGrid(lat0=float(lats[0]), lon0=float(lons[0]), step_deg=step, height_m=grid)


def settings_at(
    lon: NDArray[np.float64], lat: NDArray[np.float64], hilly_m: float, mountain_m: float
) -> NDArray[np.object_]:
    """The setting (plain, hilly, mountain) of the ground at points, from the embedded grid
    (``data/terrain/``) read with the thresholds of :func:`settings`: where a place or a planned
    line lies, as the road speeds read it."""
    from network.sources.default import data_dir

    grid = read_terrain(data_dir() / "terrain" / "altitude_5min.csv")
    return settings(grid.relief_m(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)), hilly_m, mountain_m)
