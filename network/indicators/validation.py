"""Modelled against published or observed figures: where the model can be trusted.

In: a figures CSV, one row per published figure::

    origin,destination,mode,year,measure,value,tolerance,source
    郑州站,焦作站,rail,2016,km,78,5%,光明日报 2015-06-29 km posts

* ``origin``, ``destination``: any name ``taihang route`` accepts (place, station, airport, lon,lat);
* ``mode``: ``road``, ``rail``, ``transit`` or ``best``;
* ``year``: the network at the end of that year (or ``as_of`` = an ISO date instead);
* ``measure``: ``minutes`` or ``km`` of the trip ``taihang route`` gives;
* ``value``: the published figure; ``tolerance``: an absolute amount in the measure's unit, or a
  percentage (``10%``), within which the model counts as agreeing;
* ``source``: where the figure was published (required: a figure without a source is not evidence).

Optional columns, for observed journey times:

* ``measure`` ``ride_minutes``: the time from the trip's first departure by train, coach or plane to
  its last arrival (what a timetable or a coach's "running time" gives: no access, processing,
  first wait or egress; dwells and changes on the way included);
* ``measure`` ``town_to_town_minutes``: a drive from leaving the origin's built-up area to entering
  the destination's: the door-to-door trip less its access at each end (the connectors and the
  allowance at the door) and the built-up stretches of the road legs next to them. This is what a
  news report of "the drive between A and B now takes X" times (a road's own length and speed, as
  in "全长57.16公里…约为40分钟"), not a door-to-door trip;
* ``grade``: ``A`` (official press), ``B`` (official press republished), ``C`` (weak: context only);
* ``bound``: ``upper`` (the source says "less than"), ``lower``, ``derived`` (worked out from the
  source's own "before" and "saved"), or empty for a figure as stated;
* ``pair``: rows with the same pair are one trip before and after a project (the earlier date is
  "before"): their savings are compared, observed against modelled;
* ``what``: what exactly was timed;
* ``service``: with ``ride_minutes``, the id of the service timed (a coach line of
  ``data/coaches.yaml``): its own running time between its stops nearest the two ends, whatever
  service the quickest trip would take.

The headline is the journey-time criterion of the UK DfT's TAG unit M3.1 (§3.3, validation of
highway assignment models): modelled times within 15 % of observed on at least 85 % of routes.
It is read here on the grade A and B times (an upper bound counts when the model is below 1.15 x it).

Out: one row per figure with the model's value, the error (model − published), the relative error
and whether it lies inside the tolerance; a summary per measure (count, median absolute error,
signed bias = mean error, median relative error, share inside); and a scatter plot (PNG) of modelled
against published with the y = x line and each tolerance as an error bar (points labelled by CSV line).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.errors import DataError, NetworkModelError

COLUMNS = ("origin", "destination", "mode", "measure", "value", "tolerance", "source")
MODES = ("road", "rail", "transit", "best")
MEASURES = ("minutes", "ride_minutes", "town_to_town_minutes", "km")
#: the measures that are journey times (the TAG headline reads these)
TIME_MEASURES = ("minutes", "ride_minutes", "town_to_town_minutes")
GRADES = ("A", "B", "C", "")
BOUNDS = ("", "upper", "lower", "derived")
#: TAG unit M3.1 (DfT, 2020), journey-time validation: modelled within 15 % of observed ...
TAG_SHARE_OF_OBSERVED = 0.15
#: ... on at least 85 % of routes
TAG_ROUTES_SHARE = 0.85
#: legs that are a vehicle moving (a ride) in a trip's legs
VEHICLE_MODES = frozenset({"bus", "rail", "hsr", "metro", "air"})


#: A figures file is a list of published figures: a few MB at most, and each row is a routed trip.
MAX_FILE_BYTES = 10_000_000
MAX_FIGURES = 5_000


def read_figures(path: Path) -> list[dict[str, Any]]:
    """Read and check a figures CSV (module docstring); every problem is reported at once.

    Raises
    ------
    DataError
        Naming the file, line, column, what was found and what is expected.
    """
    from network.io import read_bounded_bytes
    from network.sources.checks import MAX_SHOWN

    raw_bytes = read_bounded_bytes(path, MAX_FILE_BYTES, "figures CSV (origin, destination, mode, year, ...)")
    try:
        text = raw_bytes.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        raw_rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a UTF-8 CSV file ({str(err)[:80]}); save it as UTF-8 CSV") from None
    if len(raw_rows) > MAX_FIGURES:
        raise DataError(
            f"{path}: {len(raw_rows):,} figures; at most {MAX_FIGURES:,} are checked in one run (split the file)"
        )
    missing = [c for c in COLUMNS if c not in header]
    if missing or not ({"year", "as_of"} & set(header)):
        raise DataError(
            f"{path}: line 1: missing column(s) {missing or ['year or as_of']}; the header must "
            f"be {','.join(COLUMNS[:3])},year,{','.join(COLUMNS[3:])} (or as_of instead of year)"
        )
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    first_of: dict[tuple[str, ...], int] = {}
    for line, raw in enumerate(raw_rows, start=2):

        def bad(col: str, found: Any, expected: str, line: int = line) -> None:
            problems.append(f"{path.name}:{line}: {col}: found {found!r}, expected {expected}")

        row: dict[str, Any] = {"line": line, **{k: (raw.get(k) or "").strip() for k in header}}
        for col in ("origin", "destination", "source"):
            if not row[col]:
                bad(col, row[col], "a value" + (" (where the figure was published)" if col == "source" else ""))
        if row["mode"] not in MODES:
            bad("mode", row["mode"], f"one of {', '.join(MODES)}")
        if row["measure"] not in MEASURES:
            bad("measure", row["measure"], f"one of {', '.join(MEASURES)}")
        if row.get("grade", "") not in GRADES:
            bad("grade", row["grade"], "A, B, C or empty")
        if row.get("bound", "") not in BOUNDS:
            bad("bound", row["bound"], "upper, lower, derived or empty")
        row.setdefault("grade", "")
        row.setdefault("bound", "")
        row.setdefault("pair", "")
        row.setdefault("service", "")
        try:
            row["value"] = float(row["value"])
            if not (row["value"] > 0 and math.isfinite(row["value"])):
                raise ValueError
        except ValueError:
            bad("value", raw.get("value"), "a number > 0")
        row["as_of"] = _date_of(row, bad)
        row["tolerance_abs"] = _tolerance(row, bad)
        key = tuple(str(row.get(c, "")) for c in ("origin", "destination", "mode", "as_of", "measure"))
        if key in first_of:  # the same figure twice would count twice in every summary
            problems.append(
                f"{path.name}:{line}: the figure of line {first_of[key]} again (same origin, destination, mode, "
                "date and measure); keep one row per published figure"
            )
        first_of.setdefault(key, line)
        rows.append(row)
    if problems:
        more = [f"… and {len(problems) - MAX_SHOWN:,} more"] if len(problems) > MAX_SHOWN else []
        raise DataError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(problems[:MAX_SHOWN] + more))
    if not rows:
        raise DataError(f"{path}: no figures (one row per published figure after the header)")
    return rows


def _date_of(row: dict[str, Any], bad: Callable[..., None]) -> dt.date | None:
    if row.get("as_of"):
        try:
            return dt.date.fromisoformat(row["as_of"])
        except ValueError:
            bad("as_of", row["as_of"], "an ISO date YYYY-MM-DD")
            return None
    try:
        year = int(row.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
        return dt.date(year, 12, 31)
    except ValueError:
        bad("year", row.get("year"), "a year from 2000 to 2100 (or give as_of)")
        return None


def _tolerance(row: dict[str, Any], bad: Callable[..., None]) -> float | None:
    text = str(row.get("tolerance", ""))
    try:
        if text.endswith("%"):
            share = float(text[:-1]) / 100.0
            if not (share > 0 and math.isfinite(share)):
                raise ValueError
            return share * row["value"] if isinstance(row["value"], float) else None
        tol = float(text)
        if not (tol > 0 and math.isfinite(tol)):
            raise ValueError
        return tol
    except ValueError:
        bad("tolerance", text, "an amount > 0 in the measure's unit, or a percentage such as 10%")
        return None


def evaluate_figures(rows: list[dict[str, Any]], model_for: Callable[[dt.date], Any]) -> pd.DataFrame:
    """The model's value for each figure (``model_for(date)`` gives the network of that date).

    A figure whose trip the model cannot make gets NaN and the reason in ``note``.
    """
    out = []
    for row in rows:
        model = model_for(row["as_of"])
        note = ""
        try:
            trip = model.route(row["origin"], row["destination"], mode=row["mode"])
            measured = trip["measured"]
            if row["measure"] == "ride_minutes" and row.get("service"):
                modelled = float(model.service_minutes(row["service"], row["origin"], row["destination"]))
                measured = f"running time of {row['service']}"
            elif row["measure"] == "ride_minutes":
                modelled = ride_minutes(trip.get("legs", []))
                measured = "first departure to last arrival"
                if not math.isfinite(modelled):
                    note = "the model's trip takes no train, coach or plane"
            elif row["measure"] == "town_to_town_minutes":
                modelled = town_to_town_minutes(trip.get("legs", []), float(trip["minutes"]))
                measured = "town edge to town edge"
            else:
                modelled = float(trip["minutes"] if row["measure"] == "minutes" else trip["km"])
        except NetworkModelError as err:
            modelled, measured, note = float("nan"), "", str(err).splitlines()[0]
        error = modelled - row["value"]
        out.append(
            {
                "line": row["line"],
                "origin": row["origin"],
                "destination": row["destination"],
                "mode": row["mode"],
                "as_of": row["as_of"].isoformat(),
                "measure": row["measure"],
                "published": row["value"],
                "modelled": round(modelled, 1),
                "error": round(error, 1),
                "relative_error": round(error / row["value"], 3),
                "tolerance": round(row["tolerance_abs"], 1),
                "inside": inside_tolerance(error, row["tolerance_abs"], row["bound"]),
                "within_15pct": inside_tolerance(error, TAG_SHARE_OF_OBSERVED * row["value"], row["bound"]),
                "grade": row["grade"],
                "bound": row["bound"],
                "pair": row["pair"],
                "measured": measured,
                "source": row["source"],
                "note": note,
            }
        )
    return pd.DataFrame(out)


def town_to_town_minutes(legs: list[dict[str, Any]], total_min: float) -> float:
    """A road trip's minutes between the edges of its two towns: ``total_min`` less the access
    legs at each end (the run of legs on ``access`` from the door) and the minutes on the built-up
    stretches that start the first road leg and end the last (``built_up_start_min``,
    ``built_up_end_min``; module docstring)."""
    road = [i for i, leg in enumerate(legs) if leg.get("road") not in (None, "access")]
    if not road:
        return float("nan")
    first, last = road[0], road[-1]
    ends = legs[:first] + legs[last + 1 :]
    minutes = total_min - sum(float(leg["minutes"]) for leg in ends)
    return (
        minutes - float(legs[first].get("built_up_start_min") or 0.0) - float(legs[last].get("built_up_end_min") or 0.0)
    )


def ride_minutes(legs: list[dict[str, Any]]) -> float:
    """Minutes from the first leg on a vehicle (train, coach, plane) to the end of the last one,
    with what lies between (dwells, changes); NaN if no leg is on a vehicle."""
    on = [i for i, leg in enumerate(legs) if leg.get("mode") in VEHICLE_MODES]
    if not on:
        return float("nan")
    return float(sum(leg["minutes"] for leg in legs[on[0] : on[-1] + 1]))


def inside_tolerance(error: float, tolerance: float, bound: str) -> bool:
    """Whether an error (model − figure) lies inside ``tolerance``: for an upper bound the model
    may be any amount below it, for a lower bound any amount above."""
    if not math.isfinite(error):
        return False
    if bound == "upper":
        return error <= tolerance
    if bound == "lower":
        return error >= -tolerance
    return abs(error) <= tolerance


def tag_headline(table: pd.DataFrame) -> str:
    """The TAG M3.1 journey-time criterion read on the grade A and B times (module docstring)."""
    times = table[table["measure"].isin(TIME_MEASURES) & table["grade"].isin(["A", "B"])]
    if times.empty:
        return "TAG M3.1 journey-time criterion: no grade A or B journey times in the figures"
    met = int(times["within_15pct"].sum())
    share = met / len(times)
    verdict = "met" if share >= TAG_ROUTES_SHARE else "not met"
    return (
        f"TAG M3.1 journey-time criterion (modelled within {TAG_SHARE_OF_OBSERVED:.0%} of observed on at least "
        f"{TAG_ROUTES_SHARE:.0%} of routes): {met} of {len(times)} grade A/B times ({share:.0%}): {verdict}"
    )


def summarise_by(table: pd.DataFrame, keys: tuple[str, ...] = ("grade", "mode")) -> pd.DataFrame:
    """Journey times (minutes and ride minutes) by ``keys``: count, modelled, median relative error,
    bias and the share within 15 % (TAG M3.1)."""
    times = table[table["measure"].isin(TIME_MEASURES)]
    rows = []
    for key, group in times.groupby(list(keys), sort=True):
        err = group["error"].to_numpy(dtype=float)
        ok = np.isfinite(err)
        rel = group["relative_error"].to_numpy(dtype=float)[ok]
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,))),
                "times": len(group),
                "modelled": int(ok.sum()),
                "median_rel_error": round(float(np.median(rel)), 3) if ok.any() else np.nan,
                "bias_min": round(float(np.mean(err[ok])), 1) if ok.any() else np.nan,
                "within_15pct": round(float(group["within_15pct"].mean()), 3),
            }
        )
    return pd.DataFrame(rows)


def savings_table(table: pd.DataFrame) -> pd.DataFrame:
    """Each before/after pair (rows sharing ``pair``; the earlier date is before): the observed and
    the modelled saving in minutes, and whether the model moves the right way."""
    rows = []
    paired = table[table["pair"].astype(str) != ""]
    for pair, group in paired.groupby("pair", sort=True):
        if len(group) != 2:
            continue
        before, after = group.sort_values("as_of").to_dict("records")
        observed = before["published"] - after["published"]
        modelled = before["modelled"] - after["modelled"]
        rows.append(
            {
                "pair": pair,
                "trip": f"{before['origin']} → {before['destination']} ({before['mode']})",
                "before": before["as_of"],
                "after": after["as_of"],
                "observed_saving": round(observed, 1),
                "modelled_saving": round(modelled, 1) if math.isfinite(modelled) else np.nan,
                "right_way": bool(math.isfinite(modelled) and modelled * observed > 0),
                "share_of_observed": round(modelled / observed, 2) if math.isfinite(modelled) and observed else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "pair",
            "trip",
            "before",
            "after",
            "observed_saving",
            "modelled_saving",
            "right_way",
            "share_of_observed",
        ],
    )


def summarise_figures(table: pd.DataFrame) -> pd.DataFrame:
    """Per measure: count, median absolute error, signed bias (mean error), median relative error
    and the share of figures inside their tolerance (unreachable trips count as outside)."""
    rows = []
    for measure, group in table.groupby("measure", sort=True):
        err = group["error"].to_numpy(dtype=float)
        ok = np.isfinite(err)
        rows.append(
            {
                "measure": measure,
                "figures": len(group),
                "modelled": int(ok.sum()),
                "median_abs_error": round(float(np.median(np.abs(err[ok]))), 1) if ok.any() else np.nan,
                "bias": round(float(np.mean(err[ok])), 1) if ok.any() else np.nan,
                "median_rel_error": round(float(np.median(group["relative_error"].to_numpy(dtype=float)[ok])), 3)
                if ok.any()
                else np.nan,
                "share_inside": round(float(group["inside"].mean()), 3),
            }
        )
    return pd.DataFrame(rows)
