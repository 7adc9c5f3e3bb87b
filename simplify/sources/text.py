"""Plain text whose lines are paragraphs: the ministries' text editions, notices typed in an editor."""

from __future__ import annotations

from ..structure import Line


def text_to_lines(text: str) -> list[Line]:
    """One Line a line; blank lines end paragraphs, and every line starts one (nothing is wrapped)."""
    return [Line(raw) for raw in text.split("\n")]
