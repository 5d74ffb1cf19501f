"""Bad and hostile input ends in one clear line, never a traceback, a hang or a leaked file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.assumptions import Assumptions
from network.cli import main
from network.errors import AssumptionError, DataError, ScenarioError
from network.io import dumps_json, read_bounded_bytes
from network.scenario.load import load_scenario

HEAD = "name: t\ndescription: t\nsource: t\n"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines[0].startswith("taihang: error:") or ": " in lines[0], res.output
    assert "Traceback" not in res.output
    for n in needles:
        assert n in res.output, res.output


@pytest.mark.parametrize("include, message", [
    ("/etc/passwd", "is an absolute path"),
    ("~/x.yaml", "is an absolute path"),
    ("../../../../etc/passwd", "leads outside"),
    ("a" * 300 + ".yaml", "no file"),
])
def test_includes_stay_inside_the_folder_and_never_echo_a_file(tmp_path, include, message):
    f = tmp_path / "s.yaml"
    f.write_text(HEAD + f"includes: [{include}]\nchanges: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    text = "\n".join(err.value.problems)
    assert message in text and "root:" not in text  # no line of /etc/passwd


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text(HEAD + "changes: []\n", encoding="utf-8")
    (inner / "link.yaml").symlink_to(outside)
    (inner / "s.yaml").write_text(HEAD + "includes: [link.yaml]\nchanges: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="leads outside"):
        load_scenario(inner / "s.yaml")


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "fifo", "dir"])
def test_devices_fifos_and_directories_are_refused_without_reading(tmp_path, special):
    if special == "fifo":
        path = tmp_path / "f.yaml"
        os.mkfifo(path)
    elif special == "dir":
        path = tmp_path / "d.yaml"
        path.mkdir()
    else:
        path = Path(special)
    t0 = time.perf_counter()
    with pytest.raises(DataError, match="directory|not a regular file"):
        read_bounded_bytes(path, 1000, "scenario file")
    res = run("validate", str(path))
    assert time.perf_counter() - t0 < 10
    one_line_error(res, "not a regular file" if special != "dir" else "")


def test_a_too_large_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 2_000_000)
    with pytest.raises(DataError, match="at most 1,000,000 bytes"):
        read_bounded_bytes(path, 1_000_000, "scenario file")


def test_deep_nesting_is_refused_quickly(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(HEAD + "changes: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="nesting deeper than"):
        load_scenario(path)
    assert time.perf_counter() - t0 < 2


def test_a_diamond_of_includes_loads_each_file_once(tmp_path):
    for k in range(21):  # 21 files, each including the next twice: 2^20 loads without memoising
        inc = f"includes: [d{k + 1}.yaml, d{k + 1}.yaml]\n" if k < 20 else ""
        (tmp_path / f"d{k}.yaml").write_text(f"name: n{k}\ndescription: t\nsource: t\n{inc}changes: []\n",
                                             encoding="utf-8")
    t0 = time.perf_counter()
    sc = load_scenario(tmp_path / "d0.yaml")
    assert time.perf_counter() - t0 < 5
    assert len(sc.files) == 21


def test_a_claim_cannot_name_a_scenario_outside_the_project(tmp_path):
    from network.claims import load_claim

    root = Path(__file__).resolve().parents[1]
    text = (root / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    (tmp_path / "claims").mkdir()
    bad = text.replace("../scenarios/jincheng_plan.yaml", "/etc/passwd")
    (tmp_path / "claims" / "c.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError, match="absolute path"):
        load_claim(tmp_path / "claims" / "c.yaml")


@pytest.mark.parametrize("value, message", [
    ("0", "finite number > 0"), ("-1", "finite number > 0"), ("inf", "finite number > 0"), ("nan", "finite number > 0"),
    ("abc", "expected a number"), ("10", "outside its documented range 20-40"),
])
def test_assumptions_are_checked_against_their_ranges(value, message):
    with pytest.raises(AssumptionError, match=message):
        Assumptions().replace(urban_access_speed_kph=value)


def test_force_allows_a_value_outside_the_range_with_a_warning():
    a = Assumptions().replace(force=True, urban_access_speed_kph=10)
    assert a.urban_access_speed_kph == 10 and a.outside_range()
    res = CliRunner().invoke(main, ["route", "阳城", "晋城", "--assume", "urban_access_speed_kph=10", "--force"])
    assert res.exit_code == 0 and "warning: --force" in res.output


@pytest.mark.parametrize("args, needle", [
    (["score", "--assume", "urban_access_speed_kph=0"], "finite number > 0"),
    (["score", "--assume", "new_line_speed_factor=0"], "finite number > 0"),
    (["score", "--assume", "wait_cap_min=1e308"], "outside its documented range"),
    (["score", "--year", "99999999999999999999"], "--year"),
    (["score", "--year", "3000"], "--year"),
    (["score", "--targets", ","], "--targets"),
    (["score", "--thresholds", "inf"], "below 10,000"),
    (["check", "claims/one_hour_circle.yaml", "--draws", "-5"], "--draws"),
    (["nosuchcommand"], "No such command"),
    (["route", "阳城"], "Missing argument"),
])
def test_bad_command_lines_print_one_line(args, needle):
    res = run(*args)
    one_line_error(res, needle)
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output


def test_json_never_holds_nan_or_infinity():
    assert dumps_json({"a": float("nan"), "b": [float("inf"), 1.5]}) == '{"a": null, "b": [null, 1.5]}'
    res = run("score", "--format", "json")  # 沁水 has no station within the rail catchment: rail is null
    assert res.exit_code == 0

    def strict(token: str) -> float:
        raise ValueError(f"non-standard JSON token {token}")

    data = json.loads(res.output[res.output.index("{"):], parse_constant=strict)
    assert data


def test_out_is_written_as_a_whole_with_a_manifest(tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} == {"accessibility.csv", "scores.csv", "summary.csv", "scores.json"}
    (out / "stale.csv").write_text("from an earlier run", encoding="utf-8")
    assert run("score", "--out", str(out)).exit_code == 0  # a folder taihang wrote is replaced whole
    assert not (out / "stale.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_out_refuses_a_foreign_folder_and_a_file_before_the_work(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("keep me", encoding="utf-8")
    one_line_error(run("score", "--out", str(foreign)), "did not write")
    assert (foreign / "thesis.docx").read_text(encoding="utf-8") == "keep me"
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    one_line_error(run("map", "--out", str(afile / "x.html")), "cannot write")


def test_compare_says_which_changes_are_not_open(tmp_path):
    root = Path(__file__).resolve().parents[1]
    res = run("compare", str(root / "scenarios" / "yangji_intercity_rail.yaml"), "--year", "2024", "--no-decompose",
              "--out", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    assert "open after 2024-12-31: not counted" in res.output
    for name in ("ranking.csv", "summary.csv", "places.csv"):
        assert "changes_not_open" in (tmp_path / "c" / name).read_text(encoding="utf-8").splitlines()[0]
