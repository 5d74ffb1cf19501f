"""Write the benchmark's synthetic province (bench_scale.synthetic_graph) as a GMNS folder with zones,
so a Henan-size network can go through the command line: build --gmns, score, compare.

Run:  python benchmarks/make_gmns.py OUT_DIR [--size 1000] [--block 50]

Nodes are numbered as the graph's; every pair of opposite edges is one two-way link
(``directed=false``); ``zone_id`` groups the nodes in blocks of ``block`` x ``block``; zone.csv
names the zones Z<k> and gives each a made-up population (seed 11: 20,000 to 480,000, about 100 million in all), so the
scores are population-weighted as on a real network. Not real data: a benchmark's input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from bench_scale import synthetic_graph


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--block", type=int, default=50)
    args = ap.parse_args()
    u, v, w, km, n, lon, lat = synthetic_graph(args.size, hierarchy=True)
    col = np.rint((lon - lon.min()) / (lon.max() - lon.min()) * (args.size - 1)).astype(int)
    row = np.rint((lat - lat.min()) / (lat.max() - lat.min()) * (args.size - 1)).astype(int)
    blocks = args.size // args.block + 1
    zone = (row // args.block) * blocks + col // args.block
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "config.csv").write_text("length_units,speed_units\nkm,kph\n", encoding="utf-8")
    with open(args.out / "node.csv", "w", encoding="utf-8") as fh:
        fh.write("node_id,x_coord,y_coord,zone_id\n")
        for i in range(n):
            fh.write(f"{i},{lon[i]:.6f},{lat[i]:.6f},{zone[i]}\n")
    keep = u < v  # each two-way pair once (the graph has both directions of every edge)
    speed = km[keep] / w[keep] * 60.0
    kind = np.where(speed > 90, "motorway", np.where(speed > 50, "primary", "residential"))
    with open(args.out / "link.csv", "w", encoding="utf-8") as fh:
        fh.write("link_id,from_node_id,to_node_id,length,free_speed,directed,facility_type,name\n")
        for k, (a, b, length, s, f) in enumerate(zip(u[keep], v[keep], km[keep], speed, kind)):
            fh.write(f"{k},{a},{b},{length:.4f},{s:.2f},false,{f},\n")
    rng = np.random.default_rng(11)
    zones = np.unique(zone)
    people = rng.integers(20_000, 480_000, zones.size)  # about 100 million in all, as Henan has
    with open(args.out / "zone.csv", "w", encoding="utf-8") as fh:
        fh.write("zone_id,name,population\n")
        for z, p in zip(zones, people):
            fh.write(f"{z},Z{z},{p}\n")
    print(f"wrote {args.out}: {n:,} nodes, {int(keep.sum()):,} two-way links, {zones.size} zones")


if __name__ == "__main__":
    main()
