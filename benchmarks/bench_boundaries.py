"""Benchmark: what the boundary checks cost (network/sources/checks.py, network/io.py).

Run:  python benchmarks/bench_boundaries.py [--links 1000000]

(a) The network checks on a synthetic road network of N links and N/2 nodes (positions spread
over the region, lengths 1.1 x the straight line, one duplicated link id): the checks every
GeoPackage, GMNS folder and OSM build pass through. (b) The ownership check of an ``--out`` folder
taihang wrote (every file hashed again before it is replaced), for a compare output. (c) Reading a
1 MB scenario file (LibYAML, once). Each is the median of 5 runs in this process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _median(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def network_checks(links: int) -> float:
    from network.geo import haversine_km
    from network.sources.checks import Problems, check_links, check_points

    rng = np.random.default_rng(0)
    n = links // 2
    lon, lat = 110.8 + rng.random(n) * 4, 33.6 + rng.random(n) * 3.4
    u = rng.integers(0, n, links)
    v = (u + 1) % n
    length = haversine_km(lon[u], lat[u], lon[v], lat[v]) * 1.1 + 0.01
    speed = np.full(links, 60.0)
    ids = np.arange(links).astype(str).astype(object)
    ids[5] = ids[3]

    def run() -> None:
        p = Problems("bench")
        ok = check_points(p, lon, lat, str, "position")
        check_links(p, lon, lat, u, v, length, speed, str, node_ok=ok, link_ids=ids)
        assert p.count == 1

    return _median(run)


def ownership(folder: Path) -> float:
    from network.outputs import foreign_content

    return _median(lambda: foreign_content(folder))


def big_scenario(path: Path) -> float:
    from network.yamlio import read_yaml

    return _median(lambda: read_yaml(path), runs=3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"(a) network checks, {args.links:,} links, {args.links // 2:,} nodes: {network_checks(args.links):.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "c"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from network.cli import main; main()",
                "compare",
                str(ROOT / "scenarios" / "jinyang_widening.yaml"),
                "--no-decompose",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(
            f"(b) ownership check of a compare --out ({len(files)} files, {size / 1e6:.1f} MB): "
            f"{ownership(out) * 1000:.1f} ms"
        )
        big = Path(tmp) / "big.yaml"
        rows, size = [], 0
        while size < 990_000:
            rows.append(f"  - {{type: add_road, id: r{len(rows)}, name_zh: 路, name_en: r}}\n")
            size += len(rows[-1].encode())
        big.write_text("name: big\ndescription: d\nsource: s\nchanges:\n" + "".join(rows[:-1]), encoding="utf-8")
        print(
            f"(c) reading a {big.stat().st_size / 1e6:.2f} MB scenario file (LibYAML, once): {big_scenario(big):.2f} s"
        )


if __name__ == "__main__":
    main()
