"""The entry: a PDF's bytes -> Lines, each page read from the author's structure tree where it covers the page,
else by the layout reader; and an account of every character that is not read (with its reason)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Callable

from ...sentences import NOTE_MARK
from ...structure import Line
from .chars import Frag, chars_to_fragments
from .layout import mark_key, merge_heading_pieces, merge_labels, merge_note_numbers, page_to_lines
from .limits import DEFAULT_LIMITS, PdfError, PdfLimits
from .ocr import mend_acronyms
from .sandbox import RawPdf, read_pdf
from .tagged import TreeReader, covered, heading_roles
from .typography import attach_small, body_size, heading_sizes, mark_furniture

TREE_COVERAGE = 0.95  # a page is read from the tree when its marked content covers this share of its text
# NOTE: a scanned page whose words Tesseract is this unsure of on average is mostly misread (a photo, a faint copy):
# set aside and said, never spoken as if it were the text
OCR_PAGE_CONFIDENCE = 70.0
OCR_NOTICE = "この文書の文字は、画像（スキャンしたページ）から自動で読み取ったものです。誤りを含むことがあります。"
PREVIEW_NOTICE = "全{total}ページのうち、{read}ページ目までを読み取りました。残りのページは、いま読み取っています。"
_CONTENT_LIKE = re.compile(r"。\s*$|^\s*[0-9０-９]{1,3}[\s\u3000]+\S.{8,}")


@dataclass(frozen=True)
class PdfText:
    """What a PDF gives the structure model: lines in reading order, its own title, what was set aside and why,
    how each page was read (``tree``, ``layout`` or ``vertical``), and warnings a person should see."""

    lines: tuple[Line, ...]
    title: str | None
    discarded: tuple[tuple[str, str], ...]  # (text, reason): running head, page number, artifact, figure text …
    pages: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    ocr: tuple[tuple[int, float], ...] = ()  # scanned pages read by OCR: (page number from 1, mean confidence)

    def summary(self) -> tuple[str, ...]:
        """The report's lines: which pages were read which way, OCR's confidence per page, and the warnings."""
        tree = [i + 1 for i, how in enumerate(self.pages) if how == "tree"]
        layout = [i + 1 for i, how in enumerate(self.pages) if how == "layout"]
        vertical = [i + 1 for i, how in enumerate(self.pages) if how == "vertical"]
        out = []
        if tree:
            out.append(f"論理構造（タグ）から読んだページ: {_ranges(tree)}")
        if layout:
            out.append(f"レイアウトから読んだページ: {_ranges(layout)}")
        if vertical:
            out.append(f"縦書きとしてレイアウトから読んだページ（右の行から）: {_ranges(vertical)}")
        if self.ocr:
            out.append(f"画像から文字を読み取ったページ（OCR）: {_ranges([n for n, _ in self.ocr])}"
                       f"（信頼度 {'、'.join(f'{n}: {c:.0f}' for n, c in self.ocr)}）")
        reasons = defaultdict(int)
        for _, reason in self.discarded:
            reasons[reason] += 1
        if reasons:
            out.append("読まなかった文字列: " + "、".join(f"{_REASONS.get(r, r)} {n}" for r, n in sorted(reasons.items())))
        return tuple(out) + tuple(f"警告: {w}" for w in self.warnings)


_REASONS = {"artifact": "柱・ノンブル（タグ）", "running head": "柱", "page number": "ノンブル", "side tab": "ツメ",
            "figure text": "図の中の文字", "other type": "本文外の文字",
            "untagged": "構造のない文字", "rotated text": "回転した文字（図の軸など）", "empty table": "空の表",
            "unsure OCR": "OCR の確かでない行", "unsure OCR page": "OCR の確かでないページ"}


def pdf_to_lines(data: bytes, name: str, limits: PdfLimits = DEFAULT_LIMITS,
                 on_preview: Callable[[PdfText], None] | None = None) -> PdfText:
    """Lines in reading order, the document's own title (metadata or first bookmark), and what was set aside.
    ``on_preview`` hears of a long file's first pages, read as a document of their own, before the rest is read."""
    def preview(raw: RawPdf, total: int) -> None:
        try:
            text = _assemble(name, raw)
        except PdfError:  # NOTE: nothing sure on the first pages: no preview; the whole file decides
            return
        lines = list(text.lines)
        lines.insert(_after_title(lines) + 1, Line(PREVIEW_NOTICE.format(read=len(raw.pages), total=total), "body"))
        on_preview(replace(text, lines=tuple(lines)))

    raw = read_pdf(data, name, limits, preview if on_preview is not None else None)
    return _assemble(name, raw)


def _assemble(name: str, raw: RawPdf) -> PdfText:
    raw, unsure = _set_aside_unsure(raw)
    printed = sum(1 for page in raw.pages for c in page.chars if c["text"].strip())
    if printed == 0:
        if unsure:
            raise PdfError(f"{name}: スキャンしたページの文字を確かに読み取れませんでした（OCR の信頼度 "
                           f"{'、'.join(f'{c:.0f}' for _, c in unsure)}）。もっと鮮明なスキャンをお使いください。",
                           code="scanned_pdf")
        raise PdfError(f"{name}: 文字のない PDF です（白紙のページだけのようです）。", code="empty_pdf")
    if sum(p.vertical for p in raw.pages) > printed:
        raise PdfError(f"{name}: 縦書きの PDF です。縦書きのページにはまだ対応していません。", code="vertical_pdf")
    tree = raw.tree
    headings = heading_roles(tree) if tree else {}
    vertical = {page.number for page in raw.pages if _vertical(page.chars)}
    pages = [_fragments(page, headings, page.number in vertical) for page in raw.pages]
    boxes = [_turned_box(page.box, page.box) if page.number in vertical else page.box for page in raw.pages]
    discarded: list[tuple[str, str]] = [(page.rotated, "rotated text") for page in raw.pages if page.rotated]
    body = body_size(pages)
    refs = covered(tree) if tree is not None else set()
    tagged = _tree_pages(raw, refs) if tree is not None and not raw.suspects else set()
    for i, frags in enumerate(pages):
        if i in tagged:  # NOTE: on a tagged page the tree says what is furniture; type still ranks headings
            for f in frags:
                if f.tag == "Artifact":
                    f.role = "furniture"
            continue
        # NOTE: before furniture: a note's number, a marker at a column's edge or a heading's number set an em
        # apart, alone, looks like a page number
        merge_labels(frags)
        merge_note_numbers(frags, body)
        attach_small(frags, body)
    mark_furniture([f if i not in tagged else [] for i, f in enumerate(pages)], boxes, discarded)
    tag_levels = sorted({role for role in headings.values()})
    marks = {mark_key(text): level for text, level in raw.bookmarks.items()}
    for frags in pages:
        merge_heading_pieces(frags, body)
    sizes = heading_sizes(pages, body)
    numbering = _Numbering()
    layout_lines = {i: numbering.renumber(page_to_lines(frags, body, sizes, discarded, tag_levels, marks,
                                                        _page_boxes(raw.pages[i], i in vertical)))
                    for i, frags in enumerate(pages) if i not in tagged}
    lines: list[Line] = []
    if tagged:
        content = _content(raw, tagged)
        reader = TreeReader(content, tagged, body, sizes, marks, tag_levels, numbering.next, discarded)
        pending = sorted(layout_lines)
        for item in reader.read(tree):
            while pending and item.page >= 0 and pending[0] < item.page:
                lines.extend(layout_lines.pop(pending.pop(0)))
            lines.append(item.line)
        for number in pending:
            lines.extend(layout_lines[number])
        _untagged(raw, tagged, refs, discarded)
    else:
        for number in sorted(layout_lines):
            lines.extend(layout_lines[number])
    how = tuple("tree" if i in tagged else "vertical" if i in vertical else "layout" for i in range(len(raw.pages)))
    lines = [replace(line, text=_URL_GLUED.sub(" ", line.text)) if "http" in line.text else line
             for line in _in_order(lines)]
    lines = _outline_ranks(lines, marks)
    ocr = tuple((page.number + 1, page.ocr) for page in raw.pages if page.ocr is not None)
    warnings = _warnings(discarded)
    if ocr:
        lines = _mend_acronyms(lines)
        discarded += [(word, "unsure OCR") for page in raw.pages for word in page.ocr_dropped]
        discarded += [(f"{n} ページ", "unsure OCR page") for n, _ in unsure]
        lines.insert(_after_title(lines), Line(OCR_NOTICE, "body"))
        warnings = (OCR_NOTICE,) + warnings
        if unsure:
            warnings += (f"OCR の信頼度が低いページ（{_ranges([n for n, _ in unsure])}）は読み上げません。"
                         "鮮明なスキャンで差し替えてください。",)
    return PdfText(tuple(lines), raw.title, tuple(discarded), how, warnings, ocr)


def _mend_acronyms(lines: list[Line]) -> list[Line]:
    """A scanned document's lines and table cells with its capital words as it most often spells them."""
    cells = [c for line in lines for row in line.cells for c in row]
    mended = mend_acronyms([line.text for line in lines] + [c.text for c in cells])
    texts, cell_texts = iter(mended[:len(lines)]), iter(mended[len(lines):])
    out = []
    for line in lines:
        rows = tuple(tuple(replace(c, text=next(cell_texts)) for c in row) for row in line.cells)
        out.append(replace(line, text=next(texts), cells=rows))
    return out


def _set_aside_unsure(raw: RawPdf) -> tuple[RawPdf, list[tuple[int, float]]]:
    """Scanned pages OCR read with too little confidence, emptied (their confidence stays, for the report):
    (page number from 1, confidence) for each."""
    unsure = [(page.number + 1, page.ocr) for page in raw.pages
              if page.ocr is not None and page.ocr < OCR_PAGE_CONFIDENCE]
    if not unsure:
        return raw, []
    numbers = {n - 1 for n, _ in unsure}
    pages = tuple(replace(page, chars=()) if page.number in numbers else page for page in raw.pages)
    return replace(raw, pages=pages), unsure


def _after_title(lines: list[Line]) -> int:
    """Where a notice about the whole document goes: after its first heading (the title), else first."""
    return 1 if lines and lines[0].role == "heading" else 0


# NOTE: a URL set right after text (a note's 「…」https://…) is its own word: a space keeps the two apart
_URL_GLUED = re.compile(r"(?<=[^\s(（「『<\[【/])(?=https?://)")


def _fragments(page, headings: dict[tuple[int, int], str], vertical: bool = False) -> list[Frag]:
    chars = []
    for c in page.chars:
        if not c["text"].strip():
            continue
        c = _turned(c, page.box) if vertical else dict(c)
        if c.get("tag") == "Artifact":
            c["yomiage_tag"] = "Artifact"
        elif (page.number, c.get("mcid")) in headings:
            c["yomiage_tag"] = headings[(page.number, c["mcid"])]
        chars.append(c)
    return chars_to_fragments(page.number, chars)


def _vertical(chars: tuple[dict, ...]) -> bool:
    """A page set in vertical lines (縦書き): most characters drawn one below the one before, few beside it."""
    below = beside = 0
    shown = [c for c in chars if c["text"].strip() and c.get("size")]
    for a, b in zip(shown, shown[1:]):
        size = a["size"]
        if abs(a["x0"] - b["x0"]) < 0.15 * size and 0.6 * size < b["top"] - a["top"] < 1.6 * size:
            below += 1
        elif abs(a["bottom"] - b["bottom"]) < 0.15 * size and 0.6 * size < b["x0"] - a["x0"] < 1.6 * size:
            beside += 1
    return below >= 20 and below > 3 * beside


def _turned(c: dict, box: tuple[float, float, float, float]) -> dict:
    """A character of a vertical page turned a quarter: its column (read right to left) becomes a line (read top
    to bottom), and down the column becomes along the line; the layout reader then reads it as any page."""
    left, _, right, _ = box
    return {**c, "x0": c["top"], "x1": c["bottom"], "top": left + right - c["x1"], "bottom": left + right - c["x0"]}


def _turned_box(rect: tuple, box: tuple[float, float, float, float]) -> tuple:
    left, _, right, _ = box
    x0, top, x1, bottom, *rest = rect
    return (top, left + right - x1, bottom, left + right - x0, *rest)


def _page_boxes(page, vertical: bool) -> tuple:
    return tuple(_turned_box(b, page.box) for b in page.boxes) if vertical else page.boxes


def _tree_pages(raw: RawPdf, refs: set[tuple[int, int]]) -> set[int]:
    """Pages whose text the tree's marked content (``refs``) covers: ≥ 95 % of the characters that are not
    artifacts."""
    out = set()
    for page in raw.pages:
        text = [c for c in page.chars if c["text"].strip() and c.get("tag") != "Artifact"]
        if not text:
            continue
        inside = sum(1 for c in text if (page.number, c.get("mcid")) in refs)
        if inside >= TREE_COVERAGE * len(text):
            out.add(page.number)
    return out


def _content(raw: RawPdf, tagged: set[int]) -> dict[tuple[int, int], list[dict]]:
    """Each marked-content id's characters, in drawing order, on the pages read from the tree."""
    content: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for page in raw.pages:
        if page.number not in tagged:
            continue
        for c in page.chars:
            if c.get("mcid") is not None and c.get("tag") != "Artifact":
                content[(page.number, c["mcid"])].append({**c, "page": page.number})
    return content


def _untagged(raw: RawPdf, tagged: set[int], refs: set[tuple[int, int]], discarded: list[tuple[str, str]]) -> None:
    """Characters on a tree page that no element holds (a few are allowed): set aside, and said."""
    for page in raw.pages:
        if page.number not in tagged:
            continue
        loose = [c for c in page.chars if c["text"].strip() and c.get("tag") != "Artifact"
                 and (page.number, c.get("mcid")) not in refs]
        for frag in chars_to_fragments(page.number, loose):
            discarded.append((frag.text.strip(), "untagged"))
        artifacts = [c for c in page.chars if c["text"].strip() and c.get("tag") == "Artifact"]
        for frag in chars_to_fragments(page.number, artifacts):
            discarded.append((frag.text.strip(), "artifact"))


def _warnings(discarded: list[tuple[str, str]]) -> tuple[str, ...]:
    """A line set aside that reads like content (a sentence, a numbered note) is worth a person's look."""
    suspicious = [text for text, reason in discarded
                  if reason in ("running head", "untagged", "other type") and _CONTENT_LIKE.search(text)]
    if not suspicious:
        return ()
    sample = suspicious[0] if len(suspicious[0]) <= 30 else suspicious[0][:30] + "…"
    return (f"本文のように見える行を {len(suspicious)} 行読みませんでした（最初は「{sample}」）。",)


class _Numbering:
    """Notes numbered in document order: printed numbers restart on every page (or column), so ``＊1`` on page
    3 and ``＊1`` on page 5 are different notes."""

    def __init__(self):
        self.count = 0
        self.unanswered: dict[int, list[int]] = defaultdict(list)  # printed number -> marks no note answered yet

    def next(self) -> int:
        self.count += 1
        return self.count

    def renumber(self, lines: list[Line]) -> list[Line]:
        """One page's markers and notes (printed numbers) -> document numbers; a note takes the marker of its
        page that prints its number, wherever the two stand in reading order."""
        waiting: dict[int, list[int]] = defaultdict(list)

        def swap(m: re.Match) -> str:
            number = self.next()
            waiting[int(m["num"])].append(number)
            return f"＊{number}"

        out = [_marked(line, lambda text: NOTE_MARK.sub(swap, text)) if line.role != "footnote" else line
               for line in lines]
        for i, line in enumerate(out):
            if line.role == "footnote" and line.number is not None:
                queue = waiting[line.number]
                # NOTE: no mark on its page: the latest earlier mark still unanswered (an endnote, or a note the
                # page break pushed over)
                earlier = self.unanswered[line.number]
                number = queue.pop(0) if queue else earlier.pop() if earlier else self.next()
                out[i] = replace(line, number=number)
        for printed, numbers in waiting.items():
            self.unanswered[printed].extend(numbers)
        return out




def _outline_ranks(lines: list[Line], marks: dict[str, int]) -> list[Line]:
    """Headings found by type size, ranked by the PDF's bookmarks instead when one size holds two of their levels
    (LibreOffice sets 見出し 1 and 見出し 2 alike: 第１章 and １ in one size) and every one of them is bookmarked:
    the author's outline tells what the type cannot."""
    typed = [line for line in lines if line.role == "heading" and (line.style or "").startswith("pdf:")]
    depths = [marks.get(mark_key(line.text)) for line in typed]
    if not typed or None in depths:
        return lines
    levels: dict[str, set[int]] = defaultdict(set)
    for line, depth in zip(typed, depths):
        levels[line.style].add(depth)
    if all(len(found) == 1 for found in levels.values()):
        return lines
    ranked = {id(line): depth for line, depth in zip(typed, depths)}
    return [replace(line, rank=ranked[id(line)], style=f"bookmark:{ranked[id(line)]}") if id(line) in ranked else line
            for line in lines]


def _marked(line: Line, swap) -> Line:
    """A line with its markers (in its text and in its table cells) passed through ``swap``, in reading order."""
    if "＊" in line.text:
        line = replace(line, text=swap(line.text))
    if line.cells and any("＊" in c.text for row in line.cells for c in row):
        line = replace(line, cells=tuple(tuple(replace(c, text=swap(c.text)) if "＊" in c.text else c for c in row)
                                         for row in line.cells))
    return line


def _in_order(lines: list[Line]) -> list[Line]:
    """Notes numbered in the order the document mentions them: each reader numbers its own pages as it reads
    them, so where tree and layout pages alternate, their numbers interleave out of order until this pass."""
    order: dict[int, int] = {}
    for line in lines:
        if line.role == "footnote":
            if line.number is not None:
                order.setdefault(line.number, len(order) + 1)
        else:
            for text in (line.text, *(c.text for row in line.cells for c in row)):
                for m in NOTE_MARK.finditer(text):
                    order.setdefault(int(m["num"]), len(order) + 1)
    if all(old == new for old, new in order.items()):
        return lines

    def renumber(text: str) -> str:
        return NOTE_MARK.sub(lambda m: f"＊{order.get(int(m['num']), int(m['num']))}", text)

    out = []
    for line in lines:
        if line.role == "footnote":
            line = replace(line, number=order.get(line.number, line.number)) if line.number is not None else line
        else:
            line = _marked(line, renumber)
        out.append(line)
    return out


def _ranges(numbers: list[int]) -> str:
    out, start, last = [], None, None
    for n in numbers + [None]:
        if start is None:
            start = last = n
        elif n is not None and n == last + 1:
            last = n
        else:
            out.append(f"{start}" if start == last else f"{start}–{last}")
            start = last = n
    return "、".join(out)
