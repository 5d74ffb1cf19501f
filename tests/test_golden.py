"""Golden outputs: a score table and a comparison ranking, kept in tests/golden/, so that no change
of numbers goes unseen. A failure shows the rows that changed; if the change is intended, run
``python tools/update_golden.py`` and commit the new files with the reason."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd
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
    # the model against the shipped published and observed figures (the TAG M3.1 headline first)
    # (--wide: every column of every row, so a change to any number shows in the diff)
    "validate_times.txt": ["validate-times", "--wide", str(ROOT / "data" / "validation" / "published_figures.csv")],
    "compare_2035_plans.txt": [
        "compare",
        str(ROOT / "scenarios" / "jincheng_plan.yaml"),
        str(ROOT / "scenarios" / "yangcheng_plan.yaml"),
        "--year",
        "2035",
        "--no-decompose",
        "--wide",
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


def test_compare_on_two_processes_equals_one():
    from network.analysis.compare import compare, ranking
    from network.model import Model
    from network.scenario.load import load_scenario

    root = Path(__file__).resolve().parent.parent / "scenarios"
    scenarios = [
        load_scenario(root / f) for f in ("yangcheng_plan.yaml", "jinyang_widening.yaml", "yangji_intercity_rail.yaml")
    ]
    model = Model.default(2035)
    one, two = (compare(model, scenarios, ["郑州", "洛阳"], workers=w) for w in (1, 2))
    pd.testing.assert_frame_equal(ranking(one), ranking(two))
    for a, b in zip(one.results, two.results):
        pd.testing.assert_frame_equal(a.places, b.places)
        pd.testing.assert_frame_equal(a.summary, b.summary)
        assert a.new_links == b.new_links
        if a.decomposition is not None:
            pd.testing.assert_frame_equal(a.decomposition, b.decomposition)
