"""Compare scenarios with a baseline: who gains, how much, from which project.

In: a base :class:`~network.model.Model` (the network for a year), scenarios, targets. Out: a
:class:`Comparison` holding, per scenario, the per-place before/after table and the
population-weighted summary changes; for a package, each component's share of the gain ("alone":
the component added to the baseline by itself; "marginal": what the package loses when the
component is removed); the ranking table. :func:`network.viz.report.write_outputs` writes it as
files.

One sign everywhere: a **gain** is a reduction in door-to-door minutes, ``before − after``
(positive = closer), per place (``<mode>_gain_min``), population-weighted (Σ p_i (before_i −
after_i) / Σ p_i over places reachable in both: the fall of the weighted mean time, WATT), in the
ranking and in the decomposition. Indicator columns of the summary are ``after − before``
(``_change``: a share within a threshold that rises is good, a mean time that rises is not).

Every project is scored on the main targets (default 郑州 and 洛阳) and on the places its card
``serves:`` (the places it is meant to bring closer): a Jincheng–Hebi line is judged on 鹤壁 too,
not only on cities it was never meant to serve. Gains by any mode count: the ranking takes, for
the focus city's places, the largest of the best-mode, rail and public-transport gains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network._version import __version__
from network.analysis.costs import card_cost, gain_per_cost, person_minutes
from network.analysis.indicators import indicators_change, literature_indicators
from network.analysis.nearest import nearest_change, nearest_facilities
from network.assumptions import Assumptions, describe_assumptions, forced_warnings
from network.model import Model
from network.parallel import fork_map
from network.scenario.apply import ApplyReport
from network.scenario.governance import cards_of, dependents_of, requisites_of
from network.scenario.load import Scenario, scenario_from_changes
from network.sources.default import FOCUS_CITY as _DATASET_FOCUS

MODES = ("road", "rail", "transit", "best")

#: Networks up to this many nodes get, in every scenario of a comparison, the minutes to the
#: nearest facilities and the literature's indicators (place-to-place searches: about 0.4 s a
#: scenario on the embedded network of 7,400 nodes). A province network (a million nodes, 400
#: zones) would spend minutes a scenario on them, so there they are left out, and every result
#: says so: `taihang nearest` and `taihang score --out` give them for one network.
EXTRAS_MAX_NODES = 200_000
EXTRAS_NOTE = (
    "nearest facilities and the literature's indicators are left out of compare on a network of {n:,} nodes "
    f"(over {EXTRAS_MAX_NODES:,}: minutes a scenario); taihang nearest and taihang score --out give them"
)


@dataclass
class ScenarioResult:
    """One scenario against the baseline: per-place changes, summary changes, links, decomposition."""

    scenario: Scenario
    report: ApplyReport
    places: pd.DataFrame  # long: one row per place and target
    summary: pd.DataFrame  # one row per target and mode
    decomposition: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None  # who is outside each threshold after (main targets)
    link_rows: list[dict[str, Any]] = field(default_factory=list)  # added or changed (changed_links)
    closed_rows: list[dict[str, Any]] = field(default_factory=list)  # closed, on the base's geometry
    nearest: pd.DataFrame | None = None  # minutes to the nearest facility of each kind, before and after
    indicators: pd.DataFrame | None = None  # economic potential, daily accessibility: before, after, change
    cost: Any = None  # what the card costs (network.analysis.costs.CardCost)

    @property
    def new_links(self) -> list[list[tuple[float, float]]]:
        """The added or changed links' geometry (one line each)."""
        return [row["coords"] for row in self.link_rows]

    @property
    def removed_links(self) -> list[list[tuple[float, float]]]:
        """The closed links' geometry (the base network's)."""
        return [row["coords"] for row in self.closed_rows]


@dataclass
class Comparison:
    """Every scenario against one baseline, with the date, targets, constants and files read."""

    as_of: str
    targets: list[str]  # every target scored: the main ones first, then the places scenarios serve
    baseline: pd.DataFrame
    baseline_summary: pd.DataFrame
    results: list[ScenarioResult]
    assumptions: Assumptions
    files: dict[str, str]
    network: Any = None  # the baseline network (its graph is built only for maps and reports)
    main_targets: list[str] = field(default_factory=list)  # the keys of --targets
    serves: dict[str, list[str]] = field(default_factory=dict)  # scenario name -> target keys it serves
    names: dict[str, str] = field(default_factory=dict)  # target key -> Chinese name
    baseline_equity: pd.DataFrame | None = None

    @property
    def graph(self) -> Any:
        """The baseline's graph (maps and reports draw it; a comparison alone never builds it)."""
        return None if self.network is None else self.network.graph


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
            out[f"{m}_gain_min"] = np.round(b - a, 1)
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


def _weighted_gain(diff: pd.DataFrame, target: str, mode: str = "best", city: str | None = None) -> float:
    """Population-weighted mean gain in minutes (before − after; places reachable before and
    after), over all places or over the places of one prefecture-level ``city`` (its Chinese
    name); the target's own place is left out (its trip to itself has nothing to gain)."""
    part = diff[(diff["target"] == target) & (diff["place_id"] != target)]
    if city is not None:
        part = part[part["city_zh"] == city]
    c = part[f"{mode}_gain_min"].to_numpy(dtype=float)
    p = part["population_2020"].to_numpy(dtype=float)
    ok = np.isfinite(c)
    return float(np.sum(c[ok] * p[ok]) / np.sum(p[ok])) if ok.any() else float("nan")


def _serves_keys(base: Model, sc: Scenario) -> dict[str, str]:
    """Target key → name of the places a scenario's card serves (the error names file and line)."""
    from network.errors import LookupFailed

    keys: dict[str, str] = {}
    for name, where in sc.serves.items():
        try:
            ep = base.resolve(name)
        except LookupFailed as err:
            raise LookupFailed(f"{where}: serves: {err}") from None
        if ep.kind != "place":
            raise LookupFailed(
                f"{where}: serves: {name!r} is a {ep.kind}; serves lists places (cities or counties), "
                "e.g. 鹤壁 or 阳城县"
            )
        keys.setdefault(ep.key, name)
    return keys


def compare(
    base: Model, scenarios: list[Scenario], targets: list[str], decompose: bool = True, workers: int | None = None
) -> Comparison:
    """Score each scenario against ``base`` (see the module docstring). Scenarios run on
    ``workers`` forked processes (default: up to two, where the platform forks; each result is
    what one process would give: the work of a scenario depends on it and the base alone)."""
    main = [base.resolve(t).key for t in targets]
    served = {sc.name: _serves_keys(base, sc) for sc in scenarios}
    by_key = {k: n for ks in served.values() for k, n in ks.items()}
    serves = {name: list(ks) for name, ks in served.items()}
    keys = list(dict.fromkeys(main + list(by_key)))
    targets = list(targets) + [by_key[k] for k in keys if k not in main]
    base_per, base_summary = base.score(targets)
    extras = len(base.edge_table.node_ids) <= EXTRAS_MAX_NODES
    base_nearest = nearest_facilities(base) if extras else None
    base_indicators = literature_indicators(base) if extras else None
    before = _long(base_per, keys)
    files: dict[str, str] = {}
    for sc in scenarios:
        files.update(sc.files)
    _WORK.update(
        base=base,
        keys=keys,
        main=main,
        serves=serves,
        targets=targets,
        before=before,
        summary=base_summary,
        nearest=base_nearest,
        indicators=base_indicators,
    )
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
        network=base.network,
        main_targets=main,
        serves=serves,
        names={k: str(base.network.nodes[f"place:{k}"].get("name_zh", k)) for k in keys},
        baseline_equity=_equity(base_per, main),
    )


def _equity(per_place: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Who is outside 60/90/120 minutes of each main target, by mode, region, prefecture and county."""
    from network.indicators.score import equity_of_scores

    return equity_of_scores(per_place, keys, modes=("best", "rail", "transit"), thresholds_min=(60, 90, 120))


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
    res.equity = _equity(per, _WORK["main"])
    if _WORK["nearest"] is not None:  # networks up to EXTRAS_MAX_NODES
        res.nearest = nearest_change(_WORK["nearest"], nearest_facilities(model))
        res.indicators = indicators_change(_WORK["indicators"], literature_indicators(model))
    else:
        report.notes.append(EXTRAS_NOTE.format(n=len(base.edge_table.node_ids)))
    res.cost = card_cost(sc, report, base.assumptions)
    res.link_rows = changed_links(model.network, report)
    # a closed edge is the base's and names no card: the card that closed it does
    res.closed_rows = changed_links(base.network, report, report.removed_edges, report.removed_by)
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
        cards = cards_of(sc)
        for comp in sc.components:
            # a card that builds on others runs with them; without it, the cards built on it go too
            needs = requisites_of(comp, cards)
            inside = set(cards_of(comp))
            alone = (
                scenario_from_changes(
                    f"{sc.name}-{comp.name}", [c for c in sc.changes if c.scenario in inside | set(needs)], {}
                )
                if needs
                else comp
            )
            dropped = inside | set(dependents_of(inside, cards))
            rest = [c for c in sc.changes if c.scenario not in dropped]
            without = scenario_from_changes(f"{sc.name}-{comp.name}", rest, {})
            for part in (alone, without):
                if _change_key(part) not in done:
                    need.setdefault(_change_key(part), part)
            parts.append((comp.name, _change_key(alone), _change_key(without), needs, sorted(dropped - inside)))
        plan.append((sc, res, parts))
    order = list(need)
    done.update(zip(order, fork_map(_diff_of, [need[k] for k in order], workers)))
    for sc, res, parts in plan:
        rows = []
        scored = list(dict.fromkeys(_WORK["main"] + _WORK["serves"].get(sc.name, [])))
        for name, alone_key, without_key, needs, dependents in parts:
            for t in scored:
                pkg = _weighted_gain(res.places, t)
                rows.append(
                    {
                        "package": sc.name,
                        "component": name,
                        "target": t,
                        "package_gain_min": round(pkg, 2),
                        "alone_gain_min": round(_weighted_gain(done[alone_key], t), 2),
                        "marginal_gain_min": round(pkg - _weighted_gain(done[without_key], t), 2),
                        "alone_with": "; ".join(needs),  # cards it requires, run with it
                        "without_also": "; ".join(dependents),  # cards built on it, left out with it
                    }
                )
        res.decomposition = pd.DataFrame(rows)


def new_links(
    network: Any, report: ApplyReport, edges: list[tuple[str, str, Any]] | None = None
) -> list[list[tuple[float, float]]]:
    """Geometry of the road links and rides a scenario added or changed (or of ``edges`` of
    ``network``, a :class:`~network.graph.network.Network`), one line per pair of ends and line;
    read without building the network's graph where its parts can give an edge."""
    return [row["coords"] for row in changed_links(network, report, edges)]


def changed_links(
    network: Any,
    report: ApplyReport,
    edges: list[tuple[str, str, Any]] | None = None,
    cards: dict[tuple[str, str, Any], str] | None = None,
) -> list[dict[str, Any]]:
    """The links of :func:`new_links` with what they are: ``coords``, ``change`` (added or changed),
    ``card`` (the cards that added or changed it), ``mode``, ``kind``, ``name_zh``, ``ref``,
    ``minutes`` and ``km``; sorted by their coordinates. ``cards`` names the card of an edge that
    carries none (a base edge a card closed)."""
    out, seen = [], set()
    nodes = network.nodes
    added = set(report.added_edges)
    keys = edges if edges is not None else [*report.added_edges, *report.changed_edges]
    for u, v, k in keys:
        try:
            d = network.edge_data((u, v, k))
        except KeyError:  # not in this network (closed again, or never there)
            continue
        if d["kind"] not in ("ride", "link") or d.get("rule") == "rail_mix":  # a strategy, not a line of its own
            continue
        pair = (min(u, v), max(u, v), d.get("line_id") or d.get("corridor_id") or d.get("service_id"))
        if pair in seen:
            continue
        seen.add(pair)
        coords = d.get("geometry") or [
            (nodes[u]["lon"], nodes[u]["lat"]),
            (nodes[v]["lon"], nodes[v]["lat"]),
        ]
        out.append(
            {
                "coords": [(round(x, 5), round(y, 5)) for x, y in coords],
                "change": "added" if (u, v, k) in added else ("closed" if edges is not None else "changed"),
                "card": str(d.get("card") or (cards or {}).get((u, v, k), "")),
                "mode": d["mode"],
                "kind": d["kind"],
                "name_zh": str(d.get("name_zh") or ""),
                "ref": str(d.get("ref") or ""),
                "minutes": round(float(d["time_min"]), 2),
                "km": round(float(d.get("length_km") or 0.0), 3),
            }
        )
    return sorted(out, key=lambda row: (row["coords"], row["card"], row["mode"]))


# -- presentation ------------------------------------------------------------------------------
FOCUS_CITY = _DATASET_FOCUS  # data/dataset.yaml, region.focus_city


_GAIN_MODES = ("best", "rail", "transit")


def _focus_gain(places: pd.DataFrame, keys: list[str], focus_city: str | None) -> tuple[float, str]:
    """The largest over modes (best, rail, public transport) of the focus city's (None: every
    place's) population-weighted gain, averaged over ``keys``: (minutes, mode); (NaN, "")
    without keys."""
    if not keys:
        return float("nan"), ""

    def mean(values: list[float]) -> float:
        ok = [v for v in values if np.isfinite(v)]
        return float(np.mean(ok)) if ok else float("nan")

    gains = {m: mean([_weighted_gain(places, t, m, focus_city) for t in keys]) for m in _GAIN_MODES}
    mode = max(_GAIN_MODES, key=lambda m: (gains[m] if np.isfinite(gains[m]) else -np.inf, -_GAIN_MODES.index(m)))
    return gains[mode], mode


def _top_gainer(places: pd.DataFrame, names: dict[str, str]) -> str:
    """The place, target and mode with the largest gain of any mode (the first mode on ties), or
    "none"; a place's trip to itself is no gain."""
    places = places[places["place_id"] != places["target"]]
    best_gain, text = 0.0, "none"
    for m in _GAIN_MODES:
        g = places[f"{m}_gain_min"].to_numpy(dtype=float)
        g = np.where(np.isfinite(g), g, -np.inf)
        i = int(np.argmax(g)) if len(g) else 0
        if len(g) and g[i] > best_gain:
            row = places.iloc[i]
            best_gain = float(g[i])
            text = f"{row['name_zh']} → {names.get(row['target'], row['target'])} {g[i]:+.1f} min ({m})"
    return text


def focus_of(comp: Comparison, focus_city: str = FOCUS_CITY) -> str | None:
    """The city whose places the ranking weighs (:data:`FOCUS_CITY`), or None (every place) on a
    network that has none of its places (a GMNS or OSM network of another region)."""
    has = any((r.places["city_zh"] == focus_city).any() for r in comp.results)
    return focus_city if has else None


def ranking(comp: Comparison, focus_city: str = FOCUS_CITY) -> pd.DataFrame:
    """One row per scenario, gains in minutes (before − after, positive = closer): over the whole
    region per main target (best mode and rail), over the focus city's places per main target and
    mode, and the two scores the table is ranked on: ``main_gain_min`` (the focus city's gain to
    the main targets, the largest of best, rail and public transport) and ``serves_gain_min`` (the
    same to the places the card serves); population newly within 60/90/120 min of the first
    target; the biggest gain of any place, target and mode; what passengers get from it."""
    rows = []
    main = comp.main_targets or comp.targets
    focus = focus_of(comp, focus_city)
    for r in comp.results:
        serves = comp.serves.get(r.scenario.name, [])
        row: dict[str, Any] = {
            "scenario": r.scenario.name,
            "in_plan": "what-if (no plan proposes it)" if r.scenario.what_if else "plan",
            "serves": "、".join(comp.names.get(k, k) for k in serves),
            "tags": "; ".join(_tags(r.scenario)),
        }
        row["main_gain_min"], row["main_gain_mode"] = _focus_gain(r.places, main, focus)
        row["serves_gain_min"], row["serves_gain_mode"] = _focus_gain(r.places, serves, focus)
        for t in main:
            row[f"{t}_best_gain_min"] = round(_weighted_gain(r.places, t), 2)
            row[f"{t}_rail_gain_min"] = round(_weighted_gain(r.places, t, "rail"), 2)
        row["focus_city"] = focus or "every place"
        for t in main:
            for m in _GAIN_MODES:
                row[f"focus_{t}_{m}_gain_min"] = round(_weighted_gain(r.places, t, m, focus), 2)
        first = r.summary[(r.summary["target"] == main[0]) & (r.summary["mode"] == "best")].iloc[0]
        for th in (60, 90, 120):
            row[f"pop_within_{th}_gain"] = int(first[f"population_within_{th}_min_change"])
        row["top_gainer"] = _top_gainer(r.places, comp.names)
        row["passenger_effect"] = r.scenario.passenger_effect
        # changes that open after the network date are not in the numbers: say so in every table
        row["changes_not_open"] = len(r.report.skipped)
        row["note"] = (
            f"{len(r.report.skipped)} of {len(r.scenario.changes)} change(s) open after {comp.as_of}: not counted"
            if r.report.skipped
            else ""
        )
        row.update(_cost_columns(r, list(dict.fromkeys([*main, *serves]))))
        row["warnings"] = "; ".join(forced_warnings(comp.assumptions))
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    for col in ("main_gain_min", "serves_gain_min"):
        out[col] = out[col].round(2)
    out.insert(1, "rank_main", out["main_gain_min"].rank(ascending=False, method="min").astype("Int64"))
    out.insert(2, "rank_serves", out["serves_gain_min"].rank(ascending=False, method="min").astype("Int64"))
    # ranked among the scenarios with a cost only; the others have no rank here
    out.insert(3, "rank_per_cost", out["person_min_per_100m_yuan"].rank(ascending=False, method="min").astype("Int64"))
    return out.sort_values(["rank_main", "scenario"]).reset_index(drop=True)


def _cost_columns(r: ScenarioResult, targets: list[str]) -> dict[str, Any]:
    """Cost and gain per cost of one scenario over ``targets`` (:mod:`network.analysis.costs`)."""
    gain, left_out, far_share = person_minutes(r.places, targets, _GAIN_MODES)
    cost = r.cost
    per = gain_per_cost(gain, cost) if cost is not None else {}

    def rounded(x: float | None, digits: int = 1) -> float:
        return round(float(x), digits) if x is not None else float("nan")

    return {
        "person_min_gain": round(gain),
        "person_min_left_out": left_out,
        "gain_share_worse_half": round(far_share, 3) if np.isfinite(far_share) else float("nan"),
        "cost_100m_yuan": rounded(cost.central if cost else None),
        "cost_low_100m_yuan": rounded(cost.low if cost else None),
        "cost_high_100m_yuan": rounded(cost.high if cost else None),
        "cost_basis": cost.basis if cost else "",
        "cost_parts": " | ".join(cost.parts) if cost else "",
        "person_min_per_100m_yuan": rounded(per.get("per_100m_yuan"), 0),
        "person_min_per_100m_yuan_p10": rounded(per.get("p10"), 0),
        "person_min_per_100m_yuan_p90": rounded(per.get("p90"), 0),
        "person_min_per_100m_yuan_year": rounded(per.get("per_100m_yuan_year"), 0),
    }


def _tags(sc: Scenario) -> list[str]:
    """The card's tags and its parts', each once, sorted."""
    return sorted({t for card in cards_of(sc).values() for t in card.tags})


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
