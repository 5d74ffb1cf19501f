"""Commands that ask the network: score, route, map, matrix, isochrone."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from network.cli import (
    _ASSUME,
    _NETWORK,
    _SCENARIO,
    _THRESHOLDS,
    _WIDE,
    _YEAR,
    _check_writable,
    _model,
    _outputs,
    _targets,
    _thresholds,
    _warn,
    _warn_to_stderr,
    main,
    mode_option,
)
from network.indicators.score import equity_of_scores
from network.io import atomic_write_text, write_text_or_stdout
from network.sources.default import DEFAULT_TARGETS
from network.tables import csv_text, dumps_json, paragraph, table_text
from network.viz import text


@main.command()
@_YEAR
@click.option(
    "--targets",
    default=",".join(DEFAULT_TARGETS),
    show_default=True,
    help="Comma-separated target places (Chinese or English names).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@_WIDE
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write scores.csv, summary.csv, equity.csv (who is outside each threshold, by region, prefecture "
    "and county), scores.json, accessibility.csv (potential and "
    "cumulative accessibility of every place to the population of all places) and indicators.csv (economic "
    "potential and daily accessibility by population and GDP, trains-weighted rail potential) into this folder.",
)
@_THRESHOLDS
@_ASSUME
@_SCENARIO
@_NETWORK
def score(
    year: int | None,
    targets: str,
    fmt: str,
    wide: bool,
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
            from network.analysis.indicators import literature_indicators

            atomic_write_text(
                outputs.path("indicators.csv"), csv_text(text.stamped(literature_indicators(model), model))
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
        click.echo(text.score_text(model, per_place, summary, equity, wide=wide), nl=False)


@main.command()
@click.argument("origin")
@click.argument("destination")
@mode_option()
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
    from network.analysis.compare import new_links
    from network.analysis.nearest import nearest_facilities

    scenario = model.scenario.name if model.scenario is not None else None
    links = new_links(model.network, model.apply_report) if model.apply_report is not None else None
    nearest = nearest_facilities(model, ["hsr_station", "airport", "expressway_entrance"])
    html = map_html(
        build_map(
            model.graph,
            per_place,
            key,
            tiles=tiles,
            warnings=model.warnings,
            scenario=scenario,
            as_of=model.as_of,
            new_links=links,
            nearest=nearest,
        )
    )
    click.echo(f"wrote {write_text_or_stdout(out_path, html)}", err=str(out_path) == "-")
    if str(out_path) != "-":
        _warn(model.warnings)


@main.command()
@mode_option()
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
@_WIDE
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
    wide: bool,
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
    self_pair = (table["origin"] == table["destination"]).to_numpy()
    square = table.assign(minutes=np.where(self_pair, 0.0, table["minutes"]))  # OMX: a place to itself is 0
    table = table[~self_pair].reset_index(drop=True)  # a long table: every place to every *other*
    reached = np.isfinite(table["minutes"].to_numpy(dtype=float))
    median = f"median {float(np.median(table['minutes'][reached])):.0f} min" if reached.any() else "none reachable"
    click.echo(
        paragraph(
            f"{square['origin'].nunique()} x {square['destination'].nunique()} places by {mode}, network as of "
            f"{model.as_of}: {int(reached.sum()):,} of {len(table):,} pairs reachable, {median} ({secs:.2f} s)"
            + ("; a place's time to itself is left out (0 on the diagonal of an .omx file)" if self_pair.any() else "")
        ),
        err=to_stdout,
        nl=False,
    )
    if to_stdout:
        write_text_or_stdout("-", csv_text(table))
        _warn_to_stderr(model.warnings)
        return
    if out_path is not None:
        if out_path.suffix.lower() == ".omx":
            from network.tables import write_omx

            write_omx(out_path, square, {"mode": mode, "as_of": model.as_of, "warnings": model.warnings})
        elif out_path.suffix.lower() == ".parquet":
            import io as _io

            buf = _io.BytesIO()  # unreachable as null, as in CSV and JSON
            table.assign(minutes=table["minutes"].replace([np.inf, -np.inf], np.nan)).to_parquet(buf, index=False)
            atomic_write_bytes(out_path, buf.getvalue())
        else:
            atomic_write_text(out_path, csv_text(table))
        click.echo(f"wrote {out_path}")
    else:
        shown_rows = table.drop(columns="warnings")
        if len(shown_rows) > 40:
            click.echo(f"the first 40 of {len(shown_rows)} rows (--out FILE for all of them):")
            shown_rows = shown_rows.head(40)
        narrow = ["origin_zh", "destination_zh", "mode", "minutes"]
        click.echo(table_text(shown_rows, narrow=narrow, wide=wide), nl=False)
    _warn(model.warnings, [table])


@main.command()
@click.argument("place")
@click.option("--minutes", default="30,60,90,120,180", show_default=True, help="Thresholds, comma-separated.")
@mode_option()
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
    click.echo(table_text(gdf.drop(columns="geometry")), err=to_stdout, nl=False)
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
        paragraph(
            "Approximate: polygons join the network nodes reached in time with discs of the time left at the "
            "urban access speed (at most 5 km): see network/isochrones.py."
        ),
        err=to_stdout,
        nl=False,
    )


@main.command()
@click.argument("scenario_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--centre", default="晋城", show_default=True, help="The place the map is centred on (its minutes are 0)."
)
@mode_option("rail")
@click.option("--towards", is_flag=True, help="Minutes from each place to the centre (default: from the centre).")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PNG to write: the network as it is, then each scenario, side by side.",
)
@_YEAR
@_ASSUME
@_NETWORK
def timespace(
    scenario_files: tuple[Path, ...],
    centre: str,
    mode: str,
    towards: bool,
    out_path: Path,
    year: int | None,
    assume: tuple[str, ...],
    network_path: Path | None,
) -> None:
    """A time-space map: every place along its bearing from the centre at the distance its minutes
    cover at one reference speed, with 60/90/120-minute rings; the network as it is, then with each
    SCENARIO_FILE, side by side (the same scale, so a place that moves inward got closer)."""
    import pandas as pd

    from network.io import atomic_write_bytes
    from network.model import default_year
    from network.scenario.load import load_scenario
    from network.viz.timespace import RINGS_MIN, reference_speed_kph, timespace_frame, timespace_png

    if out_path.suffix.lower() != ".png":
        raise click.BadParameter(f"{out_path}: give a .png file", param_hint="--out")
    _check_writable(out_path)
    scenarios = [load_scenario(f) for f in scenario_files]
    if year is None and scenarios:
        year = default_year(scenarios)
    base = _model(year, assume, None, network_path)
    panels = [(f"the network as it is ({base.as_of})", timespace_frame(base, centre, mode, towards))]
    warnings = list(base.warnings)
    for sc in scenarios:
        model = base.with_scenario(sc)
        warnings += [w for w in model.warnings if w not in warnings]
        panels.append((f"with {sc.name} ({model.as_of})", timespace_frame(model, centre, mode, towards)))
    v = reference_speed_kph(panels[0][1])
    label = base.resolve(centre).label
    atomic_write_bytes(out_path, timespace_png(panels, label, mode, v, warnings=warnings, towards=towards))
    rows = pd.DataFrame(
        [
            {
                "network": title.split(" (")[0],
                **{f"within_{r}": int((f["minutes"] <= r).sum()) for r in RINGS_MIN[:3]},
                "places": len(f),
            }
            for title, f in panels
        ]
    )
    click.echo(
        paragraph(
            f"Time-space map from {label} by {mode} (reference speed {v:.0f} km/h, the median straight-line speed "
            f"of the network as it is): places within each ring"
        )
        + "\n"
        + table_text(rows, labels={f"within_{r}": f"≤{r} min" for r in RINGS_MIN[:3]}),
        nl=False,
    )
    click.echo(f"wrote {out_path}")
    _warn(warnings)
