"""PDF with a text layer -> Lines, from each character's font, size and position (pdfplumber).

What the type tells: the most used size is the body; larger sizes are headings (ranked by size); small raised
digits beside body text are footnote markers; small type below a column's body is its footnotes; tiny type right
above a line is printed ruby (kept as the printed reading of its base, never read as more words); text in other sizes and faces between a
figure caption and the body (chart labels) is the figure's, not the body's. Lines that repeat at the same place
on several pages (running heads, page numbers) and the one-character column of the chapter tab are furniture.
Two-column pages are read band by band: a band ends where both columns are blank at once, or at a line that
spans both, and inside a band the left column is read before the right.

What the PDF says about itself comes first where it says it: a tagged PDF's Artifact marks are furniture and its
H/H1…H6 elements are the headings (then type size is not asked); a bookmarked line is a heading at its bookmark's
depth even in body type; the metadata title or first bookmark names the document.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import resource
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..errors import InputError
from ..structure import Line, match_heading

MAX_PAGES = 400
MAX_CHARS_PER_PAGE = 60_000
MAX_SECONDS = 120.0
MAX_MEMORY = 2 << 30  # bytes of address space for the child that reads one PDF

_FIGURE_START = re.compile(r"^\s*■|^\s*(?:図表\s?[0-9０-９Ⅰ-Ⅹ][0-9０-９\-－‐]*|第[0-9０-９]+(?:[-－‐][0-9０-９]+)+[図表])[\s\u3000／/:：]")
_NOTE_START = re.compile(r"^\s*(?P<num>[0-9]{1,3})[\s\u3000]+(?P<rest>\S.*)$")
_DIGITS = re.compile(r"^[0-9０-９]{1,3}$")


class PdfError(InputError):
    code = "bad_pdf"


@dataclass
class _Frag:
    """A run of characters on one baseline, without a wide gap."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    chars: list = field(default_factory=list)
    text: str = ""
    role: str = "text"
    number: int | None = None
    column_right: float | None = None  # where this fragment's column ends (set when the page is ordered)
    tag: str = ""  # the tag tree's word for these characters: "Artifact", "H1"…"H6", "H" (tagged PDFs only)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def pdf_to_lines(data: bytes, name: str) -> tuple[list[Line], str | None, tuple[str, ...]]:
    """Lines in reading order, the document's own title (metadata or first bookmark), and what was set aside.

    A PDF is untrusted: it is read in child processes with a memory ceiling and a CPU-time limit, so a
    decompression bomb or a pathological page ends a child with a clear error, never this process. With more than
    one core, the pages are shared among several children (page k to child k mod n): pdfminer reads content
    streams in pure Python, so a 100-page white paper takes half the time on two cores. What the pages say is then
    put together here (sizes, furniture, order), from the children's plain data.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simplify.sources.pdf"])
    limits = {"MAX_PAGES": MAX_PAGES, "MAX_CHARS_PER_PAGE": MAX_CHARS_PER_PAGE, "MAX_SECONDS": MAX_SECONDS,
              "MAX_MEMORY": MAX_MEMORY}
    count = max(1, min(MAX_READERS, os.cpu_count() or 1))
    children = []
    try:
        for part in range(count):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_read_in_child, args=(data, name, send, limits, part, count),
                                    name=f"yomiage-pdf-{part}")
            child.start()
            send.close()
            children.append((child, receive))
        results = [_receive(receive, name) for _, receive in children]
    finally:
        for child, receive in children:
            receive.close()
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()
    for kind, payload in results:
        if kind == "error":
            message, code = payload
            raise PdfError(message, code=code)
    parts = [payload for _, payload in results]
    pages: list[list[_Frag]] = [[] for _ in range(parts[0].count)]
    boxes: list = [None] * parts[0].count
    for part in parts:
        for number, frags, box in part.pages:
            pages[number], boxes[number] = frags, box
    return _assemble(name, pages, boxes, sum(p.vertical for p in parts), parts[0].bookmarks, parts[0].title)


MAX_READERS = 4  # children that read one PDF's pages at once (at most one per core)


@dataclass
class _Part:
    """What one child read: its pages (number, fragments, box), and the whole file's count, outline and title."""

    count: int
    pages: list
    vertical: int
    bookmarks: dict
    title: str | None


def _receive(receive, name: str):
    if not receive.poll(MAX_SECONDS + 30):
        raise PdfError(f"{name}: PDF の読み取りが時間内に終わりません。ページを分けてお試しください。", code="too_slow")
    try:
        return receive.recv()
    except EOFError:
        raise PdfError(f"{name}: PDF を読む途中で読み取りが止まりました（展開するとメモリーが足りないか、"
                       "時間がかかりすぎます）。", code="too_large") from None


def _read_in_child(data: bytes, name: str, send, limits: dict, part: int = 0, count: int = 1) -> None:
    globals().update(limits)  # NOTE: the limits this process was given (a test or a setting may lower them)
    memory = limits["MAX_MEMORY"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits["MAX_SECONDS"]) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:
        result = ("ok", _read_part(data, name, part, count))
    except PdfError as error:
        result = ("error", (str(error), error.code))
    except MemoryError:
        result = ("error", (f"{name}: PDF を展開するとメモリーが足りません（{memory >> 20} MB まで）。"
                            "圧縮された中身が大きすぎるか、壊れた PDF です。", "too_large"))
    send.send(result)
    send.close()


def _read_part(data: bytes, name: str, part: int, count: int) -> _Part:
    pdf = _open(data, name)
    try:
        pages, vertical = _pages(pdf, name, range(part, len(pdf.pages), count))
        bookmarks = _bookmarks(pdf) if part == 0 else {}
        return _Part(len(pdf.pages), pages, vertical, bookmarks, _title(pdf, bookmarks) if part == 0 else None)
    finally:
        pdf.close()


def _open(data: bytes, name: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        count = len(pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise PdfError(f"{name}: 暗号化された PDF です（{type(error).__name__}）。パスワードを外した PDF を"
                       "お使いください。", code="encrypted_pdf") from None
    except PDFSyntaxError:
        raise PdfError(f"{name}: PDF が壊れているため読めません。") from None
    except MemoryError:
        raise
    except Exception as error:  # NOTE: pdfminer raises many types on damaged files; all are the file's fault
        if _out_of_memory(error):
            raise MemoryError from None
        inner = error.args[0] if error.args and isinstance(error.args[0], Exception) else error
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(error).lower():
            raise PdfError(f"{name}: 暗号化された PDF です。パスワードを外した PDF をお使いください。",
                           code="encrypted_pdf") from None
        raise PdfError(f"{name}: PDF が壊れているため読めません（{type(error).__name__}）。") from None
    if count == 0:
        raise PdfError(f"{name}: ページのない PDF です。")
    if count > MAX_PAGES:
        pdf.close()
        raise PdfError(f"{name}: ページが多すぎます（{count} ページ）。{MAX_PAGES} ページ以下に分けてください。",
                       code="too_large")
    return pdf


def _out_of_memory(error: BaseException) -> bool:
    """pdfplumber wraps what pdfminer raises; a MemoryError anywhere in the chain is the ceiling, not damage."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, MemoryError) or any(isinstance(a, MemoryError) for a in error.args):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _title(pdf, marks: dict[str, int]) -> str | None:
    title = (pdf.metadata or {}).get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", "replace")
    if isinstance(title, str) and title.strip() and not re.search(r"\.(docx?|indd|pdf|xlsx?)$|^Microsoft", title):
        return " ".join(title.split())
    return next(iter(marks), None)


def _bookmarks(pdf) -> dict[str, int]:
    """The PDF's outline (bookmarks): each entry's text, spaces removed, and its depth (0 = top)."""
    marks: dict[str, int] = {}
    try:
        entries = [(level, " ".join(text.split())) for level, text, *_ in pdf.doc.get_outlines() if text and text.strip()]
    except Exception:  # NOTE: no outline, or a damaged one: type size and numbering tell
        return marks
    top = min((level for level, _ in entries), default=0)
    for level, text in entries:
        marks.setdefault(text, level - top)
    return marks


def _mark_key(text: str) -> str:
    return re.sub(r"\s", "", text)


_KEEP = ("text", "x0", "x1", "top", "bottom", "size", "fontname", "yomiage_tag")


def _pages(pdf, name: str, numbers: range) -> tuple[list, int]:
    """Each page's fragments and box, as plain data; and how many characters were not upright."""
    started = time.monotonic()
    tagged = "StructTreeRoot" in (pdf.doc.catalog or {})
    pages = []
    vertical = 0
    try:
        for number in numbers:
            if time.monotonic() - started > MAX_SECONDS:
                raise PdfError(f"{name}: PDF の読み取りが時間内に終わりません（{number} ページまで）。"
                               "ページを分けてお試しください。", code="too_slow")
            page = pdf.pages[number]
            chars = page.chars
            if len(chars) > MAX_CHARS_PER_PAGE:
                raise PdfError(f"{name}: {number + 1} ページの文字が多すぎます（{len(chars):,} 字）。",
                               code="too_large")
            upright = [c for c in chars if c.get("upright", True) and c["text"].strip()]
            vertical += len(chars) - len(upright)
            if tagged:
                _label_tags(page, upright)
            # NOTE: only what the reading needs: plain values that cross a process boundary cheaply
            upright = [{k: c[k] for k in _KEEP if k in c} for c in upright]
            pages.append((number, _fragments(number, upright), tuple(page.bbox)))
            page.flush_cache()
    except (PdfError, MemoryError):
        raise
    except Exception as error:
        if _out_of_memory(error):
            raise MemoryError from None
        raise PdfError(f"{name}: PDF が壊れているため読めません（{type(error).__name__}）。") from None
    return pages, vertical


def _assemble(name: str, pages: list[list[_Frag]], boxes: list, vertical: int, bookmarks: dict,
              title: str | None) -> tuple[list[Line], str | None, tuple[str, ...]]:
    total = sum(len(f.text) for frags in pages for f in frags)
    if total == 0:
        raise PdfError(f"{name}: 文字の層がない PDF です（スキャンした画像だけのようです）。読み上げるには、先に OCR で"
                       "文字を付けてください。", code="scanned_pdf")
    if vertical > total:
        raise PdfError(f"{name}: 縦書きの PDF です。縦書きのページにはまだ対応していません。", code="vertical_pdf")
    body = _body_size(pages)
    discarded: list[str] = []
    _mark_furniture(pages, boxes, discarded)
    tag_levels = sorted({f.tag for frags in pages for f in frags if f.tag.startswith("H") and f.role == "text"})
    marks = {_mark_key(text): level for text, level in bookmarks.items()}
    for frags in pages:
        _attach_small(frags, body)
        _merge_heading_pieces(frags, body)
        _merge_note_numbers(frags, body)
    # NOTE: a size is a heading size when some line in it is numbered as headings are (第1節, コラム1-1 …);
    # larger type that never is (a chart's title, a pull quote) is not a level of the tree
    headings = sorted({round(f.size * 2) / 2 for frags in pages for f in frags
                       if f.role == "text" and f.size >= body + 1.0 and match_heading(f.text)}, reverse=True)
    lines: list[Line] = []
    for frags in pages:
        lines.extend(_page_lines(frags, body, headings, discarded, tag_levels, marks))
    return lines, title, tuple(discarded)


# -- characters to fragments ----------------------------------------------------------------------------

def _fragments(page: int, chars: list[dict]) -> list[_Frag]:
    """Characters grouped by baseline and size, split at gaps wider than a character (columns, table cells)."""
    rows: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for c in chars:
        rows[(round(c["bottom"] / 1.5), round(c["size"] * 2))].append(c)
    frags: list[_Frag] = []
    for row in rows.values():
        row.sort(key=lambda c: c["x0"])
        current: list[dict] = []
        for c in row:
            if current and c["x0"] - current[-1]["x1"] > 0.9 * c["size"]:
                frags.append(_frag(page, current))
                current = []
            current.append(c)
        if current:
            frags.append(_frag(page, current))
    return frags


def _frag(page: int, chars: list[dict]) -> _Frag:
    size = statistics.median(c["size"] for c in chars)
    font = Counter(c["fontname"].split("+")[-1] for c in chars).most_common(1)[0][0]
    tag = Counter(c.get("yomiage_tag", "") for c in chars).most_common(1)[0][0]
    frag = _Frag(page, chars[0]["x0"], chars[-1]["x1"], min(c["top"] for c in chars),
                 max(c["bottom"] for c in chars), size, font, chars, tag=tag)
    frag.text = _join_chars(chars)
    return frag


def _join_chars(chars: list[dict]) -> str:
    """Characters as text, with a space where a gap separates two Latin words (the PDF has no space glyphs)."""
    out = []
    for previous, c in zip([None] + chars[:-1], chars):
        if previous is not None and c["x0"] - previous["x1"] > 0.18 * c["size"] \
                and (previous["text"][-1:].isascii() or c["text"][:1].isascii()):
            out.append(" ")
        out.append(c["text"])
    return "".join(out)


_HEADING_TAG = re.compile(r"^H[1-6]?$")


def _label_tags(page, chars: list[dict]) -> None:
    """What a tagged PDF says about each character: pagination artifacts, and headings (H, H1…H6) by their
    structure elements' marked-content ids. A damaged tree only means the type has to tell."""
    headings: dict[int, str] = {}

    def walk(element: dict, inherited: str | None) -> None:
        kind = element.get("type", "")
        level = kind if _HEADING_TAG.match(kind) else inherited
        if level:
            for mcid in element.get("mcids") or ():
                headings[mcid] = level
        for child in element.get("children") or ():
            walk(child, level)

    try:
        for element in page.structure_tree:
            walk(element, None)
    except Exception:  # NOTE: pdfplumber raises assorted errors on broken trees
        headings = {}
    for c in chars:
        if c.get("tag") == "Artifact":
            c["yomiage_tag"] = "Artifact"
        elif c.get("mcid") in headings:
            c["yomiage_tag"] = headings[c["mcid"]]


def _body_size(pages: list[list[_Frag]]) -> float:
    weights: Counter = Counter()
    for frags in pages:
        for f in frags:
            weights[round(f.size * 2) / 2] += len(f.text)
    return weights.most_common(1)[0][0]


def _heading_like(text: str) -> bool:
    return 0 < len(text.strip()) <= 60 and not text.strip().endswith(("。", "、"))


# -- furniture ------------------------------------------------------------------------------------------

def _mark_furniture(pages: list[list[_Frag]], boxes: list, discarded: list[str]) -> None:
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
        for f in frags:
            if f.tag == "Artifact":  # NOTE: a tagged PDF marks its running heads and page numbers itself
                f.role = "furniture"
                discarded.append(f.text.strip())
                continue
            key = re.sub(r"[0-9０-９\s]", "", f.text)
            in_margin = f.bottom < top + 0.1 * height or f.top > bottom - 0.1 * height
            at_edge = f.x0 > right - 0.14 * width or f.x1 < left + 0.1 * width
            if (key and len(seen[(key, round(f.top / 20))]) >= many and (in_margin or len(key) <= 2)
                    or _DIGITS.match(f.text.strip()) and (in_margin or at_edge)
                    or at_edge and len(f.text.strip()) <= 2):
                f.role = "furniture"
                discarded.append(f.text.strip())


# -- markers and ruby -----------------------------------------------------------------------------------

def _attach_small(frags: list[_Frag], body: float) -> None:
    """Raised small digits next to text become ``＊N`` markers inside it; tiny type sitting on a line is ruby."""
    text = [f for f in frags if f.role == "text"]
    rubies: dict[int, list[_Frag]] = defaultdict(list)
    hosts: dict[int, _Frag] = {}
    for small in text:
        if small.size >= 0.95 * body:
            continue
        host = next((f for f in text if f is not small and f.size > small.size * 1.15
                     and f.top - 1 <= small.bottom <= f.bottom - 0.15 * f.size
                     and f.x0 - small.size <= small.x0 <= f.x1 + small.size), None)
        if host and _DIGITS.match(small.text.strip()) and small.size >= 0.6 * body:
            _insert_marker(host, small)
            small.role = "marker"
            continue
        over = next((f for f in text if f is not small and f.size >= small.size * 1.6
                     and -0.5 * small.size <= f.top - small.bottom <= 0.5 * small.size
                     and f.x0 - small.size <= small.x0 and small.x1 <= f.x1 + small.size), None)
        if over is not None:
            small.role = "ruby"
            rubies[id(over)].append(small)
            hosts[id(over)] = over
    for key, host in hosts.items():
        groups: list[_Frag] = []
        for ruby in sorted(rubies[key], key=lambda r: r.x0):
            if groups and ruby.x0 - groups[-1].x1 < 0.6 * host.size:  # one word's ruby, split by the layout
                last = groups[-1]
                groups[-1] = _Frag(last.page, last.x0, ruby.x1, last.top, last.bottom, last.size, last.font,
                                   last.chars + ruby.chars, last.text.strip() + ruby.text.strip())
            else:
                groups.append(ruby)
        for ruby in reversed(groups):
            _insert_reading(host, ruby)


def _insert_reading(host: _Frag, ruby: _Frag) -> None:
    """Printed ruby becomes the printed reading ``base（かな）`` right after its base, which the reading stage
    shows over the base and never says twice. Ruby over kana, or of one kana, is left out as before."""
    kana = ruby.text.strip().translate(_HIRAGANA)
    if not re.fullmatch(r"[\u3041-\u309fー]{2,12}", kana):
        return
    def overlap(c: dict) -> float:
        return (min(c["x1"], ruby.x1) - max(c["x0"], ruby.x0)) / max(c["x1"] - c["x0"], 0.1)
    base = [i for i, c in enumerate(host.chars) if overlap(c) > 0.3]
    if not base or not all(_KANJI.fullmatch(host.chars[i]["text"]) for i in base) or len(base) > 8:
        return
    last = host.chars[base[-1]]
    host.chars.insert(base[-1] + 1, {"text": f"（{kana}）", "x0": last["x1"], "x1": last["x1"], "top": last["top"],
                                     "bottom": last["bottom"], "size": host.size, "fontname": host.font})
    host.text = _join_chars(host.chars)


def _insert_marker(host: _Frag, small: _Frag) -> None:
    at = next((i for i, c in enumerate(host.chars) if c["x0"] >= small.x0 - 0.5), len(host.chars))
    host.chars.insert(at, {"text": f"＊{int(small.text.strip().translate(_WIDE))}", "x0": small.x0,
                           "x1": small.x1, "top": small.top, "bottom": small.bottom, "size": host.size,
                           "fontname": host.font})
    host.text = _join_chars(host.chars)


_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
_HIRAGANA = str.maketrans({chr(c): chr(c - 0x60) for c in range(ord("ァ"), ord("ヶ") + 1)})
_KANJI = re.compile(r"[\u3400-\u9fff々〆ヶ]")


# -- reading order --------------------------------------------------------------------------------------

def _page_lines(frags: list[_Frag], body: float, heading_sizes: list[float], discarded: list[str],
                tag_levels: list[str], marks: dict[str, int]) -> list[Line]:
    content = [f for f in frags if f.role == "text"]
    if not content:
        return []

    body_frags = [f for f in content if abs(f.size - body) < 0.6]
    gutter = _gutter(body_frags)
    ordered = _order(content, gutter)
    foot = _foot_zone(body_frags, gutter)
    counts = Counter((round(f.size * 2), f.font) for f in content if "。" in f.text and f.size >= 0.8 * body)
    prose_types = {key for key, n in counts.items() if n >= 2}
    faces = Counter(b.font for b in body_frags)
    body_face = faces.most_common(1)[0][0] if faces else None
    lines: list[Line] = []
    figure = False
    previous: _Frag | None = None
    for f in ordered:
        text = f.text.strip()
        column = _column(f, gutter)
        in_foot = f.size <= 0.85 * body and f.top >= foot.get(column, foot.get("all", 1e9)) - 1
        if in_foot:
            m = _NOTE_START.match(text)
            lines.append(Line(m["rest"], "footnote", number=int(m["num"])) if m else Line(text, "footnote"))
            previous = f
            continue
        size = round(f.size * 2) / 2
        if f.tag in tag_levels and _heading_like(text):
            # NOTE: the author's tag tree says heading; its level orders it ("H" alone sorts first)
            lines.append(Line(text, "heading", rank=tag_levels.index(f.tag), style=f"tag:{f.tag}"))
            figure, previous = False, f
            continue
        mark = marks.get(_mark_key(text))
        if mark is not None and not tag_levels and size not in heading_sizes and _heading_like(text):
            # NOTE: a bookmarked line in body type: the outline says heading, and its depth
            lines.append(Line(text, "heading", rank=mark, style=f"bookmark:{mark}"))
            figure, previous = False, f
            continue
        if (not tag_levels and f.size >= body + 1.0 and size in heading_sizes and _heading_like(text) and not _FIGURE_START.match(text)
                and (not figure or match_heading(text))):
            lines.append(Line(text, "heading", rank=heading_sizes.index(size), style=f"pdf:{size}"))
            figure, previous = False, f
            continue
        if _FIGURE_START.match(text) and f.size >= 0.85 * body:
            lines.append(Line(text, "figure"))
            figure, previous = True, f
            continue
        # NOTE: a boxed column set in its own type is read: a type in which this page prints sentences is prose
        prose = (round(f.size * 2), f.font) in prose_types
        if not prose and (abs(f.size - body) >= 0.6 or figure and f.font != body_face):
            discarded.append(text)  # NOTE: a chart's labels, a figure's source line, a table's cells
            continue
        figure = False
        lines.append(Line(text, "body", joins=_joins(previous, f, body)))
        previous = f
    return lines


def _joins(previous: _Frag | None, f: _Frag, body: float) -> bool:
    """A body line continues the paragraph unless the line before ended one (a sentence end on a short line) or
    this one is indented."""
    if previous is None:
        return True
    if abs(previous.size - f.size) >= 0.4 or previous.font != f.font:
        return False  # NOTE: a change of type is a change of block (a ● lead-in in Gothic, a quotation)
    ended = previous.text.rstrip().endswith("。")
    short = previous.x1 < (previous.column_right or previous.x1) - 1.5 * body
    return not (ended and short)


def _merge_heading_pieces(frags: list[_Frag], body: float) -> None:
    """``第１節`` and ``ＡＩとは`` set apart on one baseline are one heading."""
    _join_on_baseline([f for f in frags if f.size >= body + 1.0], lambda a: True)


def _join_on_baseline(frags: list[_Frag], starts) -> None:
    """Join each fragment that ``starts`` a line to the nearest one after it on the same baseline."""
    for a in sorted(frags, key=lambda f: -f.x0):
        if a.role != "text" or not starts(a):
            continue
        after = [b for b in frags if b is not a and b.role == "text" and abs(a.size - b.size) < 0.6
                 and abs(a.bottom - b.bottom) < 0.4 * a.size and 0 <= b.x0 - a.x1 < 4 * a.size]
        if after:
            b = min(after, key=lambda f: f.x0)
            b.text = a.text.rstrip() + "\u3000" + b.text.lstrip()
            b.x0, b.chars = a.x0, a.chars + b.chars
            a.role = "merged"


def _merge_note_numbers(frags: list[_Frag], body: float) -> None:
    """A footnote's number set apart from its text (``1␣␣McCarthy``) starts that text."""
    _join_on_baseline([f for f in frags if f.size <= 0.85 * body], lambda a: bool(_DIGITS.match(a.text.strip())))


def _gutter(body_frags: list[_Frag]) -> float | None:
    """The x where a second column starts, when enough body lines start there."""
    if len(body_frags) < 6:
        return None
    left = min(f.x0 for f in body_frags)
    right = max(f.x1 for f in body_frags)
    middle = [f.x0 for f in body_frags if left + 0.3 * (right - left) < f.x0 < left + 0.7 * (right - left)]
    if len(middle) < max(3, 0.2 * len(body_frags)):
        return None
    starts = Counter(round(x) for x in middle)
    return float(starts.most_common(1)[0][0]) - 1.0


def _column(f: _Frag, gutter: float | None) -> str:
    if gutter is None:
        return "all"
    if f.x1 <= gutter + 2:
        return "left"
    if f.x0 >= gutter - 2:
        return "right"
    return "span"


def _foot_zone(body_frags: list[_Frag], gutter: float | None) -> dict[str, float]:
    """Where each column's body ends: small type below that is the column's footnotes."""
    zone: dict[str, float] = {}
    for f in body_frags:
        column = _column(f, gutter)
        zone[column] = max(zone.get(column, 0.0), f.bottom)
    if gutter is not None and "span" in zone:
        for column in ("left", "right"):
            zone[column] = max(zone.get(column, 0.0), zone["span"])
    zone["all"] = max(zone.values()) if zone else 1e9
    return zone


def _order(frags: list[_Frag], gutter: float | None) -> list[_Frag]:
    """Top to bottom in bands; inside a band, the left column, then the right."""
    frags = sorted(frags, key=lambda f: (f.top, f.x0))
    if gutter is None:
        return _rows(frags)
    out: list[_Frag] = []
    band: list[_Frag] = []
    reach = -1e9

    def close():
        left = [f for f in band if _column(f, gutter) == "left"]
        right = [f for f in band if _column(f, gutter) == "right"]
        for f in left:
            f.column_right = gutter
        for f in right:
            f.column_right = max(g.x1 for g in right)
        out.extend(_rows(left) + _rows(right))

    for f in frags:
        column = _column(f, gutter)
        if column == "span" or f.top > reach + 0.9 * f.size:
            close()
            band = []
        if column == "span":
            f.column_right = f.x1
            out.append(f)
            reach = f.bottom
            continue
        band.append(f)
        reach = max(reach, f.bottom)
    close()
    return out


def _rows(frags: list[_Frag]) -> list[_Frag]:
    return sorted(frags, key=lambda f: (round(f.bottom / 3), f.x0))
