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
    anything else, nor the files of a run still going. Called where a run starts writing to a
    place (``--out`` checks, output sets, sweeps, the cache), not on every write."""
    prefix = _prefix(target)
    return _remove_dead(target.parent, lambda name: name[len(prefix) :] if name.startswith(prefix) else None)


def clean_folder_leftovers(folder: Path) -> list[Path]:
    """:func:`clean_leftovers` for every target in ``folder`` (a sweep's folder of parts)."""
    import re

    pattern = re.compile(rf"^\..+?\.{_MARK}-(\d+-.*)$")

    def rest(name: str) -> str | None:
        m = pattern.match(name)
        return m.group(1) if m else None

    return _remove_dead(folder, rest)


def _remove_dead(folder: Path, rest_of: Any) -> list[Path]:
    """Remove the entries of ``folder`` whose name ``rest_of`` maps to ``<pid>-…`` of a process
    that no longer runs."""
    import shutil

    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder if str(folder) else "."))
    except OSError:
        return removed
    for entry in entries:
        rest = rest_of(entry.name)
        if rest is None:
            continue
        pid_text = rest.split("-", 1)[0]
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
    a regular file."""
    check_file_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
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


def has_arrow() -> bool:
    """Whether pyarrow is installed (GeoPackage layers then go in and out through Arrow)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def atomic_write_gpkg(path: str | os.PathLike[str], layers: list[tuple[str, Any]], stamp_date: str) -> Path:
    """Write GeoDataFrames (or DataFrames, as attribute tables) as layers of one GeoPackage,
    atomically. A layer given as a list of parts (frames, or functions that make one) is written a
    part at a time, so a province's road layer is never held whole. GDAL stamps a GeoPackage with
    the current time; ``OGR_CURRENT_DATE`` pins it to ``stamp_date`` (ISO date) so the same inputs
    give identical bytes."""
    import geopandas as gpd
    import pyogrio

    target = Path(path)
    fd, tmp = _temp_beside(target, ".gpkg")  # never in /tmp, where a killed run would strand it
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # GDAL creates the file itself
    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = f"{stamp_date}T00:00:00Z"
    arrow = has_arrow()  # through Arrow where pyarrow is installed: a province's roads in half the time
    try:
        for name, layer in layers:
            # a layer is a frame, or a list of parts (frames, or functions giving one) written in turn
            for k, part in enumerate(layer if isinstance(layer, list) else [layer]):
                frame = part() if callable(part) else part
                if isinstance(frame, gpd.GeoDataFrame):
                    mode = "a" if k else "w"
                    frame.to_file(tmp_path, layer=name, driver="GPKG", engine="pyogrio", use_arrow=arrow, mode=mode)
                else:  # an attribute table (GeoPackage 'attributes' data type)
                    pyogrio.write_dataframe(frame, tmp_path, layer=name, driver="GPKG", append=bool(k))
                del frame
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
