"""Artifacts on disk: atomic writes (temp file + rename) and one producer per key at a time."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from simplify.errors import InputError


# NOTE: key -> [lock, holders and waiters]; an entry lives only while someone holds or waits for it
_locks: dict[str, list] = {}
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


def write_if_changed(path: Path, data: bytes | str) -> Path:
    """``write_atomic``, unless the file already holds exactly these bytes (then its time is kept too)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(raw) and path.read_bytes() == raw:
            return path
    except OSError:
        pass
    return write_atomic(path, raw)


@contextmanager
def single_flight(key: str, lock_folder: Path) -> Iterator[None]:
    """Hold the producer lock for ``key``: other threads wait here, other processes wait on a lock file."""
    with _locks_guard:
        entry = _locks.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0], _file_lock(key, lock_folder):
            yield
    finally:
        with _locks_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _locks[key]


@contextmanager
def _file_lock(key: str, lock_folder: Path) -> Iterator[None]:
    """The lock file other processes wait on; removed by its holder when done."""
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


class OutputRefused(InputError):
    """An output path holds something yomiage did not write (or cannot write to)."""

    code = "output_refused"


def check_output_file(path: Path, is_ours: Callable[[Path], bool]) -> None:
    """Refuse to replace a folder, or a file that ``is_ours`` does not recognise as an earlier yomiage product."""
    if path.is_dir():
        raise OutputRefused(f"{path}: フォルダです。書き出すファイルの名前を指定してください。")
    if path.exists() or path.is_symlink():
        if not path.is_file() or path.is_symlink() or not is_ours(path):
            raise OutputRefused(
                f"{path}: yomiage が書いたものではないファイルがあるため、上書きしません。別の名前を指定してください。")


def check_output_folder(target: Path, earlier_files: Callable[[Path], set[str] | None]) -> set[str] | None:
    """Refuse a target that is not a folder yomiage may fill; returns the files of an earlier yomiage folder.

    ``earlier_files`` recognises an earlier product from its own contents: it returns the names of its files when
    every file in the folder is one that product wrote, else None."""
    if target.exists() and not target.is_dir() or target.is_symlink():
        raise OutputRefused(f"{target}: フォルダではありません。書き出すフォルダを指定してください。")
    if target.is_dir() and any(target.iterdir()):
        earlier = earlier_files(target)
        if earlier is None:
            raise OutputRefused(
                f"{target}: yomiage が書いたものではないファイルがあるため、このフォルダには書き出しません。"
                "空のフォルダか、新しいフォルダの名前を指定してください。")
        return earlier
    return None


def write_folder(target: Path, fill: Callable[[Path], None],
                 earlier_files: Callable[[Path], set[str] | None]) -> Path:
    """Make a folder of files so that ``target`` is always either what it was or complete.

    ``fill`` writes into a new hidden folder beside ``target``; that folder then takes ``target``'s place. ``target``
    may be absent, an empty folder, or an earlier folder written by this function; anything else is refused before any
    work is done, and nothing in it is touched."""
    earlier = check_output_folder(target, earlier_files)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".{os.getpid()}.building"))
    try:
        fill(building)
        os.chmod(building, 0o755)
        if earlier is None:
            os.replace(building, target)  # NOTE: replaces an empty folder in one step; fails on a non-empty one
        else:
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            os.replace(target, old)
            os.replace(building, target)
            for name in earlier:
                (old / name).unlink(missing_ok=True)
            try:
                old.rmdir()
            except OSError:
                pass  # NOTE: something was added meanwhile; it stays, in the hidden folder, untouched
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return target
