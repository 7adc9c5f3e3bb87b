"""The library of documents a service serves beyond the embedded default: added, replaced and removed while it
runs, by `yomiage add/remove/list` and by operators on the web.

Each document lives in ``<output>/library/<id>/``: one ``<digest>.source`` per version (the file exactly as given,
never changed) and ``meta.json``, written atomically, so every process that shares the output folder sees the
same library. ``meta.json`` names the newest version (``sha256``, title, file), the version listeners are served
(``served``: the newest whose build completed, with the key of that build) and the state of the newest
(pending, ready or failed, with its error). A replacement is built beside the version being served; publishing it
is one atomic write of ``meta.json``. ``<output>/library/.version`` changes on every change: a web process
reloads its documents when it does, no restart needed.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from simplify.documents import bytes_to_document
from simplify.errors import InputError, NotFoundError, shown
from simplify.model import Document, Source
from simplify.sources import sniff
from simplify.textio import xml_safe

from service.products.layout import Layout
from service.store import single_flight, write_atomic

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_SOURCE = re.compile(r"[0-9a-f]{16}\.source|source")  # a version's file (``source``: a library from before versions)
RESERVED = {"hakusho-r6-2-2-6", "cache", "glossary", "library"}  # the default, and the output folder's own names


@dataclass(frozen=True)
class Entry:
    """A document of the library. The top-level title/file/kind/sha256 describe its newest version; ``served``
    is the version listeners get (None until a first build completes: then the newest is served as it builds)."""

    id: str
    title: str
    file: str
    kind: str
    sha256: str
    added: str
    updated: str
    attribution: str | None = None
    license: str | None = None
    url: str | None = None
    generator: str = "yomiage"
    state: str = "pending"
    error: str = ""
    served: str | None = None
    build: str | None = None  # the key of the served version's build (its manifest's key)
    previous: str | None = None  # the version served before: its products are kept one more switch
    versions: dict = field(default_factory=dict)  # sha256 -> {title, file, kind, uploaded}

    @property
    def serving(self) -> str:
        """The digest of the version listeners are served now."""
        return self.served if self.served in self.versions else self.sha256


def _usable_id(doc_id: str) -> bool:
    return bool(_ID.fullmatch(doc_id)) and doc_id not in RESERVED


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Catalog:
    def __init__(self, output: Path):
        self.layout = Layout(output)
        self.folder = self.layout.library()

    # -- reading ------------------------------------------------------------------------------------
    def version(self) -> str:
        """Changes whenever the library does (a web process compares it to reload)."""
        try:
            return (self.folder / ".version").read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return ""

    def entries(self) -> list[Entry]:
        out = []
        if not self.folder.is_dir():
            return out
        for meta in sorted(self.folder.glob("*/meta.json")):
            entry = self._read(meta)
            if entry is not None:
                out.append(entry)
        return out

    def entry(self, doc_id: str) -> Entry | None:
        if not _ID.fullmatch(doc_id):
            return None
        return self._read(self.folder / doc_id / "meta.json")

    def _read(self, meta: Path) -> Entry | None:
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            if data.get("generator") != "yomiage" or not _ID.fullmatch(data.get("id", "")):
                return None
            entry = Entry(**{k: data.get(k) for k in Entry.__dataclass_fields__ if k in data})
        except (OSError, ValueError, TypeError):
            return None  # NOTE: half-removed or foreign: not a document of ours
        if not entry.versions:  # NOTE: written before versions: its one file is the served version
            entry = replace(entry, versions={entry.sha256: {"title": entry.title, "file": entry.file,
                                                            "kind": entry.kind, "uploaded": entry.updated}},
                            served=entry.sha256, state="ready")
        return entry

    def source_path(self, doc_id: str, sha256: str) -> Path:
        path = self.folder / doc_id / f"{sha256[:16]}.source"
        return path if path.exists() or not (self.folder / doc_id / "source").exists() else self.folder / doc_id / "source"

    def document(self, entry: Entry, sha256: str | None = None) -> Document:
        """A version of a document (the newest unless ``sha256`` names another), segmented, not annotated."""
        sha256 = sha256 or entry.sha256
        about = entry.versions.get(sha256) or {"title": entry.title, "file": entry.file}
        data = self.source_path(entry.id, sha256).read_bytes()
        # NOTE: read as ``add`` read it (the same arguments find the tree it made, if this process made it), then
        # given the title and source the library keeps
        document = bytes_to_document(data, about["file"], doc_id=entry.id)
        return replace(document, title=xml_safe(about["title"]) or document.title, version=sha256,
                       source=Source(file=about["file"], attribution=entry.attribution, url=entry.url,
                                     license=entry.license))

    # -- changing -----------------------------------------------------------------------------------
    def add(self, data: bytes, name: str, *, doc_id: str | None = None, title: str | None = None,
            attribution: str | None = None, license: str | None = None, url: str | None = None,
            on_preview: Callable[[Document], None] | None = None) -> Entry:
        """Add a document, or a new version of one. It is read first: a file that is not a readable document is
        refused with a clear error and nothing is written. A new version is pending until its build completes;
        until then listeners keep the version they had. ``on_preview`` hears of a new document's first pages
        while the rest is read (pdfminer, a scan's OCR), as the version it will be; never of a new version of one served."""
        sha256 = hashlib.sha256(data).hexdigest()

        def preview(document: Document) -> None:
            if _usable_id(document.id) and not (self.folder / document.id).exists():  # NOTE: new, and ours to make
                on_preview(replace(document, title=xml_safe(title or "") or document.title, version=sha256,
                                   source=Source(file=Path(name).name, attribution=attribution, url=url,
                                                 license=license)))

        document = bytes_to_document(data, Path(name).name, doc_id=doc_id,
                                     on_preview=None if on_preview is None else preview)
        doc_id = doc_id or document.id
        if not _usable_id(doc_id):
            raise InputError(f"文書の id「{shown(doc_id)}」は使えません。英小文字・数字・ハイフン（64 字まで、先頭は英数字）で、"
                             f"{'・'.join(sorted(RESERVED))} 以外にしてください。", code="bad_id")
        folder = self.folder / doc_id
        with self._lock(doc_id):
            earlier = self.entry(doc_id)
            if folder.exists() and earlier is None:
                raise InputError(f"{folder} は yomiage の文書ではありません。別の id にしてください。", code="bad_id")
            now = _now()
            about = {"title": title or document.title, "file": Path(name).name, "kind": sniff(data, name),
                     "uploaded": now}
            served = earlier.served if earlier else None
            versions = {k: v for k, v in (earlier.versions if earlier else {}).items() if k == served}
            versions[sha256] = about
            entry = Entry(id=doc_id, title=about["title"], file=about["file"], kind=about["kind"], sha256=sha256,
                          added=earlier.added if earlier else now, updated=now, attribution=attribution,
                          license=license, url=url, state="ready" if sha256 == served else "pending",
                          served=served, build=earlier.build if earlier else None,
                          previous=earlier.previous if earlier else None, versions=versions)
            write_atomic(folder / f"{sha256[:16]}.source", data)
            self._write(entry)  # NOTE: last: the commit
            self._drop_unused_sources(entry)
        self._changed()
        return entry

    def publish(self, doc_id: str, sha256: str, build: str) -> Entry | None:
        """A version's build is complete: listeners get it from now on (one atomic write). The products of the
        version served two switches ago are removed (one old version stays for requests already under way)."""
        with self._lock(doc_id):
            entry = self.entry(doc_id)
            if entry is None or sha256 not in entry.versions:
                return None  # NOTE: removed, or replaced again meanwhile by a newer one that was then published
            if entry.served == sha256 and entry.state != "pending":
                return entry  # NOTE: already published (another voice's build of it, or a rebuild)
            old, previous = entry.served, entry.previous
            newer = replace(entry, served=sha256, build=build,
                            previous=old if old and old != sha256 else previous,
                            state="ready" if sha256 == entry.sha256 else entry.state,
                            error="" if sha256 == entry.sha256 else entry.error,
                            versions={k: v for k, v in entry.versions.items() if k in (sha256, entry.sha256)})
            self._write(newer)
            self._drop_unused_sources(newer)
            if previous and previous not in (newer.served, newer.sha256, newer.previous):
                self.layout.remove_version(doc_id, previous)
        self._changed()
        return newer

    def fail(self, doc_id: str, sha256: str, error: str) -> None:
        """The newest version could not be built: its error is recorded on the document (listeners keep the
        version they had)."""
        with self._lock(doc_id):
            entry = self.entry(doc_id)
            if entry is None or entry.sha256 != sha256:
                return
            self._write(replace(entry, state="failed", error=error[:500]))
        self._changed()

    def remove(self, doc_id: str) -> Entry:
        """Remove a document from the library (its entry and sources). Built audio stays in the output folder
        until it is cleaned; only a folder holding nothing but our own files is deleted."""
        entry = self.entry(doc_id)
        if entry is None:
            raise NotFoundError(f"文書「{shown(doc_id)}」はありません。")
        folder = self.folder / doc_id
        with self._lock(doc_id):
            names = [p.name for p in folder.iterdir()]
            if not all(n == "meta.json" or _SOURCE.fullmatch(n) for n in names):
                raise InputError(f"{folder} に yomiage の書いていないファイルがあるため、消しません。", code="not_ours")
            (folder / "meta.json").unlink()  # NOTE: first: from here on, nobody serves it
            for name in names:
                (folder / name).unlink(missing_ok=True)
            folder.rmdir()
        self._changed()
        return entry

    def _write(self, entry: Entry) -> None:
        write_atomic(self.folder / entry.id / "meta.json", json.dumps(asdict(entry), ensure_ascii=False, indent=1))

    def _drop_unused_sources(self, entry: Entry) -> None:
        keep = {f"{sha[:16]}.source" for sha in entry.versions}
        for path in (self.folder / entry.id).iterdir():
            if _SOURCE.fullmatch(path.name) and path.name not in keep and path.name != "source":
                path.unlink(missing_ok=True)

    def _lock(self, doc_id: str):
        return single_flight(f"library-{doc_id}", self.layout.locks())

    def _changed(self) -> None:
        write_atomic(self.folder / ".version", f"{_now()} {uuid.uuid4()}")
