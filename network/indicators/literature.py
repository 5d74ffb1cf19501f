"""The indicators of the HSR accessibility literature: economic potential, daily accessibility and
rail accessibility weighted by trains. Pure array functions, like :mod:`network.indicators.measures`.

In: origin × destination minutes (``inf`` where unreachable), a mass per destination (population,
or GDP in 亿元), trains per day. Out: one value per origin.

The three come from Gutiérrez (2001), "Location, economic potential and daily accessibility: an
analysis of the accessibility impact of the high-speed line Madrid-Barcelona-French border",
J. Transport Geography 9(4), 229-242, which reads a high-speed line by weighted average travel time
(:func:`network.indicators.measures.weighted_average_travel_time`), economic potential and daily
accessibility; the studies of China's HSR network and its urban agglomerations use the same three
(e.g. Cao, Liu, Wang & Li 2013, J. Transport Geography 28, 12-21).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from network.indicators.measures import cumulative_opportunities

#: Distance-decay exponent of economic potential, P_i = Σ M_j / t_ij^a. Gutiérrez (2001) takes a = 1,
#: the central value here. The range 0.5-2 is an assumption (gravity studies fit exponents on both
#: sides of 1, none for this region): a larger a weighs near mass more.
POTENTIAL_ALPHA = 1.0
POTENTIAL_ALPHA_RANGE = (0.5, 2.0)

#: Daily accessibility counts the mass within a time that allows a return trip with a working day
#: at the destination: 4 hours in Gutiérrez (2001) and the Chinese HSR studies after it. The region's
#: intercity trips are shorter (晋城 to 郑州 is two hours by road), so 2 hours is reported beside it.
DAILY_THRESHOLDS_MIN = (120.0, 240.0)

#: Service day over which a headway becomes trains per day: 16 hours (06:00-22:00), the span the
#: embedded services' headways were derived with (data/rail_lines.yaml, "headway = service day /
#: trains each way, with an assumed 16-hour service day").
SERVICE_DAY_MIN = 960.0


def economic_potential(
    times_min: ArrayLike, mass: ArrayLike, alpha: float = POTENTIAL_ALPHA, skip_self: bool = True
) -> NDArray[np.float64]:
    """Economic potential of each origin, P_i = Σ_j M_j / t_ij^a (Gutiérrez 2001), over the
    destinations it reaches. With ``skip_self`` (a square array, origins = destinations) the place's
    own mass is left out: its internal time is not a network time, and no project changes it, so the
    change between scenarios is what the indicator says. Masses that are NaN (unknown) count 0.

    >>> economic_potential([[0.0, 10.0, 20.0], [10.0, 0.0, np.inf], [20.0, 5.0, 0.0]], [1.0, 100.0, 40.0]).tolist()
    [12.0, 0.1, 20.05]
    """
    t = np.atleast_2d(np.asarray(times_min, dtype=float))
    m = np.nan_to_num(np.asarray(mass, dtype=float), nan=0.0)
    ok = np.isfinite(t) & (t > 0)
    if skip_self and t.shape[0] == t.shape[1]:
        np.fill_diagonal(ok, False)
    w = np.zeros_like(t)
    w[ok] = t[ok] ** (-alpha)
    return np.asarray(w @ m, dtype=float)


def daily_accessibility(
    times_min: ArrayLike, mass: ArrayLike, threshold_min: float = DAILY_THRESHOLDS_MIN[-1]
) -> NDArray[np.float64]:
    """Daily accessibility: the mass (population or GDP) reachable within ``threshold_min``,
    D_i = Σ_j M_j [t_ij ≤ T] (Gutiérrez 2001; :func:`~network.indicators.measures.cumulative_opportunities`).
    The place's own mass counts (it is within any T of itself). Unknown masses (NaN) count 0.

    >>> daily_accessibility([[0.0, 100.0, 300.0]], [5.0, 7.0, 9.0], 240).tolist()
    [12.0]
    """
    return cumulative_opportunities(times_min, np.nan_to_num(np.asarray(mass, dtype=float), nan=0.0), threshold_min)


def trains_weighted_potential(
    times_min: ArrayLike, mass: ArrayLike, trains_per_day: ArrayLike, alpha: float = POTENTIAL_ALPHA
) -> NDArray[np.float64]:
    """Rail accessibility weighted by trains: R_i = F_i · Σ_j M_j / t_ij^a, the economic potential
    by rail of each origin times the trains a day F_i calling at its home station. The frequency
    term is this tool's construction, stated rather than cited: a line with one train a day and a
    line with seventy give one potential, and a planner reading rail access asks for the difference.
    Zero trains (no station) give zero.

    >>> trains_weighted_potential([[0.0, 10.0], [10.0, 0.0]], [1.0, 50.0], [20.0, 0.0]).tolist()
    [100.0, 0.0]
    """
    return np.asarray(economic_potential(times_min, mass, alpha) * np.asarray(trains_per_day, dtype=float), dtype=float)


def place_gdp(cities: Sequence[str], population: ArrayLike, gdp_by_city: Mapping[str, float]) -> NDArray[np.float64]:
    """Each place's share of its city's GDP by population: GDP_i = GDP_c · p_i / Σ_{k in c} p_k, over
    the places given (every county-level unit of a prefecture, so the shares add up to its GDP).
    Assumes equal GDP per head inside a prefecture: it overstates rural counties and understates
    city districts, but moves no mass between prefectures. NaN where the city has no GDP.

    >>> place_gdp(["a", "a", "b"], [1, 3, 5], {"a": 100.0}).tolist()
    [25.0, 75.0, nan]
    """
    p = np.asarray(population, dtype=float)
    c = np.asarray(list(cities), dtype=object)
    out = np.full(len(p), np.nan)
    for city, gdp in gdp_by_city.items():
        sel = c == city
        total = p[sel].sum()
        if total > 0:
            out[sel] = gdp * p[sel] / total
    return out
