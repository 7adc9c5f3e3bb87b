"""The tagged reader: a PDF's logical structure tree and its pages' characters -> Lines in the author's order.

Each paragraph-level element (P, H1…H6, LI, Caption …) is one line of the structure model, its characters taken
in ``/K`` order; a Note inside it is the footnote of the reference mark that stands right before it (numbered in
document order, since the printed numbers restart on every page); a one-row "table" is a line set out in cells
(Word puts headings so), a one-column "table" is a box whose content is read as blocks, any other table is a
table of cells; a Figure's own text (chart labels) is set aside, its Alt text read unless it is Office's machine
caption; Artifacts are furniture; ActualText replaces the characters it covers; tiny kana over kanji (printed
ruby, or RB/RT) is the base's printed reading; a paragraph that runs on into the next column or page is one.
Headings the tree does not mark (most Word exports tag them P) are found by type size, bookmarks and numbering,
paragraph by paragraph, as the layout reader finds them line by line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ...structure import FIGURE_START, FOOTNOTE_LINE, Cell, Line
from ...textio import ANCHOR, SEPARATOR, TERMINATOR
from .chars import font_name, join_chars
from .layout import cells_line, mark_key
from .tree import Content, Element
from .typography import FLUSH_NUMBER, HIRAGANA, KANJI, SENTENCE_END, WIDE, heading_like, larger, size_key, smaller

GROUPS = frozenset("Document DocumentFragment Part Art Sect Div NonStruct Private TOC L BlockQuote Index Form "
                   "Aside THead TBody TFoot".split())
BLOCKS = frozenset("P H H1 H2 H3 H4 H5 H6 Title Caption LI TOCI Code Formula BibEntry".split())
HEADINGS = re.compile(r"^H[1-6]?$")
# Office writes a machine description into Alt when the author wrote none: it is not the author's words
_MACHINE_ALT = re.compile(r"自動的に生成された説明|Automatically generated description|^[\w\-. ]+\.(?:png|jpe?g|gif|"
                          r"bmp|emf|wmf|tiff?)$", re.I)
_KANA = re.compile(r"^[\u3041-\u309f\u30a1-\u30faー]+$")


@dataclass
class _Para:
    """One paragraph being collected: its characters in order (markers and readings put in), its notes."""

    role: str
    chars: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (number, text)
    readings: list = field(default_factory=list)  # (first base char, end, kana) for RB/RT ruby
    base: int | None = None  # where the ruby base (RB) being read starts

    def page(self) -> int | None:
        return next((c["page"] for c in self.chars if "page" in c), None)


@dataclass(frozen=True)
class TreeLine:
    """A line the tree gives, with the page its first character stands on (to interleave fallback pages)."""

    page: int
    line: Line


class TreeReader:
    """Reads the tree's elements on ``pages`` (the pages the tree covers) into Lines."""

    def __init__(self, content: dict[tuple[int, int], list[dict]], pages: set[int], body: float,
                 heading_sizes: list[float], marks: dict[str, int], tag_levels: list[str], next_note,
                 discarded: list[tuple[str, str]]):
        self.content, self.pages, self.body = content, pages, body
        self.heading_sizes, self.marks, self.tag_levels = heading_sizes, marks, tag_levels
        self.next_note, self.discarded = next_note, discarded
        self.out: list[TreeLine] = []
        self.waiting: dict[tuple[int, int], int] = {}  # (page, printed number) -> the number of a raised mark
        # the printed lines of the last body paragraph while it may run on (it did not end a sentence), its type
        self.open_lines: list[list[dict]] = []
        self.open_type: tuple[float, str] = (0.0, "")

    # -- the walk -----------------------------------------------------------------------------------
    def read(self, root: Element) -> list[TreeLine]:
        self._group(root)
        return self.out

    def _group(self, element: Element) -> None:
        loose: _Para | None = None  # content directly under a group is a paragraph of its own
        for kid in element.kids:
            if isinstance(kid, Content) or kid.role not in GROUPS | BLOCKS | {"Table", "Figure", "Artifact", "Note",
                                                                            "FENote", "TR", "TH", "TD"}:
                loose = loose or _Para("P")
                self._inline(kid, loose)
                continue
            if loose is not None:
                self._emit(loose)
                loose = None
            self._block(kid)
        if loose is not None:
            self._emit(loose)

    def _block(self, element: Element) -> None:
        role = element.role
        if role == "Artifact":
            self._set_aside(element, "artifact")
        elif role in GROUPS or role in ("TR", "TH", "TD"):
            self._group(element)
        elif role == "Table":
            self._table(element)
        elif role == "Figure":
            self._figure(element)
        elif role in ("Note", "FENote"):
            para = _Para("P")
            self._note(element, para, detached=True)  # NOTE: a note outside any paragraph: a raised mark may wait
            for number, text in para.notes:
                self._add(para.page(), Line(text, "footnote", number=number))
        else:
            para = _Para(role)
            self._inline(element, para, top=True)
            self._emit(para)

    def _inline(self, node, para: _Para, top: bool = False) -> None:
        if isinstance(node, Content):
            if node.page in self.pages:
                para.chars.extend(self.content.get((node.page, node.mcid), ()))
            return
        role = node.role
        if node.actual is not None and not top:
            chars = list(self._chars(node))
            where = chars[0] if chars else (para.chars[-1] if para.chars else None)
            if where is not None or chars:
                para.chars.append({**(where or {}), "text": node.actual, "synthetic": True})
            return
        if role == "Artifact":
            return self._set_aside(node, "artifact")
        if role in ("Note", "FENote"):
            return self._note(node, para)
        if role == "Figure":
            return self._figure(node)
        if role == "RB":
            para.base = len(para.chars)
        if role == "RT":
            kana = "".join(c["text"] for c in self._chars(node)).strip()
            base = para.base if para.base is not None and para.base < len(para.chars) else len(para.chars) - 1
            if para.chars and kana:
                para.readings.append((base, len(para.chars), kana))
            para.base = None
            return
        if role == "RP":
            return
        for kid in node.kids:
            self._inline(kid, para)

    def _chars(self, node):
        if isinstance(node, Content):
            if node.page in self.pages:
                yield from self.content.get((node.page, node.mcid), ())
            return
        for kid in node.kids:
            yield from self._chars(kid)

    def _set_aside(self, node, reason: str) -> None:
        text = "".join(c["text"] for c in self._chars(node)).strip()
        if text:
            self.discarded.append((text, reason))

    # -- notes, figures, tables ---------------------------------------------------------------------
    def _note(self, element: Element, para: _Para, detached: bool = False) -> None:
        """The note's own text; its reference mark is what the paragraph printed right before it (or, for a note
        set apart from the text, the raised mark of its page that prints its number)."""
        inner = _Para("Note")
        for kid in element.kids:
            if isinstance(kid, Element) and kid.role in BLOCKS and inner.chars:
                inner.chars.append({**inner.chars[-1], "text": " ", "synthetic": True})  # two paragraphs of a note
            self._inline(kid, inner)
        text = _text(inner).strip()
        if not text:
            return
        m = FOOTNOTE_LINE.match(text)
        printed, text = (m["num"].translate(WIDE), m["rest"]) if m else (None, text)
        page = next((c["page"] for c in inner.chars if "page" in c), None)
        if detached and not m and (bare := FLUSH_NUMBER.match(text)) and self._awaiting(page, int(bare["num"].translate(WIDE))):
            # NOTE: LibreOffice sets a note's number flush against its text (「1個別避難計画は…」): inside a Note, a
            # leading number that a raised mark is waiting for is the note's number
            printed, text = bare["num"].translate(WIDE), bare["rest"]
        if detached:
            number = (self._answer(page, int(printed)) if printed else None) or self.next_note()
            para.notes.extend(inner.notes)
            para.notes.append((number, text))
            return
        _drop_mark(para, printed)
        number = self.next_note()
        at = para.chars[-1] if para.chars else {}
        para.chars.append({**at, "text": f"＊{number}", "synthetic": True})
        para.notes.extend(inner.notes)
        para.notes.append((number, text))

    def _figure(self, element: Element) -> None:
        self._set_aside(element, "figure text")
        alt = (element.alt or "").strip()
        if alt and not _MACHINE_ALT.search(alt) and any(c.isalpha() for c in alt):
            page = next((c["page"] for c in self._chars(element)), None)
            self._add(page, Line(" ".join(alt.split()), "figure"))

    def _table(self, element: Element) -> None:
        for kid in element.kids:
            if isinstance(kid, Element) and kid.role == "Caption":
                # NOTE: the table's caption is read before it, as the figure line a table's title is (its page
                # shows it as the table's <caption>)
                para = _Para("Caption")
                self._inline(kid, para)
                if _text(para).strip():
                    self._add(para.page(), Line(" ".join(_text(para).split()), "figure"))
        rows = _rows(element)
        filled = [[cell for cell in cells if self._has_text(cell)] for cells in rows]
        if not any(filled):
            return self._set_aside(element, "empty table")
        if sum(1 for cells in filled if cells) == 1 and len(max(filled, key=len)) > 1:
            # NOTE: one row of cells is a line set out with a layout table (Word's headings: 第１章 | 新時代…)
            para = _Para("P")
            for cell in max(filled, key=len):
                if para.chars and para.chars[-1]["text"] != "\u3000":
                    para.chars.append({**para.chars[-1], "text": "\u3000", "synthetic": True})
                self._inline(cell, para)
            return self._emit(para)
        if max(len(cells) for cells in filled) <= 1:
            # NOTE: no row with two cells of text: a frame (a figure with its caption, a boxed column), not a table
            return self._box([cell for cells in filled for cell in cells])
        grid, notes, page = [], [], None
        for cells in rows:
            row = []
            for cell in cells:
                para = _Para("TD")
                self._inline(cell, para)
                page = page if page is not None else para.page()
                row.append(Cell(" ".join(_text(para).split()), cell.role == "TH"))
                notes.extend(para.notes)
            if any(c.text for c in row):
                grid.append(tuple(row))
        if not any(c.header for row in grid for c in row):
            # NOTE: no TH (LibreOffice tags none): the same reading of labels the layout reader gives
            line = cells_line([[c.text for c in row] for row in grid], False, False)
        else:
            line = Line("", "table", cells=tuple(grid))
        self._add(page, line)
        for number, text in notes:
            self._add(page, Line(text, "footnote", number=number))

    def _has_text(self, node) -> bool:
        return any(c["text"].strip() for c in self._chars(node))

    def _box(self, cells: list[Element]) -> None:
        """A one-column layout table: a figure's frame (caption, image, source line) or a boxed column."""
        captioned = False
        for cell in cells:
            for kid in cell.kids:
                if isinstance(kid, Element) and kid.role in ("Table", "Figure"):
                    self._block(kid)
                    continue
                para = _Para("P")
                self._inline(kid, para)
                text = _text(para).strip()
                if not text:
                    continue
                if captioned and not match_or_prose(text):
                    # NOTE: a figure's source line (資料：…) and notes are the figure's, read after its caption
                    self._add(para.page(), Line(text, "figure", style="source"))
                    for number, note in para.notes:
                        self._add(para.page(), Line(note, "footnote", number=number))
                    continue
                captioned = captioned or bool(FIGURE_START.match(text))
                self._emit(para)

    # -- paragraphs to lines ------------------------------------------------------------------------
    def _emit(self, para: _Para) -> None:
        self._raised_marks(para)
        text = _text(para)
        if not text.strip():
            return
        page = para.page()
        size, font = _dominant(para.chars)
        clean = text.strip()
        note = FOOTNOTE_LINE.match(clean)
        if note and smaller(size, self.body) and para.role == "P":
            # NOTE: a note the tags left a plain P (small type, its number first): it answers its page's mark
            printed = int(note["num"].translate(WIDE))
            number = self._answer(page, printed) or self.next_note()
            return self._add(page, Line(note["rest"], "footnote", number=number))
        lines = _lines(para.chars)
        runs_on = (bool(self.open_lines) and para.role == "P" and self.open_type == (size_key(size), font)
                   and not _indented(para.chars, lines)
                   and (_broken(self.open_lines, lines) or _cut(self.open_lines, lines)))
        if HEADINGS.match(para.role) and heading_like(clean) and para.role in self.tag_levels:
            line = Line(clean, "heading", rank=self.tag_levels.index(para.role), style=f"tag:{para.role}")
        elif (larger(size, self.body) and size_key(size) in self.heading_sizes and heading_like(clean)
              and not FIGURE_START.match(clean)):
            line = Line(clean, "heading", rank=self.heading_sizes.index(size_key(size)), style=f"pdf:{size_key(size)}")
        elif mark_key(clean) in self.marks and not self.tag_levels and heading_like(clean):
            mark = self.marks[mark_key(clean)]
            line = Line(clean, "heading", rank=mark, style=f"bookmark:{mark}")
        elif FIGURE_START.match(clean) and not runs_on:
            line = Line(clean, "figure")
        else:
            role = "item" if para.role == "LI" else "body"
            line = Line(clean, role, joins=runs_on)
        self._add(page, line)
        for number, note in para.notes:
            self._add(page, Line(note, "footnote", number=number))
        open_ = line.role in ("body", "text") and not clean.endswith(SENTENCE_END)
        self.open_lines, self.open_type = (lines if open_ else []), (size_key(size), font)

    def _awaiting(self, page: int | None, printed: int) -> tuple | None:
        """The raised mark a note printed ``printed`` answers: on its own page (a footnote), else the latest
        one still waiting on an earlier page (an endnote, or a note printed after a page break)."""
        if (page, printed) in self.waiting:
            return (page, printed)
        earlier = [key for key in self.waiting if key[1] == printed and page is not None and key[0] is not None
                   and key[0] < page]
        return max(earlier) if earlier else None

    def _answer(self, page: int | None, printed: int) -> int | None:
        key = self._awaiting(page, printed)
        return self.waiting.pop(key) if key is not None else None

    def _raised_marks(self, para: _Para) -> None:
        """Small digits raised above their line with no Note element after them are marks of notes printed
        elsewhere on the page: each becomes ``＊N`` and waits for its note."""
        size, _ = _dominant(para.chars)
        chars = para.chars
        i = 0
        while i < len(chars):
            c = chars[i]
            if c.get("synthetic") or not c["text"].translate(WIDE).isdigit() or not c.get("size", size) < 0.85 * size:
                i += 1
                continue
            j = i
            while j < len(chars) and chars[j]["text"].translate(WIDE).isdigit() and not chars[j].get("synthetic"):
                j += 1
            line = [d for d in chars[max(0, i - 3):i] + chars[j:j + 3] if not d.get("synthetic")
                    and d.get("size", 0) >= 0.85 * size and d["text"].strip()]
            if line and j - i <= 2 and all(d["bottom"] - chars[i]["bottom"] > 0.2 * size for d in line):
                printed = int("".join(d["text"] for d in chars[i:j]).translate(WIDE))
                number = self.next_note()
                self.waiting[(c["page"], printed)] = number
                chars[i:j] = [{**c, "text": f"＊{number}", "synthetic": True}]
            i += 1

    def _add(self, page: int | None, line: Line) -> None:
        if line.role != "footnote":
            self.open_lines = []  # NOTE: a heading, figure or table between two paragraphs ends the run-on
        self.out.append(TreeLine(page if page is not None else -1, line))


def _broken(before: list[list[dict]], after: list[list[dict]]) -> bool:
    """The paragraph went on in the next column or page: the next one starts on another page, or higher up the
    page than the last one ended (the top of the next column)."""
    if not before or not after:
        return False
    end, start = before[-1][-1], after[0][0]
    return start["page"] != end["page"] or start["top"] < end["top"] - end["size"]


def _lines(chars: list[dict]) -> list[list[dict]]:
    """A paragraph's characters in printed lines (a line ends where the next character starts back left or lower)."""
    out: list[list[dict]] = []
    for c in chars:
        if not c["text"].strip() or c.get("synthetic") or "x0" not in c:
            continue
        last = out[-1][-1] if out else None
        if last is None or c["page"] != last["page"] or c["x0"] < last["x0"] - last["size"] \
                or c["top"] > last["bottom"] + 0.2 * last["size"]:
            out.append([])
        out[-1].append(c)
    return out


def _indented(chars: list[dict], lines: list[list[dict]]) -> bool:
    """A paragraph (its characters, and those in printed ``lines``) whose first line starts further in than its
    others, or with an ideographic space: a new paragraph."""
    lead = next((c for c in chars if not c.get("synthetic")), None)
    if lead is not None and lead["text"] == "\u3000":
        return True
    if len(lines) < 2:
        return False
    return lines[0][0]["x0"] > min(line[0]["x0"] for line in lines[1:]) + 0.5 * lines[0][0]["size"]


def _cut(before: list[list[dict]], after: list[list[dict]]) -> bool:
    """The paragraph before ended with a full line (as far right as the lines around it reach) and the next one
    starts on the line below at the column's left: one paragraph the tags cut in two."""
    if not before or not after:
        return False
    end, start = before[-1][-1], after[0][0]
    lines = [line for line in before + after if line[-1]["page"] == end["page"]]
    right = max(line[-1]["x1"] for line in lines)
    left = min(line[0]["x0"] for line in lines)
    return (end["x1"] >= right - 1.5 * end["size"] and start["page"] == end["page"]
            and 0 <= start["top"] - end["top"] <= 2.5 * end["size"] and start["x0"] <= left + 0.5 * start["size"])


def match_or_prose(text: str) -> bool:
    """In a figure's frame after its caption: another caption, or sentences (a boxed column's text)."""
    return bool(FIGURE_START.match(text)) or text.count("。") >= 2


def _rows(table: Element) -> list[list[Element]]:
    rows = []
    for kid in table.kids:
        if not isinstance(kid, Element):
            continue
        if kid.role == "TR":
            rows.append([c for c in kid.kids if isinstance(c, Element) and c.role in ("TH", "TD")])
        elif kid.role in ("THead", "TBody", "TFoot"):
            rows.extend(_rows(kid))
    return [r for r in rows if r]


def _drop_mark(para: _Para, printed: str | None) -> None:
    """Take the printed reference mark (the note's number, in small type) off the paragraph's end."""
    end = len(para.chars)
    while end and para.chars[end - 1]["text"].isspace():
        end -= 1
    start = end
    while start and para.chars[start - 1]["text"].translate(WIDE).isdigit() and end - start < 3:
        start -= 1
    digits = "".join(c["text"] for c in para.chars[start:end]).translate(WIDE)
    if digits and (digits == printed or printed is None and _small(para, start, end)):
        del para.chars[start:end]


def _small(para: _Para, start: int, end: int) -> bool:
    size, _ = _dominant(para.chars)
    return all(c.get("size", size) < 0.85 * size for c in para.chars[start:end])


def _dominant(chars: list[dict]) -> tuple[float, str]:
    weights: Counter = Counter()
    for c in chars:
        if c["text"].strip() and not c.get("synthetic"):
            weights[(size_key(c["size"]), font_name(c))] += 1
    if not weights:
        return 0.0, ""
    (size, font), _ = weights.most_common(1)[0]
    return size, font


def _text(para: _Para) -> str:
    """The paragraph's characters as text: printed ruby (tiny kana over kanji, or RT) becomes its base's reading
    (an annotation, never text), spaces between Latin words kept, nothing else between lines."""
    chars = para.chars
    size, _ = _dominant(chars)
    spans = _ruby_spans(chars, size) + [(start, end, kana) for start, end, kana in para.readings]
    spans = _merged(sorted(spans))
    skip = {i for span in spans for i in span[3]}
    before = {span[0] for span in spans}
    after = {span[1] - 1: span[2] for span in spans}
    pieces = []
    for i, c in enumerate(chars):
        if i in skip:
            continue
        if i in before:
            pieces.append({**c, "text": ANCHOR, "synthetic": True})
        pieces.append(c)
        if i in after:
            pieces.append({**c, "text": f"{SEPARATOR}{after[i]}{TERMINATOR}", "synthetic": True})
    return join_chars(pieces)


def _ruby_spans(chars: list[dict], size: float) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """Runs of tiny kana standing over the kanji just before them: (base start, base end, kana, ruby indexes)."""
    spans = []
    i = 0
    while i < len(chars):
        c = chars[i]
        if not (_is_ruby_char(c, size) and i):
            i += 1
            continue
        j = i
        while j < len(chars) and _is_ruby_char(chars[j], size):
            j += 1
        ruby = list(range(i, j))
        x0 = min(chars[k]["x0"] for k in ruby)
        bottom = max(chars[k]["bottom"] for k in ruby)
        start = i
        while start and KANJI.fullmatch(chars[start - 1]["text"]) and i - start < 8 \
                and chars[start - 1]["x1"] > x0 - chars[start - 1]["size"] and abs(chars[start - 1]["top"] - bottom) < 0.6 * chars[start - 1]["size"]:
            start -= 1
        kana = "".join(chars[k]["text"] for k in ruby).translate(HIRAGANA)
        if start < i and re.fullmatch(r"[\u3041-\u309fー]{1,12}", kana):
            spans.append((start, i, kana, tuple(ruby)))
        i = j
    return spans


def _is_ruby_char(c: dict, size: float) -> bool:
    return (not c.get("synthetic") and "size" in c and c["size"] <= 0.62 * size and bool(_KANA.match(c["text"])))


def _merged(spans: list) -> list:
    """Ruby set kanji by kanji (流(りゅう)暢(ちょう)) is one word's reading: 流暢（りゅうちょう）."""
    out = []
    for span in spans:
        if len(span) == 3:
            span = (*span, ())
        if out and out[-1][1] + len(out[-1][3]) == span[0]:
            start, _, kana, ruby = out[-1]
            out[-1] = (start, span[1], kana + span[2], ruby + span[3])
        else:
            out.append(span)
    return out


def covered(root: Element) -> set[tuple[int, int]]:
    """Every marked-content id the tree refers to, outside Artifact elements."""
    found: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Content):
            found.add((node.page, node.mcid))
        elif node.role != "Artifact":
            stack.extend(node.kids)
    return found


def heading_roles(root: Element) -> dict[tuple[int, int], str]:
    """Marked content inside H/H1…H6 elements, with the element's role."""
    found: dict[tuple[int, int], str] = {}
    stack: list = [(root, None)]
    while stack:
        node, role = stack.pop()
        if isinstance(node, Content):
            if role:
                found[(node.page, node.mcid)] = role
        else:
            here = node.role if HEADINGS.match(node.role) else role
            stack.extend((kid, here) for kid in node.kids)
    return found
