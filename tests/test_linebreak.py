"""One line breaker for captions and covers: widths, and the JLReq line-start rule."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simplify.linebreak import NO_LINE_START, break_lines, display_width


@pytest.mark.parametrize("text, expected", [("漢字", 2.0), ("AI", 1.0), ("ｶﾅ", 1.0), ("令和6年", 3.5), ("", 0.0)])
def test_display_width(text, expected):
    assert display_width(text) == expected


@pytest.mark.parametrize("text, width, expected", [
    ("総務省の白書です。", 4, ["総務省の", "白書で", "す。"]),  # 。 may not begin a line
    ("データー", 3, ["デー", "ター"]),  # nor ー: タ goes along with it
    ("情報通信白書「ICT利活用の推進」", 8, ["情報通信白書", "「ICT利活用の推", "進」"]),  # before 「 first
])
def test_break_lines(text, width, expected):
    assert break_lines(text, width, phrases="「" in text) == expected


@given(st.text(alphabet="あいうえおかきくけこ、。ーっ「」ABC ", max_size=60).filter(
    lambda t: not re.search("[、。ーっ」]{2}", t)), st.integers(min_value=2, max_value=13))
def test_no_line_starts_with_a_forbidden_character_and_nothing_is_lost(text, width):
    lines = break_lines(text, width)
    assert "".join(lines) == text
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    assert all(display_width(line) <= width + 1 for line in lines)  # one character may be carried along
