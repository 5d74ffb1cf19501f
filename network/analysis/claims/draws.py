"""Uncertainty of a claim: its times re-evaluated on every draw of the assumptions
(:mod:`network.analysis.uncertainty`), p10/p50/p90 and the share of draws in which each verdict holds."""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import pandas as pd

from network.analysis.claims.evaluate import CheckResult, evaluate
from network.analysis.uncertainty import Retimer, draw_assumptions, sampled_names

_WORK: dict[str, Any] = {}


def _claim_draw_rows(k: int) -> tuple[np.ndarray, ...]:
    spec, retimers, draws, speeds = _WORK["spec"], _WORK["retimers"], _WORK["draws"], _WORK["speeds"]
    minutes, worst = [], []
    for name, rt in retimers.items():
        df = evaluate(rt.model_for(draws[k], speeds[k]), spec, name, legs=False)
        minutes.append(df["minutes"].to_numpy())
        worst.append(df.get("worst_minutes", pd.Series(np.nan, index=df.index)).to_numpy(dtype=float))
    return np.concatenate(minutes), np.concatenate(worst)


def _run_draws(n: int, workers: int) -> list[tuple[np.ndarray, ...]]:
    if workers <= 1 or n < 8:
        return [_claim_draw_rows(k) for k in range(n)]
    import multiprocessing as mp

    with mp.get_context("fork").Pool(workers) as pool:  # the models are inherited, not pickled
        return pool.map(_claim_draw_rows, range(n), chunksize=max(1, n // (workers * 8)))


def add_uncertainty(
    result: CheckResult, models: dict[str, Any], draws: int, seed: int, workers: int | None = None
) -> None:
    """Add p10/p50/p90 of every time and the share of draws within each threshold to a
    :class:`~network.analysis.claims.CheckResult`, and the share of draws in which each verdict holds."""
    spec = result.claim.spec
    t0 = time.perf_counter()
    base = next(iter(models.values())).assumptions
    samples, speeds = draw_assumptions(base, draws, seed)
    _WORK.update(spec=spec, retimers={k: Retimer(m) for k, m in models.items()}, draws=samples, speeds=speeds)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    try:
        out = _run_draws(draws, workers)
    finally:
        _WORK.clear()
    minutes = np.stack([o[0] for o in out])  # draws x rows (rows as in evaluate, per network)
    worst = np.stack([o[1] for o in out])
    per = result.per_destination
    n_rows = minutes.shape[1]
    for th in spec.thresholds:
        idx = per.index[per["threshold_min"] == th]
        assert len(idx) == n_rows
        basis = (
            np.where(per.loc[idx, "reading"].to_numpy() == "population_weighted", worst, minutes)
            if spec.aggregate == "all_of"
            else minutes
        )
        within = basis <= th
        for q in (10, 50, 90):
            per.loc[idx, f"p{q}_min"] = np.percentile(minutes, q, axis=0)
        per.loc[idx, "share_of_draws_within"] = within.mean(axis=0)
        sub = per.loc[idx]
        for key, g in sub.groupby(["network", "reading", "mode"], sort=False):
            cols = [list(idx).index(i) for i in g.index]
            ok = within[:, cols].all(axis=1) if spec.require == "every_destination" else within[:, cols].any(axis=1)
            worst_draw = minutes[:, cols].max(axis=1)
            sel = (
                (result.overall["network"] == key[0])
                & (result.overall["reading"] == key[1])
                & (result.overall["mode"] == key[2])
                & (result.overall["threshold_min"] == th)
            )
            result.overall.loc[sel, "share_of_draws_holding"] = float(ok.mean())
            for q in (10, 50, 90):
                result.overall.loc[sel, f"p{q}_max_min"] = float(np.percentile(worst_draw, q))
    secs = time.perf_counter() - t0
    names = sampled_names(base)
    result.timing = f"{draws} draws in {secs:.1f} s on {workers} process(es)"  # not in the note: files stay identical
    result.uncertainty_note = (
        f"{draws} draws (seed {seed}) of the {len(names)} constants that re-time edges, "
        "triangular(low, value, high), plus OSM class speeds on OSM-built networks; every edge re-timed by its "
        "rule (network/graph/timing.py), fixed times (block times) kept. p10/p50/p90 are "
        "of minutes; share_of_draws_holding is the share of draws in which the verdict holds."
    )
