"""Charts a planner can read: the gain chart has one target per panel, places by Chinese and
English name (never an id), the unit and the date; and Chinese text renders with a real glyph."""

from __future__ import annotations

import re

import pytest

import network.viz.charts as charts
from network.analysis.compare import compare
from network.model import Model
from network.scenario.load import load_scenario

CJK = re.compile(r"[\u4e00-\u9fff]")
ID = re.compile(r"\bcn\d{6}\b|\b[a-z]+_[a-z_]+\b")


def test_the_cjk_font_has_the_glyphs_of_the_region():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = charts.cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    font = FT2Font(path)
    for ch in "晋城郑州洛阳阳城陵川":
        assert font.get_char_index(ord(ch)) != 0, (family, ch)


def test_no_cjk_font_is_a_clear_error_not_boxes(monkeypatch, tmp_path):
    from network.errors import DataError

    monkeypatch.setenv("TAIHANG_CJK_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(DataError, match="fonts-noto-cjk"):
        charts.cjk_font()


@pytest.fixture(scope="module")
def figures():
    """The gain and population charts of the Jincheng plan, drawn as compare --out draws them."""
    from network.viz import report

    model = Model.default(2035)
    comp = compare(model, [load_scenario("scenarios/jincheng_plan.yaml")], ["郑州", "洛阳"], decompose=False)
    r = comp.results[0]
    captured = []

    def keep(fig, warnings=()):
        captured.append(fig)
        return b""

    mp = pytest.MonkeyPatch()
    mp.setattr(charts, "_png", keep)
    try:
        report.gain_png(comp, r, [])
        charts.population_reached_png(
            r.places, r.scenario.name, comp.targets[0], label=report._both_names(comp)["zhengzhou"], as_of=comp.as_of
        )
    finally:
        mp.undo()
    return captured, comp


@pytest.fixture(scope="module")
def gain_figure(figures):
    return figures[0][0], figures[1]


def test_the_population_chart_names_its_target_and_date(figures):
    ax = figures[0][1].axes[0]
    words = ax.get_title() + " " + ax.get_xlabel()
    assert "郑州 Zhengzhou" in words and "2035-12-31" in words and "zhengzhou" not in words
    notes = [t.get_text() for t in ax.texts]
    assert any(n.startswith("≤60:") and n.endswith(" M") for n in notes)


def test_the_gain_chart_has_one_target_per_panel_named_in_chinese(gain_figure):
    fig, comp = gain_figure
    axes = fig.axes
    assert len(axes) == len(comp.main_targets) + 1  # 郑州, 洛阳, and the places the plan serves
    assert "郑州 Zhengzhou" in axes[0].get_title() and "洛阳 Luoyang" in axes[1].get_title()
    assert "2035-12-31" in fig._suptitle.get_text()
    for ax in axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels and all(CJK.search(x) for x in labels), labels
        assert not any(ID.search(x) for x in labels), labels
        assert "minutes gained" in ax.get_xlabel()
    first = [t.get_text() for t in axes[0].get_yticklabels()]
    assert first[0].split()[0] in {"陵川县", "城区", "阳城县", "泽州县", "高平市", "沁水县"}  # 晋城's places first
