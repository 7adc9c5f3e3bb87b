"""What the type tells: the body size, the heading sizes, page furniture, footnote markers and printed ruby."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ...structure import FIGURE_START, match_heading
from ...textio import ANCHOR, SEPARATOR, TERMINATOR
from .chars import Frag, join_chars

DIGITS = re.compile(r"^[0-9０-９]{1,3}$")
MARKS = re.compile(r"^[0-9０-９]{1,3}(?:\s*[、，,]\s*[0-9０-９]{1,3})*$")  # one footnote marker, or a run: 2、3
# a note's number set flush against its text (LibreOffice: 「1個別避難計画は…」): a note only where a mark prints it
FLUSH_NUMBER = re.compile(r"^(?P<num>[0-9０-９]{1,3})(?P<rest>[^0-9０-９\s.,．，、)）].*)$")
WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
HIRAGANA = str.maketrans({chr(c): chr(c - 0x60) for c in range(ord("ァ"), ord("ヶ") + 1)})
KANJI = re.compile(r"[\u3400-\u9fff々〆ヶ]")
SENTENCE_END = ("。", "」", "』", "）", ")", "！", "？", ".")


def larger(size: float, body: float) -> bool:
    """Set at least a point above the body (a heading's type). A hair under counts: makers that scale their
    units write 11.5 pt as 11.4975 (Chromium's CSS pixels)."""
    return size >= body + 0.95


def smaller(size: float, body: float) -> bool:
    """Set in a note's type: at most 85 % of the body, or a point below it (9 pt notes under 10.5 pt text)."""
    return size <= max(0.85 * body, body - 0.95)


def size_key(size: float) -> float:
    """Sizes to the half point, as type is specified."""
    return round(size * 2) / 2


def body_size(pages: list[list[Frag]]) -> float:
    """The size most characters are set in."""
    weights: Counter = Counter()
    for frags in pages:
        for f in frags:
            weights[size_key(f.size)] += len(f.text)
    return weights.most_common(1)[0][0] if weights else 10.5


def heading_sizes(pages: list[list[Frag]], body: float) -> list[float]:
    """Sizes above the body's in which some line is numbered as headings are (第1節, コラム1-1 …), largest
    first; larger type that never is (a chart's title, a pull quote) is not a level of the tree."""
    large = [f for frags in pages for f in frags if f.role == "text" and larger(f.size, body)]
    numbered = sorted({size_key(f.size) for f in large if match_heading(f.text)}, reverse=True)
    if numbered:
        return _with_title(pages, large, numbered)
    # NOTE: a document whose headings carry no numbers at all (a notice's 「お問い合わせ」): a larger size is a
    # heading size when it sets a few short lines apart, and little else
    body_chars = sum(len(f.text) for frags in pages for f in frags if abs(f.size - body) < 0.6)
    sizes: dict[float, list[Frag]] = defaultdict(list)
    for f in large:
        sizes[size_key(f.size)].append(f)
    return _with_title(pages, large, sorted((size for size, frags in sizes.items()
                   if len({f.text.strip() for f in frags if heading_like(f.text) and not FIGURE_START.match(f.text)}) >= 2
                   and all(heading_like(f.text) for f in frags)
                   and sum(len(f.text) for f in frags) < 0.05 * max(body_chars, 1)), reverse=True))


def _with_title(pages: list[list[Frag]], large: list[Frag], sizes: list[float]) -> list[float]:
    """The heading sizes, and above them the title's: the largest type, set only at the head of the first page
    with text (a line or two above everything else there) — a notice's or a report's title with no number."""
    first = next((frags for frags in pages if any(f.role == "text" for f in frags)), [])
    if not large or not first:
        return sizes
    largest = max(size_key(f.size) for f in large)
    if sizes and largest <= sizes[0]:
        return sizes
    title = [f for f in large if size_key(f.size) == largest]
    rest = [f for f in first if f.role == "text" and all(f is not t for t in title)]
    if (len(title) <= 2 and all(f.page == first[0].page and heading_like(f.text) for f in title)
            and rest and max(f.bottom for f in title) <= min(f.top for f in rest) + 1):
        return [largest, *sizes]
    return sizes


def heading_like(text: str) -> bool:
    return 0 < len(text.strip()) <= 60 and not text.strip().endswith(("。", "、"))


def mark_furniture(pages: list[list[Frag]], boxes: list, discarded: list[tuple[str, str]]) -> None:
    """Running heads and feet, page numbers, the chapter tab: the same text at the same place on many pages,
    a bare number in a page's margin, a column of single characters at a page's edge."""
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for frags in pages:
        for f in frags:
            key = re.sub(r"[0-9０-９\s]", "", f.text)
            if key:
                seen[(key, round(f.top / 20))].add(f.page)
    many = max(2, len(pages) // 3)
    for frags, (left, top, right, bottom) in zip(pages, boxes):
        height, width = bottom - top, right - left
        # NOTE: a side tab stands outside the text block (in the margin), never at the start or end of a line of
        # it: 「い。」 ending a paragraph alone on a line at the left margin is text
        lines = [f for f in frags if f.role == "text" and len(f.text.strip()) > 5]
        block = (min(f.x0 for f in lines), max(f.x1 for f in lines)) if lines else (right, left)
        for f in frags:
            if f.role != "text":
                continue
            if f.tag == "Artifact":  # NOTE: a tagged PDF marks its running heads and page numbers itself
                f.role = "furniture"
                discarded.append((f.text.strip(), "artifact"))
                continue
            key = re.sub(r"[0-9０-９\s]", "", f.text)
            in_margin = f.bottom < top + 0.1 * height or f.top > bottom - 0.1 * height
            at_edge = f.x0 > right - 0.14 * width or f.x1 < left + 0.1 * width
            if key and len(seen[(key, round(f.top / 20))]) >= many and (in_margin or len(key) <= 2):
                reason = "running head"
            elif DIGITS.match(f.text.strip()) and (in_margin or at_edge):
                reason = "page number"
            elif at_edge and len(f.text.strip()) <= 2 and (f.x1 <= block[0] + 1 or f.x0 >= block[1] - 1):
                reason = "side tab"
            else:
                continue
            f.role = "furniture"
            discarded.append((f.text.strip(), reason))


def attach_small(frags: list[Frag], body: float) -> None:
    """Raised small digits next to text become ``＊N`` markers inside it (``2、3`` two of them); tiny type sitting
    on a line is ruby."""
    text = [f for f in frags if f.role == "text"]
    rubies: dict[int, list[Frag]] = defaultdict(list)
    hosts: dict[int, Frag] = {}
    for small in text:
        if small.size >= 0.95 * max(body, small.size + 0.1) and not MARKS.match(small.text.strip()):
            continue
        # NOTE: a marker is smaller than its line, or about as large (even a little larger, on a small source
        # line) but raised well above its baseline
        host = next((f for f in text if f is not small and f.role == "text"
                     and (f.size > small.size * 1.1
                          or f.size >= 0.8 * small.size and small.bottom <= f.bottom - 0.3 * f.size)
                     and f.top - 1 <= small.bottom <= f.bottom - 0.15 * f.size
                     and f.x0 - small.size <= small.x0 <= f.x1 + small.size), None)
        if host and MARKS.match(small.text.strip()) and small.size >= 0.5 * host.size:
            insert_marker(host, small)
            small.role = "marker"
            _close_up(host, small, text)
            continue
        if small.size >= 0.95 * body:
            continue
        over = next((f for f in text if f is not small and f.size >= small.size * 1.6
                     and -0.5 * small.size <= f.top - small.bottom <= 0.5 * small.size
                     and f.x0 - small.size <= small.x0 and small.x1 <= f.x1 + small.size), None)
        if over is not None:
            rubies[id(over)].append(small)
            hosts[id(over)] = over
    for key, host in hosts.items():
        spans = []  # (first base index, last base index, kana), one per ruby run, left to right
        for ruby in sorted(rubies[key], key=lambda r: r.x0):
            base = _base_of(host.chars, ruby)
            kana = ruby.text.strip().translate(HIRAGANA)
            if base is not None and re.fullmatch(r"[\u3041-\u309fー]{1,12}", kana):
                ruby.role = "ruby"  # NOTE: tiny type over no kanji stays text, and is set aside with its reason
                spans.append((*base, kana))
        for first, last, kana in reversed(_joined(spans)):
            annotate_chars(host.chars, first, last, kana)
        host.text = join_chars(host.chars)


def _close_up(host: Frag, marker: Frag, frags: list[Frag]) -> None:
    """The 。 or 、 printed after a mark at a line's end (…公開しました²、³。) stood apart from its line across the
    mark's width: it is the line's."""
    after = next((f for f in frags if f is not host and f.role == "text" and f.text.strip() in _CLOSING
                  and abs(f.bottom - host.bottom) < 0.3 * host.size and -1 <= f.x0 - marker.x1 <= 0.5 * host.size), None)
    if after is not None:
        host.chars.extend(after.chars)
        host.x1 = max(host.x1, after.x1)
        host.text = join_chars(host.chars)
        after.role = "merged"


_CLOSING = {"。", "、", "．", "，", "」", "）", "。」", "）。"}


def _base_of(chars: list[dict], ruby: Frag) -> tuple[int, int] | None:
    """The kanji a ruby run stands over (by how much of each character it covers), or None."""
    def overlap(c: dict) -> float:
        return (min(c["x1"], ruby.x1) - max(c["x0"], ruby.x0)) / max(c["x1"] - c["x0"], 0.1)

    base = [i for i, c in enumerate(chars) if overlap(c) > 0.3]
    if not base or not all(KANJI.fullmatch(chars[i]["text"]) for i in base) or len(base) > 8:
        return None
    return base[0], base[-1]


def _joined(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Ruby set kanji by kanji over one word (富(ふ)岳(がく)) is the word's reading: 富岳 ふがく."""
    out: list[tuple[int, int, str]] = []
    for first, last, kana in spans:
        if out and out[-1][1] + 1 == first:
            out[-1] = (out[-1][0], last, out[-1][2] + kana)
        elif out and out[-1][0] <= first <= out[-1][1]:
            out[-1] = (out[-1][0], max(last, out[-1][1]), out[-1][2] + kana)  # two runs over one base
        else:
            out.append((first, last, kana))
    return out


def annotate_chars(chars: list[dict], first: int, last: int, kana: str) -> None:
    """Printed ruby becomes its base's reading (an annotation the sentence takes out: shown over the base, said
    instead of it, never as text)."""
    chars.insert(last + 1, {**chars[last], "text": f"{SEPARATOR}{kana}{TERMINATOR}", "x0": chars[last]["x1"]})
    chars.insert(first, {**chars[first], "text": ANCHOR, "x1": chars[first]["x0"]})


def insert_marker(host: Frag, small: Frag) -> None:
    at = next((i for i, c in enumerate(host.chars) if c["x0"] >= small.x0 - 0.5), len(host.chars))
    numbers = re.findall(r"[0-9０-９]+", small.text)
    host.chars.insert(at, {"text": "、".join(f"＊{int(n.translate(WIDE))}" for n in numbers), "x0": small.x0,
                           "x1": small.x1, "top": small.top, "bottom": small.bottom, "size": host.size,
                           "fontname": host.font})
    host.text = join_chars(host.chars)
