"""The built default network kept on disk between runs, so a command does not rebuild it.

Building the embedded network (reading the data, matching the road layer, assembling the graph)
takes most of a short command's time. A cached network is keyed by everything it is built from:
the files of the data folder and the source of the package itself (each by name, size and
modification time, so computing the key reads no file), its date and its constants. Any change of
these is another key, so a stale network is never read. Files are written atomically (a reader
never sees half a file); an unreadable one is rebuilt and replaced.

The file is arrays, not a pickle (:func:`to_bytes`): a NumPy ``.npz`` read with
``allow_pickle=False``, holding the edge arrays, the node ids, and the nodes', edges' and graph's
own attributes as JSON text. Reading it runs no code of the file's; a score reads the arrays
and the nodes' attributes only, the edges' attributes are decoded when something builds the
graph (:class:`network.graph.network.GraphParts`).

Where: ``$TAIHANG_CACHE_DIR``, else ``$XDG_CACHE_HOME/taihang``, else ``~/.cache/taihang``
(``networks/`` inside), the :data:`MAX_CACHED` most recently used kept. ``TAIHANG_NO_CACHE=1``
turns it off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network.assumptions import Assumptions
from network.errors import DataError
from network.graph.edges import EdgeTable
from network.graph.network import GraphParts, Network
from network.io import atomic_write_bytes, clean_leftovers
from network.sources.default import data_dir

if TYPE_CHECKING:
    from network.sources.default import DefaultData
    from network.sources.geometry import LineGraph

#: Bump when the stored layout changes in a way the source stamp would not show.
_FORMAT = 2
_SUFFIX = ".npz"


def cache_dir() -> Path | None:
    """The folder of cached networks, or None when caching is off."""
    if os.environ.get("TAIHANG_NO_CACHE"):
        return None
    root = os.environ.get("TAIHANG_CACHE_DIR")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "taihang")
    return Path(root) / "networks"


def _stamp(folder: Path, files: list[Path]) -> str:
    """Name, size and modification time of each file: any edit, copy or checkout changes one."""
    h = hashlib.sha256()
    for p in sorted(files):
        st = p.stat()
        h.update(f"{p.relative_to(folder)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@cache
def _source_digest() -> str:
    """The stamp of the package's own source (a code change may change what a build gives)."""
    package = Path(__file__).resolve().parent.parent
    return _stamp(package, list(package.rglob("*.py")))


def key(date: dt.date, assumptions: Assumptions) -> str:
    """The cache key of the default network for ``date`` and ``assumptions``."""
    folder = data_dir()
    h = hashlib.sha256(f"{_FORMAT}|{date.isoformat()}|{assumptions!r}".encode())
    h.update(_source_digest().encode())
    h.update(_stamp(folder, [q for q in folder.rglob("*") if q.is_file()]).encode())
    return h.hexdigest()[:32]


# -- the stored form ----------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    """JSON-able form of an attribute: tuples tagged (so they come back as tuples), NumPy
    scalars as Python numbers; anything else JSON cannot hold raises TypeError (not cached)."""
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a dict with keys that are not text")
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    return tuple(obj["__tuple__"]) if set(obj) == {"__tuple__"} else obj


def _json(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(_encode(value), ensure_ascii=False, allow_nan=True).encode(), dtype=np.uint8)


def _unjson(blob: np.ndarray) -> Any:
    return json.loads(blob.tobytes().decode(), object_hook=_decode)


def to_bytes(network: Network) -> bytes:
    """A base network as the bytes of an ``.npz`` file (module docstring).

    Raises
    ------
    TypeError
        If an attribute is of a kind JSON cannot hold (the network is then not cached).
    """
    if network.scenario is not None:
        raise TypeError("only a base network is cached")
    g, et = network.graph, network.edge_table
    meta = {k: v for k, v in g.graph.items() if k != "assumptions"}  # the network's own constants
    arrays = {
        "u": et.u,
        "v": et.v,
        "time_min": et.time_min,
        "length_km": et.length_km,
        "mode": et.mode,
        "kind": et.kind,
        "node_ids": np.array(et.node_ids, dtype=str),
        "lon": et.lon,
        "lat": et.lat,
        "edge_keys": _json([k for _, _, k in et.keys]),
        "meta": _json(meta),
        "graph_nodes": _json([[n, d] for n, d in g.nodes(data=True)]),
        "graph_edges": _json([[a, b, k, d] for a, b, k, d in g.edges(keys=True, data=True)]),
    }
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def from_bytes(raw: bytes, assumptions: Assumptions, inputs: Callable[[], tuple[DefaultData, LineGraph]]) -> Network:
    """The network of :func:`to_bytes`; its graph and inputs are built on first use.

    Raises
    ------
    ValueError, KeyError
        If the bytes are not such a file (a damaged or foreign file).
    """
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        a = {name: z[name] for name in z.files}
    node_ids = a["node_ids"].tolist()
    edge_keys = _unjson(a["edge_keys"])
    if len(edge_keys) != len(a["u"]):
        raise ValueError("edge keys and edges differ in number")
    keys = [(node_ids[i], node_ids[j], k) for i, j, k in zip(a["u"].tolist(), a["v"].tolist(), edge_keys)]
    table = EdgeTable(
        u=a["u"].astype(np.int64),
        v=a["v"].astype(np.int64),
        time_min=a["time_min"].astype(float),
        length_km=a["length_km"].astype(float),
        mode=a["mode"],
        kind=a["kind"],
        keys=keys,
        node_ids=node_ids,
        index={n: i for i, n in enumerate(node_ids)},
        lon=a["lon"].astype(float),
        lat=a["lat"].astype(float),
    )
    meta = _unjson(a["meta"])
    meta["assumptions"] = assumptions
    nodes = {n: d for n, d in _unjson(a["graph_nodes"])}
    edges_blob = a["graph_edges"]

    def edges() -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
        return ((u, v, k, d) for u, v, k, d in _unjson(edges_blob))

    return Network.from_parts(GraphParts(nodes, meta, edges), assumptions, table, inputs)


# -- the folder ---------------------------------------------------------------------------------
def load(
    cache_key: str, assumptions: Assumptions, inputs: Callable[[], tuple[DefaultData, LineGraph]]
) -> Network | None:
    """The cached default network of :func:`key` ``cache_key``, or None (not cached, caching
    off, or unreadable). ``inputs`` reads the data and road geometry when first asked for."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"default-{cache_key}{_SUFFIX}"
    if not _readable(path):
        return None
    try:
        out = from_bytes(path.read_bytes(), assumptions, inputs)
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: pruned last (:func:`prune`)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged file (disk full, killed writer of an older layout): rebuild
        return None
    return out if _sane(out) else None


#: The largest cached network read (the default network stores to about 20 MB).
MAX_CACHE_BYTES = 2_000_000_000


def _readable(path: Path) -> bool:
    """Read a cached network only if it is a regular file of this user's, in a folder of this
    user's, that nobody else can write (another user could plant a network that answers
    wrongly), and not over the size limit."""
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
    et = network.edge_table
    n = len(et.node_ids)
    return bool(
        len(et.u) == len(et.v) == len(et.time_min) == len(et.length_km) == len(et.mode) == len(et.kind)
        and len(et.lon) == len(et.lat) == n
        and np.isfinite(et.time_min).all()
        and (et.time_min >= 0).all()
        and np.isfinite(et.length_km).all()
        and (et.length_km >= 0).all()
        and ((et.u >= 0) & (et.u < n) & (et.v >= 0) & (et.v < n)).all()
    )


def store(network: Network, cache_key: str) -> None:
    """Keep ``network`` for the next run; a folder that cannot be written, or a network with an
    attribute the file cannot hold, is skipped quietly (the cache only saves time)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        raw = to_bytes(network)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = folder / f"default-{cache_key}{_SUFFIX}"
        clean_leftovers(target)
        atomic_write_bytes(target, raw)
        prune(folder)
    except (OSError, DataError, TypeError):
        return


#: Cached networks kept (the most recently used): each change of the package or the data is a new
#: key, so without a bound the folder only grows (about 20 MB a network: at most about 800 MB).
MAX_CACHED = 40


def prune(folder: Path, keep: int = MAX_CACHED) -> list[Path]:
    """Remove all but the ``keep`` most recently used cached networks of ``folder`` (a read marks
    a file used), and any file of an older layout; returns what was removed. Files that vanish
    meanwhile are skipped."""
    files, removed = [], []
    for p in folder.glob("default-*"):
        if p.suffix == ".pickle":  # the layout before arrays: never read again
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
            continue
        if p.suffix != _SUFFIX:
            continue
        try:
            files.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    for _, p in sorted(files, reverse=True)[keep:]:
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed
