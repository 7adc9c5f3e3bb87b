"""Benchmark: readings and accent against hand annotation — yomiage beside bare pyopenjtalk, same sentences.

The JSUT BASIC5000 sentences 1–2500 with hand-annotated kana and prosody (``tests/data/readings``, CC-BY-SA 4.0;
see its README), split into a development part (1–2000) and a held-out part (2001–2500) nobody tunes on. For each
reader: sentences whose kana is right (folded: long vowels, いう/ゆう, づ/ず), the kana error rate (edits over annotated
kana), and where the phonemes agree, accent-phrase boundary and accent-nucleus F1 and whole prosody right (see
``tests/readings_eval.py`` for the definitions). Run: ``.venv/bin/python bench/readings_accuracy.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.readings_eval import Scores, bare, load, score, split, yomiage  # noqa: E402


def main() -> None:
    development, held_out = split(load())
    print(f"{'part':9s} {'reader':8s} {'sentences':>9s} {'right':>7s} {'kana err':>8s} {'compared':>8s} "
          f"{'phrase F1':>9s} {'nucleus F1':>10s} {'prosody':>7s} {'s':>5s}")
    for part, items in (("dev", development), ("held-out", held_out)):
        for name, reader in (("bare", bare), ("yomiage", yomiage)):
            started = time.perf_counter()
            s = score(items, reader)
            print(f"{part:9s} {name:8s} {s.sentences:9d} {s.accuracy:7.1%} {s.kana_error_rate:8.2%} {s.compared:8d} "
                  f"{Scores.f1(s.boundaries):9.3f} {Scores.f1(s.nuclei):10.3f} {s.prosody_right / s.compared:7.1%} "
                  f"{time.perf_counter() - started:5.1f}")


if __name__ == "__main__":
    main()
