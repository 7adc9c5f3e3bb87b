"""Raw PDF-extracted white-paper text -> Document (headings, paragraphs, footnotes, furniture).

The extraction keeps page furniture, footnotes printed in the middle of sentences, lines wrapped
mid-word, blank lines inside paragraphs and justification spaces inside words, and it lost the
boxes that tell a 項 number from a 目 number. Segmentation runs in three passes:

1. ``_classify``: each line on its own (blank, heading candidate, footnote start, body ...);
2. ``_mark_furniture``: running heads and feet, page numbers, the vertical chapter tab, job lines;
3. ``_Builder``: a state machine that joins lines into paragraphs and footnotes, infers heading
   levels from numbering continuity, and builds the section tree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from .model import Block, Document, Footnote, Link, NoteRef, Ruby, Section, Sentence, Source
from .textio import ANCHOR, SEPARATOR, TERMINATOR, split_annotations

LEVEL_SETSU, LEVEL_KOU, LEVEL_MOKU, LEVEL_KANA, LEVEL_PAREN_KANA = 1, 2, 3, 4, 5

_KANA_ORDER = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_KANA_ROMAJI = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no "
    "ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa wo n"
).split()
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}

_TITLE = r"(?P<title>\S.{0,79})"
_RE_SETSU = re.compile(r"^\s*(?P<label>第[0-9０-９〇一二三四五六七八九十]+節)\s*" + _TITLE + r"$")
_RE_SETSU_REVERSED = re.compile(r"^\s*(?P<title>\S.*?)\s*(?P<label>第[0-9０-９〇一二三四五六七八九十]+節)\s*$")
_RE_NUM = re.compile(r"^\s*(?P<label>[0-9０-９]{1,2})[ \u3000\t]+" + _TITLE + r"$")
_RE_KANA = re.compile(rf"^\s*(?P<label>[{_KANA_ORDER}])[ \u3000\t]+" + _TITLE + r"$")
_RE_PAREN_KANA = re.compile(rf"^\s*(?P<label>[（(][{_KANA_ORDER}][）)])\s*" + _TITLE + r"$")
_RE_FOOTNOTE = re.compile(r"^(?P<mark>[＊*](?P<num>[0-9０-９]{1,3}))(?:[\t ]+|\u3000)(?P<rest>.*)$")
_RE_FIGURE = re.compile(r"^\s*(?P<id>図表[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ0-9０-９A-Za-z\-－‐―.]+)[ \u3000\t]+(?P<caption>\S.*)$")
_RE_FIGURE_REF = re.compile(r"図表[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ0-9０-９A-Za-z\-－‐―.]*[0-9０-９]")
_RE_MARKER = re.compile(r"[＊](?P<num>[0-9０-９]{1,3})")
_RE_URL = re.compile(r"https?://[\x21-\x7e]+")
_RE_URL_END = re.compile(r"https?://[\x21-\x7e]+$")
_RE_INDD = re.compile(r"\.indd\b|\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}")
_RE_DATE_ONLY = re.compile(r"^\s*\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_RE_PAGE_EDGE = re.compile(r"^\s*(?P<lead>\d{1,4})?\s*(?P<body>\S.*?\S)\s*(?P<trail>\d{1,4})?\s*$")
_RE_SENTENCE_END = re.compile(r"[。！？!?][」』）)]*(?:（図表[^（）]*）)?$")

_OPEN, _CLOSE = "「『（(［【〔｛", "」』）)］】〕｝"
_STOPS = "。！？!?"
_NO_TITLE_END = "。、，,"
# NOTE: a running head is short and carries no sentence punctuation; longer lines are body.
_RUNNING_HEAD_MAX = 40


def is_cjk(char: str) -> bool:
    """Japanese script, full-width forms and CJK punctuation: no spaces belong next to these."""
    return unicodedata.east_asian_width(char) in ("W", "F", "H") or "\u2460" <= char <= "\u24ff"


def _gap(left: str, right: str, had_space: bool) -> str:
    """What goes between two pieces of text that whitespace (or a line end) separated."""
    if not had_space:
        return ""
    if left[-1] == "-" and left[-2:-1].isalnum() and right[0].isalnum():
        return ""  # NOTE: a line that breaks after a hyphen (ELYZA-|japanese, a URL's …-and-|trustworthy) is one word
    if right.startswith(("http://", "https://")) or _RE_URL_END.search(left[-200:]):
        return " "  # NOTE: keep URLs apart from the words around them
    if is_cjk(_last_base(left)) or is_cjk(right.lstrip(ANCHOR)[:1] or right[0]):
        return ""  # NOTE: justification spacing (開 催 さ れ た) or a wrap inside Japanese text
    return " "  # between Latin words: Existing Practices against Disinformation


def _last_base(text: str) -> str:
    """The last character printed as text: a reading annotation (富￹ふ￻) counts as its base (富)."""
    if text.endswith(TERMINATOR) and SEPARATOR in text:
        text = text[:text.rindex(SEPARATOR)]
    return text[-1:] or " "


def normalize_spaces(line: str) -> str:
    """Remove justification spaces inside Japanese text; keep one space between Latin words.

    >>> normalize_spaces(" IGF京 都2023のDay0に 開 催 さ れ た Existing  Practices ")
    'IGF京都2023のDay0に開催されたExisting Practices'
    """
    parts = line.split()
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        out += _gap(out, part, True) + part
    return out


class TextBuffer:
    """Text joined line by line in linear time; only the tail is looked at while joining."""

    def __init__(self, text: str = ""):
        self.parts = [text] if text else []

    def __bool__(self) -> bool:
        return bool(self.parts)

    def tail(self, n: int = 200) -> str:
        out = ""
        for part in reversed(self.parts):
            out = part + out
            if len(out) >= n:
                break
        return out[-n:]

    def add(self, text: str, had_space: bool) -> None:
        if not text:
            return
        if self.parts:
            self.parts.append(_gap(self.tail(), text, had_space))
        self.parts.append(text)

    def value(self) -> str:
        return "".join(self.parts)


def label_number(label: str) -> int:
    """The count in a heading label: ``1``, ``１``, ``第6節``, ``第六節``, ``第十二章``, ``③``, ``ア`` (1), ``（イ）``
    (2); 0 when it has none (a ● marker)."""
    circled = next((c for c in label if "\u2460" <= c <= "\u2473"), None)
    if circled:  # NOTE: ⑩–⑳ have a numeric value but no digit value
        return ord(circled) - 0x2460 + 1
    digits = "".join(str(unicodedata.digit(c)) for c in label if unicodedata.digit(c, None) is not None)
    if digits:
        return int(digits)
    kanji = [c for c in label if c in _KANJI_DIGITS or c in "十百"]
    if kanji:
        value, current = 0, 0
        for c in kanji:
            if c in "十百":
                value += (current or 1) * (10 if c == "十" else 100)
                current = 0
            else:
                current = _KANJI_DIGITS[c]
        return value + current
    for c in label:
        if c in _KANA_ORDER:
            return _KANA_ORDER.index(c) + 1
    return 0


def _valid_title(title: str) -> bool:
    title = title.strip()
    return (
        0 < len(title) <= 60
        and title[-1] not in _NO_TITLE_END
        and "。" not in title
        and any(c.isalpha() for c in title)
    )


# ---------------------------------------------------------------------------------------------
# Pass 1: classify lines one by one


@dataclass
class _Line:
    index: int
    raw: str
    kind: str  # blank furniture footnote tab setsu num kana pkana figure body
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
        return line
    if _RE_INDD.search(raw) or _RE_DATE_ONLY.match(raw):
        line.kind = "furniture"
        return line
    m = _RE_FOOTNOTE.match(raw)
    if m:
        line.kind, line.label, line.title = "footnote", m["mark"], m["rest"]
        line.number = int(label_number(m["num"]))
        return line
    if raw.startswith("\t"):
        line.kind = "tab"
        return line
    m = _RE_FIGURE.match(raw)
    if m:
        line.kind, line.label, line.title = "figure", m["id"], m["caption"]
        return line
    for kind, pattern in (("setsu", _RE_SETSU), ("pkana", _RE_PAREN_KANA), ("num", _RE_NUM), ("kana", _RE_KANA)):
        m = pattern.match(raw)
        if m and _valid_title(m["title"]):
            line.kind, line.label, line.title = kind, m["label"], normalize_spaces(m["title"])
            line.number = label_number(m["label"])
            return line
    return line


# ---------------------------------------------------------------------------------------------
# Pass 2: page furniture that only context reveals


def _mark_furniture(lines: list[_Line]) -> None:
    _mark_vertical_tabs(lines)
    _mark_page_lines(lines)
    _mark_repeated_section_heads(lines)


def _short(line: _Line) -> bool:
    text = line.raw.strip()
    return line.kind == "body" and 0 < len(text) <= 2 and not any(c in _STOPS + "、" for c in text)


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


def _page_key(line: _Line) -> str | None:
    """A running foot such as ``254 令和6年版 情報通信白書 第Ⅱ部`` without its page number."""
    if line.kind != "body":
        return None
    text = line.raw.strip()
    if len(text) > _RUNNING_HEAD_MAX + 8 or any(c in _STOPS + "、" for c in text):
        return None
    m = _RE_PAGE_EDGE.match(text)
    if not m or not (m["lead"] or m["trail"]):
        return None
    return "".join(m["body"].split())


def _mark_page_lines(lines: list[_Line]) -> None:
    """A line with a page number at one edge whose rest repeats, or that names the publication."""
    keys = [_page_key(line) for line in lines]
    counts: dict[str, int] = {}
    for key in keys:
        if key:
            counts[key] = counts.get(key, 0) + 1
    for line, key in zip(lines, keys):
        if key and (counts[key] > 1 or "白書" in key):
            line.kind = "furniture"


def _mark_repeated_section_heads(lines: list[_Line]) -> None:
    """``第6節ICT 利活用の推進`` printed again at the top of a page is a running head, not a heading."""
    seen: set[str] = set()
    for line in lines:
        if line.kind == "setsu":
            key = "".join((line.label + line.title).split())
            if key in seen:
                line.kind = "furniture"
            seen.add(key)
        elif line.kind == "body" and seen:
            m = _RE_SETSU_REVERSED.match(line.raw)
            if m and "".join((m["label"] + m["title"]).split()) in seen:
                line.kind = "furniture"


# ---------------------------------------------------------------------------------------------
# Sentences


def _protected(text: str) -> list[bool]:
    """Positions inside a matched bracket pair; unpaired brackets protect nothing."""
    depth = [0] * (len(text) + 1)
    stack: list[tuple[str, int]] = []
    for i, c in enumerate(text):
        if c in _OPEN:
            stack.append((c, i))
        elif c in _CLOSE:
            want = _OPEN[_CLOSE.index(c)]
            j = len(stack) - 1
            while j >= 0 and stack[j][0] != want:
                j -= 1
            if j >= 0:
                depth[stack[j][1] + 1] += 1
                depth[i] -= 1
                del stack[j:]
    inside, level = [], 0
    for i in range(len(text)):
        level += depth[i]
        inside.append(level > 0)
    return inside


def split_sentences(text: str) -> list[str]:
    """Split at 。！？ outside brackets; a trailing （図表…） stays with its sentence.

    >>> split_sentences("「電話リレーサービス」とは、…である。これは「例。」です。（図表Ⅱ-2-6-1）")
    ['「電話リレーサービス」とは、…である。', 'これは「例。」です。（図表Ⅱ-2-6-1）']
    """
    inside = _protected(text)
    pieces, start, i = [], 0, 0
    while i < len(text):
        if text[i] in _STOPS and not inside[i]:
            end = i + 1
            while end < len(text) and text[end] in _STOPS:
                end += 1
            pieces.append((start, end))
            start = i = end
        else:
            i += 1
    if start < len(text):
        pieces.append((start, len(text)))
    sentences: list[str] = []
    for a, b in pieces:
        piece = text[a:b]
        if not piece.strip():
            continue
        if sentences and re.match(r"^（図表[^（）]*）", piece):
            ref = re.match(r"^（図表[^（）]*）", piece).group(0)
            sentences[-1] += ref
            piece = piece[len(ref) :]
            if not piece.strip():
                continue
        sentences.append(piece.strip())
    return sentences


def _links(text: str) -> tuple[Link, ...]:
    links = []
    for m in _RE_URL.finditer(text):
        url = m.group(0).rstrip(".,;:)]'\"")
        links.append(Link(url, m.start(), m.start() + len(url)))
    return tuple(links)


def text_to_sentence(text: str) -> Sentence:
    """One sentence: footnote markers taken out (kept as references), printed ruby taken out (kept as readings
    over its base), links and figure refs found."""
    notes, out, pos = [], [], 0
    for m in _RE_MARKER.finditer(text):
        out.append(text[pos : m.start()])
        offset = sum(len(s) for s in out)
        notes.append(NoteRef(m.group(0), label_number(m["num"]), offset))
        pos = m.end()
    out.append(text[pos:])
    clean, spans = split_annotations("".join(out))
    if spans or len(clean) != sum(len(s) for s in out):
        notes = [replace(n, offset=_after_annotations("".join(out), n.offset)) for n in notes]
    figures = tuple(dict.fromkeys(_RE_FIGURE_REF.findall(clean)))
    return Sentence(clean, tuple(notes), _links(clean), figures, ruby=tuple(Ruby(*span) for span in spans))


def _after_annotations(text: str, offset: int) -> int:
    """Where ``offset`` of an annotated text falls once its annotations are taken out."""
    return len(split_annotations(text[:offset])[0])


# ---------------------------------------------------------------------------------------------
# Line widths: in text wrapped to a fixed measure, a short line that ends a sentence ends its paragraph


def _display_width(text: str) -> int:
    return sum(2 if is_cjk(c) else 1 for c in text)


def _short_line_width(lines: list[_Line]) -> float:
    """Width below which a line ending a sentence ends its paragraph; 0 when the text is not fixed-width wrapped
    (most body lines near one width), so ordinary plain text keeps its lines together."""
    widths = sorted(w for w in (_display_width(l.raw.strip()) for l in lines if l.kind == "body") if w >= 20)
    if len(widths) < 10:
        return 0.0
    typical = widths[len(widths) // 2]
    near = sum(1 for w in widths if 0.9 * typical <= w <= 1.1 * typical)
    return 0.8 * typical if near >= 0.6 * len(widths) else 0.0


# ---------------------------------------------------------------------------------------------
# Pass 3: build the tree


@dataclass
class _Node:
    level: int
    label: str
    title: str
    blocks: list[Block]
    children: list["_Node"]
    footnotes: list[Footnote]
    key: str = ""  # id segment


class _Builder:
    def __init__(self, lines: list[_Line]):
        self.lines = lines
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.discarded: list[str] = []
        self.footnotes: list[tuple[Footnote, _Node | None]] = []
        self.para = TextBuffer()
        self.para_trail_space = False
        self.pending_break = False
        self.after_page_break = False
        self.footnote: tuple[str, int, TextBuffer] | None = None  # mark, number, text
        self.footnote_node: _Node | None = None
        self.kou = 0
        self.moku = 0
        self.short_width = _short_line_width(lines)
        self.last_line_short = False
        # NOTE: the index of the first significant line at or after each line, computed once (linear time)
        self.next_index: list[int | None] = [None] * (len(lines) + 1)
        for k in range(len(lines) - 1, -1, -1):
            self.next_index[k] = k if lines[k].kind not in ("blank", "furniture") else self.next_index[k + 1]

    # -- helpers ------------------------------------------------------------------------------
    def _next_significant(self, i: int) -> _Line | None:
        index = self.next_index[i + 1] if i + 1 < len(self.next_index) else None
        return self.lines[index] if index is not None else None

    def _current(self) -> _Node:
        if not self.stack:
            node = _Node(LEVEL_SETSU, "", "", [], [], [], key="main")
            self.roots.append(node)
            self.stack.append(node)
        return self.stack[-1]

    def _flush_paragraph(self) -> None:
        if self.para:
            sentences = tuple(text_to_sentence(s) for s in split_sentences(self.para.value()))
            if sentences:
                self._current().blocks.append(Block("paragraph", sentences))
        self.para = TextBuffer()
        self.pending_break = False

    def _flush_footnote(self) -> None:
        if self.footnote:
            mark, number, buffer = self.footnote
            text = buffer.value()
            self.footnotes.append((Footnote(mark, number, text, tuple(l.url for l in _links(text))), self.footnote_node))
        self.footnote = None

    def _footnote_open(self) -> bool:
        """Whether the footnote being read may continue on an untabbed line (its text is unfinished)."""
        if not self.footnote:
            return False
        tail = self.footnote[2].tail()
        return not (tail.endswith("。") or _RE_URL_END.search(tail))

    def _open_section(self, level: int, label: str, title: str) -> None:
        self._flush_paragraph()
        self._flush_footnote()
        node = _Node(level, label, title, [], [], [])
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)

    def _num_level(self, i: int, line: _Line) -> int:
        """項 or 目? A 項 is followed by its 目 1; otherwise numbering continuity decides."""
        nxt = self._next_significant(i)
        followed_by_one = nxt is not None and nxt.kind == "num" and nxt.number == 1
        fits_kou = line.number == self.kou + 1
        fits_moku = self.kou > 0 and line.number == self.moku + 1
        if followed_by_one and (fits_kou or not fits_moku):
            return LEVEL_KOU
        if fits_moku:
            return LEVEL_MOKU
        if fits_kou:
            return LEVEL_KOU
        return LEVEL_MOKU if self.kou > 0 else LEVEL_KOU

    # -- the walk -----------------------------------------------------------------------------
    def build(self) -> tuple[list[_Node], list[str], list[tuple[Footnote, _Node | None]]]:
        for i, line in enumerate(self.lines):
            getattr(self, f"_on_{line.kind}")(i, line)
        self._flush_paragraph()
        self._flush_footnote()
        return self.roots, self.discarded, self.footnotes

    def _on_blank(self, i: int, line: _Line) -> None:
        self.pending_break = True

    def _on_furniture(self, i: int, line: _Line) -> None:
        self.discarded.append(line.raw.strip())
        self._flush_footnote()
        self.pending_break = True
        self.after_page_break = True

    def _on_footnote(self, i: int, line: _Line) -> None:
        self._flush_footnote()
        self.footnote = (line.label, line.number, TextBuffer(normalize_spaces(line.title)))
        self.footnote_node = self.stack[-1] if self.stack else None
        self.pending_break = True
        self.after_page_break = True

    def _on_tab(self, i: int, line: _Line) -> None:
        if self.footnote:
            self.footnote[2].add(line.text, True)
        else:
            self._on_body(i, line)

    def _on_figure(self, i: int, line: _Line) -> None:
        if self._continues_footnote(line):
            return self._on_tab(i, line)
        self._flush_paragraph()
        self._flush_footnote()
        caption = normalize_spaces(line.title)
        sentence = replace(text_to_sentence(f"{line.label} {caption}"), figures=(line.label,))
        self._current().blocks.append(Block("figure", (sentence,), line.label, caption))
        self.after_page_break = False

    def _on_setsu(self, i: int, line: _Line) -> None:
        self._open_section(LEVEL_SETSU, line.label, line.title)
        self.kou = self.moku = 0
        self.after_page_break = False

    def _on_num(self, i: int, line: _Line) -> None:
        level = self._num_level(i, line)
        self._open_section(level, line.label, line.title)
        if level == LEVEL_KOU:
            self.kou, self.moku = line.number, 0
        else:
            self.moku = line.number
        self.after_page_break = False

    def _on_kana(self, i: int, line: _Line) -> None:
        self._open_section(LEVEL_KANA, line.label, line.title)
        self.after_page_break = False

    def _on_pkana(self, i: int, line: _Line) -> None:
        self._open_section(LEVEL_PAREN_KANA, line.label, line.title)
        self.after_page_break = False

    def _continues_footnote(self, line: _Line) -> bool:
        return self._footnote_open() and not line.lead_space

    def _on_body(self, i: int, line: _Line) -> None:
        if self._continues_footnote(line):
            self.footnote[2].add(line.text, line.lead_space)
            return
        self._flush_footnote()
        text = line.text
        if self._is_running_head(i, line, text):
            self.discarded.append(line.raw.strip())
            return
        if self.para and (self.pending_break or self.last_line_short) and _RE_SENTENCE_END.search(self.para.tail()):
            self._flush_paragraph()
        self.para.add(text, self.para_trail_space or line.lead_space)
        self.para_trail_space = line.trail_space
        self.last_line_short = _display_width(text) < self.short_width
        self.pending_break = False
        self.after_page_break = False

    def _is_running_head(self, i: int, line: _Line, text: str) -> bool:
        """A short unpunctuated line alone at the top of a page, right before a heading."""
        if not self.after_page_break or self.para and not _RE_SENTENCE_END.search(self.para.tail()):
            return False
        if len(text) > _RUNNING_HEAD_MAX or any(c in _STOPS + "、" for c in text):
            return False
        nxt = self._next_significant(i)
        return nxt is not None and nxt.kind in ("setsu", "num", "kana", "pkana")


# ---------------------------------------------------------------------------------------------
# Assembling the Document


def _segment(node: _Node) -> str:
    if node.key:
        return node.key
    if node.level == LEVEL_SETSU:
        return f"s{label_number(node.label)}"
    if node.level in (LEVEL_KANA, LEVEL_PAREN_KANA):
        kana = next((c for c in node.label if c in _KANA_ORDER), "")
        return _KANA_ROMAJI[_KANA_ORDER.index(kana)] if kana else "x"
    return str(label_number(node.label))


def unique_id(base: str, used: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3`` … when taken; ``used`` maps every id given to the next suffix to try.

    NOTE: each base remembers its next suffix, so n duplicates of one base cost O(n), not O(n²)."""
    section_id, n = base, used.get(base, 2)
    while section_id in used:
        section_id, n = f"{base}-{n}", n + 1
    used[base] = n
    used.setdefault(section_id, 2)
    return section_id


def _freeze(nodes: list[_Node], parent_id: str, used: dict[str, int], notes_by_node: dict[int, list[Footnote]]
            ) -> tuple[Section, ...]:
    sections = []
    for node in nodes:
        segment = _segment(node)
        base = f"{parent_id}-{segment}" if parent_id else (segment if segment[0].isalpha() else f"s{segment}")
        section_id = unique_id(base, used)
        children = _freeze(node.children, section_id, used, notes_by_node)
        notes = tuple(sorted(notes_by_node.get(id(node), []), key=lambda f: f.number))
        sections.append(Section(section_id, node.level, node.label, node.title, tuple(node.blocks), notes, children))
    return tuple(sections)


def _attach_footnotes(roots: list[_Node], footnotes: list[tuple[Footnote, _Node | None]]) -> dict[int, list[Footnote]]:
    """Each footnote goes to the section whose sentence carries its marker (else where it was printed)."""
    first_use: dict[int, _Node] = {}
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        for number in getattr(node, "title_marks", ()):
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


def text_to_document(text: str, *, doc_id: str, source: Source, title: str | None = None) -> Document:
    """Rebuild the section tree of a white-paper text (any text: no headings gives one section)."""
    lines = [_classify(raw, i) for i, raw in enumerate(text.split("\n"))]
    _mark_furniture(lines)
    roots, discarded, footnotes = _Builder(lines).build()
    if not roots and footnotes:
        roots.append(_Node(LEVEL_SETSU, "", "", [], [], [], key="main"))
    notes_by_node = _attach_footnotes(roots, footnotes)
    sections = _freeze(roots, "", {}, notes_by_node)
    if title is None:
        first = next((s for s in sections if s.title), None)
        title = first.heading if first else source.file
    return Document(doc_id, title, source, sections, tuple(discarded))


_RE_RAW_NOTE = re.compile(r"^[＊*][0-9０-９]{1,3}[\t ]", re.M)


def looks_wrapped(text: str) -> bool:
    """Whether a text is what a PDF extractor gives (the embedded default's kind): lines wrapped at the column's
    measure, or ``＊N`` note lines with tab-indented continuations. Such text needs this module's line joining;
    text whose lines are paragraphs goes to ``simplify.structure``."""
    if _RE_RAW_NOTE.search(text) or re.search(r"^\t\S", text, re.M):
        return True
    lines = [_classify(raw, i) for i, raw in enumerate(text.split("\n", 5000)[:5000])]
    return _short_line_width(lines) > 0
