"""Accessibility and equity indicators: pure functions over travel times (minutes).

In: travel-time arrays (``inf`` or NaN where unreachable), populations or other opportunities,
distances. Out: numbers or arrays. No graph, no I/O; each function states its formula and source.

Conventions: ``times[i, j]`` is the time from origin i to destination j; weights are populations.
Unreachable pairs contribute nothing to sums of opportunities and are left out of means (the
caller reports how many there are).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Decay = Literal["negative_exponential", "power", "cumulative"]


def _finite(t: NDArray[np.float64]) -> NDArray[np.bool_]:
    return np.isfinite(t)


def decay_weight(
    times_min: ArrayLike,
    decay: Decay,
    beta: float = 0.02,
    alpha: float = 1.0,
    threshold_min: float = 60.0,
    t0_min: float = 1.0,
) -> NDArray[np.float64]:
    """Impedance f(t) of a gravity (potential) measure.

    * ``negative_exponential``: f(t) = exp(-β t), β per minute (Hansen 1959; Geurs & van Wee 2004,
      J. Transport Geography 12(2) 127-140, eq. 3). β = 0.02/min halves the weight every 35 min.
    * ``power``: f(t) = max(t, t0)^-α (the original gravity form; Hansen 1959, J. American Institute
      of Planners 25(2) 73-76); t0 keeps it finite for t → 0.
    * ``cumulative``: f(t) = 1 if t ≤ threshold else 0 (contour measure; Geurs & van Wee 2004).

    Unreachable (non-finite) times give 0.

    >>> decay_weight([0.0, 34.657, np.inf], "negative_exponential").round(3).tolist()
    [1.0, 0.5, 0.0]
    >>> decay_weight([0.5, 2.0], "power", alpha=1.0).tolist()
    [1.0, 0.5]
    """
    t = np.asarray(times_min, dtype=float)
    ok = _finite(t)
    out = np.zeros_like(t)
    if decay == "negative_exponential":
        out[ok] = np.exp(-beta * t[ok])
    elif decay == "power":
        out[ok] = np.maximum(t[ok], t0_min) ** (-alpha)
    elif decay == "cumulative":
        out[ok] = (t[ok] <= threshold_min).astype(float)
    else:
        raise ValueError(f"unknown decay {decay!r}; expected negative_exponential, power or cumulative")
    return out


def potential_accessibility(
    times_min: ArrayLike, opportunities: ArrayLike, decay: Decay = "negative_exponential", **params: float
) -> NDArray[np.float64]:
    """Potential (gravity) accessibility of each origin: A_i = Σ_j O_j f(t_ij).

    Hansen (1959); Geurs & van Wee (2004) eq. 3. ``times_min`` is origins × destinations,
    ``opportunities`` one value per destination (e.g. population or jobs); ``params`` go to
    :func:`decay_weight`.

    >>> potential_accessibility([[0.0, 10.0]], [100, 50], "cumulative", threshold_min=5).tolist()
    [100.0]
    """
    t = np.atleast_2d(np.asarray(times_min, dtype=float))
    o = np.asarray(opportunities, dtype=float)
    return np.asarray(decay_weight(t, decay, **params) @ o, dtype=float)


def cumulative_opportunities(
    times_min: ArrayLike, opportunities: ArrayLike, threshold_min: float
) -> NDArray[np.float64]:
    """Daily / cumulative accessibility: opportunities reachable within T minutes,
    C_i(T) = Σ_j O_j [t_ij ≤ T] (Geurs & van Wee 2004, contour measures; Gutiérrez 2001, J. Transport
    Geography 9(4), "daily accessibility" with T the time that allows a return trip in a day).
    Never falls as T grows.

    >>> cumulative_opportunities([[10.0, 70.0, np.inf]], [1, 2, 4], 60).tolist()
    [1.0]
    """
    return potential_accessibility(times_min, opportunities, "cumulative", threshold_min=threshold_min)


def share_within(times_min: ArrayLike, population: ArrayLike, threshold_min: float) -> float:
    """Share of a region's population within T minutes of a target: Σ p_i [t_i ≤ T] / Σ p_i.

    >>> share_within([30.0, 90.0, np.inf], [1, 1, 2], 60)
    0.25
    """
    t = np.asarray(times_min, dtype=float)
    p = np.asarray(population, dtype=float)
    total = p.sum()
    return float(p[_finite(t) & (t <= threshold_min)].sum() / total) if total > 0 else float("nan")


def weighted_average_travel_time(times_min: ArrayLike, weights: ArrayLike) -> float:
    """WATT = Σ w_i t_i / Σ w_i over reachable places (Geurs & van Wee 2004, location-based
    measures; used for TEN-T studies, e.g. Gutiérrez & Urbano 1996, J. Transport Geography 4(1)).

    >>> weighted_average_travel_time([60.0, 120.0, np.inf], [3, 1, 5])
    75.0
    """
    t = np.asarray(times_min, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = _finite(t)
    return float((t[ok] * w[ok]).sum() / w[ok].sum()) if w[ok].sum() > 0 else float("nan")


def network_efficiency(
    times_min: ArrayLike, straight_km: ArrayLike, reference_speed_kph: float, weights: ArrayLike | None = None
) -> float:
    """Network efficiency: the weighted mean of network time over the time a straight line at a
    reference speed would take, E = Σ_j w_j (t_ij / (d_ij / v_ref)) / Σ_j w_j (Gutiérrez & Urbano
    1996, J. Transport Geography 4(1) 15-25, "relative network efficiency"). 1 means as fast as a
    straight line at v_ref; larger is less efficient. Pairs with zero distance or no path are left out.

    >>> network_efficiency([60.0, 120.0], [100.0, 100.0], 100.0)
    1.5
    """
    t = np.asarray(times_min, dtype=float)
    d = np.asarray(straight_km, dtype=float)
    w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=float)
    ok = _finite(t) & (d > 0)
    ideal = d[ok] / reference_speed_kph * 60.0
    return float((w[ok] * t[ok] / ideal).sum() / w[ok].sum()) if w[ok].sum() > 0 else float("nan")


# -- equity ------------------------------------------------------------------------------------
def _clean(values: ArrayLike, weights: ArrayLike | None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    ok = _finite(x) & (w > 0)
    return x[ok], w[ok]


def coefficient_of_variation(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Weighted coefficient of variation σ_w / μ_w (population-weighted standard deviation over the
    weighted mean; e.g. López, Gutiérrez & Gómez 2008, European Planning Studies 16(2), equity of
    accessibility).

    >>> coefficient_of_variation([10.0, 10.0, 10.0])
    0.0
    >>> round(coefficient_of_variation([1.0, 3.0]), 3)
    0.5
    """
    x, w = _clean(values, weights)
    mu = float((w * x).sum() / w.sum())
    return float(np.sqrt((w * (x - mu) ** 2).sum() / w.sum()) / mu) if mu != 0 else float("nan")


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Weighted Gini coefficient, G = Σ_i Σ_j w_i w_j |x_i - x_j| / (2 (Σ w)² μ) (mean absolute
    difference over twice the mean; Gini 1912; for accessibility, Delbosc & Currie 2011, J. Transport
    Geography 19(6) 1252-1259). 0 = everyone has the same value. Computed in O(n log n) from the
    sorted values.

    >>> gini([5.0, 5.0, 5.0])
    0.0
    >>> gini([0.0, 0.0, 0.0, 1.0])
    0.75
    >>> gini([1.0, 3.0], [1, 1]) == gini([1.0, 1.0, 3.0, 3.0])
    True
    """
    x, w = _clean(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    total = w.sum()
    mu = (w * x).sum() / total
    if mu == 0:
        return float("nan")
    # Σ_i Σ_j w_i w_j |x_i - x_j| = 2 Σ_i w_i x_i (W_{<i} - W_{>i}) over sorted x
    cum = np.cumsum(w) - w
    after = total - cum - w
    mad = max(2.0 * (w * x * (cum - after)).sum(), 0.0)  # >= 0 exactly; guards rounding
    return float(mad / (2.0 * total**2 * mu))


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Weighted Theil T index, T = Σ_i s_i (x_i/μ) ln(x_i/μ) with population shares s_i
    (Theil 1967; decomposable, used for accessibility equity by e.g. Kaplan et al. 2014, Transport
    Policy 32). 0 = equality; values must be positive.

    >>> theil([4.0, 4.0])
    0.0
    >>> round(theil([1.0, 3.0]), 4)
    0.1308
    """
    x, w = _clean(values, weights)
    if (x <= 0).any():
        raise ValueError("theil: every value must be > 0")
    s = w / w.sum()
    mu = (s * x).sum()
    r = x / mu
    return float((s * r * np.log(r)).sum())


# -- scenario change ---------------------------------------------------------------------------
def change(before: ArrayLike, after: ArrayLike, weights: ArrayLike | None = None) -> dict[str, object]:
    """Per-place absolute (after - before) and relative ((after - before) / before) change, and
    their weighted means over places reachable in both. Negative = faster (for times).

    >>> c = change([60.0, 100.0], [30.0, 100.0], [1, 3])
    >>> c["absolute"].tolist(), c["relative"].tolist(), c["weighted_absolute"], c["weighted_relative"]
    ([-30.0, 0.0], [-0.5, 0.0], -7.5, -0.125)
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    w = np.ones_like(b) if weights is None else np.asarray(weights, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        absolute = a - b
        relative = np.where(b > 0, absolute / b, np.nan)
    ok = _finite(a) & _finite(b) & (w > 0)
    wsum = w[ok].sum()
    return {
        "absolute": absolute,
        "relative": relative,
        "weighted_absolute": float((w[ok] * absolute[ok]).sum() / wsum) if wsum else float("nan"),
        "weighted_relative": float((w[ok] * relative[ok]).sum() / wsum) if wsum else float("nan"),
        "both_reachable": int(ok.sum()),
    }
