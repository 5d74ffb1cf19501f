"""Atomic file writes: write to a temporary file in the same folder, then rename over the target.

An interrupted run therefore never leaves a half-written output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_gpkg(path: str | os.PathLike[str], layers: list[tuple[str, Any]], stamp_date: str) -> Path:
    """Write GeoDataFrames (or DataFrames, as attribute tables) as layers of one GeoPackage,
    atomically. GDAL stamps a GeoPackage with the current time; ``OGR_CURRENT_DATE`` pins it to
    ``stamp_date`` (ISO date) so the same inputs give identical bytes."""
    import geopandas as gpd
    import pyogrio

    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = f"{stamp_date}T00:00:00Z"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp) / Path(path).name
            for name, frame in layers:
                if isinstance(frame, gpd.GeoDataFrame):
                    frame.to_file(tmp_path, layer=name, driver="GPKG", engine="pyogrio")
                else:  # an attribute table (GeoPackage 'attributes' data type)
                    pyogrio.write_dataframe(frame, tmp_path, layer=name, driver="GPKG")
            return atomic_write_bytes(path, tmp_path.read_bytes())
    finally:
        if previous is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = previous
