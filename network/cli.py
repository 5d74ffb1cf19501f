"""The ``taihang`` command line: score, route, map, and views of the data and assumptions.

Every user error (unknown name, bad coordinates, a year before the data, a bad override) prints
one line ``taihang: error: ...`` and exits with status 2; no traceback.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from network.assumptions import Assumptions, describe_assumptions, forced_warnings, parse_overrides
from network.errors import NetworkModelError
from network.indicators.score import equity_of_scores
from network.io import atomic_write_text, write_text_or_stdout
from network.model import Model, default_year
from network.outputs import OutputSet
from network.sources.default import DEFAULT_TARGETS
from network.sources.osm import DEFAULT_ROAD_CLASSES
from network.tables import LISTING_FORMATS, csv_text, dumps_json, listing_text
from network.viz import text

_YEAR = click.option(
    "--year",
    type=click.IntRange(2000, 2060),
    default=None,
    help="Network as it stood at the end of this year (default: the data's own date, "
    "data/dataset.yaml, or the year a scenario's last change opens if later).",
)
_ASSUME_OPTION = click.option(
    "--assume",
    "assume",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a modelling constant (see `taihang assumptions`); repeatable. "
    "Values must lie in the constant's documented range unless --force.",
)
_FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _p, v: ctx.meta.__setitem__("force_assumptions", bool(v)),
    help="Allow --assume values outside their documented range (with a warning).",
)


def _ASSUME(f: Any) -> Any:  # an option decorator, named like the others
    return _FORCE_OPTION(_ASSUME_OPTION(f))


def _assumptions(assume: tuple[str, ...]) -> Assumptions:
    """The constants with the ``--assume`` overrides (checked against their ranges unless --force;
    a forced value is then named in every output: :attr:`network.model.Model.warnings`)."""
    if not assume:
        return Assumptions()
    force = bool(click.get_current_context().meta.get("force_assumptions"))
    return Assumptions().replace(force=force, **parse_overrides(assume))


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Every usage error is one line ``taihang: error: …`` and exit status 2 (click's own
        handler prints three)."""
        standalone = kwargs.pop("standalone_mode", True)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.UsageError as err:
            where = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
            click.echo(f"taihang: error: {err.format_message()}{where}", err=True)
            rv = 2
        except click.ClickException as err:
            click.echo(f"taihang: error: {err.format_message()}", err=True)
            rv = err.exit_code
        except click.Abort:
            click.echo("taihang: aborted", err=True)
            rv = 1
        if not standalone:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NetworkModelError as err:
            first, *rest = str(err).splitlines() or [""]
            click.echo(f"taihang: error: {first}", err=True)
            cap = 25  # every reader caps its own list; this bounds what any error can print
            for line in rest[:cap]:
                click.echo(f"  {line.strip()[:2000]}", err=True)
            if len(rest) > cap:
                click.echo(f"  … and {len(rest) - cap:,} more line(s)", err=True)
            ctx.exit(2)
        except BrokenPipeError:  # `taihang … | head`: the reader left; say nothing more
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except MemoryError:
            click.echo("taihang: error: out of memory; nothing was written", err=True)
            ctx.exit(2)
        except OSError as err:  # at the boundary: a full disk, a folder gone, a permission; never a traceback
            import errno

            where = f"{err.filename}: " if getattr(err, "filename", None) else ""
            hint = "free some space and run again" if err.errno in (errno.ENOSPC, errno.EDQUOT) else "check the path"
            click.echo(f"taihang: error: {where}{err.strerror or err}; nothing was half-written; {hint}", err=True)
            ctx.exit(2)


_SCENARIO = click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Apply this scenario file to the network first.",
)


_THRESHOLDS = click.option(
    "--thresholds",
    default="60,90,120,180",
    show_default=True,
    help="Minutes for the population-within indicators, comma-separated (no cap).",
)


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        out = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected minutes separated by commas, e.g. 60,90,120,180") from None
    if not out or any(not (0 < x < 10_000) for x in out):
        raise click.BadParameter(f"{text!r}: every threshold must be a number of minutes > 0 and below 10,000")
    return out


def _outputs(out_dir: Path | None) -> Any:
    """An :class:`~network.io.OutputSet` for ``--out`` (made now, so an unwritable target fails
    before the work; a failure inside its ``with`` leaves nothing behind), or a null context."""
    import contextlib

    return OutputSet(out_dir) if out_dir is not None else contextlib.nullcontext()


def _check_writable(path: Path, stream: bool = False) -> None:
    """Fail now, in one line, if ``path`` cannot be written (a missing folder is created) or is
    not a regular file to replace (a device, FIFO, socket, folder or link); ``-`` (standard
    output) passes where ``stream`` says the format streams."""
    import tempfile

    from network.errors import DataError
    from network.io import check_file_target, clean_leftovers

    if str(path) == "-":
        if stream:
            return
        raise DataError("--out -: this format cannot be written to standard output; give a file name")
    check_file_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(path)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name[:60]}.", suffix=".check"):
            pass
    except OSError as err:
        raise DataError(f"{path}: cannot write there ({err.strerror or err}); choose a path you can write to") from None


def _targets(text: str) -> list[str]:
    out = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not out:
        raise click.BadParameter(
            f"{text!r}: give one or more target places separated by commas, e.g. 郑州,洛阳", param_hint="--targets"
        )
    return out


_NETWORK = click.option(
    "--network",
    "network_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A network file from `taihang build` (default: the embedded network).",
)


def _warn(warnings: Sequence[str], frames: Sequence[pd.DataFrame] = ()) -> None:
    click.echo(text.warnings_text(warnings, frames), nl=False)


def _warn_to_stderr(warnings: Sequence[str], frames: Sequence[pd.DataFrame] = ()) -> None:
    """The warnings of a run whose data went to standard output (``--out -``)."""
    click.echo(text.warnings_text(warnings, frames), nl=False, err=True)


def _base(network_path: Path | None, year: int | None, assumptions: Assumptions) -> Model:
    """The base network: the embedded default, or a built network file."""
    from network.model import Model

    if network_path is not None:
        return Model.from_network(network_path, year=year, assumptions=assumptions)
    return Model.default(year=year, assumptions=assumptions)


def _model(
    year: int | None, assume: tuple[str, ...], scenario_path: Path | None = None, network_path: Path | None = None
) -> Model:
    assumptions = _assumptions(assume)
    scenario = None
    if scenario_path is not None:
        from network.scenario.load import load_scenario

        scenario = load_scenario(scenario_path)
        if year is None:
            year = default_year([scenario])
    if sys.stderr.isatty():
        click.echo("building the network (the first run reads and caches the road geometry, ~5 s)…", err=True)
    model = _base(network_path, year, assumptions)
    if scenario is not None:
        model = model.with_scenario(scenario)
        report = model.apply_report
        for line in report.skipped if report is not None else []:
            click.echo(f"not applied: {line}", err=True)
        for line in report.notes if report is not None else []:
            click.echo(f"note: {line}", err=True)
    return model


@click.group(cls=_Group)
@click.version_option(package_name="taihang")
def main() -> None:
    """taihang: door-to-door access from the towns of south-east Shanxi to Zhengzhou and Luoyang."""


@main.command()
@_YEAR
@click.option(
    "--targets",
    default=",".join(DEFAULT_TARGETS),
    show_default=True,
    help="Comma-separated target places (Chinese or English names).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write scores.csv, summary.csv, equity.csv (who is outside each threshold, by region, prefecture "
    "and county), scores.json and accessibility.csv (potential and "
    "cumulative accessibility of every place to the population of all places) into this folder.",
)
@_THRESHOLDS
@_ASSUME
@_SCENARIO
@_NETWORK
def score(
    year: int | None,
    targets: str,
    fmt: str,
    out_dir: Path | None,
    thresholds: str,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """Door-to-door minutes from every county-level place to each target: road, with rail, best;
    per target and mode the indicator suite (WATT, population and share within each threshold,
    CV, Gini, Theil, network efficiency)."""
    with _outputs(out_dir) as outputs:
        model = _model(year, assume, scenario_path, network_path)
        target_list, threshold_list = _targets(targets), _thresholds(thresholds)
        per_place, summary = model.score(target_list, thresholds_min=threshold_list)
        keys = [c[: -len("_best_min")] for c in per_place.columns if c.endswith("_best_min")]
        equity = equity_of_scores(per_place, keys, thresholds_min=threshold_list)
        payload = text.score_payload(model, per_place, summary, equity)
        if outputs is not None:
            outputs.warnings += model.warnings
            atomic_write_text(
                outputs.path("accessibility.csv"), csv_text(text.stamped(model.place_accessibility(), model))
            )
            atomic_write_text(outputs.path("scores.csv"), csv_text(text.stamped(per_place, model)))
            atomic_write_text(outputs.path("summary.csv"), csv_text(text.stamped(summary, model)))
            atomic_write_text(outputs.path("equity.csv"), csv_text(text.stamped(equity, model)))
            atomic_write_text(outputs.path("scores.json"), dumps_json(payload, indent=1) + "\n")
    if fmt == "csv":
        click.echo(csv_text(text.stamped(per_place, model)), nl=False)
    elif fmt == "json":
        click.echo(dumps_json(payload, indent=1))
    else:
        click.echo(text.score_text(model, per_place, summary, equity), nl=False)


@main.command()
@click.argument("origin")
@click.argument("destination")
@click.option("--mode", type=click.Choice(["best", "road", "rail", "transit"]), default="best", show_default=True)
@_YEAR
@click.option("--json", "as_json", is_flag=True, help="Print the trip as JSON.")
@_ASSUME
@_SCENARIO
@_NETWORK
def route(
    origin: str,
    destination: str,
    mode: str,
    year: int | None,
    as_json: bool,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """One trip with its legs. ORIGIN/DESTINATION: a place, station or airport name, or lon,lat."""
    trip = _model(year, assume, scenario_path, network_path).route(origin, destination, mode=mode)
    if as_json:
        click.echo(dumps_json(trip, indent=1))
        return
    click.echo(text.route_text(trip), nl=False)


@main.command(name="map")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("maps/baseline.html"),
    show_default=True,
)
@_YEAR
@click.option(
    "--tiles/--no-tiles",
    default=False,
    show_default=True,
    help="Add an OpenStreetMap tile layer (needs the internet to show).",
)
@click.option("--target", default="郑州", show_default=True, help="Colour places by their time to this place.")
@_ASSUME
@_SCENARIO
@_NETWORK
def map_cmd(
    out_path: Path,
    year: int | None,
    tiles: bool,
    target: str,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """Write an interactive map of the network, places coloured by time to a target (Zhengzhou)."""
    from network.viz.maps import build_map, map_html

    _check_writable(out_path, stream=True)
    model = _model(year, assume, scenario_path, network_path)
    from network.errors import LookupFailed

    targets, keys = [target], {model.resolve(target).key}
    for extra in DEFAULT_TARGETS:  # the popups give the default targets too, where the network has them
        try:
            ep = model.resolve(extra)
        except LookupFailed:
            continue
        if ep.kind == "place" and ep.key not in keys:
            targets.append(extra)
            keys.add(ep.key)
    per_place, _ = model.score(targets)
    key = model.resolve(target).key
    html = map_html(build_map(model.graph, per_place, key, tiles=tiles, warnings=model.warnings))
    click.echo(f"wrote {write_text_or_stdout(out_path, html)}", err=str(out_path) == "-")
    if str(out_path) != "-":
        _warn(model.warnings)


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
    "--workers",
    type=click.IntRange(1, 512),
    default=None,
    help="Processes for the scenarios (default: up to two; results do not depend on it).",
)
@_ASSUME
@_NETWORK
def compare_cmd(
    files: tuple[Path, ...],
    baseline_path: Path | None,
    year: int | None,
    targets: str,
    out_dir: Path | None,
    no_decompose: bool,
    workers: int | None,
    assume: tuple[str, ...],
    network_path: Path | None,
) -> None:
    """Who gains, how much, from which project: each scenario against the baseline."""
    from network.analysis.compare import FOCUS_CITY, compare, ranking, result_warnings
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
        written = write_outputs(comp, outputs.staging) if outputs is not None else []
    table = ranking(comp).drop(columns="warnings")
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_columns", None):
        click.echo(
            f"Population-weighted door-to-door minutes gained (before − after: positive = closer), "
            f"network as of {comp.as_of}, baseline: {base_sc.name if base_sc else 'the network as it is'}. "
            f"Ranked on {FOCUS_CITY}'s gain of any mode (best, rail or public transport) to the main "
            "targets (rank_main) and to the places each card serves (rank_serves)\n"
        )
        click.echo(table.to_string(index=False))
    shown: set[str] = set()
    for r in comp.results:  # each note once (packages repeat their parts' notes)
        for n in r.report.notes + [f"not applied: {x}" for x in r.report.skipped]:
            if n not in shown:
                shown.add(n)
                click.echo(f"note: {n}")
    _warn(base.warnings)  # forced constants, and the baseline scenario's changes not open
    if outputs is not None:
        click.echo(
            f"\nwrote {len(written)} files and manifest.json into {outputs.target} "
            f"(report: {outputs.target / 'report.md'})"
        )


@main.command(name="export-gtfs")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The feed's folder (written as a whole or not at all; zip it for tools that want a .zip).",
)
@_YEAR
@_ASSUME
@_NETWORK
def export_gtfs(
    scenario_file: Path | None, out_dir: Path, year: int | None, assume: tuple[str, ...], network_path: Path | None
) -> None:
    """The network's (and SCENARIO_FILE's) rail, coach and air services as a GTFS feed: stops,
    routes, one trip per direction with stop times from the run-time model, headways as
    frequencies over 06:00–22:00 (times are modelled, marked timepoint=0)."""
    from network._version import __version__
    from network.graph.gtfs import gtfs_tables, services

    model = _model(year, assume, scenario_file, network_path)
    label = model.scenario.name if model.scenario is not None else "the network as it is"
    runs = services(model.graph)
    with _outputs(out_dir) as outputs:
        assert outputs is not None
        outputs.warnings += model.warnings
        for name, body in gtfs_tables(model.graph, model.as_of, label, __version__, runs).items():
            atomic_write_text(outputs.path(name), body)
    modes = sorted({r["mode"] for r in runs})
    click.echo(
        f"wrote a GTFS feed of {len({r['service_id'] for r in runs})} services ({', '.join(modes)}), "
        f"{len(runs)} trips, network as of {model.as_of} ({label}) into {out_dir}"
    )
    _warn(model.warnings)


def _checked_listing_out(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        _check_writable(value, stream=True)  # before the network is built
    return value


def _LISTING(f: Any) -> Any:  # the output options of the listing commands
    f = click.option(
        "--out",
        "out_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        callback=_checked_listing_out,
        help="write the listing to this file (atomically) instead of the terminal ('-': the terminal)",
    )(f)
    f = click.option(
        "--excel",
        is_flag=True,
        help="CSV for Excel/WPS: UTF-8 with a byte-order mark, so the Chinese names open right (implies --format csv)",
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(LISTING_FORMATS),
        default=None,
        help="table (default: aligned, with notes), csv (one table; a 'table' column where there are several) or json",
    )(f)


def _emit_listing(tables: dict[str, pd.DataFrame], fmt: str | None, excel: bool, out_file: Path | None) -> bool:
    """Write ``tables`` as csv or json (to ``out_file`` or the terminal) and say True, or say
    False for the default table view, which the command prints itself with its notes."""
    fmt = fmt or ("csv" if excel else "table")
    if fmt == "table" and out_file is None:
        return False
    text = listing_text(tables, fmt, excel)
    if out_file is not None:
        where = write_text_or_stdout(out_file, text)
        click.echo(f"wrote {where} ({fmt}{', with a byte-order mark for Excel' if excel else ''})", err=True)
    else:
        click.echo(text, nl=False)
    return True


@main.command()
@_LISTING
def assumptions(fmt: str | None, excel: bool, out_file: Path | None) -> None:
    """List every modelling constant with its value, range and source."""
    rows = describe_assumptions(Assumptions())
    if _emit_listing({"assumptions": pd.DataFrame(rows)}, fmt, excel, out_file):
        return
    for row in rows:
        click.echo(f"{row['name']} = {row['value']}  [{row['low']}–{row['high']}]\n    {row['source']}")


@main.command(name="validate-times")
@click.argument("figures", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write validation.csv, validation_summary.csv and validation.png here.",
)
@_ASSUME
@_NETWORK
def validate_times(figures: Path, out_dir: Path | None, assume: tuple[str, ...], network_path: Path | None) -> None:
    """Modelled against published figures: each row of FIGURES (CSV: origin, destination, mode,
    year or as_of, measure minutes|km, value, tolerance, source) with the model's value, the error
    and whether it is inside the tolerance; a summary (median absolute error, bias, share inside);
    with --out, the tables and a scatter plot (PNG)."""
    from network.indicators.validation import evaluate_figures, read_figures, summarise_figures
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
    warnings = forced_warnings(assumptions)
    with pd.option_context(
        "display.width", 250, "display.max_columns", None, "display.max_rows", None, "display.max_colwidth", 40
    ):
        click.echo(text.shown(table.drop(columns=["source"])).to_string(index=False))
        click.echo("\nSummary (error = model - published; bias = mean error):")
        click.echo(text.shown(summary).to_string(index=False))
    _warn(warnings, [table, summary])
    if outputs is not None:
        from network.io import atomic_write_bytes

        with outputs:
            outputs.warnings += warnings
            atomic_write_text(outputs.path("validation.csv"), csv_text(table.assign(warnings="; ".join(warnings))))
            atomic_write_text(
                outputs.path("validation_summary.csv"), csv_text(summary.assign(warnings="; ".join(warnings)))
            )
            atomic_write_bytes(outputs.path("validation.png"), validation_png(table, warnings))
        click.echo(f"wrote {outputs.target}/validation.csv, validation_summary.csv, validation.png, manifest.json")


@main.command()
@_YEAR
@_NETWORK
@_LISTING
def data(year: int | None, network_path: Path | None, fmt: str | None, excel: bool, out_file: Path | None) -> None:
    """How each named expressway was matched onto the road geometry, and how each rail section
    is drawn (along the OSM railway or straight; running times use km posts either way). For a
    built network: its source and how each rail section was measured on the OSM track."""
    model = _model(year, (), network_path=network_path)
    g = model.graph.graph
    built = "network" in g
    from network.graph.timing import rule_summary

    tables = {
        "corridors": pd.DataFrame(g["corridor_matches"]),
        "rail_sections": pd.DataFrame(
            g.get("build_report", {}).get("rail_sections", []) if built else g["rail_matches"]
        ),
        "timing_rules": pd.DataFrame(rule_summary(model.graph)),
    }
    if _emit_listing(tables, fmt, excel, out_file):
        return
    roads, rail = tables["corridors"], tables["rail_sections"]
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_rows", None):
        click.echo(
            "Edge times by rule (network/graph/timing.py: each edge carries its rule and inputs; one "
            "function computes every time from them and the constants):"
        )
        click.echo(tables["timing_rules"].to_string(index=False) + "\n")
        if built:
            meta = g["network"]
            click.echo(
                f"Built from {meta['source']} (extract date {meta['extract_date']}), {meta['licence']}; "
                f"services: {meta['services']}"
            )
            if len(rail):
                click.echo(
                    f"\nRail sections ({(rail['result'] == 'on track').sum()} of {len(rail)} measured on OSM track):"
                )
                click.echo(rail.to_string(index=False))
            click.echo("\nCorridors:")
            click.echo(roads.to_string(index=False))
            return
        matched = int((roads["result"] == "matched").sum())
        click.echo(
            f"Road corridors (data/roads.yaml): {matched} of {len(roads)} matched onto the road geometry by "
            "the map matcher, the rest added as their own links (reason given). matched_km: length of the "
            "owned edges; length_scale: published / matched km, applied to them; max_offset_km: the "
            "largest distance of a waypoint from its matched point; speed_kph: free-flow speed outside "
            "built-up areas; open_on_date: in this network (a new alignment is absent before it opens)."
        )
        click.echo(roads.drop(columns=["road_class"]).to_string(index=False))
        click.echo(
            f"\nRail sections ({(rail['result'] == 'follows railway').sum()} of {len(rail)} "
            "follow the railway geometry of data/geometry; the rest are drawn straight):"
        )
        click.echo(rail.to_string(index=False))


@main.command()
@_NETWORK
@_LISTING
def places(network_path: Path | None, fmt: str | None, excel: bool, out_file: Path | None) -> None:
    """List the places (Chinese and English names) with population and position source."""
    model = _model(None, (), network_path=network_path)
    if _emit_listing({"places": model.places(("county", "district", "city", "external"))}, fmt, excel, out_file):
        return
    with pd.option_context("display.max_rows", None, "display.width", 200):
        click.echo(model.places(("county", "district", "city", "external")).to_string(index=False))


def _bbox_arg(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        w, so, e, n = (float(x) for x in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected W,S,E,N in degrees, e.g. 111.9,35.2,113.7,36.0") from None
    if not (-180 <= w < e <= 180 and -90 <= so < n <= 90):
        raise click.BadParameter(f"{text!r}: expected W,S,E,N with W < E and S < N (lon first)")
    return (w, so, e, n)


@main.command()
@click.option(
    "--osm-file",
    "osm_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read this OpenStreetMap extract (.osm, .osm.bz2 or .osm.pbf) instead of downloading.",
)
@click.option(
    "--place",
    "places",
    multiple=True,
    help="Download this area (a name Nominatim knows, e.g. 晋城市); repeatable. Needs the internet.",
)
@click.option(
    "--bbox",
    "bbox_text",
    default=None,
    metavar="W,S,E,N",
    help="Download this box, or with --osm-file keep only what lies in it.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/network.gpkg"),
    show_default=True,
    help="The network file to write (.gpkg).",
)
@click.option(
    "--services",
    "services_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Which trains run (see data/services_example.yaml); default: the embedded lines where the "
    "data covers the embedded region, else none.",
)
@click.option(
    "--places",
    "places_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Places CSV (place_id, name, population, lon, lat [, crs]); default: the embedded places.",
)
@click.option(
    "--road-classes",
    default=",".join(DEFAULT_ROAD_CLASSES),
    show_default=True,
    help="OSM highway classes to keep (each needs a default speed).",
)
@click.option(
    "--speeds",
    "speeds_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default speeds by class (CSV like data/osm_road_speeds.csv).",
)
@click.option(
    "--gmns",
    "gmns_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Build from a GMNS network folder (node.csv, link.csv, config.csv with units) as given: "
    "lengths and free speeds are the file's, nothing recomputed; places optional (--places).",
)
@click.option(
    "--gmns-units",
    default=None,
    metavar="LENGTH,SPEED",
    help="Units of the GMNS length and free_speed when the folder has no config.csv, e.g. km,kph or mi,mph.",
)
@_ASSUME
def build(
    osm_file: Path | None,
    places: tuple[str, ...],
    bbox_text: str | None,
    out_path: Path,
    services_path: Path | None,
    places_path: Path | None,
    road_classes: str,
    speeds_path: Path | None,
    gmns_dir: Path | None,
    gmns_units: str | None,
    assume: tuple[str, ...],
) -> None:
    """Build a full-detail network from OpenStreetMap (or a GMNS folder) and save it for --network."""
    import time

    from network.graph.netfile import write_network
    from network.graph.osm import build_osm_network
    from network.sources.osm import download_osm, read_osm_file

    t0 = time.perf_counter()
    _check_writable(out_path)  # before a long build, not after it
    assumptions = _assumptions(assume)
    if gmns_dir is not None:
        if osm_file is not None or places or bbox_text or services_path:
            raise click.UsageError(
                "--gmns builds from the GMNS folder alone: leave out --osm-file, --place, --bbox and --services"
            )
        from network.graph.gmns import build_gmns_network

        units = None
        if gmns_units is not None:
            parts = [x.strip() for x in gmns_units.split(",")]
            if len(parts) != 2:
                raise click.BadParameter(
                    f"{gmns_units!r}: expected LENGTH,SPEED such as km,kph", param_hint="--gmns-units"
                )
            units = (parts[0], parts[1])
        gnet = build_gmns_network(gmns_dir, assumptions, places_path, units)
        write_network(gnet, out_path)
        rep = gnet.report
        _warn(rep["warnings"])
        click.echo(
            f"source: {gnet.meta['source']} ({rep['gmns_links']:,} links as {rep['road_edges']:,} directed edges, "
            f"{rep['road_nodes']:,} nodes; length in {rep['units']['length']}, free speed in {rep['units']['speed']}, "
            f"as given); places: {rep['places']}"
        )
        click.echo(f"wrote {out_path} in {time.perf_counter() - t0:.1f} s; use it with --network {out_path}")
        return
    bbox = _bbox_arg(bbox_text)
    classes = tuple(c.strip() for c in road_classes.split(",") if c.strip())
    if osm_file is not None and places:
        raise click.UsageError("give either --osm-file or --place, not both")
    progress = sys.stderr.isatty()
    if osm_file is not None:
        extract = read_osm_file(osm_file, classes, bbox=bbox, progress=progress)
    else:
        extract = download_osm(list(places), bbox, classes)
    net = build_osm_network(extract, assumptions, services_path, places_path, speeds_path, progress)
    write_network(net, out_path)
    rep = net.report
    _warn(rep["warnings"])
    click.echo(f"source: {extract.source} (extract date {extract.extract_date}); © OpenStreetMap contributors, ODbL")
    click.echo(
        f"roads: {rep['road_nodes']:,} nodes, {rep['road_edges']:,} directed edges; "
        f"{rep['road_speed_from_maxspeed_share']:.0%} with a maxspeed tag, the rest at China defaults"
    )
    click.echo("  by class: " + ", ".join(f"{k} {v:,}" for k, v in rep["road_edges_by_class"].items() if v))
    click.echo(
        f"rail: {rep['rail_edges']:,} track edges, {rep['highspeed_track_km']:,} km high-speed, "
        f"{rep['freight_only_track_km']:,} km freight-only; {rep['stations']} stations"
    )
    on_track = sum(1 for r in rep["rail_sections"] if r["result"] == "on track")
    click.echo(
        f"services: {rep['services_source']}; {on_track} of {len(rep['rail_sections'])} sections measured "
        "on OSM track, the rest straight x new_rail_circuity"
    )
    click.echo(
        f"airports: {rep['airports']} with IATA codes ({rep['aerodromes_without_iata']} aerodromes without "
        f"one left out); places: {rep['places']}; corridors: {rep['corridors']}"
    )
    click.echo(f"wrote {out_path} in {time.perf_counter() - t0:.1f} s; use it with --network {out_path}")


@main.command()
@click.option("--mode", type=click.Choice(["best", "road", "rail", "transit"]), default="best", show_default=True)
@click.option(
    "--engine",
    type=click.Choice(["scipy", "cch"]),
    default="scipy",
    show_default=True,
    help="scipy: exact Dijkstra; cch: contraction hierarchy for large matrices (road and best; "
    "pip install 'taihang[cch]'; times exact to 0.0001 min per edge).",
)
@click.option("--origins", default=None, help="Comma-separated origin places (default: every county-level place).")
@click.option("--destinations", default=None, help="Comma-separated destinations (default: every county-level place).")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the long table: .csv, or .parquet (needs pyarrow: pip install 'taihang[parquet]'); "
    "or the square matrix as .omx (OpenMatrix, needs openmatrix: pip install 'taihang[omx]').",
)
@_YEAR
@_ASSUME
@_SCENARIO
@_NETWORK
def matrix(
    mode: str,
    engine: str,
    origins: str | None,
    destinations: str | None,
    out_path: Path | None,
    year: int | None,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """Door-to-door minutes between places (origin x destination) as a long table."""
    import time

    from network.io import atomic_write_bytes

    to_stdout = str(out_path) == "-"  # CSV to standard output; the summary goes to stderr
    if out_path is not None and not to_stdout:
        if out_path.suffix.lower() not in (".csv", ".parquet", ".omx"):
            raise click.BadParameter(f"{out_path}: give a .csv, .parquet or .omx file, or -", param_hint="--out")
        if out_path.suffix.lower() == ".omx":
            try:
                import openmatrix  # noqa: F401
            except ImportError:
                raise click.UsageError(
                    "--out .omx needs openmatrix: pip install 'taihang[omx]', or write .csv or .parquet"
                ) from None
            if (origins or destinations) and origins != destinations:
                raise click.UsageError(
                    "an OpenMatrix file is square (one zone list for rows and columns): give the same "
                    "--origins and --destinations, or write .csv or .parquet"
                )
        if out_path.suffix.lower() == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise click.UsageError(
                    "--out .parquet needs pyarrow: pip install 'taihang[parquet]', or write .csv"
                ) from None
        _check_writable(out_path)
    model = _model(year, assume, scenario_path, network_path)
    t0 = time.perf_counter()
    table = model.matrix(
        _targets(origins) if origins else None, _targets(destinations) if destinations else None, mode, engine
    ).assign(warnings="; ".join(model.warnings))
    secs = time.perf_counter() - t0
    reached = np.isfinite(table["minutes"].to_numpy(dtype=float))
    click.echo(
        f"{table['origin'].nunique()} x {table['destination'].nunique()} places by {mode}, network as of "
        f"{model.as_of}: {int(reached.sum()):,} of {len(table):,} pairs reachable, median "
        f"{float(np.median(table['minutes'][reached])) if reached.any() else float('nan'):.0f} min ({secs:.2f} s)",
        err=to_stdout,
    )
    if to_stdout:
        write_text_or_stdout("-", csv_text(table))
        _warn_to_stderr(model.warnings)
        return
    if out_path is not None:
        if out_path.suffix.lower() == ".omx":
            from network.tables import write_omx

            write_omx(out_path, table, {"mode": mode, "as_of": model.as_of, "warnings": model.warnings})
        elif out_path.suffix.lower() == ".parquet":
            import io as _io

            buf = _io.BytesIO()  # unreachable as null, as in CSV and JSON
            table.assign(minutes=table["minutes"].replace([np.inf, -np.inf], np.nan)).to_parquet(buf, index=False)
            atomic_write_bytes(out_path, buf.getvalue())
        else:
            atomic_write_text(out_path, csv_text(table))
        click.echo(f"wrote {out_path}")
    else:
        with pd.option_context("display.max_rows", 20, "display.width", 200):
            click.echo(text.shown(table.drop(columns="warnings")).to_string(index=False, max_rows=20))
    _warn(model.warnings, [table])


@main.command()
@click.argument("place")
@click.option("--minutes", default="30,60,90,120,180", show_default=True, help="Thresholds, comma-separated.")
@click.option(
    "--mode",
    type=click.Choice(["best", "road", "rail", "transit"]),
    default="best",
    show_default=True,
    help="Which modes a trip may use (rail/transit allow road access; they do not force a train).",
)
@click.option("--towards", is_flag=True, help="Times towards PLACE (everywhere within T of it) instead of from it.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the polygons: .geojson or .gpkg.",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a folium map (.html).",
)
@_YEAR
@_ASSUME
@_SCENARIO
@_NETWORK
def isochrone(
    place: str,
    minutes: str,
    mode: str,
    towards: bool,
    out_path: Path | None,
    map_path: Path | None,
    year: int | None,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """Areas within each time of PLACE (a place, station, airport or lon,lat), from network times."""
    from network.io import atomic_write_gpkg
    from network.isochrones import isochrones
    from network.viz.maps import isochrone_map, map_html

    to_stdout = str(out_path) == "-"  # GeoJSON to standard output; the table goes to stderr
    if out_path is not None and not to_stdout:
        if out_path.suffix.lower() not in (".gpkg", ".geojson", ".json"):
            raise click.BadParameter(f"{out_path}: give a .geojson or .gpkg file, or -", param_hint="--out")
        _check_writable(out_path)
    if map_path is not None:
        _check_writable(map_path)
    thresholds = _thresholds(minutes)
    model = _model(year, assume, scenario_path, network_path)
    gdf = isochrones(model, place, thresholds, mode=mode, direction="towards" if towards else "from")
    click.echo(
        f"Isochrones {'towards' if towards else 'from'} {gdf['place'].iloc[0]} ({mode}), network as of "
        f"{model.as_of}{' with ' + model.scenario.name if model.scenario is not None else ''}:",
        err=to_stdout,
    )
    click.echo(gdf.drop(columns="geometry").to_string(index=False), err=to_stdout)
    gdf = gdf.assign(warnings="; ".join(model.warnings))  # in every file written
    if to_stdout:
        write_text_or_stdout("-", gdf.to_json(drop_id=True, ensure_ascii=False) + "\n")
        out_path = None
    if out_path is not None:
        if out_path.suffix.lower() == ".gpkg":
            atomic_write_gpkg(out_path, [("isochrones", gdf)], model.as_of)
        elif out_path.suffix.lower() in (".geojson", ".json"):
            atomic_write_text(out_path, gdf.to_json(drop_id=True, ensure_ascii=False) + "\n")
        else:
            raise click.BadParameter(f"{out_path}: give a .geojson or .gpkg file", param_hint="--out")
        click.echo(f"wrote {out_path}")
    if map_path is not None:
        atomic_write_text(map_path, map_html(isochrone_map(gdf, model.graph, model.warnings)))
        click.echo(f"wrote {map_path}", err=to_stdout)
    (_warn_to_stderr if to_stdout else _warn)(model.warnings)
    click.echo(
        "Approximate: polygons join the network nodes reached in time with discs of the time left at the "
        "urban access speed (at most 5 km): see network/isochrones.py.",
        err=to_stdout,
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--draws",
    type=click.IntRange(0, 100_000),
    default=0,
    show_default=True,
    help="Sample every assumption with a range this many times: p10/p50/p90 and the share of draws "
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
                click.echo(text.check_text(res), nl=False)
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


if __name__ == "__main__":
    main()
