"""Commands about data: export-gtfs, examples, the listings (assumptions, data, places) and build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from network.assumptions import Assumptions, describe_assumptions
from network.cli import (
    _ASSUME,
    _NETWORK,
    _WIDE,
    _YEAR,
    _assumptions,
    _check_writable,
    _model,
    _outputs,
    _warn,
    main,
)
from network.io import atomic_write_bytes, atomic_write_text, write_text_or_stdout
from network.sources.osm import DEFAULT_ROAD_CLASSES
from network.tables import LISTING_FORMATS, listing_text, paragraph, table_text


@main.command(name="export-gtfs")
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder for the feed (written as a whole or not at all): DIR/gtfs/ holds the feed's files, "
    "DIR/gtfs.zip the same zipped for tools that read a .zip, DIR/manifest.json what taihang wrote.",
)
@click.option(
    "--contact",
    default=None,
    help="An e-mail address or web address of whoever answers for the feed (feed_info's feed_contact_email "
    "or feed_contact_url).",
)
@_YEAR
@_ASSUME
@_NETWORK
def export_gtfs(
    scenario_file: Path | None,
    out_dir: Path,
    contact: str | None,
    year: int | None,
    assume: tuple[str, ...],
    network_path: Path | None,
) -> None:
    """The network's (and SCENARIO_FILE's) rail, coach and air services as a GTFS feed: stops,
    routes, one trip per direction with stop times from the run-time model, headways as
    frequencies over 06:00–22:00 (times are modelled, marked timepoint=0)."""
    from network._version import __version__
    from network.graph.gtfs import contact_fields, feed_zip, gtfs_tables, services

    contact_fields(contact)  # a malformed contact fails before the network is built
    model = _model(year, assume, scenario_file, network_path)
    label = model.scenario.name if model.scenario is not None else "the network as it is"
    runs = services(model.graph)
    tables = gtfs_tables(model.graph, model.as_of, label, __version__, runs, contact)
    with _outputs(out_dir) as outputs:
        assert outputs is not None
        outputs.warnings += model.warnings
        for name, body in tables.items():
            atomic_write_text(outputs.path(f"gtfs/{name}"), body)
        atomic_write_bytes(outputs.path("gtfs.zip"), feed_zip(tables))
    modes = sorted({r["mode"] for r in runs})
    n_trips = tables["trips.txt"].count("\n") - 1
    n_freq = tables["frequencies.txt"].count("\n") - 1
    click.echo(
        paragraph(
            f"wrote a GTFS feed of {len({r['service_id'] for r in runs})} services ({', '.join(modes)}) in "
            f"{len(runs)} directions: {n_trips} trips ({n_freq} run at a headway through the day, "
            f"{n_trips - n_freq} single "
            f"departures of services a few times a day), network as of {model.as_of} ({label}), into {out_dir}/gtfs "
            f"and {out_dir}/gtfs.zip"
        ),
        nl=False,
    )
    if not contact:
        click.echo("feed_info names no contact: --contact EMAIL|URL adds who answers for the feed")
    _warn(model.warnings)


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new or empty folder (or one taihang wrote): the examples go in as the repository lays them out.",
)
def examples(out_dir: Path) -> None:
    """Copy the worked examples into a folder: the plans' scenario cards (scenarios/), the claims
    (claims/), the published figures the model is checked on (data/validation/) and the notebooks
    (notebooks/), so the docs' commands run from it after pip install taihang."""
    from network.examples import write_examples

    files = write_examples(out_dir)
    counts: dict[str, int] = {}
    for rel in files:
        folder = rel.rsplit("/", 1)[0]
        counts[folder] = counts.get(folder, 0) + 1
    click.echo(
        paragraph(
            f"wrote {len(files)} example files into {out_dir}: "
            + ", ".join(f"{folder}/ ({n})" for folder, n in counts.items())
        ),
        nl=False,
    )
    click.echo(
        paragraph(
            f"Try: cd {out_dir} && taihang check claims/one_hour_circle.yaml, or taihang compare "
            "scenarios/jincheng_plan.yaml scenarios/yangcheng_plan.yaml"
        ),
        nl=False,
    )


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
    f = _WIDE(f)
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
def assumptions(fmt: str | None, wide: bool, excel: bool, out_file: Path | None) -> None:
    """List every modelling constant with its value, range and source."""
    rows = describe_assumptions(Assumptions())
    if _emit_listing({"assumptions": pd.DataFrame(rows)}, fmt, excel, out_file):
        return
    for row in rows:  # a list, not a table: each constant's source is a paragraph, wrapped to the terminal
        click.echo(f"{row['name']} = {row['value']}  [{row['low']}–{row['high']}]")
        click.echo(paragraph(str(row["source"]), width=None if not wide else 10_000, indent="    "), nl=False)


@main.command()
@_YEAR
@_NETWORK
@_LISTING
@click.option(
    "--openings",
    is_flag=True,
    help="Instead: what each dated expressway changed when it opened, the road trip between its ends the "
    "day before and the day it opened, with the route before (builds a network for every opening day: "
    "about a minute and a half).",
)
def data(
    year: int | None,
    network_path: Path | None,
    fmt: str | None,
    wide: bool,
    excel: bool,
    out_file: Path | None,
    openings: bool,
) -> None:
    """How each named expressway was matched onto the road geometry, and how each rail section
    is drawn (along the OSM railway or straight; running times use km posts either way). For a
    built network: its source and how each rail section was measured on the OSM track. With
    --openings: each expressway's before and after."""
    if openings:
        _openings(network_path, fmt, excel, out_file, wide)
        return
    model = _model(year, (), network_path=network_path)
    g = model.graph.graph
    built = "network" in g
    from network.graph.timing_words import rule_summary

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
    rules_narrow = ["rule", "edges", "km", "minutes"]
    roads_narrow = ["corridor_id", "ref", "published_km", "matched_km", "result", "speed_kph", "opened"]
    click.echo(
        paragraph(
            "Edge times by rule (network/graph/timing.py: each edge carries its rule and inputs; one function "
            "computes every time from them and the constants):"
        )
    )
    click.echo(table_text(tables["timing_rules"], narrow=rules_narrow, wide=wide))
    if built:
        meta = g["network"]
        click.echo(
            paragraph(
                f"Built from {meta['source']} (extract date {meta['extract_date']}), {meta['licence']}; "
                f"services: {meta['services']}"
            ),
            nl=False,
        )
        if len(rail):
            click.echo(
                f"\nRail sections ({(rail['result'] == 'on track').sum()} of {len(rail)} measured on OSM track):"
            )
            click.echo(table_text(rail, wide=wide), nl=False)
        click.echo("\nCorridors:")
        click.echo(table_text(roads, narrow=roads_narrow, wide=wide), nl=False)
        return
    matched = int((roads["result"] == "matched").sum())
    click.echo(
        paragraph(
            f"Road corridors (data/roads.yaml): {matched} of {len(roads)} matched onto the road geometry by "
            "the map matcher, the rest added as their own links (--wide: the reason). matched_km: length of the "
            "owned edges; length_scale: published / matched km, applied to them; max_offset_km: the "
            "largest distance of a waypoint from its matched point; speed_kph: free-flow speed outside "
            "built-up areas; open_on_date: in this network (a new alignment is absent before it opens)."
        )
    )
    click.echo(table_text(roads.drop(columns=["road_class"]), narrow=roads_narrow, wide=wide))
    click.echo(
        paragraph(
            f"Rail sections ({(rail['result'] == 'follows railway').sum()} of {len(rail)} "
            "follow the railway geometry of data/geometry; the rest are drawn straight):"
        ),
        nl=False,
    )
    click.echo(table_text(rail, wide=wide), nl=False)


@main.command()
@_NETWORK
@_LISTING
def places(network_path: Path | None, fmt: str | None, wide: bool, excel: bool, out_file: Path | None) -> None:
    """List the places (Chinese and English names) with population and position source."""
    model = _model(None, (), network_path=network_path)
    frame = model.places(("county", "district", "city", "external"))
    if _emit_listing({"places": frame}, fmt, excel, out_file):
        return
    narrow = ["name_zh", "name_en", "place_kind", "city_zh", "population_2020", "source"]
    click.echo(table_text(frame, narrow=narrow, wide=wide), nl=False)


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


def _openings(network_path: Path | None, fmt: str | None, excel: bool, out_file: Path | None, wide: bool) -> None:
    from network.analysis.openings import opening_effects
    from network.model import Model
    from network.sources.default import read_default_data

    if network_path is not None:
        raise click.UsageError("--openings reads the embedded network's dated corridors; drop --network")
    rows = opening_effects(read_default_data().corridors, lambda date: Model.default(as_of=date))
    table = pd.DataFrame(rows)
    if _emit_listing({"openings": table}, fmt, excel, out_file):
        return
    click.echo(
        paragraph(
            "What each dated expressway changed when it opened: the road trip between its ends the day before "
            "and the day it opened (saved = before - after; '(bound)': the latest date a source bounds the "
            "opening by):"
        )
    )
    narrow = [c for c in table.columns if c in ("corridor_id", "ref", "opened", "before_min", "after_min", "saved_min")]
    click.echo(table_text(table.drop(columns=["before_route"]), narrow=narrow or None, wide=wide))
    click.echo("The route before each opening:")
    for r in rows:
        click.echo(paragraph(f"{r['corridor_id']}: {r.get('before_route') or r['note']}", indent="  "), nl=False)
