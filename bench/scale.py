"""Benchmark: a real document built through Redis by 1 and then 2 `yomiage worker` processes, against a bare
single-process ``pyopenjtalk.tts`` loop over the same utterances, the in-process build (``yomiage build --jobs
1``: the same work without a queue) and two bare loops side by side (each over half the utterances: what this
machine's cores give two independent processes, the ceiling two workers can reach) in the same run.

Prints audio seconds per wall second for each, the ratio to the bare loop, the overhead per track of the 1-worker
build against the bare loop (synthesis only) and against the in-process build (the queue's own cost), and the peak
memory of a worker (its largest process: the worker or a work horse). Each build starts cold (new output folder,
new synthesis cache). The document is the 令和5年版 情報通信白書 text edition's section in tests/data/corpus.
Then, once: two workers build it and one is killed with SIGKILL (with its work horse) mid-track; printed is the time
from the kill to its track running again on the other worker. With ``--pdf``, also a 100-page PDF upload (the
corpus chapters repeated) built by 1 and by 2 workers: time to the first finished track and to the whole build.
Run: ``.venv/bin/python bench/scale.py [--rounds N] [--pdf]`` (about 6 minutes a round on 2 cores; the PDF adds
about 25 minutes; needs redis-server).
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
    return _loops([texts])


def bare_pair(texts: list[str]) -> dict:
    """The bare loop in two processes at once, each over every other utterance: what this machine's two cores give
    two independent synthesis loops (the ceiling for two workers; a VM's cores may share more than they seem to)."""
    return _loops([texts[0::2], texts[1::2]])


def _loops(parts: list[list[str]]) -> dict:
    """The bare loop over each part, one process a part, all at once."""
    files = []
    for part in parts:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump(part, f, ensure_ascii=False)
        files.append(f.name)
    try:
        processes = [subprocess.Popen([sys.executable, "-c", BARE, name], stdout=subprocess.PIPE, text=True)
                     for name in files]
        outputs = [process.communicate()[0] for process in processes]
        if any(process.returncode for process in processes):
            raise SystemExit("the bare loop failed")
        results = [json.loads(output) for output in outputs]
    finally:
        for name in files:
            os.unlink(name)
    # NOTE: each loop times itself after its imports; the slower one is the wall time of them all
    return {"wall": max(r["wall"] for r in results), "audio": sum(r["audio"] for r in results)}


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


def in_process() -> dict:
    """``yomiage build --jobs 1`` of the same document, cold: the same products without a queue."""
    out = Path(tempfile.mkdtemp(prefix="yomiage-inproc-"))
    env = {**os.environ, "YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_CACHE_DIR": str(out / "lex")}
    env.pop("YOMIAGE_QUEUE_URL", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "service.cli", "build", str(DOCUMENT), "--jobs", "1", "--output", str(out),
                    "--quiet"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    manifest = json.loads(next(out.rglob("manifest.json")).read_text(encoding="utf-8"))
    shutil.rmtree(out)
    return {"wall": wall, "audio": sum(t["duration"] for t in manifest["tracks"]), "tracks": len(manifest["tracks"])}


def _add(out: Path, data: bytes, name: str, doc_id: str) -> None:
    from service.library.catalog import Catalog

    os.environ.update({"YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_CACHE_DIR": str(out / "lex")})
    Catalog(out).add(data, name, doc_id=doc_id)


def _start_workers(workers: int, url: str, out: Path) -> list:
    env = {**os.environ, "YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_QUEUE_URL": url, "YOMIAGE_JOBS": "1",
           "YOMIAGE_CACHE_DIR": str(out / "lex")}
    processes = [subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                 for _ in range(workers)]
    _until_listening(url, {p.pid for p in processes})
    return processes


def _until_listening(url: str, pids: set[int], patience: float = 120.0) -> None:
    """Until every one of these workers has registered with Redis (it does so once its start-up, the dictionary
    and the lexicon, is done, just before it takes its first job): their start-up is not the queue's cost. (A fixed
    wait of 3 s was not enough on a slow day: the first tracks started 1.4-1.8 s after the enqueue.)"""
    from rq import Worker

    from service.library.queue import connect

    connection, deadline = connect(url), time.monotonic() + patience
    while not pids <= {w.pid for w in Worker.all(connection=connection)}:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start")
        time.sleep(0.1)


def _stop(processes: list) -> None:
    for p in processes:
        try:
            os.killpg(p.pid, 15)
        except ProcessLookupError:
            pass
        p.wait()


def through_queue(workers: int, url: str) -> dict:
    from service.library.queue import enqueue_build, progress

    out = Path(tempfile.mkdtemp(prefix="yomiage-scale-"))
    _add(out, DOCUMENT.read_bytes(), DOCUMENT.name, "scale")
    processes = _start_workers(workers, url, out)
    peak = [0, 0, 0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for p in processes:
                peak[:] = [max(a, b) for a, b in zip(peak, _memory_of_group(p.pid))]
            # NOTE: once a second: reading smaps ten times a second took ~12 % of two busy workers' throughput
            # (the kernel walks the horse's pages while it faults them in); a horse lives for seconds
            time.sleep(1.0)

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
    _stop(processes)
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


def kill_recovery(url: str) -> float:
    """Seconds from SIGKILL of a worker and its work horse mid-track (an OOM kill, a machine lost) to that track
    running again on the worker started in its place (as systemd's Restart= would)."""
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    from service.library.queue import QUEUE, connect, enqueue_build

    out = Path(tempfile.mkdtemp(prefix="yomiage-kill-"))
    _add(out, DOCUMENT.read_bytes(), DOCUMENT.name, "kill")
    first = _start_workers(1, url, out)
    connection = connect(url)
    enqueue_build(url, "kill", "mei")
    started: list[str] = []
    # NOTE: in the started registry from before the fork; running once the horse marks it started
    while not (started and Job.fetch(started[0], connection=connection).get_status() == "started"):
        started = [i.split(":")[0] for i in StartedJobRegistry(QUEUE, connection=connection).get_job_ids()]
        time.sleep(0.05)
    time.sleep(1.0)  # NOTE: well into the track's synthesis
    job = Job.fetch(started[0], connection=connection)
    killed_name = job.worker_name
    with open(f"/proc/{first[0].pid}/task/{first[0].pid}/children") as children:
        for horse in children.read().split():
            os.kill(int(horse), 9)
    os.killpg(first[0].pid, 9)
    killed = time.perf_counter()
    first[0].wait()
    second = _start_workers(1, url, out)
    again = None
    while again is None and time.perf_counter() < killed + 300:
        job = Job.fetch(started[0], connection=connection)
        status = job.get_status()
        if status in ("started", "finished") and job.worker_name not in (None, "", killed_name):
            again = time.perf_counter() - killed
        time.sleep(0.1)
    _stop(second)
    connection.flushdb()
    shutil.rmtree(out, ignore_errors=True)
    if again is None:
        raise SystemExit("the killed worker's track never ran again")
    return again


def pdf_build(workers: int, url: str, data: bytes) -> dict:
    """A 100-page PDF uploaded to the library and built by ``workers`` workers: seconds to the first finished
    track (a listener can play it) and to the whole build."""
    from service.library.queue import connect, enqueue_build, progress

    out = Path(tempfile.mkdtemp(prefix="yomiage-pdf-"))
    processes = _start_workers(workers, url, out)
    try:  # NOTE: workers never outlive a failed run
        start = time.perf_counter()  # NOTE: from the upload: reading the PDF into the library is part of it
        _add(out, data, "hundred.pdf", "hundred")
        job = enqueue_build(url, "hundred", "mei")
        first = None
        while True:
            state = progress(url, job)
            if first is None and state["done"]:
                first = time.perf_counter() - start
            if state["state"] in ("done", "failed"):
                break
            time.sleep(0.5)
        whole = time.perf_counter() - start
    finally:
        _stop(processes)
    connect(url).flushdb()
    shutil.rmtree(out, ignore_errors=True)
    if state["state"] != "done":
        raise SystemExit(f"the PDF build failed: {state}")
    return {"first": first, "whole": whole, "tracks": state["total"]}


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
    recovery, pdf = None, []
    try:
        texts = utterances()
        runs = []
        for _ in range(rounds):  # NOTE: interleaved, so that the machine's drift touches every variant alike
            runs.append((bare(texts), through_queue(1, url), through_queue(2, url), in_process(), bare_pair(texts)))
            print("round:", json.dumps(runs[-1]), file=sys.stderr, flush=True)  # NOTE: raw, as each ends
        recovery = [kill_recovery(url) for _ in range(3)]
        print("kill to running again:", recovery, file=sys.stderr, flush=True)
        if "--pdf" in sys.argv:
            from first_audio import hundred_pages

            data = hundred_pages()
            for n in (1, 2):
                pdf.append((n, pdf_build(n, url, data)))
                print("pdf:", json.dumps(pdf[-1]), file=sys.stderr, flush=True)
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(folder, ignore_errors=True)
    import statistics

    def median(index: int, key: str) -> float:
        return statistics.median(run[index][key] for run in runs)

    base, one, two, local, pair = ({key: median(i, key) for key in runs[0][i]} for i in range(5))
    if rounds > 1:
        print(f"medians of {rounds} interleaved rounds; per round, 2 workers against the bare loop: "
              + ", ".join(f"{(t['audio'] / t['wall']) / (b['audio'] / b['wall']):.2f}x" for b, _, t, _, _ in runs)
              + "; 2 bare loops side by side against one: "
              + ", ".join(f"{(p['audio'] / p['wall']) / (b['audio'] / b['wall']):.2f}x" for b, _, _, _, p in runs))
    rate = {name: r["audio"] / r["wall"] for name, r in (("bare", base), ("2 bare", pair), ("in-process", local),
                                                         ("1 worker", one), ("2 workers", two))}
    print(f"document: {DOCUMENT.name}   tracks: {one['tracks']}   audio: {one['audio'] / 60:.1f} min   "
          f"cores: {os.cpu_count()}")
    for name, value in rate.items():
        print(f"{name:10s} {value:7.1f} audio s per wall s   {value / rate['bare']:5.2f}x the bare loop")
    for against, label in ((base, "bare loop (everything but synthesis)"), (local, "in-process build (the queue's own)")):
        # NOTE: the other run's time for the 1-worker run's amount of audio, shared over its tracks
        overhead = (one["wall"] - against["wall"] * one["audio"] / against["audio"]) / one["tracks"]
        print(f"overhead per track, 1 worker vs {label}: {overhead * 1000:.0f} ms, "
              f"{100 * overhead / (one['wall'] / one['tracks']):.1f} % of a track's time")
    print(f"2 workers vs 1 worker: {rate['2 workers'] / rate['1 worker']:.2f}x; vs 2 bare loops side by side (this "
          f"machine's ceiling for two processes): {rate['2 workers'] / rate['2 bare']:.2f}x")
    for label, key in (("resident set (VmHWM)", "peak_rss_mb"), ("private (own pages)", "peak_private_mb"),
                       ("proportional (Pss)", "peak_pss_mb")):
        print(f"peak memory of a worker's largest process, {label}: 1 worker {one[key]:.0f} MB, "
              f"2 workers {two[key]:.0f} MB")
    print(f"a worker killed (SIGKILL, with its work horse) mid-track: its track running again "
          f"{statistics.median(recovery):.1f} s after the kill (median of {', '.join(f'{r:.1f}' for r in recovery)}), "
          "on the worker started in its place")
    for workers, result in pdf:
        print(f"100-page PDF upload ({result['tracks']} tracks), {workers} worker(s): first track built "
              f"{result['first']:.0f} s after the upload, whole build {result['whole']:.0f} s")


if __name__ == "__main__":
    main()
