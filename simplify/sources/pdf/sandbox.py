"""Reading an untrusted PDF in child processes: each page's characters, the outline, the title, the tag tree.

A PDF is untrusted: it is read in children with a memory ceiling and a CPU-time limit, so a decompression bomb
or a pathological page ends a child with a clear error, never this process. With more than one core the pages
are shared among several children (page k to child k mod n): pdfminer reads content streams in pure Python, so
a 100-page white paper takes half the time on two cores. Only plain data comes back.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, replace
from typing import Callable

from ...textio import fold_forms
from .limits import PdfError, PdfLimits, children, run_limited
from .marked import read_marked
from .ocr import OcrPage, read_scanned, snap_sizes
from .tree import Element, read_tree

# NOTE: pdfplumber and pdfminer (≈ 0.1 s) are imported only in the sandboxed children that read a PDF.

# NOTE: only what the readers need: plain values that cross a process boundary cheaply
_KEEP = ("text", "x0", "x1", "top", "bottom", "size", "fontname", "mcid", "tag")


@dataclass(frozen=True)
class RawPage:
    number: int
    chars: tuple[dict, ...]  # upright characters in drawing order, spaces included
    box: tuple[float, float, float, float]
    vertical: int  # characters that are not upright (縦書き, or a chart's rotated labels)
    rotated: str = ""  # those characters' text, in drawing order
    boxes: tuple[tuple[float, float, float, float, str], ...] = ()  # rectangles drawn, and cells that rules enclose
    images: int = 0  # images drawn on the page
    ocr: float | None = None  # a scanned page read by OCR: Tesseract's mean confidence (0–100)
    ocr_dropped: tuple[str, ...] = ()  # lines OCR was unsure of, left out


@dataclass(frozen=True)
class RawPdf:
    pages: tuple[RawPage, ...]
    bookmarks: dict[str, int]  # an outline entry's text -> its depth (0 = top)
    title: str | None
    tree: Element | None  # the logical structure, for a tagged PDF
    suspects: bool  # MarkInfo says the tags may be wrong


@dataclass(frozen=True)
class _Part:
    count: int
    pages: tuple[RawPage, ...]
    bookmarks: dict
    title: str | None
    tree: Element | None
    suspects: bool

    def with_pages(self, pages) -> RawPdf:
        """The file's outline, title and tree (read by the first child) with ``pages``."""
        return RawPdf(tuple(pages), self.bookmarks, self.title, self.tree, self.suspects)


# NOTE: a long PDF uploaded is first read this many pages a reader and shown before the rest: a listener starts on
# its first sections in about a second instead of waiting for pdfminer to read 100 pages
PREVIEW_PAGES = 4


def read_pdf(data: bytes, name: str, limits: PdfLimits, on_preview: Callable[[RawPdf, int], None] | None = None
             ) -> RawPdf:
    """Every page's characters and box, the outline, title and tag tree, read in sandboxed children.

    ``on_preview`` hears of a long file's first pages before the rest is read (with the number of pages in all): the
    first ``PREVIEW_PAGES`` a reader of a text PDF, or, in a scan, the pages up to the first scanned page OCR has not
    read yet; so a listener can start while the rest is read."""
    count = children(limits)
    first = None if on_preview is None else PREVIEW_PAGES * count
    parts = _read_parts(data, name, limits, count, 0, first)
    meta = parts[0]
    pages = [page for part in parts for page in part.pages]
    if first is not None and meta.count > first:
        shown = _before_scans(sorted(pages, key=lambda p: p.number))
        if shown:
            on_preview(meta.with_pages(shown), meta.count)
        rest = _read_parts(data, name, limits, children(limits, meta.count - first), first, meta.count)
        pages += [page for part in rest for page in part.pages]
    pages.sort(key=lambda p: p.number)
    scanned = [p.number for p in pages if _scanned(p)]
    if scanned:
        pages = _read_scanned(data, name, limits, pages, scanned, None if on_preview is None else
                              lambda read, upto: on_preview(meta.with_pages(read[:upto]), len(pages)))
    return meta.with_pages(pages)


def _read_parts(data: bytes, name: str, limits: PdfLimits, count: int, start: int, stop: int | None) -> list[_Part]:
    """Pages ``start`` to ``stop`` (the end when None) shared among ``count`` children: page k to child k mod n; the
    first child also reads the outline, title and tag tree when ``start`` is 0."""
    return run_limited(_read_part, [(data, name, limits, part, count, start, stop) for part in range(count)],
                       name=name, memory=limits.memory, seconds=limits.seconds, child="yomiage-pdf",
                       preload=(__name__,))


def _scanned(page: RawPage) -> bool:
    return bool(page.images) and not any(c["text"].strip() for c in page.chars)


def _before_scans(pages: list[RawPage]) -> list[RawPage]:
    """The text pages before the first page OCR has to read: a scan shows its own first pages once they are read."""
    upto = next((i for i, page in enumerate(pages) if _scanned(page)), len(pages))
    return pages[:upto]


def _read_scanned(data: bytes, name: str, limits: PdfLimits, pages: list[RawPage], scanned: list[int],
                  on_preview: Callable[[list[RawPage], int], None] | None = None) -> list[RawPage]:
    """The pages that are only images, their characters read by OCR; their sizes snapped to one set of classes.
    With ``on_preview``, a scan longer than one page a child reads its first pages first (one a child) and shows
    them (sizes snapped among themselves) before the rest."""
    first = children(limits)
    batches = [scanned[:first], scanned[first:]] if on_preview is not None and len(scanned) > first else [scanned]
    read: dict[int, OcrPage] = {}
    for batch in batches:
        read.update((page.number, page) for page in read_scanned(data, name, batch, limits, total=len(scanned)))
        if batch is not batches[-1]:
            shown = {n: replace(page, chars=tuple(dict(c) for c in page.chars)) for n, page in read.items()}
            snap_sizes([page.chars for page in shown.values()])
            on_preview(_with_ocr(pages, shown), batches[-1][0])
    snap_sizes([page.chars for page in read.values()])
    return _with_ocr(pages, read)


def _with_ocr(pages: list[RawPage], read: dict) -> list[RawPage]:
    return [replace(page, chars=read[page.number].chars, ocr=read[page.number].confidence,
                    ocr_dropped=read[page.number].dropped, boxes=read[page.number].boxes)
            if page.number in read else page for page in pages]


def _read_part(data: bytes, name: str, limits: PdfLimits, part: int, count: int, start: int, stop: int | None
               ) -> _Part:
    pdf = _open(data, name, limits)
    try:
        end = len(pdf.pages) if stop is None else min(stop, len(pdf.pages))
        pages = _pages(pdf, name, limits, range(start + part, end, count))
        if part or start:
            return _Part(len(pdf.pages), pages, {}, None, None, False)
        bookmarks = _bookmarks(pdf)
        tree, suspects = _tree(pdf, name, limits)
        return _Part(len(pdf.pages), pages, bookmarks, _title(pdf, bookmarks), tree, suspects)
    finally:
        pdf.close()


def _open(data: bytes, name: str, limits: PdfLimits):
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
    if count > limits.pages:
        pdf.close()
        raise PdfError(f"{name}: ページが多すぎます（{count} ページ）。{limits.pages} ページ以下に分けてください。",
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
    """The PDF's outline (bookmarks): each entry's text, spaces folded, and its depth (0 = top)."""
    marks: dict[str, int] = {}
    try:
        entries = [(level, " ".join(text.split())) for level, text, *_ in pdf.doc.get_outlines() if text and text.strip()]
    except Exception:  # NOTE: no outline, or a damaged one: type size and numbering tell
        return marks
    top = min((level for level, _ in entries), default=0)
    for level, text in entries:
        marks.setdefault(text, level - top)
    return marks


def _tree(pdf, name: str, limits: PdfLimits) -> tuple[Element | None, bool]:
    from pdfminer.pdftypes import resolve1

    catalog = pdf.doc.catalog or {}
    info = resolve1(catalog.get("MarkInfo"))
    suspects = bool(isinstance(info, dict) and resolve1(info.get("Suspects")) is True)
    if "StructTreeRoot" not in catalog:
        return None, suspects
    page_ids = {page.page_obj.pageid: i for i, page in enumerate(pdf.pages)}
    try:
        return read_tree(pdf.doc, page_ids, limits, name), suspects
    except (PdfError, MemoryError, RecursionError):
        raise
    except Exception:  # NOTE: a damaged tree is no tree: the layout reader reads every page
        return None, suspects


def _boxes(page, limits: PdfLimits) -> tuple[tuple[float, float, float, float, str], ...]:
    """The rectangles a page draws (with their fill colour) and the cells its ruling lines enclose: what a table
    is made of. A page drawn from more shapes than ``limits.shapes_per_page`` (a map) gives none."""
    from pdfplumber.table import TableFinder

    if len(page.rects) + len(page.lines) + len(page.curves) > limits.shapes_per_page:
        return ()
    left, top, right, bottom = page.bbox
    out = [(r["x0"], r["top"], r["x1"], r["bottom"], repr(r.get("non_stroking_color")) if r.get("fill") else "")
           for r in page.rects]
    out += [(*cell, "") for cell in TableFinder(page.within_bbox(page.bbox)).cells]
    return tuple((round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1), fill) for x0, y0, x1, y1, fill in out
                 if x0 >= left - 1 and x1 <= right + 1 and y0 >= top - 1 and y1 <= bottom + 1)


def _pages(pdf, name: str, limits: PdfLimits, numbers: range) -> tuple[RawPage, ...]:
    started = time.monotonic()
    pages = []
    try:
        for number in numbers:
            if time.monotonic() - started > limits.seconds:
                raise PdfError(f"{name}: PDF の読み取りが時間内に終わりません（{number} ページまで）。"
                               "ページを分けてお試しください。", code="too_slow")
            page = pdf.pages[number]
            read_marked(page)
            chars = page.chars
            if len(chars) > limits.chars_per_page:
                raise PdfError(f"{name}: {number + 1} ページの文字が多すぎます（{len(chars):,} 字）。",
                               code="too_large")
            upright = tuple({**{k: c[k] for k in _KEEP if k in c}, "text": fold_forms(c["text"])}
                            for c in chars if c.get("upright", True))
            rotated = "".join(c["text"] for c in chars if not c.get("upright", True) and c["text"].strip())
            pages.append(RawPage(number, upright, tuple(page.bbox), len(rotated), rotated, _boxes(page, limits),
                                 len(page.images)))
            page.flush_cache()
    except (PdfError, MemoryError):
        raise
    except Exception as error:
        if _out_of_memory(error):
            raise MemoryError from None
        raise PdfError(f"{name}: PDF が壊れているため読めません（{type(error).__name__}）。") from None
    return tuple(pages)
