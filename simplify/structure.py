"""Lines of any source -> Document: one structure model for the heading styles of Japanese public documents.

Every source (``simplify.sources``: text editions, notices, Markdown, HTML, PDF) ends in the same neutral
intermediate, a list of ``Line``: its text, and what the source itself knows (a heading rank from markup or type
size, a footnote zone, a figure caption, page furniture). This module turns those lines into the section tree:

- Heading styles come from a known family (``HEADING_STYLES``: 第N部/章/節, ``N－N．``, ``１．``, ``N　``, （N）, ア,
  （ア）, ①, コラム, ●■◆ markers, 《》【】 lines) or from the source (``#``, ``h1``–``h6``, type size).
- Each document's order of styles is learnt from the document: a style first seen below another ranks below it
  (as outline numbering works); a source's explicit ranks come first.
- A numbered line is a heading only while its numbering continues its style; a line that continues no heading
  but answers a footnote marker of the text (`` 1 ``, a raised digit) is that footnote.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal

from .model import Block, Cell, Document, Footnote, NoteRef, Ruby, Section, Source
from .sentences import (KANA_ORDER, KANA_ROMAJI, NOTE_MARK, TextBuffer, find_links, label_number, normalize_spaces,
                        split_sentences, text_to_sentence, unique_id)
from .textio import fold_forms, split_annotations, without_annotations, xml_safe

_NUM = r"[0-9０-９]{1,3}"
_KANJI_NUM = r"[0-9０-９〇一二三四五六七八九十百]{1,4}"
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①…⑳
_SEP = r"[ \u3000\t]*"
_TITLE = r"(?P<title>\S.*?)"
_MARKERS = "●■◆◇□○▼▽★☆◎"


@dataclass(frozen=True)
class HeadingStyle:
    """One way of printing a heading: its key, the pattern, whether its labels count 1, 2, 3 …"""

    key: str
    pattern: re.Pattern
    counted: bool = True  # the label carries a number that must continue
    any_start: bool = False  # the first number may be any (第6節 opens an excerpt)
    example: str = ""
    nests: bool = False  # printed at two levels (項 and 目 of a white paper): numbering tells them apart


def _style(key: str, label: str, example: str, *, counted: bool = True, any_start: bool = False,
           sep: str = _SEP, nests: bool = False) -> HeadingStyle:
    pattern = re.compile(rf"^\s*(?P<label>{label}){sep}{_TITLE}\s*$")
    return HeadingStyle(key, pattern, counted, any_start, example, nests)


# NOTE: order matters only where two patterns match one line: the more specific first.
HEADING_STYLES: tuple[HeadingStyle, ...] = (
    _style("部", rf"第{_KANJI_NUM}部", "第2部　情報通信分野の現状と課題", any_start=True),
    _style("章", rf"第{_KANJI_NUM}章", "第１章　新時代を迎えたＡＩ", any_start=True),
    _style("節", rf"第{_KANJI_NUM}節", "第6節　ICT利活用の推進", any_start=True),
    _style("款", rf"第{_KANJI_NUM}款", "第1款　総則", any_start=True),
    HeadingStyle("コラム", re.compile(rf"^\s*(?P<label>コラム{_NUM}(?:[-－‐―]{_NUM})*)[ \u3000\t]*(?P<title>\S.*?)?\s*$"),
                 any_start=True, example="コラム１-１　ＡＩの定義"),
    _style("N-N.", rf"{_NUM}[-－‐―]{_NUM}[．.]", "1－1．事業の目的", any_start=True),
    _style("N.", rf"{_NUM}[．.](?![0-9０-９])", "１．日時"),
    _style("(N)", rf"[（(]{_NUM}[）)]", "（1）　これまでの取組"),
    _style("N", _NUM, "1　概要", sep=r"[ \u3000\t]+", nests=True),
    _style("(ア)", rf"[（(][{KANA_ORDER}][）)]", "（ア）ローカル5Gの推進"),
    _style("ア", rf"[{KANA_ORDER}]", "ア　ローカル5Gの概要", sep=r"[ \u3000\t]+"),
    _style("①", rf"[{_CIRCLED}]", "①　申込方法"),
    # NOTE: a title framed by marks on both sides (■□■□ 今号の内容 ■□■□, ◆◆ 特集 ◆◆): the marks are decoration
    HeadingStyle("framed", re.compile(rf"^\s*(?P<label>)[{_MARKERS}]+[ \u3000]*(?P<title>[^{_MARKERS}\s][^{_MARKERS}]{{0,38}}?)"
                                      rf"[ \u3000]*[{_MARKERS}]+\s*$"), False, example="■□ 今号の内容 □■"),
    *(_style(f"mark{m}", re.escape(m), f"{m}お知らせ", counted=False) for m in _MARKERS),
    HeadingStyle("《》", re.compile(r"^\s*(?P<label>)《(?P<title>[^《》]{1,40})》\s*$"), False, example="《特集》"),
    HeadingStyle("【】", re.compile(r"^\s*(?P<label>)【(?P<title>[^【】]{1,40})】\s*$"), False, example="【問合せ先】"),
)

# a figure's or table's number: 図表Ⅱ-2-6-1, 第1-2-3図, 図3, 表2-1
_FIGURE_ID = (r"(?:図表\s?[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ0-9０-９A-Za-z\-－‐―.]+|第?[0-9０-９]+(?:[-－‐―][0-9０-９]+)+(?:図|表)"
              r"|[図表]\s?[0-9０-９]+(?:[-－‐―][0-9０-９]+)*)")
_AFTER_ID = r"[\s\u3000／/:：]"
FIGURE = re.compile(rf"^\s*(?P<id>■?\s*{_FIGURE_ID}){_AFTER_ID}+(?P<caption>\S.*)$")
# where a figure's caption begins in a page's text (a ■ box title, or a figure number)
FIGURE_START = re.compile(rf"^\s*■|^\s*{_FIGURE_ID}{_AFTER_ID}")
# a label set between markers: ■第1章■ 今月の市政, ◆第2節◆
_DECORATION = re.compile(rf"^[{_MARKERS}]+\s*(?P<label>第{_KANJI_NUM}[部章節])\s*[{_MARKERS}]+\s*(?P<title>.*)$")
_URL = re.compile(r"https?://|www\.")
# NOTE: a line drawn from rule and ornament characters alone (━━━, ＝＝＝, ■□■□, ★☆★☆): a banner, never read
_RULE = re.compile(rf"^[\s{_MARKERS}━─═＝=－\-_＿~〜～*＊・･+＋#＃|｜/／<>＜＞]{{3,}}$")
# a note printed at the foot: ＊1 …, ※1 …, 1 … (a bare number is a note only where the text marked one)
FOOTNOTE_LINE = re.compile(rf"^\s*(?:(?P<mark>[＊*※])\s?)?(?P<num>{_NUM})[)）]?[ \u3000\t]+(?P<rest>\S.*)$")
_MARK_RUN = re.compile(r"(＊[0-9]{1,3})[、，,](?=＊)")  # 注1、2: the comma between two marks
# a footnote marker the text edition prints as " 1 " between two words
_SPACED_MARKER = re.compile(r"(?<=\S) (?P<num>[0-9]{1,3}) (?=\S)")


Role = Literal["text", "body", "item", "paragraph", "heading", "footnote", "figure", "table", "furniture"]


@dataclass(frozen=True)
class Line:
    """One line (or paragraph) of a source, with what the source knows about it.

    ``role``: text | body | item | paragraph | heading | footnote | figure | table | furniture (``body`` and ``item``
    are never headings: the source knows better, as a PDF's type size does; a ``paragraph`` is one the source has
    joined whole, never a heading, a note or a figure). A ``heading`` carries a ``rank`` (0 = top) from markup or
    type size, or none when the source found it by its printed style (the style family ranks it, numbering places
    項 and 目); ``text`` lines are read by the style family. ``joins`` says the line continues the paragraph before
    it (a wrapped line of a PDF column)."""

    text: str
    role: Role = "text"
    rank: int | None = None
    number: int | None = None  # a footnote's number
    joins: bool = False
    style: str | None = None  # a source's own style key for headings (h2, pdf:13); "source" on a figure's 資料 line
    cells: tuple[tuple[Cell, ...], ...] = ()  # a table's rows (role ``table``)


@dataclass
class _Node:
    depth: int
    rank: int
    label: str
    title: str
    style: str
    number: int | None
    blocks: list = field(default_factory=list)
    children: list = field(default_factory=list)
    title_marks: tuple[int, ...] = ()  # footnote numbers marked on the heading


def plausible_title(title: str, limit: int = 60) -> bool:
    """Short, unpunctuated at the end, no sentence inside, no URL: a heading's title, not a sentence or a note."""
    title = title.strip()
    return (0 < len(title) <= limit and title[-1] not in "。、，,：:；;" and "。" not in title[:-1]
            and not title.endswith("。") and not _URL.search(title) and any(c.isalpha() for c in title))


def match_heading(text: str) -> tuple[HeadingStyle, str, str] | None:
    """The heading style a line is printed in, with its label and title; None for body text."""
    text = text.strip()
    m = _DECORATION.match(text)
    if m:
        text = f"{m['label']}\u3000{m['title']}"
    for style in HEADING_STYLES:
        m = style.pattern.match(text)
        if m and style.key == "コラム" and not m["title"]:
            return style, m["label"], ""  # NOTE: a boxed column's label may stand alone above its title
        if m and m["title"] and plausible_title(m["title"], 60 if style.counted else 40):
            return style, m["label"], normalize_spaces(m["title"])
    return None


_INNER = "+"  # the key of a nesting style's inner level: N+ is 目 below N (項)


class _Model:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        # NOTE: the index of the first line with text at or after each line (not furniture), computed once
        self.next_index: list[int | None] = [None] * (len(lines) + 1)
        for k in range(len(lines) - 1, -1, -1):
            significant = lines[k].text.strip() and lines[k].role != "furniture"
            self.next_index[k] = k if significant else self.next_index[k + 1]
        self.ranks: list[str] = []  # style keys, top first
        self.explicit: dict[str, int] = {}  # a source's own style key -> the rank the source gave it (h2 -> 1)
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.last: dict[str, int] = {}  # style -> last number under the current parent
        self.para = TextBuffer()
        self.notes: list[tuple[Footnote, _Node | None]] = []
        self.note: tuple[int, str, TextBuffer] | None = None
        self.pending_markers: set[int] = set()
        self.next_marker = 1
        self.discarded: list[str] = []
        self.figures: list[Block] = []  # figures met inside a paragraph, placed after it

    # -- styles and numbering ---------------------------------------------------------------------
    def _rank_of(self, key: str, explicit: int | None) -> int:
        if key not in self.ranks:
            if explicit is not None:
                # NOTE: a source's own ranks (h1…h6, type size) order themselves; text styles go below them
                place = sum(1 for k in self.ranks if k in self.explicit and self.explicit[k] < explicit)
                self.explicit[key] = explicit
            elif key.endswith(_INNER) and key[:-len(_INNER)] in self.ranks:
                place = self.ranks.index(key[:-len(_INNER)]) + 1  # NOTE: 目 sits right below its 項
            else:
                parent = next((n for n in reversed(self.stack) if n.rank >= 0), None)
                place = self.ranks.index(parent.style) + 1 if parent else len(self.ranks)
            self.ranks.insert(place, key)
        return self.ranks.index(key)

    def _continues(self, style: HeadingStyle, number: int | None, key: str) -> bool:
        if not style.counted or number is None:
            return True
        last = self.last.get(key)
        if last is None:
            return number == 1 or style.any_start or (not self.roots and number <= 9)
        return number in (last + 1, 1) or style.any_start and number > last

    def _level_key(self, index: int, style: HeadingStyle, number: int | None) -> str:
        """項 or 目? A style printed at two levels (1 概要 / 1 これまでの取組: the boxes that told them apart are lost
        in extracted text) goes one level in when it continues the inner numbering, or out when the heading right
        after it restarts at 1 (a 項 is followed by its 目 1) or it continues the outer numbering."""
        if not style.nests or number is None:
            return style.key
        inner_key = style.key + _INNER
        outer, inner = self.last.get(style.key, 0), self.last.get(inner_key, 0)
        fits_outer, fits_inner = number == outer + 1, outer > 0 and number == inner + 1
        if self._followed_by_first(index, style) and (fits_outer or not fits_inner):
            return style.key
        if fits_inner:
            return inner_key
        if fits_outer:
            return style.key
        return inner_key if outer > 0 else style.key

    def _followed_by_first(self, index: int, style: HeadingStyle) -> bool:
        """Whether the next line with text is a heading of ``style`` numbered 1."""
        following = self.next_index[index + 1]
        if following is None or self.lines[following].role not in ("text", "heading"):
            return False
        found = match_heading(self.lines[following].text)
        return found is not None and found[0].key == style.key and label_number(found[1]) == 1

    # -- paragraphs and notes -------------------------------------------------------------------
    def _current(self) -> _Node:
        if not self.stack:
            node = _Node(1, -1, "", "", "", None)
            self.roots.append(node)
            self.stack.append(node)
        return self.stack[-1]

    def flush(self) -> None:
        if self.para:
            text = self.para.value()
            sentences = tuple(text_to_sentence(s) for s in split_sentences(text))
            if sentences:
                self._current().blocks.append(Block("paragraph", sentences))
        self.para = TextBuffer()
        if self.figures:
            self._current().blocks.extend(self.figures)
            self.figures = []

    def _markers(self, text: str) -> str:
        """Spaced digits that continue the footnote numbering are markers (" 1 " -> ＊1)."""
        def swap(m: re.Match) -> str:
            if int(m["num"]) != self.next_marker:
                return m.group(0)
            self.next_marker += 1
            return f"＊{m['num']}"
        text = _SPACED_MARKER.sub(swap, text)
        text = _MARK_RUN.sub(r"\1", text)
        self._note_marks(text)
        return text

    def _note_marks(self, text: str) -> None:
        """Every ``＊N`` in a text awaits its footnote; numbering goes on after the highest seen."""
        for m in NOTE_MARK.finditer(text):
            number = int(m["num"])
            self.pending_markers.add(number)
            self.next_marker = max(self.next_marker, number + 1)

    def flush_note(self) -> None:
        if self.note:
            number, mark, buffer = self.note
            text = buffer.value()
            text, spans = split_annotations(text)
            self.notes.append((Footnote(mark, number, text, tuple(l.url for l in find_links(text)),
                                        ruby=tuple(Ruby(*span) for span in spans)),
                               self.stack[-1] if self.stack else None))
        self.note = None

    def open_note(self, number: int, text: str) -> None:
        # NOTE: no paragraph flush: notes printed at a column's foot sit inside a paragraph that goes on
        self.flush_note()
        self.note = (number, f"＊{number}", TextBuffer(normalize_spaces(text)))
        self.pending_markers.discard(number)

    # -- lines ------------------------------------------------------------------------------------
    def add(self, index: int) -> None:
        line = self.lines[index]
        text = line.text.strip()
        if not text and line.role != "table":
            self.flush()
            return
        if line.role == "furniture":
            self.discarded.append(text)
            return
        if line.role == "footnote":
            if line.number is not None:
                self.open_note(line.number, text)
            elif self.note:
                self.note[2].add(normalize_spaces(text), True)
            else:
                self.discarded.append(text)
            return
        if line.role == "table":
            return self._table(line.cells)
        if line.role == "paragraph":
            return self._paragraph(text)
        if line.role == "figure" and line.style == "source":
            return self._figure_source(text)
        if line.role == "figure" or FIGURE.match(text) and line.role != "heading" and not line.joins:
            return self._figure(text)
        if line.role == "heading":
            marks = tuple(int(m["num"]) for m in NOTE_MARK.finditer(text))
            text = self._heading_markers(text)
            found = match_heading(text)
            label, title = (found[1], found[2]) if found else ("", normalize_spaces(text))
            number = label_number(label) if found and found[0].counted else None
            if line.rank is None and found:  # NOTE: found by its printed style: the style family ranks it
                self._heading(self._level_key(index, found[0], number), label, title, None, number)
            else:
                self._heading(f"source:{line.rank}:{line.style or ''}", label, title, line.rank, number)
            self.stack[-1].title_marks = marks
            return
        if _RULE.match(text) and sum(not c.isspace() for c in text) >= 3:
            self.flush()
            self.discarded.append(text)
            return
        if not line.joins:
            self.flush()  # NOTE: a line that does not continue the paragraph ends it
            if self._note_line(text):
                return
            if self.note and self._continues_note(text):
                self.note[2].add(normalize_spaces(text), True)
                return
        if self._untitled(text, line):
            return
        found = None if line.joins or line.role in ("item", "body") else match_heading(text)
        if found:
            style, label, title = found
            number = label_number(label) if style.counted else None
            key = self._level_key(index, style, number)
            if self._continues(style, number, key):
                return self._heading(key, label, title, None, number)
        self.flush_note()
        self.para.add(normalize_spaces(self._markers(text)), True)

    def _paragraph(self, text: str) -> None:
        """A paragraph its source has joined whole (wrapped lines, notes printed inside it taken out)."""
        self.flush()
        self.flush_note()
        self._note_marks(text)
        self.para.add(text, True)
        self.flush()

    def _untitled(self, text: str, line: Line) -> bool:
        """A boxed column's label printed alone (コラム１-２) takes the short line right after it as its title."""
        node = self.stack[-1] if self.stack else None
        if (node is None or node.title or not node.label.startswith("コラム") or node.blocks or node.children or self.para
                or line.joins or not plausible_title(text, 40) or match_heading(text)):
            return False
        node.title = normalize_spaces(text)
        return True

    def _heading_markers(self, text: str) -> str:
        """A marker on a heading (``第２節　ＡＩ技術の潮流³``) is noted, and kept out of the spoken title."""
        self._note_marks(text)
        return NOTE_MARK.sub("", text)

    def _note_line(self, text: str) -> bool:
        m = FOOTNOTE_LINE.match(text)
        if not m:
            return False
        number = int(unicodedata.normalize("NFKC", m["num"]))
        if number not in self.pending_markers:
            return False
        self.open_note(number, m["rest"])
        return True

    def _continues_note(self, text: str) -> bool:
        """A URL line, or a short line with a URL, after a footnote belongs to it."""
        return bool(_URL.search(text)) and len(text) <= 160 and "。" not in text

    def _figure(self, text: str) -> None:
        self.flush_note()
        m = FIGURE.match(text)
        figure_id, caption = (m["id"].lstrip("■ "), normalize_spaces(m["caption"])) if m else ("", text)
        sentence = text_to_sentence(f"{figure_id} {caption}".strip())
        block = Block("figure", (sentence,), figure_id or None, without_annotations(caption))
        if self.para and not re.search(r"[。！？」）]$", self.para.tail()):
            self.figures.append(block)  # NOTE: the text flows around the figure: it follows the paragraph
        else:
            self.flush()
            self._current().blocks.append(block)

    def _figure_source(self, text: str) -> None:
        """A figure's source line (資料：…) is read with the figure, after its caption."""
        self._note_marks(text)
        sentence = text_to_sentence(normalize_spaces(text))
        blocks = self.figures or self._current().blocks
        if blocks and blocks[-1].type == "figure":
            blocks[-1] = replace(blocks[-1], sentences=blocks[-1].sentences + (sentence,))
        else:  # NOTE: after a table: a paragraph of its own, read after the rows
            self.flush()
            self._current().blocks.append(Block("paragraph", (sentence,)))

    def _table(self, rows: tuple[tuple[Cell, ...], ...]) -> None:
        """A table's rows, each read as one sentence with its column's header names (「項目：…、金額：…」)."""
        self.flush()
        self.flush_note()
        rows = tuple(tuple(replace(c, text=normalize_spaces(xml_safe(c.text))) for c in row) for row in rows)
        shown = tuple(tuple(replace(c, text=NOTE_MARK.sub("", without_annotations(c.text))) for c in row) for row in rows)
        # NOTE: a first row of short header cells names the columns; else a row's own header cell names it
        header = rows[0] if len(rows) > 2 and all(c.header and len(c.text) <= 20 for c in rows[0]) else None
        sentences = []
        for row in rows[1:] if header else rows:
            texts = [c.text for c in row]
            if not any(texts):
                continue
            if header and len(header) == len(row):
                texts = [f"{h.text}：{t}" if h.text and t else t for h, t in zip(header, texts)]
            elif len(row) > 1 and row[0].header and row[0].text:
                texts = [f"{row[0].text}：{'、'.join(t for t in texts[1:] if t)}"]
            spoken = "、".join(t for t in texts if t)
            if spoken:
                self._note_marks(spoken)
                sentences.append(text_to_sentence(spoken if spoken.endswith("。") else spoken + "。"))
        if sentences:
            self._current().blocks.append(Block("table", tuple(sentences), rows=shown, header_rows=1 if header else 0))

    def _heading(self, key: str, label: str, title: str, explicit: int | None, number: int | None = None) -> None:
        self.flush()
        self.flush_note()
        rank = self._rank_of(key, explicit)
        # NOTE: the untitled opening (rank -1) is a section of its own, never a parent
        while self.stack and (self.stack[-1].rank >= rank or self.stack[-1].rank < 0):
            self.stack.pop()
        # NOTE: numbering restarts below a new parent: styles deeper than this one begin again
        for deeper in self.ranks[rank + 1:]:
            self.last.pop(deeper, None)
        if number is not None:
            self.last[key] = number
        node = _Node(len(self.stack) + 1, rank, label, title, key, number)
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)

    def finish(self) -> None:
        self.flush()
        self.flush_note()


def _segment(node: _Node, index: int) -> str:
    kana = next((c for c in node.label if c in KANA_ORDER), None)
    if kana and node.number:
        return KANA_ROMAJI[KANA_ORDER.index(kana)]
    if node.number is not None:
        return str(node.number)
    return f"h{index}"


def _freeze(nodes: list[_Node], parent: str, counts: dict[str, int], notes: dict[int, list[Footnote]]
            ) -> tuple[Section, ...]:
    out = []
    for index, node in enumerate(nodes, 1):
        segment = _segment(node, index)
        base = f"{parent}-{segment}" if parent else (segment if segment[0].isalpha() else f"s{segment}")
        if node.rank < 0 and not parent:
            base = "main"
        section_id = unique_id(base, counts)
        children = _freeze(node.children, section_id, counts, notes)
        own = tuple(sorted(notes.get(id(node), []), key=lambda f: f.number))
        title, spans = split_annotations(node.title)
        marks = tuple(NoteRef(f"＊{n}", n, len(title)) for n in node.title_marks)
        out.append(Section(section_id, node.depth, without_annotations(node.label), title, tuple(node.blocks), own,
                           children, title_notes=marks, title_ruby=tuple(Ruby(*span) for span in spans)))
    return tuple(out)


def _attach_footnotes(roots: list[_Node], footnotes: list[tuple[Footnote, _Node | None]]) -> dict[int, list[Footnote]]:
    """Each footnote goes to the section whose text (or heading) carries its mark first, else to where it was
    printed; a number printed twice claims its mark once."""
    first_use: dict[int, _Node] = {}
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        for number in node.title_marks:
            first_use.setdefault(number, node)
        for block in node.blocks:
            for sentence in block.sentences:
                for note in sentence.notes:
                    first_use.setdefault(note.number, node)
        stack.extend(reversed(node.children))
    attached: dict[int, list[Footnote]] = {}
    placed: set[int] = set()
    for footnote, printed_in in footnotes:
        node = first_use.get(footnote.number) if footnote.number not in placed else None
        node = node or printed_in or (roots[0] if roots else None)
        placed.add(footnote.number)
        if node is not None:
            attached.setdefault(id(node), []).append(footnote)
    return attached


def lines_to_document(lines: list[Line], *, doc_id: str, source: Source, title: str | None = None,
                      discarded: tuple[str, ...] = (), source_report: tuple[str, ...] = ()) -> Document:
    """The section tree of a document given as lines (see ``Line``)."""
    # NOTE: a PDF's glyph map can hold control characters; markup cannot
    # and some makers' fonts give CJK radicals for ideographs (⽅ for 方)
    clean = [line if (safe := fold_forms(xml_safe(line.text))) == line.text and not line.cells
             else replace(line, text=safe, cells=tuple(tuple(replace(c, text=fold_forms(c.text)) for c in row)
                                                      for row in line.cells)) for line in lines]
    model = _Model(clean)
    for index in range(len(clean)):
        model.add(index)
    model.finish()
    roots = model.roots
    _headline_lists(roots, None, _all_titles(roots))
    _title_line(roots)
    if not roots and model.notes:
        roots.append(_Node(1, -1, "", "", "", None))
    notes_by_node = _attach_footnotes(roots, model.notes)
    sections = _freeze(roots, "", {}, notes_by_node)
    title = without_annotations(fold_forms(xml_safe(title))) if title else title
    if not title:
        first = next((s for s in sections if s.title), None)
        title = first.heading if first else _first_words(sections) or source.file
    discarded = tuple(without_annotations(t) for t in tuple(discarded) + tuple(model.discarded))
    return Document(doc_id, title, source, sections, discarded, source_report)


def _title_line(roots: list[_Node]) -> None:
    """The notice's own title, from the short lines before any heading (``令和7年度 防災訓練のお知らせ``): the first
    that reads as a title, past a date line, a sender or an addressee (which stay, read after the title); a
    fiscal-year label alone on the line before it is part of it. It is announced as a heading and names the
    document."""
    if not roots or roots[0].rank >= 0:
        return
    blocks = roots[0].blocks
    for index, block in enumerate(blocks[:_TITLE_REACH]):
        if block.type != "paragraph" or len(block.sentences) != 1 or block.sentences[0].notes:
            return
        text = block.sentences[0].text
        if _BEFORE_TITLE.match(text):
            continue
        if not plausible_title(text, 40):
            return
        if _FISCAL_YEAR.match(text) and index + 1 < len(blocks) and _title_after(blocks[index + 1]):
            roots[0].title = f"{text} {blocks[index + 1].sentences[0].text}"
            del blocks[index:index + 2]
            return
        roots[0].title = text
        del blocks[index]
        return


_TITLE_REACH = 5  # NOTE: a title comes after at most a date, a sender, an addressee and a year label
_DATE = r"(?:(?:令和|平成|昭和)\s*[0-9０-９元]{1,2}|[0-9０-９]{4})\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日"
# NOTE: a date line (with its weekday, or 発行/現在), a sender (○○市長, ○○課) or an addressee (皆様へ, 各位) alone
_BEFORE_TITLE = re.compile(rf"^\s*(?:{_DATE}\s*(?:[（(][月火水木金土日][）)])?\s*(?:発行|現在|更新|発表|付)?"
                           r"|.{1,20}(?:[市町村区]長|知事|大臣|[課係室]|[課係室]長|各位|御中|[様殿]|皆様へ?|皆さまへ?))\s*$")
_FISCAL_YEAR = re.compile(r"^\s*(?:(?:令和|平成)\s*[0-9０-９元]{1,2}|[0-9０-９]{4})\s*年度\s*$")


def _title_after(block: Block) -> bool:
    return (block.type == "paragraph" and len(block.sentences) == 1 and not block.sentences[0].notes
            and plausible_title(block.sentences[0].text, 40) and not _BEFORE_TITLE.match(block.sentences[0].text))


def _headline_lists(nodes: list[_Node], parent: _Node | None, titles: Counter) -> None:
    """A run of empty headings in one style whose titles all come again below as headings (a mail magazine's ◆
    headline list) is the contents, read as a list where it stands, not sections with nothing in them."""
    index = 0
    while index < len(nodes):
        end = index
        while (end < len(nodes) and not nodes[end].blocks and not nodes[end].children
               and nodes[end].style == nodes[index].style):
            end += 1
        run = nodes[index:end]
        if len(run) >= 2 and all(titles[_key(n.title)] >= 2 for n in run):
            items = [Block("paragraph", (text_to_sentence(n.title),)) for n in run]
            host = _reading_before(nodes, index, parent)
            if host is None:
                host = _Node(1, -1, "", "", "", None)
                nodes.insert(0, host)
                index += 1
                end += 1
            host.blocks.extend(items)
            del nodes[index:end]
            continue
        for node in nodes[index:max(end, index + 1)]:
            _headline_lists(node.children, node, titles)
        index = max(end, index + 1)


def _key(title: str) -> str:
    return "".join(title.split())


def _reading_before(nodes: list[_Node], index: int, parent: _Node | None) -> _Node | None:
    """The node whose own text is read just before ``nodes[index]``: the previous sibling's last descendant, or
    the parent."""
    if index == 0:
        return parent
    node = nodes[index - 1]
    while node.children:
        node = node.children[-1]
    return node


def _all_titles(nodes: list[_Node]) -> Counter:
    """How often each heading title (spaces aside) occurs in the tree."""
    out: Counter = Counter()
    for node in nodes:
        out[_key(node.title)] += 1
        out.update(_all_titles(node.children))
    return out


def _first_words(sections: tuple[Section, ...]) -> str | None:
    for section in sections:
        for sentence in section.sentences():
            text = sentence.text.rstrip("。")
            return text if len(text) <= 40 else text[:40] + "…"
    return None
