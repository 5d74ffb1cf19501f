"""The before/after trips the plans lean on, as the model gives them today: km, minutes and the
roads or lines each trip takes, for the year before each project opened and a year after.

Run it before and after a change to the model's speeds, roads or timetables, and read what moved::

    python tools/before_after.py            # a table on stdout
    python tools/before_after.py --json     # the same, with the route of every trip

The pairs are those the fidelity work is judged on (each names the project and the years either
side of its opening, from data/roads.yaml and data/rail_lines.yaml). Places the network does not
know yet are reported as such, not skipped silently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network.analysis.openings import route_summary  # noqa: E402
from network.errors import NetworkModelError  # noqa: E402
from network.model import Model  # noqa: E402

#: (project, origin, destination, mode, year before, year after)
PAIRS = [
    ("阳济", "阳城", "济源", "road", 2019, 2021),
    ("阳济", "阳城", "洛阳", "road", 2019, 2021),
    ("新晋", "陵川", "新乡", "road", 2022, 2024),
    ("郑太", "郑州", "太原", "rail", 2019, 2021),
    ("郑太", "晋城", "郑州", "rail", 2019, 2021),
    ("G55", "晋城", "洛阳", "road", 2007, 2009),
    ("晋焦", "晋城", "郑州", "road", 2001, 2003),
    ("长平", "长治", "安阳", "road", 2012, 2014),
    ("运三", "运城", "三门峡", "road", 2022, 2024),
]


def run() -> list[dict]:
    rows = []
    for project, o, d, mode, before, after in PAIRS:
        row: dict = {"project": project, "trip": f"{o} → {d}", "mode": mode}
        for label, year in (("before", before), ("after", after)):
            try:
                trip = Model.default(year).route(o, d, mode=mode)
                row[label] = {
                    "year": year,
                    "km": trip["km"],
                    "minutes": trip["minutes"],
                    "route": route_summary(trip),
                }
            except NetworkModelError as err:
                row[label] = {"year": year, "error": str(err).splitlines()[0]}
        rows.append(row)
    return rows


def main() -> None:
    rows = run()
    if "--json" in sys.argv:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        b, a = r["before"], r["after"]
        if "error" in b or "error" in a:
            print(f"{r['project']:5} {r['trip']:12} {r['mode']:5} {b.get('error') or a.get('error')}")
            continue
        saved = b["minutes"] - a["minutes"]
        print(
            f"{r['project']:5} {r['trip']:12} {r['mode']:5} {b['year']}: {b['km']:6.1f} km {b['minutes']:6.1f} min"
            f"   {a['year']}: {a['km']:6.1f} km {a['minutes']:6.1f} min   saved {saved:6.1f} min"
        )
        print(f"      before: {b['route']}\n      after:  {a['route']}")


if __name__ == "__main__":
    main()
