"""Text for terminals and notebooks: the tables and reports the CLI prints, as strings.

``print(score_text(model, *model.score()))`` in a notebook gives what ``taihang score`` prints; the
CLI only echoes these. Unreachable times show as — with the reason under the table
(:data:`~network.io.UNREACHABLE_NOTE`), and every run's warnings are printed with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from network._version import __version__
from network.assumptions import describe_assumptions
from network.indicators.equity import EQUITY_NOTE
from network.model import Model
from network.tables import UNREACHABLE_NOTE, paragraph, table_text


def stamped(df: pd.DataFrame, model: Model) -> pd.DataFrame:
    """``df`` with the run's caveats on every row, so no file of it can be read without them:
    the scenario, how many of its changes are not open on the date, and the warnings."""
    skipped = model.apply_report.skipped if model.apply_report is not None else []
    return df.assign(
        scenario=model.scenario.name if model.scenario is not None else "",
        changes_not_open=len(skipped),
        warnings="; ".join(model.warnings),
    )


def warnings_text(warnings: Sequence[str], frames: Sequence[pd.DataFrame] = ()) -> str:
    """The run's warnings for under a table, and what an unreachable cell means if one is shown,
    wrapped to the terminal."""
    out = []
    if any(np.isinf(f.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)).any() for f in frames):
        out.append("\n" + paragraph(f"—: {UNREACHABLE_NOTE}"))
    out += [paragraph(f"warning: {w}") for w in warnings]
    return "".join(out)


def shown(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` for a terminal table: an unreachable (infinite) time is shown as —."""
    return df.astype(object).where(~df.isin([np.inf, -np.inf]), "—")


def score_payload(
    model: Model, per_place: pd.DataFrame, summary: pd.DataFrame, equity: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The score as JSON-ready data (``scores.json``): version, date, note, warnings, scenario,
    constants, per-place rows and the summary."""
    clean = per_place.astype(object).where(per_place.notna(), None)
    scenario = None
    if model.scenario is not None and model.apply_report is not None:
        scenario = {
            "name": model.scenario.name,
            "files_sha256": model.scenario.files,
            "not_applied": model.apply_report.skipped,
            "notes": model.apply_report.notes,
        }
    return {
        "tool": "taihang",
        "version": __version__,
        "as_of": model.as_of,
        "note": model.approximation_note,
        "warnings": model.warnings,
        "unreachable": UNREACHABLE_NOTE,
        "scenario": scenario,
        "assumptions": {r["name"]: r["value"] for r in describe_assumptions(model.assumptions)},
        "places": clean.to_dict(orient="records"),
        "summary": summary.to_dict(orient="records"),
        **({"equity": equity.to_dict(orient="records"), "equity_note": EQUITY_NOTE} if equity is not None else {}),
    }


def _without_repeated_transit(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary without its transit rows where they equal the rail rows (no coach or air
    service makes a difference), as the per-place table leaves out such transit columns."""
    stats = [c for c in summary.columns if c not in ("target", "mode")]
    keep = []
    for _, row in summary.iterrows():
        rail = summary[(summary["target"] == row["target"]) & (summary["mode"] == "rail")]
        keep.append(
            not (row["mode"] == "transit" and not rail.empty and rail[stats].iloc[0].tolist() == row[stats].tolist())
        )
    return summary[keep]


def equity_text(equity: pd.DataFrame, mode: str = "best", where: str = "", names: dict[str, str] | None = None) -> str:
    """The region rows of an equity table for one mode, as text (prefectures and counties are in
    the files); ``names`` gives the targets' Chinese names."""
    rows = equity[(equity["mode"] == mode) & (equity["level"] == "region")]
    if rows.empty:
        return ""
    rows = rows.assign(target=[(names or {}).get(t, t) for t in rows["target"]])
    cols = [c for c in rows.columns if c not in ("mode", "level", "group", "places")]
    narrow = ["target", "threshold_min", "share_outside", "population_outside", "mean_excess_min", "worst_excess_min"]
    labels = {
        "threshold_min": "within\nmin",
        "share_outside": "share\noutside",
        "population_outside": "people\noutside",
        "mean_excess_min": "mean min\nover",
        "worst_excess_min": "worst min\nover",
        "target": "\ntarget",
    }
    return (
        "\n"
        + paragraph(
            f"Who is outside each threshold, {mode} mode, all places{where} (by prefecture and county, and for "
            "every mode: --out equity.csv, --format json)"
        )
        + "\n"
        + table_text(rows[cols], narrow=narrow, labels=labels)
        + "\n"
        + paragraph(EQUITY_NOTE)
    )


def target_names(model: Model, ids: Sequence[str]) -> dict[str, str]:
    """The Chinese name of each target place id (the id where the network has no such place)."""
    frame = model.places(("county", "district", "city", "external"))
    names = dict(zip(frame["place_id"], frame["name_zh"]))
    return {t: str(names.get(t, t)) for t in ids}


def score_text(
    model: Model,
    per_place: pd.DataFrame,
    summary: pd.DataFrame,
    equity: pd.DataFrame | None = None,
    wide: bool = False,
) -> str:
    """The score tables as text: minutes per place and target, the population-weighted summary,
    the warnings and the approximation note (what ``taihang score`` prints). The narrow view has
    each place's road, rail and best minutes and best mode per target; ``wide`` every column."""
    out: list[str] = []
    targets = list(dict.fromkeys(summary["target"]))
    zh = target_names(model, targets)
    cols = ["name_zh", "name_en", "city_zh", "population_2020"]
    narrow = ["name_zh", "city_zh", "population_2020"]
    labels = {"name_zh": "\nplace", "name_en": "\nname", "city_zh": "\ncity", "population_2020": "pop\n2020"}
    for t in targets:
        cols += [f"{t}_road_min", f"{t}_rail_min"]
        if not per_place[f"{t}_transit_min"].equals(per_place[f"{t}_rail_min"]):
            cols.append(f"{t}_transit_min")  # only where coach or air services make a difference
        cols += [f"{t}_best_min", f"{t}_best_mode"]
        narrow += [f"{t}_road_min", f"{t}_rail_min", f"{t}_best_min", f"{t}_best_mode"]
        for m in ("road", "rail", "transit", "best"):
            labels[f"{t}_{m}_min"] = f"{zh[t]}\n{m}"  # two header lines: target over mode
        labels[f"{t}_best_mode"] = "\nby"
    out.append(f"Door-to-door minutes, network as of {model.as_of}\n\n")
    out.append(table_text(per_place[cols], narrow=narrow, wide=wide, labels=labels))
    out.append(
        "\nPopulation-weighted summary (population counts within each threshold: --format csv/json or --out)\n\n"
    )
    compact = _without_repeated_transit(summary).drop(
        columns=[c for c in summary.columns if c.startswith("population_")]
    )
    compact = compact.assign(target=[zh.get(t, t) for t in compact["target"]])
    slabels = {
        c: c.replace("weighted_mean_min", "mean min")
        .replace("unreachable_places", "unreachable")
        .replace("share_within_", "≤")
        .replace("_min", "")
        .replace("_", " ")
        for c in compact.columns
    }
    snarrow = ["target", "mode", "weighted_mean_min", *[c for c in compact.columns if c.startswith("share_within_")]]
    out.append(table_text(compact, narrow=snarrow, wide=wide, labels=slabels))
    if equity is not None:
        out.append(equity_text(equity, names=zh))
    out.append(warnings_text(model.warnings, [per_place[cols], compact]))
    out.append("\n" + paragraph(f"Approximate: {model.approximation_note}"))
    return "".join(out)


def route_text(trip: dict[str, Any]) -> str:
    """A trip (:meth:`network.model.Model.route`) as text: the header, a table of its legs (mode,
    minutes, km, from, to, and the road or line), warnings, note."""
    out = [
        paragraph(
            f"{trip['origin']} → {trip['destination']}  [{trip['mode']}, {trip['measured']}, "
            f"network as of {trip['as_of']}]"
        ),
        f"{trip['minutes']:.0f} min, {trip['km']:.0f} km\n\n",
    ]
    legs = pd.DataFrame(
        [
            {
                "mode": leg["mode"],
                "minutes": float(leg["minutes"]),
                "km": float(leg["km"]),
                "from": leg["from"],
                "to": leg["to"],
                "on": leg.get("line") or leg.get("road") or "",
            }
            for leg in trip["legs"]
        ],
        columns=["mode", "minutes", "km", "from", "to", "on"],
    )
    out.append(table_text(legs, labels={"minutes": "min"}))
    out.append(warnings_text(trip["warnings"]))
    out.append("\n" + paragraph(f"Approximate: {trip['note']}"))
    return "".join(out)


def check_text(res: Any, wide: bool = False) -> str:
    """A claim's check as text: the claim, its reading, the verdicts, the times and legs, the
    uncertainty and the warnings (what ``taihang check`` prints)."""
    spec = res.claim.spec
    out: list[str] = []
    out.append("\n" + paragraph(f"== {spec.name}: {spec.claim}"))
    out.append(paragraph(f"source: {spec.source}"))
    out.append(paragraph(f"read as: {spec.interpretation}"))
    out.append(paragraph("networks: " + ", ".join(f"{k} (as of {v})" for k, v in res.as_of.items())))
    cols = ["network", "reading", "mode", "threshold_min", "verdict", "failing", "max_minutes", "worst_destination"]
    extra = [c for c in ("p10_max_min", "p50_max_min", "p90_max_min", "share_of_draws_holding") if c in res.overall]
    labels = {
        "threshold_min": "within\nmin",
        "failing": "fails\nfor",
        "max_minutes": "longest\nmin",
        "worst_destination": "longest\nto",
        "share_of_draws_holding": "draws\nholding",
        "p10_max_min": "p10",
        "p50_max_min": "p50",
        "p90_max_min": "p90",
    }
    out.append("\nVerdicts:\n\n")
    narrow = [c for c in cols + extra if c not in ("p10_max_min", "p90_max_min")]
    out.append(table_text(res.overall[cols + extra], narrow=narrow, wide=wide, labels=labels))
    per = res.per_destination
    cols = [
        "network",
        "reading",
        "mode",
        "destination",
        "threshold_min",
        "minutes",
        "holds",
        "access",
        "processing",
        "wait",
        "in_vehicle",
        "egress",
        "shows",
        "expected",
        "value",
        "share_within",
        "population_outside",
        "worst_excess_min",
        "detail",
    ]
    cols += ["p10_min", "p50_min", "p90_min", "share_of_draws_within"]
    cols = [c for c in cols if c in per]
    narrow = [
        c
        for c in ("network", "reading", "mode", "destination", "minutes", "holds", "access", "wait", "in_vehicle")
        if c in per
    ]
    out.append(
        "\n"
        + paragraph(
            "Times and legs (minutes; population-weighted rows: weighted means; --wide: processing, egress, "
            "the share of population within the threshold, who is beyond it and by how much; more with "
            "--out <claim>_equity.csv or --json):"
        )
        + "\n"
    )
    out.append(table_text(per[cols], narrow=narrow, wide=wide, labels={"in_vehicle": "in\nvehicle"}))
    if res.uncertainty_note:
        out.append("\n" + paragraph(f"Uncertainty: {res.uncertainty_note} ({res.timing})"))
    out.append(warnings_text(res.warning_lines(), [res.overall, per]))
    return "".join(out)
