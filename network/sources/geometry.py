"""Road and railway geometry of the embedded default network (© OpenStreetMap contributors, ODbL).

In: ``data/geometry/{road,rail}_{nodes,edges}.csv`` (clipped once from the ``scgraph_data`` package
by ``tools/clip_geometry.py``; one row per node ``node_id, lon, lat`` and per undirected edge
``u, v, length_km``). Out: :class:`LineGraph` arrays (node lon/lat, directed edges both ways with
``length_km``).

The reader of ``scgraph_data``'s module files (:func:`read_scgraph_file`) is kept for that tool:
each module is a Python literal ``graph = [ {neighbour: distance_km, ...}, ... ]`` and
``nodes = [[lat, lon], ...]``. Importing it compiles 36 MB of Python, which takes 30-40 s and about
5 GB of memory, so the tool reads the text and tokenises the two literals with NumPy and one regular
expression instead; no code from the file is executed. ``tests/test_scgraph.py`` checks that reader
against ``ast.literal_eval``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from network.errors import DataError
from network.search import weak_components

SCGRAPH_LICENCE = "© OpenStreetMap contributors, ODbL 1.0 (clipped from the scgraph_data package)"
_PAIR = re.compile(rb"(\d+):\s*([-0-9.eE+]+)")


@dataclass(frozen=True)
class LineGraph:
    """A geometric graph: nodes with lon/lat (degrees), directed edges with lengths (km)."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    length_km: NDArray[np.float64]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.lon.size)

    @property
    def n_edges(self) -> int:
        """Number of (undirected) edges."""
        return int(self.u.size)


def scgraph_module_path(module: str) -> Path:
    """Path of ``scgraph_data/<module>.py`` without importing it.

    Raises
    ------
    DataError
        If the package is not installed.
    """
    spec = importlib.util.find_spec("scgraph_data")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            "the scgraph_data package is not installed: pip install scgraph_data "
            "(it carries the OpenStreetMap road and railway geometry)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / f"{module}.py"
    if not path.exists():
        raise DataError(f"{path} is missing from the scgraph_data package: reinstall it")
    return path


def read_scgraph_file(path: Path) -> LineGraph:
    """Read an scgraph_data module file into arrays (see the module docstring).

    Raises
    ------
    DataError
        If the file does not hold the expected ``graph=`` and ``nodes=`` literals.
    """
    graph_text = nodes_text = None
    with path.open("rb") as fh:
        for line in fh:
            if line.startswith(b"graph="):
                graph_text = line[len(b"graph=") :]
            elif line.startswith(b"nodes="):
                nodes_text = line[len(b"nodes=") :]
    if graph_text is None or nodes_text is None:
        raise DataError(f"{path}: expected lines starting 'graph=' and 'nodes='; is this an scgraph_data module?")
    buf = np.frombuffer(graph_text, dtype=np.uint8)
    opens = np.flatnonzero(buf == ord("{"))
    colons = np.flatnonzero(buf == ord(":"))
    pairs = _PAIR.findall(graph_text)
    if len(pairs) != colons.size:
        raise DataError(
            f"{path}: graph literal has {colons.size} ':' but {len(pairs)} neighbour:distance pairs; unexpected format"
        )
    u = (np.searchsorted(opens, colons, side="right") - 1).astype(np.int64)
    table = np.array(pairs, dtype="S24") if pairs else np.zeros((0, 2), dtype="S24")
    v = table[:, 0].astype(np.int64)
    length_km = table[:, 1].astype(np.float64)
    latlon = np.array(json.loads(nodes_text), dtype=np.float64).reshape(-1, 2)
    if opens.size != latlon.shape[0]:
        raise DataError(f"{path}: {opens.size} adjacency rows but {latlon.shape[0]} nodes")
    if v.size and (v.max() >= latlon.shape[0] or v.min() < 0):
        raise DataError(f"{path}: a neighbour index lies outside the node list")
    return LineGraph(lon=latlon[:, 1].copy(), lat=latlon[:, 0].copy(), u=u, v=v, length_km=length_km)


def clip_line_graph(
    graph: LineGraph, bbox: tuple[float, float, float, float], largest_component: bool = True
) -> LineGraph:
    """Keep nodes inside ``bbox`` = (west, south, east, north) and edges between them.

    With ``largest_component`` only the largest weakly connected piece is kept (islands of the
    clipped geometry cannot be reached by road anyway). Node numbering is compacted.
    """
    west, south, east, north = bbox
    inside = (graph.lon >= west) & (graph.lon <= east) & (graph.lat >= south) & (graph.lat <= north)
    keep_edge = inside[graph.u] & inside[graph.v] & (graph.u != graph.v)
    if largest_component and keep_edge.any():
        from scipy.sparse import coo_matrix

        n = graph.n_nodes
        adj = coo_matrix(
            (np.ones(int(keep_edge.sum())), (graph.u[keep_edge], graph.v[keep_edge])), shape=(n, n)
        ).tocsr()
        labels = weak_components(adj)
        counts = np.bincount(labels[inside], minlength=labels.max() + 1)
        inside = inside & (labels == int(np.argmax(counts)))
        keep_edge = keep_edge & inside[graph.u]
    new_index = np.full(graph.n_nodes, -1, dtype=np.int64)
    new_index[inside] = np.arange(int(inside.sum()))
    return LineGraph(
        lon=graph.lon[inside],
        lat=graph.lat[inside],
        u=new_index[graph.u[keep_edge]],
        v=new_index[graph.v[keep_edge]],
        length_km=graph.length_km[keep_edge],
    )


def cache_dir() -> Path:
    """The directory for derived caches: ``TAIHANG_CACHE_DIR``, else ``$XDG_CACHE_HOME/taihang``,
    else ``~/.cache/taihang``."""
    env = os.environ.get("TAIHANG_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "taihang"


def read_geometry_csv(nodes_path: Path, edges_path: Path) -> LineGraph:
    """Read a node and an undirected edge CSV (see the module docstring) into a :class:`LineGraph`
    with every edge in both directions.

    Raises
    ------
    DataError
        Naming the file and row of the first malformed value.
    """
    try:
        nodes = np.loadtxt(nodes_path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
        edges = np.loadtxt(edges_path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    except (OSError, ValueError) as err:
        raise DataError(
            f"cannot read the road/rail geometry {nodes_path.name}/{edges_path.name}: {err}; "
            "regenerate it with tools/clip_geometry.py"
        ) from err
    n = nodes.shape[0]
    if nodes.shape[1] != 3 or edges.shape[1] != 3 or not np.array_equal(nodes[:, 0], np.arange(n)):
        raise DataError(
            f"{nodes_path}: expected columns node_id,lon,lat numbered 0..n-1, and "
            f"{edges_path.name} columns u,v,length_km"
        )
    u, v = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
    if edges.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise DataError(f"{edges_path}: an edge names a node outside {nodes_path.name}")
    if edges.size and not np.all(edges[:, 2] > 0):
        raise DataError(f"{edges_path}: every length_km must be > 0")
    return LineGraph(
        lon=nodes[:, 1].copy(),
        lat=nodes[:, 2].copy(),
        u=np.concatenate([u, v]),
        v=np.concatenate([v, u]),
        length_km=np.concatenate([edges[:, 2], edges[:, 2]]),
    )


def read_region_geometry(kind: str, folder: Path) -> LineGraph:
    """The embedded ``"road"`` or ``"rail"`` geometry from ``folder`` (``data/geometry``)."""
    return read_geometry_csv(folder / f"{kind}_nodes.csv", folder / f"{kind}_edges.csv")
