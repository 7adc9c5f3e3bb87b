"""Where documents come from: the embedded default, or a user's file, as a Document."""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

from .errors import InputError
from .model import Document, Section, Source
from .glossary import document_with_glossary
from .reading import document_with_readings, text_to_reading
from . import sources
from .textio import check_size

DEFAULT_ID = "hakusho-r6-2-2-6"


def _slug(name: str, data: bytes) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug if slug else "doc-" + hashlib.sha256(data).hexdigest()[:10]


def bytes_to_document(data: bytes, name: str, *, doc_id: str | None = None, source: Source | None = None,
                      title: str | None = None, on_preview: Callable[[Document], None] | None = None) -> Document:
    """A user's file (PDF, HTML, Markdown or text in any supported encoding) as a Document; ``name`` is used in
    errors and ids, and as the title only when the document has none of its own. ``on_preview`` hears of a
    long PDF's first pages, as a document of their own, while the rest is read (a file read before is not read
    again, and has no preview).

    The last few files read are remembered by their content (a Document is immutable): adding a file to the
    library reads it, and the service that then serves it, in the same process, gets the same tree at once
    instead of reading a 100-page PDF a second time."""
    stem = Path(name).stem
    key = (hashlib.sha256(data).digest(), name, doc_id or _slug(stem, data), source or Source(file=Path(name).name),
           title)
    with _recent_lock:
        known = _recent.get(key)
    if known is not None:
        return known
    document = _read(data, name, key[2], key[3], title, on_preview)
    with _recent_lock:
        _recent[key] = document
        while len(_recent) > 4:
            del _recent[next(iter(_recent))]
    return document


_recent: dict = {}
_recent_lock = threading.Lock()


def _read(data: bytes, name: str, doc_id: str, source: Source, title: str | None,
          on_preview: Callable[[Document], None] | None = None) -> Document:
    def shown(preview: Document) -> None:
        if _readable(preview):
            on_preview(preview)

    document = sources.bytes_to_document(data, name, doc_id=doc_id, source=source, title=title,
                                         on_preview=None if on_preview is None else shown)
    if not _readable(document):
        # NOTE: one check for every kind of input, after segmentation: a blank text, an HTML page of navigation only
        raise InputError(f"{name}: 読み上げる文がありません（見出しも本文も見つかりません）。", code="empty")
    return document


def _readable(document: Document) -> bool:
    return any(section.title or section.footnotes or any(True for _ in section.sentences())
               for section in document.walk())


def path_to_document(path: str | Path) -> Document:
    """Read a file with a clear error for anything that is not a readable regular file."""
    return bytes_to_document(read_path(path), str(path))


def read_path(path: str | Path) -> bytes:
    """A user's file's bytes, with a clear error for a folder, a device, a missing, oversized or unreadable file."""
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(f"{path}: フォルダです。文書のファイルを指定してください。", code="not_a_file")
        if path.exists() and not path.is_file():
            raise InputError(f"{path}: 通常のファイルではありません（装置や特殊ファイルは読めません）。",
                             code="not_a_file")
        if not path.is_file():
            raise InputError(f"{path}: ファイルが見つかりません。", code="not_found")
        check_size(path.stat().st_size, str(path))
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: 読み込めません（{error.strerror}）。", code="unreadable") from None


@lru_cache(maxsize=1)
def default_document() -> Document:
    """The embedded 令和6年版 情報通信白書 section, with its attribution."""
    folder = resources.files("simplify") / "data"
    meta = tomllib.loads((folder / f"{DEFAULT_ID}.toml").read_text(encoding="utf-8"))
    data = (folder / f"{DEFAULT_ID}.txt").read_bytes()
    source = Source(
        file=f"{DEFAULT_ID}.txt",
        attribution=meta["attribution"],
        publisher=meta["publisher"],
        url=meta["url"],
        license=meta["license"],
    )
    return bytes_to_document(data, f"{DEFAULT_ID}.txt", doc_id=meta["id"], source=source, title=meta["title"])


def load_document(path: str | Path | None = None, *, readings: bool = False) -> Document:
    """The default document (no path) or a user's file; with ``readings``, every text is analysed
    (tokens, spoken script), glossary terms are marked and readability is measured."""
    if path is None:
        return default_document_annotated() if readings else default_document()
    document = path_to_document(path)
    return annotate(document) if readings else document


def annotate(document: Document) -> Document:
    return document_with_glossary(document_with_readings(document))


def annotate_titles(document: Document) -> Document:
    """Readings on the section titles alone (the contents page's ruby), in milliseconds: what a long new
    document is served with until :func:`annotate` has read the rest."""
    def section(s: Section) -> Section:
        return replace(s, title_reading=text_to_reading(s.title, ruby=s.title_ruby) if s.title else None,
                       children=tuple(section(c) for c in s.children))

    return replace(document, sections=tuple(section(s) for s in document.sections))


@lru_cache(maxsize=1)
def default_document_annotated() -> Document:
    return annotate(default_document())
