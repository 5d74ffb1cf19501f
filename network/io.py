"""Atomic file writes: write to a temporary file in the same folder, then rename over the target.

An interrupted run therefore never leaves a half-written output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from network.errors import DataError


def _temp_beside(target: Path, suffix: str) -> tuple[int, str]:
    """A new hidden temporary file in ``target``'s folder (created if missing), for an atomic
    rename onto ``target``; one clear error if the folder cannot be written."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "is a directory")
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as err:
        raise DataError(
            f"{target}: cannot write the file ({err.strerror or err}); choose a path in a folder you can write to"
        ) from None


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders)."""
    target = Path(path)
    fd, tmp = _temp_beside(target, ".tmp")
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

    target = Path(path)
    fd, tmp = _temp_beside(target, ".gpkg")  # never in /tmp, where a killed run would strand it
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # GDAL creates the file itself
    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = f"{stamp_date}T00:00:00Z"
    try:
        for name, frame in layers:
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_file(tmp_path, layer=name, driver="GPKG", engine="pyogrio")
            else:  # an attribute table (GeoPackage 'attributes' data type)
                pyogrio.write_dataframe(frame, tmp_path, layer=name, driver="GPKG")
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
        return target
    except BaseException:
        for leftover in (tmp_path, Path(f"{tmp_path}-journal"), Path(f"{tmp_path}-wal"), Path(f"{tmp_path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
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


UNREACHABLE_NOTE = (
    "an empty cell (CSV), null (JSON) or — (tables) is a trip this mode cannot make: for rail "
    "and transit, no station within rail_access_max_km of the place or of the target, or no train "
    "between the stations in reach"
)


def csv_text(df: Any, float_format: str | None = None) -> str:
    """``df`` as CSV text with infinite values (an unreachable trip) as empty cells, like NaN:
    ``inf`` is not a number a spreadsheet reads (see :data:`UNREACHABLE_NOTE`)."""
    import numpy as np

    clean = df.replace([np.inf, -np.inf], np.nan)
    return str(clean.to_csv(index=False, float_format=float_format))


class OutputSet:
    """A folder of outputs written as a whole or not at all.

    Files go into a staging folder created **beside** ``target`` at once (so a missing write
    permission is found before any long work, and a killed run leaves no file in ``target``, only
    a ``.<name>.staging-*`` folder beside it, never in /tmp). :meth:`commit` adds ``manifest.json``
    (every file with its size and SHA-256, and the run's :attr:`warnings`) and swaps the staging
    folder in for ``target``, so files of an earlier run never mix with new ones. ``target`` may be
    new, empty, or a folder an earlier run wrote (it has a ``manifest.json``); any other folder is
    refused rather than replaced.

    Raises
    ------
    DataError
        If ``target`` is a file, a foreign non-empty folder, or its parent cannot be written.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.warnings: list[str] = []  # written into manifest.json (what every file of the set must carry)
        t = self.target
        if t.exists() and not t.is_dir():
            raise DataError(f"{t}: is a file; --out takes a folder (new, or one taihang wrote)")
        if t.is_dir() and any(t.iterdir()) and not (t / "manifest.json").is_file():
            raise DataError(
                f"{t}: the folder holds files taihang did not write (no manifest.json); give a new or "
                "empty folder, so nothing of yours is replaced"
            )
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{t.name}.staging-", dir=t.parent))
        except OSError as err:
            raise DataError(
                f"{t}: cannot write there ({err.strerror or err}); choose a folder you can write to"
            ) from None

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` (inside the staging folder until :meth:`commit`)."""
        return self.staging / relative

    def commit(self) -> Path:
        """Write manifest.json and swap the staging folder in for the target; returns the target."""
        import hashlib
        import json
        import shutil

        files = sorted(p for p in self.staging.rglob("*") if p.is_file())
        manifest: dict[str, Any] = {
            "files": [
                {
                    "path": str(p.relative_to(self.staging)),
                    "bytes": p.stat().st_size,
                    "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                }
                for p in files
            ],
            "warnings": list(dict.fromkeys(self.warnings)),
        }
        atomic_write_text(self.staging / "manifest.json", json.dumps(manifest, indent=1) + "\n")
        old = None
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
            os.rmdir(old)
            os.replace(self.target, old)
        os.replace(self.staging, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def abort(self) -> None:
        """Remove the staging folder (the target is left as it was)."""
        import shutil

        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def resolve_inside(base: Path, relative: str, root: Path) -> tuple[Path | None, str]:
    """``relative`` (a path written in a file in folder ``base``) resolved, if it stays inside
    ``root``: ``(path, "")``; else ``(None, why)`` with ``why`` one of ``"absolute"`` (absolute or
    ``~``), ``"unusable"`` (cannot be resolved) or ``"outside"`` (``..`` or a symlink out of root)."""
    if Path(relative).is_absolute() or relative.startswith("~"):
        return None, "absolute"
    try:
        target = (base / relative).resolve()
        inside = target.is_relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return None, "unusable"
    return (target, "") if inside else (None, "outside")


def write_omx(path: str | os.PathLike[str], table: Any, meta: dict[str, Any]) -> Path:
    """Write a square long table (``origin``, ``destination``, ``minutes``, names) as an
    OpenMatrix file, atomically: one matrix ``minutes`` (NaN where unreachable), zones numbered
    1..n in the mapping ``zone``, and the place ids and names of the zones with ``meta`` as JSON
    in the root attribute ``taihang`` (OMX mappings hold numbers only)."""
    import json

    import numpy as np
    import openmatrix

    zones = list(dict.fromkeys(table["origin"]))
    names = dict(zip(table["origin"], table["origin_zh"]))
    pos = {z: i for i, z in enumerate(zones)}
    grid = np.full((len(zones), len(zones)), np.nan)
    minutes = table["minutes"].to_numpy(dtype=float)
    grid[[pos[o] for o in table["origin"]], [pos[d] for d in table["destination"]]] = np.where(
        np.isfinite(minutes), minutes, np.nan
    )
    target = Path(path)
    fd, name = _temp_beside(target, ".omx")
    os.close(fd)
    tmp = Path(name)
    try:
        f = openmatrix.open_file(str(tmp), "w")
        try:
            f["minutes"] = grid
            f.create_mapping("zone", list(range(1, len(zones) + 1)))
            f.root._v_attrs["taihang"] = json.dumps(
                {"zones": [{"zone": i + 1, "place_id": z, "name_zh": names[z]} for i, z in enumerate(zones)], **meta},
                ensure_ascii=False,
            )
        finally:
            f.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


#: Output formats of the listing commands (``assumptions``, ``data``, ``places``).
LISTING_FORMATS = ("table", "csv", "json")


def listing_text(tables: dict[str, Any], fmt: str, excel: bool = False) -> str:
    """Tables (name → DataFrame) as one text: ``table`` (aligned columns, one block per table),
    ``csv`` (one header; with more than one table a leading ``table`` column says which each row
    is from) or ``json`` (an object of arrays of records, missing values as null). ``excel``
    starts a CSV with a UTF-8 byte-order mark, so Excel and WPS read the Chinese names right."""
    import pandas as pd

    if fmt not in LISTING_FORMATS:
        raise DataError(f"--format {fmt!r}: expected one of {', '.join(LISTING_FORMATS)}")
    if excel and fmt != "csv":
        raise DataError("--excel writes CSV with a byte-order mark; use it with --format csv (or leave --format out)")
    if fmt == "table":
        with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_rows", None):
            blocks = [
                f"{name}:\n{df.to_string(index=False)}" if len(tables) > 1 else df.to_string(index=False)
                for name, df in tables.items()
            ]
        return "\n\n".join(blocks) + "\n"
    if fmt == "json":
        payload = {name: df.to_dict(orient="records") for name, df in tables.items()}
        return dumps_json(payload if len(tables) > 1 else next(iter(payload.values())), indent=1) + "\n"
    frames = (
        [df.assign(table=name)[["table", *df.columns]] for name, df in tables.items()]
        if len(tables) > 1
        else list(tables.values())
    )
    text = csv_text(pd.concat(frames, ignore_index=True))
    return ("\ufeff" if excel else "") + text
