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
from network.io import read_bounded_bytes
from network.scenario.load import load_scenario
from network.tables import dumps_json

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


@pytest.mark.parametrize(
    "include, message",
    [
        ("/etc/passwd", "is an absolute path"),
        ("~/x.yaml", "is an absolute path"),
        ("../../../../etc/passwd", "leads outside"),
        ("a" * 300 + ".yaml", "no file"),
    ],
)
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
        (tmp_path / f"d{k}.yaml").write_text(
            f"name: n{k}\ndescription: t\nsource: t\n{inc}changes: []\n", encoding="utf-8"
        )
    t0 = time.perf_counter()
    sc = load_scenario(tmp_path / "d0.yaml")
    assert time.perf_counter() - t0 < 5
    assert len(sc.files) == 21


def test_a_claim_cannot_name_a_scenario_outside_the_project(tmp_path):
    from network.analysis.claims import load_claim

    root = Path(__file__).resolve().parents[1]
    text = (root / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    (tmp_path / "claims").mkdir()
    bad = text.replace("../scenarios/jincheng_plan.yaml", "/etc/passwd")
    (tmp_path / "claims" / "c.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError, match="absolute path"):
        load_claim(tmp_path / "claims" / "c.yaml")


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "finite number > 0"),
        ("-1", "finite number > 0"),
        ("inf", "finite number > 0"),
        ("nan", "finite number > 0"),
        ("abc", "expected a number"),
        ("10", "outside its documented range 20-40"),
    ],
)
def test_assumptions_are_checked_against_their_ranges(value, message):
    with pytest.raises(AssumptionError, match=message):
        Assumptions().replace(urban_access_speed_kph=value)


def test_force_allows_a_value_outside_the_range_with_a_warning():
    a = Assumptions().replace(force=True, urban_access_speed_kph=10)
    assert a.urban_access_speed_kph == 10 and a.outside_range()
    res = CliRunner().invoke(main, ["route", "阳城", "晋城", "--assume", "urban_access_speed_kph=10", "--force"])
    assert res.exit_code == 0 and "warning: forced (--force)" in res.output


@pytest.mark.parametrize(
    "args, needle",
    [
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
    ],
)
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

    data = json.loads(res.output[res.output.index("{") :], parse_constant=strict)
    assert data


def test_out_is_written_as_a_whole_with_a_manifest(tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} == {
        "accessibility.csv",
        "indicators.csv",
        "scores.csv",
        "summary.csv",
        "equity.csv",
        "scores.json",
    }
    assert run("export-gtfs", "--out", str(out)).exit_code == 0  # a folder taihang wrote is replaced whole
    assert not (out / "scores.csv").exists()  # the earlier run's files do not mix with the new ones
    assert (out / "gtfs" / "stops.txt").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_out_refuses_a_foreign_folder_and_a_file_before_the_work(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("keep me", encoding="utf-8")
    one_line_error(run("score", "--out", str(foreign)), "no manifest.json")
    assert (foreign / "thesis.docx").read_text(encoding="utf-8") == "keep me"
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    one_line_error(run("map", "--out", str(afile / "x.html")), "cannot write")


def test_compare_says_which_changes_are_not_open(tmp_path):
    root = Path(__file__).resolve().parents[1]
    res = run(
        "compare",
        str(root / "scenarios" / "yangji_intercity_rail.yaml"),
        "--year",
        "2024",
        "--no-decompose",
        "--out",
        str(tmp_path / "c"),
    )
    assert res.exit_code == 0, res.output
    assert "open after 2024-12-31: not counted" in res.output
    for name in ("ranking.csv", "summary.csv", "places.csv"):
        assert "changes_not_open" in (tmp_path / "c" / name).read_text(encoding="utf-8").splitlines()[0]


FORCED = ["--assume", "access_circuity=2", "--force"]


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".png"
    }


@pytest.mark.slow
def test_a_forced_constant_is_named_in_every_output(tmp_path):
    res = run("score", *FORCED, "--out", str(tmp_path / "s"))
    assert res.exit_code == 0 and "warning: forced (--force): access_circuity=2" in res.output
    files = _files(tmp_path / "s")
    assert set(files) == {
        "accessibility.csv",
        "indicators.csv",
        "scores.csv",
        "summary.csv",
        "equity.csv",
        "scores.json",
        "manifest.json",
    }
    for name, text in files.items():
        assert "access_circuity=2" in text, name
    for name in ("scores.json", "manifest.json"):
        assert any("access_circuity=2" in w for w in json.loads(files[name])["warnings"]), name
    for args in (["score", "--format", "csv"], ["score", "--format", "json"], ["route", "阳城", "晋城", "--json"]):
        assert "access_circuity=2" in run(*args, *FORCED).output, args
    res = run("map", *FORCED, "--out", str(tmp_path / "m.html"))
    assert res.exit_code == 0 and "access_circuity=2" in (tmp_path / "m.html").read_text(encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    res = run(
        "compare",
        str(root / "scenarios" / "jinyang_widening.yaml"),
        "--no-decompose",
        *FORCED,
        "--out",
        str(tmp_path / "c"),
    )
    assert res.exit_code == 0 and "access_circuity=2" in res.output, res.output
    for name, text in _files(tmp_path / "c").items():
        if name.endswith((".csv", ".json", ".md", ".html")):
            assert "access_circuity=2" in text, name
    res = run("check", str(root / "claims" / "gates_of_luoyang.yaml"), *FORCED, "--out", str(tmp_path / "k"))
    assert res.exit_code == 0 and "access_circuity=2" in res.output
    for name, text in _files(tmp_path / "k").items():
        assert "access_circuity=2" in text, name


@pytest.mark.slow
def test_score_and_check_say_which_changes_are_not_open(tmp_path):
    root = Path(__file__).resolve().parents[1]
    sc = root / "scenarios" / "yangji_intercity_rail.yaml"
    res = run("score", "--scenario", str(sc), "--year", "2024", "--out", str(tmp_path / "s"))
    assert res.exit_code == 0, res.output
    assert "not open on 2024-12-31" in res.output  # in the table, not only on stderr
    for name, text in _files(tmp_path / "s").items():
        assert "not open on 2024-12-31" in text, name
    rows = (tmp_path / "s" / "scores.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    assert rows[1].split(",")[header.index("changes_not_open")] != "0"
    (tmp_path / "claims").mkdir()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / sc.name).write_text(sc.read_text(encoding="utf-8"), encoding="utf-8")
    claim = (root / "claims" / "gates_of_luoyang.yaml").read_text(encoding="utf-8")
    claim = claim[: claim.index("networks:")] + (
        f"networks:\n  - {{name: early, year: 2024, scenario: ../scenarios/{sc.name}}}\n"
    )
    (tmp_path / "claims" / "early.yaml").write_text(claim, encoding="utf-8")
    res = run("check", str(tmp_path / "claims" / "early.yaml"), "--out", str(tmp_path / "k"))
    assert res.exit_code == 0, res.output
    assert "not open on 2024-12-31" in res.output
    for name, text in _files(tmp_path / "k").items():
        assert "not open on 2024-12-31" in text, name


def test_unreachable_is_an_empty_cell_in_csv_and_a_dash_in_tables():
    res = run("score", "--format", "csv")  # 沁水 has no station within the rail catchment
    assert res.exit_code == 0
    assert ",inf," not in res.output and "inf\n" not in res.output
    row = next(ln for ln in res.output.splitlines() if "沁水" in ln).split(",")
    header = res.output.splitlines()[0].split(",")
    assert row[header.index("zhengzhou_rail_min")] == ""
    table = run("score").output
    assert " inf " not in table and "—" in table and "a trip this mode cannot make" in table


def test_a_pbf_cut_short_is_found(tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    from network.sources.osm import read_osm_file
    from tests.test_fuzz import _pbf_blocks

    data = Path(pyrosm.get_data("helsinki_pbf")).read_bytes()
    whole = tmp_path / "whole.osm.pbf"
    whole.write_bytes(data)
    assert not [w for w in read_osm_file(whole).warnings if "cut short" in w]
    blocks = _pbf_blocks(data)
    at_boundary = tmp_path / "cut.osm.pbf"
    at_boundary.write_bytes(data[: blocks[-2][1]])  # valid PBF: libosmium reads it without a word
    assert any("may be cut short" in w for w in read_osm_file(at_boundary).warnings)
    inside = tmp_path / "inside.osm.pbf"
    inside.write_bytes(data[: blocks[-1][0] + 100])
    with pytest.raises(DataError, match="cut short inside a block"):
        read_osm_file(inside)


def test_a_network_from_a_doubtful_pbf_says_so_in_its_outputs(tmp_path):
    import osmium

    fix = Path(__file__).parent / "fixtures" / "osm"
    pbf = tmp_path / "corridor.osm.pbf"  # made without relations: it reads like a file cut before them
    with osmium.SimpleWriter(str(pbf)) as w:
        for obj in osmium.FileProcessor(str(fix / "corridor.osm")):
            w.add_node(obj) if obj.is_node() else w.add_way(obj) if obj.is_way() else None
    out = tmp_path / "net.gpkg"
    res = run(
        "build",
        "--osm-file",
        str(pbf),
        "--services",
        str(fix / "services.yaml"),
        "--places",
        str(fix / "places.csv"),
        "--out",
        str(out),
    )
    assert res.exit_code == 0 and "warning: " in res.output and "may be cut short" in " ".join(res.output.split()), (
        res.output
    )
    res = run("score", "--network", str(out), "--year", "2025", "--targets", "east", "--format", "json")
    assert res.exit_code == 0, res.output
    assert any("may be cut short" in w for w in json.loads(res.output)["warnings"])


def _bytes_of(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_every_machine_readable_output_is_byte_identical_across_runs(tmp_path):
    root = Path(__file__).resolve().parents[1]
    fix = root / "tests" / "fixtures" / "osm"
    jobs = {
        "score": ["score", "--out", "{o}", "--scenario", str(root / "scenarios" / "jinyang_widening.yaml")],
        "compare": ["compare", str(root / "scenarios" / "jinyang_widening.yaml"), "--no-decompose", "--out", "{o}"],
        "check": [
            "check",
            str(root / "claims" / "one_hour_circle.yaml"),
            "--draws",
            "4",
            "--seed",
            "3",
            "--out",
            "{o}",
        ],
        "map": ["map", "--out", "{o}.html"],
        "isochrone_geojson": ["isochrone", "阳城", "--minutes", "60,120", "--out", "{o}.geojson"],
        "isochrone_gpkg": ["isochrone", "阳城", "--minutes", "60,120", "--out", "{o}.gpkg", "--map", "{o}.html"],
        "build": [
            "build",
            "--osm-file",
            str(fix / "corridor.osm"),
            "--services",
            str(fix / "services.yaml"),
            "--places",
            str(fix / "places.csv"),
            "--out",
            "{o}.gpkg",
        ],
        "validate_times": [
            "validate-times",
            str(root / "data" / "validation" / "published_figures.csv"),
            "--out",
            "{o}",
        ],
    }
    stdout = {
        "score_json": ["score", "--format", "json"],
        "score_csv": ["score", "--format", "csv"],
        "route": ["route", "阳城", "郑州", "--json"],
        "check_json": ["check", str(root / "claims" / "one_hour_circle.yaml"), "--draws", "4", "--json"],
    }
    for name, args in jobs.items():
        got = []
        for k in (1, 2):
            o = str(tmp_path / f"{name}{k}")
            res = run(*[a.replace("{o}", o) for a in args])
            assert res.exit_code == 0, (name, res.output)
            got.append(
                {
                    f.replace(f"{name}{k}", name): b
                    for p in tmp_path.glob(f"{name}{k}*")
                    for f, b in _bytes_of(p).items()
                }
            )
        assert got[0] and got[0] == got[1], (name, [f for f in got[0] if got[0][f] != got[1].get(f)])
    for name, args in stdout.items():
        assert run(*args).output == run(*args).output, name


@pytest.mark.parametrize(
    "edit, needle",
    [
        (('id="1"', 'id="99999999999999999999"'), "cannot be read as OpenStreetMap data"),
        (('v="motorway"', 'v="' + "m" * 2000 + '"'), "cannot be read as OpenStreetMap data"),
        (('lat="', 'lat="nan'), "cannot be read as OpenStreetMap data"),
        (('lon="', 'lon="1e10'), "cannot be read as OpenStreetMap data"),
    ],
)
def test_bad_osm_values_are_one_clean_error(tmp_path, edit, needle):
    from network.sources.osm import read_osm_file

    fix = Path(__file__).parent / "fixtures" / "osm" / "corridor.osm"
    text = fix.read_text(encoding="utf-8")
    assert edit[0] in text
    bad = tmp_path / "bad.osm"
    bad.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(DataError, match=needle):
        read_osm_file(bad)
    res = run(
        "build", "--osm-file", str(bad), "--places", str(fix.parent / "places.csv"), "--out", str(tmp_path / "n.gpkg")
    )
    one_line_error(res, needle)


def test_an_unwritable_out_fails_before_the_work(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    fix = root / "tests" / "fixtures" / "osm"
    for args in (
        ["score", "--out", str(afile / "d")],
        ["check", str(root / "claims" / "one_hour_circle.yaml"), "--out", str(afile / "d")],
        ["compare", str(root / "scenarios" / "jinyang_widening.yaml"), "--out", str(afile / "d")],
        ["map", "--out", str(afile / "m.html")],
        [
            "build",
            "--osm-file",
            str(fix / "corridor.osm"),
            "--places",
            str(fix / "places.csv"),
            "--out",
            str(afile / "n.gpkg"),
        ],
    ):
        t0 = time.perf_counter()
        one_line_error(run(*args), "cannot write")
        assert time.perf_counter() - t0 < 3, args  # refused before building any network


def test_a_speeds_file_is_never_echoed(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:SECRET-LINE:/root:/bin/bash\n", encoding="utf-8")
    fix = Path(__file__).parent / "fixtures" / "osm"
    res = run(
        "build",
        "--osm-file",
        str(fix / "corridor.osm"),
        "--places",
        str(fix / "places.csv"),
        "--speeds",
        str(secret),
        "--out",
        str(tmp_path / "n.gpkg"),
    )
    one_line_error(res)
    assert "SECRET-LINE" not in res.output


@pytest.mark.slow
def test_nothing_goes_to_tmp_and_a_killed_compare_leaves_no_partial_set(tmp_path):
    import signal
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    fix = root / "tests" / "fixtures" / "osm"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    cli = [sys.executable, "-c", "from network.cli import main; main()"]
    subprocess.run(
        [
            *cli,
            "build",
            "--osm-file",
            str(fix / "corridor.osm"),
            "--places",
            str(fix / "places.csv"),
            "--out",
            str(tmp_path / "n.gpkg"),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "n.gpkg").is_file() and not list(private_tmp.iterdir())  # built beside the target
    out = tmp_path / "c"
    compare = [*cli, "compare", str(root / "scenarios" / "jincheng_plan.yaml"), "--no-decompose", "--out", str(out)]

    def killed_while_writing() -> None:
        proc = subprocess.Popen(compare, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not list(tmp_path.glob(".c.taihang-*.staging/*.csv")) and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)  # until it has begun writing files
        assert proc.poll() is None, "compare finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    killed_while_writing()
    assert not out.exists()  # no set that looks complete
    assert list(tmp_path.glob(".c.taihang-*.staging"))  # the killed run's leftover, until the next run
    subprocess.run(compare, env=env, check=True, capture_output=True)
    assert not list(tmp_path.glob(".c.taihang-*"))  # cleaned by the next run into the same place
    first = _bytes_of(out)
    killed_while_writing()  # a second run killed: the first run's set is still there, whole
    assert out.is_dir() and _bytes_of(out) == first
    assert not list(private_tmp.iterdir())


def test_build_files_are_read_bounded(tmp_path):
    fix = Path(__file__).parent / "fixtures" / "osm"
    for flag in ("--places", "--services", "--speeds"):
        t0 = time.perf_counter()
        res = run(
            "build", "--osm-file", str(fix / "corridor.osm"), flag, "/dev/zero", "--out", str(tmp_path / "n.gpkg")
        )
        one_line_error(res, "not a regular file")
        assert time.perf_counter() - t0 < 5, flag
