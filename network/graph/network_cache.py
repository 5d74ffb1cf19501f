"""The built default network kept on disk between runs, so a command does not rebuild it.

Building the embedded network (reading the data, matching the road layer, assembling the graph)
takes most of a short command's time; reading it back takes a third of that. A cached network
is keyed by everything it is built from: the bytes of every file in the data folder, the source
of the package itself, its date and its constants. Any change of these is another key, so a
stale network is never read. Files are written atomically (a reader never sees half a file);
an unreadable one is rebuilt and replaced.

Where: ``$TAIHANG_CACHE_DIR``, else ``$XDG_CACHE_HOME/taihang``, else ``~/.cache/taihang``
(``networks/`` inside), the :data:`MAX_CACHED` most recently used kept. ``TAIHANG_NO_CACHE=1``
turns it off. The files are Python pickles of
this package's own objects: read only ones this package wrote (the folder is the user's own).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from network.assumptions import Assumptions
from network.errors import DataError
from network.graph.network import Network
from network.io import atomic_write_bytes, clean_leftovers
from network.sources.default import data_dir

#: Bump when the pickled layout changes in a way the source hash would not show.
_FORMAT = 1


def cache_dir() -> Path | None:
    """The folder of cached networks, or None when caching is off."""
    if os.environ.get("TAIHANG_NO_CACHE"):
        return None
    root = os.environ.get("TAIHANG_CACHE_DIR")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "taihang")
    return Path(root) / "networks"


@cache
def _source_digest() -> str:
    """The hash of the package's own source (a code change may change what a build gives)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for p in sorted(package.rglob("*.py")):
        h.update(str(p.relative_to(package)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _data_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(folder)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def key(date: dt.date, assumptions: Assumptions) -> str:
    """The cache key of the default network for ``date`` and ``assumptions``."""
    h = hashlib.sha256(f"{_FORMAT}|{date.isoformat()}|{assumptions!r}".encode())
    h.update(_source_digest().encode())
    h.update(_data_digest(data_dir()).encode())
    return h.hexdigest()[:32]


def load(cache_key: str) -> Network | None:
    """The cached default network of :func:`key` ``cache_key``, or None (not cached, caching
    off, or unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"default-{cache_key}.pickle"
    if not _trusted(path):
        return None
    try:
        with path.open("rb") as fh:
            out = pickle.load(fh)
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: pruned last (:func:`prune`)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged file (disk full, killed writer of an older layout): rebuild
        return None
    return out if isinstance(out, Network) and _sane(out) else None


#: The largest cached network read (the default network pickles to about 20 MB).
MAX_CACHE_BYTES = 2_000_000_000


def _trusted(path: Path) -> bool:
    """Read a pickle only if it is a regular file of this user's, in a folder of this user's,
    that nobody else can write (a pickle runs code when read), and not over the size limit."""
    import stat

    try:
        st, folder = os.lstat(path), os.lstat(path.parent)
    except OSError:
        return False
    uid = os.getuid() if hasattr(os, "getuid") else None
    for s in (st, folder):
        if uid is not None and s.st_uid != uid:
            return False
        if s.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return stat.S_ISREG(st.st_mode) and st.st_size <= MAX_CACHE_BYTES


def _sane(network: Network) -> bool:
    """The cached network's edge arrays are whole: times and lengths finite and not negative,
    every edge between two of its nodes (else it is rebuilt)."""
    import numpy as np

    et = network.edge_table
    n = len(et.node_ids)
    return bool(
        len(et.u) == len(et.v) == len(et.time_min) == len(et.length_km)
        and np.isfinite(et.time_min).all()
        and (et.time_min >= 0).all()
        and np.isfinite(et.length_km).all()
        and (et.length_km >= 0).all()
        and ((et.u >= 0) & (et.u < n) & (et.v >= 0) & (et.v < n)).all()
    )


def store(network: Network, cache_key: str) -> None:
    """Keep ``network`` for the next run; a folder that cannot be written is skipped quietly
    (the cache only saves time)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # a pickle runs code when read: only ours
        target = folder / f"default-{cache_key}.pickle"
        clean_leftovers(target)
        atomic_write_bytes(target, pickle.dumps(network, protocol=5))
        prune(folder)
    except (OSError, DataError):
        return


#: Cached networks kept (the most recently used): each change of the package or the data is a new
#: key, so without a bound the folder only grows (about 8 MB a network: at most about 330 MB).
MAX_CACHED = 40


def prune(folder: Path, keep: int = MAX_CACHED) -> list[Path]:
    """Remove all but the ``keep`` most recently used cached networks of ``folder`` (a read marks
    a file used); returns what was removed. Files that vanish meanwhile are skipped."""
    files = []
    for p in folder.glob("default-*.pickle"):
        try:
            files.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    removed = []
    for _, p in sorted(files, reverse=True)[keep:]:
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed
