"""Commands that check, compare and sweep: validate, sweep, compare, validate-times, check."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import click

from network.assumptions import Assumptions, forced_warnings
from network.cli import (
    _ASSUME,
    _NETWORK,
    _WIDE,
    _YEAR,
    _assumptions,
    _base,
    _outputs,
    _targets,
    _warn,
    main,
)
from network.errors import NetworkModelError
from network.io import atomic_write_text
from network.model import default_year
from network.outputs import OutputSet
from network.sources.default import DEFAULT_TARGETS
from network.tables import csv_text, dumps_json, paragraph, table_text
from network.viz import text


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_YEAR
@_NETWORK
def validate(files: tuple[Path, ...], year: int | None, network_path: Path | None) -> None:
    """Check scenario files: schema, composition, and every name against the default network.

    Prints every problem of every file (file:line: field: message) and exits 2 if there are any."""
    from network.errors import ScenarioError
    from network.scenario.apply import apply_scenario
    from network.scenario.load import load_scenario

    problems: list[str] = []
    loaded = []
    for f in files:
        try:
            loaded.append(load_scenario(f))
        except ScenarioError as err:
            problems.extend(err.problems)
    if loaded:
        base = _base(network_path, year or default_year(loaded), Assumptions())
        for sc in loaded:
            try:
                _, rep = apply_scenario(base.network, sc)
                click.echo(
                    f"ok  {sc.path}: {len(sc.changes)} change(s), {len(rep.added_edges)} edges added, "
                    f"{len(rep.changed_edges)} changed, {len(rep.removed_edges)} removed"
                )
            except ScenarioError as err:
                problems.extend(err.problems)
    if problems:
        from network.errors import shown_problems

        for p in shown_problems(problems):
            click.echo(p, err=True)
        click.echo(f"taihang: error: {len(problems)} problem(s) in scenario files", err=True)
        raise SystemExit(2)


@main.command(name="sweep")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--claims",
    "claim_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A claim file to check on every scenario and draw; repeatable.",
)
@click.option("--targets", default=",".join(DEFAULT_TARGETS), show_default=True, help="Comma-separated target places.")
@click.option(
    "--draws",
    type=click.IntRange(0, 100000),
    default=0,
    show_default=True,
    help="Draws of the constants per scenario (0: central values only).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    default=1,
    show_default=True,
    help="Seed of the draws, a whole number >= 0 (draw k uses SeedSequence([seed, k])).",
)
@_YEAR
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for parts/, sweep.csv and summary.csv; run again with the same settings to resume.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 512),
    default=None,
    help="Worker processes on this machine (default: the number of cores).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (pip install 'taihang[dask]'; see the README).",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start over: remove an earlier sweep's files from --out first (without it, a rerun resumes).",
)
def sweep_cmd(
    files: tuple[Path, ...],
    claim_paths: tuple[Path, ...],
    targets: str,
    draws: int,
    seed: int,
    year: int | None,
    out_dir: Path,
    workers: int | None,
    scheduler: str | None,
    fresh: bool,
) -> None:
    """Every scenario (and the baseline) x every draw of the constants: scores on the targets and
    verdicts of the claims, in parallel here or on a Dask cluster; resumable (run the same
    command again), or started over with --fresh."""
    import os
    import re

    from network.analysis.claims.spec import load_claim
    from network.analysis.sweep import SweepSpec, check_sweep_folder, run_sweep
    from network.scenario.load import load_scenario

    if scheduler is not None and not re.fullmatch(r"([a-z]+://)?[A-Za-z0-9._\-\[\]:]+:\d{1,5}", scheduler):
        raise click.BadParameter(
            f"{scheduler[:80]!r}: expected a Dask scheduler address such as tcp://10.0.0.5:8786",
            param_hint="--scheduler",
        )
    target_list = _targets(targets)
    check_sweep_folder(out_dir)  # before any work: a folder of someone else's is refused

    for f in files:  # every file checked before any work starts
        load_scenario(f)
    for c in claim_paths:
        load_claim(c)
    names = [f.stem for f in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise NetworkModelError(
            f"scenario files share a name ({', '.join(twice)}); a sweep names its rows by file stem"
        )
    spec = SweepSpec(
        scenarios=tuple(str(f) for f in files),
        claims=tuple(str(c) for c in claim_paths),
        targets=tuple(target_list),
        draws=draws,
        seed=seed,
        year=year,
    )
    table = run_sweep(spec, out_dir, workers=workers or os.cpu_count() or 1, scheduler=scheduler, fresh=fresh)
    click.echo(
        f"wrote {len(table)} rows of {len(spec.tasks())} tasks: {out_dir / 'sweep.csv'}, {out_dir / 'summary.csv'}"
    )


@main.command(name="compare")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A scenario file that defines the baseline (default: the network as it is on the date).",
)
@_YEAR
@click.option("--targets", default=",".join(DEFAULT_TARGETS), show_default=True, help="Comma-separated target places.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write CSV, GeoPackage, report.md, provenance.json and maps/ into this folder.",
)
@click.option("--no-decompose", is_flag=True, help="Skip the per-project shares of package gains (faster).")
@click.option(
    "--side-by-side",
    is_flag=True,
    help="With --out: also maps/<scenario>_before_after.html, the minutes before and after in two maps that "
    "pan and zoom together (about 7 MB each).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 512),
    default=None,
    help="Processes for the scenarios (default: up to two; results do not depend on it).",
)
@_WIDE
@_ASSUME
@_NETWORK
def compare_cmd(
    files: tuple[Path, ...],
    baseline_path: Path | None,
    year: int | None,
    targets: str,
    out_dir: Path | None,
    no_decompose: bool,
    side_by_side: bool,
    workers: int | None,
    wide: bool,
    assume: tuple[str, ...],
    network_path: Path | None,
) -> None:
    """Who gains, how much, from which project: each scenario against the baseline."""
    from network.analysis.compare import compare, focus_of, ranking, result_warnings
    from network.scenario.load import load_scenario
    from network.viz.report import write_outputs

    scenarios = [load_scenario(f) for f in files]
    base_sc = load_scenario(baseline_path) if baseline_path else None
    year = year or default_year(scenarios + ([base_sc] if base_sc else []))
    with _outputs(out_dir) as outputs:
        assumptions = _assumptions(assume)
        base = _base(network_path, year, assumptions)
        if base_sc is not None:
            base = base.with_scenario(base_sc)
        gc.freeze()  # the base network lives to the end: later collections need not scan it
        comp = compare(base, scenarios, _targets(targets), decompose=not no_decompose, workers=workers)
        if outputs is not None:
            outputs.warnings += base.warnings + [w for r in comp.results for w in result_warnings(comp, r)]
        written = write_outputs(comp, outputs.staging, side_by_side) if outputs is not None else []
    table = ranking(comp).drop(columns="warnings")
    click.echo(
        paragraph(
            f"Population-weighted door-to-door minutes gained (before − after: positive = closer), "
            f"network as of {comp.as_of}, baseline: {base_sc.name if base_sc else 'the network as it is'}. "
            f"Ranked on {focus_of(comp) or 'every place'}'s gain of any mode (best, rail or public transport) to "
            "the main targets (rank_main) and to the places each card serves (rank_serves)"
        )
        + "\n"
    )
    narrow = [
        "scenario",
        "rank_main",
        "main_gain_min",
        "rank_serves",
        "serves_gain_min",
        "pop_within_60_gain",
        "passenger_effect",  # "freight only", "no scheduled passenger service": never hidden
    ]
    labels = {
        "rank_main": "rank\nmain",
        "main_gain_min": "gain to\nmain, min",
        "rank_serves": "rank\nserves",
        "serves_gain_min": "gain to\nserved, min",
        "pop_within_60_gain": "people\nnow ≤60",
        "passenger_effect": "passenger\neffect",
    }
    click.echo(table_text(table, narrow=[c for c in narrow if c in table], wide=wide, labels=labels), nl=False)
    if not wide and "note" in table:  # a scenario's caveat is never hidden by the narrow view
        for name, note in zip(table["scenario"], table["note"]):
            if isinstance(note, str) and note.strip():
                click.echo(paragraph(f"{name}: {note}"), nl=False)
    _echo_costs(table)
    shown: set[str] = set()
    for r in comp.results:  # each note once (packages repeat their parts' notes)
        for n in r.report.notes + [f"not applied: {x}" for x in r.report.skipped]:
            if n not in shown:
                shown.add(n)
                click.echo(paragraph(f"note: {n}"), nl=False)
    _warn(base.warnings)  # forced constants, and the baseline scenario's changes not open
    if outputs is not None:
        click.echo(
            f"\nwrote {len(written)} files and manifest.json into {outputs.target} "
            f"(report: {outputs.target / 'report.md'})"
        )


def _echo_costs(table: Any) -> None:
    """Access bought per 亿元, for the scenarios with a cost (published or estimated), ranked."""
    import numpy as np

    per = table["person_min_per_100m_yuan"].to_numpy(dtype=float)
    have = table[np.isfinite(per)].sort_values(["rank_per_cost", "scenario"])
    if not len(have):
        click.echo(
            "\n"
            + paragraph(
                f"Access bought per 亿元: none of the {len(table)} scenarios has a cost, published or estimated "
                "from data/unit_costs.csv (cost_basis in ranking.csv says why for each)"
            ),
            nl=False,
        )
        return
    click.echo(
        "\n"
        + paragraph(
            f"Access bought per 亿元: person-minutes gained (population × minutes gained to the main targets and "
            "the places each card serves, best, rail or public transport, whichever gains most) "
            f"per 亿元 of cost, {len(have)} of {len(table)} scenarios with a cost (published, or estimated from "
            "data/unit_costs.csv); p10-p90 over the cost range. ranking.csv has every cost's basis"
        ),
        nl=False,
    )
    shown = have.assign(  # millions and thousands on screen; ranking.csv has the whole numbers
        gained_m=(have["person_min_gain"] / 1e6).round(1),
        per_k=(have["person_min_per_100m_yuan"] / 1e3).round(0).astype("int64"),
        p10_k=(have["person_min_per_100m_yuan_p10"] / 1e3).round(0).astype("int64"),
        p90_k=(have["person_min_per_100m_yuan_p90"] / 1e3).round(0).astype("int64"),
    )
    cols = ["scenario", "cost_100m_yuan", "gained_m", "per_k", "p10_k", "p90_k"]
    labels = {
        "cost_100m_yuan": "cost\n亿元",
        "gained_m": "million\nperson-min",
        "per_k": "thousand\nper 亿元",
        "p10_k": "p10",
        "p90_k": "p90",
    }
    click.echo(table_text(shown[cols], labels=labels), nl=False)


@main.command(name="validate-times")
@click.argument("figures", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write validation.csv, validation_summary.csv and validation.png here.",
)
@_WIDE
@_ASSUME
@_NETWORK
def validate_times(
    figures: Path, out_dir: Path | None, wide: bool, assume: tuple[str, ...], network_path: Path | None
) -> None:
    """Modelled against published figures: each row of FIGURES (CSV: origin, destination, mode,
    year or as_of, measure minutes|km, value, tolerance, source) with the model's value, the error
    and whether it is inside the tolerance; a summary (median absolute error, bias, share inside);
    with --out, the tables and a scatter plot (PNG)."""
    from network.indicators.validation import (
        evaluate_figures,
        read_figures,
        savings_table,
        summarise_by,
        summarise_figures,
        tag_headline,
    )
    from network.viz.charts import validation_png

    rows = read_figures(figures)
    assumptions = _assumptions(assume)
    outputs = OutputSet(out_dir) if out_dir is not None else None  # a folder not ours is refused before the work
    models: dict[Any, Any] = {}

    def model_for(date: Any) -> Any:
        if date not in models:
            from network.model import Model

            models[date] = (
                Model.from_network(network_path, as_of=date, assumptions=assumptions)
                if network_path
                else Model.default(as_of=date, assumptions=assumptions)
            )
        return models[date]

    try:
        table = evaluate_figures(rows, model_for)
    except BaseException:
        if outputs is not None:
            outputs.abort()
        raise
    summary = summarise_figures(table)
    by_grade = summarise_by(table)
    savings = savings_table(table)
    headline = tag_headline(table)
    warnings = forced_warnings(assumptions)
    shown_columns = [c for c in table.columns if c not in ("source", "what", "tolerance", "bound", "pair")]
    narrow = [
        "line",
        "origin",
        "destination",
        "measure",
        "published",
        "modelled",
        "relative_error",
        "within_15pct",
        "grade",
    ]
    labels = {"relative_error": "rel. error", "within_15pct": "within\n15%", "published": "observed"}
    click.echo(paragraph(headline))
    click.echo(table_text(table[shown_columns], narrow=narrow, wide=wide, labels=labels))
    click.echo("Summary (error = model - published; bias = mean error):\n")
    click.echo(table_text(summary, wide=wide))
    if not by_grade.empty:
        click.echo("Journey times by grade and mode (within_15pct: the TAG M3.1 test):\n")
        click.echo(table_text(by_grade, wide=wide))
    if not savings.empty:
        click.echo("Before and after (saving = before - after, minutes):\n")
        snarrow = ["pair", "trip", "observed_saving", "modelled_saving", "right_way", "share_of_observed"]
        click.echo(table_text(savings, narrow=snarrow, wide=wide), nl=False)
    _warn(warnings, [table, summary])
    if outputs is not None:
        from network.io import atomic_write_bytes

        with outputs:
            outputs.warnings += warnings
            atomic_write_text(outputs.path("validation.csv"), csv_text(table.assign(warnings="; ".join(warnings))))
            atomic_write_text(
                outputs.path("validation_summary.csv"), csv_text(summary.assign(warnings="; ".join(warnings)))
            )
            atomic_write_text(outputs.path("validation_by_grade.csv"), csv_text(by_grade))
            atomic_write_text(outputs.path("validation_savings.csv"), csv_text(savings))
            atomic_write_text(outputs.path("validation_headline.txt"), headline + "\n")
            atomic_write_bytes(outputs.path("validation.png"), validation_png(table, warnings))
        click.echo(
            f"wrote {outputs.target}/validation.csv, validation_summary.csv, validation_by_grade.csv, "
            "validation_savings.csv, validation_headline.txt, validation.png, manifest.json"
        )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--draws",
    type=click.IntRange(0, 100_000),
    default=0,
    show_default=True,
    help="Sample every assumption that re-times edges this many times: p10/p50/p90 and the share of draws "
    "in which the claim holds.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    default=1,
    show_default=True,
    help="Seed of the draws, a whole number >= 0 (same seed, same numbers).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@_WIDE
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write <claim>.csv (per destination), <claim>_verdicts.csv, <claim>_equity.csv (who is outside each "
    "threshold, by prefecture and county), <claim>.json and <claim>.png "
    "(minutes against the thresholds) into this folder.",
)
@_ASSUME
@_NETWORK
def check(
    files: tuple[Path, ...],
    draws: int,
    seed: int,
    as_json: bool,
    wide: bool,
    out_dir: Path | None,
    assume: tuple[str, ...],
    network_path: Path | None,
) -> None:
    """Check claim files (see claims/): a verdict per reading, mode, threshold and network."""
    from network.analysis.claims import check_claim, load_claim, result_payload
    from network.errors import ScenarioError

    claims, problems = [], []
    for f in files:
        try:
            claims.append(load_claim(f))
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        raise ScenarioError(problems, "claim")
    assumptions = _assumptions(assume)
    payloads = []
    with _outputs(out_dir) as outputs:
        for claim in claims:
            res = check_claim(claim, lambda y: _base(network_path, y, assumptions), draws=draws, seed=seed)
            payloads.append(result_payload(res))
            if outputs is not None:
                outputs.warnings += res.warning_lines()
                _write_check(outputs, claim.spec.name, res, payloads[-1])
            if not as_json:
                click.echo(text.check_text(res, wide=wide), nl=False)
    if as_json:
        click.echo(dumps_json(payloads, indent=1))


def _write_check(outputs: OutputSet, name: str, res: Any, payload: dict[str, Any]) -> None:
    from network.analysis.claims.evaluate import PLACE_LISTS, equity_of_check
    from network.io import atomic_write_bytes
    from network.viz.charts import claim_png

    per = res.per_destination.drop(columns=[c for c in PLACE_LISTS if c in res.per_destination])
    atomic_write_text(outputs.path(f"{name}.csv"), csv_text(per))
    equity = equity_of_check(res.per_destination)
    if len(equity):  # only claims with a population-weighted reading have people to count
        for col in ("changes_not_open", "warnings"):  # the caveats of each network, on every row
            equity[col] = equity["network"].map(dict(zip(res.per_destination["network"], res.per_destination[col])))
        atomic_write_text(outputs.path(f"{name}_equity.csv"), csv_text(equity))
    atomic_write_text(outputs.path(f"{name}_verdicts.csv"), csv_text(res.overall))
    atomic_write_text(outputs.path(f"{name}.json"), dumps_json(payload, indent=1) + "\n")
    if not res.claim.spec.route_checks:  # a claim about routes has no minutes against a threshold to draw
        atomic_write_bytes(outputs.path(f"{name}.png"), claim_png(res.per_destination, name, res.warning_lines()))
    if res.models:  # the claim's networks as time-space maps from its origin, side by side
        from network.viz.timespace import timespace_frame, timespace_png

        spec = res.claim.spec
        centre = spec.origin.city or (spec.origin.places or [""])[0]
        mode = "rail" if "rail" in spec.modes else spec.modes[0]
        panels = [(f"{net} ({m.as_of})", timespace_frame(m, centre, mode)) for net, m in res.models.items()]
        first = next(iter(res.models.values()))
        png = timespace_png(panels, first.resolve(centre).label, mode, warnings=res.warning_lines())
        atomic_write_bytes(outputs.path(f"{name}_timespace.png"), png)
