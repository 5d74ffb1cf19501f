"""Cards that know each other (network/scenario/governance.py): requisites order the changes, a
missing requisite, a conflict and a cycle are errors naming file and line; every link a scenario
adds or changes names its card."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import main
from network.errors import ScenarioError
from network.model import Model
from network.scenario.load import load_scenario

GOV = Path(__file__).parent / "fixtures" / "cards" / "governance"
ROOT = Path(__file__).resolve().parents[1]


def test_a_required_card_applies_first_whatever_the_package_order():
    sc = load_scenario(GOV / "package_b_first.yaml")
    assert [c.scenario for c in sc.changes] == ["a_link", "b_widening"]  # listed b first, a applies first
    model = Model.default(year=2030).with_scenario(sc)
    report = model.apply_report
    assert not report.skipped and len(report.applied) == 2
    road = {k: model.network.edge_data(k).get("card") for k in report.added_edges if k[2] == "corridor:test_link"}
    assert road and set(road.values()) == {"a_link; b_widening"}  # built by a_link, then rebuilt by b_widening
    others = {model.network.edge_data(k).get("card") for k in report.added_edges if k not in road}
    assert others == {"a_link"}  # its connectors to the roads near each end
    assert all(model.network.edge_data(k).get("card") for k in report.changed_edges)


def test_without_the_ordering_the_widening_would_find_no_road():
    """The order matters: the widening alone (its requisite left out by hand) cannot apply."""
    from network.scenario.load import scenario_from_changes

    sc = load_scenario(GOV / "package_b_first.yaml")
    widening_only = scenario_from_changes("b_only", [c for c in sc.changes if c.scenario == "b_widening"], sc.files)
    with pytest.raises(ScenarioError, match="test_link"):
        Model.default(year=2030).with_scenario(widening_only)


def test_a_missing_requisite_names_the_line_and_the_card_to_include():
    with pytest.raises(ScenarioError) as err:
        load_scenario(GOV / "b_widening.yaml")
    text = str(err.value)
    assert f"{GOV / 'b_widening.yaml'}:4: requires: card 'a_link' is not in this composition" in text
    assert "include a_link.yaml" in text


def test_conflicting_cards_cannot_be_composed():
    with pytest.raises(ScenarioError) as err:
        load_scenario(GOV / "package_rivals.yaml")
    text = str(err.value)
    assert f"{GOV / 'c_rival.yaml'}:4: conflicts: c_rival cannot be composed with a_link" in text


def test_a_cycle_of_requisites_is_refused_with_its_lines():
    with pytest.raises(ScenarioError) as err:
        load_scenario(GOV / "package_loop.yaml")
    text = str(err.value)
    assert "a cycle of requisites, x_loop -> y_loop -> x_loop" in text
    assert str(GOV / "x_loop.yaml") + ":4" in text and str(GOV / "y_loop.yaml") + ":4" in text


def test_validate_says_which_card_is_missing():
    res = CliRunner().invoke(main, ["validate", str(GOV / "b_widening.yaml")])
    assert res.exit_code == 2
    assert "card 'a_link' is not in this composition" in res.output and "a_link.yaml" in res.output


def test_every_link_of_a_scenario_network_names_its_card():
    sc = load_scenario(ROOT / "scenarios" / "both_plans.yaml")
    model = Model.default(year=2035).with_scenario(sc)
    report = model.apply_report
    names = set()

    def collect(s):
        names.add(s.name)
        for part in s.components:
            collect(part)

    collect(sc)
    for key in [*report.added_edges, *report.changed_edges]:
        card = model.network.edge_data(key).get("card")
        if model.network.edge_data(key).get("rule") == "rail_mix" and not card:
            continue  # a shared wait re-averaged because a card changed a service it averages
        assert card and set(card.split("; ")) <= names, key
    links = model.links_frame()
    carded = links[links["card"] != ""]
    assert len(carded) > 0 and set("; ".join(carded["card"]).split("; ")) <= names
    base_links = Model.default(year=2035).links_frame()
    assert (base_links["card"] == "").all()  # the base network's links name no card
    legs = model.route("阳城", "郑州")["legs"]
    assert any("jinyang_widening" in leg.get("cards", []) for leg in legs)


def test_tags_reach_the_ranking():
    from network.analysis.compare import compare, ranking

    sc = load_scenario(GOV / "package_b_first.yaml")
    comp = compare(Model.default(year=2030), [sc], ["郑州"], decompose=False, workers=1)
    assert ranking(comp).iloc[0]["tags"] == "road; upgrade"


def test_a_package_with_requisites_decomposes():
    """Each card alone runs with the cards it requires; the package without a card leaves out the
    cards built on it too (neither could apply otherwise)."""
    from network.analysis.compare import compare

    sc = load_scenario(GOV / "package_b_first.yaml")
    comp = compare(Model.default(year=2030), [sc], ["郑州"], decompose=True, workers=1)
    d = comp.results[0].decomposition.set_index("component")
    assert d.loc["b_widening", "alone_with"] == "a_link" and d.loc["b_widening", "without_also"] == ""
    assert d.loc["a_link", "alone_with"] == "" and d.loc["a_link", "without_also"] == "b_widening"
