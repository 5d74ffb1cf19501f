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
MEASURES = ("minutes", "km")


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
            modelled = float(trip["minutes"] if row["measure"] == "minutes" else trip["km"])
            measured = trip["measured"]
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
                "inside": bool(abs(error) <= row["tolerance_abs"]) if np.isfinite(error) else False,
                "measured": measured,
                "source": row["source"],
                "note": note,
            }
        )
    return pd.DataFrame(out)


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
