"""Raw PDF-extracted text (the embedded default's kind) -> Lines: whole paragraphs, notes, headings, furniture.

The extraction keeps running heads and feet, page numbers, the vertical chapter tab, footnotes printed in the
middle of sentences, lines wrapped mid-word and justification spaces inside words. Three passes:

1. ``_classify``: each line on its own (blank, furniture, note start, tab-indented, figure, heading, body), the
   headings by the one style family of ``simplify.structure``;
2. ``_mark_furniture``: running heads and feet, page numbers, the vertical chapter tab: what only context reveals;
3. ``_Joiner``: joins wrapped lines into paragraphs and notes (a note printed inside a paragraph leaves it whole).

What is left to ``simplify.structure``: ranks, 項 and 目 (the boxes that told them apart are lost), ids, notes to
their marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..linebreak import display_width
from ..sentences import STOPS, URL_END, TextBuffer, label_number, normalize_spaces
from ..structure import FIGURE, FOOTNOTE_LINE, Line, match_heading
from ..textio import xml_safe

_INDD = re.compile(r"\.indd\b|\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}")  # the typesetter's job line
_DATE_ONLY = re.compile(r"^\s*\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_PAGE_EDGE = re.compile(r"^\s*(?P<lead>\d{1,4})?\s*(?P<body>\S.*?\S)\s*(?P<trail>\d{1,4})?\s*$")
# a chapter-level heading printed again, title first, as a running head: ICT利活用の推進 第6節
_HEAD_REVERSED = re.compile(r"^\s*(?P<title>\S.*?)\s*(?P<label>第[0-9０-９〇一二三四五六七八九十百]{1,4}[部章節])\s*$")
_SENTENCE_END = re.compile(r"[。！？!?][」』）)]*(?:（図表[^（）]*）)?$")
_CHAPTER_STYLES = ("部", "章", "節")
# NOTE: a running head is short and carries no sentence punctuation; longer lines are body.
_RUNNING_HEAD_MAX = 40
_RAW_NOTE = re.compile(r"^[＊*][0-9０-９]{1,3}[\t ]", re.M)


def looks_wrapped(text: str) -> bool:
    """Whether a text is what a PDF extractor gives (the embedded default's kind): lines wrapped at the column's
    measure, or ``＊N`` note lines with tab-indented continuations. Such text needs this module's line joining;
    text whose lines are paragraphs goes to ``simplify.sources.text``."""
    if _RAW_NOTE.search(text) or re.search(r"^\t\S", text, re.M):
        return True
    lines = [_classify(raw, i) for i, raw in enumerate(text.split("\n", 5000)[:5000])]
    return _short_line_width(lines) > 0


def wrapped_to_lines(text: str) -> list[Line]:
    """The paragraphs, notes, headings, figures and furniture of a wrapped text, in reading order."""
    # NOTE: a form feed (pdftotext's page break) ends a line; control characters are nobody's text
    lines = [_classify(raw, i) for i, raw in enumerate(xml_safe(text).split("\n"))]
    _mark_furniture(lines)
    return _Joiner(lines).join()


# ---------------------------------------------------------------------------------------------
# Pass 1: classify lines one by one


@dataclass
class _Line:
    index: int
    raw: str
    kind: str  # blank furniture footnote tab heading figure body
    style: str = ""  # a heading's style key
    label: str = ""
    title: str = ""
    number: int = 0

    @property
    def text(self) -> str:
        return normalize_spaces(self.raw)

    @property
    def lead_space(self) -> bool:
        return self.raw[:1].isspace()

    @property
    def trail_space(self) -> bool:
        return self.raw[-1:].isspace()


def _classify(raw: str, index: int) -> _Line:
    line = _Line(index, raw, "body")
    if not raw.strip():
        line.kind = "blank"
    elif _INDD.search(raw) or _DATE_ONLY.match(raw):
        line.kind = "furniture"
    elif (m := FOOTNOTE_LINE.match(raw)) and m["mark"] in ("＊", "*") and raw[0] in "＊*":
        line.kind, line.title, line.number = "footnote", m["rest"], label_number(m["num"])
    elif raw.startswith("\t"):
        line.kind = "tab"
    elif FIGURE.match(raw):
        line.kind = "figure"
    elif (found := match_heading(raw)) and found[0].counted and label_number(found[1]) < 100:
        # NOTE: only numbered styles (an unnumbered mark, ●, ■, starts a list item in wrapped text), and no outline
        # counts to 100: ``254 令和6年版 情報通信白書`` is a page's foot
        style, line.label, line.title = found
        line.kind, line.style, line.number = "heading", style.key, label_number(line.label)
    return line


# ---------------------------------------------------------------------------------------------
# Pass 2: page furniture that only context reveals


def _mark_furniture(lines: list[_Line]) -> None:
    _mark_vertical_tabs(lines)
    _mark_page_lines(lines)
    _mark_repeated_chapter_heads(lines)


def _short(line: _Line) -> bool:
    text = line.raw.strip()
    return line.kind == "body" and 0 < len(text) <= 2 and not any(c in STOPS + "、" for c in text)


def _mark_vertical_tabs(lines: list[_Line]) -> None:
    """The side tab prints one character a line (第/2/章, 総 …): runs of three or more such lines."""
    i = 0
    while i < len(lines):
        if not _short(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and _short(lines[j]):
            j += 1
        if j - i >= 3:
            for k in range(i, j):
                lines[k].kind = "furniture"
        i = max(j, i + 1)


def _page_key(line: _Line) -> tuple[str, str] | None:
    """A running foot such as ``254 令和6年版 情報通信白書 第Ⅱ部``: the rest without its page number, and the number
    (of a line that reads as a numbered heading: its title and its label)."""
    if line.kind == "heading" and line.label.isdecimal():
        return "".join(line.title.split()), line.label
    if line.kind != "body":
        return None
    text = line.raw.strip()
    if len(text) > _RUNNING_HEAD_MAX + 8 or any(c in STOPS + "、" for c in text):
        return None
    m = _PAGE_EDGE.match(text)
    if not m or not (m["lead"] or m["trail"]):
        return None
    return "".join(m["body"].split()), m["lead"] or m["trail"]


def _mark_page_lines(lines: list[_Line]) -> None:
    """A line with a page number at one edge whose rest repeats, or that names the publication. A line that reads
    as a heading numbered below 100 (``12 令和6年版 情報通信白書``) is a page line only when its rest comes with
    numbers that go as pages go: three or more, or stepping by two (a foot with its number first is on every other
    page). Two headings of one title (``1 概要``, ``2 概要``) step by one and stay headings."""
    found = [_page_key(line) for line in lines]
    counts: dict[str, int] = {}
    numbers: dict[str, set[int]] = {}
    for key in filter(None, found):
        counts[key[0]] = counts.get(key[0], 0) + 1
        numbers.setdefault(key[0], set()).add(label_number(key[1]))
    for line, key in zip(lines, found):
        if not key:
            continue
        if line.kind == "body":
            page = counts[key[0]] > 1 or "白書" in key[0]
        else:
            page = _goes_as_pages(sorted(numbers[key[0]]))
        if page:
            line.kind = "furniture"


def _goes_as_pages(numbers: list[int]) -> bool:
    return len(numbers) >= 3 or len(numbers) == 2 and numbers[1] - numbers[0] >= 2


def _mark_repeated_chapter_heads(lines: list[_Line]) -> None:
    """``第6節ICT 利活用の推進`` printed again at the top of a page is a running head, not a heading."""
    seen: set[str] = set()
    for line in lines:
        if line.kind == "heading" and line.style in _CHAPTER_STYLES:
            key = "".join((line.label + line.title).split())
            if key in seen:
                line.kind = "furniture"
            seen.add(key)
        elif line.kind == "body" and seen:
            m = _HEAD_REVERSED.match(line.raw)
            if m and "".join((m["label"] + m["title"]).split()) in seen:
                line.kind = "furniture"


# ---------------------------------------------------------------------------------------------
# Line widths: in text wrapped to a fixed measure, a short line that ends a sentence ends its paragraph


def _short_line_width(lines: list[_Line]) -> float:
    """Width (in half-width units) below which a line ending a sentence ends its paragraph; 0 when the text is not
    fixed-width wrapped (most body lines near one width), so ordinary plain text keeps its lines together."""
    widths = sorted(w for w in (2 * display_width(l.raw.strip()) for l in lines if l.kind == "body") if w >= 20)
    if len(widths) < 10:
        return 0.0
    typical = widths[len(widths) // 2]
    near = sum(1 for w in widths if 0.9 * typical <= w <= 1.1 * typical)
    return 0.8 * typical if near >= 0.6 * len(widths) else 0.0


# ---------------------------------------------------------------------------------------------
# Pass 3: join wrapped lines into paragraphs and notes


class _Joiner:
    def __init__(self, lines: list[_Line]):
        self.lines = lines
        self.out: list[Line] = []
        self.para = TextBuffer()
        self.para_trail_space = False
        self.pending_break = False
        self.after_page_break = False
        self.note: tuple[int, TextBuffer] | None = None  # number, text
        self.short_width = _short_line_width(lines)
        self.last_line_short = False
        # NOTE: the index of the first significant line at or after each line, computed once (linear time)
        self.next_index: list[int | None] = [None] * (len(lines) + 1)
        for k in range(len(lines) - 1, -1, -1):
            self.next_index[k] = k if lines[k].kind not in ("blank", "furniture") else self.next_index[k + 1]

    def join(self) -> list[Line]:
        for i, line in enumerate(self.lines):
            getattr(self, f"_on_{line.kind}")(i, line)
        self._flush_paragraph()
        self._flush_note()
        return self.out

    # -- helpers ------------------------------------------------------------------------------
    def _next_significant(self, i: int) -> _Line | None:
        index = self.next_index[i + 1]
        return self.lines[index] if index is not None else None

    def _flush_paragraph(self) -> None:
        if self.para:
            self.out.append(Line(self.para.value(), "paragraph"))
        self.para = TextBuffer()
        self.pending_break = False

    def _flush_note(self) -> None:
        if self.note:
            number, buffer = self.note
            self.out.append(Line(buffer.value(), "footnote", number=number))
        self.note = None

    def _note_open(self) -> bool:
        """Whether the note being read may continue on an untabbed line (its text is unfinished)."""
        if not self.note:
            return False
        tail = self.note[1].tail()
        return not (tail.endswith("。") or URL_END.search(tail))

    def _continues_note(self, line: _Line) -> bool:
        return self._note_open() and not line.lead_space

    def _discard(self, line: _Line) -> None:
        self.out.append(Line(line.raw.strip(), "furniture"))

    # -- the walk -----------------------------------------------------------------------------
    def _on_blank(self, i: int, line: _Line) -> None:
        self.pending_break = True

    def _on_furniture(self, i: int, line: _Line) -> None:
        self._discard(line)
        self._flush_note()
        self.pending_break = True
        self.after_page_break = True

    def _on_footnote(self, i: int, line: _Line) -> None:
        # NOTE: the paragraph goes on after a note printed at the foot of its column
        self._flush_note()
        self.note = (line.number, TextBuffer(normalize_spaces(line.title)))
        self.pending_break = True
        self.after_page_break = True

    def _on_tab(self, i: int, line: _Line) -> None:
        if self.note:
            self.note[1].add(line.text, True)
        else:
            self._on_body(i, line)

    def _on_figure(self, i: int, line: _Line) -> None:
        if self._continues_note(line):
            return self._on_tab(i, line)
        self._flush_paragraph()
        self._flush_note()
        self.out.append(Line(line.raw.strip(), "figure"))
        self.after_page_break = False

    def _on_heading(self, i: int, line: _Line) -> None:
        if self.para and not _SENTENCE_END.search(self.para.tail()):
            return self._on_body(i, line)  # NOTE: a line that goes on with an unfinished sentence (…①政府と|②消防庁と…)
        self._flush_paragraph()
        self._flush_note()
        self.out.append(Line(line.raw, "heading"))
        self.after_page_break = False

    def _on_body(self, i: int, line: _Line) -> None:
        if self._continues_note(line):
            self.note[1].add(line.text, line.lead_space)
            return
        self._flush_note()
        text = line.text
        if self._is_running_head(i, text):
            self._discard(line)
            return
        if self.para and (self.pending_break or self.last_line_short) and _SENTENCE_END.search(self.para.tail()):
            self._flush_paragraph()
        self.para.add(text, self.para_trail_space or line.lead_space)
        self.para_trail_space = line.trail_space
        self.last_line_short = 2 * display_width(text) < self.short_width
        self.pending_break = False
        self.after_page_break = False

    def _is_running_head(self, i: int, text: str) -> bool:
        """A short unpunctuated line alone at the top of a page, right before a heading."""
        if not self.after_page_break or self.para and not _SENTENCE_END.search(self.para.tail()):
            return False
        if len(text) > _RUNNING_HEAD_MAX or any(c in STOPS + "、" for c in text):
            return False
        nxt = self._next_significant(i)
        return nxt is not None and nxt.kind == "heading"
