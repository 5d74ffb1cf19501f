"""Draw the road geometry, each corridor's waypoints and the edges it was matched to (a PNG).

    python tools/plot_corridors.py [--bbox W,S,E,N] [--out maps/corridors.png] [--year 2024]

For checking the map matcher by eye (README, "The road layer"): grey is geometry no corridor owns,
colours are corridors (solid: matched edges; dashed with dots: the waypoints; a thick dotted line:
a corridor added as its own link).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from network.assumptions import Assumptions  # noqa: E402
from network.graph.build import build_layer  # noqa: E402
from network.sources.default import data_dir, read_default_data  # noqa: E402
from network.sources.geometry import read_region_geometry  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bbox", default="111.6,34.4,114.6,36.6")
    ap.add_argument("--out", default="maps/corridors.png")
    args = ap.parse_args()
    x0, y0, x1, y1 = map(float, args.bbox.split(","))
    data = read_default_data()
    layer = build_layer(data, read_region_geometry("road", data_dir() / "geometry"), Assumptions())
    fig, ax = plt.subplots(figsize=(16, 13))
    owned = np.array([bool(o) for o in layer.owners])
    for e in np.flatnonzero(~owned):
        ax.plot(layer.lon[[layer.u[e], layer.v[e]]], layer.lat[[layer.u[e], layer.v[e]]], color="0.7", lw=0.7)
    cmap = plt.get_cmap("tab20")
    for k, (c, m) in enumerate(zip(layer.corridors, layer.matches)):
        colour = cmap(k % 20)
        w = np.array(c["waypoints"])
        ax.plot(w[:, 1], w[:, 0], "o--", color=colour, lw=0.8, ms=3)
        for e in m.edges:
            ax.plot(layer.lon[[layer.u[e], layer.v[e]]], layer.lat[[layer.u[e], layer.v[e]]], color=colour, lw=2.5)
        if m.result != "matched":
            ax.plot(w[[0, -1], 1], w[[0, -1], 0], ":", color=colour, lw=3)
        ax.text(
            w[len(w) // 2, 1],
            w[len(w) // 2, 0],
            f"{c['corridor_id']}{'' if m.result == 'matched' else ' (link)'}",
            fontsize=8,
            color=colour,
            clip_on=True,
        )
    for p in data.places:
        if x0 < p["lon"] < x1 and y0 < p["lat"] < y1 and p["kind"] in ("city", "county"):
            ax.plot(p["lon"], p["lat"], "k^", ms=4)
            ax.text(p["lon"], p["lat"], p["name_en"], fontsize=8, clip_on=True)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / np.cos(np.radians(0.5 * (y0 + y1))))
    ax.grid(alpha=0.3)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=80, bbox_inches="tight")
    print(args.out)


if __name__ == "__main__":
    main()
