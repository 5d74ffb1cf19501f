"""Write the notebooks in notebooks/ from the cell sources below (outputs are not committed).

Run:  python tools/make_notebooks.py     (tests/test_notebooks.py executes every notebook)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "quickstart": [
        (
            "md",
            "# taihang quick start\n\nThe embedded default network of south-east Shanxi and the "
            "Central Plains, door-to-door times to Zhengzhou and Luoyang, one trip with its legs, "
            "and the interactive map. Runs offline.",
        ),
        ("code", "import network\n\nmodel = network.Model.default(year=2024)\nmodel.as_of"),
        ("md", "## Every county-level place: minutes to Zhengzhou and Luoyang by road, with rail, best"),
        ("code", "per_place, summary = model.score()\nper_place.sort_values('zhengzhou_best_min').head(10)"),
        ("code", "summary"),
        (
            "md",
            "## One trip, with its legs\n\nStation to station is platform to platform (as a "
            "timetable gives it); anything else is door to door.",
        ),
        (
            "code",
            "import pandas as pd\n\ntrip = model.route('晋城东站', '郑州站', mode='rail')\n"
            "print(round(trip['minutes'], 1), 'min', round(trip['km'], 1), 'km')\n"
            "pd.DataFrame(trip['legs'])",
        ),
        ("code", "door = model.route('阳城', '洛阳', mode='best')\npd.DataFrame(door['legs'])"),
        ("md", "## The map\n\nLayers by mode; places coloured by best-mode minutes to Zhengzhou."),
        ("code", "from network.viz.maps import build_map\n\nbuild_map(model.graph, per_place, target='zhengzhou')"),
        ("md", "## What the numbers rest on\n\nEvery constant, with its source or reasoning and its range."),
        (
            "code",
            "from network.assumptions import describe_assumptions\n\n"
            "pd.DataFrame(describe_assumptions(model.assumptions)).head(12)",
        ),
    ],
    "one_hour_circle": [
        (
            "md",
            "# Does the one-hour circle hold?\n\n"
            'The Jincheng plan says the Zhengzhou–Taiyuan HSR "formed a Jincheng–Zhengzhou–Luoyang one-hour '
            'economic circle". `claims/one_hour_circle.yaml` states what that can mean: three readings '
            "(platform to platform, centre to centre, population-weighted over Jincheng's counties), by rail "
            "and by the best mode, on the network as it is and with the plans.\n\n"
            "**What this rests on.** The embedded network of the region as of the year each network is dated; "
            "door-to-door times made of access by road, time at the station (security, gates), the wait "
            "(half the headway, capped), the ride (lengths, speeds, dwells, a recovery margin) and egress. "
            "Every constant has a source and a documented range (`taihang assumptions`). Runs offline.",
        ),
        (
            "code",
            "import pandas as pd\n\nimport network\n"
            "from network.analysis.claims import load_claim\n"
            "from network.analysis.claims.check import network_for\n"
            "from network.analysis.explore import Explorer\n"
            "from network.examples import example_path\n"
            "from network.scenario.load import load_scenario\n\n"
            "claim = load_claim(example_path('claims/one_hour_circle.yaml'))\n"
            "models = {n.name: network_for(claim, n, lambda year: network.Model.default(year=year))\n"
            "          for n in claim.spec.networks}\n"
            "models['yangcheng_plan'] = models['today'].with_scenario(\n"
            "    load_scenario(example_path('scenarios/yangcheng_plan.yaml')))\n"
            "explorer = Explorer(models)\n"
            "print(claim.spec.interpretation)\n"
            "{name: m.as_of for name, m in models.items()}",
        ),
        (
            "md",
            "## Move the constants\n\n"
            "Choose the network and the reading, and move the four constants the one-hour question turns on. "
            "Each slider stays inside the constant's documented range. The verdict and the minutes are "
            "re-computed as you move one: the networks are not rebuilt, their edge times are re-computed from "
            "each edge's timing rule (the same formulas the build uses), so a change takes a fraction of a "
            "second. Without ipywidgets the cell shows the documented setting and each constant at the ends "
            "of its range.",
        ),
        (
            "code",
            "from network.viz.widgets import claim_explorer\n\nclaim_explorer(explorer, claim.spec)",
        ),
        (
            "md",
            "## What moves the verdict\n\n"
            "The same as a table, for readers without a kernel: centre to centre by rail on the network with "
            "the Jincheng plan, each key constant at the low and the high end of its range, the others as "
            "documented; then the fewest minutes any of these settings gives to each city.",
        ),
        (
            "code",
            "sens = explorer.sensitivity(claim.spec, 'jincheng_plan', 'centre_to_centre', 'rail')\n"
            "display(sens.round(3))\n"
            "sens.groupby('destination')[['minutes']].min().round(1)",
        ),
        (
            "md",
            "## Verdicts, with 100 uncertainty draws\n\nEvery constant with a range is drawn "
            "(triangular); `share_of_draws_holding` is how often the verdict holds. (`taihang check "
            "--draws 1000` does the same from the command line.)",
        ),
        (
            "code",
            "from network.analysis.claims import check_claim\n\n"
            "result = check_claim(claim, lambda year: network.Model.default(year=year), draws=100, seed=1)\n"
            "result.overall",
        ),
        (
            "md",
            "## The time-space map: 晋城 by rail, today and with the Jincheng plan\n\n"
            "Each place keeps its bearing from 晋城 and sits at the distance its minutes by rail would cover "
            "at one reference speed, so the rings are 60, 90, 120 minutes and a place that moves inward got "
            "closer.",
        ),
        (
            "code",
            "from IPython.display import Image\n\n"
            "from network.viz.timespace import timespace_frame, timespace_png\n\n"
            "panels = [(f'{name} ({models[name].as_of})', timespace_frame(models[name], '晋城', 'rail'))\n"
            "          for name in ('today', 'jincheng_plan')]\n"
            "Image(timespace_png(panels, '晋城 Jincheng', 'rail'))",
        ),
        (
            "md",
            "## Isochrones: everywhere within 60 and 120 minutes of Zhengzhou and Luoyang\n\n"
            "Door-to-door times towards each city, by the best mode, today and with both plans.",
        ),
        (
            "code",
            "from network.isochrones import isochrones\n"
            "from network.viz.maps import isochrone_map\n\n"
            "today, plans = models['today'], models['both_plans']\n"
            "bands = {(city, name): isochrones(m, city, [60, 120], direction='towards')\n"
            "         for city in ('郑州', '洛阳') for name, m in (('today', today), ('both_plans', plans))}\n"
            "pd.concat(bands.values(), keys=bands.keys()).drop(columns='geometry')",
        ),
        ("code", "isochrone_map(bands[('洛阳', 'both_plans')], plans.graph)"),
    ],
    "scenario_explorer": [
        (
            "md",
            "# Scenario explorer\n\n"
            "Pick a scenario card (one project of the plans, or a plan as a package) and see, side by side, "
            "what it changes on the map, who gains how many minutes to 郑州 and 洛阳 (and to the places the "
            "card says it serves), and the time-space map of the places towards 郑州 before and after.\n\n"
            "**What this rests on.** Each card is applied to the network as it is on the card's opening date; "
            "the gains are door-to-door minutes by the best mode (before − after), population-weighted where "
            "summed. Cards that only the command line can run at scale: `taihang compare`. Runs offline.",
        ),
        (
            "code",
            "import network\nfrom network.analysis.compare import compare, ranking\n"
            "from network.examples import example_folder\nfrom network.scenario.load import load_scenario\n\n"
            "cards = sorted(example_folder('scenarios').glob('*.yaml'))\n"
            "[c.stem for c in cards]",
        ),
        (
            "code",
            "from network.model import default_year\nfrom network.viz.widgets import scenario_explorer\n\n\n"
            "def compare_one(card):\n"
            '    """The card against the network as it is when the card\'s last change opens."""\n'
            "    scenario = load_scenario(card)\n"
            "    base = network.Model.default(year=default_year([scenario]))\n"
            "    return compare(base, [scenario], ['郑州', '洛阳'], decompose=False)\n\n\n"
            "scenario_explorer(compare_one, cards, first='jincheng_plan')",
        ),
        (
            "md",
            "## Several cards at once\n\nRanked on 晋城's population-weighted gain to the main targets "
            "(郑州, 洛阳) and to the places each card serves. Edit `picked` and run the cell again.",
        ),
        (
            "code",
            "picked = ['jincheng_houma_hsr', 'henan_west_hsr_link', 'yangcheng_plan', 'without_yangji_expressway']\n"
            "scenarios = [load_scenario(example_folder('scenarios') / f'{name}.yaml') for name in picked]\n"
            "base = network.Model.default(year=2032)\n"
            "comp = compare(base, scenarios, ['郑州', '洛阳'], decompose=False)\n"
            "ranking(comp)",
        ),
        (
            "md",
            "## The indicator suite, before and after\n\nPopulation-weighted mean time, share within "
            "each threshold, and inequality across places (CV, Gini, Theil).",
        ),
        (
            "code",
            "cols = ['target', 'mode', 'weighted_mean_min_change', 'share_within_90_min_change',\n"
            "        'gini_before', 'gini_after', 'theil_change']\n"
            "comp.results[0].summary[cols]",
        ),
        ("md", "## Places that gain most"),
        (
            "code",
            "r = comp.results[0]\nr.places.sort_values('best_gain_min', ascending=False).head(10)[\n"
            "    ['target', 'name_zh', 'name_en', 'best_before_min', 'best_after_min', 'best_gain_min',\n"
            "     'rail_gain_min']]",
        ),
    ],
}


def main() -> None:
    ROOT.mkdir(exist_ok=True)  # cell ids are fixed, so regenerating gives the same files
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(
            cells=[
                new_markdown_cell(src, id=f"{name}-{k}") if kind == "md" else new_code_cell(src, id=f"{name}-{k}")
                for k, (kind, src) in enumerate(cells)
            ]
        )
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, ROOT / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
