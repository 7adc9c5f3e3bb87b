"""Benchmark: pages per second of the PDF readers against pdfplumber's bare ``extract_text`` over the same pages.

For each corpus PDF: the tagged path (structure tree, as published), the untagged path (the same file with its
structure tree and MarkInfo stripped: the layout reader alone), and, as the baseline, pdfplumber opening the file
and calling ``extract_text`` on every page in this process (what a plain extractor costs; it interleaves the
columns). The readers run as the service runs them (sandboxed children, one per core up to four) and with one
child, so the ratio shows what the structure costs apart from the sharing. Medians of rounds; ratios are against
the baseline measured in the same run. Run: ``.venv/bin/python bench/pdf.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simplify.sources.pdf import DEFAULT_LIMITS, PdfLimits, pdf_to_lines  # noqa: E402
from tests.pdf_builder import untagged  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"


def _median(work, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _bare(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'file':20s} {'path':28s} {'pages/s':>8s} {'× bare':>7s}")
    for path in sorted(CORPUS.glob("*.pdf")):
        tagged = path.read_bytes()
        plain = untagged(tagged)
        pages = len(pdf_to_lines(tagged, path.name).pages)
        bare = _median(lambda: _bare(tagged), args.rounds)
        rows = [("pdfplumber extract_text", bare)]
        for label, data in (("tagged", tagged), ("untagged", plain)):
            for readers in (1, DEFAULT_LIMITS.readers):
                limits = PdfLimits(readers=readers)
                seconds = _median(lambda: pdf_to_lines(data, path.name, limits), args.rounds)
                rows.append((f"{label}, {'one child' if readers == 1 else 'shared children'}", seconds))
        for label, seconds in rows:
            print(f"{path.name:20s} {label:28s} {pages / seconds:8.1f} {bare / seconds:7.2f}")


if __name__ == "__main__":
    main()
