"""Calibration of global constants (network/analysis/calibration.py): fits stay inside the
documented ranges, never worsen the objective, are limited to a few constants, and left-out
predictions come from fits that did not see the figure."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from network.analysis.calibration import MAX_CONSTANTS, Calibration, fit_rows, log_errors
from network.assumptions import Assumptions
from network.indicators.validation import evaluate_figures, read_figures
from network.model import Model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    rows = fit_rows(read_figures(ROOT / "data" / "validation" / "published_figures.csv"))
    assert {r["grade"] for r in rows} <= {"A", "B"} and len(rows) >= 5
    return [r for r in rows if r["origin"] == "运城"]  # two dates, one road pair: quick to fit


@pytest.fixture(scope="module")
def cal(rows):
    return Calibration(rows, lambda d: Model.default(as_of=d), Assumptions(), ["built_up_speed_kph"])


def test_a_fit_stays_in_range_and_never_worsens_the_objective(cal):
    start = cal.loss(cal.start)
    x = cal.fit(maxfev=25)
    assert cal.low[0] <= x[0] <= cal.high[0]
    assert cal.loss(x) <= start + 1e-12


def test_a_trial_equals_a_network_built_with_those_constants(cal, rows):
    x = np.array([cal.high[0]])
    a = dataclasses.replace(Assumptions(), built_up_speed_kph=float(x[0]))
    for r in rows:
        fresh = Model.default(as_of=r["as_of"], assumptions=a)
        want = evaluate_figures([r], lambda d, m=fresh: m)["modelled"].iloc[0]
        got = cal.table(x, [r])["modelled"].iloc[0]
        assert got == pytest.approx(want, abs=1e-9)
        # a faster built-up speed never makes the trip slower
        assert got <= cal.table(cal.start, [r])["modelled"].iloc[0] + 1e-9


def test_upper_bounds_count_only_when_exceeded():
    t = pd.DataFrame(
        {
            "modelled": [50.0, 70.0, 50.0, np.nan],
            "published": [60.0, 60.0, 60.0, 60.0],
            "bound": ["upper", "upper", "", ""],
        }
    )
    err = log_errors(t)
    assert err[0] == 0.0 and err[1] > 0 and err[2] < 0 and err[3] > 0  # unroutable counts, large


def test_at_most_a_few_known_constants(rows):
    names = [f.name for f in dataclasses.fields(Assumptions())][: MAX_CONSTANTS + 1]
    with pytest.raises(ValueError, match="at most"):
        Calibration(rows, lambda d: Model.default(as_of=d), Assumptions(), names)
    with pytest.raises(ValueError, match="unknown constants"):
        Calibration(rows, lambda d: Model.default(as_of=d), Assumptions(), ["no_such_constant"])


def test_left_out_predictions_come_from_fits_without_the_figure(cal, rows, monkeypatch):
    seen: list[list[int]] = []
    real_fit = Calibration.fit

    def spy(self, rows_=None, start=None, maxfev=200):
        seen.append([r["line"] for r in (rows_ if rows_ is not None else self.rows)])
        return real_fit(self, rows_, start, maxfev=min(maxfev, 8))

    monkeypatch.setattr(Calibration, "fit", spy)
    rep = cal.report(maxfev=8, loo_maxfev=8)
    lines = [r["line"] for r in rows]
    assert seen[0] == lines  # the full fit
    assert [sorted(s) for s in seen[1:]] == [sorted(set(lines) - {x}) for x in lines]
    assert set(rep["shares"]) == {"documented", "fitted", "left_out"}
    assert list(rep["figures"]["line"]) == lines
