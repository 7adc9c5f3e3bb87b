"""Benchmark: OpenJTalk's HTS voice (mei) against the natural voice (Kokoro-82M), in the same run.

For each voice, in a fresh process (so memory and the first call are what a worker sees):
- first speech: from a cold engine to the first clause's waveform (what a stream waits for), and warm;
- real-time factor on one core: CPU seconds per second of audio, over the first sentences of the default document;
- two threads: audio seconds per wall second with two synthesis threads (a build's ``--jobs 2``), against one;
- memory: the process's peak resident set, and what the voice added to a process that had analysed the text.
Medians of ``--rounds`` rounds (3), the voices interleaved. Run: ``.venv/bin/python bench/voices.py`` (~3 min).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VOICES = ("mei", "natural-f")


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def child(voice_id: str, sentences: int) -> dict:
    from service.speech.utterances import _clauses, features_to_script, reading_to_pieces, sample_rate, script_to_wave
    from service.speech.voices import get_voice
    from simplify.documents import default_document
    from simplify.reading import document_with_readings

    document = document_with_readings(default_document())
    readings = [s.reading for section in document.walk() for s in section.sentences()][:sentences]
    voice = get_voice(voice_id)
    scripts = [p.script for r in readings for p in reading_to_pieces(r, voice)]
    before = _rss_mb()
    sr = sample_rate(voice)

    start = time.perf_counter()
    first = features_to_script(_clauses(scripts[0].features)[0])
    script_to_wave(first, voice)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    script_to_wave(first, voice)
    warm = time.perf_counter() - start

    cpu, wall = time.process_time(), time.perf_counter()
    audio = sum(len(script_to_wave(s, voice)) for s in scripts) / sr
    one = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    wall = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        audio_two = sum(len(w) for w in pool.map(lambda s: script_to_wave(s, voice), scripts)) / sr
    two = time.perf_counter() - wall
    return {"voice": voice_id, "audio": audio, "rtf": one["cpu"] / audio, "one_thread": audio / one["wall"],
            "two_threads": audio_two / two, "cold": cold, "warm": warm, "rss_before": before,
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=8)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sentences)))
        return
    results: dict[str, list[dict]] = {v: [] for v in VOICES}
    for _ in range(args.rounds):
        for voice in VOICES:
            out = subprocess.run([sys.executable, __file__, "--child", voice, "--sentences", str(args.sentences)],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            results[voice].append(json.loads(out.stdout.strip().splitlines()[-1]))

    def median(voice: str, key: str) -> float:
        return statistics.median(r[key] for r in results[voice])

    hts, natural = VOICES
    print(f"{args.sentences} sentences of the default, {median(hts, 'audio'):.1f} s of audio with {hts}, "
          f"{median(natural, 'audio'):.1f} s with {natural}; medians of {args.rounds} rounds")
    rows = [("real-time factor, one core (CPU s per audio s)", "rtf", "{:.3f}"),
            ("audio s per wall s, one thread", "one_thread", "{:.2f}"),
            ("audio s per wall s, two threads", "two_threads", "{:.2f}"),
            ("first speech, cold engine (s)", "cold", "{:.2f}"),
            ("first speech, warm (s)", "warm", "{:.3f}"),
            ("peak memory of the process (MB)", "peak", "{:.0f}")]
    print(f"{'':50} {hts:>10} {natural:>10} {'ratio':>8}")
    for label, key, form in rows:
        a, b = median(hts, key), median(natural, key)
        print(f"{label:50} {form.format(a):>10} {form.format(b):>10} {b / a:>7.2f}×")
    for voice in VOICES:
        scaling = median(voice, "two_threads") / median(voice, "one_thread")
        added = median(voice, "peak") - median(voice, "rss_before")
        print(f"{voice}: two threads {scaling:.2f}× one thread; the voice added {added:.0f} MB to the process")


if __name__ == "__main__":
    main()
