"""validate-times: figures read with line-located errors, errors and summary by arithmetic, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import main
from network.errors import DataError, UnreachableError
from network.indicators.validation import evaluate_figures, read_figures, summarise_figures

FIX = Path(__file__).parent / "fixtures" / "validation"


class _Fake:
    """A model whose A→B road trip is 66 min and 48 km, and which cannot reach C."""

    def route(self, origin: str, destination: str, mode: str) -> dict:
        if destination == "C":
            raise UnreachableError("no road trip from A to C")
        return {"minutes": 66.0, "km": 48.0, "measured": "door-to-door"}


def test_errors_tolerances_and_summary_by_arithmetic():
    table = evaluate_figures(read_figures(FIX / "figures.csv"), lambda date: _Fake())
    assert table["error"].tolist()[:2] == [6.0, -2.0]
    assert table["tolerance"].tolist()[:2] == [6.0, 5.0]  # 10 % of 60; an absolute 5 km
    assert table["inside"].tolist() == [True, True, False]  # the unreachable figure counts as outside
    assert "no road trip" in table["note"].iloc[2]
    summary = summarise_figures(table).set_index("measure")
    assert summary.loc["minutes", "figures"] == 2 and summary.loc["minutes", "modelled"] == 1
    assert summary.loc["minutes", "share_inside"] == 0.5
    assert summary.loc["km", "bias"] == -2.0 and summary.loc["km", "median_abs_error"] == 2.0


@pytest.mark.parametrize(
    "line, message",
    [
        ("A,B,car,2024,minutes,60,10%,x", "mode: found 'car'"),
        ("A,B,road,2024,hours,60,10%,x", "measure: found 'hours'"),
        ("A,B,road,2024,minutes,-1,10%,x", "value: found '-1'"),
        ("A,B,road,1990,minutes,60,10%,x", "year: found '1990'"),
        ("A,B,road,2024,minutes,60,ten,x", "tolerance: found 'ten'"),
        ("A,B,road,2024,minutes,60,10%,", "source: found ''"),
    ],
)
def test_bad_rows_name_the_line_and_field(tmp_path, line, message):
    path = tmp_path / "f.csv"
    path.write_text("origin,destination,mode,year,measure,value,tolerance,source\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"f.csv:2: {message}"):
        read_figures(path)


def test_cli_writes_tables_and_a_png(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "origin,destination,mode,year,measure,value,tolerance,source\n"
        "阳城,济源,road,2021,km,59.788,25%,阳济高速 length\n"
        "晋城东站,郑州站,rail,2021,km,140,5%,km posts\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate-times", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "share_inside" in result.output
    png = (tmp_path / "out" / "validation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out" / "validation.csv").read_text(encoding="utf-8").count("\n") == 3


def test_cli_bad_file_is_one_clear_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("origin,destination\nA,B\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate-times", str(path)])
    assert result.exit_code == 2 and "taihang: error:" in result.output and "missing column" in result.output


def _leg(mode: str, minutes: float) -> dict:
    return {"mode": mode, "minutes": minutes}


def test_ride_minutes_run_from_first_departure_to_last_arrival():
    from network.indicators.validation import ride_minutes

    legs = [_leg("road", 9), _leg("processing", 10), _leg("wait", 15), _leg("hsr", 40), _leg("transfer", 6)]
    legs += [_leg("wait", 5), _leg("rail", 20), _leg("egress", 5), _leg("road", 7)]
    assert ride_minutes(legs) == 40 + 6 + 5 + 20  # the change on the way counts, the ends do not
    assert ride_minutes([_leg("road", 30)]) != ride_minutes([_leg("road", 30)])  # NaN: no vehicle


class _Timed:
    """A model whose every trip takes ``minutes``."""

    def __init__(self, minutes: dict[str, float]):
        self.minutes = minutes

    def route(self, origin: str, destination: str, mode: str) -> dict:
        m = self.minutes[origin]
        return {"minutes": m, "km": m, "measured": "door-to-door", "legs": [_leg("bus", m)]}


def test_bounds_tag_headline_and_savings_by_arithmetic(tmp_path):
    from network.indicators.validation import savings_table, summarise_by, tag_headline

    path = tmp_path / "f.csv"
    path.write_text(
        "origin,destination,mode,as_of,measure,value,tolerance,grade,bound,pair,source\n"
        "P,Q,road,2012-01-01,minutes,100,15%,B,,p1,x\n"  # before: modelled 112 (inside 15 %)
        "P2,Q,road,2014-01-01,minutes,40,15%,B,,p1,x\n"  # after: modelled 50 (25 % over)
        "U,Q,rail,2014-01-01,ride_minutes,60,15%,A,upper,,x\n"  # an upper bound: 30 is inside
        "C,Q,road,2014-01-01,minutes,10,15%,C,,,x\n",  # grade C: outside the headline
        encoding="utf-8",
    )
    model = _Timed({"P": 112.0, "P2": 50.0, "U": 30.0, "C": 99.0})
    table = evaluate_figures(read_figures(path), lambda date: model)
    assert table["within_15pct"].tolist() == [True, False, True, False]
    assert "2 of 3 grade A/B times (67%): not met" in tag_headline(table)
    s = savings_table(table).iloc[0]
    assert (s["observed_saving"], s["modelled_saving"], s["right_way"]) == (60.0, 62.0, True)
    by = summarise_by(table).set_index(["grade", "mode"])
    assert by.loc[("B", "road"), "within_15pct"] == 0.5 and by.loc[("A", "rail"), "times"] == 1


def test_unknown_grade_or_bound_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "origin,destination,mode,year,measure,value,tolerance,grade,bound,source\nA,B,road,2024,minutes,60,10%,D,,x\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="f.csv:2: grade: found 'D'"):
        read_figures(path)


def test_a_coach_s_running_time_is_its_rides_as_a_trip_on_it_has_them():
    """The running time of a coach between its stops equals the ride legs of a trip that takes it
    (晋城 – 济源 and 晋城 – 郑州 in 2019 go by their coaches), both ways; an unknown service is refused."""
    from network.indicators.validation import ride_minutes
    from network.model import Model

    m = Model.default(2019)
    for sid, o, d in [("jincheng_jiyuan_coach", "晋城", "济源"), ("jincheng_zhengzhou_coach", "晋城", "郑州")]:
        trip = m.route(o, d, mode="transit")
        assert any(leg["mode"] == "bus" for leg in trip["legs"])
        assert m.service_minutes(sid, o, d) == pytest.approx(ride_minutes(trip["legs"]), abs=0.06)
        assert m.service_minutes(sid, d, o) == pytest.approx(m.service_minutes(sid, o, d), rel=0.02)
    from network.errors import LookupFailed

    with pytest.raises(LookupFailed, match="no service 'nope'"):
        m.service_minutes("nope", "晋城", "郑州")


def test_the_scatter_draws_grades_bounds_wide_ranges_and_unroutable_figures(tmp_path):
    """The PNG is drawn whatever the figures hold: grades and upper bounds, a range over ten times
    wide (log axes) and a figure the model cannot route (listed, not plotted)."""
    import pandas as pd

    from network.viz.charts import validation_png

    table = pd.DataFrame(
        {
            "line": [2, 3, 4],
            "origin": ["甲", "乙", "丙"],
            "destination": ["丁", "戊", "己"],
            "as_of": ["2020-12-31"] * 3,
            "measure": ["ride_minutes"] * 3,
            "published": [15.0, 540.0, 60.0],
            "modelled": [15.0, 300.0, float("nan")],
            "tolerance": [2.25, 81.0, 9.0],
            "inside": [True, False, False],
            "grade": ["B", "C", "A"],
            "bound": ["", "", "upper"],
        }
    )
    png = validation_png(table)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
