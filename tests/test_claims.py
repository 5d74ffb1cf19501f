"""Claim files: valid and invalid (messages with lines), verdict logic, legs, shipped claims."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from network.analysis.claims import READINGS, ClaimFile, leg_breakdown, load_claim, verdicts
from network.analysis.claims.route import route_verdicts
from network.cli import main
from network.errors import ScenarioError

ROOT = Path(__file__).parents[1]
CLAIMS = sorted((ROOT / "claims").glob("*.yaml"))
GOOD = """name: t
claim: "a claim"
source: "a plan"
interpretation: "read so"
origin: {city: 晋城, stations: [晋城东站]}
destinations:
  - {place: 郑州, stations: [郑州东站]}
threshold_min: 60
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_claims_are_valid_and_cover_every_claim():
    names = {load_claim(p).spec.name for p in CLAIMS}
    assert {"one_hour_circle", "three_hour_talent_circle", "gates_of_luoyang"} <= names


def test_defaults(tmp_path):
    spec = load_claim(write(tmp_path, GOOD)).spec
    assert spec.readings == list(READINGS) and spec.modes == ["rail", "best"] and spec.thresholds == [60.0]
    assert [n.name for n in spec.networks] == ["today"]


@pytest.mark.parametrize(
    "edit, message",
    [
        (("threshold_min: 60", "threshold_min: -5"), r"c.yaml:8: threshold_min: .*greater than 0"),
        (
            ("threshold_min: 60", "threshold_min: 60\nreadings: [door_to_door]"),
            r"c.yaml:9: readings\[0\]: Input should be",
        ),
        (
            ("origin: {city: 晋城, stations: [晋城东站]}", "origin: {stations: [晋城东站]}"),
            r"c.yaml:5: origin: .*either 'city'",
        ),
        (("  - {place: 郑州, stations: [郑州东站]}", "  - {place: 郑州}"), r"station_to_station reading needs"),
        (("name: t", "name: t\ncolour: red"), r"c.yaml:2: colour: unknown field"),
        (
            ("threshold_min: 60", "threshold_min: 60\nnetworks: [{name: x, scenario: nope.yaml}]"),
            r"c.yaml:9: networks\[0\].scenario: no file",
        ),
    ],
)
def test_invalid_claims_name_line_and_field(tmp_path, edit, message):
    with pytest.raises(ScenarioError, match=message) as err:
        load_claim(write(tmp_path, GOOD.replace(*edit)))
    assert "claim file" in str(err.value)


def _by_hand(**fields) -> ClaimFile:
    """A claim written here: the fields every claim has, then ``fields``."""
    head = {"name": "t", "claim": "c", "source": "s", "interpretation": "i", "origin": {"city": "x"}}
    return ClaimFile.model_validate({**head, **fields})


def test_verdict_logic_by_hand():
    spec = _by_hand(
        destinations=[{"place": "a"}, {"place": "b"}],
        threshold_min=[60, 90],
        readings=["centre_to_centre"],
        modes=["best"],
    )
    times = pd.DataFrame(
        [
            {"network": "n", "reading": "centre_to_centre", "mode": "best", "destination": "a", "minutes": 55.0},
            {"network": "n", "reading": "centre_to_centre", "mode": "best", "destination": "b", "minutes": 75.0},
        ]
    )
    per, overall = verdicts(times, spec)
    assert overall["verdict"].tolist() == ["does not hold", "holds"]  # 60: b fails; 90: both within
    assert overall["worst_destination"].tolist() == ["b", "b"]
    assert overall["failing"].tolist() == ["b", "—"]
    any_spec = spec.model_copy(update={"require": "any_destination"})
    assert verdicts(times, any_spec)[1]["verdict"].tolist() == ["holds", "holds"]
    assert per.loc[(per["threshold_min"] == 60) & (per["destination"] == "b"), "margin_min"].item() == -15.0


def test_a_route_verdict_row_never_mixes_destinations():
    """The longest time and the destination named next to it come from one row; the failing ones
    are listed apart (a failing short trip next to a holding long one was once shown as one)."""
    spec = _by_hand(
        destinations=[{"place": "near"}, {"place": "far"}],
        route_checks=[{"name": "via", "mode": "rail", "via": "a", "within_km": 5, "expect": True}],
    )
    per = pd.DataFrame(
        [
            {"network": "n", "reading": "via", "mode": "rail", "destination": "near", "minutes": 50.0, "holds": False},
            {"network": "n", "reading": "via", "mode": "rail", "destination": "far", "minutes": 90.0, "holds": True},
        ]
    )
    row = route_verdicts(per, spec).iloc[0]
    assert (row["verdict"], row["failing"]) == ("does not hold", "near")
    assert (row["max_minutes"], row["worst_destination"]) == (90.0, "far")


def test_all_of_uses_the_worst_place():
    spec = ClaimFile.model_validate(
        {
            "name": "t",
            "claim": "c",
            "source": "s",
            "interpretation": "i",
            "origin": {"city": "x"},
            "destinations": [{"place": "a"}],
            "threshold_min": 60,
            "readings": ["population_weighted"],
            "modes": ["best"],
            "aggregate": "all_of",
        }
    )
    times = pd.DataFrame(
        [
            {
                "network": "n",
                "reading": "population_weighted",
                "mode": "best",
                "destination": "a",
                "minutes": 50.0,
                "worst_minutes": 70.0,
                "place_minutes": [40.0, 70.0],
                "population": [3.0, 1.0],
            }
        ]
    )
    per, overall = verdicts(times, spec)
    assert overall["verdict"].item() == "does not hold"
    assert per["share_within"].item() == 0.75


def test_leg_breakdown():
    legs = [
        {"mode": "road", "minutes": 10.0},
        {"mode": "processing", "minutes": 20.0},
        {"mode": "wait", "minutes": 15.0},
        {"mode": "hsr", "minutes": 40.0},
        {"mode": "transfer", "minutes": 10.0},
        {"mode": "wait", "minutes": 5.0},
        {"mode": "rail", "minutes": 30.0},
        {"mode": "egress", "minutes": 5.0},
        {"mode": "road", "minutes": 8.0},
    ]
    assert leg_breakdown(legs) == {"access": 10.0, "processing": 20.0, "wait": 30.0, "in_vehicle": 70.0, "egress": 13.0}
    assert leg_breakdown([{"mode": "road", "minutes": 90.0}])["in_vehicle"] == 90.0


def test_check_one_hour_circle_cli_legs_add_up(tmp_path):
    res = CliRunner().invoke(main, ["check", str(ROOT / "claims" / "one_hour_circle.yaml"), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    per = pd.read_csv(tmp_path / "one_hour_circle.csv")
    legs = per[["access", "processing", "wait", "in_vehicle", "egress"]].sum(axis=1)
    assert np.allclose(legs, per["minutes"], atol=0.3)
    assert (tmp_path / "one_hour_circle.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    overall = pd.read_csv(tmp_path / "one_hour_circle_verdicts.csv")
    # every network x reading x mode has a verdict
    assert len(overall) == 3 * (1 + 2 * 2)
    assert set(overall["verdict"]) <= {"holds", "does not hold"}


@pytest.mark.slow
def test_check_every_shipped_claim_prints_verdicts(tmp_path):
    """Every shipped claim checks from the command line (with a few draws) without error."""
    res = CliRunner().invoke(main, ["check", *map(str, CLAIMS), "--draws", "4", "--seed", "2", "--json"])
    assert res.exit_code == 0, res.output
    import json

    payload = json.loads(res.output)
    assert [p["claim"] for p in payload] == [load_claim(c).spec.name for c in CLAIMS]
    for p in payload:
        assert p["verdicts"] and all(v["verdict"] in ("holds", "does not hold") for v in p["verdicts"])
        if load_claim(ROOT / "claims" / f"{p['claim']}.yaml").spec.route_checks:  # no minutes to draw
            assert p["uncertainty"].startswith("no draws:")
            continue
        assert all(v["share_of_draws_holding"] is not None for v in p["verdicts"])
    res = CliRunner().invoke(main, ["check", str(ROOT / "claims" / "gates_of_luoyang.yaml")])
    assert res.exit_code == 0, res.output


def test_every_claim_quotes_its_plan_word_for_word():
    """The Chinese of each claim (before its English gloss) stands in a plan as written."""
    import re

    plans = "".join(
        p.read_text(encoding="utf-8") for p in (ROOT.parent / "shared" / "reference" / "plans").glob("*.txt")
    )
    if not plans:
        pytest.skip("the plan texts are not beside the checkout")
    flat = re.sub(r"\s+", "", plans)
    for f in sorted((ROOT / "claims").glob("*.yaml")):
        quote = load_claim(f).spec.claim.split(" (", 1)[0]
        for part in re.split(r"\s*\.\.\.\s*", quote):
            assert re.sub(r"\s+", "", part) in flat, f"{f.name}: {part!r} is not in the plans"


def test_route_claims_check_the_fastest_trip_s_route():
    """The route checks read the path: a road trip to a place it passes by is within 0 km of it,
    and a claim that reads the opposite does not hold."""
    from network.analysis.claims.check import check_claim
    from network.model import Model

    res = check_claim(
        load_claim(ROOT / "claims" / "no_expressway_to_hebi_anyang.yaml"), lambda y: Model.default(year=y)
    )
    per = res.per_destination
    assert set(per["reading"]) == {"no_direct_expressway", "round_by_changzhi"}
    assert per["holds"].dtype == bool and (per["holds"] == (per["shows"] == per["expected"])).all()
    # before 晋临, no fastest road trip to 鹤壁 runs on expressways all the way; with it, one does
    hebi = per[(per["destination"] == "鹤壁") & (per["reading"] == "no_direct_expressway")].set_index("network")
    assert not hebi.loc["today", "shows"] and hebi.loc["jinlin", "shows"]
    assert hebi.loc["jinlin", "value"] <= 15 < hebi.loc["today", "value"]


def test_a_route_claim_says_it_has_no_draws_and_a_claim_needs_minutes_or_routes(tmp_path, model):
    from network.analysis.claims.check import check_claim

    claim = load_claim(ROOT / "claims" / "only_roads_to_yuncheng.yaml")
    res = check_claim(claim, lambda y: model, draws=10)
    assert res.uncertainty_note.startswith("no draws:") and "p50_min" not in res.per_destination
    text = (ROOT / "claims" / "only_roads_to_yuncheng.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "claims" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(text.replace("route_checks:", "threshold_min: 60\nroute_checks:"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="minutes .*threshold_min.* or about routes"):
        load_claim(bad)
