"""The time-space map (network/viz/timespace.py): bearings kept, distance = minutes x one reference
speed, so a project that shortens a trip moves its place inward on the same scale."""

from __future__ import annotations

import numpy as np
import pytest

from network.model import Model
from network.scenario.load import load_scenario
from network.viz.timespace import bearings_deg, reference_speed_kph, timespace_frame, timespace_xy


@pytest.fixture(scope="module")
def frames():
    base = Model.default(2035)
    plan = base.with_scenario(load_scenario("scenarios/jincheng_plan.yaml"))
    return timespace_frame(base, "晋城", "rail"), timespace_frame(plan, "晋城", "rail")


def test_bearings_are_compass_bearings():
    b = bearings_deg(113.0, 35.0, np.array([113.0, 114.0, 113.0, 112.0]), np.array([36.0, 35.0, 34.0, 35.0]))
    np.testing.assert_allclose(b, [0.0, 90.0, 180.0, 270.0], atol=0.5)


def test_each_place_keeps_its_bearing_and_sits_at_its_minutes(frames):
    a, _ = frames
    v = reference_speed_kph(a)
    assert 10 < v < 120
    gx, gy, tx, ty = timespace_xy(a, v)
    ok = np.isfinite(tx)
    np.testing.assert_allclose(np.hypot(tx[ok], ty[ok]), a["minutes"].to_numpy()[ok] * v / 60.0)
    ground = np.degrees(np.arctan2(gx[ok], gy[ok])) % 360
    timed = np.degrees(np.arctan2(tx[ok], ty[ok])) % 360
    np.testing.assert_allclose(ground, timed, atol=1e-6)  # moved along its bearing, never sideways
    assert a["city"].sum() >= 8  # the prefecture centres are on it (and named on the PNG)


def test_a_project_moves_the_places_it_brings_closer_inward(frames):
    a, b = frames
    assert (a["place_id"] == b["place_id"]).all()
    m0, m1 = a["minutes"].to_numpy(), b["minutes"].to_numpy()
    both = np.isfinite(m0) & np.isfinite(m1)
    assert (m1[both] <= m0[both] + 1e-9).all()  # the plan adds, it closes nothing
    hebi = a.index[a["place_id"] == "hebi"][0]
    assert m1[hebi] < m0[hebi] - 30  # 晋城–鹤壁 HSR


def test_a_comparisons_time_space_map_shows_its_own_minutes():
    """compare --out draws the comparison's minutes (no new search): they are the minutes the
    model gives each place towards the target, before and after."""
    from network.analysis.compare import compare
    from network.viz.timespace import frames_from_comparison

    base = Model.default(2035)
    scenario = load_scenario("scenarios/jincheng_plan.yaml")
    comp = compare(base, [scenario], ["郑州"], decompose=False)
    before, after = frames_from_comparison(comp.graph, comp.results[0], "zhengzhou")
    for model, frame in ((base, before), (base.with_scenario(scenario), after)):
        direct = timespace_frame(model, "郑州", "best", towards=True).set_index("place_id")
        common = frame.set_index("place_id").index.intersection(direct.index)
        assert len(common) == len(frame) > 80
        np.testing.assert_allclose(
            frame.set_index("place_id").loc[common, "minutes"], direct.loc[common, "minutes"], atol=0.051
        )
    moved = before["minutes"].to_numpy() - after["minutes"].to_numpy()
    assert (moved >= -1e-9).all() and moved.max() > 5  # a new line only brings places closer
