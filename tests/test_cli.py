"""Each command and each user error of the command line."""

from __future__ import annotations

import json

import pytest
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
    html = out.read_text(encoding="utf-8")  # it renders offline: tests/test_browser.py opens it in Chromium
    assert "cdn." not in html and "code.jquery" not in html and "$(" not in html
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


def test_validate_ok_and_errors(tmp_path):
    r = run("validate", "scenarios/jinyang_widening.yaml", "scenarios/luoyang_yangcheng_bus.yaml")
    assert r.exit_code == 0, r.output
    assert r.output.count("ok ") == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: b\ndescription: x\nsource: y\nchanges:\n  - {type: upgrade_road, corridor: G99,"
        " lanes: 6, opened: 2026}\n",
        encoding="utf-8",
    )
    r = run("validate", str(bad))
    assert r.exit_code == 2
    assert f"{bad}:5: corridor: unknown corridor 'G99'" in r.output
    assert "Traceback" not in r.output


@pytest.mark.slow
def test_compare_writes_identical_outputs_twice(tmp_path):
    files = [
        "scenarios/yangcheng_cross_corridors.yaml",
        "scenarios/without_yangji_expressway.yaml",
        "scenarios/yangcheng_freight_hubs.yaml",
    ]
    r1 = run("compare", *files, "--out", str(tmp_path / "a"))
    assert r1.exit_code == 0, r1.output
    assert "yangcheng_cross_corridors" in r1.output and "freight only" in r1.output
    r2 = run("compare", *files, "--out", str(tmp_path / "b"))
    assert r2.exit_code == 0, r2.output
    written = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert {
        "places.csv",
        "summary.csv",
        "ranking.csv",
        "decomposition.csv",
        "report.md",
        "provenance.json",
        "places.gpkg",
    } <= {str(p) for p in written}
    assert (tmp_path / "a" / "maps" / "yangcheng_cross_corridors.html").exists()
    for rel in written:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    report = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    assert "passenger accessibility is not what it changes" in report
    assert "scenario_files_sha256" in report and "Assumed parameters" in report
    for name in ("without_yangji_expressway_gain_by_county", "without_yangji_expressway_population_reached"):
        assert f"](charts/{name}.png)" in report  # the report shows its charts
        assert (tmp_path / "a" / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    import geopandas as gpd

    gdf = gpd.read_file(tmp_path / "a" / "places.gpkg")
    assert len(gdf) == len((tmp_path / "a" / "places.csv").read_text(encoding="utf-8").splitlines()) - 1


def test_score_and_route_accept_a_scenario():
    r = run("route", "阳城南站", "郑州站", "--scenario", "scenarios/jincheng_houma_hsr.yaml", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["legs"][0]["service_id"] == "jinhou_through"
    r = run("score", "--scenario", "scenarios/nope.yaml")
    assert r.exit_code == 2 and "cannot read the file" in r.output


@pytest.mark.parametrize("command", ["assumptions", "places", "data"])
def test_listing_commands_write_csv_json_and_excel_csv_with_the_same_rows(command, tmp_path):
    import io
    import json

    import pandas as pd

    as_csv = run(command, "--format", "csv")
    as_json = run(command, "--format", "json")
    assert as_csv.exit_code == 0, as_csv.output
    assert as_json.exit_code == 0, as_json.output
    table = pd.read_csv(io.StringIO(as_csv.output))
    records = json.loads(as_json.output)
    n_json = sum(len(v) for v in records.values()) if isinstance(records, dict) else len(records)
    assert len(table) == n_json > 0
    out = tmp_path / f"{command}.csv"
    excel = run(command, "--excel", "--out", str(out))
    assert excel.exit_code == 0, excel.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel and WPS read as UTF-8
    assert raw[3:].decode("utf-8") == as_csv.output


def test_excel_with_another_format_is_refused_with_the_fix():
    res = run("places", "--format", "json", "--excel")
    assert res.exit_code != 0
    assert "--format csv" in res.output and "Traceback" not in res.output
