"""Scale-out builds: a document's tracks as jobs on Redis, run by ``yomiage worker`` processes on any machines that
share the output folder (RQ).

Why RQ: a job is removed from the queue only when a worker finishes it (a job whose worker dies stays in the
started registry and is handed out again: a killed work horse at once, a vanished worker at the next maintenance),
retries are per job (``Retry``), dependencies give the join step for free (``depends_on``), and its job metadata
is enough for progress. It is plain Redis underneath, with no broker to run.

A build fans out: one job per track (``build_track``), then one job that joins them (``join_document``: the
chaptered MP3 and the manifest; every track is already built, so it reuses them). Already-built tracks are never
redone (their key is their content). Everything a job writes is written atomically to the shared output folder, so
a killed job leaves nothing truncated.
"""

from __future__ import annotations

import errno
import gc
import re
import sys
import time
from functools import lru_cache

from simplify.documents import DEFAULT_ID, default_document
from simplify.errors import InputError, NotFoundError, shown
from simplify.lexicon import ensure_applied
from simplify.model import Document
from simplify.places import gazetteer
from simplify.reading import document_places, text_to_reading

from service.config import jobs, output_dir, setting
from service.library.catalog import Catalog
from service.products.build import (BuildOptions, build_document, build_section, built_track, join_tracks, plan_weight,
                                    track_plans)
from service.speech.utterances import Synthesizer
from service.speech.voices import get_voice

# NOTE: rq and redis (≈ 0.3 s) are imported where a queue is used: a service without YOMIAGE_REDIS_URL never loads
# them, and a worker's horse finds them loaded by its worker.

QUEUE = "yomiage"
RETRIES = 3


def connect(url: str):
    from redis import Redis

    return Redis.from_url(url)


def _catalog():
    return Catalog(output_dir())


@lru_cache(maxsize=8)
def _parsed(doc_id: str, sha256: str) -> Document:
    catalog = _catalog()
    entry = catalog.entry(doc_id)
    if entry is None or sha256 not in entry.versions:
        raise NotFoundError(f"文書「{shown(doc_id)}」のこの版はもうありません。")
    return catalog.document(entry, sha256)


def document_by_id(doc_id: str, version: str | None = None) -> Document:
    """The embedded default or a version of a document of the library (shared output folder; the newest unless
    ``version`` names one by its digest), segmented but not analysed: a track job analyses only its own section's
    sentences (the glossary and readability are not audio's business), so a job's start-up costs milliseconds, not
    a whole-document analysis."""
    if doc_id == DEFAULT_ID:
        return default_document()
    entry = _catalog().entry(doc_id)
    if entry is None:
        raise NotFoundError(f"文書「{shown(doc_id)}」はありません。")
    return _parsed(entry.id, version or entry.sha256)


def _options():
    return BuildOptions(output=output_dir(), target_lufs=float(setting("YOMIAGE_LOUDNESS")),
                        bitrate=int(setting("YOMIAGE_MP3_BITRATE")), jobs=jobs())


# -- the jobs (run in workers) -----------------------------------------------------------------------------

def build_track(doc_id: str, voice_id: str, section_id: str, version: str | None = None) -> dict:
    """One track: returns its timing file's name and its key (what the join needs), and its length."""
    document = document_by_id(doc_id, version)
    voice = get_voice(voice_id)
    options = _options()
    track = _through_outage(lambda: build_section(document, document.section(section_id), voice, options,
                                                  Synthesizer(voice, options.layout.utterances())))
    return {"json": track.json, "key": track.key, "number": track.number, "duration": track.duration}


# NOTE: the shared output folder refusing writes for a while (a remount, a full disk being cleared, a network
# file system's blip) is waited out, up to OUTAGE seconds, instead of failing the track and its retries at once;
# every write is atomic, so nothing is left torn meanwhile. Other errors fail at once, as before.
OUTAGE = 60.0
_STORAGE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ESTALE}


def _through_outage(work):
    return _patiently(work, lambda error: isinstance(error, OSError) and error.errno in _STORAGE,
                      lambda error: f"yomiage worker: 出力先に書き込めません（{error.strerror}）。",
                      longest=10.0, give_up=OUTAGE)


def _patiently(work, passing, say, *, longest: float, give_up: float | None = None):
    """``work()``, again after 1, 2, 4 … (at most ``longest``) seconds while it raises what ``passing`` calls
    passing, saying so on stderr; after ``give_up`` seconds of waiting (None: never) the error stands."""
    waited, delay = 0.0, 1.0
    while True:
        try:
            return work()
        except Exception as error:
            if not passing(error) or give_up is not None and waited >= give_up:
                raise
            print(f"{say(error)}{delay:.0f} 秒後にもう一度試みます。", file=sys.stderr, flush=True)
            time.sleep(delay)
            waited += delay
            delay = min(2 * delay, longest)


def join_document(doc_id: str, voice_id: str, version: str | None = None) -> str:
    """The whole-document products once every track is built, and a library document's version published to
    listeners: returns the manifest's path."""
    document, voice, options = document_by_id(doc_id, version), get_voice(voice_id), _options()
    tracks = _finished_tracks(document, voice, options)
    if tracks is not None:
        path, manifest = _through_outage(lambda: join_tracks(document, tracks, voice, options))
        key = manifest.key
    else:  # NOTE: a track job's result has expired: the whole build again (finished tracks are reused)
        report = _through_outage(lambda: build_document(document, voice, options, progress=False))
        path, key = report.manifest, report.key
    if version:
        _through_outage(lambda: _catalog().publish(doc_id, version, key))
    return str(path)


def _finished_tracks(document, voice, options):
    """The tracks the join's track jobs built, each still built for the key its job reported (the build's one
    answer to "is this track built?"): no analysis of the whole document is needed to join them. None when a
    result is missing or a track has changed since."""
    from rq import get_current_job
    from rq.job import Job

    job = get_current_job()
    if job is None:
        return None
    folder = options.layout.products(document, voice)
    tracks = []
    for track_job in Job.fetch_many(job.meta.get("tracks", []), connection=job.connection):
        result = track_job.return_value() if track_job is not None else None
        track = built_track(folder, result["json"][:-len(".json")], result["key"], options) \
            if isinstance(result, dict) else None
        if track is None:
            return None
        tracks.append(track)
    return sorted(tracks, key=lambda t: t.number) if tracks else None


def _failed(job, connection, kind, error, traceback) -> None:
    """RQ's failure callback: when a job of a library document's version has no retry left, its error is
    recorded on the document (shown to operators; listeners keep the version they had)."""
    doc_id, version = job.args[0], job.args[-1]  # NOTE: both jobs take (document, voice, …, version)
    if job.retries_left or not version or not isinstance(version, str):
        return
    _catalog().fail(doc_id, version, f"{getattr(kind, '__name__', 'Error')}: {error}")


# -- the client side ---------------------------------------------------------------------------------------

def enqueue_build(url: str, doc_id: str, voice_id: str, version: str | None = None) -> str:
    """Queue the build of a version of a document (a library document's newest unless ``version`` names one by
    its digest); returns the id of its join job (the one to follow)."""
    from rq import Callback, Queue, Retry

    if doc_id != DEFAULT_ID and not version:
        entry = _catalog().entry(doc_id)
        version = entry.sha256 if entry else None
    document = document_by_id(doc_id, version)  # NOTE: an unreadable document fails here, once, before any job
    queue = Queue(QUEUE, connection=connect(url))
    # NOTE: a job taken back from a dead worker goes to the front: it runs as soon as a worker is free
    retry = Retry(max=RETRIES, enqueue_at_front=True)
    tracks = [queue.enqueue(build_track, doc_id, voice_id, plan.section.id, version, retry=retry,
                            on_failure=Callback(_failed),
                            job_timeout=1800, result_ttl=86400, failure_ttl=86400,
                            description=f"{doc_id}/{voice_id}/{plan.section.id}")
              # NOTE: longest first, so that the workers finish together rather than one waiting on a long last track
              for plan in sorted(track_plans(document), key=lambda p: -plan_weight(p))]
    join = queue.enqueue(join_document, doc_id, voice_id, version, depends_on=tracks, retry=retry,
                         on_failure=Callback(_failed),
                         job_timeout=1800, result_ttl=86400, failure_ttl=86400,
                         meta={"tracks": [job.id for job in tracks], "document": doc_id, "voice": voice_id,
                               "version": version},
                         description=f"{doc_id}/{voice_id} (join)")
    return join.id


def progress(url: str, job_id: str) -> dict:
    """``{"state", "done", "total", "error"}`` of a queued build (state: queued, running, done, failed)."""
    from rq.job import Job, JobStatus
    from rq.exceptions import NoSuchJobError

    connection = connect(url)
    try:
        join = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        raise NotFoundError(f"処理「{shown(job_id)}」は見つかりません。") from None
    tracks = [j for j in Job.fetch_many(join.meta.get("tracks", []), connection=connection) if j is not None]
    statuses = [j.get_status() for j in tracks]
    done = sum(1 for s in statuses if s == JobStatus.FINISHED)
    failed = next((j for j, s in zip(tracks, statuses) if s == JobStatus.FAILED), None)
    status = join.get_status()
    error = ""
    if status == JobStatus.FINISHED:
        state = "done"
    elif failed is not None or status == JobStatus.FAILED:
        state = "failed"
        source = failed if failed is not None else join
        error = (source.latest_result().exc_string if source.latest_result() else "") or "failed"
        error = error.strip().splitlines()[-1][:500]
    elif done or any(s == JobStatus.STARTED for s in statuses):
        state = "running"
    else:
        state = "queued"
    return {"id": job_id, "document": join.meta.get("document"), "state": state, "done": done,
            "total": len(tracks), "error": error}


def _preload() -> None:
    """Load what every job needs once, in the worker, before it forks a work horse per job: the audio libraries
    the modules import lazily, OpenJTalk's dictionary with the lexicon, the place-name table. A horse then starts
    with them (copy-on-write) instead of importing them again for each track. Synthesis engines are made in the
    horse (they may hold threads)."""
    import lameenc  # noqa: F401
    import mutagen.id3  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import scipy.signal  # noqa: F401  (≈ 0.9 s of every track's time when each horse imported it)
    from pyopenjtalk.htsengine import HTSEngine  # noqa: F401

    ensure_applied()
    text_to_reading("準備")
    # NOTE: the place-name table: derived from Japan Post's data once per install (3.6 s; then 0.2 s to load), it
    # would otherwise be made while the first document's first track waits for it
    gazetteer()
    try:  # NOTE: pyopenjtalk-plus reads some kanji with Sudachi, loaded on first need: once here, not per horse
        from pyopenjtalk.utils import get_sudachi_tokenizer

        get_sudachi_tokenizer()
    except (ImportError, AttributeError):
        pass


def before_fork(job) -> None:
    """What every track of a job's document needs, made in the worker before it forks the work horse, so each
    horse starts with it (copy-on-write) and the next track of the same document does not make it again: the
    document (a 100-page PDF takes seconds to read) and its place-name table (the gazetteer: 0.1 s and 34 MB)."""
    if job.func_name not in (f"{__name__}.build_track", f"{__name__}.join_document") or not job.args:
        return
    try:
        document_places(document_by_id(job.args[0], job.args[-1] if len(job.args) >= 3 else None))
    except Exception:  # noqa: BLE001 - the horse reads it again and fails with the real error
        pass


def _worker_class():
    from rq import Worker

    class DocumentWorker(Worker):
        """A worker that makes what a job's document needs before it forks the work horse (``before_fork``)."""

        def fork_work_horse(self, job, queue):
            before_fork(job)
            # NOTE: what the worker holds (analysers, dictionaries, documents) is never collected in the horse:
            # without this, the horse's first collections touch every object and copy its pages (copy-on-write)
            gc.freeze()
            super().fork_work_horse(job, queue)

        def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
            # NOTE: a started track stays claimed this long after its worker's last heartbeat (RQ adds a fixed
            # minute): a worker killed with its horse (OOM, a lost machine) frees its track within seconds, and
            # the next maintenance pass of any worker runs it again (it has retries left)
            interval = self.job_monitoring_interval
            if job.timeout and job.timeout > 0:
                interval = min(job.timeout - working_time, interval)
            return int(interval) + HEARTBEAT_GRACE

    return DocumentWorker


# NOTE: a live worker's horse is checked (and its heartbeat sent) every JOB_MONITORING seconds; a track whose
# heartbeats stop for JOB_MONITORING + HEARTBEAT_GRACE seconds is abandoned; each idle worker looks for abandoned
# tracks every MAINTENANCE seconds (a busy one between tracks); WORKER_TTL makes an idle worker wake that often
JOB_MONITORING = 5
HEARTBEAT_GRACE = 10
MAINTENANCE = 5
WORKER_TTL = 20


def run_worker(url: str, *, burst: bool = False, maintenance_interval: int = MAINTENANCE) -> None:
    """A worker on this machine: takes track and join jobs until stopped (or, with ``burst``, until the queue is
    empty). Several can run on one machine or many, sharing the output folder."""
    from rq import Queue

    _preload()
    connection = connect(url)
    _wait_for_redis(connection, url)
    worker = _worker_class()([Queue(QUEUE, connection=connection)], connection=connection,
                             maintenance_interval=maintenance_interval, job_monitoring_interval=JOB_MONITORING,
                             worker_ttl=WORKER_TTL)
    worker.work(burst=burst, with_scheduler=False)


def _wait_for_redis(connection, url: str) -> None:
    """Until Redis answers. A worker started before it (a machine's boot order, Redis down for a while) waits and
    says so, instead of exiting; once working, RQ itself reconnects after a blip."""
    from redis.exceptions import ConnectionError as Unreachable, TimeoutError as Unanswered

    where = shown(re.sub(r"//[^@/]*@", "//", url))  # NOTE: never a password into a log
    _patiently(connection.ping, lambda error: isinstance(error, (Unreachable, Unanswered)),
               lambda error: f"Redis（{where}）に接続できません。", longest=30.0)


def check_url(url: str) -> None:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise InputError(f"YOMIAGE_QUEUE_URL は redis:// で始めてください（{shown(url)}）。", code="bad_queue_url")
