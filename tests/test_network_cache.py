"""The default network kept on disk: a cached network must answer exactly as a fresh build, a
change of date or constants must miss, and a damaged file must be rebuilt, never read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from network.assumptions import Assumptions
from network.graph import network_cache
from network.model import _MODELS, Model


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TAIHANG_NO_CACHE", raising=False)
    monkeypatch.setenv("TAIHANG_CACHE_DIR", str(tmp_path))
    _MODELS.clear()  # the in-process models would answer before the disk
    yield tmp_path / "networks"
    _MODELS.clear()


def test_a_cached_network_scores_as_a_fresh_build_without_its_graph(cache):
    fresh = Model.default(2030)
    files = list(cache.glob("default-*.npz"))
    assert len(files) == 1
    _MODELS.clear()
    cached = Model.default(2030)
    assert cached.network is not fresh.network
    pd.testing.assert_frame_equal(cached.score(["郑州", "洛阳"])[0], fresh.score(["郑州", "洛阳"])[0])
    assert cached.network.warnings == fresh.network.warnings
    assert cached.trip_minutes("阳城", "郑州东站", "rail") == fresh.trip_minutes("阳城", "郑州东站", "rail")
    assert not cached.network.has_graph  # scores, routes and names ran on the arrays


def test_the_cache_round_trips_without_pickle(cache):
    """The file holds no Python objects (read with allow_pickle=False), and what it gives back is
    the network: the same edge arrays, and the same graph (nodes, edges, keys and every attribute,
    in the same order) once something asks for it."""
    import numpy as np

    fresh = Model.default(2030).network
    (path,) = cache.glob("default-*.npz")
    with np.load(path, allow_pickle=False) as z:
        assert all(z[name].dtype != object for name in z.files)
    back = network_cache.from_bytes(path.read_bytes(), fresh.assumptions, lambda: (fresh.data, fresh.roads))
    a, b = fresh.edge_table, back.edge_table
    for name in ("u", "v", "time_min", "length_km", "mode", "kind", "lon", "lat"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.keys == b.keys and a.node_ids == b.node_ids and a.index == b.index
    assert dict(back.nodes) == dict(fresh.graph.nodes(data=True))
    assert back.as_of == fresh.as_of and back.warnings == fresh.warnings
    g, h = fresh.graph, back.graph
    assert list(g.nodes(data=True)) == list(h.nodes(data=True))
    assert list(g.edges(keys=True, data=True)) == list(h.edges(keys=True, data=True))
    assert g.graph == h.graph
    assert back.meta is h.graph  # one dict, before and after the graph is built


def test_an_older_pickled_file_is_removed_not_read(cache):
    from network.graph.network_cache import prune

    cache.mkdir(parents=True)
    old = cache / "default-0123.pickle"
    old.write_bytes(b"\x80\x05not read")
    assert prune(cache) == [old] and not old.exists()


def test_another_date_or_constant_is_another_key(cache):
    a = Assumptions()
    base = network_cache.key(dt.date(2030, 12, 31), a)
    assert network_cache.key(dt.date(2030, 12, 31), a) == base
    assert network_cache.key(dt.date(2031, 12, 31), a) != base
    changed = dataclasses.replace(a, hsr_dwell_min=a.hsr_dwell_min + 1.0)
    assert network_cache.key(dt.date(2030, 12, 31), changed) != base


def test_a_damaged_file_is_rebuilt(cache):
    Model.default(2030)
    (path,) = cache.glob("default-*.npz")
    path.write_bytes(b"not a network")
    _MODELS.clear()
    model = Model.default(2030)
    assert len(model.places()) > 10
    assert path.read_bytes()[:1] != b"n"  # replaced by a good one


def test_caching_off(cache, monkeypatch):
    monkeypatch.setenv("TAIHANG_NO_CACHE", "1")
    Model.default(2030)
    assert not cache.exists()


def test_the_cache_keeps_the_most_recently_used(tmp_path):
    """Every code or data change is a new key: the folder keeps the MAX_CACHED files used last."""
    import os

    from network.graph.network_cache import prune

    for k in range(15):
        p = tmp_path / f"default-{k:02d}.npz"
        p.write_bytes(b"x")
        os.utime(p, ns=(k * 10**9, k * 10**9))
    os.utime(tmp_path / "default-00.npz")  # read just now: kept
    (tmp_path / "notes.txt").write_text("mine")  # not the cache's: never touched
    removed = prune(tmp_path, keep=12)
    assert sorted(p.name for p in removed) == ["default-01.npz", "default-02.npz", "default-03.npz"]
    assert (tmp_path / "default-00.npz").exists() and (tmp_path / "notes.txt").exists()
