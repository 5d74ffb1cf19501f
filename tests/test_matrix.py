"""Origin-destination matrices: equal to raw scipy and to single trips; the command writes CSV and Parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.sparse.csgraph import dijkstra

import network
from network.cli import main
from network.errors import LookupFailed
from network.model import Model
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
    assert len(a) == len(b) == 87 * 86  # every place to every other: a place's time to itself is left out
    assert not (a["origin"] == a["destination"]).any()
    np.testing.assert_allclose(a["minutes"].to_numpy(dtype=float), b["minutes"].to_numpy(dtype=float))
    assert a["minutes"].isna().any()  # rail cannot reach everywhere: empty cells, not inf
    res = runner.invoke(main, ["matrix", "--out", str(tmp_path / "m.xlsx")])
    assert res.exit_code == 2 and "give a .csv, .parquet or .omx file" in res.output


def test_matrix_command_writes_openmatrix(tmp_path):
    """The .omx file read back by the openmatrix package: the same minutes as the CSV cell for
    cell (NaN where unreachable), zones 1..n with their place ids alongside."""
    import json

    omx = pytest.importorskip("openmatrix")
    runner = CliRunner()
    for name in ("m.csv", "m.omx"):
        res = runner.invoke(main, ["matrix", "--year", "2024", "--mode", "rail", "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    long = pd.read_csv(tmp_path / "m.csv")
    f = omx.open_file(str(tmp_path / "m.omx"))
    try:
        grid = np.array(f["minutes"])
        zones = json.loads(f.root._v_attrs["taihang"])["zones"]
        assert list(f.mapping("zone")) == list(range(1, len(zones) + 1))
    finally:
        f.close()
    pos = {z["place_id"]: z["zone"] - 1 for z in zones}
    got = grid[[pos[o] for o in long["origin"]], [pos[d] for d in long["destination"]]]
    np.testing.assert_allclose(got, long["minutes"].to_numpy(dtype=float))
    np.testing.assert_array_equal(np.diag(grid), 0.0)  # a square file: 0 from a place to itself
    res = runner.invoke(
        main, ["matrix", "--origins", "阳城县", "--destinations", "郑州", "--out", str(tmp_path / "x.omx")]
    )
    assert res.exit_code == 2 and "square" in res.output


@pytest.mark.parametrize("mode", ["road", "best"])
def test_the_contraction_hierarchy_agrees_with_dijkstra(mode, tmp_path):
    """The CCH engine must give scipy's minutes to its stated resolution (0.5e-4 min per edge),
    the same set of unreachable pairs, and the same answer from a node order read back from disk."""
    pytest.importorskip("pyroutingkit")
    from network import search as eng

    model = Model.default(2030)
    compiled = model.compiled(mode)
    places = model.places()["place_id"].tolist()
    o, d = [f"place:{p}" for p in places], [f"place:{p}:arrive" for p in places]
    exact = od_minutes(compiled, o, d)
    eng._CCH_TOPOLOGIES.clear()
    fast = od_minutes(compiled, o, d, engine="cch", cache_dir=tmp_path)
    assert (np.isfinite(fast) == np.isfinite(exact)).all()
    ok = np.isfinite(exact)
    assert np.abs(fast[ok] - exact[ok]).max() <= 0.5 * eng.CCH_UNIT_MIN * 2000
    assert list(tmp_path.iterdir())  # the order was cached
    eng._CCH_TOPOLOGIES.clear()
    again = od_minutes(compiled, o, d, engine="cch", cache_dir=tmp_path)
    np.testing.assert_array_equal(again, fast)
    # a few edges re-weighted by partial customization answer as a full customization of them
    rng = np.random.default_rng(3)
    entries = rng.choice(compiled.matrix.nnz, 200, replace=False)
    weights = compiled.matrix.data.copy()
    weights[entries] *= rng.choice([0.5, 2.0, np.inf], entries.size)
    rows = np.array([compiled.index[x] for x in o])
    cols = np.array([compiled.index[x] for x in d])
    partial = eng.CCHMatrix(compiled.matrix, compiled.edges.lon, compiled.edges.lat)
    partial.update(entries, weights[entries])
    full = eng.CCHMatrix(compiled.matrix, compiled.edges.lon, compiled.edges.lat)
    full.customize(weights)
    np.testing.assert_array_equal(partial.minutes(rows, cols), full.minutes(rows, cols))


def test_the_contraction_hierarchy_refuses_forced_train_matrices():
    with pytest.raises(LookupFailed, match="engine cch runs road and best"):
        Model.default(2030).matrix(["阳城县"], ["郑州"], mode="rail", engine="cch")


@pytest.mark.parametrize("n_origins, n_destinations", [(40, 7), (7, 40)])
def test_chunked_searches_give_the_same_matrix(model, monkeypatch, n_origins, n_destinations):
    """od_minutes searches a chunk of rows at a time (memory bounded at province scale): with
    chunks of a few rows, the matrix is the one a single block of searches gives."""
    import network.routing.matrix as matrix

    compiled = model.compiled("road")
    ids = compiled.node_ids
    origins, destinations = ids[:n_origins], ids[-n_destinations:]
    whole = od_minutes(compiled, origins, destinations)
    monkeypatch.setattr(matrix, "CHUNK_BYTES", 3 * 8 * len(ids))  # three rows a chunk
    assert matrix.chunk_rows(len(ids)) == 3
    np.testing.assert_array_equal(od_minutes(compiled, origins, destinations), whole)
