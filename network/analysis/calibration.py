"""Calibration of a few global constants to the observed journey times, with leave-one-out errors.

What it does. A handful of global constants of :class:`~network.assumptions.Assumptions` (at most
:data:`MAX_CONSTANTS`; never one per road, train or figure) are fitted to the grade A and B
journey times of ``data/validation/published_figures.csv``, each inside its documented range
(the ``low``/``high`` beside its value). The fit minimises the mean squared log ratio of
modelled to observed minutes (a relative error, so a 4-hour trip does not outweigh a 40-minute
one; an upper bound counts only when the model exceeds it, a lower bound only when it falls
short), with Powell's derivative-free method (the objective is piecewise: a route may switch as
a constant moves), from the documented values.

Why leave-one-out. With a few figures and several constants, an in-sample fit always looks
better than it is. Each figure is therefore predicted by a fit to all the others, and the
report gives the TAG M3.1 share (within 15 %) three ways: at the documented constants, in
sample, and left out. Only the left-out share says whether the fit would carry to figures the
model has not seen; a fit is worth adopting only if that share beats the documented constants'
and no fitted constant sits on a bound of its range (a constant pushed to a bound says the
model's structure, not the constant, is what misses).

How it is fast. The networks of the figures' dates are built once; each trial re-times them
(:class:`~network.analysis.uncertainty.Retimer`, the same formulas the build uses) and routes
the figures again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from network.analysis.uncertainty import Retimer
from network.assumptions import Assumptions
from network.indicators.validation import TAG_SHARE_OF_OBSERVED, TIME_MEASURES, evaluate_figures, inside_tolerance

#: the constants a fit may move unless told otherwise: those that set the times the observed
#: figures measure (city ends, roads by terrain, ordinary roads, the rail margin), six of them
DEFAULT_CONSTANTS = (
    "built_up_speed_kph",
    "urban_access_allowance_min",
    "hilly_road_speed_factor",
    "mountain_road_speed_factor",
    "ordinary_road_speed_factor",
    "running_time_supplement",
)
#: a fitted constant this close to a bound of its range (as a share of the range) is "at the bound"
AT_BOUND_SHARE = 0.05
#: more constants than this and a dozen figures cannot tell them apart
MAX_CONSTANTS = 6


def fit_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures a fit uses: grade A and B journey times (the TAG headline's rows)."""
    return [r for r in rows if r["grade"] in ("A", "B") and r["measure"] in TIME_MEASURES]


def log_errors(table: pd.DataFrame) -> np.ndarray:
    """log(modelled / observed) per figure, 0 where a bound holds; a trip the model cannot make
    counts as a large error (log 3) rather than vanishing from the fit."""
    modelled = table["modelled"].to_numpy(dtype=float)
    observed = table["published"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.log(modelled / observed)
    err = np.where(np.isfinite(err), err, math.log(3.0))
    bound = table["bound"].fillna("").to_numpy(dtype=str)
    err = np.where(bound == "upper", np.maximum(err, 0.0), err)
    return np.where(bound == "lower", np.minimum(err, 0.0), err)


class Calibration:
    """Fits of ``constants`` to ``rows`` (read by :func:`~network.indicators.validation.read_figures`)
    on the networks ``model_for(date)`` gives."""

    def __init__(
        self,
        rows: list[dict[str, Any]],
        model_for: Callable[[dt.date], Any],
        base: Assumptions,
        constants: Sequence[str] = DEFAULT_CONSTANTS,
    ):
        if len(constants) > MAX_CONSTANTS:
            raise ValueError(f"at most {MAX_CONSTANTS} constants may be fitted, got {len(constants)}")
        meta = {f.name: f.metadata for f in dataclasses.fields(base)}
        unknown = [c for c in constants if c not in meta]
        if unknown:
            raise ValueError(f"unknown constants {unknown}; `taihang assumptions` lists them")
        self.rows, self.base, self.constants = rows, base, list(constants)
        self.low = np.array([float(meta[c]["low"]) for c in constants])
        self.high = np.array([float(meta[c]["high"]) for c in constants])
        self.start = np.array([float(getattr(base, c)) for c in constants])
        self.retimers = {r["as_of"]: Retimer(model_for(r["as_of"])) for r in rows}
        self.evaluations = 0

    def assumptions(self, x: np.ndarray) -> Assumptions:
        """The base constants with the fitted ones at ``x`` (clipped into their ranges)."""
        values = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        return dataclasses.replace(self.base, **cast(dict[str, Any], dict(zip(self.constants, values.tolist()))))

    def table(self, x: np.ndarray, rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
        """The figures' table (:func:`~network.indicators.validation.evaluate_figures`) at ``x``."""
        a = self.assumptions(x)
        models: dict[dt.date, Any] = {}

        def model_for(date: dt.date) -> Any:
            if date not in models:
                models[date] = self.retimers[date].model_for(a)
            return models[date]

        self.evaluations += 1
        return evaluate_figures(self.rows if rows is None else rows, model_for)

    def loss(self, x: np.ndarray, rows: list[dict[str, Any]] | None = None) -> float:
        """Mean squared log ratio of modelled to observed on ``rows`` (default: all), bounds one-sided."""
        return float(np.mean(log_errors(self.table(x, rows)) ** 2))

    def fit(
        self, rows: list[dict[str, Any]] | None = None, start: np.ndarray | None = None, maxfev: int = 200
    ) -> np.ndarray:
        """The constants (in their ranges) that minimise :meth:`loss` on ``rows``."""
        from scipy.optimize import minimize

        span = self.high - self.low
        x0 = ((self.start if start is None else start) - self.low) / span

        def f(u: np.ndarray) -> float:
            return self.loss(self.low + np.clip(u, 0.0, 1.0) * span, rows)

        res = minimize(
            f,
            x0,
            method="Powell",
            bounds=[(0.0, 1.0)] * len(x0),
            options={"maxfev": maxfev, "xtol": 0.02, "ftol": 1e-4},
        )
        return np.asarray(self.low + np.clip(res.x, 0.0, 1.0) * span)

    def report(self, maxfev: int = 200, loo_maxfev: int = 80) -> dict[str, Any]:
        """Fit on every row, then leave each row out in turn (warm-started from the full fit),
        and compare: the table of figures, the fitted constants, and the three TAG shares."""
        documented = self.table(self.start)
        fitted = self.fit(maxfev=maxfev)
        in_sample = self.table(fitted)
        loo = []
        for i, row in enumerate(self.rows):
            others = self.rows[:i] + self.rows[i + 1 :]
            x = self.fit(others, start=fitted, maxfev=loo_maxfev)
            loo.append(float(self.table(x, [row])["modelled"].iloc[0]))
        figures = documented[["line", "origin", "destination", "mode", "as_of", "measure", "bound", "published"]].copy()
        figures["documented"] = documented["modelled"]
        figures["fitted"] = in_sample["modelled"]
        figures["left_out"] = np.round(loo, 1)
        shares = {}
        for col in ("documented", "fitted", "left_out"):
            err = figures[col] - figures["published"]
            ok = [
                inside_tolerance(e, TAG_SHARE_OF_OBSERVED * p, b)
                for e, p, b in zip(err, figures["published"], figures["bound"].fillna(""))
            ]
            shares[col] = sum(ok) / len(ok) if ok else float("nan")
        constants = pd.DataFrame(
            {
                "constant": self.constants,
                "documented": self.start,
                "low": self.low,
                "high": self.high,
                "fitted": np.round(fitted, 3),
                # within 5 % of the range of a bound: the fit wants to go further than the range allows
                "at_bound": (fitted - self.low < AT_BOUND_SHARE * (self.high - self.low))
                | (self.high - fitted < AT_BOUND_SHARE * (self.high - self.low)),
            }
        )
        adopt = shares["left_out"] > shares["documented"] and not constants["at_bound"].any()
        return {
            "figures": figures,
            "constants": constants,
            "shares": shares,
            "adopt": bool(adopt),
            "evaluations": self.evaluations,
        }
