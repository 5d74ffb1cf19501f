"""Shared helpers of the benchmark scripts (run as ``python benchmarks/<name>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls of ``fn`` and its last result."""
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def interleaved(contender: Callable[[], Any], baseline: Callable[[], Any], repeats: int = 5) -> dict[str, float]:
    """Seconds of ``contender`` and ``baseline`` timed in turn (A B A B ..., ``repeats`` each), so a
    change of the machine's load during the run weighs on both alike: min and median of each and
    the speed-up (baseline median over contender median)."""
    a, b = [], []
    for _ in range(repeats):
        for fn, out in ((contender, a), (baseline, b)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    ma, mb = statistics.median(a), statistics.median(b)
    return {
        "contender_min_s": round(min(a), 5),
        "contender_median_s": round(ma, 5),
        "baseline_min_s": round(min(b), 5),
        "baseline_median_s": round(mb, 5),
        "speedup": round(mb / ma, 2) if ma > 0 else float("inf"),
    }


def machine_load() -> dict[str, float]:
    """The 1-, 5- and 15-minute load averages and the CPU count (a benchmark's context)."""
    import os

    one, five, fifteen = os.getloadavg()
    return {
        "load_1min": round(one, 2),
        "load_5min": round(five, 2),
        "load_15min": round(fifteen, 2),
        "cpus": os.cpu_count() or 0,
    }
