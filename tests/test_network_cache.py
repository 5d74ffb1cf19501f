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


def test_a_cached_network_scores_as_a_fresh_build(cache):
    fresh = Model.default(2030)
    files = list(cache.glob("default-*.pickle"))
    assert len(files) == 1
    _MODELS.clear()
    cached = Model.default(2030)
    assert cached.network is not fresh.network
    pd.testing.assert_frame_equal(cached.score(["郑州", "洛阳"])[0], fresh.score(["郑州", "洛阳"])[0])
    assert cached.network.warnings == fresh.network.warnings


def test_another_date_or_constant_is_another_key(cache):
    a = Assumptions()
    base = network_cache.key(dt.date(2030, 12, 31), a)
    assert network_cache.key(dt.date(2030, 12, 31), a) == base
    assert network_cache.key(dt.date(2031, 12, 31), a) != base
    changed = dataclasses.replace(a, hsr_dwell_min=a.hsr_dwell_min + 1.0)
    assert network_cache.key(dt.date(2030, 12, 31), changed) != base


def test_a_damaged_file_is_rebuilt(cache):
    Model.default(2030)
    (path,) = cache.glob("default-*.pickle")
    path.write_bytes(b"not a pickle")
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
        p = tmp_path / f"default-{k:02d}.pickle"
        p.write_bytes(b"x")
        os.utime(p, ns=(k * 10**9, k * 10**9))
    os.utime(tmp_path / "default-00.pickle")  # read just now: kept
    (tmp_path / "notes.txt").write_text("mine")  # not the cache's: never touched
    removed = prune(tmp_path, keep=12)
    assert sorted(p.name for p in removed) == ["default-01.pickle", "default-02.pickle", "default-03.pickle"]
    assert (tmp_path / "default-00.pickle").exists() and (tmp_path / "notes.txt").exists()
