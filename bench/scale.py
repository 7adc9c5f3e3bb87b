"""Benchmark: a real document built through Redis by 1 and then 2 `yomiage worker` processes, against a bare
single-process ``pyopenjtalk.tts`` loop over the same utterances in the same run.

Prints audio seconds per wall second for each, the ratio to the bare loop, the queue's overhead per track (the
1-worker build against the bare loop, shared over the tracks) and the peak memory of a worker (its largest process:
the worker or a work horse). Each worker build starts cold (new output folder, new synthesis cache). The document is
the 令和5年版 情報通信白書 text edition's section in tests/data/corpus (a part of the white paper).
Run: ``.venv/bin/python bench/scale.py [--rounds N]`` (about 5 minutes a round on 2 cores; needs redis-server).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOCUMENT = ROOT / "tests" / "data" / "corpus" / "ict-r5-2-5-6.txt"
BARE = (Path(__file__).parent / "build.py").read_text(encoding="utf-8").split('BARE = r"""', 1)[1].split('"""', 1)[0]


def utterances() -> list[str]:
    from service.products.build import track_plans
    from service.speech.utterances import section_to_utterances
    from service.speech.voices import get_voice
    from simplify.documents import path_to_document

    voice = get_voice("mei")
    document = path_to_document(DOCUMENT)
    return [u.text for p in track_plans(document)
            for u in section_to_utterances(p.section, voice, announce=p.announced)]


def bare(texts: list[str]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False)
    done = subprocess.run([sys.executable, "-c", BARE, f.name], capture_output=True, text=True, check=True)
    os.unlink(f.name)
    return json.loads(done.stdout)


def _memory_of_group(worker: int) -> tuple[int, int, int]:
    """Of a worker and its work horse (a child in a session of its own, so found by parent, not by group), the
    largest peak resident set (VmHWM), and now the largest private memory (what this process alone adds to the
    machine: its own pages, not the libraries and dictionaries mapped from files and shared by every worker) and
    proportional set (Pss: shared pages divided among their sharers); KiB."""
    hwm = private = pss = 0
    try:  # NOTE: the worker and its children only (scanning all of /proc would take CPU from the workers)
        with open(f"/proc/{worker}/task/{worker}/children") as children:
            family = [worker] + [int(pid) for pid in children.read().split()]
    except OSError:
        family = [worker]
    for entry in family:
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            hwm = max(hwm, int(fields["VmHWM"].split()[0]))
            with open(f"/proc/{entry}/smaps_rollup") as rollup:
                sizes = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in rollup if ":" in line)
                         if v.strip().endswith("kB")}
            private = max(private, sizes["Private_Clean"] + sizes["Private_Dirty"])
            pss = max(pss, sizes["Pss"])
        except (OSError, ValueError, KeyError):
            continue
    return hwm, private, pss


def _track_failed(url: str, job: str) -> bool:
    """Checked once a second at most: whether a track failed (then the join never runs)."""
    now = time.monotonic()
    if now - _track_failed.last < 1.0:
        return False
    _track_failed.last = now
    from service.library.queue import progress

    return progress(url, job)["state"] == "failed"


_track_failed.last = 0.0


def through_queue(workers: int, url: str) -> dict:
    from service.library.catalog import Catalog
    from service.library.queue import enqueue_build, progress

    out = Path(tempfile.mkdtemp(prefix="yomiage-scale-"))
    env = {**os.environ, "YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_QUEUE_URL": url, "YOMIAGE_JOBS": "1",
           "YOMIAGE_CACHE_DIR": str(out / "lex")}
    os.environ.update({"YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_CACHE_DIR": str(out / "lex")})
    Catalog(out).add(DOCUMENT.read_bytes(), DOCUMENT.name, doc_id="scale")
    processes = [subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                 for _ in range(workers)]
    time.sleep(3)  # NOTE: workers started and idle: their start-up is not the queue's cost
    peak = [0, 0, 0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for p in processes:
                peak[:] = [max(a, b) for a, b in zip(peak, _memory_of_group(p.pid))]
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    job = enqueue_build(url, "scale", "mei")
    from rq.job import Job

    from service.library.queue import connect

    # NOTE: the join's status alone, read cheaply: the full progress (every track job) would take CPU from workers
    join = Job.fetch(job, connection=connect(url))
    while join.get_status(refresh=True) not in ("finished", "failed") and not _track_failed(url, job):
        time.sleep(0.1)
    wall = time.perf_counter() - start
    state = progress(url, job)
    stop.set()
    watcher.join()
    for p in processes:
        os.killpg(p.pid, 15)
        p.wait()
    if state["state"] != "done":
        raise SystemExit(f"build failed: {state}")
    from service.library.catalog import Catalog
    from service.products.layout import Layout

    served = Catalog(out).entry("scale").served
    manifest = json.loads((Layout(out).version_folder("scale", served) / "mei" / "manifest.json").read_text(
        encoding="utf-8"))
    shutil.rmtree(out)
    return {"wall": wall, "audio": sum(t["duration"] for t in manifest["tracks"]), "tracks": len(manifest["tracks"]),
            "peak_rss_mb": peak[0] / 1024, "peak_private_mb": peak[1] / 1024, "peak_pss_mb": peak[2] / 1024}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="yomiage-redis-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                              "--save", ""], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    url = f"redis://127.0.0.1:{port}/0"
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 1
    try:
        texts = utterances()
        runs = []
        for _ in range(rounds):  # NOTE: interleaved, so that the machine's drift touches every variant alike
            runs.append((bare(texts), through_queue(1, url), through_queue(2, url)))
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(folder, ignore_errors=True)
    import statistics

    def median(index: int, key: str) -> float:
        return statistics.median(run[index][key] for run in runs)

    base, one, two = ({key: median(i, key) for key in runs[0][i]} for i in range(3))
    if rounds > 1:
        print(f"medians of {rounds} interleaved rounds; 2 workers against the bare loop per round: "
              + ", ".join(f"{(t['audio'] / t['wall']) / (b['audio'] / b['wall']):.2f}x" for b, _, t in runs))
    rate = {name: r["audio"] / r["wall"] for name, r in (("bare", base), ("1 worker", one), ("2 workers", two))}
    print(f"document: {DOCUMENT.name}   tracks: {one['tracks']}   audio: {one['audio'] / 60:.1f} min   "
          f"cores: {os.cpu_count()}")
    for name, value in rate.items():
        print(f"{name:10s} {value:7.1f} audio s per wall s   {value / rate['bare']:5.2f}x the bare loop")
    overhead = (one["wall"] - base["wall"] * one["audio"] / base["audio"]) / one["tracks"]
    print(f"queue overhead per track (1 worker vs bare loop): {overhead * 1000:.0f} ms, "
          f"{100 * overhead / (one['wall'] / one['tracks']):.1f} % of a track's time")
    print(f"2 workers vs 1 worker: {rate['2 workers'] / rate['1 worker']:.2f}x")
    for label, key in (("resident set (VmHWM)", "peak_rss_mb"), ("private (own pages)", "peak_private_mb"),
                       ("proportional (Pss)", "peak_pss_mb")):
        print(f"peak memory of a worker's largest process, {label}: 1 worker {one[key]:.0f} MB, "
              f"2 workers {two[key]:.0f} MB")


if __name__ == "__main__":
    main()
