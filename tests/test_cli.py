"""Each command and each user error of the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from network.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_score_table_and_json_and_out(tmp_path):
    r = run("score", "--year", "2024")
    assert r.exit_code == 0, r.output
    assert "阳城县" in r.output and "Population-weighted summary" in r.output and "Approximate:" in r.output
    r = run("score", "--format", "json", "--out", str(tmp_path))
    payload = json.loads(r.output)
    assert payload["places"] and payload["assumptions"]["wait_cap_min"] == 20.0
    assert (tmp_path / "scores.csv").exists() and (tmp_path / "summary.csv").exists()


def test_score_is_deterministic():
    args = ("score", "--format", "csv", "--year", "2024")
    assert run(*args).output == run(*args).output


def test_route_json_has_minutes_km_legs():
    r = run("route", "晋城东站", "郑州站", "--mode", "rail", "--json")
    assert r.exit_code == 0, r.output
    trip = json.loads(r.output)
    assert {"minutes", "km", "legs"} <= set(trip)
    assert all({"mode", "from", "to", "minutes", "km"} <= set(leg) for leg in trip["legs"])


def test_route_text():
    r = run("route", "Yangcheng", "Luoyang", "--mode", "road")
    assert r.exit_code == 0 and "min" in r.output


def test_map_writes_offline_html(tmp_path):
    out = tmp_path / "m.html"
    r = run("map", "--out", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "leaflet@" not in html.split("<script>")[0] or "L.map" in html
    assert "OpenStreetMap contributors" in html and "晋城东" in html


def test_assumptions_and_data_commands():
    assert "station_processing_min" in run("assumptions").output
    assert "g55_changjin" in run("data").output


def _one_line_error(r):
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert r.output.startswith("taihang: error:")


def test_errors_are_one_line_without_traceback():
    _one_line_error(run("route", "Nowhere", "郑州"))
    _one_line_error(run("route", "200,35", "郑州"))
    _one_line_error(run("route", "120.0,30.0", "郑州"))
    _one_line_error(run("score", "--year", "1990"))
    _one_line_error(run("score", "--targets", "Atlantis"))
    _one_line_error(run("score", "--assume", "nonsense=3"))
    _one_line_error(run("score", "--assume", "wait_cap_min"))
