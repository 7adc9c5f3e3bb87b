"""Benchmark: building the whole default document, against a bare ``pyopenjtalk.tts`` loop in the same run.

Measures (all on this machine; medians over rounds that interleave the variants, so drift hits them alike):
  1. bare loop: ``pyopenjtalk.tts`` over every utterance of the document, one process, one thread;
  2. ``yomiage build --jobs 1`` and ``--jobs N`` (N = cores), cold cache, each in a fresh process:
     audio seconds per wall second, the ratio to the bare loop, overhead per core, peak memory (max RSS);
  3. time to the first audio chunk of the longest section when streamed cold, against synthesising it whole.
Run: ``.venv/bin/python bench/build.py [--rounds 3]`` (about 7 minutes a round on 2 cores).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = r"""
import json, sys, time
import pyopenjtalk
texts = json.load(open(sys.argv[1], encoding="utf-8"))
pyopenjtalk.tts("準備")
start = time.perf_counter(); seconds = 0.0
for text in texts:
    wave, sr = pyopenjtalk.tts(text)
    seconds += len(wave) / sr
print(json.dumps({"wall": time.perf_counter() - start, "audio": seconds}))
"""


def utterance_texts() -> list[str]:
    from service.speech.utterances import section_to_utterances
    from service.speech.voices import get_voice
    from simplify.documents import default_document

    voice = get_voice("mei")
    return [u.text for s in default_document().walk() for u in section_to_utterances(s, voice)]


def run_build(jobs: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="yomiage-bench-"))
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "build", "--jobs", str(jobs), "--output", str(out), "--quiet"],
        stderr=subprocess.DEVNULL, env={**os.environ, "YOMIAGE_CACHE_DIR": str(out / "lex")})
    # NOTE: wait4 gives this child's own peak memory; RUSAGE_CHILDREN would give the largest child so far
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"yomiage build --jobs {jobs} failed ({process.returncode})")
    manifest = json.loads(next(out.glob("*/mei/manifest.json")).read_text(encoding="utf-8"))
    shutil.rmtree(out)
    return {"wall": wall, "audio": sum(t["duration"] for t in manifest["tracks"]),
            "cpu": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024}


def first_chunk() -> dict:
    from service.products.build import BuildOptions
    from service.products.layout import Layout
    from service.speech.utterances import Synthesizer
    from service.products.streaming import stream_section_mp3, streaming_gain_db
    from service.speech.voices import get_voice
    from simplify.documents import load_document

    document = load_document(None, readings=True)
    sections = list(document.walk())
    index = max(range(len(sections)), key=lambda i: sum(len(x.text) for x in sections[i].sentences()))
    voice = get_voice("mei")
    results = {"section": sections[index].id}
    for label in ("stream", "whole"):
        out = Path(tempfile.mkdtemp(prefix="yomiage-bench-"))
        options = BuildOptions(output=out)
        synth = Synthesizer(voice, Layout(out).utterances())
        streaming_gain_db(voice, options.target_lufs, synth)
        start = time.perf_counter()
        if label == "stream":
            size = 0
            for chunk in stream_section_mp3(document, sections[index], voice, options, synth):
                size += len(chunk)
                if size > voice.lead_in * 8000 + 2000 and "first" not in results:
                    results["first"] = time.perf_counter() - start
            results["stream_total"] = time.perf_counter() - start
        else:
            from service.products.build import build_section

            build_section(document, sections[index], voice, options, synth)
            results["whole"] = time.perf_counter() - start
        shutil.rmtree(out)
    return results


def _median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (its other figures come with it)."""
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    cores = os.cpu_count() or 1
    texts = utterance_texts()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False)
    runs: dict[str, list[dict]] = {"bare": [], "one": [], "many": []}
    for _ in range(rounds):
        runs["bare"].append(json.loads(subprocess.run([sys.executable, "-c", BARE, f.name], check=True,
                                                      capture_output=True, text=True).stdout))
        runs["one"].append(run_build(1))
        runs["many"].append(run_build(cores))
    os.unlink(f.name)
    bare, one, many = (_median_run(runs[k]) for k in ("bare", "one", "many"))
    for key, label in (("bare", "bare loop"), ("one", "--jobs 1"), ("many", f"--jobs {cores}")):
        print(f"{label:10} walls: " + "  ".join(f"{r['wall']:.1f}" for r in runs[key]) + " s")
    speed = lambda r: r["audio"] / r["wall"]  # noqa: E731
    print(f"utterances: {len(texts)}   audio: {bare['audio'] / 60:.1f} min   cores: {cores}   rounds: {rounds} (medians)")
    print(f"bare pyopenjtalk.tts loop     {bare['wall']:7.1f} s wall   {speed(bare):6.1f} audio s / wall s")
    print(f"yomiage build --jobs 1        {one['wall']:7.1f} s wall   {speed(one):6.1f} audio s / wall s   "
          f"ratio {speed(one) / speed(bare):.2f}x   overhead {one['wall'] / bare['wall'] - 1:+.1%}   max RSS {one['max_rss_mb']:.0f} MB")
    print(f"yomiage build --jobs {cores}        {many['wall']:7.1f} s wall   {speed(many):6.1f} audio s / wall s   "
          f"ratio {speed(many) / speed(bare):.2f}x   per-core overhead {many['cpu'] / bare['wall'] - 1:+.1%}   "
          f"max RSS {many['max_rss_mb']:.0f} MB")
    chunk = first_chunk()
    print(f"longest section {chunk['section']}: first speech chunk after {chunk['first'] * 1000:.0f} ms, "
          f"whole stream {chunk['stream_total']:.1f} s, building it whole {chunk['whole']:.1f} s "
          f"(first chunk = {chunk['first'] / chunk['whole']:.1%} of the whole)")


if __name__ == "__main__":
    main()
