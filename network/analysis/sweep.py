"""Sweeps: every scenario x every draw of the constants, scored on targets and checked against
claims, on one machine or on a Dask cluster, resumable.

A sweep is a list of tasks, one per (scenario, draw). Draw 0 is the central constants; draw k
(1..n) takes the constants drawn with the seed ``SeedSequence([seed, k])``: the same draw for
every scenario (common random numbers, so a difference between scenarios is not noise of the
draws), and the same whatever machine or worker runs it. A task's rows depend on nothing but
the sweep and its two numbers, so a sweep gives the same table on one process, on a pool of
processes (joblib, the default) and on a Dask cluster (``scheduler``).

Each finished task is written at once to ``parts/`` of the output folder (atomically); a sweep
started again with the same settings skips the tasks already there, so an interrupted sweep
resumes where it stopped. ``sweep.csv`` (every row) and ``summary.csv`` (p10/p50/p90 over the
draws per scenario and measure) are written when all tasks are done.

What a task measures: for each target, the population-weighted mean minutes and the shares of
population within 60/90/120/180 min, per mode (the summary of :meth:`Model.score`); for each
claim, the verdict (1 holds, 0 not) and the worst minutes of each reading, mode and threshold
(:func:`network.analysis.claims.evaluate.verdicts`), on the sweep's scenario network, not on the
networks the claim file names.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.errors import NetworkModelError
from network.io import atomic_write_text, clean_folder_leftovers
from network.sources.default import DEFAULT_TARGETS
from network.tables import csv_text

#: The columns of ``sweep.csv``, in order.
COLUMNS = [
    "scenario",
    "draw",
    "draw_seed",
    "kind",
    "item",
    "reading",
    "mode",
    "threshold_min",
    "metric",
    "value",
]
_SCORE_METRICS = (
    "weighted_mean_min",
    "share_within_60_min",
    "share_within_90_min",
    "share_within_120_min",
    "share_within_180_min",
)
BASELINE = "baseline"
#: Seconds to wait for a Dask scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 20
_TEXT = {c: str for c in ("scenario", "kind", "item", "reading", "mode", "metric")}


class SweepError(NetworkModelError):
    """A sweep that cannot run or resume as asked."""


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep runs (picklable: it travels to every worker)."""

    scenarios: tuple[str, ...]
    claims: tuple[str, ...] = ()
    targets: tuple[str, ...] = DEFAULT_TARGETS
    draws: int = 0
    seed: int = 1
    year: int | None = None

    def __post_init__(self) -> None:
        # absolute paths: the workers (other processes, other machines) need not share a cwd
        for name in ("scenarios", "claims"):
            object.__setattr__(self, name, tuple(str(Path(p).resolve()) for p in getattr(self, name)))

    @property
    def names(self) -> list[str]:
        """Scenario names (file stems), the baseline first."""
        return [BASELINE, *(Path(p).stem for p in self.scenarios)]

    def tasks(self) -> list[tuple[str, int]]:
        """Every (scenario, draw) of the sweep, in a fixed order."""
        return [(name, k) for name in self.names for k in range(self.draws + 1)]

    def digest(self) -> str:
        """A hash of the settings and of the scenario and claim files' bytes (a resume must be
        of the same sweep)."""
        h = hashlib.sha256(json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False).encode())
        for p in (*self.scenarios, *self.claims):
            h.update(Path(p).read_bytes())
        return h.hexdigest()[:16]


def draw_seed(seed: int, draw: int) -> int:
    """The seed of draw ``draw`` of a sweep seeded ``seed`` (0 for the central constants)."""
    return 0 if draw == 0 else int(np.random.SeedSequence([seed, draw]).generate_state(1)[0])


#: Per worker process: the models of the sweep being run (built once, reused by every task).
_STATE: dict[str, Any] = {}


def _models(spec: SweepSpec) -> dict[str, Any]:
    from network.analysis.claims.spec import load_claim
    from network.model import Model, default_year
    from network.scenario.load import load_scenario

    key = spec.digest()
    if _STATE.get("key") != key:
        scenarios = [load_scenario(p) for p in spec.scenarios]
        year = spec.year if spec.year is not None else default_year(scenarios)
        base = Model.default(year)
        models = {BASELINE: base, **{Path(p).stem: base.with_scenario(s) for p, s in zip(spec.scenarios, scenarios)}}
        _STATE.clear()
        _STATE.update(key=key, models=models, retimers={}, claims=[load_claim(p) for p in spec.claims])
    return _STATE


def run_task(spec: SweepSpec, scenario: str, draw: int) -> list[dict[str, Any]]:
    """The rows of one task (module docstring). Runs in a worker."""
    from network.analysis.claims.evaluate import evaluate, verdicts
    from network.analysis.uncertainty import Retimer, draw_assumptions

    state = _models(spec)
    model = state["models"][scenario]
    seed = draw_seed(spec.seed, draw)
    if draw > 0:
        if scenario not in state["retimers"]:
            state["retimers"][scenario] = Retimer(model)
        draws, speeds = draw_assumptions(model.assumptions, 1, seed)
        model = state["retimers"][scenario].model_for(draws[0], speeds[0])
    head = {"scenario": scenario, "draw": draw, "draw_seed": seed}
    rows: list[dict[str, Any]] = []
    _, summary = model.score(list(spec.targets))
    for rec in summary.to_dict("records"):
        for metric in _SCORE_METRICS:
            rows.append(
                {
                    **head,
                    "kind": "score",
                    "item": rec["target"],
                    "reading": "",
                    "mode": rec["mode"],
                    "threshold_min": np.nan,
                    "metric": metric,
                    "value": float(rec[metric]),
                }
            )
    for claim in state["claims"]:
        _, overall = verdicts(evaluate(model, claim.spec, scenario, legs=False), claim.spec)
        for rec in overall.to_dict("records"):
            common = {
                **head,
                "kind": "claim",
                "item": claim.spec.name,
                "reading": rec["reading"],
                "mode": rec["mode"],
                "threshold_min": float(rec["threshold_min"]),
            }
            rows.append({**common, "metric": "holds", "value": 1.0 if rec["verdict"] == "holds" else 0.0})
            rows.append({**common, "metric": "max_minutes", "value": float(rec["max_minutes"])})
    return rows


_SWEEP_FILES = ("sweep.json", "sweep.csv", "summary.csv")


def _sweep_owned_name(name: str) -> bool:
    """A name a sweep writes in its folder or ``parts/`` (or a temporary file of an atomic write)."""
    import re

    return name in _SWEEP_FILES or bool(re.fullmatch(r"(.+__\d{5}\.csv|\..+\.taihang-\d+-.+)", name))


def check_sweep_folder(out: Path) -> dict[str, Any] | None:
    """The ``sweep.json`` of the sweep in ``out`` (None if ``out`` is absent or empty).

    A sweep writes into its folder as it goes (that is how it resumes), so it only ever writes
    into a folder that is empty or holds a sweep's files and nothing else.

    Raises
    ------
    SweepError
        If ``out`` is not a folder, or holds anything a sweep does not write, or its
        ``sweep.json`` is not a sweep's.
    """
    import os

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SweepError(f"{out}: not a folder; --out takes a folder (new, empty, or an earlier sweep's)")
    if not out.exists():
        return None
    entries = sorted(os.listdir(out))
    if not entries:
        return None

    def refuse(why: str) -> SweepError:
        return SweepError(
            f"{out}: {why}; a sweep writes only into an empty folder or an earlier sweep's, so nothing of yours "
            "is touched. Give a new folder, or move your files out"
        )

    for name in entries:
        path = out / name
        if name == "parts" and path.is_dir() and not path.is_symlink():
            stray = [p for p in sorted(os.listdir(path)) if not _sweep_owned_name(p) or (path / p).is_symlink()]
            if stray:
                raise refuse(f"parts/ holds {stray[0]}, which a sweep does not write")
        elif not _sweep_owned_name(name) or not path.is_file() or path.is_symlink():
            raise refuse(f"it holds {name}, which a sweep does not write")
    meta_path = out / "sweep.json"
    try:
        raw = meta_path.read_bytes() if meta_path.is_file() and meta_path.stat().st_size < 10_000_000 else b""
        meta = json.loads(raw)
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not isinstance(meta.get("digest"), str) or "spec" not in meta:
        raise refuse("it has no sweep.json of taihang's")
    return meta


def clear_sweep_folder(out: Path) -> None:
    """Remove an earlier sweep's files from ``out`` (checked first: only a sweep's files)."""
    import shutil

    check_sweep_folder(out)
    for name in _SWEEP_FILES:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "parts", ignore_errors=True)
    for leftover in out.glob(".*.taihang-*"):
        leftover.unlink(missing_ok=True)


def _part(out_dir: Path, scenario: str, draw: int) -> Path:
    return out_dir / "parts" / f"{scenario}__{draw:05d}.csv"


def _write_part(out_dir: Path, scenario: str, draw: int, rows: list[dict[str, Any]]) -> None:
    atomic_write_text(_part(out_dir, scenario, draw), csv_text(pd.DataFrame(rows, columns=COLUMNS)))


def _local(spec: SweepSpec, todo: list[tuple[str, int]], workers: int) -> Iterator[tuple[str, int, list[Any]]]:
    if workers <= 1:
        for name, k in todo:
            yield name, k, run_task(spec, name, k)
        return
    from joblib import Parallel, delayed

    # loky processes (not fork): the same on Linux, macOS and Windows; each builds its models
    # once (the default network from the disk cache) and keeps them for its later tasks
    run = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered", batch_size=1)
    tagged = delayed(_tagged)
    yield from run(tagged(spec, name, k) for name, k in todo)


def _tagged(spec: SweepSpec, scenario: str, draw: int) -> tuple[str, int, list[Any]]:
    return scenario, draw, run_task(spec, scenario, draw)


def _dask(spec: SweepSpec, todo: list[tuple[str, int]], address: str) -> Iterator[tuple[str, int, list[Any]]]:
    try:
        from distributed import Client, as_completed
    except ImportError as err:
        raise SweepError("--scheduler needs Dask's distributed scheduler: pip install 'taihang[dask]'") from err
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, ValueError, TypeError) as err:
        raise SweepError(
            f"no Dask scheduler answers at {address}: start one with `dask scheduler` and workers with "
            f"`dask worker {address}` (see the README), or leave out --scheduler to run here"
        ) from err
    try:
        futures = {client.submit(_tagged, spec, name, k, pure=False): (name, k) for name, k in todo}
        for fut in as_completed(list(futures)):
            try:
                yield fut.result()
            except OSError as err:
                name, k = futures[fut]
                raise SweepError(
                    f"a Dask worker could not read a file for {name}, draw {k} ({err}); every worker needs "
                    "the scenario and claim files and taihang's data at the same absolute paths (a shared "
                    "folder or the same checkout on each machine)"
                ) from err
    finally:
        client.close()


def run_sweep(
    spec: SweepSpec,
    out_dir: str | Path,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
    fresh: bool = False,
) -> pd.DataFrame:
    """Run (or resume) ``spec`` into ``out_dir`` and return every row (module docstring);
    ``fresh`` first removes an earlier sweep's files from ``out_dir`` (only those).

    Raises
    ------
    SweepError
        If ``out_dir`` holds files that are not a sweep's (:func:`check_sweep_folder`), a sweep
        with other settings (without ``fresh``), or the scheduler cannot be reached.
    """
    from network.analysis.claims.spec import load_claim

    for p in spec.claims:  # before any work: a route claim has no minutes for the draws to vary
        if load_claim(p).spec.route_checks:
            raise SweepError(
                f"{p}: a claim about routes (route_checks) has no minutes to sweep; check it with taihang check"
            )
    out = Path(out_dir)
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    meta_path = out / "sweep.json"
    meta = {"written_by": "taihang", "digest": spec.digest(), "spec": dataclasses.asdict(spec)}
    old = check_sweep_folder(out)
    if fresh and old is not None:
        clear_sweep_folder(out)
        old = None
    if old is not None:
        if old.get("digest") != meta["digest"]:
            raise SweepError(
                f"{meta_path}: this folder holds a sweep with other settings or files; give the same files and "
                "settings to resume it, add --fresh to start it again, or choose another --out"
            )
    else:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    for folder in (out, out / "parts"):  # what a killed run left half-written, once here (not per part)
        clean_folder_leftovers(folder)
    tasks = spec.tasks()
    todo = [(s, k) for s, k in tasks if not _part(out, s, k).exists()]
    done = len(tasks) - len(todo)
    if done:
        say(f"sweep: resuming, {done} of {len(tasks)} tasks already in {out / 'parts'}")
    t0 = time.perf_counter()
    results: Iterable[tuple[str, int, list[Any]]] = (
        _dask(spec, todo, scheduler) if scheduler else _local(spec, todo, workers)
    )
    for name, k, rows in results:
        _write_part(out, name, k, rows)
        done += 1
        say(f"sweep: {done}/{len(tasks)} tasks ({name}, draw {k}) {time.perf_counter() - t0:.1f} s")
    table = pd.concat(
        [pd.read_csv(_part(out, s, k), keep_default_na=False, na_values=[""], dtype=_TEXT) for s, k in tasks],
        ignore_index=True,
    )
    table["reading"] = table["reading"].fillna("")
    table = table.sort_values(["scenario", "draw", "kind", "item", "reading", "mode", "threshold_min", "metric"])
    table = table.reset_index(drop=True)[COLUMNS]
    atomic_write_text(out / "sweep.csv", csv_text(table))
    atomic_write_text(out / "summary.csv", csv_text(summarise(table)))
    meta["warnings"] = {name: m.network.warnings for name, m in _models(spec)["models"].items()}
    meta["notes"] = [
        f"p10/p50/p90 in summary.csv are over {spec.draws} draws of the constants (triangular within each "
        "constant's documented range; `taihang assumptions`), not over real variation of service",
        "an empty value is an unreachable trip or a measure without a value",
    ]
    atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    return table


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and measure: the central value (draw 0) and p10/p50/p90 over the draws."""
    keys = ["scenario", "kind", "item", "reading", "mode", "threshold_min", "metric"]
    central = table[table["draw"] == 0].set_index(keys)["value"].rename("central")
    drawn = table[table["draw"] > 0]
    if drawn.empty:
        return central.reset_index()
    q = drawn.groupby(keys, dropna=False)["value"].quantile([0.1, 0.5, 0.9]).unstack()
    q.columns = ["p10", "p50", "p90"]
    return central.to_frame().join(q, how="left").reset_index()
