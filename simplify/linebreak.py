"""Display width and line breaking for Japanese text: one rule for caption lines and book covers.

A full-width character is 1, a half-width one (Latin, digits, half-width kana) ½. A line never begins with a
character that JIS X 4051 / JLReq forbid at a line's start (、。」ー small kana …): the character before it goes
along to the next line (追い出し).
"""

from __future__ import annotations

import re
import unicodedata

NO_LINE_START = frozenset("、。，．）」』】〕・ーぁぃぅぇぉっゃゅょァィゥェォッャュョ！？")


def display_width(text: str) -> float:
    """Width in full-width characters.

    >>> display_width("AI戦略2024")
    5.0
    """
    return sum(0.5 if unicodedata.east_asian_width(c) in "NaH" else 1.0 for c in text)


def break_lines(text: str, width: float, *, phrases: bool = False) -> list[str]:
    """``text`` in lines of at most ``width``; with ``phrases``, broken first at spaces and before 「 (a title on
    a cover), inside a phrase only when the phrase alone is too long.

    >>> break_lines("総務省の白書です。", 4)  # 。 may not begin a line: す goes along with it
    ['総務省の', '白書で', 'す。']
    """
    if not phrases:
        return _by_character(text, width)
    out: list[str] = []
    line = ""
    for phrase in (p for p in re.split(r" +|(?=「)", text) if p):
        joined = f"{line} {phrase}" if line and line[-1].isascii() and phrase[0].isascii() else line + phrase
        if display_width(joined) <= width:
            line = joined
            continue
        if line:
            out.append(line)
        pieces = _by_character(phrase, width)
        out.extend(pieces[:-1])
        line = pieces[-1] if pieces else ""
    if line:
        out.append(line)
    return out


def _by_character(text: str, width: float) -> list[str]:
    out, current = [], ""
    for char in text:
        if current and display_width(current + char) > width:
            if char in NO_LINE_START and len(current) > 1:
                out.append(current[:-1])
                current = current[-1]
            else:
                out.append(current)
                current = ""
        current += char
    if current:
        out.append(current)
    return out
