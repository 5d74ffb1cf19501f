"""Golden outputs: a score table and a comparison ranking, kept in tests/golden/, so that no change
of numbers goes unseen. A failure shows the rows that changed; if the change is intended, run
``python tools/update_golden.py`` and commit the new files with the reason."""

from __future__ import annotations

import difflib
from pathlib import Path

from click.testing import CliRunner

from network.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "score_2024.csv": ["score", "--year", "2024", "--format", "csv"],
    "score_2035_both_plans.csv": [
        "score",
        "--year",
        "2035",
        "--format",
        "csv",
        "--scenario",
        str(ROOT / "scenarios" / "both_plans.yaml"),
    ],
    "compare_2035_plans.txt": [
        "compare",
        str(ROOT / "scenarios" / "jincheng_plan.yaml"),
        str(ROOT / "scenarios" / "yangcheng_plan.yaml"),
        "--year",
        "2035",
        "--no-decompose",
    ],
}


def produce(name: str) -> str:
    """The standard output of case ``name``, as the CLI prints it."""
    res = CliRunner().invoke(main, CASES[name])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_outputs_match_the_golden_files():
    changed = []
    for name in CASES:
        want = (ROOT / "tests" / "golden" / name).read_text(encoding="utf-8")
        got = produce(name)
        if got != want:
            diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "golden", "now", lineterm="", n=0)
            changed.append(f"{name}:\n" + "\n".join(list(diff)[:40]))
    assert not changed, "numbers changed (run `python tools/update_golden.py` if intended):\n" + "\n\n".join(changed)
