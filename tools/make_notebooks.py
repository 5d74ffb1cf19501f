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
        ("md", "# taihang quick start\n\nThe embedded default network of south-east Shanxi and the "
               "Central Plains, door-to-door times to Zhengzhou and Luoyang, one trip with its legs, "
               "and the interactive map. Runs offline."),
        ("code", "import network\n\nmodel = network.Model.default(year=2024)\nmodel.as_of"),
        ("md", "## Every county-level place: minutes to Zhengzhou and Luoyang by road, with rail, best"),
        ("code", "per_place, summary = model.score()\nper_place.sort_values('zhengzhou_best_min').head(10)"),
        ("code", "summary"),
        ("md", "## One trip, with its legs\n\nStation to station is platform to platform (as a "
               "timetable gives it); anything else is door to door."),
        ("code", "import pandas as pd\n\ntrip = model.route('晋城东站', '郑州站', mode='rail')\n"
                 "print(round(trip['minutes'], 1), 'min', round(trip['km'], 1), 'km')\n"
                 "pd.DataFrame(trip['legs'])"),
        ("code", "door = model.route('阳城', '洛阳', mode='best')\npd.DataFrame(door['legs'])"),
        ("md", "## The map\n\nLayers by mode; places coloured by best-mode minutes to Zhengzhou."),
        ("code", "from network.viz.maps import build_map\n\nbuild_map(model.graph, per_place, target='zhengzhou')"),
        ("md", "## What the numbers rest on\n\nEvery constant, with its source or reasoning and its range."),
        ("code", "from network.assumptions import describe_assumptions\n\n"
                 "pd.DataFrame(describe_assumptions(model.assumptions)).head(12)"),
    ],
}


def main() -> None:
    ROOT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                                 for kind, src in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, ROOT / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
