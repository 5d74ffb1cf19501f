"""Atomic file writes: write to a temporary file in the same folder, then rename over the target.

An interrupted run therefore never leaves a half-written output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from network.errors import DataError

#: Every temporary file or folder taihang makes beside a target is named
#: ``.<target name>.taihang-<pid>-<random><suffix>``: the pid lets a later run into the same place
#: tell a leftover of a killed run (its process is gone) from the work of a run still going.
_MARK = "taihang"
_STEM_CHARS = 60  # of the target's name in a temporary name (names are at most 255 bytes; UTF-8 is up to 4 a char)


def umask() -> int:
    """The process's umask, read without changing it where Linux allows (``/proc/self/status``),
    else by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new output file: what ``open()`` would give (0644 under umask 022)."""
    return 0o666 & ~umask()


def dir_mode() -> int:
    """Mode of a new output folder: what ``mkdir`` would give (0755 under umask 022)."""
    return 0o777 & ~umask()


def _prefix(target: Path) -> str:
    return f".{target.name[:_STEM_CHARS]}.{_MARK}-"


def _shown(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    return name if len(name) <= 200 else name[:200] + "…"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's live process (or a pid we cannot ask about): leave its files
    return True


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what a killed run left beside ``target`` (temporary files and staging folders named
    by :func:`_prefix`, whose process no longer runs); returns what was removed. Never touches
    anything else, nor the files of a run still going."""
    import shutil

    removed: list[Path] = []
    prefix = _prefix(target)
    try:
        entries = list(os.scandir(target.parent if str(target.parent) else "."))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def check_file_target(target: Path, what: str = "--out") -> None:
    """Refuse to replace anything but a regular file: a device (``/dev/null``), FIFO, socket,
    folder or symbolic link at ``target`` stays as it is, and the message says so.

    Raises
    ------
    DataError
        Naming the path, what it is and the fix.
    """
    import stat

    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as err:
        raise DataError(
            f"{_shown(target)}: cannot write there ({err.strerror or err}); choose a path in a folder you can write to"
        ) from None
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISLNK: "a symbolic link (give the file it points to, or another name)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISFIFO: "a FIFO (named pipe)",
        stat.S_ISSOCK: "a socket",
    }
    for test, kind in kinds.items():
        if test(st.st_mode):
            raise DataError(
                f"{_shown(target)}: is {kind}; {what} writes a regular file and replaces only a regular file. "
                "Give a file name (or '-' for the terminal where the format streams)"
            )
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{_shown(target)}: not a regular file; {what} replaces only a regular file")


def _temp_beside(target: Path, suffix: str) -> tuple[int, str]:
    """A new hidden temporary file in ``target``'s folder (created if missing), for an atomic
    rename onto ``target``; one clear error if the folder cannot be written or ``target`` is not
    a regular file. Leftovers of killed runs into the same place are removed first."""
    check_file_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target)
        return tempfile.mkstemp(prefix=f"{_prefix(target)}{os.getpid()}-", suffix=suffix, dir=target.parent)
    except OSError as err:
        raise DataError(
            f"{_shown(target)}: cannot write the file ({err.strerror or err}); choose a path in a folder you can "
            "write to"
        ) from None


def _write_failed(target: Path, err: OSError) -> DataError:
    import errno

    hint = "free some space" if err.errno in (errno.ENOSPC, errno.EDQUOT) else "choose a path you can write to"
    return DataError(f"{_shown(target)}: cannot write the file ({err.strerror or err}); nothing was written; {hint}")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders): a temporary file beside
    it, renamed over it. Only a regular file is replaced (:func:`check_file_target`); the mode
    follows the umask; a failure (a full disk too) leaves the target as it was.

    Raises
    ------
    DataError
        If the target is not a regular file, or the write fails (the message says why).
    """
    target = Path(path)
    fd, tmp = _temp_beside(target, ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())  # mkstemp creates 0600; outputs follow the umask like any file
        check_file_target(target)  # again: something may have been put there during the write
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _write_failed(target, err) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_text_or_stdout(path: str | os.PathLike[str], text: str) -> str:
    """``text`` to ``path`` atomically, or to standard output when ``path`` is ``-``; returns
    where it went, for the message."""
    import sys

    if os.fspath(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "standard output"
    atomic_write_text(path, text)
    return os.fspath(path)


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
        os.chmod(tmp_path, file_mode())
        check_file_target(target)
        os.replace(tmp_path, target)
        return target
    except BaseException as err:
        for leftover in (tmp_path, Path(f"{tmp_path}-journal"), Path(f"{tmp_path}-wal"), Path(f"{tmp_path}-shm")):
            leftover.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _write_failed(target, err) from None
        raise
    finally:
        if previous is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = previous


def _open_nonblocking(path: str, flags: int) -> int:
    """``open``'s opener that cannot block on a FIFO put in place of a checked file."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def require_regular_file(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> int:
    """The size of ``path`` if it is a regular file no larger than ``max_bytes``, found by
    ``stat`` alone: a device (``/dev/zero``), FIFO, socket or folder is refused without being
    opened, so a reader handed one can neither hang nor fill memory.

    Raises
    ------
    DataError
        Naming the file, what is wrong and the limit.
    """
    import stat

    shown = _shown(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise DataError(f"{shown}: cannot read the file ({reason}); expected a {what}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise DataError(f"{shown}: {kind}; give the path of a {what}")
    if st.st_size > max_bytes:
        raise DataError(f"{shown}: {st.st_size:,} bytes; a {what} is at most {max_bytes:,} bytes")
    return int(st.st_size)


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
    shown = _shown(name)
    require_regular_file(path, max_bytes, what)
    try:
        with open(name, "rb", opener=_open_nonblocking) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped for a FIFO since the stat
                raise DataError(f"{shown}: not a regular file (a device, FIFO or socket); give the path of a {what}")
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
    ``inf`` is not a number a spreadsheet reads (see :data:`UNREACHABLE_NOTE`). Text cells that
    start with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'``
    (:func:`network.textrules.csv_cell`)."""
    import numpy as np
    import pandas as pd

    from network.textrules import csv_cell

    clean = df.replace([np.inf, -np.inf], np.nan)
    text_columns = [c for c in clean.columns if not pd.api.types.is_numeric_dtype(clean[c])]
    if text_columns:  # a text cell a spreadsheet would run as a formula gets a leading ' (OWASP)
        clean = clean.assign(**{str(c): clean[c].map(csv_cell) for c in text_columns})
    return str(clean.to_csv(index=False, float_format=float_format))


MANIFEST = "manifest.json"
#: What an ``--out`` folder's ``manifest.json`` says of its writer (:class:`OutputSet`).
WRITTEN_BY = "taihang"
_MAX_ENTRIES = 10_000  # a folder with more entries than any taihang output is not ours; the scan stops


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    platform or the file system has no such call."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    import errno

    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not one taihang may replace, or None if it may: it is empty, or its
    ``manifest.json`` says taihang wrote it and lists exactly the files present, each with the
    size and SHA-256 it was written with (a file a user changed or added since makes it theirs)."""
    import hashlib
    import json
    import stat

    present: dict[str, os.stat_result] = {}
    folders: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None, followlinks=False):
        rel_dir = os.path.relpath(dirpath, folder)
        for name in dirnames + filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISDIR(st.st_mode):
                folders.add(rel)
            elif stat.S_ISREG(st.st_mode):
                present[rel] = st
            else:
                return f"it holds {rel}, which is not a regular file"
            if len(present) + len(folders) > _MAX_ENTRIES:
                return f"it holds more than {_MAX_ENTRIES:,} entries"
    if not present and not folders:
        return None
    if MANIFEST not in present:
        return f"it holds files and no {MANIFEST}"
    if present[MANIFEST].st_size > 10_000_000:
        return f"its {MANIFEST} is too large to be taihang's"
    try:
        doc = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return f"its {MANIFEST} is not taihang's (not JSON)"
    legacy = isinstance(doc, dict) and set(doc) == {"files", "warnings"}  # written before written_by existed
    if not isinstance(doc, dict) or not (doc.get("written_by") == WRITTEN_BY or legacy):
        return f"its {MANIFEST} was not written by taihang"
    listed: dict[str, dict[str, Any]] = {}
    raw_files = doc.get("files")
    for item in raw_files if isinstance(raw_files, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            listed[os.path.normpath(item["path"])] = item
    files = {p: st for p, st in present.items() if p != MANIFEST}
    extra = sorted(set(files) - set(listed))
    if extra:
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        return f"it holds {extra[0]}{more}, which taihang did not write there"
    parents = {os.path.normpath(os.path.dirname(p)) for p in listed} - {"."}
    for p in list(parents):
        while os.path.dirname(p):
            p = os.path.dirname(p)
            parents.add(p)
    stray = sorted(folders - parents)
    if stray:
        return f"it holds the folder {stray[0]}, which taihang did not write there"
    for rel, st in sorted(files.items()):
        item = listed[rel]
        if st.st_size != item.get("bytes"):
            return f"{rel} was changed after taihang wrote it"
        h = hashlib.sha256()
        with open(folder / rel, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != item.get("sha256"):
            return f"{rel} was changed after taihang wrote it"
    return None


class OutputSet:
    """A folder of outputs written as a whole or not at all, which only ever replaces its own.

    Files go into a staging folder created **beside** ``target`` at once (so a missing write
    permission is found before any long work, and a killed run leaves no file in ``target``, only
    a ``.<name>.taihang-<pid>-*`` folder beside it, never in /tmp, which the next run into the
    same place removes). :meth:`commit` adds ``manifest.json`` (``written_by: taihang``, every file
    with its size and SHA-256, and the run's :attr:`warnings`) and swaps the staging folder in for
    ``target`` in one atomic exchange where the platform has one (Linux ``renameat2``), so no kill
    leaves ``target`` missing and files of an earlier run never mix with new ones.

    ``target`` may be new, empty, or a folder taihang wrote and nobody changed since
    (:func:`foreign_content`); any other folder is refused before any work, and again just before
    the swap. Folders and files follow the umask (0755/0644 under 022).

    Raises
    ------
    DataError
        If ``target`` is a file, a link, the current folder, a foreign folder, or its parent cannot
        be written.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        t = Path(os.path.abspath(target))
        self.target = t
        self.warnings: list[str] = []  # written into manifest.json (what every file of the set must carry)
        cwd = Path.cwd()
        if t == cwd or t in cwd.parents:
            raise DataError(
                f"{_shown(target)}: is the folder you are in (or holds it); --out replaces its folder as a whole, "
                "so give a new folder such as out/"
            )
        if t.is_symlink():
            raise DataError(f"{_shown(target)}: is a symbolic link; give the folder itself, or a new folder")
        if t.exists() and not t.is_dir():
            raise DataError(f"{_shown(target)}: is a file; --out takes a folder (new, empty, or one taihang wrote)")
        self._refuse_foreign()
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(t)
            self.staging = Path(tempfile.mkdtemp(prefix=f"{_prefix(t)}{os.getpid()}-", suffix=".staging", dir=t.parent))
            os.chmod(self.staging, dir_mode())
        except OSError as err:
            raise DataError(
                f"{_shown(target)}: cannot write there ({err.strerror or err}); choose a folder you can write to"
            ) from None

    def _refuse_foreign(self) -> None:
        t = self.target
        if not t.is_dir():
            return
        try:
            why = foreign_content(t)
        except OSError as err:
            why = f"it cannot be read ({err.strerror or err})"
        if why:
            raise DataError(
                f"{_shown(t)}: {why}; taihang replaces only an empty folder or one it wrote itself, so nothing "
                "of yours is lost. Give a new or empty folder, or move your files out"
            )

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` (inside the staging folder until :meth:`commit`)."""
        return self.staging / relative

    def commit(self) -> Path:
        """Write manifest.json and swap the staging folder in for the target; returns the target."""
        import hashlib
        import json
        import shutil

        try:
            files = sorted(p for p in self.staging.rglob("*") if p.is_file())
            manifest: dict[str, Any] = {
                "written_by": WRITTEN_BY,
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
            atomic_write_text(self.staging / MANIFEST, json.dumps(manifest, indent=1) + "\n")
            self._refuse_foreign()  # something may have been put there during the run
            if self.target.exists():
                if _exchange(self.staging, self.target):
                    shutil.rmtree(self.staging, ignore_errors=True)  # now the earlier run's files
                    return self.target
                # no atomic exchange here: two renames, the old set kept under a name the next run cleans
                old = Path(
                    tempfile.mkdtemp(
                        prefix=f"{_prefix(self.target)}{os.getpid()}-", suffix=".old", dir=self.target.parent
                    )
                )
                os.rmdir(old)
                os.replace(self.target, old)
                os.replace(self.staging, self.target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(self.staging, self.target)
        except OSError as err:
            self.abort()
            raise _write_failed(self.target, err) from None
        except BaseException:
            self.abort()
            raise
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


#: Folders never taken as a project: the file system's root and its direct children (/tmp, /home,
#: /etc…), everything under the system's own trees, and the shared temporary folders.
_SYSTEM_TREES = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var",
    "/private",
    "/System",
    "/Library",
)


def _never_a_project(folder: Path) -> bool:
    import tempfile as _tempfile

    if folder == folder.parent or folder.parent == folder.parent.parent:  # / and its direct children
        return True
    if any(folder == Path(t) or Path(t) in folder.parents for t in _SYSTEM_TREES):
        return True
    home = Path.home().resolve()
    if folder == home or folder == home.parent:  # a home folder and the folder of home folders
        return True
    try:
        tmp = Path(_tempfile.gettempdir()).resolve()
    except OSError:
        tmp = None
    return folder == tmp


def project_root(path: str | os.PathLike[str]) -> Path:
    """The folder a file named on the command line may reach into (its includes, a claim's
    scenarios): the nearest folder at or above the file's own that holds ``scenarios/`` or
    ``claims/`` (the project, e.g. ``claims/x.yaml`` reaches ``../scenarios/``), but never ``/``,
    a direct child of it (``/tmp``, ``/home``), a system folder, a home folder or the folder of
    home folders; where there is no such project, the file's own folder."""
    own = Path(path).resolve().parent
    for folder in (own, *own.parents):
        if _never_a_project(folder):
            break
        try:
            if (folder / "scenarios").is_dir() or (folder / "claims").is_dir():
                return folder
        except OSError:
            break
    return own


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
        os.chmod(tmp, file_mode())
        check_file_target(target)
        os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _write_failed(target, err) from None
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
