"""What `yomiage serve` says about its traffic: one access-log line per request, and waitress's queue warnings
only when the queue is really backing up."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable

log = logging.getLogger("yomiage.access")


class AccessLog:
    """WSGI middleware: the Common Log Format line (host, time, request line, status, bytes) plus the time the
    response took, written when the body has been sent (or the client went away)."""

    def __init__(self, app: Callable, logger: logging.Logger = log):
        self.app, self.logger = app, logger

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.monotonic()
        seen: dict = {"status": "-"}

        def recording_start(status: str, headers: list, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start)
        return _Counted(body, lambda sent: self._write(environ, seen["status"], sent, time.monotonic() - started))

    def _write(self, environ: dict, status: str, sent: int, seconds: float) -> None:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        # NOTE: a request line is the client's text: escape what would break one log line per request
        line = f'{environ.get("REQUEST_METHOD", "-")} {path} {environ.get("SERVER_PROTOCOL", "-")}'
        line = line.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
        self.logger.info('%s - - [%s] "%s" %s %s %.3fs', environ.get("REMOTE_ADDR", "-"), stamp, line[:2000],
                         status, sent or "-", seconds)


class _Counted:
    """A response body that counts what it yields and reports once when closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]):
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self):
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close:
                close()
        finally:
            self.done(self.sent)


class QueueWarnings(logging.Filter):
    """waitress warns "Task queue depth is N" whenever one request waits for a thread, which under ordinary
    load is every few requests. Let through a warning only when N reaches ``depth``, at most once per
    ``interval`` seconds, with how many were held back."""

    def __init__(self, depth: int, interval: float = 30.0):
        super().__init__()
        self.depth, self.interval = depth, interval
        self.last, self.held = 0.0, 0
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        queued = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        with self.lock:
            now = time.monotonic()
            if not isinstance(queued, int) or queued < self.depth or now - self.last < self.interval:
                self.held += 1
                return False
            record.msg = "Task queue depth is %d (%d lower or repeated warnings held back)"
            record.args = (queued, self.held)
            self.last, self.held = now, 0
            return True
