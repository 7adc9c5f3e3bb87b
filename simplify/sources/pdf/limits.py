"""What a PDF may cost to read (pages, characters, seconds, memory, structure elements), the PDF error type, and
the children that read a PDF under those limits."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from typing import Callable

from ...children import run_in_children
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


def children(limits: PdfLimits, work: int | None = None) -> int:
    """How many children read one PDF's pages at once: the setting, at most one a core (and one a piece of work)."""
    return max(1, min(limits.readers, os.cpu_count() or 1, work if work is not None else limits.readers))


def run_limited(work: Callable, shares: list[tuple], *, name: str, memory: int, seconds: float, child: str,
                preload: tuple[str, ...] = ()) -> list:
    """``work(*share)`` for each share in a child of its own, under ``memory`` bytes of address space and about
    ``seconds`` of CPU; the results in order. A PDF is untrusted: a decompression bomb or a pathological page ends
    a child with a clear error, never this process. A child's error is raised here as the PdfError it was; a child
    that died is a file too large to read, one that does not answer in time a file too slow."""
    results = run_in_children(_limited, [(work, share, name, memory, seconds) for share in shares], name=child,
                              receive=lambda connection: _receive(connection, name, seconds), preload=preload)
    for kind, payload in results:
        if kind == "error":
            message, code = payload
            raise PdfError(message, code=code)
    return [payload for _, payload in results]


def _receive(connection, name: str, seconds: float):
    if not connection.poll(seconds + 30):
        raise PdfError(f"{name}: PDF の読み取りが時間内に終わりません。ページを分けてお試しください。", code="too_slow")
    try:
        return connection.recv()
    except EOFError:
        raise PdfError(f"{name}: PDF を読む途中で読み取りが止まりました（展開するとメモリーが足りないか、"
                       "時間がかかりすぎます）。", code="too_large") from None


def _limited(work: Callable, share: tuple, name: str, memory: int, seconds: float, send) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:
        result = ("ok", work(*share))
    except PdfError as error:
        result = ("error", (str(error), error.code))
    except (MemoryError, RecursionError) as error:
        result = ("error", (f"{name}: PDF を展開するとメモリーが足りません（{memory >> 20} MB まで）。"
                            "圧縮された中身が大きすぎるか、壊れた PDF です。", "too_large")
                  if isinstance(error, MemoryError) else (f"{name}: PDF の構造が深すぎます（壊れた PDF です）。", "bad_pdf"))
    send.send(result)
    send.close()
