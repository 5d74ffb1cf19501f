"""Population-weighted summaries of travel times to targets (the indicator suite per target and mode).

In: a per-place table with ``population_2020`` and ``<target>_<mode>_min`` columns (minutes,
``inf``/NaN where unreachable). Out: one row per target and mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from network.indicators import measures as m

THRESHOLDS_MIN = (60, 90, 120, 180)


def weighted_mean_time(minutes: pd.Series, population: pd.Series) -> float:
    """Population-weighted mean travel time (the WATT of accessibility literature).

    WATT = Σ p_i t_i / Σ p_i over places that can reach the target (Geurs & van Wee 2004,
    J. Transport Geography 12(2), location-based measures). Unreachable places are excluded; the
    caller reports how many.

    >>> weighted_mean_time(pd.Series([60.0, 120.0]), pd.Series([3, 1]))
    75.0
    """
    return m.weighted_average_travel_time(minutes.to_numpy(dtype=float), population.to_numpy(dtype=float))


def population_within(minutes: pd.Series, population: pd.Series, threshold_min: float) -> int:
    """Population of places whose time is at most ``threshold_min`` (cumulative accessibility).

    >>> population_within(pd.Series([30.0, 70.0]), pd.Series([5, 7]), 60)
    5
    """
    t = minutes.to_numpy(dtype=float)
    return int(population.to_numpy()[np.isfinite(t) & (t <= threshold_min)].sum())


#: Reference speed of the network-efficiency indicator: a straight line at this speed is "ideal".
#: 100 km/h is the expressway design speed most common in the region (data/expressways.yaml); it
#: is a yardstick, not a behavioural parameter.
EFFICIENCY_REFERENCE_KPH = 100.0


def summarise_scores(
    table: pd.DataFrame,
    targets: Sequence[str],
    modes: Sequence[str] = ("road", "rail", "best"),
    thresholds_min: Sequence[float] = THRESHOLDS_MIN,
    straight_km: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Per target and mode: population-weighted mean minutes (WATT), population and share of
    population within each threshold, inequality of the times across places (population-weighted
    coefficient of variation, Gini, Theil; :mod:`network.indicators.measures`), and, given each
    place's straight-line distance to the target, network efficiency at
    :data:`EFFICIENCY_REFERENCE_KPH`. Thresholds have no cap (intercity trips run past two hours)."""
    rows = []
    pop = table["population_2020"]
    total = int(pop.sum())
    for target in targets:
        for mode in modes:
            col = table[f"{target}_{mode}_min"]
            t = col.to_numpy(dtype=float)
            reach = np.isfinite(t)
            row = {
                "target": target,
                "mode": mode,
                "weighted_mean_min": round(weighted_mean_time(col, pop), 1),
                "unreachable_places": int((~reach).sum()),
                "population_total": total,
            }
            for th in thresholds_min:
                row[f"population_within_{int(th)}_min"] = population_within(col, pop, th)
            for th in thresholds_min:
                row[f"share_within_{int(th)}_min"] = round(m.share_within(t, pop, th), 4)
            ok = reach & (t > 0)
            w = pop.to_numpy(dtype=float)
            row["cv"] = round(m.coefficient_of_variation(t[ok], w[ok]), 4) if ok.any() else float("nan")
            row["gini"] = round(m.gini(t[ok], w[ok]), 4) if ok.any() else float("nan")
            row["theil"] = round(m.theil(t[ok], w[ok]), 4) if ok.any() else float("nan")
            if straight_km is not None and target in straight_km:
                row["network_efficiency"] = round(
                    m.network_efficiency(t, np.asarray(straight_km[target], dtype=float), EFFICIENCY_REFERENCE_KPH, w),
                    3,
                )
            rows.append(row)
    return pd.DataFrame(rows)


def equity_of_scores(
    table: pd.DataFrame,
    targets: Sequence[str],
    modes: Sequence[str] = ("road", "rail", "best"),
    thresholds_min: Sequence[float] = THRESHOLDS_MIN,
) -> pd.DataFrame:
    """Who is outside each threshold per target and mode, for all places, each prefecture and
    each county (:func:`network.indicators.equity.equity_table`)."""
    from network.indicators.equity import equity_table

    frames = [
        equity_table(
            table[f"{target}_{mode}_min"].to_numpy(dtype=float),
            table["population_2020"].to_numpy(dtype=float),
            table["city_zh"].tolist(),
            table["name_zh"].tolist(),
            thresholds_min,
            target=target,
            mode=mode,
        )
        for target in targets
        for mode in modes
    ]
    return pd.concat(frames, ignore_index=True)
