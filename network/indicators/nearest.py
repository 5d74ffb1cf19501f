"""Time to the nearest facility: the n nearest of a set of facilities per place, and who is left far.

In: a places × facilities array of minutes (``inf`` where a facility cannot be reached). Out: the
minutes to each place's first, second, ... nearest facility and which it is; population-weighted
summaries per group of places. Pure array maths; the searches that fill the array are in
:mod:`network.analysis.nearest`.

The measure is the "time to the n-th nearest opportunity" of cumulative-opportunity
accessibility (Geurs & van Wee 2004, J. Transport Geography 12(2), 127-140, section 3.2: the
distance to the closest of a kind of facility; Conveyal R5 reports the time to the n-th nearest
opportunity). The n-th nearest says whether a place has a choice of facilities or hangs on one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

#: Minutes the group summaries count places beyond. Reporting steps, not standards: half an hour
#: and an hour to a station or an entrance are the steps planners read, and no national norm of
#: access time to a station, an airport or an expressway entrance is cited here.
FAR_MIN = (30.0, 60.0)


def nth_nearest(times_min: ArrayLike, n: int = 1) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Minutes to each row's ``n`` nearest columns and their column indices, nearest first
    (``(rows, n)`` each). Ties go to the lower column, so the result never depends on anything
    but the array. A row with fewer than ``n`` reachable columns gets ``inf`` and index -1 past them.

    >>> t, k = nth_nearest([[9.0, 3.0, np.inf], [1.0, 1.0, 2.0]], 2)
    >>> t.tolist(), k.tolist()
    ([[3.0, 9.0], [1.0, 1.0]], [[1, 0], [0, 1]])
    """
    t = np.atleast_2d(np.asarray(times_min, dtype=float))
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    width = min(n, t.shape[1])
    order = np.argsort(t, axis=1, kind="stable")[:, :width]
    minutes = np.take_along_axis(t, order, axis=1)
    which = np.where(np.isfinite(minutes), order, -1).astype(np.int64)
    if width < n:
        pad = ((0, 0), (0, n - width))
        minutes = np.pad(minutes, pad, constant_values=np.inf)
        which = np.pad(which, pad, constant_values=-1)
    return minutes, which


def far_summary(
    minutes: ArrayLike,
    population: ArrayLike,
    groups: Sequence[str],
    names: Sequence[str],
    far_min: Sequence[float] = FAR_MIN,
) -> pd.DataFrame:
    """Per group of places (and ``all``): places, population, population-weighted mean minutes to
    the facility, the farthest place and its minutes, and the population and places beyond each of
    ``far_min``. Unreachable places count as beyond every step and are left out of the mean
    (``unreachable_places`` says how many).

    >>> far_summary([10.0, 40.0], [1, 3], ["a", "b"], ["p", "q"]).iloc[0].to_dict()["weighted_mean_min"]
    32.5
    """
    t = np.asarray(minutes, dtype=float)
    w = np.asarray(population, dtype=float)
    g = np.asarray(list(groups), dtype=object)
    nm = np.asarray(list(names), dtype=object)
    rows = []
    for label in ["all", *sorted(set(g.tolist()))]:
        sel = np.ones(len(t), dtype=bool) if label == "all" else g == label
        ts, ws, ns = t[sel], w[sel], nm[sel]
        ok = np.isfinite(ts)
        k = int(np.argmax(np.where(ok, ts, np.inf))) if len(ts) else -1
        row: dict[str, object] = {
            "group": label,
            "places": int(sel.sum()),
            "population": int(ws.sum()),
            "weighted_mean_min": round(float((ts[ok] * ws[ok]).sum() / ws[ok].sum()), 1)
            if ws[ok].sum() > 0
            else np.nan,
            "farthest_place": str(ns[k]) if k >= 0 else "",
            "farthest_min": round(float(ts[k]), 1) if k >= 0 else np.nan,
            "unreachable_places": int((~ok).sum()),
        }
        for step in far_min:
            beyond = ~ok | (ts > step)
            row[f"places_beyond_{int(step)}_min"] = int(beyond.sum())
            row[f"population_beyond_{int(step)}_min"] = int(ws[beyond].sum())
        rows.append(row)
    return pd.DataFrame(rows)
