"""Tables as text: JSON without NaN, CSV that a spreadsheet reads safely, OpenMatrix files, the
listings of the ``assumptions``, ``data`` and ``places`` commands, and the tables every command
prints to a terminal (:func:`table_text`, rules below)."""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from network.errors import DataError
from network.io import _temp_beside, _write_failed, check_file_target, file_mode


def json_safe(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None (JSON has neither; an unreachable
    trip is ``null`` with its reason given beside it by the caller), recursively through dicts,
    lists and tuples; NumPy scalars become Python numbers."""
    import math

    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps_json(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`json_safe` ``(obj)`` with ``allow_nan=False`` (strict JSON)."""
    import json

    return json.dumps(json_safe(obj), ensure_ascii=False, allow_nan=False, **kwargs)


UNREACHABLE_NOTE = (
    "an empty cell (CSV), null (JSON) or — (tables) is a trip this mode cannot make: for rail "
    "and transit, no station within rail_access_max_km of the place or of the target, or no train "
    "between the stations in reach"
)


def csv_text(df: Any, float_format: str | None = None) -> str:
    """``df`` as CSV text with infinite values (an unreachable trip) as empty cells, like NaN:
    ``inf`` is not a number a spreadsheet reads (see :data:`UNREACHABLE_NOTE`). Text cells that
    start with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'``
    (:func:`network.textrules.csv_cell`)."""
    import numpy as np
    import pandas as pd

    from network.textrules import csv_cell

    clean = df.replace([np.inf, -np.inf], np.nan)
    text_columns = [c for c in clean.columns if not pd.api.types.is_numeric_dtype(clean[c])]
    if text_columns:  # a text cell a spreadsheet would run as a formula gets a leading ' (OWASP)
        clean = clean.assign(**{str(c): clean[c].map(csv_cell) for c in text_columns})
    return str(clean.to_csv(index=False, float_format=float_format))


def write_omx(path: str | os.PathLike[str], table: Any, meta: dict[str, Any]) -> Path:
    """Write a square long table (``origin``, ``destination``, ``minutes``, names) as an
    OpenMatrix file, atomically: one matrix ``minutes`` (NaN where unreachable), zones numbered
    1..n in the mapping ``zone``, and the place ids and names of the zones with ``meta`` as JSON
    in the root attribute ``taihang`` (OMX mappings hold numbers only)."""
    import json

    import numpy as np
    import openmatrix

    zones = list(dict.fromkeys(table["origin"]))
    names = dict(zip(table["origin"], table["origin_zh"]))
    pos = {z: i for i, z in enumerate(zones)}
    grid = np.full((len(zones), len(zones)), np.nan)
    minutes = table["minutes"].to_numpy(dtype=float)
    grid[[pos[o] for o in table["origin"]], [pos[d] for d in table["destination"]]] = np.where(
        np.isfinite(minutes), minutes, np.nan
    )
    target = Path(path)
    fd, name = _temp_beside(target, ".omx")
    os.close(fd)
    tmp = Path(name)
    try:
        f = openmatrix.open_file(str(tmp), "w")
        try:
            f["minutes"] = grid
            f.create_mapping("zone", list(range(1, len(zones) + 1)))
            f.root._v_attrs["taihang"] = json.dumps(
                {"zones": [{"zone": i + 1, "place_id": z, "name_zh": names[z]} for i, z in enumerate(zones)], **meta},
                ensure_ascii=False,
            )
        finally:
            f.close()
        os.chmod(tmp, file_mode())
        check_file_target(target)
        os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _write_failed(target, err) from None
        raise
    return target


#: Output formats of the listing commands (``assumptions``, ``data``, ``places``).
LISTING_FORMATS = ("table", "csv", "json")


def listing_text(tables: dict[str, Any], fmt: str, excel: bool = False) -> str:
    """Tables (name → DataFrame) as one text: ``table`` (aligned columns, one block per table),
    ``csv`` (one header; with more than one table a leading ``table`` column says which each row
    is from) or ``json`` (an object of arrays of records, missing values as null). ``excel``
    starts a CSV with a UTF-8 byte-order mark, so Excel and WPS read the Chinese names right."""
    import pandas as pd

    if fmt not in LISTING_FORMATS:
        raise DataError(f"--format {fmt!r}: expected one of {', '.join(LISTING_FORMATS)}")
    if excel and fmt != "csv":
        raise DataError("--excel writes CSV with a byte-order mark; use it with --format csv (or leave --format out)")
    if fmt == "table":  # to a file: every column, as wide as it takes (the terminal's view is narrower)
        blocks = [
            (f"{name}:\n" if len(tables) > 1 else "") + table_text(df, wide=True, width=100_000)
            for name, df in tables.items()
        ]
        return "\n".join(blocks)
    if fmt == "json":
        payload = {name: df.to_dict(orient="records") for name, df in tables.items()}
        return dumps_json(payload if len(tables) > 1 else next(iter(payload.values())), indent=1) + "\n"
    frames = (
        [df.assign(table=name)[["table", *df.columns]] for name, df in tables.items()]
        if len(tables) > 1
        else list(tables.values())
    )
    text = csv_text(pd.concat(frames, ignore_index=True))
    return ("\ufeff" if excel else "") + text


def markdown_table(df: Any, decimals: int = 1) -> str:
    """``df`` (a DataFrame) as a Markdown table: floats to ``decimals`` places, a missing number as "–"."""
    import numpy as np

    def fmt(x: Any) -> str:
        if isinstance(x, float):
            return "–" if not np.isfinite(x) else f"{x:.{decimals}f}"
        return str(x)

    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(fmt(x) for x in row) + " |")
    return "\n".join(lines)


# -- tables that fit a terminal ---------------------------------------------------------------
# Tables that fit a terminal: every table the commands print goes through :func:`table_text`.
#
# One set of rules for every cell, so no command prints ``NaN``, ``<NA>``, ``None`` or ``nan``:
#
# - a missing value is ``—`` (a footnote under the table says what it means); an unreachable
#   (infinite) time is ``—`` too, with the reason the command prints under it;
# - integers as integers (populations, counts, ranks), shares as percentages (a column named
#   ``share…``, ``…_share`` or ``relative_error``), coordinates to 5 decimals, ratios and indices (CV,
#   Gini, Theil, efficiency, scales) to two, every other number (minutes, km) to one;
# - Chinese text is measured by its display width (two columns a character), which pandas' own
#   ``to_string`` does not do, so columns stay aligned (:mod:`network.textlayout` lays the table out).
#
# The default view is **narrow**: the columns a command names as its key ones, laid out to the
# terminal's width (at most :data:`MAX_WIDTH`, wrapping long cells); ``--wide`` shows every column,
# and ``--format csv|json`` gives everything for other programs.

#: the widest a table is laid out, whatever the terminal (a table wider than this is hard to read)
MAX_WIDTH = 100
#: what ``—`` means where a value is missing (not where a time is unreachable: that has its own note)
MISSING_NOTE = "—: no value (not applicable to the row, or not computed for it)"

_PERCENT = ("share", "relative_error", "rel_error")
_COORD = ("lon", "lat")
#: measures that are ratios or indices, shown to two decimals (a Gini of 0.3 hides too much)
_TWO_DECIMALS = ("cv", "gini", "theil", "efficiency", "scale", "ratio", "factor", "circuity", "value")


def terminal_width() -> int:
    """The width to lay a table out to: ``$COLUMNS`` if set, else the terminal's if output goes
    to one, else :data:`MAX_WIDTH`; never more than :data:`MAX_WIDTH`."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 20:
        return min(int(env), MAX_WIDTH)
    if sys.stdout.isatty():
        return min(shutil.get_terminal_size((MAX_WIDTH, 24)).columns, MAX_WIDTH)
    return MAX_WIDTH


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, pandas' NA or NaT)."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def cell(column: str, value: Any) -> str:
    """One cell as text, by the rules above."""
    import numpy as np

    if is_missing(value):
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isinf(v):
            return "—"
        name = column.lower()
        if any(p in name for p in _PERCENT) and "gain" not in name:
            return f"{v:.0%}"
        if name in _COORD or name.endswith(("_lon", "_lat")):
            return f"{v:.5f}"
        if v.is_integer() and any(k in name for k in ("population", "pop ", "count", "rank", "places", "line")):
            return str(int(v))
        if any(k in name for k in _TWO_DECIMALS) and "min" not in name:
            return f"{v:.2f}"
        return f"{v:.1f}"
    return " ".join(str(value).split())


def _numeric(series: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def table_text(
    df: Any,
    narrow: Sequence[str] | None = None,
    wide: bool = False,
    width: int | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    """``df`` as a table for a terminal: the ``narrow`` columns (all with ``wide`` or when not
    given), each cell by :func:`cell`, laid out to ``width`` (:func:`terminal_width`), headed by
    ``labels`` where given; a footnote where a value is missing. Ends with a newline."""
    from network.textlayout import layout_table

    columns = list(df.columns) if wide or narrow is None else [c for c in narrow if c in df.columns]
    # --wide: every column at its own width (scroll, or `less -S`), never folded into a narrow terminal
    width = width or (100_000 if wide else terminal_width())
    headers = [(labels or {}).get(c, str(c)) for c in columns]
    missing = False
    rows = []
    for row in df[columns].itertuples(index=False):
        rows.append([cell(str(c), v) for c, v in zip(columns, row)])
        missing = missing or any(is_missing(v) for v in row)
    text = layout_table(headers, rows, [_numeric(df[c]) for c in columns], width)
    if missing:
        text += MISSING_NOTE + "\n"
    if not wide and narrow is not None and len(columns) < len(df.columns):
        text += f"({len(df.columns) - len(columns)} more columns: --wide, or --format csv|json)\n"
    return text


def paragraph(text: str, width: int | None = None, indent: str = "") -> str:
    """``text`` wrapped to ``width`` by display width (Chinese counts two columns a character)."""
    from network.textlayout import wrap

    w = (width or terminal_width()) - len(indent)
    lines = wrap(" ".join(text.split()), w)
    return "".join(indent + line + "\n" for line in lines)
