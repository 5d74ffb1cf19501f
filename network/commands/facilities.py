"""Commands about facilities: nearest (minutes to the nearest station, airport and expressway entrance)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from network.cli import _ASSUME, _NETWORK, _SCENARIO, _WIDE, _YEAR, _model, _outputs, _warn, main
from network.io import atomic_write_text
from network.tables import csv_text, dumps_json, paragraph, table_text
from network.viz import text


def _kinds(value: str) -> list[str]:
    from network.analysis.nearest import FACILITY_KINDS

    kinds = [k.strip() for k in value.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FACILITY_KINDS]
    if bad or not kinds:
        raise click.BadParameter(
            f"{', '.join(bad) or 'nothing given'}: give one or more of {', '.join(FACILITY_KINDS)}, comma-separated",
            param_hint="--facilities",
        )
    return kinds


def _wide_table(long: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """One row per place: minutes to the nearest facility of each kind, and the nearest station."""
    first = long[long["rank"] == 1]
    out = first.drop_duplicates("place_id")[["place_id", "name_zh", "city_zh", "population_2020"]].set_index("place_id")
    for kind in kinds:
        sub = first[first["facility"] == kind].set_index("place_id")
        out[f"{kind}_min"] = sub["minutes"]
        out[f"{kind}_name"] = sub["facility_name"]
    return out.reset_index().sort_values(["city_zh", "place_id"], kind="stable").reset_index(drop=True)


@main.command()
@click.option(
    "--facilities",
    default="hsr_station,rail_station,airport,expressway_entrance",
    show_default=True,
    help="Kinds of facility, comma-separated.",
)
@click.option(
    "--n", "n", type=click.IntRange(1, 10), default=1, show_default=True, help="Also the 2nd ... n-th nearest."
)
@click.option("--city", default=None, help="Only the places of this prefecture (e.g. 晋城).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write nearest.csv (one row per place, facility kind and rank) and nearest_groups.csv (who is left "
    "far: per prefecture, terrain and size class) into this folder.",
)
@_YEAR
@_WIDE
@_ASSUME
@_SCENARIO
@_NETWORK
def nearest(
    facilities: str,
    n: int,
    city: str | None,
    fmt: str,
    out_dir: Path | None,
    year: int | None,
    wide: bool,
    assume: tuple[str, ...],
    scenario_path: Path | None,
    network_path: Path | None,
) -> None:
    """Road minutes from every county-level place to its nearest HSR station, station with passenger
    trains, airport with scheduled flights and expressway entrance (door to the facility's street side;
    no processing or wait), and who is left far from them."""
    from network.analysis.nearest import (
        FACILITY_WORDS,
        OUTSIDE_NOTE,
        nearest_by_group,
        nearest_facilities,
        place_groups,
    )

    kinds = _kinds(facilities)
    with _outputs(out_dir) as outputs:
        model = _model(year, assume, scenario_path, network_path)
        long = nearest_facilities(model, kinds, n=n)
        if city is not None:
            known = sorted(set(long["city_zh"]))
            if city not in known:
                raise click.BadParameter(
                    f"{city!r} is no prefecture of this network's places; one of {', '.join(known)}"
                )
            long = long[long["city_zh"] == city].reset_index(drop=True)
        groups = nearest_by_group(long, place_groups(model))
        if outputs is not None:
            outputs.warnings += model.warnings
            atomic_write_text(outputs.path("nearest.csv"), csv_text(text.stamped(long, model)))
            atomic_write_text(outputs.path("nearest_groups.csv"), csv_text(text.stamped(groups, model)))
    if fmt == "csv":
        click.echo(csv_text(text.stamped(long, model)), nl=False)
        return
    if fmt == "json":
        payload = {
            "as_of": model.as_of,
            "scenario": model.scenario.name if model.scenario is not None else None,
            "minutes": "by road, door to the facility's street side; no station processing, check-in or wait",
            "nearest": long.replace([np.inf], np.nan).to_dict(orient="records"),
            "groups": groups.replace([np.inf], np.nan).to_dict(orient="records"),
            "warnings": model.warnings,
        }
        click.echo(dumps_json(payload, indent=1))
        return
    click.echo(
        paragraph(
            f"Road minutes to the nearest facility, door to its street side (no station processing, check-in or "
            f"wait), network as of {model.as_of}"
            + (f", scenario {model.scenario.name}" if model.scenario is not None else "")
        )
    )
    table = _wide_table(long, kinds)
    labels = {"name_zh": "place", "city_zh": "city", "population_2020": "pop\n2020"}
    short = {"hsr_station": "HSR", "rail_station": "any train", "airport": "airport", "expressway_entrance": "expwy"}
    labels |= {f"{k}_min": f"{short[k]}\nmin" for k in kinds}
    labels |= {f"{k}_name": f"nearest\n{short[k]}" for k in kinds}
    narrow = ["name_zh", "city_zh", "population_2020", *[f"{k}_min" for k in kinds]]
    narrow += [f"{k}_name" for k in kinds if k == "hsr_station"]
    click.echo(table_text(table, narrow=narrow, wide=wide, labels=labels), nl=False)
    click.echo(
        f"\nWho is left far ({'the places of ' + city if city else 'every place'}; --out for each prefecture, "
        "terrain and size class):"
    )
    every = groups[(groups["grouping"] == "prefecture") & (groups["group"] == "all")].set_index("facility")
    for row in every.loc[kinds].reset_index().itertuples(index=False):
        click.echo(
            paragraph(
                f"{FACILITY_WORDS[row.facility]}: population-weighted {row.weighted_mean_min:.1f} min; "
                f"{row.population_beyond_30_min:,} people in {row.places_beyond_30_min} places beyond 30 min, "
                f"{row.population_beyond_60_min:,} in {row.places_beyond_60_min} beyond 60; farthest "
                f"{row.farthest_place} ({row.farthest_min:.0f} min)"
            ),
            nl=False,
        )
    counted = [str(long.loc[long["facility"] == k, "note"].iloc[0]).split(";")[0] for k in kinds]
    click.echo(
        paragraph(f"note: counted: {'; '.join(counted)}. {OUTSIDE_NOTE[0].upper()}{OUTSIDE_NOTE[1:]}."), nl=False
    )
    _warn(model.warnings, [table])
