"""taihang never touches what is not its own: ``--out`` folders and files, reads confined to a
project, constants bounded by real ranges, and sweeps that resume into their own folder."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.assumptions import Assumptions, describe_assumptions, parse_overrides
from network.cli import main
from network.errors import AssumptionError, DataError, ScenarioError
from network.io import atomic_write_text, clean_leftovers, project_root
from network.outputs import OutputSet, foreign_content

ROOT = Path(__file__).resolve().parents[1]
FIGURES = (
    "origin,destination,mode,year,measure,value,tolerance,source\n阳城,济源,road,2021,km,59.788,25%,阳济高速 length\n"
)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def refused(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    assert res.output.startswith("taihang: error:"), res.output
    assert "Traceback" not in res.output
    for n in needles:
        assert n in res.output, res.output


def _out_commands(tmp_path: Path, out: Path) -> dict[str, list[str]]:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES, encoding="utf-8")
    return {
        "score": ["score", "--out", str(out)],
        "compare": ["compare", str(ROOT / "scenarios" / "jinyang_widening.yaml"), "--no-decompose", "--out", str(out)],
        "check": ["check", str(ROOT / "claims" / "one_hour_circle.yaml"), "--out", str(out)],
        "validate-times": ["validate-times", str(figures), "--out", str(out)],
        "export-gtfs": ["export-gtfs", "--out", str(out)],
        "sweep": ["sweep", str(ROOT / "scenarios" / "jinyang_widening.yaml"), "--draws", "0", "--out", str(out)],
    }


@pytest.mark.parametrize("command", ["score", "compare", "check", "validate-times", "export-gtfs", "sweep"])
def test_a_users_file_beside_a_foreign_manifest_survives_every_out_command(tmp_path, command):
    out = tmp_path / "results"
    out.mkdir()
    (out / "manifest.json").write_text('{"tool": "another"}\n', encoding="utf-8")
    (out / "thesis.docx").write_bytes(b"keep me")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused(run(*_out_commands(tmp_path, out)[command]), "nothing of yours")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_folder_taihang_wrote_is_replaced_but_not_once_a_user_changed_it(tmp_path):
    out = tmp_path / "o"
    assert run("score", "--out", str(out)).exit_code == 0
    assert foreign_content(out) is None
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["written_by"] == "taihang"
    assert run("score", "--out", str(out)).exit_code == 0  # its own: replaced
    (out / "notes.txt").write_text("mine", encoding="utf-8")  # a file added by the user
    refused(run("score", "--out", str(out)), "notes.txt", "did not write")
    (out / "notes.txt").unlink()
    with open(out / "scores.csv", "a", encoding="utf-8") as fh:  # a file the user edited
        fh.write("my edit\n")
    refused(run("score", "--out", str(out)), "scores.csv was changed")
    assert (out / "scores.csv").read_text(encoding="utf-8").endswith("my edit\n")
    (out / "scores.csv").unlink()
    (out / "scores.csv").symlink_to(out / "summary.csv")  # a link put in its place
    assert "not a regular file" in (foreign_content(out) or "")


def test_out_refuses_the_current_folder_and_a_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused(run("score", "--out", "."), "the folder you are in")
    refused(run("score", "--out", str(tmp_path.parent)), "the folder you are in")
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    refused(run("score", "--out", "link"), "symbolic link")


def _special_files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "special"
    folder.mkdir()
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    out = {"fifo": fifo, "directory": folder / "adir"}
    out["directory"].mkdir()
    if os.geteuid() == 0:  # a character device like /dev/null, in a folder of the test's own
        dev = folder / "null"
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        out["device"] = dev
    return out


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
@pytest.mark.parametrize(
    "command",
    [
        ["map", "--out"],
        ["matrix", "--origins", "阳城", "--destinations", "郑州", "--out"],
        ["assumptions", "--format", "csv", "--out"],
        ["isochrone", "阳城", "--minutes", "60", "--out"],
    ],
    ids=["map", "matrix", "assumptions", "isochrone"],
)
def test_a_single_file_out_replaces_only_a_regular_file(tmp_path, kind, command):
    special = _special_files(tmp_path)
    if kind not in special:
        pytest.skip("making a device node needs root")
    target = special[kind]
    if command[0] == "matrix":
        target = target.rename(target.with_suffix(".csv"))
    if command[0] == "isochrone":
        target = target.rename(target.with_suffix(".geojson"))
    before = os.lstat(target)
    res = run(*command, str(target))
    refused(res, "is a directory" if kind == "directory" else "replaces only a regular file")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == []


def test_dash_streams_where_the_format_streams(tmp_path):
    res = CliRunner().invoke(main, ["matrix", "--origins", "阳城", "--destinations", "郑州", "--out", "-"])
    assert res.exit_code == 0, res.output
    assert "origin,origin_zh,destination" in res.stdout
    res = run("map", "--out", "-")
    assert res.exit_code == 0 and res.stdout.lstrip().startswith("<!DOCTYPE html>")
    fix = ROOT / "tests" / "fixtures" / "osm"
    refused(run("build", "--osm-file", str(fix / "corridor.osm"), "--out", "-"), "cannot be written to standard output")


def test_outputs_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert run("score", "--out", str(tmp_path / "o")).exit_code == 0
        assert run("map", "--out", str(tmp_path / "m.html")).exit_code == 0
        os.umask(0o027)
        assert run("export-gtfs", "--out", str(tmp_path / "g")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "o").stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "o").iterdir()} == {0o644}
    assert stat.S_IMODE((tmp_path / "m.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "g").stat().st_mode) == 0o750
    inside = list((tmp_path / "g").rglob("*"))
    assert {stat.S_IMODE(p.stat().st_mode) for p in inside if p.is_file()} == {0o640}
    assert {stat.S_IMODE(p.stat().st_mode) for p in inside if p.is_dir()} == {0o750}  # the feed's folder


def test_leftovers_of_a_dead_run_are_cleaned_and_a_live_runs_are_not(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    target = tmp_path / "o"
    stale_dir = tmp_path / f".o.taihang-{dead_pid}-abc.staging"
    stale_dir.mkdir()
    (stale_dir / "scores.csv").write_text("half", encoding="utf-8")
    stale_file = tmp_path / f".o.taihang-{dead_pid}-xyz.tmp"
    stale_file.write_text("half", encoding="utf-8")
    live = tmp_path / f".o.taihang-{os.getpid()}-live.tmp"  # this process: still running
    live.write_text("busy", encoding="utf-8")
    mine = tmp_path / ".o.mine"  # not taihang's name pattern
    mine.write_text("x", encoding="utf-8")
    assert sorted(p.name for p in clean_leftovers(target)) == sorted([stale_dir.name, stale_file.name])
    assert live.exists() and mine.exists() and not stale_dir.exists() and not stale_file.exists()


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import network.io as nio

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, _data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nio.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    for args in (["score", "--out", str(tmp_path / "o")], ["map", "--out", str(tmp_path / "m.html")]):
        res = run(*args)
        refused(res, "No space left on device", "free some space")
        assert len(res.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_oserror_at_the_boundary_is_one_line(tmp_path, monkeypatch):
    import network.outputs as nio

    def boom(*_a, **_k):
        raise OSError(errno.EIO, "Input/output error", str(tmp_path / "x"))

    monkeypatch.setattr(nio, "_exchange", boom)
    assert run("score", "--out", str(tmp_path / "o")).exit_code == 0
    res = run("score", "--out", str(tmp_path / "o"))  # the swap fails: the earlier set stays, whole
    refused(res, "Input/output error")
    assert foreign_content(tmp_path / "o") is None
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_output_set_never_replaces_a_folder_filled_during_the_run(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(DataError, match="no manifest.json"):
        with OutputSet(out) as s:
            atomic_write_text(s.path("a.csv"), "x\n")
            out.mkdir()
            (out / "late.txt").write_text("mine", encoding="utf-8")
    assert (out / "late.txt").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


# -- confined reads ------------------------------------------------------------------------------
def test_a_claim_in_a_bare_folder_cannot_read_a_sibling_folders_file(tmp_path):
    from network.analysis.claims import load_claim

    text = (ROOT / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "s.yaml").write_text("SECRET-LINE: 1\n", encoding="utf-8")
    (tmp_path / "mine").mkdir()
    claim = tmp_path / "mine" / "c.yaml"
    claim.write_text(text.replace("../scenarios/jincheng_plan.yaml", "../other/s.yaml"), encoding="utf-8")
    assert project_root(claim) == claim.parent
    with pytest.raises(ScenarioError, match="leads outside") as err:
        load_claim(claim)
    assert "SECRET-LINE" not in str(err.value)
    res = run("check", str(claim))
    refused(res, "leads outside")
    assert "SECRET-LINE" not in res.output


def test_the_project_root_is_the_nearest_folder_with_scenarios_or_claims(tmp_path):
    (tmp_path / "proj" / "claims").mkdir(parents=True)
    (tmp_path / "proj" / "scenarios").mkdir()
    assert project_root(tmp_path / "proj" / "claims" / "c.yaml") == tmp_path / "proj"
    assert project_root(ROOT / "claims" / "one_hour_circle.yaml") == ROOT
    import tempfile

    tmp = Path(tempfile.gettempdir()).resolve()
    assert project_root(tmp / "c.yaml") == tmp  # a claim saved directly in /tmp reaches /tmp, never /
    assert project_root(Path("/etc/claims/c.yaml")) == Path("/etc/claims")
    assert project_root(Path.home() / "c.yaml") == Path.home().resolve()


def test_no_error_quotes_a_file_that_is_not_a_scenario_or_claim(tmp_path):
    f = tmp_path / "secrets.yaml"
    f.write_text("password: SECRET-LINE\ntoken: [SECRET-TOO]\n", encoding="utf-8")
    for args in (["validate", str(f)], ["check", str(f)], ["score", "--scenario", str(f)]):
        res = run(*args)
        assert res.exit_code == 2
        assert "SECRET" not in res.output and "does not look like" in res.output, res.output
    g = tmp_path / "plain.txt"
    g.write_text("root:x:0:0:SECRET-LINE:/root:/bin/bash\n", encoding="utf-8")
    res = run("validate", str(g))
    assert res.exit_code == 2 and "SECRET" not in res.output


# -- constants -----------------------------------------------------------------------------------
def test_every_constant_has_a_range_wider_than_one_value_around_its_value():
    for row in describe_assumptions(Assumptions()):
        assert row["low"] < row["high"], row["name"]
        assert row["low"] <= row["value"] <= row["high"], row["name"]


def test_a_constant_outside_its_range_needs_force_and_is_then_a_warning():
    with pytest.raises(AssumptionError, match="outside its documented range 1.2-1.6"):
        Assumptions().replace(max_match_circuity="1e-9")
    forced = Assumptions().replace(force=True, max_match_circuity="1e-9")
    assert forced.outside_range() == ["max_match_circuity=1e-09 (range 1.2-1.6)"]
    res = run("score", "--assume", "max_match_circuity=1e-9")
    refused(res, "--force")


def test_repeating_an_assume_is_an_error():
    with pytest.raises(AssumptionError, match="given twice"):
        parse_overrides(["wait_cap_min=30", "wait_cap_min=40"])
    refused(run("score", "--assume", "wait_cap_min=30", "--assume", "wait_cap_min=40"), "given twice")


# -- sweeps --------------------------------------------------------------------------------------
def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_sweep_rerun_from_the_cli_resumes_to_the_same_bytes(tmp_path):
    args = ["sweep", str(ROOT / "scenarios" / "jinyang_widening.yaml"), "--draws", "2", "--workers", "1"]
    one = tmp_path / "one"
    assert run(*args, "--out", str(one)).exit_code == 0
    two = tmp_path / "two"
    assert run(*args, "--out", str(two)).exit_code == 0
    parts = sorted((two / "parts").iterdir())
    for p in parts[::2]:  # as if killed part way: some tasks and the tables missing
        p.unlink()
    (two / "sweep.csv").unlink()
    (two / "summary.csv").unlink()
    res = run(*args, "--out", str(two))
    assert res.exit_code == 0 and "resuming" in res.output, res.output
    assert _tree(two) == _tree(one)
    res = run(*args, "--out", str(two))  # all done: resumes to the same bytes again
    assert res.exit_code == 0 and _tree(two) == _tree(one)
    refused(run(*args[:-4], "--draws", "3", "--out", str(two)), "--fresh")
    assert run(*args[:-4], "--draws", "3", "--fresh", "--out", str(two)).exit_code == 0
    assert len(list((two / "parts").iterdir())) == 8  # (baseline + 1 scenario) x (central + 3 draws)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--targets", ","], "one or more target places"),
        (["--scheduler", "garbage"], "Dask scheduler address"),
        (["--seed", "-1"], "-1 is not in the range"),
    ],
)
def test_bad_sweep_options_are_one_line(tmp_path, args, needle):
    res = run("sweep", str(ROOT / "scenarios" / "jinyang_widening.yaml"), *args, "--out", str(tmp_path / "s"))
    refused(res, needle)
    assert not (tmp_path / "s").exists()
