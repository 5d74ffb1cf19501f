"""Who is left outside a circle, and how far: equity indicators beside a threshold verdict.

A claim such as "a one-hour circle" is about who is inside it; these say who is not. For travel
times ``t_i`` of places with populations ``w_i`` and a threshold ``z`` (minutes):

- **headcount** (FGT P0): the population with ``t_i > z`` (an unreachable place counts as
  outside), and its share of the total;
- **gap** (FGT P1): ``sum(w_i * max(0, t_i - z) / z) / sum(w_i)``, the mean excess as a share of
  the threshold over everyone (0 when all are inside); and in minutes, the population-weighted
  mean excess of those outside and the worst excess;
- **severity** (FGT P2): the same with the squared relative excess, which weighs the far-outside
  more;
- **tenth ratio** (Palma-style): the population-weighted mean minutes of the worst-served tenth of
  the population over that of the best-served tenth (places split at the tenth's edge by
  population). 1 is equal access; it is ``inf`` when the worst tenth holds an unreachable place.

Foster, Greer and Thorbecke (1984), "A class of decomposable poverty measures", *Econometrica*
52(3): the family P_alpha with the threshold as the poverty line and minutes over it as the
shortfall (here an excess, since less is better). The tenth ratio borrows the Palma ratio's
idea, the top against the bottom of the distribution (Cobham and Sumner 2013), with tenths at
both ends so that it reads as "how many times longer the worst-served tenth travels".
Excess over an unreachable place's time is infinite, so the gap, severity and worst excess are
``inf`` when any place outside is unreachable: the row says how many are.

Pure functions over arrays, no graph; :func:`equity_table` groups them by region, prefecture and
county for :mod:`network.indicators.score`, ``check`` and ``compare``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: The share of the population at each end of the tenth ratio.
TENTH = 0.1


def fgt(times_min: ArrayLike, population: ArrayLike, threshold_min: float, alpha: float) -> float:
    """Foster–Greer–Thorbecke P_alpha of the excess of ``times_min`` over ``threshold_min``:
    ``sum(w * max(0, (t - z) / z) ** alpha) / sum(w)``, with ``alpha = 0`` the share outside.

    >>> fgt([30, 90], [1, 1], 60, 0), fgt([30, 90], [1, 1], 60, 1)
    (0.5, 0.25)
    """
    t, w = np.asarray(times_min, dtype=float), np.asarray(population, dtype=float)
    if w.sum() <= 0:
        return float("nan")
    outside = ~(t <= threshold_min)  # NaN and inf are outside
    if alpha == 0:
        return float(w[outside].sum() / w.sum())
    with np.errstate(invalid="ignore"):
        rel = np.where(outside, (t - threshold_min) / threshold_min, 0.0)
    return float((w * rel**alpha).sum() / w.sum())


def tenth_ratio(times_min: ArrayLike, population: ArrayLike, share: float = TENTH) -> float:
    """Population-weighted mean minutes of the worst-served ``share`` of the population over the
    best-served ``share`` (a place at the edge of a tenth counts with the part of its population
    inside it).

    >>> tenth_ratio([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], [1] * 10)
    10.0
    """
    t, w = np.asarray(times_min, dtype=float), np.asarray(population, dtype=float)
    t = np.where(np.isnan(t), np.inf, t)
    keep = w > 0
    t, w = t[keep], w[keep]
    if len(t) == 0:
        return float("nan")
    order = np.argsort(t, kind="stable")
    t, w = t[order], w[order]

    def mean_of_lowest(times: np.ndarray, weights: np.ndarray) -> float:
        need = share * weights.sum()
        before = np.concatenate([[0.0], np.cumsum(weights)[:-1]])
        part = np.clip(need - before, 0.0, weights)
        hit = part > 0
        if np.isinf(times[hit]).any():
            return float("inf")
        return float((times[hit] * part[hit]).sum() / part[hit].sum())

    best = mean_of_lowest(t, w)
    worst = mean_of_lowest(-t[::-1], w[::-1])  # the highest times, as the lowest of their negatives
    worst = -worst if np.isfinite(worst) else float("inf")
    if best <= 0:
        return float("nan")
    return float(worst / best)


def outside_summary(times_min: ArrayLike, population: ArrayLike, threshold_min: float) -> dict[str, Any]:
    """Every indicator of the module docstring for one group of places and one threshold."""
    t, w = np.asarray(times_min, dtype=float), np.asarray(population, dtype=float)
    total = float(w.sum())
    outside = ~(t <= threshold_min)
    excess = np.where(outside, t - threshold_min, 0.0)
    out_pop = float(w[outside].sum())
    return {
        "places": len(t),
        "population": int(total),
        "places_outside": int(outside.sum()),
        "unreachable_places": int((~np.isfinite(t)).sum()),
        "population_outside": int(out_pop),
        "share_outside": round(out_pop / total, 4) if total > 0 else float("nan"),
        "mean_excess_min": round(float((w[outside] * excess[outside]).sum() / out_pop), 1) if out_pop > 0 else 0.0,
        "worst_excess_min": round(float(excess.max()), 1) if len(t) else float("nan"),
        "fgt_gap": round(fgt(t, w, threshold_min, 1), 4),
        "fgt_severity": round(fgt(t, w, threshold_min, 2), 4),
        "tenth_ratio": round(tenth_ratio(t, w), 3),
    }


def equity_table(
    times_min: ArrayLike,
    population: ArrayLike,
    prefecture: Sequence[str],
    county: Sequence[str],
    thresholds_min: Sequence[float],
    **labels: Any,
) -> pd.DataFrame:
    """:func:`outside_summary` per threshold for the whole set of places (``level`` region), each
    prefecture and each county (a county-level place: inside or out, and its excess), with
    ``labels`` (target, mode, network, ...) as leading columns.

    Computed for all groups at once (sums per group by ``np.bincount``); the tenth ratio, which
    does not depend on the threshold, once per group. Equal to :func:`outside_summary` group by
    group (a test checks it).
    """
    t, w = np.asarray(times_min, dtype=float), np.asarray(population, dtype=float)
    pref, cty = np.asarray(prefecture, dtype=object), np.asarray(county, dtype=object)
    names: list[tuple[str, str]] = [("region", "all")]
    members: list[np.ndarray] = [np.arange(len(t))]
    for level, keys in (("prefecture", pref), ("county", cty)):
        for k in dict.fromkeys(keys.tolist()):
            names.append((level, str(k)))
            members.append(np.flatnonzero(keys == k))
    g = np.concatenate([np.full(len(m), i) for i, m in enumerate(members)]) if members else np.zeros(0, int)
    rows_of = np.concatenate(members) if members else np.zeros(0, int)
    tg, wg, n = t[rows_of], w[rows_of], len(members)
    total = np.bincount(g, wg, n)
    count = np.bincount(g, minlength=n)
    unreachable = np.bincount(g, ~np.isfinite(tg), n).astype(int)
    tenth = [round(tenth_ratio(t[m], w[m]), 3) if len(m) > 1 else _tenth_of_one(t[m], w[m]) for m in members]
    out_rows = []
    for th in thresholds_min:
        outside = ~(tg <= th)
        excess = np.where(outside, tg - th, 0.0)
        out_pop = np.bincount(g, np.where(outside, wg, 0.0), n)
        with np.errstate(invalid="ignore"):
            rel = np.where(outside, (tg - th) / th, 0.0)
            gap = np.bincount(g, wg * rel, n)
            sev = np.bincount(g, wg * rel**2, n)
            weighted_excess = np.bincount(g, np.where(outside, wg * excess, 0.0), n)
        worst = np.full(n, -np.inf)
        with np.errstate(invalid="ignore"):  # a NaN time stays NaN, as max() gives it
            np.maximum.at(worst, g, excess)
        places_out = np.bincount(g, outside, n).astype(int)
        for i, (level, name) in enumerate(names):
            tot, op = float(total[i]), float(out_pop[i])
            out_rows.append(
                {
                    **labels,
                    "threshold_min": th,
                    "level": level,
                    "group": name,
                    "places": int(count[i]),
                    "population": int(tot),
                    "places_outside": int(places_out[i]),
                    "unreachable_places": int(unreachable[i]),
                    "population_outside": int(op),
                    "share_outside": round(op / tot, 4) if tot > 0 else float("nan"),
                    "mean_excess_min": round(float(weighted_excess[i] / op), 1) if op > 0 else 0.0,
                    "worst_excess_min": round(float(worst[i]), 1) if count[i] else float("nan"),
                    "fgt_gap": round(float(gap[i] / tot), 4) if tot > 0 else float("nan"),
                    "fgt_severity": round(float(sev[i] / tot), 4) if tot > 0 else float("nan"),
                    "tenth_ratio": tenth[i],
                }
            )
    return pd.DataFrame(out_rows)


def _tenth_of_one(t: np.ndarray, w: np.ndarray) -> float:
    """:func:`tenth_ratio` of a single place (rounded as the table rounds): 1 when it has people
    and a finite time above zero, else not defined."""
    if len(t) == 0 or not w[0] > 0 or not np.isfinite(t[0]) or t[0] <= 0:
        return round(tenth_ratio(t, w), 3)
    return 1.0


#: What the columns of :func:`equity_table` mean, for notes under tables and in reports.
EQUITY_NOTE = (
    "Outside the circle: population_outside/share_outside are who is beyond the threshold (FGT headcount; "
    "unreachable places count as outside); mean_excess_min is the population-weighted mean minutes over it of "
    "those outside, worst_excess_min the largest; fgt_gap and fgt_severity are the Foster-Greer-Thorbecke P1 and "
    "P2 of the excess as a share of the threshold over everyone (0 when all are inside); tenth_ratio is the "
    "mean minutes of the worst-served tenth of the population over the best-served tenth "
    "(network/indicators/equity.py)."
)
