"""Benchmark: segmentation speed of every kind of input, per character, against the embedded default.

Measures (medians over rounds, one core, in one process): the default's raw text; a whole white paper's worth of
text edition (the corpus text edition repeated to about the 714 KB of the 令和5年版 edition); each corpus PDF per
page; and the old worst case of 20,000 and 40,000 numbered headings. Ratios are seconds per character against the
default measured in the same run. Run: ``.venv/bin/python bench/segment.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from importlib import resources
from pathlib import Path

from simplify.documents import DEFAULT_ID
from simplify.model import Source
from simplify.sources import bytes_to_document

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus"


def timed(data: bytes, name: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        bytes_to_document(data, name, doc_id="bench", source=Source(file=name))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    default = (resources.files("simplify") / "data" / f"{DEFAULT_ID}.txt").read_bytes()
    base = timed(default, "default.txt", args.rounds)
    base_chars = len(default.decode("utf-8"))
    per_char = base / base_chars
    print(f"default raw text: {base_chars:,} chars, {base * 1000:.1f} ms ({per_char * 1e6:.2f} µs/char)")

    edition = (CORPUS / "ict-r5-2-5-6.txt").read_bytes()
    whole = b"\n".join([edition] * max(1, 714_000 // len(edition)))
    seconds = timed(whole, "edition.txt", max(1, args.rounds // 2))
    chars = len(whole.decode("utf-8"))
    print(f"text edition x{len(whole) // len(edition)} ({len(whole) / 1000:.0f} KB, {chars:,} chars): {seconds:.2f} s, "
          f"{seconds / chars / per_char:.2f}x the default per char")

    for pdf in sorted(CORPUS.glob("*.pdf")):
        import pdfplumber

        with pdfplumber.open(pdf) as opened:
            pages = len(opened.pages)
            chars = sum(len(page.chars) for page in opened.pages)
        seconds = timed(pdf.read_bytes(), pdf.name, max(1, args.rounds // 2))
        print(f"{pdf.name}: {pages} pages, {chars:,} chars, {seconds:.2f} s ({seconds / pages:.3f} s/page, "
              f"100 pages ≈ {100 * seconds / pages:.0f} s; {seconds / chars / per_char:.0f}x the default per char)")

    for count in (20_000, 40_000):
        text = ("第1節 見出し\n" + "".join(" 1 見出し\n本文です。\n" for _ in range(count))).encode()
        seconds = timed(text, "headings.txt", 1)
        print(f"{count:,} numbered headings: {seconds:.2f} s")


if __name__ == "__main__":
    main()
