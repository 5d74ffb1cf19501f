"""Regenerate the golden output files of tests/test_golden.py after an intended change of numbers.

Run:  python tools/update_golden.py      then review `git diff tests/golden/` before committing:
every changed number there is a change a planner would see.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_golden import CASES, produce  # noqa: E402


def main() -> None:
    for name in CASES:
        path = ROOT / "tests" / "golden" / name
        path.write_text(produce(name), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
