"""Clip the region's road and railway geometry from ``scgraph_data`` into ``data/geometry/`` (run once).

The embedded default network reads these CSV files at run time, so ``scgraph_data`` (36 MB of
Python literals that pip byte-compiles for minutes) is not a runtime dependency. Run this only to
refresh the geometry from a newer ``scgraph_data``::

    pip install scgraph_data==2.0.0 && python tools/clip_geometry.py

Out: ``road_nodes.csv`` / ``rail_nodes.csv`` (``node_id, lon, lat``, degrees WGS84, as rounded by
scgraph_data to 0.001°) and ``road_edges.csv`` / ``rail_edges.csv`` (``u, v, length_km``, one row
per undirected edge, ``u < v``). Data © OpenStreetMap contributors, ODbL 1.0 (see data/README.md).
The road graph keeps its largest connected piece inside the bbox; the railway graph keeps all.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from network.io import atomic_write_bytes  # noqa: E402
from network.sources.default import REGION_BBOX  # noqa: E402
from network.sources.geometry import clip_line_graph, read_scgraph_file, scgraph_module_path  # noqa: E402


def _csv(rows: list[list[object]], header: list[str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def main() -> None:
    folder = ROOT / "data" / "geometry"
    for module, name in (("world_highways", "road"), ("world_railways", "rail")):
        g = clip_line_graph(
            read_scgraph_file(scgraph_module_path(module)), REGION_BBOX, largest_component=(module == "world_highways")
        )
        nodes = [[i, f"{g.lon[i]:.6f}", f"{g.lat[i]:.6f}"] for i in range(g.n_nodes)]
        pairs: dict[tuple[int, int], float] = {}
        for u, v, km in zip(g.u.tolist(), g.v.tolist(), g.length_km.tolist()):
            key = (min(u, v), max(u, v))
            pairs[key] = min(km, pairs.get(key, np.inf))
        edges = [[u, v, f"{km:.4f}"] for (u, v), km in sorted(pairs.items())]
        atomic_write_bytes(folder / f"{name}_nodes.csv", _csv(nodes, ["node_id", "lon", "lat"]))
        atomic_write_bytes(folder / f"{name}_edges.csv", _csv(edges, ["u", "v", "length_km"]))
        print(f"{name}: {g.n_nodes} nodes, {len(edges)} edges -> {folder}")


if __name__ == "__main__":
    main()
