"""What a PDF may cost to read (pages, characters, seconds, memory, structure elements), and the PDF error type."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InputError


class PdfError(InputError):
    code = "bad_pdf"


@dataclass(frozen=True)
class PdfLimits:
    """The ceilings one PDF is read under. They travel with the call (into every child process), so a test or
    a setting lowers them for one reading without touching anyone else's."""

    pages: int = 400
    chars_per_page: int = 60_000
    seconds: float = 120.0
    memory: int = 2 << 30  # bytes of address space for each child that reads the file
    readers: int = 4  # children that read one PDF's pages at once (at most one per core)
    elements: int = 300_000  # structure elements of a tagged PDF's logical tree
    depth: int = 200  # nesting of that tree
    shapes_per_page: int = 5_000  # rectangles, lines and curves a page may draw and still be searched for tables
    ocr_pages: int = 200  # pages without a text layer (scans) read by OCR in one file
    ocr_seconds: float = 60.0  # for one scanned page (about 3 s at 300 dpi on one core)
    ocr_pixels: int = 40_000_000  # a scanned page is rendered at 300 dpi or less, within this many pixels (A4: 8.7 M)


DEFAULT_LIMITS = PdfLimits()
