"""Whole-document downloads made from a finished build: the tracks as one ZIP, the EPUB 3 with Media Overlays and
the DAISY 2.02 book as a ZIP. Each is made once per build (again when the build is newer than it), by one producer
at a time, and written so that it is either absent or complete."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import Callable

from simplify.model import Document

from service.products.books import document_to_daisy, document_to_epub
from service.products.build import BuildOptions, download_name
from service.products.manifest import Build
from service.store import single_flight
from service.speech.voices import Voice


def _derived(path: Path, build: Build, options: BuildOptions, make: Callable[[], None]) -> Path:
    """``path`` made by ``make`` unless it is newer than the build's manifest; one producer per file."""
    lock = "product-" + hashlib.sha256(str(path.relative_to(options.output)).encode()).hexdigest()[:24]
    with single_flight(lock, options.layout.locks()):
        if not path.exists() or path.stat().st_mtime < build.manifest_file.stat().st_mtime:
            make()
    return path


def _zip(target: Path, members: list[tuple[Path, str]]) -> None:
    """A stored (not compressed: MP3 does not shrink) ZIP written beside ``target`` and renamed into place."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for path, name in members:
                archive.write(path, name)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def tracks_zip(document: Document, voice: Voice, options: BuildOptions, build: Build) -> Path:
    """Every track's MP3 under its person-readable name (``03-1_概要.mp3``)."""
    path = options.layout.archive(document, voice)
    sections = {s.id: s for s in document.walk()}

    def make() -> None:
        _zip(path, [(build.folder / t.mp3, download_name(t.number, sections[t.section], "mp3")) for t in build.tracks])

    return _derived(path, build, options, make)


def epub(document: Document, voice: Voice, options: BuildOptions, build: Build, level) -> Path:
    """The EPUB 3 with Media Overlays, ruby at ``level``."""
    path = options.layout.epub(document, voice, level)
    return _derived(path, build, options, lambda: document_to_epub(document, build, path, level))


def daisy_zip(document: Document, voice: Voice, options: BuildOptions, build: Build) -> Path:
    """The DAISY 2.02 book (ncc.html at the ZIP's root)."""
    path = options.layout.daisy_zip(document, voice)

    def make() -> None:
        book = document_to_daisy(document, build, options.layout.daisy(document, voice)).parent
        _zip(path, [(file, file.name) for file in sorted(book.iterdir())])

    return _derived(path, build, options, make)
