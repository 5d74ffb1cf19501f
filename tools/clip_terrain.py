"""Clip the region's ground heights from pvlib's global altitude grid into ``data/terrain/`` (run once).

The embedded network reads the CSV this writes at run time, so neither pvlib nor h5py is a
dependency of taihang. To refresh it (pvlib 0.16.1 was used)::

    pip install pvlib==0.16.1 h5py && python tools/clip_terrain.py

Source: ``pvlib/data/Altitude.h5`` (pvlib, BSD-3-Clause), HDF5 dataset ``Altitude``, 2160 x 4320
uint8 cells of 5 arc-minutes (1/12 degree) on WGS84; cell (i, j) has its centre at latitude
90 - 1/24 - i/12 and longitude -180 + 1/24 + j/12; height = code x 28 - 450 m (28 m steps), code
255 = no data (pvlib.location.lookup_altitude, whose formula this follows). pvlib's docstring: a
low-resolution map aggregated by Mapzen from open sources (SRTM and GMTED2010 courtesy of the U.S.
Geological Survey, ETOPO1 of the U.S. NOAA); "can have significant errors (100+ meters)".

Out: ``data/terrain/altitude_5min.csv`` with ``lat, lon, height_m`` for every cell centre inside the
region's bounding box (data/dataset.yaml) widened by half a degree, rows north to south, west to east.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from network.io import atomic_write_text  # noqa: E402
from network.sources.default import REGION_BBOX  # noqa: E402

CELL_DEG = 1.0 / 12.0
MARGIN_DEG = 0.5
NO_DATA = 255


def main() -> None:
    import importlib.util

    import h5py  # type: ignore[import-not-found]
    import numpy as np

    spec = importlib.util.find_spec("pvlib")  # the file only: pvlib itself is not imported
    if spec is None or spec.origin is None:
        raise SystemExit("pvlib is not installed: pip install pvlib==0.16.1 h5py")
    path = Path(spec.origin).parent / "data" / "Altitude.h5"
    with h5py.File(path, "r") as f:
        grid = f["Altitude"][:]
    west, south, east, north = REGION_BBOX
    lats = 90.0 - CELL_DEG / 2 - np.arange(grid.shape[0]) * CELL_DEG
    lons = -180.0 + CELL_DEG / 2 + np.arange(grid.shape[1]) * CELL_DEG
    rows = np.flatnonzero((lats >= south - MARGIN_DEG) & (lats <= north + MARGIN_DEG))
    cols = np.flatnonzero((lons >= west - MARGIN_DEG) & (lons <= east + MARGIN_DEG))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["lat", "lon", "height_m"])
    missing = 0
    for i in rows:
        for j in cols:
            code = int(grid[i, j])
            if code == NO_DATA:
                missing += 1
                continue
            w.writerow([f"{lats[i]:.5f}", f"{lons[j]:.5f}", code * 28 - 450])
    target = ROOT / "data" / "terrain" / "altitude_5min.csv"
    target.parent.mkdir(exist_ok=True)
    atomic_write_text(target, out.getvalue())
    print(f"wrote {target.relative_to(ROOT)}: {len(rows)} x {len(cols)} cells, {missing} without data")


if __name__ == "__main__":
    main()
