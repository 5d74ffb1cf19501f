"""Compare scenarios with a baseline: who gains, how much, from which project.

In: a base :class:`~network.model.Model` (the network for a year), scenarios, targets. Out: a
:class:`Comparison` holding, per scenario, the per-place before/after table and the
population-weighted summary changes; for a package, each component's share of the gain ("alone":
the component added to the baseline by itself; "marginal": what the package loses when the
component is removed); the ranking table. :func:`network.viz.report.write_outputs` writes it as
files.

Gains are reductions in door-to-door minutes (positive = closer). The population-weighted change
is Σ p_i (after_i − before_i) / Σ p_i over places reachable in both (weighted mean time, WATT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network._version import __version__
from network.assumptions import Assumptions, describe_assumptions, forced_warnings
from network.model import Model
from network.parallel import fork_map
from network.scenario.apply import ApplyReport
from network.scenario.load import Scenario, scenario_from_changes

MODES = ("road", "rail", "transit", "best")


@dataclass
class ScenarioResult:
    """One scenario against the baseline: per-place changes, summary changes, links, decomposition."""

    scenario: Scenario
    report: ApplyReport
    places: pd.DataFrame  # long: one row per place and target
    summary: pd.DataFrame  # one row per target and mode
    decomposition: pd.DataFrame | None = None
    new_links: list[list[tuple[float, float]]] = field(default_factory=list)  # added or changed
    removed_links: list[list[tuple[float, float]]] = field(default_factory=list)  # closed (base geometry)


@dataclass
class Comparison:
    """Every scenario against one baseline, with the date, targets, constants and files read."""

    as_of: str
    targets: list[str]
    baseline: pd.DataFrame
    baseline_summary: pd.DataFrame
    results: list[ScenarioResult]
    assumptions: Assumptions
    files: dict[str, str]
    graph: Any = None


def _long(per_place: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    rows = []
    for t in targets:
        part = per_place[["place_id", "name_zh", "name_en", "city_zh", "population_2020"]].copy()
        part.insert(0, "target", t)
        for m in MODES:
            part[f"{m}_min"] = per_place[f"{t}_{m}_min"].to_numpy()
        part["best_mode"] = per_place[f"{t}_best_mode"].to_numpy()
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def _diff(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    out = before[["target", "place_id", "name_zh", "name_en", "city_zh", "population_2020"]].copy()
    for m in MODES:
        b, a = before[f"{m}_min"].to_numpy(dtype=float), after[f"{m}_min"].to_numpy(dtype=float)
        out[f"{m}_before_min"] = b
        out[f"{m}_after_min"] = a
        with np.errstate(invalid="ignore"):
            out[f"{m}_change_min"] = np.round(a - b, 1)
    out["best_mode_before"] = before["best_mode"].to_numpy()
    out["best_mode_after"] = after["best_mode"].to_numpy()
    return out


_RATIO_COLUMNS = {"cv", "gini", "theil", "network_efficiency"}


def _summary_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    keys = ["target", "mode"]
    merged = before.merge(after, on=keys, suffixes=("_before", "_after"))
    out = merged[keys].copy()
    for col in [c for c in before.columns if c not in keys and c != "population_total"]:
        out[f"{col}_before"] = merged[f"{col}_before"]
        out[f"{col}_after"] = merged[f"{col}_after"]
        digits = 4 if col in _RATIO_COLUMNS or col.startswith("share_within") else 1
        out[f"{col}_change"] = (merged[f"{col}_after"] - merged[f"{col}_before"]).round(digits)
    return out


def _weighted_change(diff: pd.DataFrame, target: str, mode: str = "best", city: str | None = None) -> float:
    """Population-weighted mean change in minutes (places reachable before and after), over all
    places or over the places of one prefecture-level ``city`` (its Chinese name)."""
    part = diff[diff["target"] == target]
    if city is not None:
        part = part[part["city_zh"] == city]
    c = part[f"{mode}_change_min"].to_numpy(dtype=float)
    p = part["population_2020"].to_numpy(dtype=float)
    ok = np.isfinite(c)
    return float(np.sum(c[ok] * p[ok]) / np.sum(p[ok])) if ok.any() else float("nan")


def compare(
    base: Model, scenarios: list[Scenario], targets: list[str], decompose: bool = True, workers: int | None = None
) -> Comparison:
    """Score each scenario against ``base`` (see the module docstring). Scenarios run on
    ``workers`` forked processes (default: up to two, where the platform forks; each result is
    what one process would give: the work of a scenario depends on it and the base alone)."""
    base_per, base_summary = base.score(targets)
    keys = [base.resolve(t).key for t in targets]
    before = _long(base_per, keys)
    files: dict[str, str] = {}
    for sc in scenarios:
        files.update(sc.files)
    _WORK.update(base=base, keys=keys, targets=targets, before=before, summary=base_summary)
    try:
        results = fork_map(_one, scenarios, workers, weight=lambda sc: len(getattr(sc, "components", []) or []))
        if decompose:
            _decompose_all(scenarios, results, workers)
    finally:
        _WORK.clear()
    return Comparison(
        as_of=base.as_of,
        targets=keys,
        baseline=before,
        baseline_summary=base_summary,
        results=results,
        assumptions=base.assumptions,
        files=dict(sorted(files.items())),
        graph=base.graph,
    )


#: What the workers of :func:`compare` share (set before they fork; read-only in them).
_WORK: dict[str, Any] = {}


def _one(sc: Scenario) -> ScenarioResult:
    base, keys, targets, before = _WORK["base"], _WORK["keys"], _WORK["targets"], _WORK["before"]
    model = base.with_scenario(sc)
    report = model.apply_report
    assert report is not None
    per, summary = model.score(targets)
    diff = _diff(before, _long(per, keys))
    res = ScenarioResult(sc, report, diff, _summary_change(_WORK["summary"], summary))
    res.new_links = _new_links(model.graph, report)
    res.removed_links = _new_links(base.graph, report, report.removed_edges)
    return res


def _change_key(sc: Scenario) -> tuple[tuple[str, int], ...]:
    """The changes of a scenario, in order, by file and line: two scenarios with the same key
    give the same network (a project file on its own and as a package's component)."""
    return tuple((str(Path(c.file).resolve()), int(c.line)) for c in sc.changes)


def _diff_of(sc: Scenario) -> pd.DataFrame:
    base, keys, targets = _WORK["base"], _WORK["keys"], _WORK["targets"]
    return _diff(_WORK["before"], _long(base.with_scenario(sc).score(targets)[0], keys))


def _decompose_all(scenarios: list[Scenario], results: list[ScenarioResult], workers: int | None) -> None:
    """Each package's components alone and the package without each: every distinct set of
    changes runs once (a component that is also a scenario of the comparison is not run again),
    on the same workers."""
    done = {_change_key(sc): r.places for sc, r in zip(scenarios, results)}
    need: dict[tuple[tuple[str, int], ...], Scenario] = {}
    plan = []
    for sc, res in zip(scenarios, results):
        if not sc.is_package:
            continue
        parts = []
        for comp in sc.components:
            ids = {(c.file, c.line) for c in comp.changes}
            rest = [c for c in sc.changes if (c.file, c.line) not in ids]
            without = scenario_from_changes(f"{sc.name}-{comp.name}", rest, {})
            for part in (comp, without):
                if _change_key(part) not in done:
                    need.setdefault(_change_key(part), part)
            parts.append((comp.name, _change_key(comp), _change_key(without)))
        plan.append((sc, res, parts))
    order = list(need)
    done.update(zip(order, fork_map(_diff_of, [need[k] for k in order], workers)))
    for sc, res, parts in plan:
        rows = []
        for name, alone_key, without_key in parts:
            for t in _WORK["keys"]:
                pkg = -_weighted_change(res.places, t)
                rows.append(
                    {
                        "package": sc.name,
                        "component": name,
                        "target": t,
                        "package_gain_min": round(pkg, 2),
                        "alone_gain_min": round(-_weighted_change(done[alone_key], t), 2),
                        "marginal_gain_min": round(pkg + _weighted_change(done[without_key], t), 2),
                    }
                )
        res.decomposition = pd.DataFrame(rows)


def _new_links(
    graph: Any, report: ApplyReport, edges: list[tuple[str, str, Any]] | None = None
) -> list[list[tuple[float, float]]]:
    """Geometry of the road links and rides a scenario added or changed (or of ``edges`` of
    ``graph``), one line per pair of ends and line."""
    out, seen = [], set()
    keys = edges if edges is not None else [*report.added_edges, *report.changed_edges]
    for u, v, k in keys:
        if not graph.has_edge(u, v, k):
            continue
        d = graph.edges[u, v, k]
        if d["kind"] not in ("ride", "link"):
            continue
        pair = (min(u, v), max(u, v), d.get("line_id") or d.get("corridor_id") or d.get("service_id"))
        if pair in seen:
            continue
        seen.add(pair)
        coords = d.get("geometry") or [
            (graph.nodes[u]["lon"], graph.nodes[u]["lat"]),
            (graph.nodes[v]["lon"], graph.nodes[v]["lat"]),
        ]
        out.append([(round(x, 5), round(y, 5)) for x, y in coords])
    return sorted(out)


# -- presentation ------------------------------------------------------------------------------
FOCUS_CITY = "晋城"


def ranking(comp: Comparison, focus_city: str = FOCUS_CITY) -> pd.DataFrame:
    """One row per scenario: population-weighted change per target over the whole region (best
    mode, and with rail) and over the focus city's counties (best, with rail, public transport),
    population newly within 60/90/120 min of the first target, and the biggest gainer."""
    rows = []
    for r in comp.results:
        row: dict[str, Any] = {"scenario": r.scenario.name}
        for t in comp.targets:
            row[f"{t}_change_min"] = round(_weighted_change(r.places, t), 2)
            row[f"{t}_rail_change_min"] = round(_weighted_change(r.places, t, "rail"), 2)
        for t in comp.targets:
            for m in ("best", "rail", "transit"):
                row[f"{focus_city}_{t}_{m}_change_min"] = round(_weighted_change(r.places, t, m, focus_city), 2)
        first = r.summary[(r.summary["target"] == comp.targets[0]) & (r.summary["mode"] == "best")].iloc[0]
        for th in (60, 90, 120):
            row[f"pop_within_{th}_change"] = int(first[f"population_within_{th}_min_change"])
        part = r.places.sort_values(["best_change_min", "place_id"]).iloc[0]
        row["top_gainer"] = (
            f"{part['name_zh']} → {part['target']} {part['best_change_min']:+.1f} min"
            if part["best_change_min"] < 0
            else "none"
        )
        row["passenger_effect"] = "yes" if r.scenario.passenger_relevant else "freight only"
        # changes that open after the network date are not in the numbers: say so in every table
        row["changes_not_open"] = len(r.report.skipped)
        row["note"] = (
            f"{len(r.report.skipped)} of {len(r.scenario.changes)} change(s) open after {comp.as_of}: not counted"
            if r.report.skipped
            else ""
        )
        row["warnings"] = "; ".join(forced_warnings(comp.assumptions))
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values([f"{comp.targets[0]}_change_min", "scenario"]).reset_index(drop=True)


def result_warnings(comp: Comparison, result: Any) -> list[str]:
    """What every output about ``result`` carries: constants forced outside their range and the
    scenario's changes not open on the network date (they are not in the numbers)."""
    out = forced_warnings(comp.assumptions)
    if result.report.skipped:
        out.append(
            f"{len(result.report.skipped)} of {len(result.scenario.changes)} change(s) of "
            f"{result.scenario.name} not open on {comp.as_of}, not counted: {'; '.join(result.report.skipped)}"
        )
    return out


def provenance(comp: Comparison) -> dict[str, Any]:
    """How the comparison was made: version, date, targets, file hashes, constants, warnings."""
    defaults = {r["name"]: r["value"] for r in describe_assumptions(Assumptions())}
    used = {r["name"]: r["value"] for r in describe_assumptions(comp.assumptions)}
    return {
        "tool": "taihang",
        "version": __version__,
        "as_of": comp.as_of,
        "targets": comp.targets,
        "scenario_files_sha256": comp.files,
        "assumptions_overridden": {k: v for k, v in used.items() if defaults.get(k) != v},
        "assumptions": used,
        "warnings": {r.scenario.name: result_warnings(comp, r) for r in comp.results if result_warnings(comp, r)},
    }
