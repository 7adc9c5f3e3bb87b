"""The library of documents a service serves beyond the embedded default: added, replaced and removed while it
runs, by `yomiage add/remove/list` (and, later, by operators on the web).

Each document lives in ``<output>/library/<id>/``: ``source`` (the file exactly as given, never changed) and
``meta.json`` (id, title, file name, kind, attribution, licence, added and updated times), each written atomically,
so every process that shares the output folder sees the same library. ``<output>/library/.version`` changes on
every change: a web process reloads its documents when it does, no restart needed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from simplify.documents import bytes_to_document
from simplify.errors import InputError, NotFoundError, shown
from simplify.model import Document, Source
from simplify.sources import sniff

from .store import write_atomic

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
RESERVED = {"hakusho-r6-2-2-6", "cache", "glossary", "library"}  # the default, and the output folder's own names


@dataclass(frozen=True)
class Entry:
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


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Catalog:
    def __init__(self, output: Path):
        self.folder = Path(output) / "library"

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
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
                if data.get("generator") == "yomiage" and _ID.fullmatch(data.get("id", "")):
                    out.append(Entry(**{k: data.get(k) for k in Entry.__dataclass_fields__ if k in data}))
            except (OSError, ValueError, TypeError):
                continue  # NOTE: half-removed or foreign: not a document of ours
        return out

    def document(self, entry: Entry) -> Document:
        data = (self.folder / entry.id / "source").read_bytes()
        return bytes_to_document(data, entry.file, doc_id=entry.id, title=entry.title,
                                 source=Source(file=entry.file, attribution=entry.attribution, url=entry.url,
                                               license=entry.license))

    # -- changing -----------------------------------------------------------------------------------
    def add(self, data: bytes, name: str, *, doc_id: str | None = None, title: str | None = None,
            attribution: str | None = None, license: str | None = None, url: str | None = None) -> Entry:
        """Add or replace a document. It is read first: a file that is not a readable document is refused with
        a clear error and nothing is written."""
        document = bytes_to_document(data, Path(name).name, doc_id=doc_id, title=title)
        doc_id = doc_id or document.id
        if not _ID.fullmatch(doc_id) or doc_id in RESERVED:
            raise InputError(f"文書の id「{shown(doc_id)}」は使えません。英小文字・数字・ハイフン（64 字まで、先頭は英数字）で、"
                             f"{'・'.join(sorted(RESERVED))} 以外にしてください。", code="bad_id")
        folder = self.folder / doc_id
        earlier = next((e for e in self.entries() if e.id == doc_id), None)
        if folder.exists() and earlier is None:
            raise InputError(f"{folder} は yomiage の文書ではありません。別の id にしてください。", code="bad_id")
        now = _now()
        entry = Entry(id=doc_id, title=title or document.title, file=Path(name).name, kind=sniff(data, name),
                      sha256=hashlib.sha256(data).hexdigest(), added=earlier.added if earlier else now, updated=now,
                      attribution=attribution, license=license, url=url)
        write_atomic(folder / "source", data)
        write_atomic(folder / "meta.json", json.dumps(asdict(entry), ensure_ascii=False, indent=1))  # last: commit
        self._changed()
        return entry

    def remove(self, doc_id: str) -> Entry:
        """Remove a document from the library (its entry and source). Built audio stays in the output folder
        until it is cleaned; only a folder holding exactly our two files is deleted."""
        entry = next((e for e in self.entries() if e.id == doc_id), None)
        if entry is None:
            raise NotFoundError(f"文書「{shown(doc_id)}」はライブラリにありません。")
        folder = self.folder / doc_id
        names = {p.name for p in folder.iterdir()}
        if not names <= {"source", "meta.json"}:
            raise InputError(f"{folder} に yomiage の書いていないファイルがあるため、消しません。", code="not_ours")
        (folder / "meta.json").unlink()  # NOTE: first: from here on, nobody serves it
        shutil.rmtree(folder)
        self._changed()
        return entry

    def _changed(self) -> None:
        write_atomic(self.folder / ".version", f"{_now()} {uuid.uuid4()}")
