"""Every command's default printed output fits a 100-column terminal and never shows NaN, <NA>,
None or nan (network/tables.py: missing values are — with a footnote)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from network.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = re.compile(r"\bNaN\b|<NA>|\bNone\b|\bnan\b")

COMMANDS = [
    ["score"],
    ["score", "--targets", "郑州"],
    ["route", "阳城", "济源", "--mode", "road", "--year", "2019"],
    ["route", "晋城", "郑州", "--mode", "rail"],
    ["route", "晋城东站", "郑州站", "--mode", "rail"],
    ["compare", "scenarios/yangcheng_airfield.yaml", "scenarios/lingchuan_hebi_expressway.yaml", "--no-decompose"],
    ["check", "claims/one_hour_circle.yaml"],
    ["check", "claims/yangcheng_rail_node.yaml"],
    ["data"],
    ["places"],
    ["assumptions"],
    ["matrix", "--origins", "晋城,阳城县", "--destinations", "郑州,洛阳"],
    ["matrix", "--mode", "rail"],
    ["isochrone", "晋城", "--minutes", "60,120"],
    ["nearest"],
    ["nearest", "--city", "晋城", "--n", "2"],
    ["validate-times", "data/validation/published_figures.csv"],
    ["validate", "scenarios/jincheng_plan.yaml"],
    ["export-gtfs", "--out", "{tmp}/gtfs"],
    ["map", "--out", "{tmp}/m.html"],
    ["build", "--help"],
    ["timespace", "scenarios/jincheng_plan.yaml", "--year", "2035", "--out", "{tmp}/ts.png"],
    ["isochrone", "晋城", "--minutes", "60,120", "--mode", "rail"],
    ["examples", "--out", "{tmp}/examples"],
]


@pytest.mark.slow  # every command end to end, as the other CLI runs of the slow set
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a)[:50])
def test_default_output_fits_100_columns_and_shows_no_nan(argv, tmp_path):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
        result = CliRunner().invoke(main, args, env={"COLUMNS": "100"}, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output[-2000:]
    out = result.output
    assert out.strip()
    wide = [line for line in out.splitlines() if cell_len(line) > 100 and str(tmp_path) not in line]
    assert not wide, f"{len(wide)} lines over 100 columns, e.g. {wide[0][:160]!r}"
    hits = [line for line in out.splitlines() if BAD.search(line)]
    assert not hits, hits[:3]
