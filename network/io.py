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


def read_bounded_bytes(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file no larger than ``max_bytes``, checked **before** reading.

    Devices (``/dev/zero``), FIFOs, sockets and directories are refused without opening them, so a
    read can neither hang nor fill memory; a file that grows while read is caught too.

    Raises
    ------
    DataError
        Naming the file, what is wrong and the limit.
    """
    import stat

    from network.errors import DataError

    name = os.fspath(path)
    shown = name if len(name) <= 200 else name[:200] + "…"
    try:
        st = os.stat(name)
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise DataError(f"{shown}: cannot read the file ({reason}); expected a {what}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise DataError(f"{shown}: {kind}; give the path of a {what}")
    if st.st_size > max_bytes:
        raise DataError(f"{shown}: {st.st_size:,} bytes; a {what} is at most {max_bytes:,} bytes")
    try:
        with open(name, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise DataError(f"{shown}: cannot read the file ({err.strerror or err}); expected a {what}") from None
    if len(data) > max_bytes:
        raise DataError(f"{shown}: more than {max_bytes:,} bytes; a {what} is at most {max_bytes:,} bytes")
    return data


def json_safe(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None (JSON has neither; an unreachable
    trip is ``null`` with its reason given beside it by the caller), recursively through dicts,
    lists and tuples; NumPy scalars become Python numbers."""
    import math

    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps_json(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`json_safe` ``(obj)`` with ``allow_nan=False`` (strict JSON)."""
    import json

    return json.dumps(json_safe(obj), ensure_ascii=False, allow_nan=False, **kwargs)
