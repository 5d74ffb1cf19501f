"""Origin-destination matrices: equal to raw scipy and to single trips; the command writes CSV and Parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.sparse.csgraph import dijkstra

import network
from network.cli import main
from network.routing.matrix import od_minutes


@pytest.fixture(scope="module")
def model():
    return network.Model.default(year=2024)


@pytest.mark.parametrize("n_origins, n_destinations", [(3, 40), (40, 3)])  # forward and backward searches
def test_od_minutes_equal_raw_scipy_in_either_direction(model, n_origins, n_destinations):
    c = model.compiled("best")
    ids = model.places()["place_id"].tolist()
    origins = [f"place:{p}" for p in ids[:n_origins]]
    destinations = [f"place:{p}:arrive" for p in ids[-n_destinations:]]
    ref = dijkstra(c.matrix, indices=[c.index[o] for o in origins])[:, [c.index[d] for d in destinations]]
    np.testing.assert_allclose(od_minutes(c, origins, destinations), ref)


def test_matrix_agrees_with_single_trips(model):
    for mode in ("road", "rail", "best"):
        table = model.matrix(["阳城县", "高平市"], ["洛阳", "郑州"], mode)
        assert len(table) == 4 and set(table["mode"]) == {mode}
        for _, row in table.iterrows():
            want = model.trip_minutes(row["origin_zh"], row["destination_zh"], mode)
            assert row["minutes"] == pytest.approx(want, abs=0.06) or (np.isinf(want) and np.isinf(row["minutes"]))


def test_matrix_command_writes_csv_and_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    runner = CliRunner()
    for name in ("m.csv", "m.parquet"):
        res = runner.invoke(main, ["matrix", "--year", "2024", "--mode", "rail", "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    a = pd.read_csv(tmp_path / "m.csv")
    b = pd.read_parquet(tmp_path / "m.parquet")
    assert len(a) == len(b) == 87 * 87
    np.testing.assert_allclose(a["minutes"].to_numpy(dtype=float), b["minutes"].to_numpy(dtype=float))
    assert a["minutes"].isna().any()  # rail cannot reach everywhere: empty cells, not inf
    res = runner.invoke(main, ["matrix", "--out", str(tmp_path / "m.xlsx")])
    assert res.exit_code == 2 and "give a .csv or .parquet file" in res.output
