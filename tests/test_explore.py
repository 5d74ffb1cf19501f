"""Exploring a claim as constants move (network/analysis/explore.py) and the notebooks' controls
(network/viz/widgets.py): re-timed, not rebuilt, equal to a rebuild; static without ipywidgets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import network
from network.analysis.claims import load_claim
from network.analysis.claims.check import network_for
from network.analysis.explore import KEY_CONSTANTS, Explorer, constant_ranges
from network.errors import AssumptionError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def claim():
    return load_claim(ROOT / "claims" / "one_hour_circle.yaml")


@pytest.fixture(scope="module")
def explorer(claim):
    nets = [n for n in claim.spec.networks if n.name in ("today", "jincheng_plan")]
    return Explorer({n.name: network_for(claim, n, lambda y: network.Model.default(year=y)) for n in nets})


def test_a_retimed_setting_equals_a_rebuild(claim, explorer):
    """Moving a constant re-times the edges with the build's own formulas: the claim's minutes are
    those of a network built from scratch with that constant."""
    setting = {"station_processing_min": 25.0, "built_up_speed_kph": 24.0, "wait_cap_min": 30.0}
    per, _ = explorer.claim(claim.spec, "jincheng_plan", **setting)
    net = next(n for n in claim.spec.networks if n.name == "jincheng_plan")
    constants = network.Assumptions().replace(**setting)
    rebuilt = network_for(claim, net, lambda y: network.Model.default(year=y, assumptions=constants))
    from network.analysis.claims.evaluate import evaluate

    direct = evaluate(rebuilt, claim.spec, "jincheng_plan")
    np.testing.assert_allclose(per["minutes"].to_numpy(float), direct["minutes"].to_numpy(float), atol=1e-6)


def test_a_longer_station_time_never_shortens_a_train_trip(claim, explorer):
    sens = explorer.sensitivity(claim.spec, "today", "centre_to_centre", "rail")
    built = sens[sens["constant"] == "as built"].set_index("destination")["minutes"]
    proc = sens[sens["constant"] == "station_processing_min"]
    low, high = (proc[proc["value"] == v].set_index("destination")["minutes"] for v in sorted(set(proc["value"])))
    assert (low <= built + 1e-9).all() and (built <= high + 1e-9).all() and (high - low > 10).all()
    assert set(sens["constant"]) == {"as built", *KEY_CONSTANTS}


def test_constants_stay_in_their_documented_ranges(claim, explorer):
    ranges = constant_ranges(explorer.models["today"].assumptions)
    assert (ranges["low"] <= ranges["value"]).all() and (ranges["value"] <= ranges["high"]).all()
    with pytest.raises(AssumptionError, match="documented range"):
        explorer.claim(claim.spec, "today", station_processing_min=5.0)


def test_the_claim_explorer_re_checks_as_a_slider_moves(claim, explorer):
    pytest.importorskip("ipywidgets")
    from network.viz.widgets import claim_explorer

    box = claim_explorer(explorer, claim.spec)
    out = box.children[-1]
    first = out.value
    assert "does not hold" in first or "holds" in first
    slider = next(c for c in box.children if getattr(c, "description", "") == "wait_cap_min")
    slider.value = slider.max
    assert out.value != first and "wait_cap_min = 45" in out.value
    assert "nan" not in out.value.lower() and "None" not in out.value


def test_without_ipywidgets_the_view_is_static(claim, explorer, monkeypatch):
    import network.viz.widgets as widgets

    monkeypatch.setattr(widgets, "has_widgets", lambda: False)
    view = widgets.claim_explorer(explorer, claim.spec)
    assert "ipywidgets is not installed" in view.data and "station_processing_min" in view.data
    assert view.data.count("<table>") == len(explorer.models) + 1  # each network, then the ranges


def test_the_scenario_explorer_shows_map_gain_and_time_space_side_by_side(monkeypatch):
    from network.analysis.compare import compare
    from network.scenario.load import load_scenario
    from network.viz import widgets

    card = ROOT / "scenarios" / "without_yangji_expressway.yaml"

    def compare_one(path):
        return compare(network.Model.default(year=2024), [load_scenario(path)], ["郑州", "洛阳"], decompose=False)

    monkeypatch.setattr(widgets, "has_widgets", lambda: False)
    page = widgets.scenario_explorer(compare_one, [card]).data
    assert page.count("data:image/png;base64,") == 2  # the gain chart and the time-space map
    assert "leaflet" in page.lower() and "cdn.jsdelivr" not in page and "Time-space map, before" in page
