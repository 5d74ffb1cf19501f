"""Edge times as data: every edge has a timing rule and its inputs, and one vectorised function
gives the minutes a fresh build would give, for any constants inside their ranges."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from network.analysis.uncertainty import draw_assumptions
from network.graph.timing import Rule, TimingTable, edge_minutes
from network.model import Model
from network.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _times_by_key(model: Model) -> dict[tuple, float]:
    et = model.edge_table
    return {k: float(t) for k, t, m in zip(et.keys, et.time_min, et.mode) if m != "closed"}


def _networks():
    yield "embedded 2024", lambda a: Model.default(year=2024, assumptions=a)
    both = load_scenario(ROOT / "scenarios" / "both_plans.yaml")
    yield "both plans 2040", lambda a: Model.default(year=2040, assumptions=a).with_scenario(both)
    bus = load_scenario(ROOT / "scenarios" / "yangcheng_airfield.yaml")
    yield "an airport scenario", lambda a: Model.default(year=2040, assumptions=a).with_scenario(bus)


@pytest.mark.parametrize("name, make", list(_networks()), ids=lambda x: x if isinstance(x, str) else "")
def test_edge_minutes_equal_a_fresh_build_for_constants_in_their_ranges(name, make):
    base = make(None)
    table = TimingTable.from_graph(base.graph, base.edge_table.keys, base.edge_table.time_min)
    np.testing.assert_allclose(edge_minutes(table, base.assumptions), base.edge_table.time_min, rtol=0, atol=1e-9)
    draws, _ = draw_assumptions(base.assumptions, 3, seed=11)
    # fixed times keep their value in a draw: a block time, an airport's own processing, and a
    # coach's road minutes (its path is not re-timed: the approximation the closing note states)
    fixed = {k for k, r in zip(base.edge_table.keys, table.rule) if r == list(Rule).index(Rule.FIXED)}
    for a in draws:
        model = make(a)
        fresh = _times_by_key(model)
        ours = dict(zip(base.edge_table.keys, edge_minutes(table, a)))
        # a coach keeps the road path it was built on; the fresh build may pick another one
        moved = {
            k
            for k in fresh
            if base.graph.has_edge(*k)
            and base.graph.edges[k].get("rule") == Rule.COACH.value
            and model.graph.edges[k]["coach_path"] != base.graph.edges[k]["coach_path"]
        }
        keys = [k for k in fresh if k in ours and k not in fixed and k not in moved]
        coaches = sum(1 for _, _, d in base.graph.edges(data=True) if d.get("rule") == Rule.COACH.value)
        assert len(moved) < coaches, (name, len(moved), coaches)  # some coaches are compared
        assert len(keys) >= 0.99 * len(fresh), name  # the same network, edge for edge
        got = np.array([ours[k] for k in keys])
        want = np.array([fresh[k] for k in keys])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=name)


def test_every_edge_has_a_rule_and_no_road_access_or_stop_edge_is_fixed(model):
    kinds = {}
    for _, _, d in model.graph.edges(data=True):
        assert d.get("rule") in {r.value for r in Rule}, d
        kinds.setdefault(d["kind"], set()).add(d["rule"])
        if d["rule"] == Rule.FIXED.value:
            assert d.get("time_reason"), d
    for kind in ("link", "connector", "wait", "dwell", "egress", "transfer"):
        assert Rule.FIXED.value not in kinds.get(kind, set()), kind
    assert kinds["ride"] >= {Rule.RAIL_RIDE.value}


def test_no_code_decides_a_time_from_prose():
    """Times come from rules and inputs, never from a ``source`` text (rewording one must not
    change a number)."""
    pattern = re.compile(
        r"""(["']source["']\]|get\(["']source["']\))[^\n]*(startswith|\bin\b)|["']\w+["'] in src\b|src\.startswith"""
    )
    for path in sorted((ROOT / "network").rglob("*.py")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not pattern.search(line), f"{path.relative_to(ROOT)}:{no}: {line.strip()}"
    for name in ("graph/timing.py", "analysis/uncertainty.py"):
        text = (ROOT / "network" / name).read_text(encoding="utf-8")
        assert '"source"' not in text and "'source'" not in text, name


def test_builders_set_rules_and_inputs_never_a_time():
    """Every time is set in one place, network/graph/timing.py (fill_times)."""
    builders = [ROOT / "network" / "graph" / n for n in ("build.py", "road_layer.py", "osm.py", "gmns.py")]
    builders += sorted((ROOT / "network" / "scenario").glob("*.py"))
    setting = re.compile(r"""\btime_min\s*=|["']time_min["']\s*:""")
    for path in builders:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not setting.search(line), f"{path.relative_to(ROOT)}:{no}: {line.strip()}"


def test_every_rule_has_its_formula_in_words():
    from network.graph.timing import Rule
    from network.graph.timing_words import RULE_FORMULAS

    assert set(RULE_FORMULAS) == set(Rule)
