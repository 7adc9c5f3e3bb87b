"""Jobs: adding a document to the library and building its audio, off the request that asked for it.

With nothing configured, jobs run in a small pool of threads inside the serving process (``LocalJobs``), so a
single machine needs no extra service. A job's state is kept in memory here; its effects (the library entry, the
built tracks) are in the shared output folder, which is also where its progress is measured from: done = tracks
already built for exactly this content.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from simplify.errors import InputError

from service.library.queue import enqueue_build, progress
from service.products.build import build_document, track_plans


@dataclass
class Job:
    id: str
    kind: str  # add
    document: str
    state: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int = 0
    error: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def seconds_left(self) -> float | None:
        """An estimate from the pace so far (None until a first track is done)."""
        if not self.done or not self.total or self.state != "running":
            return None
        elapsed = time.time() - self.created
        return elapsed / self.done * (self.total - self.done)

    def to_dict(self) -> dict:
        left = self.seconds_left
        return {"id": self.id, "kind": self.kind, "document": self.document, "state": self.state,
                "done": self.done, "total": self.total, "error": self.error,
                "seconds_left": round(left) if left is not None else None}


class LocalJobs:
    """A bounded pool of worker threads in this process; jobs are remembered for an hour after they end."""

    def __init__(self, workers: int = 1, keep_seconds: float = 3600):
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="yomiage-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep_seconds

    def submit(self, kind: str, document: str, work: Callable[[Job], None]) -> Job:
        job = Job(uuid.uuid4().hex, kind, document)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running_for(self, document: str) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.document == document and j.state in ("queued", "running")),
                        None)

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        job.state = "running"
        try:
            work(job)
            job.state = "done"
        except InputError as error:  # NOTE: the document's fault: recorded once, never retried
            job.state, job.error = "failed", error.message
        except Exception as error:  # noqa: BLE001 - a job must end with its error recorded, not vanish
            job.state, job.error = "failed", f"{type(error).__name__}: {error}"
            traceback.print_exc()
        finally:
            job.finished = time.time()

    def _forget_old(self) -> None:
        now = time.time()
        for key in [k for k, j in self._jobs.items() if j.finished and now - j.finished > self._keep]:
            del self._jobs[key]


def build_version(catalog, doc_id: str, sha256: str, voice, options, *, document=None, on_track=None):
    """Build one version of a library document in this process and publish it to listeners when complete; a
    failure is recorded on the document (listeners keep the version they had) and raised."""
    try:
        if document is None:
            entry = catalog.entry(doc_id)
            if entry is None or sha256 not in entry.versions:
                raise InputError(f"文書「{doc_id}」のこの版はもうありません。", code="gone", status=404)
            document = catalog.document(entry, sha256)
        report = build_document(document, voice, options, progress=False, on_track=on_track)
    except InputError as error:
        catalog.fail(doc_id, sha256, error.message)
        raise
    except Exception as error:
        catalog.fail(doc_id, sha256, f"{type(error).__name__}: {error}")
        raise
    catalog.publish(doc_id, sha256, report.key)
    return report


# -- one interface for builds, two runners ---------------------------------------------------------------------

@dataclass(frozen=True)
class BuildState:
    """Where a build stands: ``queued``, ``running``, ``done`` or ``failed``; tracks done of total; the error."""

    state: str
    done: int = 0
    total: int = 0
    error: str = ""


class LocalBuilds:
    """Builds in this process (threads): a library version is published when complete, a failure recorded on it."""

    def __init__(self, catalog, options):
        self.catalog, self.options = catalog, options

    def run(self, doc_id: str, version: str | None, voice, *, document=None,
            on_state: Callable[[BuildState], None] | None = None) -> BuildState:
        """Build a document's version (or ``document`` itself, already analysed) for ``voice``; returns the final
        state and raises the build's error."""
        total, done = (len(track_plans(document)) if document is not None else 0), 0

        def one_more(_track) -> None:
            nonlocal done
            done += 1
            if on_state:
                on_state(BuildState("running", done, total))

        if version:
            build_version(self.catalog, doc_id, version, voice, self.options, document=document, on_track=one_more)
        else:
            build_document(document, voice, self.options, progress=False, on_track=one_more)
        return BuildState("done", done, total)


class QueueBuilds:
    """Builds on the workers of a Redis queue (``yomiage worker``): this process queues the work and follows it."""

    def __init__(self, url: str, poll_seconds: float = 0.5):
        self.url, self.poll = url, poll_seconds

    def run(self, doc_id: str, version: str | None, voice, *, document=None,
            on_state: Callable[[BuildState], None] | None = None) -> BuildState:
        job = enqueue_build(self.url, doc_id, voice.id, version)
        while True:
            found = progress(self.url, job)
            state = BuildState(found["state"], found["done"], found["total"], found["error"])
            if on_state:
                on_state(state)
            if state.state == "done":
                return state
            if state.state == "failed":
                raise InputError(state.error or "作れませんでした。", code="build_failed")
            time.sleep(self.poll)


def builds_for(queue_url: str, catalog, options) -> LocalBuilds | QueueBuilds:
    """The one place that chooses where builds run: on a queue's workers when one is configured, else here."""
    return QueueBuilds(queue_url) if queue_url else LocalBuilds(catalog, options)
