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
            "# Does the one-hour circle hold?\n\nThe Jincheng plan says the Zhengzhou–Taiyuan HSR "
            '"formed a Jincheng–Zhengzhou–Luoyang one-hour economic circle". `claims/one_hour_circle.yaml` '
            "states it precisely: three readings (platform to platform, centre to centre, population-weighted "
            "over Jincheng's counties), two modes, and three networks (today, and with the plan packages). "
            "Everything below calls the package; runs offline.",
        ),
        (
            "code",
            "from pathlib import Path\n\nimport pandas as pd\n\nimport network\n"
            "from network.analysis.claims import check_claim, load_claim\n\n"
            "ROOT = Path(network.__file__).resolve().parents[1]\n"
            "claim = load_claim(ROOT / 'claims' / 'one_hour_circle.yaml')\n"
            "print(claim.spec.interpretation)",
        ),
        (
            "md",
            "## Verdicts, with 200 uncertainty draws\n\nEvery constant with a range is drawn "
            "(triangular); `share_of_draws_holding` is how often the verdict holds. (`taihang check "
            "--draws 1000` does the same from the command line.)",
        ),
        (
            "code",
            "result = check_claim(claim, lambda year: network.Model.default(year=year), draws=200, seed=1)\n"
            "result.overall",
        ),
        (
            "md",
            "## For whom, and where the time goes\n\nAccess, security and the wait cost as much as the "
            "train: the platform-to-platform time is the only reading near one hour.",
        ),
        (
            "code",
            "cols = ['network', 'reading', 'mode', 'destination', 'minutes', 'p10_min', 'p90_min', 'access',\n"
            "        'processing', 'wait', 'in_vehicle', 'egress', 'share_within']\n"
            "result.per_destination[cols].round(1)",
        ),
        (
            "md",
            "## Isochrones: everywhere within 60 and 120 minutes of Zhengzhou and Luoyang\n\n"
            "Door-to-door times towards each city, by the best mode, today and with both plans.",
        ),
        (
            "code",
            "from network.isochrones import isochrones\nfrom network.scenario.load import load_scenario\n"
            "from network.viz.maps import isochrone_map\n\n"
            "today = network.Model.default(year=2032)\n"
            "plans = today.with_scenario(load_scenario(ROOT / 'scenarios' / 'both_plans.yaml'))\n"
            "bands = {(city, name): isochrones(m, city, [60, 120], direction='towards')\n"
            "         for city in ('郑州', '洛阳') for name, m in (('today', today), ('both_plans', plans))}\n"
            "pd.concat(bands.values(), keys=bands.keys()).drop(columns='geometry')",
        ),
        ("code", "isochrone_map(bands[('洛阳', 'both_plans')], plans.graph)"),
        ("code", "isochrone_map(bands[('郑州', 'today')], today.graph)"),
    ],
    "scenario_explorer": [
        (
            "md",
            "# Scenario explorer\n\nPick scenario files, compare them with the network as it is, and map "
            "who gains. Edit `picked` and run all.",
        ),
        (
            "code",
            "from pathlib import Path\n\nimport network\nfrom network.analysis.compare import compare, ranking\n"
            "from network.scenario.load import load_scenario\n\n"
            "ROOT = Path(network.__file__).resolve().parents[1]\n"
            "sorted(p.stem for p in (ROOT / 'scenarios').glob('*.yaml'))",
        ),
        (
            "code",
            "picked = ['jincheng_houma_hsr', 'henan_west_hsr_link', 'yangcheng_plan',\n"
            "          'without_yangji_expressway']\n"
            "scenarios = [load_scenario(ROOT / 'scenarios' / f'{name}.yaml') for name in picked]\n"
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
        ("md", "## Map of gains and losses (the first scenario, to Luoyang)"),
        ("code", "from network.viz.maps import change_map\n\nchange_map(comp.graph, comp.results[0], 'luoyang')"),
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
