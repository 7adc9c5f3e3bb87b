"""Benchmark: how well scanned pages are read — OCR character accuracy against the text layer, and pages per second.

Each corpus PDF's pages are rendered to grey images at 300 dpi (pypdfium2, the renderer pdfplumber ships with)
and made an image-only PDF, which is read two ways:
- **raw**: Tesseract's own page text (the model yomiage uses: ``Japanese``, or ``YOMIAGE_OCR_MODEL``; automatic page
  segmentation, one thread), as a plain OCR step gives it;
- **yomiage**: the upload path's reader (``pdf_to_lines``: OCR in sandboxed children, the layout reader, the
  clean-up), every line and table cell it reads.
The reference is the text layer, printed line by printed line: the runs of characters on one baseline within a
column (the fragments the layout reader starts from) that yomiage reads from the original (so a chart's labels,
running heads and page numbers are not counted). Each is found in the reading under test (its best-matching
span) and their edit distance counted: character accuracy = 1 − edits / characters, over NFKC text without
spaces (the text layer sets ＡＩ full width, OCR gives AI). Lines compare whatever order a reader put them in;
the order is what the PDF tests check. Printed too, for each file: how soon its first pages were handed over as a
document of their own (what an upload serves while OCR reads the rest) against the whole.

Run: ``.venv/bin/python bench/ocr.py [--pages N]`` (``YOMIAGE_OCR_MODEL=jpn`` for the language model alone).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simplify.sources.pdf import DEFAULT_LIMITS, pdf_to_lines  # noqa: E402
from simplify.sources.pdf.chars import chars_to_fragments  # noqa: E402
from simplify.sources.pdf.ocr import DEFAULT_MODEL, tessdata  # noqa: E402
from tests.pdf_builder import scanned  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _read(data: bytes, name: str, on_preview=None) -> str:
    """What yomiage reads of a PDF: its lines and table cells, folded, in reading order."""
    read = pdf_to_lines(data, name, DEFAULT_LIMITS, on_preview)
    return "".join(_plain(line.text) + "".join(_plain(c.text) for row in line.cells for c in row)
                   for line in read.lines)


def _printed_lines(data: bytes, read: str) -> list[list[str]]:
    """Each page's printed lines (fragments of six characters or more) that yomiage reads from the text layer."""
    import pdfplumber
    from rapidfuzz import fuzz

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip() and c.get("upright", True)]
            texts = [_plain(f.text) for f in chars_to_fragments(page.page_number - 1, chars)]
            out.append([t for t in texts if len(t) >= 6 and fuzz.partial_ratio(t, read) >= 90])
    return out


def accuracy(reference: list[str], reading: str) -> tuple[int, int]:
    """(edits, characters) of the reference lines against their best spans in ``reading``."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    edits = chars = 0
    for sentence in reference:
        found = fuzz.partial_ratio_alignment(sentence, reading)
        span = reading[found.dest_start:found.dest_end] if found else ""
        edits += min(len(sentence), Levenshtein.distance(sentence, span))
        chars += len(sentence)
    return edits, chars


def _raw_pages(image_pdf: bytes) -> list[str]:
    import pypdfium2
    from tesserocr import PSM, PyTessBaseAPI

    document = pypdfium2.PdfDocument(image_pdf)
    out = []
    with PyTessBaseAPI(path=tessdata(), lang=os.environ.get("YOMIAGE_OCR_MODEL", DEFAULT_MODEL), psm=PSM.AUTO) as api:
        for page in document:
            api.SetImage(page.render(scale=300 / 72, grayscale=True).to_pil())
            api.SetSourceResolution(300)
            out.append(_plain(api.GetUTF8Text()))
    return out


def main() -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=0, help="the first N pages of each PDF (default: all)")
    args = parser.parse_args()
    from pypdf import PdfReader, PdfWriter

    print(f"{'page':22s} {'lines':>6s} {'raw':>7s} {'yomiage':>8s}")
    totals = {"raw": [0, 0], "yomiage": [0, 0]}
    per_page: dict[str, list[float]] = {"raw": [], "yomiage": []}
    pages_read, seconds = 0, 0.0
    previews = []  # (file, pages, seconds to its first pages, seconds to the whole)
    for path in sorted(CORPUS.glob("*.pdf")):
        data = path.read_bytes()
        if args.pages:
            writer = PdfWriter(clone_from=PdfReader(path))
            while len(writer.pages) > args.pages:
                writer.remove_page(len(writer.pages) - 1)
            buffer = io.BytesIO()
            writer.write(buffer)
            data = buffer.getvalue()
        reference = _printed_lines(data, _read(data, path.name))
        image = scanned(data)
        started = time.perf_counter()
        shown = []
        reading = _read(image, path.name, lambda text: shown.append(time.perf_counter() - started))
        seconds += time.perf_counter() - started
        previews.append((path.stem, len(reference), shown[0] if shown else None, time.perf_counter() - started))
        pages_read += len(reference)
        raw = _raw_pages(image)
        for number, lines in enumerate(reference):
            if not lines:
                continue
            row = []
            for label, text in (("raw", raw[number]), ("yomiage", reading)):
                edits, chars = accuracy(lines, text)
                totals[label][0] += edits
                totals[label][1] += chars
                per_page[label].append(1 - edits / chars)
                row.append(1 - edits / chars)
            print(f"{path.stem + f' p{number + 1}':22s} {len(lines):6d} {row[0]:7.1%} {row[1]:8.1%}")
    print()
    for label in ("raw", "yomiage"):
        edits, chars = totals[label]
        print(f"{label:8s} character accuracy {1 - edits / chars:.2%} over {chars} characters "
              f"(median page {statistics.median(per_page[label]):.2%}, worst {min(per_page[label]):.2%})")
    print(f"upload path (OCR in children, one per core, then the layout reader): {pages_read / seconds:.2f} pages/s "
          f"({seconds / pages_read:.1f} s a page)")
    for stem, pages, first, whole in previews:  # NOTE: what an upload serves while OCR reads the rest
        print(f"{stem}: its first pages served as a document {first:.1f} s after reading began, the whole "
              f"{pages} pages {whole:.1f} s ({first / whole:.2f}x)" if first is not None else
              f"{stem}: read in one go ({pages} pages, {whole:.1f} s)")


if __name__ == "__main__":
    main()
