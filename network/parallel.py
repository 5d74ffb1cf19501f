"""Work spread over forked processes, results in order: for loops whose items are independent
(the scenarios of a comparison, the maps and charts of its report).

The work and what it reads are inherited by ``fork`` (nothing is pickled but the items and the
results), so this is for POSIX; where the platform does not fork (Windows, macOS's default), or
for one item or one worker, the loop runs in this process. Results never depend on the number of
workers: each item's work depends on the item and the inherited state alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from typing import Any


def default_workers() -> int:
    """Up to two processes: the machines this is built for have two cores, and more processes on
    a larger machine would each copy the graph they change."""
    return min(2, os.cpu_count() or 1)


def fork_map(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int | None = None,
    weight: Callable[[Any], float] | None = None,
) -> list[Any]:
    """``[fn(x) for x in items]``, on ``workers`` forked processes where that pays. ``weight``
    (larger first) orders the work so the workers finish together; the results keep the order of
    ``items``."""
    n = workers if workers is not None else default_workers()
    if n <= 1 or len(items) < 2 or "fork" not in mp.get_all_start_methods():
        return [fn(x) for x in items]
    order = list(range(len(items)))
    if weight is not None:
        order.sort(key=lambda i: -weight(items[i]))
    with mp.get_context("fork").Pool(min(n, len(items))) as pool:
        out = pool.map(fn, [items[i] for i in order], chunksize=1)
    results: list[Any] = [None] * len(items)
    for i, r in zip(order, out):
        results[i] = r
    return results
