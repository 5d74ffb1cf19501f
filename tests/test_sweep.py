"""Sweeps: the same table whatever runs them (one process, a joblib pool, a Dask cluster), and
an interrupted sweep resumes to the same table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from network.analysis.sweep import SweepError, SweepSpec, draw_seed, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = SweepSpec(
    scenarios=(str(ROOT / "scenarios" / "jincheng_houma_hsr.yaml"),),
    claims=(str(ROOT / "claims" / "one_hour_circle.yaml"),),
    draws=1,
    seed=7,
    year=2030,
)


def quiet(_msg: str) -> None:
    pass


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    return run_sweep(SPEC, tmp_path_factory.mktemp("local"), workers=1, progress=quiet)


def test_a_sweep_covers_every_scenario_and_draw(local):
    assert set(zip(local["scenario"], local["draw"])) == set(SPEC.tasks())
    assert set(local["kind"]) == {"score", "claim"}
    seeds = local.groupby("draw")["draw_seed"].unique()
    assert seeds[0].tolist() == [0] and seeds[1].tolist() == [draw_seed(7, 1)]
    central = local[(local["draw"] == 0) & (local["metric"] == "weighted_mean_min")]
    drawn = local[(local["draw"] == 1) & (local["metric"] == "weighted_mean_min")]
    assert not central["value"].reset_index(drop=True).equals(drawn["value"].reset_index(drop=True))


def test_a_process_pool_gives_the_same_table(local, tmp_path):
    pd.testing.assert_frame_equal(run_sweep(SPEC, tmp_path, workers=2, progress=quiet), local)


def test_an_interrupted_sweep_resumes_to_the_same_table(local, tmp_path):
    run_sweep(SPEC, tmp_path, workers=1, progress=quiet)
    parts = sorted((tmp_path / "parts").glob("*.csv"))
    for p in parts[1:]:  # as if stopped after the first task
        p.unlink()
    (tmp_path / "sweep.csv").unlink()
    said: list[str] = []
    again = run_sweep(SPEC, tmp_path, workers=1, progress=said.append)
    assert said[0].startswith("sweep: resuming, 1 of 4 tasks")
    pd.testing.assert_frame_equal(again, local)


def test_a_folder_of_another_sweep_is_refused(tmp_path):
    run_sweep(SweepSpec(scenarios=(), year=2030), tmp_path, progress=quiet)
    with pytest.raises(SweepError, match="other settings"):
        run_sweep(SweepSpec(scenarios=(), year=2031), tmp_path, progress=quiet)


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_table(local, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        table = run_sweep(SPEC, tmp_path, scheduler=cluster.scheduler_address, progress=quiet)
    pd.testing.assert_frame_equal(table, local)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("network.analysis.sweep.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(SweepError, match="no Dask scheduler answers"):
        run_sweep(SweepSpec(scenarios=(), year=2030), tmp_path, scheduler="tcp://127.0.0.1:9", progress=quiet)


def test_the_sweep_command_writes_its_tables_and_refuses_twin_names(tmp_path):
    from click.testing import CliRunner

    from network.cli import main

    scenario = str(ROOT / "scenarios" / "jinyang_widening.yaml")
    out = tmp_path / "sweep"
    res = CliRunner().invoke(main, ["sweep", scenario, "--year", "2030", "--workers", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "sweep.csv")
    assert set(table["scenario"]) == {"baseline", "jinyang_widening"}
    assert (out / "summary.csv").exists() and (out / "sweep.json").exists()
    twin = tmp_path / "other" / "jinyang_widening.yaml"
    twin.parent.mkdir()
    twin.write_text(Path(scenario).read_text(encoding="utf-8"), encoding="utf-8")
    res = CliRunner().invoke(main, ["sweep", scenario, str(twin), "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "share a name" in res.output


def test_a_sweep_names_its_files_by_absolute_path(monkeypatch):
    """Dask workers start in folders of their own (found running `dask worker` elsewhere): the
    spec they receive must not depend on the caller's working directory."""
    monkeypatch.chdir(ROOT)
    spec = SweepSpec(scenarios=("scenarios/jinyang_widening.yaml",), claims=("claims/one_hour_circle.yaml",))
    assert all(Path(p).is_absolute() and Path(p).exists() for p in (*spec.scenarios, *spec.claims))
    assert spec.names == ["baseline", "jinyang_widening"]
