"""Benchmark: analysing the whole default document (tokens + spoken script for every sentence, title and
footnote) against a bare ``pyopenjtalk.run_frontend`` loop over the same texts, in the same process.

Prints medians over rounds and the ratio (target: <= 1.3x, cached lexicon compile included).
Run: ``.venv/bin/python bench/reading.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyopenjtalk

from simplify import lexicon as lexicon_module
from simplify.documents import default_document
from simplify.reading import text_to_reading


def texts_of(document) -> list[str]:
    out = []
    for section in document.walk():
        out.append(section.title)
        out += [s.text for s in section.sentences()]
        out += [f.text for f in section.footnotes]
    return [t for t in out if t.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    texts = texts_of(default_document())
    chars = sum(len(t) for t in texts)

    start = time.perf_counter()
    lexicon_module.ensure_applied()  # compiled dictionary from the cache, applied to the engine
    lexicon_cost = time.perf_counter() - start
    text_to_reading("準備")  # warm up lazy loads (Sudachi) for both sides

    bare, ours = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for text in texts:
            pyopenjtalk.run_frontend(text)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        for text in texts:
            text_to_reading(text)
        ours.append(time.perf_counter() - start)

    b, o = statistics.median(bare), statistics.median(ours)
    print(f"texts: {len(texts)}  characters: {chars}")
    print(f"bare run_frontend loop   median {b * 1000:8.1f} ms")
    print(f"text_to_reading          median {o * 1000:8.1f} ms   (+ lexicon load {lexicon_cost * 1000:.1f} ms)")
    print(f"ratio                    {o / b:.2f}x   with lexicon load {(o + lexicon_cost) / b:.2f}x   (target <= 1.30x)")
    _places(args.rounds)


def _places(rounds: int) -> None:
    """The place-name table of a long text that names 400 municipalities (the default ×30 with their names), against
    the bare run_frontend loop over the same names: what a document's place names add to its analysis."""
    from simplify.places import gazetteer, place_readings

    started = time.perf_counter()
    table = gazetteer()
    load = time.perf_counter() - started
    names = [n for n, where in table.municipalities.items() if len(where) == 1][:400]
    text = ("、".join(names) + "。") * 3 + "\n".join(texts_of(default_document())) * 30
    made, bare = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        place_readings([text])
        made.append(time.perf_counter() - start)
        start = time.perf_counter()
        for name in names:
            pyopenjtalk.run_frontend(name)
        bare.append(time.perf_counter() - start)
    m, b = statistics.median(made), statistics.median(bare)
    print(f"place table, {len(text):,} characters naming {len(names)} municipalities: median {m * 1000:.0f} ms "
          f"({m / b:.1f}x a bare run_frontend over the names; gazetteer load {load * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
