"""The comparison as files: CSV tables, a GeoPackage of places, a Markdown report, charts and one
map per scenario (:func:`write_outputs`); the same inputs give byte-identical files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from network.analysis.compare import FOCUS_CITY, Comparison, provenance, ranking, result_warnings
from network.assumptions import forced_warnings
from network.io import atomic_write_bytes, atomic_write_gpkg, atomic_write_text
from network.model import APPROXIMATION_NOTE
from network.parallel import fork_map
from network.tables import csv_text, dumps_json, markdown_table
from network.viz.charts import gain_by_county_png, gain_per_cost_png, population_reached_png
from network.viz.maps import change_map, map_html
from network.viz.timespace import frames_from_comparison, timespace_png


def report_markdown(comp: Comparison, charts: dict[str, list[str]] | None = None) -> str:
    """The comparison as a Markdown report (answers "which project brings which towns how much closer");
    ``charts`` maps a scenario name to the PNG files (relative paths) shown in its section."""
    prov = provenance(comp)
    out = [
        f"# Scenario comparison, network as of {comp.as_of}",
        "",
        f"taihang {prov['version']}; main targets: {', '.join(comp.names.get(t, t) for t in comp.main_targets)}; "
        "each project also on the places its card serves. Gains are door-to-door minutes saved "
        "(before − after: positive = closer), best mode unless stated; population-weighted over the "
        "county-level places (2020 census). The ranking ranks on the focus city's gain of any mode "
        "(the largest of best, rail and public transport) to the main targets (rank_main) and to the "
        "served places (rank_serves).",
        "",
        f"Approximate: {APPROXIMATION_NOTE}",
        "",
    ]
    out += [f"**Warning: {w}**\n" for w in forced_warnings(comp.assumptions)]
    out += ["## Ranking", "", markdown_table(ranking(comp)), ""]
    for r in comp.results:
        sc = r.scenario
        out += [f"## {sc.name}", "", sc.description, "", f"Source: {sc.source.strip()}", ""]
        for png in (charts or {}).get(sc.name, []):
            out += [f"![{Path(png).stem}]({png})", ""]
        if sc.what_if:
            out += ["**What-if: no plan proposes this; it is outside the plan packages.**", ""]
        if sc.serves:
            out += [f"Serves (the places it is meant to bring closer): {'、'.join(sc.serves)}", ""]
        if not sc.passenger_relevant:
            out += [f"**{sc.passenger_effect.capitalize()}: passenger accessibility is not what it changes.**", ""]
        if r.report.notes:
            out += ["Notes:", ""] + [f"- {n}" for n in r.report.notes] + [""]
        if r.report.skipped:
            out += ["Not applied (opens after the network date):", ""] + [f"- {n}" for n in r.report.skipped] + [""]
        assumed = [
            (c.change.type, getattr(c.change, "id", None) or getattr(c.change, "corridor", ""), f, why)
            for c in sc.changes
            for f, why in c.change.assumed.items()
        ]
        if assumed:
            out += ["Assumed parameters:", ""] + [f"- {t} {i}: `{f}`: {w}" for t, i, f, w in assumed] + [""]
        own = list(dict.fromkeys(comp.main_targets + comp.serves.get(sc.name, []))) or comp.targets
        s = r.summary[r.summary["mode"].isin(["best", "rail"]) & r.summary["target"].isin(own)]
        s = s.assign(target_zh=s["target"].map(lambda t: comp.names.get(t, t)))
        cols = [
            "target",
            "target_zh",
            "mode",
            "weighted_mean_min_before",
            "weighted_mean_min_after",
            "weighted_mean_min_change",
            "population_within_60_min_change",
            "population_within_90_min_change",
            "population_within_120_min_change",
        ]
        out += [
            "Population-weighted, to the main targets and the places it serves (indicator changes are "
            "after − before; every target in summary.csv):",
            "",
            markdown_table(s[cols]),
            "",
        ]
        if r.equity is not None and comp.baseline_equity is not None:
            out += _equity_lines(comp.baseline_equity, r.equity)
        movers = r.places[r.places["best_gain_min"].abs() >= 0.05]
        if movers.empty:
            out += ["No place's best-mode time changes by 0.1 min or more.", ""]
        else:
            show = movers.sort_values(["best_gain_min", "target", "place_id"], ascending=[False, True, True])
            cols = [
                "target",
                "name_zh",
                "name_en",
                "best_before_min",
                "best_after_min",
                "best_gain_min",
                "best_mode_before",
                "best_mode_after",
                "rail_gain_min",
            ]
            gain, lose = show[show["best_gain_min"] > 0].head(10), show[show["best_gain_min"] < 0].tail(10)
            if not gain.empty:
                out += ["Places that gain most:", "", markdown_table(gain[cols]), ""]
            if not lose.empty:
                out += ["Places that lose:", "", markdown_table(lose[cols]), ""]
        if r.decomposition is not None:
            out += [
                "Each project's share of the package gain (population-weighted minutes saved, best mode; "
                "'alone' = added to the baseline by itself, 'marginal' = lost when removed from the package):",
                "",
                markdown_table(r.decomposition),
                "",
            ]
    out += ["## How this was made", "", "```json", dumps_json(prov, indent=1, sort_keys=True), "```", ""]
    return "\n".join(out)


def _equity_lines(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Who is outside 60/90/120 min of the main targets (best mode, all places), before and after."""
    keys = ["target", "mode", "threshold_min", "level", "group"]
    cols = ["population_outside", "worst_excess_min", "fgt_gap", "tenth_ratio"]
    b = before[(before["level"] == "region") & (before["mode"] == "best")][keys + cols]
    a = after[(after["level"] == "region") & (after["mode"] == "best")][keys + cols]
    both = b.merge(a, on=keys, suffixes=("_before", "_after")).drop(columns=["mode", "level", "group"])
    return [
        "Who is outside each threshold (best mode, all places; by prefecture and county in equity.csv):",
        "",
        markdown_table(both),
        "",
    ]


def write_outputs(comp: Comparison, out_dir: Path, side_by_side: bool = False) -> list[Path]:
    """Write places.csv, summary.csv, ranking.csv, decomposition.csv, equity.csv, links.gpkg (every added,
    changed and closed link with the card that made it), nearest.csv (minutes to
    the nearest station, airport and expressway entrance before and after), indicators.csv (economic
    potential, daily accessibility and trains-weighted rail potential before and after), places.gpkg, report.md,
    provenance.json and maps/<scenario>.html (with ``side_by_side``, maps/<scenario>_before_after.html
    too: :mod:`network.viz.side_by_side`) into ``out_dir``; identical inputs, identical bytes."""
    out_dir = Path(out_dir)
    written = []

    def stamp(df: pd.DataFrame, r: Any) -> pd.DataFrame:  # the caveats on every row
        return df.assign(
            scenario=r.scenario.name,
            changes_not_open=len(r.report.skipped),
            warnings="; ".join(result_warnings(comp, r)),
        )

    places = pd.concat([stamp(r.places, r) for r in comp.results], ignore_index=True)
    places = places[["scenario"] + [c for c in places.columns if c != "scenario"]]
    summary = pd.concat([stamp(r.summary, r) for r in comp.results], ignore_index=True)
    summary = summary[["scenario"] + [c for c in summary.columns if c != "scenario"]]
    decomp = [stamp(r.decomposition, r).drop(columns="scenario") for r in comp.results if r.decomposition is not None]
    tables = {"places.csv": places, "summary.csv": summary, "ranking.csv": ranking(comp)}
    if comp.baseline_equity is not None:
        tables["equity.csv"] = pd.concat(
            [comp.baseline_equity.assign(scenario="baseline")]
            + [stamp(r.equity, r) for r in comp.results if r.equity is not None],
            ignore_index=True,
        )
        tables["equity.csv"] = tables["equity.csv"][
            ["scenario"] + [c for c in tables["equity.csv"].columns if c != "scenario"]
        ]
    for name, part in (("nearest.csv", "nearest"), ("indicators.csv", "indicators")):
        # minutes to the nearest station, airport and expressway entrance; the literature's indicators
        frames = [stamp(getattr(r, part), r) for r in comp.results if getattr(r, part) is not None]
        if frames:
            df = pd.concat(frames, ignore_index=True)
            tables[name] = df[["scenario"] + [c for c in df.columns if c != "scenario"]]
    if decomp:
        tables["decomposition.csv"] = pd.concat(decomp, ignore_index=True)
    for name, df in tables.items():
        atomic_write_text(out_dir / name, csv_text(df, float_format="%.2f"))
        written.append(out_dir / name)
    charts: dict[str, list[str]] = {}
    _PICTURES["comp"] = comp
    try:  # the charts and maps of the scenarios are independent: drawn on forked workers
        pictures = fork_map(_pictures, list(range(len(comp.results))))
    finally:
        _PICTURES.clear()
    for r, (gain_png, reached_png, _, timespace) in zip(comp.results, pictures):
        name = r.scenario.name
        files = [f"charts/{name}_gain_by_county.png", f"charts/{name}_population_reached.png"]
        files += [f"charts/{name}_timespace_{target}.png" for target in timespace]
        for f, png in zip(files, [gain_png, reached_png, *timespace.values()]):
            atomic_write_bytes(out_dir / f, png)
        written += [out_dir / f for f in files]
        charts[name] = files
    cost_chart = gain_per_cost_png(tables["ranking.csv"], forced_warnings(comp.assumptions))
    atomic_write_bytes(out_dir / "charts" / "gain_per_cost.png", cost_chart)
    written.append(out_dir / "charts" / "gain_per_cost.png")
    atomic_write_text(out_dir / "report.md", report_markdown(comp, charts))
    atomic_write_text(out_dir / "provenance.json", dumps_json(provenance(comp), indent=1, sort_keys=True) + "\n")
    written += [out_dir / "report.md", out_dir / "provenance.json"]
    written.append(_write_gpkg(comp, places, out_dir / "places.gpkg"))
    written.append(_write_links_gpkg(comp, out_dir / "links.gpkg"))
    for r, (_, _, html, _) in zip(comp.results, pictures):
        path = out_dir / "maps" / f"{r.scenario.name}.html"
        atomic_write_text(path, html)
        written.append(path)
    if side_by_side:
        from network.viz.side_by_side import side_by_side_html

        for k, r in enumerate(comp.results):
            path = out_dir / "maps" / f"{r.scenario.name}_before_after.html"
            atomic_write_text(path, side_by_side_html(comp, k, comp.targets[0], result_warnings(comp, r)))
            written.append(path)
    return written


#: The comparison whose pictures the workers draw (set before they fork).
_PICTURES: dict[str, Any] = {}


def _both_names(comp: Comparison) -> dict[str, str]:
    """Each target of the comparison by its Chinese and English name (郑州 Zhengzhou)."""
    nodes = comp.graph.nodes
    return {k: f"{zh} {nodes.get(f'place:{k}', {}).get('name_en', '')}".strip() for k, zh in comp.names.items()}


def gain_png(comp: Comparison, r: Any, warn: list[str]) -> bytes:
    """The gain chart of one scenario of the comparison: a panel per main target and one for the
    places its card serves (:func:`~network.viz.charts.gain_by_county_png`)."""
    name = r.scenario.name
    both = _both_names(comp)
    return gain_by_county_png(
        r.places,
        name,
        [*(comp.main_targets or comp.targets[:2]), *comp.serves.get(name, [])],
        FOCUS_CITY,
        warnings=warn,
        names=both,
        main=comp.main_targets or comp.targets[:2],
        as_of=comp.as_of,
    )


def timespace_pngs(comp: Comparison, r: Any, warn: list[str]) -> dict[str, bytes]:
    """Before and after time-space maps towards each main target, from the comparison's own
    minutes (best mode): target id → PNG."""
    out, names = {}, _both_names(comp)
    for target in comp.main_targets or comp.targets[:2]:
        before, after = frames_from_comparison(comp.graph, r, target)
        label = names.get(target, target)
        panels = [(f"before ({comp.as_of})", before), (f"with {r.scenario.name}", after)]
        rows = r.places[r.places["target"] == target]
        named = set(rows.loc[rows["city_zh"] == FOCUS_CITY, "place_id"])  # the plans' own places
        named |= set(rows.nlargest(3, "best_gain_min").query("best_gain_min > 0")["place_id"])  # and who moves most
        out[target] = timespace_png(
            panels, label, "the best mode", label_places=sorted(named), warnings=warn, towards=True
        )
    return out


def _pictures(k: int) -> tuple[bytes, bytes, str, dict[str, bytes]]:
    """The two charts (PNG), the map (HTML) and the time-space maps (PNG per main target) of
    scenario ``k`` of the comparison."""
    comp = _PICTURES["comp"]
    r = comp.results[k]
    warn = result_warnings(comp, r)
    return (
        gain_png(comp, r, warn),
        population_reached_png(
            r.places,
            r.scenario.name,
            comp.targets[0],
            warnings=warn,
            label=_both_names(comp).get(comp.targets[0]),
            as_of=comp.as_of,
        ),
        map_html(change_map(comp.graph, r, comp.targets[0], warn, as_of=comp.as_of)),
        timespace_pngs(comp, r, warn),
    )


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


def _write_links_gpkg(comp: Comparison, path: Path) -> Path:
    """Every scenario's added, changed and closed links as lines (EPSG:4326), each with the card
    that made it (:func:`~network.analysis.compare.changed_links`); the same stable date stamp as
    :func:`_write_gpkg`."""
    import geopandas as gpd
    import shapely

    rows, lines = [], []
    for r in comp.results:
        for row in [*r.link_rows, *r.closed_rows]:
            rows.append({"scenario": r.scenario.name, **{k: v for k, v in row.items() if k != "coords"}})
            lines.append(shapely.linestrings(row["coords"]))
    columns = ["scenario", "change", "card", "mode", "kind", "name_zh", "ref", "minutes", "km"]
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=lines, crs="EPSG:4326")
    atomic_write_gpkg(path, [("links", gdf)], comp.as_of)
    return path
