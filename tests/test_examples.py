"""The worked examples ship: `taihang examples --out DIR` copies the scenarios, claims, published
figures and notebooks into a folder the docs' commands run from, and the wheel carries them all."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from network.analysis.claims import load_claim
from network.cli import main
from network.examples import EXAMPLE_FOLDERS, example_files, example_path
from network.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_every_example_of_the_repository_is_listed():
    listed = set(example_files())
    for folder, (_, pattern) in EXAMPLE_FOLDERS.items():
        on_disk = {f"{folder}/{p.name}" for p in (ROOT / folder).glob(pattern)}
        assert on_disk and on_disk <= listed, folder
    assert example_path("claims/one_hour_circle.yaml") == ROOT / "claims" / "one_hour_circle.yaml"


def test_the_wheel_carries_every_example_folder():
    """pyproject.toml maps each folder into the package and ships its files (.ci/run installs the
    wheel and runs a claim from `taihang examples`)."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    dirs = {v: k for k, v in setup["package-dir"].items()}
    for folder, (installed, pattern) in EXAMPLE_FOLDERS.items():
        package = "network." + installed.replace("/", ".")
        assert package in setup["packages"], package
        mapped = dirs.get(folder) or (
            dirs["data"] + "." + folder.split("/", 1)[1] if folder.startswith("data/") else ""
        )
        assert mapped == package, folder
        assert pattern in setup["package-data"][package], package


def test_examples_copied_out_run_where_they_land(tmp_path):
    out = tmp_path / "ex"
    res = CliRunner().invoke(main, ["examples", "--out", str(out)])
    assert res.exit_code == 0, res.output
    copied = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert copied == sorted([*example_files(), "manifest.json"])
    for rel, src in example_files().items():
        assert (out / rel).read_bytes() == src.read_bytes()
    claim = load_claim(out / "claims" / "one_hour_circle.yaml")  # its scenarios resolve in the copy
    paths = [claim.scenario_path(n) for n in claim.spec.networks if n.scenario]
    assert paths and all(p is not None and p.is_relative_to(out.resolve()) and p.is_file() for p in paths)
    load_scenario(out / "scenarios" / "jincheng_plan.yaml")
    again = CliRunner().invoke(main, ["examples", "--out", str(out)])  # its own folder is replaced
    assert again.exit_code == 0, again.output
    (out / "claims" / "mine.yaml").write_text("name: mine\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["examples", "--out", str(out)])  # a file of the user's is kept
    assert refused.exit_code != 0 and (out / "claims" / "mine.yaml").is_file()
