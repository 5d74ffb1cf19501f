"""Shared fixtures: small hand-checkable graphs and the default model (built once per session)."""

from __future__ import annotations

import os

import networkx as nx
import pytest

# Tests build their networks afresh (some patch the builder, which a cache key cannot see);
# tests/test_network_cache.py turns the cache on in a folder of its own.
os.environ["TAIHANG_NO_CACHE"] = "1"


def road_edge(graph: nx.MultiDiGraph, u: str, v: str, km: float, speed_kph: float, **extra: object) -> None:
    graph.add_edge(
        u,
        v,
        mode="road",
        kind="link",
        length_km=km,
        speed_kph=speed_kph,
        time_min=km / speed_kph * 60.0,
        source="test",
        **extra,
    )


def grid_graph(n: int = 4, km: float = 1.0, speed_kph: float = 60.0) -> nx.MultiDiGraph:
    """An n x n two-way road grid, 1 km spacing at 60 km/h: every trip takes its Manhattan
    distance in minutes."""
    g = nx.MultiDiGraph()
    for i in range(n):
        for j in range(n):
            g.add_node(f"r{i}_{j}", kind="road", lon=113.0 + 0.01 * i, lat=35.0 + 0.01 * j)
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n:
                    road_edge(g, f"r{i}_{j}", f"r{i + di}_{j + dj}", km, speed_kph)
                    road_edge(g, f"r{i + di}_{j + dj}", f"r{i}_{j}", km, speed_kph)
    return g


@pytest.fixture(scope="session")
def model():
    from network.model import Model

    return Model.default(year=2024)
