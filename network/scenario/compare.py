"""Compare scenarios with a baseline: who gains, how much, from which project.

In: a base :class:`~network.model.Model` (the network for a year), scenarios, targets. Out: a
:class:`Comparison` holding, per scenario, the per-place before/after table and the
population-weighted summary changes; for a package, each component's share of the gain ("alone":
the component added to the baseline by itself; "marginal": what the package loses when the
component is removed). :func:`write_outputs` writes CSV, GeoPackage, a Markdown report, one map
per scenario and a provenance record; the same inputs give byte-identical files.

Gains are reductions in door-to-door minutes (positive = closer). The population-weighted change
is Σ p_i (after_i − before_i) / Σ p_i over places reachable in both (weighted mean time, WATT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.assumptions import Assumptions, describe_assumptions, forced_warnings
from network.io import atomic_write_gpkg, atomic_write_text, csv_text, dumps_json
from network.scenario.apply import ApplyReport, apply_scenario
from network.scenario.load import Scenario, scenario_from_changes

MODES = ("road", "rail", "transit", "best")


@dataclass
class ScenarioResult:
    scenario: Scenario
    report: ApplyReport
    places: pd.DataFrame  # long: one row per place and target
    summary: pd.DataFrame  # one row per target and mode
    decomposition: pd.DataFrame | None = None
    new_links: list[list[tuple[float, float]]] = field(default_factory=list)  # added or changed
    removed_links: list[list[tuple[float, float]]] = field(default_factory=list)  # closed (base geometry)


@dataclass
class Comparison:
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


def compare(base: Any, scenarios: list[Scenario], targets: list[str], decompose: bool = True) -> Comparison:
    """Score each scenario against ``base`` (see the module docstring)."""
    base_per, base_summary = base.score(targets)
    keys = [base.resolve(t).key for t in targets]
    before = _long(base_per, keys)
    results = []
    files: dict[str, str] = {}
    for sc in scenarios:
        files.update(sc.files)
        model, report = apply_scenario(base, sc)
        per, summary = model.score(targets)
        diff = _diff(before, _long(per, keys))
        res = ScenarioResult(sc, report, diff, _summary_change(base_summary, summary))
        res.new_links = _new_links(model.graph, report)
        res.removed_links = _new_links(base.graph, report, report.removed_edges)
        if decompose and sc.is_package:
            res.decomposition = _decompose(base, sc, keys, targets, before, diff)
        results.append(res)
    return Comparison(as_of=base.as_of, targets=keys, baseline=before, baseline_summary=base_summary,
                      results=results, assumptions=base.assumptions, files=dict(sorted(files.items())),
                      graph=base.graph)


def _decompose(base: Any, package: Scenario, keys: list[str], targets: list[str], before: pd.DataFrame,
               full: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for comp in package.components:
        comp_ids = {(c.file, c.line) for c in comp.changes}
        alone_model, _ = apply_scenario(base, comp)
        alone = _diff(before, _long(alone_model.score(targets)[0], keys))
        rest = [c for c in package.changes if (c.file, c.line) not in comp_ids]
        without_model, _ = apply_scenario(base, scenario_from_changes(f"{package.name}-{comp.name}", rest, {}))
        without = _diff(before, _long(without_model.score(targets)[0], keys))
        for t in keys:
            pkg = -_weighted_change(full, t)
            rows.append({"package": package.name, "component": comp.name, "target": t,
                         "package_gain_min": round(pkg, 2),
                         "alone_gain_min": round(-_weighted_change(alone, t), 2),
                         "marginal_gain_min": round(pkg + _weighted_change(without, t), 2)})
    return pd.DataFrame(rows)


def _new_links(graph: Any, report: ApplyReport,
               edges: list[tuple[str, str, Any]] | None = None) -> list[list[tuple[float, float]]]:
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
        coords = d.get("geometry") or [(graph.nodes[u]["lon"], graph.nodes[u]["lat"]),
                                       (graph.nodes[v]["lon"], graph.nodes[v]["lat"])]
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
        row["top_gainer"] = (f"{part['name_zh']} → {part['target']} {part['best_change_min']:+.1f} min"
                             if part["best_change_min"] < 0 else "none")
        row["passenger_effect"] = "yes" if r.scenario.passenger_relevant else "freight only"
        # changes that open after the network date are not in the numbers: say so in every table
        row["changes_not_open"] = len(r.report.skipped)
        row["note"] = (f"{len(r.report.skipped)} of {len(r.scenario.changes)} change(s) open after {comp.as_of}: "
                       "not counted" if r.report.skipped else "")
        row["warnings"] = "; ".join(forced_warnings(comp.assumptions))
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values([f"{comp.targets[0]}_change_min", "scenario"]).reset_index(drop=True)


def result_warnings(comp: Comparison, result: Any) -> list[str]:
    """What every output about ``result`` carries: constants forced outside their range and the
    scenario's changes not open on the network date (they are not in the numbers)."""
    out = forced_warnings(comp.assumptions)
    if result.report.skipped:
        out.append(f"{len(result.report.skipped)} of {len(result.scenario.changes)} change(s) of "
                   f"{result.scenario.name} not open on {comp.as_of}, not counted: {'; '.join(result.report.skipped)}")
    return out


def provenance(comp: Comparison) -> dict[str, Any]:
    from network import __version__

    defaults = {r["name"]: r["value"] for r in describe_assumptions(Assumptions())}
    used = {r["name"]: r["value"] for r in describe_assumptions(comp.assumptions)}
    return {"tool": "taihang", "version": __version__, "as_of": comp.as_of, "targets": comp.targets,
            "scenario_files_sha256": comp.files,
            "assumptions_overridden": {k: v for k, v in used.items() if defaults.get(k) != v},
            "assumptions": used,
            "warnings": {r.scenario.name: result_warnings(comp, r) for r in comp.results if result_warnings(comp, r)}}


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "–" if not np.isfinite(x) else f"{x:.1f}"
    return str(x)


def report_markdown(comp: Comparison, charts: dict[str, list[str]] | None = None) -> str:
    """The comparison as a Markdown report (answers "which project brings which towns how much closer");
    ``charts`` maps a scenario name to the PNG files (relative paths) shown in its section."""
    from network.model import APPROXIMATION_NOTE

    prov = provenance(comp)
    out = [f"# Scenario comparison, network as of {comp.as_of}", "",
           f"taihang {prov['version']}; targets: {', '.join(comp.targets)}. Gains are door-to-door minutes "
           "saved (negative change = closer), best mode unless stated; population-weighted over the "
           "county-level places (2020 census).", "", f"Approximate: {APPROXIMATION_NOTE}", ""]
    out += [f"**Warning: {w}**\n" for w in forced_warnings(comp.assumptions)]
    out += ["## Ranking", "", _md_table(ranking(comp)), ""]
    for r in comp.results:
        sc = r.scenario
        out += [f"## {sc.name}", "", sc.description, "", f"Source: {sc.source.strip()}", ""]
        for png in (charts or {}).get(sc.name, []):
            out += [f"![{Path(png).stem}]({png})", ""]
        if not sc.passenger_relevant:
            out += ["**Freight only: passenger accessibility is not what this project changes.**", ""]
        if r.report.notes:
            out += ["Notes:", ""] + [f"- {n}" for n in r.report.notes] + [""]
        if r.report.skipped:
            out += ["Not applied (opens after the network date):", ""] + [f"- {n}" for n in r.report.skipped] + [""]
        assumed = [(c.change.type, getattr(c.change, "id", None) or getattr(c.change, "corridor", ""), f, why)
                   for c in sc.changes for f, why in c.change.assumed.items()]
        if assumed:
            out += ["Assumed parameters:", ""] + [f"- {t} {i}: `{f}`: {w}" for t, i, f, w in assumed] + [""]
        s = r.summary[r.summary["mode"].isin(["best", "rail"])]
        cols = ["target", "mode", "weighted_mean_min_before", "weighted_mean_min_after", "weighted_mean_min_change",
                "population_within_60_min_change", "population_within_90_min_change",
                "population_within_120_min_change"]
        out += ["Population-weighted:", "", _md_table(s[cols]), ""]
        movers = r.places[r.places["best_change_min"].abs() >= 0.05]
        if movers.empty:
            out += ["No place's best-mode time changes by 0.1 min or more.", ""]
        else:
            show = movers.sort_values(["best_change_min", "target", "place_id"])
            cols = ["target", "name_zh", "name_en", "best_before_min", "best_after_min", "best_change_min",
                    "best_mode_before", "best_mode_after", "rail_change_min"]
            gain, lose = show[show["best_change_min"] < 0].head(10), show[show["best_change_min"] > 0].tail(10)
            if not gain.empty:
                out += ["Places that gain most:", "", _md_table(gain[cols]), ""]
            if not lose.empty:
                out += ["Places that lose:", "", _md_table(lose[cols]), ""]
        if r.decomposition is not None:
            out += ["Each project's share of the package gain (population-weighted minutes saved, best mode; "
                    "'alone' = added to the baseline by itself, 'marginal' = lost when removed from the package):",
                    "", _md_table(r.decomposition), ""]
    out += ["## How this was made", "", "```json", dumps_json(prov, indent=1, sort_keys=True),
            "```", ""]
    return "\n".join(out)


def write_outputs(comp: Comparison, out_dir: Path) -> list[Path]:
    """Write places.csv, summary.csv, ranking.csv, decomposition.csv, places.gpkg, report.md,
    provenance.json and maps/<scenario>.html into ``out_dir``; identical inputs, identical bytes."""
    out_dir = Path(out_dir)
    written = []
    def stamp(df: pd.DataFrame, r: Any) -> pd.DataFrame:  # the caveats on every row
        return df.assign(scenario=r.scenario.name, changes_not_open=len(r.report.skipped),
                         warnings="; ".join(result_warnings(comp, r)))

    places = pd.concat([stamp(r.places, r) for r in comp.results], ignore_index=True)
    places = places[["scenario"] + [c for c in places.columns if c != "scenario"]]
    summary = pd.concat([stamp(r.summary, r) for r in comp.results], ignore_index=True)
    summary = summary[["scenario"] + [c for c in summary.columns if c != "scenario"]]
    decomp = [stamp(r.decomposition, r).drop(columns="scenario") for r in comp.results if r.decomposition is not None]
    tables = {"places.csv": places, "summary.csv": summary, "ranking.csv": ranking(comp)}
    if decomp:
        tables["decomposition.csv"] = pd.concat(decomp, ignore_index=True)
    for name, df in tables.items():
        atomic_write_text(out_dir / name, csv_text(df, float_format="%.2f"))
        written.append(out_dir / name)
    from network.io import atomic_write_bytes
    from network.viz.charts import gain_by_county_png, population_reached_png

    charts: dict[str, list[str]] = {}
    for r in comp.results:
        name = r.scenario.name
        files = [f"charts/{name}_gain_by_county.png", f"charts/{name}_population_reached.png"]
        warn = result_warnings(comp, r)
        atomic_write_bytes(out_dir / files[0], gain_by_county_png(r.places, name, list(comp.targets), FOCUS_CITY,
                                                                  warnings=warn))
        atomic_write_bytes(out_dir / files[1], population_reached_png(r.places, name, comp.targets[0],
                                                                      warnings=warn))
        written += [out_dir / f for f in files]
        charts[name] = files
    atomic_write_text(out_dir / "report.md", report_markdown(comp, charts))
    atomic_write_text(out_dir / "provenance.json",
                      dumps_json(provenance(comp), indent=1, sort_keys=True) + "\n")
    written += [out_dir / "report.md", out_dir / "provenance.json"]
    written.append(_write_gpkg(comp, places, out_dir / "places.gpkg"))
    from network.viz.maps import change_map, map_html

    for r in comp.results:
        path = out_dir / "maps" / f"{r.scenario.name}.html"
        atomic_write_text(path, map_html(change_map(comp.graph, r, comp.targets[0], result_warnings(comp, r))))
        written.append(path)
    return written


def _write_gpkg(comp: Comparison, places: pd.DataFrame, path: Path) -> Path:
    """Places with their changes as points (EPSG:4326). GDAL stamps a GeoPackage with the current
    time; OGR_CURRENT_DATE pins it to the network date so reruns give identical bytes."""
    import geopandas as gpd

    pos = {d["place_id"]: (d["lon"], d["lat"]) for _, d in comp.graph.nodes(data=True) if d["kind"] == "place"}
    xs = [pos[p][0] for p in places["place_id"]]
    ys = [pos[p][1] for p in places["place_id"]]
    gdf = gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326")
    atomic_write_gpkg(path, [("places", gdf)], comp.as_of)
    return path
