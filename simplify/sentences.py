"""Sentences and the text utilities every stage shares: spacing, joining wrapped lines, sentence splitting,
footnote marks, links, heading numbers and section ids."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from .model import Link, NoteRef, Ruby, Sentence
from .textio import ANCHOR, SEPARATOR, TERMINATOR, split_annotations

KANA_ORDER = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
KANA_ROMAJI = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no "
    "ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa wo n"
).split()
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}

# a footnote mark in running text: ＊3 (the text editions' and yomiage's own way of writing a reference)
NOTE_MARK = re.compile(r"＊(?P<num>[0-9０-９]{1,3})")
_FIGURE_REF = re.compile(r"図表[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ0-9０-９A-Za-z\-－‐―.]*[0-9０-９]")
_URL = re.compile(r"https?://[\x21-\x7e]+")
URL_END = re.compile(r"https?://[\x21-\x7e]+$")

_OPEN, _CLOSE = "「『（(［【〔｛", "」』）)］】〕｝"
STOPS = "。！？!?"


def is_cjk(char: str) -> bool:
    """Japanese script, full-width forms and CJK punctuation: no spaces belong next to these."""
    return unicodedata.east_asian_width(char) in ("W", "F", "H") or "\u2460" <= char <= "\u24ff"


def _gap(left: str, right: str, had_space: bool) -> str:
    """What goes between two pieces of text that whitespace (or a line end) separated."""
    if not had_space:
        return ""
    if left[-1] == "-" and left[-2:-1].isalnum() and right[0].isalnum():
        return ""  # NOTE: a line that breaks after a hyphen (ELYZA-|japanese, a URL's …-and-|trustworthy) is one word
    if right.startswith(("http://", "https://")) or URL_END.search(left[-200:]):
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
        if c in KANA_ORDER:
            return KANA_ORDER.index(c) + 1
    return 0


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


_MARKS_AFTER = re.compile(r"＊[0-9０-９]{1,3}(?:[、，,]?＊[0-9０-９]{1,3})*")


def split_sentences(text: str) -> list[str]:
    """Split at 。！？ outside brackets; a trailing （図表…） stays with its sentence.

    >>> split_sentences("「電話リレーサービス」とは、…である。これは「例。」です。（図表Ⅱ-2-6-1）")
    ['「電話リレーサービス」とは、…である。', 'これは「例。」です。（図表Ⅱ-2-6-1）']
    """
    inside = _protected(text)
    pieces, start, i = [], 0, 0
    while i < len(text):
        if text[i] in STOPS and not inside[i]:
            end = i + 1
            while end < len(text) and text[end] in STOPS:
                end += 1
            if marks := _MARKS_AFTER.match(text, end):
                end = marks.end()  # NOTE: 。＊1 — a mark set after the stop is still this sentence's
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


def find_links(text: str) -> tuple[Link, ...]:
    links = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:)]'\"")
        links.append(Link(url, m.start(), m.start() + len(url)))
    return tuple(links)


def text_to_sentence(text: str) -> Sentence:
    """One sentence: footnote markers taken out (kept as references), printed ruby taken out (kept as readings
    over its base), links and figure refs found."""
    notes, out, pos = [], [], 0
    for m in NOTE_MARK.finditer(text):
        out.append(text[pos : m.start()])
        offset = sum(len(s) for s in out)
        notes.append(NoteRef(m.group(0), label_number(m["num"]), offset))
        pos = m.end()
    out.append(text[pos:])
    clean, spans = split_annotations("".join(out))
    if spans or len(clean) != sum(len(s) for s in out):
        notes = [replace(n, offset=_after_annotations("".join(out), n.offset)) for n in notes]
    figures = tuple(dict.fromkeys(_FIGURE_REF.findall(clean)))
    return Sentence(clean, tuple(notes), find_links(clean), figures, ruby=tuple(Ruby(*span) for span in spans))


def _after_annotations(text: str, offset: int) -> int:
    """Where ``offset`` of an annotated text falls once its annotations are taken out."""
    return len(split_annotations(text[:offset])[0])


def unique_id(base: str, used: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3`` … when taken; ``used`` maps every id given to the next suffix to try.

    NOTE: each base remembers its next suffix, so n duplicates of one base cost O(n), not O(n²)."""
    section_id, n = base, used.get(base, 2)
    while section_id in used:
        section_id, n = f"{base}-{n}", n + 1
    used[base] = n
    used.setdefault(section_id, 2)
    return section_id


