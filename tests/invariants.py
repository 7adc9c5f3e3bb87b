"""The 'nothing lost' check, shared by the golden and the property tests."""

from __future__ import annotations

from collections import Counter

from simplify.model import Document
from simplify.textio import xml_safe


def nonspace(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


def body_pieces(document: Document) -> list[str]:
    pieces = []
    for section in document.walk():
        pieces += [section.label, section.title]
        pieces += [s.text_with_marks() for s in section.sentences()]
    return pieces


def footnote_pieces(document: Document) -> list[str]:
    return [f.mark + f.text for s in document.walk() for f in s.footnotes]


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(c in it for c in needle)


def assert_nothing_lost(text: str, document: Document) -> None:
    """Every non-whitespace character of the input is in exactly one place, in order (control characters that XML
    forbids are nobody's text: no page or book could carry them)."""
    source = nonspace(xml_safe(text))
    body = nonspace("".join(body_pieces(document)))
    notes = [nonspace(p) for p in footnote_pieces(document)]
    discarded = nonspace("".join(document.discarded))
    assert Counter(source) == Counter(body + "".join(notes) + discarded)
    assert is_subsequence(body, source)
    assert is_subsequence(discarded, source)
    for note in notes:
        assert is_subsequence(note, source)
