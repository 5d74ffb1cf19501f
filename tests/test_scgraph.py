"""The scgraph_data text reader against Python's own literal parser, and clipping."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from network.errors import DataError
from network.sources.geometry import clip_line_graph, read_scgraph_file

SAMPLE = (
    "\nfrom scgraph.core import GeoGraph\n"
    "graph=[{1: 1.5, 2: 0.25}, {0: 1.5}, {0: 0.25, 3: 2.0}, {2: 2.0}, {}]\n"
    "nodes=[[35.0, 112.0], [35.1, 112.1], [35.2, 112.2], [36.5, 114.9], [35.3, 112.3]]\n"
    "g = GeoGraph(graph=graph, nodes=nodes)\n"
)


def test_reader_agrees_with_literal_eval(tmp_path):
    path = tmp_path / "mini.py"
    path.write_text(SAMPLE, encoding="utf-8")
    g = read_scgraph_file(path)
    graph = ast.literal_eval(SAMPLE.split("graph=")[1].split("\n")[0])
    nodes = ast.literal_eval(SAMPLE.split("nodes=")[1].split("\n")[0])
    expected = sorted((u, v, d) for u, row in enumerate(graph) for v, d in row.items())
    assert sorted(zip(g.u.tolist(), g.v.tolist(), g.length_km.tolist())) == expected
    assert np.allclose(np.column_stack([g.lat, g.lon]), nodes)


def test_clip_keeps_inside_largest_piece(tmp_path):
    path = tmp_path / "mini.py"
    path.write_text(SAMPLE, encoding="utf-8")
    c = clip_line_graph(read_scgraph_file(path), (111.9, 34.9, 112.25, 35.25))
    assert c.n_nodes == 3 and c.n_edges == 4  # node 3 is outside the box, node 4 is an island


def test_reader_rejects_other_files(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("print('hello')\n", encoding="utf-8")
    with pytest.raises(DataError, match="graph="):
        read_scgraph_file(path)
