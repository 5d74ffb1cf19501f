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
from network.tables import UNREACHABLE_NOTE


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
    """The run's warnings for under a table, and what an unreachable cell means if one is shown."""
    out = []
    if any(np.isinf(f.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)).any() for f in frames):
        out.append(f"\n—: {UNREACHABLE_NOTE}")
    out += [f"warning: {w}" for w in warnings]
    return "".join(line + "\n" for line in out)


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


def equity_text(equity: pd.DataFrame, mode: str = "best", where: str = "") -> str:
    """The region and prefecture rows of an equity table for one mode, as text (counties are in
    the files)."""
    rows = equity[(equity["mode"] == mode) & (equity["level"] == "region")]
    if rows.empty:
        return ""
    cols = [c for c in rows.columns if c not in ("mode", "level", "group", "places")]
    show = shown(rows[cols])
    show.columns = [c.replace("_min", " min").replace("threshold", "≤").replace("_", " ") for c in cols]
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_columns", None):
        return (
            f"\nWho is outside each threshold, {mode} mode, all places{where} "
            "(by prefecture and county, and for every mode: --out equity.csv, --format json)\n\n"
            + show.to_string(index=False)
            + f"\n\n{EQUITY_NOTE}\n"
        )


def score_text(model: Model, per_place: pd.DataFrame, summary: pd.DataFrame, equity: pd.DataFrame | None = None) -> str:
    """The score tables as text: minutes per place and target, the population-weighted summary,
    the warnings and the approximation note (what ``taihang score`` prints)."""
    out: list[str] = []
    targets = list(dict.fromkeys(summary["target"]))
    cols = ["name_zh", "name_en", "city_zh", "population_2020"]
    for t in targets:
        cols += [f"{t}_road_min", f"{t}_rail_min"]
        if not per_place[f"{t}_transit_min"].equals(per_place[f"{t}_rail_min"]):
            cols.append(f"{t}_transit_min")  # only where coach or air services make a difference
        cols += [f"{t}_best_min", f"{t}_best_mode"]
    show = shown(per_place[cols])
    show.columns = [c.replace("_min", "").replace("population_2020", "pop 2020") for c in cols]
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_columns", None):
        out.append(f"Door-to-door minutes, network as of {model.as_of}\n\n")
        out.append(show.to_string(index=False) + "\n")
        out.append(
            "\nPopulation-weighted summary (population counts within each threshold: --format csv/json or --out)\n\n"
        )
        compact = _without_repeated_transit(summary).drop(
            columns=[c for c in summary.columns if c.startswith("population_")]
        )
        compact.columns = [
            c.replace("weighted_", "")
            .replace("_places", "")
            .replace("share_within_", "share≤")
            .replace("_min", " min")
            .replace("_", " ")
            for c in compact.columns
        ]
        out.append(shown(compact).to_string(index=False) + "\n")
    if equity is not None:
        out.append(equity_text(equity))
    out.append(warnings_text(model.warnings, [per_place[cols], compact]))
    out.append(f"\nApproximate: {model.approximation_note}\n")
    return "".join(out)


def route_text(trip: dict[str, Any]) -> str:
    """A trip (:meth:`network.model.Model.route`) as text: the header, each leg, warnings, note."""
    out = [
        f"{trip['origin']} → {trip['destination']}  [{trip['mode']}, {trip['measured']}, "
        f"network as of {trip['as_of']}]\n",
        f"{trip['minutes']:.0f} min, {trip['km']:.0f} km\n",
    ]
    for leg in trip["legs"]:
        extra = f"  {leg['line']}" if leg.get("line") else f"  on {leg['road']}" if leg.get("road") else ""
        out.append(
            f"  {leg['mode']:<10} {leg['minutes']:6.1f} min {leg['km']:6.1f} km  {leg['from']} → {leg['to']}{extra}\n"
        )
    out.append(warnings_text(trip["warnings"]))
    out.append(f"Approximate: {trip['note']}\n")
    return "".join(out)


def check_text(res: Any) -> str:
    """A claim's check as text: the claim, its reading, the verdicts, the times and legs, the
    uncertainty and the warnings (what ``taihang check`` prints)."""
    spec = res.claim.spec
    out: list[str] = []
    out.append(f"\n== {spec.name}: {spec.claim}\nsource: {spec.source}\n")
    out.append(f"read as: {' '.join(spec.interpretation.split())}\n")
    out.append("networks: " + ", ".join(f"{k} (as of {v})" for k, v in res.as_of.items()) + "\n")
    cols = ["network", "reading", "mode", "threshold_min", "verdict", "max_minutes", "worst_destination"]
    extra = [c for c in ("p10_max_min", "p50_max_min", "p90_max_min", "share_of_draws_holding") if c in res.overall]
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_rows", None):
        out.append("\nVerdicts:\n")
        out.append(shown(res.overall[cols + extra].round(2)).to_string(index=False) + "\n")
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
        out.append(
            "\nTimes and legs (minutes; population-weighted rows: weighted means; share_within: share of "
            "population within the threshold; population_outside and worst_excess_min: who is beyond it and "
            "the most minutes over it of any place; more with --out <claim>_equity.csv or --json):\n"
        )
        out.append(shown(per[cols].round(2)).to_string(index=False) + "\n")
    if res.uncertainty_note:
        out.append(f"\nUncertainty: {res.uncertainty_note} ({res.timing})\n")
    out.append(warnings_text(res.warning_lines(), [res.overall, per]))
    return "".join(out)
