"""Rewrite the outputs of the docs' worked examples after an intended change of output.

Run:  python tools/update_docs.py      then review `git diff docs/`: every changed line there is a
change a reader of the docs would see. tests/test_docs.py checks they are current.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.docs_examples import examples, run  # noqa: E402


def main() -> None:
    by_page: dict[Path, list] = {}
    for ex in examples():
        by_page.setdefault(ex.path, []).append(ex)
    for path, exs in by_page.items():
        text = path.read_text(encoding="utf-8")
        for ex in sorted(exs, key=lambda e: e.start, reverse=True):  # from the end: offsets stay valid
            text = text[: ex.start] + run(ex.command) + text[ex.end :]
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(exs)} examples)")


if __name__ == "__main__":
    main()
