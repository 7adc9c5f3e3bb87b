"""Artifacts on disk: atomic writes (temp file + rename) and one producer per key at a time."""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write a file so that it is either absent or complete, even if the process is killed midway."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # NOTE: mkstemp makes 0600; products are meant to be served and shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextmanager
def single_flight(key: str, lock_folder: Path) -> Iterator[None]:
    """Hold the producer lock for ``key``: other threads wait here, other processes wait on a lock file."""
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        lock_folder.mkdir(parents=True, exist_ok=True)
        path = lock_folder / f"{key}.lock"
        while True:
            handle = open(path, "w")
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()  # NOTE: the holder before us removed this lock file; take a fresh one
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def get_or_create(path: Path, key: str, make: Callable[[], bytes], lock_folder: Path) -> tuple[bytes, bool]:
    """The bytes at ``path``, made once by ``make`` if missing; returns (data, created)."""
    if path.exists():
        return path.read_bytes(), False
    with single_flight(key, lock_folder):
        if path.exists():
            return path.read_bytes(), False
        data = make()
        write_atomic(path, data)
        return data, True


def clean_stale_temporaries(folder: Path) -> int:
    """Remove temp files left by processes that no longer run (a build killed mid-write)."""
    removed = 0
    if not folder.exists():
        return 0
    for tmp in folder.rglob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and not _alive(pid):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
