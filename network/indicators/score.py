"""Population-weighted summaries of travel times to targets.

In: a per-place table with ``population_2020`` and ``<target>_<mode>_min`` columns (minutes,
``inf``/NaN where unreachable). Out: one row per target and mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

THRESHOLDS_MIN = (60, 90, 120)


def weighted_mean_time(minutes: pd.Series, population: pd.Series) -> float:
    """Population-weighted mean travel time (the WATT of accessibility literature).

    WATT = Σ p_i t_i / Σ p_i over places that can reach the target (Geurs & van Wee 2004,
    J. Transport Geography 12(2), location-based measures). Unreachable places are excluded; the
    caller reports how many.

    >>> weighted_mean_time(pd.Series([60.0, 120.0]), pd.Series([3, 1]))
    75.0
    """
    t = minutes.to_numpy(dtype=float)
    p = population.to_numpy(dtype=float)
    ok = np.isfinite(t)
    if not ok.any():
        return float("nan")
    return float(np.sum(t[ok] * p[ok]) / np.sum(p[ok]))


def population_within(minutes: pd.Series, population: pd.Series, threshold_min: float) -> int:
    """Population of places whose time is at most ``threshold_min`` (cumulative accessibility).

    >>> population_within(pd.Series([30.0, 70.0]), pd.Series([5, 7]), 60)
    5
    """
    t = minutes.to_numpy(dtype=float)
    return int(population.to_numpy()[np.isfinite(t) & (t <= threshold_min)].sum())


def summarise_scores(table: pd.DataFrame, targets: Sequence[str],
                     modes: Sequence[str] = ("road", "rail", "best"),
                     thresholds_min: Sequence[float] = THRESHOLDS_MIN) -> pd.DataFrame:
    """Per target and mode: population-weighted mean minutes and population within thresholds."""
    rows = []
    total = int(table["population_2020"].sum())
    for target in targets:
        for mode in modes:
            col = table[f"{target}_{mode}_min"]
            row = {"target": target, "mode": mode,
                   "weighted_mean_min": round(weighted_mean_time(col, table["population_2020"]), 1),
                   "unreachable_places": int((~np.isfinite(col.to_numpy(dtype=float))).sum()),
                   "population_total": total}
            for th in thresholds_min:
                row[f"population_within_{int(th)}_min"] = population_within(col, table["population_2020"], th)
            rows.append(row)
    return pd.DataFrame(rows)
