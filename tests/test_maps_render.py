"""Maps render without branca's per-element template compile; the bytes must equal branca's
own render of the same map (built twice: its random ids are renumbered by map_html)."""

from __future__ import annotations

import time

import pytest

from network.model import Model


@pytest.mark.parametrize("kind", ["score", "change"])
def test_the_fast_render_gives_branca_bytes(kind):
    pytest.importorskip("folium")
    from network.analysis.compare import compare
    from network.scenario.load import load_scenario
    from network.viz.maps import build_map, change_map, map_html
    from tests.test_scenarios import SCENARIOS

    model = Model.default(2030)
    if kind == "score":
        per, _ = model.score(["郑州", "洛阳"])

        def make(caveat="a caveat"):
            return build_map(model.graph, per, warnings=[caveat])
    else:
        comp = compare(model, [load_scenario(SCENARIOS[0].parent / "yangji_intercity_rail.yaml")], ["郑州"], False)

        def make(caveat="a caveat"):
            return change_map(comp.graph, comp.results[0], comp.targets[0], warnings=[caveat])

    t0 = time.perf_counter()
    plain = map_html(make(), verbatim=False)
    t1 = time.perf_counter()
    fast = map_html(make())
    t2 = time.perf_counter()
    assert fast == plain
    # branca's own render reads such text as a template and drops it; here it is printed as given
    assert "{{ braces }} and {% tags %}" in map_html(make("a caveat with {{ braces }} and {% tags %}"))
    print(f"{kind} map: branca render {t1 - t0:.2f} s, verbatim {t2 - t1:.2f} s")
