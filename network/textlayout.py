"""Text laid out for a terminal by display width: a Chinese character takes two columns, so a
column of place names lines up only if widths are counted so (``len`` and pandas' ``to_string``
count one). :func:`layout_table` draws the tables of every command (:func:`network.tables.table_text`
fills the cells), :func:`wrap` the paragraphs under them.

The layout: columns two spaces apart, no outer border; the header (whose labels may hold line
breaks) sits on the bottom line of its rows, over one rule; numbers right-aligned. A table wider than
the terminal narrows its widest columns first, and their cells wrap at spaces (a word longer than
its column is cut). Nothing here imports more than the standard library: it runs on every command.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

#: Between two columns.
GAP = "  "


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters two, combining marks none)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def _cut(word: str, width: int) -> list[str]:
    """``word`` cut into pieces no wider than ``width`` (at least one character each)."""
    pieces, cur, w = [], "", 0
    for ch in word:
        cw = _char_width(ch)
        if cur and w + cw > width:
            pieces.append(cur)
            cur, w = "", 0
        cur += ch
        w += cw
    return [*pieces, cur] if cur else pieces


def wrap(text: str, width: int) -> list[str]:
    """``text``'s lines wrapped to ``width`` columns at spaces; a longer word is cut. Runs of
    spaces inside a line become one; an empty text is one empty line."""
    width = max(width, 1)
    out: list[str] = []
    for raw in text.split("\n"):
        line, w = "", 0
        for word in raw.split():
            ww = display_width(word)
            if line and w + 1 + ww <= width:
                line, w = f"{line} {word}", w + 1 + ww
                continue
            if line:
                out.append(line)
            line, w = "", 0
            for piece in _cut(word, width) if ww > width else [word]:
                if line:
                    out.append(line)
                line, w = piece, display_width(piece)
        out.append(line)
    return out


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def _fit(natural: list[int], least: list[int], width: int) -> list[int]:
    """Column widths summing (with the gaps) to at most ``width``: the widest column gives up a
    column at a time, none below its ``least`` (so a table of many columns may stay wider)."""
    widths = list(natural)
    room = width - len(GAP) * (len(widths) - 1)
    while sum(widths) > room:
        k = max(range(len(widths)), key=lambda i: (widths[i] - least[i] > 0, widths[i]))
        if widths[k] <= least[k]:
            break
        widths[k] -= 1
    return widths


def layout_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], width: int) -> str:
    """The table of ``headers`` over ``rows`` (text cells) in at most ``width`` columns where it
    can be (module docstring), ``right`` saying which columns are right-aligned; lines carry no
    trailing spaces. Ends with a newline."""
    n = len(headers)
    head_lines = [h.split("\n") for h in headers]
    natural = [
        max([display_width(x) for x in head_lines[k]] + [display_width(r[k]) for r in rows], default=0)
        for k in range(n)
    ]
    # a column narrows no further than its header's longest word, or 4 columns
    least = [min(natural[k], max([4] + [display_width(w) for x in head_lines[k] for w in x.split()])) for k in range(n)]
    widths = _fit(natural, least, width)
    out: list[str] = []

    def emit(cells: list[list[str]], bottom: bool) -> None:
        height = max(len(c) for c in cells) if cells else 0
        for i in range(height):
            parts = []
            for k in range(n):
                lines = cells[k]
                j = i - (height - len(lines)) if bottom else i
                parts.append(_pad(lines[j] if 0 <= j < len(lines) else "", widths[k], right[k]))
            out.append(GAP.join(parts).rstrip())

    emit([[ln for x in head_lines[k] for ln in wrap(x, widths[k])] for k in range(n)], bottom=True)
    out.append("─" * (sum(widths) + len(GAP) * (n - 1)))
    for r in rows:
        emit([wrap(r[k], widths[k]) for k in range(n)], bottom=False)
    return "\n".join(out) + "\n"
