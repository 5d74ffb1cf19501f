"""Text that cannot attack its reader: rules for names and prose read from files, and for the
text cells taihang writes.

* A **name** (of a project, place, station, line, claim network) is one line of text: no control
  character (newline, tab, escape, NUL…) and no bidirectional override or isolate, which can make
  a name display as something it is not (the "Trojan Source" trick, CVE-2021-42574).
* **Prose** (a description, a source, an interpretation) may run over several lines, but holds no
  other control character and no bidirectional control either.
* A **CSV cell** of text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  written with a leading ``'``, so a spreadsheet shows it instead of running it as a formula
  (OWASP, "CSV Injection"); a carriage return inside it becomes a newline, which the writer
  quotes (a lone CR is not quoted and would start a row of its own). Numbers are never touched.
* A **GTFS field** is one line: control characters become spaces (many GTFS consumers reject a
  multi-line field).
"""

from __future__ import annotations

import re
from typing import Any

#: Unicode bidirectional controls: LRM, RLM, ALM, the embeddings and overrides (U+202A-U+202E)
#: and the isolates (U+2066-U+2069).
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The first characters a spreadsheet reads as the start of a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def text_problem(value: str, one_line: bool) -> str | None:
    """Why ``value`` is not acceptable text (None if it is): a control character (any, for a
    name; any but newline and tab, for prose) or a bidirectional control."""
    bad = (_CONTROL if one_line else _CONTROL_BUT_LINES).search(value)
    if bad is not None:
        what = "a newline" if bad.group() in "\r\n" else f"a control character ({_codepoint(bad.group())})"
        rule = "a name is one line of text" if one_line else "text holds no control characters but newlines"
        return f"holds {what} at character {bad.start() + 1}; {rule}"
    for i, ch in enumerate(value):
        if ch in BIDI_CONTROLS:
            return (
                f"holds a bidirectional control ({_codepoint(ch)}) at character {i + 1}, which can make text "
                "display as something it is not; remove it"
            )
    return None


def checked_name(value: str) -> str:
    """A pydantic ``AfterValidator`` for names (:func:`text_problem`, one line)."""
    why = text_problem(value, one_line=True)
    if why:
        raise ValueError(why)
    return value


def checked_prose(value: str) -> str:
    """A pydantic ``AfterValidator`` for prose (:func:`text_problem`, lines allowed)."""
    why = text_problem(value, one_line=False)
    if why:
        raise ValueError(why)
    return value


def csv_cell(value: Any) -> Any:
    r"""``value`` safe for a spreadsheet: a carriage return becomes a newline (a CSV writer that
    ends lines with ``\n`` does not quote a lone CR, which a reader then takes for a new row), and
    text starting with a formula character gets a leading ``'``; anything that is not text is
    returned as it is.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-5"), csv_cell(-5.0), csv_cell("阳城"), csv_cell("a\r+b")
    ("'=HYPERLINK(1)", "'-5", -5.0, '阳城', 'a\n+b')
    """
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_START) else value


def one_line(value: Any) -> Any:
    """Text on one line (control characters as spaces, bidirectional controls dropped), for GTFS.

    >>> one_line("a\\nb\\u202ec")
    'a bc'
    """
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in _CONTROL.sub(" ", value) if ch not in BIDI_CONTROLS)
