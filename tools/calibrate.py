"""Fit at most six global constants to the grade A/B observed journey times, with leave-one-out
errors, and write the result to data/validation/calibration.md (network/analysis/calibration.py
says how).

Run:  python tools/calibrate.py                      # the default six constants
      python tools/calibrate.py --constants built_up_speed_kph,urban_access_allowance_min

It takes about a minute: the networks of the figures' dates are built once and re-timed for each
trial. The report says whether the fit should be adopted (its left-out TAG share beats the
documented constants' and no constant sits on a bound of its range). It changes no constant
itself: adopting a fit means writing its values into network/assumptions.py, with this report
cited in each constant's source.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from network.analysis.calibration import DEFAULT_CONSTANTS, Calibration, fit_rows  # noqa: E402
from network.assumptions import Assumptions  # noqa: E402
from network.indicators.validation import read_figures  # noqa: E402
from network.io import atomic_write_text  # noqa: E402
from network.model import Model  # noqa: E402
from network.tables import markdown_table  # noqa: E402


def render(rep: dict, figures_path: Path, constants: list[str]) -> str:
    shares = rep["shares"]
    at_bound = list(rep["constants"].loc[rep["constants"]["at_bound"], "constant"])
    better = shares["left_out"] > shares["documented"]
    if rep["adopt"]:
        verdict = "**Adopt**: the left-out share beats the documented constants' and no constant is at a bound."
    else:
        why = [] if better else ["the left-out share does not beat the documented constants'"]
        if at_bound:
            why.append(
                f"{', '.join(at_bound)} sit at a bound of their range: the fit would go further than the "
                "documented range allows, so what misses is the model's structure (a road or a service), "
                "not these constants"
            )
        verdict = "**Do not adopt**: " + "; ".join(why) + ". The documented constants stay."
    lines = [
        "# Calibration of global constants (`python tools/calibrate.py`)",
        "",
        f"Figures: the {len(rep['figures'])} grade A/B journey times of `{figures_path.relative_to(ROOT)}`. "
        f"Constants fitted: {', '.join(f'`{c}`' for c in constants)}, each inside its documented range. "
        "Objective: mean squared log ratio of modelled to observed (bounds one-sided). Method: Powell, "
        f"from the documented values; {rep['evaluations']} evaluations. Procedure and reasoning: "
        "`network/analysis/calibration.py`.",
        "",
        "TAG M3.1 share (within 15 %) of the figures:",
        "",
        f"- at the documented constants: {shares['documented']:.0%}",
        f"- fitted to all of them (in sample): {shares['fitted']:.0%}",
        f"- each predicted by a fit to the others (left out): {shares['left_out']:.0%}",
        "",
        verdict,
        "",
        "## Constants",
        "",
        markdown_table(rep["constants"], decimals=3),
        "",
        "## Figures (minutes)",
        "",
        markdown_table(rep["figures"]),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=Path, default=ROOT / "data" / "validation" / "published_figures.csv")
    parser.add_argument("--constants", default=",".join(DEFAULT_CONSTANTS), help="comma-separated names")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "validation" / "calibration.md")
    args = parser.parse_args()
    constants = [c.strip() for c in args.constants.split(",") if c.strip()]
    rows = fit_rows(read_figures(args.figures))
    cal = Calibration(rows, lambda d: Model.default(as_of=d), Assumptions(), constants)
    rep = cal.report()
    text = render(rep, args.figures.resolve(), constants)
    atomic_write_text(args.out, text)
    print(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
