"""Tables and paragraphs laid out by display width (network/textlayout.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from network.textlayout import display_width, layout_table, wrap

WORDS = st.text(alphabet="ab郑州洛阳晋城 123.-", min_size=0, max_size=30)


def test_chinese_takes_two_columns():
    assert display_width("郑州") == 4 and display_width("Zhengzhou") == 9 and display_width("郑州 East") == 9


def test_a_table_lines_up_by_display_width():
    text = layout_table(["place", "pop\n2020"], [["阳城县", "380000"], ["Yangcheng", "5"]], [False, True], 100)
    lines = text.splitlines()
    assert lines[0] == " " * 14 + "pop"  # place 9 wide (Yangcheng; 阳城县 is 6), a gap of 2, pop2020 6
    assert lines[1] == "place" + " " * 8 + "2020"
    assert lines[2] == "─" * 17
    assert lines[3] == "阳城县" + " " * 5 + "380000"
    assert lines[4] == "Yangcheng" + " " * 7 + "5"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=3, max_size=3), min_size=1, max_size=6), st.integers(30, 100))
def test_a_table_fits_its_width_and_keeps_every_word(rows, width):
    text = layout_table(["a", "b", "c"], rows, [False, True, False], width)
    assert all(display_width(line) <= width for line in text.splitlines())
    assert all(not line.endswith(" ") for line in text.splitlines())


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=6), st.integers(4, 40))
def test_a_column_keeps_every_character_in_order(cells, width):
    text = layout_table(["a"], [[c] for c in cells], [False], width)
    body = text.splitlines()[2:]
    assert "".join("".join(body).split()) == "".join("".join(cells).split())


@settings(max_examples=200, deadline=None)
@given(WORDS, st.integers(2, 40))
def test_wrapping_keeps_the_text_and_the_width(text, width):
    """(A width of 1 cannot hold a Chinese character; no table is that narrow.)"""
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())
