"""Tables as text: JSON without NaN, CSV that a spreadsheet reads safely, OpenMatrix files, and
the listings of the ``assumptions``, ``data`` and ``places`` commands."""

from __future__ import annotations

import os
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
    if fmt == "table":
        with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_rows", None):
            blocks = [
                f"{name}:\n{df.to_string(index=False)}" if len(tables) > 1 else df.to_string(index=False)
                for name, df in tables.items()
            ]
        return "\n\n".join(blocks) + "\n"
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
