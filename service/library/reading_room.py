"""The reading room: what listeners and readers are served — annotated documents, voices, audio made on demand with
bounded concurrency, and the builds behind them. The web app asks here; routes only parse, call and respond."""

from __future__ import annotations

import json
import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from simplify.documents import DEFAULT_ID, annotate, annotate_titles, default_document_annotated, path_to_document
from simplify.errors import InputError, NotFoundError, shown
from simplify.model import Document, Section

from service.products.build import BuildOptions, build_document, build_glossary_audio, build_section, find_section
from service.library.catalog import Catalog
from service.library.jobs import BuildState, LocalBuilds, builds_for
from service.products.manifest import Build, Manifest, Track, load_build
from service.products.streaming import streaming_gain_db
from service.speech.utterances import Synthesizer
from service.speech.voices import Voice, get_voice, list_voices

log = logging.getLogger(__name__)


class Busy(InputError):
    """Too many syntheses at once: the client should try again shortly."""

    code = "busy"
    status = 503


class Preparing(InputError):
    """A whole-document product is being built in the background."""

    code = "preparing"
    status = 503


def _build_key(doc_id: str, version: str, voice_id: str) -> str:
    """What a background build is known by: one at a time for a version of a document and a voice."""
    return f"{doc_id}@{version[:12]}/{voice_id}"


class ReadingRoom:
    def __init__(self, config: dict):
        self.output = Path(config["OUTPUT_DIR"])
        self.voices_dir = Path(config["VOICES_DIR"])
        self.default_voice = config["DEFAULT_VOICE"]
        self.options = BuildOptions(output=self.output, target_lufs=float(config["LOUDNESS"]),
                                    bitrate=int(config["MP3_BITRATE"]), jobs=int(config["JOBS"]))
        self._extra_paths = [Path(p) for p in config.get("EXTRA_DOCUMENTS", [])]
        self._documents: dict[str, Document] | None = None
        self._fixed: dict[str, Document] = {}
        self._catalog = Catalog(self.output)
        self._catalog_version: str | None = ""
        self._annotated: dict[str, tuple] = {}
        self._listen_first = int(config.get("LISTEN_FIRST_CHARS", 40_000))
        self._annotating: dict[str, threading.Thread] = {}
        self._previews: dict[str, Document] = {}
        self._entries: dict = {}
        self._doc_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(int(config["MAX_SYNTH"]))
        self._wait = float(config.get("SYNTH_WAIT", 20))
        self._background: dict[str, threading.Thread] = {}
        self._background_lock = threading.Lock()
        self._queue = config.get("QUEUE_URL") or ""
        self.builds = builds_for(self._queue, self._catalog, self.options)  # NOTE: where builds run: chosen once
        # NOTE: a configured file, which workers cannot find, is built here even with a queue
        self._local = self.builds if isinstance(self.builds, LocalBuilds) else LocalBuilds(self._catalog, self.options)
        self._synths: dict[str, Synthesizer] = {}
        self._synth_lock = threading.Lock()
        self._auto_build = bool(config.get("AUTO_BUILD", True)) and not self._queue

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    # -- documents ----------------------------------------------------------------------------
    def documents(self) -> dict[str, Document]:
        """The default, the configured extra files, and the library's documents (reloaded when it changes): of
        each, the version listeners are served (a replacement being built is not shown until it is complete)."""
        version = self._catalog.version()
        pending = []
        with self._doc_lock:
            if self._documents is None:
                docs = [default_document_annotated()] + [annotate(path_to_document(p)) for p in self._extra_paths]
                self._fixed = {d.id: d for d in docs}
            if self._documents is None or version != self._catalog_version:
                added = {}
                self._entries = {e.id: e for e in self._catalog.entries()}
                for entry in self._entries.values():
                    # NOTE: read and annotate a version only when what it shows changed, not on every change of
                    # another document (its source digest and metadata are the key)
                    sha = entry.serving
                    key = (sha, json.dumps(entry.versions.get(sha), sort_keys=True), entry.attribution,
                           entry.license, entry.url)
                    known = self._annotated.get(entry.id)
                    if known is None or known[0] != key:
                        known = (key, self._annotate(entry.id, key, self._catalog.document(entry, sha)))
                        self._annotated[entry.id] = known
                    added[entry.id] = known[1]
                    if entry.state == "pending":
                        pending.append(entry)
                for gone in set(self._annotated) - set(added):
                    del self._annotated[gone]
                reading = {k: v for k, v in self._previews.items() if k not in added and k not in self._fixed}
                self._documents = {**reading, **added, **self._fixed}
                self._catalog_version = version
            documents = self._documents
        for entry in pending if self._auto_build else ():
            self._start_background(_build_key(entry.id, entry.sha256, self.default_voice), self._build_version,
                                   entry, self.voice(None))
        return documents

    def _annotate(self, doc_id: str, key: tuple, document: Document) -> Document:
        """The document as pages and audio use it. A long new one is first served with its titles read (its
        sentences are read as they are asked for) while the whole analysis runs in the background and then
        takes its place: a listener hears the first section of a 100-page upload without waiting for the
        other 99 pages' readings. Called with the documents lock held."""
        if sum(len(s.text) for section in document.walk() for s in section.sentences()) < self._listen_first:
            return annotate(document)

        def finish() -> None:
            try:
                whole = annotate(document)
            except Exception:  # noqa: BLE001 - the titles-only document stays served; the build reports errors
                log.exception("annotating %s failed", doc_id)
                return
            with self._doc_lock:
                if self._annotated.get(doc_id, (None,))[0] == key:
                    self._annotated[doc_id] = (key, whole)
                    self._catalog_version = None  # NOTE: the next call takes the whole analysis in
                if self._annotating.get(doc_id) is threading.current_thread():
                    del self._annotating[doc_id]

        thread = threading.Thread(target=finish, name=f"yomiage-annotate-{doc_id}", daemon=True)
        self._annotating[doc_id] = thread
        thread.start()
        return annotate_titles(document)

    def preview(self, document: Document) -> None:
        """A new document's first pages, served (titles read) while the rest of its file is read: a listener
        starts on page 1 of a long PDF while the others are read (a scan's by OCR). The document itself takes its place once it
        is added (``end_preview``). A preview streams; its files are made once the whole is read. A preview that
        cannot be shown is left out (logged): the upload goes on."""
        try:
            shown = annotate_titles(document)
        except Exception:  # noqa: BLE001 - the whole document is still read, checked and served
            log.exception("the preview of %s could not be shown", document.id)
            return
        with self._doc_lock:
            self._previews[document.id] = shown
            self._catalog_version = None  # NOTE: not "", which an empty library's version is

    def end_preview(self, doc_id: str) -> None:
        with self._doc_lock:
            if self._previews.pop(doc_id, None) is not None:
                self._catalog_version = None

    def reading(self, doc_id: str) -> bool:
        """Whether what is served under ``doc_id`` is a preview: the first pages of a file still being read."""
        return self.is_preview(self.documents().get(doc_id))

    def is_preview(self, document: Document | None) -> bool:
        return document is not None and self._previews.get(document.id) is document

    def _made_later(self, document: Document) -> None:
        if self.is_preview(document):
            raise Preparing("この文書はまだ読み取り中です。聞くことはできます。ファイルは、読み取りが終わってから作ります。")

    def wait_annotated(self, doc_id: str, timeout: float | None = None) -> None:
        """Until a document's whole analysis (readings, glossary, readability) is in what is served."""
        with self._doc_lock:
            thread = self._annotating.get(doc_id)
        if thread is not None:
            thread.join(timeout)

    def entries(self) -> dict:
        """The library's entries (state, versions, errors) as of the documents served now."""
        self.documents()
        return self._entries

    def document(self, doc_id: str) -> Document:
        document = self.documents().get(doc_id)
        if document is None:
            raise NotFoundError(f"文書「{shown(doc_id)}」はありません。")
        return document

    def section(self, doc_id: str, section_id: str) -> tuple[Document, Section, int, int]:
        document = self.document(doc_id)
        sections = list(document.walk())
        for number, section in enumerate(sections, 1):
            if section.id == section_id:
                return document, section, number, len(sections)
        raise NotFoundError(f"節「{shown(section_id)}」はこの文書にありません。")

    # -- voices -------------------------------------------------------------------------------
    def voices(self) -> list[Voice]:
        return list_voices(self.voices_dir)

    def voice(self, voice_id: str | None) -> Voice:
        return get_voice(voice_id or self.default_voice, self.voices_dir)

    def warm_up(self) -> None:
        """Measure every voice's streaming gain in the background, the default voice first (once a process: 1–2 s
        of synthesis for OpenJTalk, about 6 s for the natural voice, and nothing but reading the utterance cache
        after the first start), so no listener's first stream waits for it."""
        def measure() -> None:
            try:
                default = self.voice(None)
                voices = [default] + [v for v in self.voices() if v.id != default.id]
            except Exception:  # noqa: BLE001 - a broken preset is reported when it is asked for
                log.exception("reading the voice presets failed")
                return
            for voice in voices:
                try:
                    streaming_gain_db(voice, self.options.target_lufs + voice.volume_db, self.synth(voice))
                except Exception:  # noqa: BLE001 - a voice that cannot speak says so when it is asked to
                    log.exception("measuring the streaming gain of %s failed", voice.id)

        threading.Thread(target=measure, name="yomiage-warm-up", daemon=True).start()

    def synth(self, voice: Voice) -> Synthesizer:
        with self._synth_lock:
            if voice.id not in self._synths:
                self._synths[voice.id] = Synthesizer(voice, self.options.layout.utterances())
            return self._synths[voice.id]

    # -- audio --------------------------------------------------------------------------------
    def acquire(self) -> None:
        """Take one of MAX_SYNTH synthesis slots; wait a while, then refuse with 503 rather than pile up."""
        if not self._slots.acquire(timeout=self._wait):
            raise Busy("音声の作成が混み合っています。しばらくしてから、もう一度お試しください。")

    def release(self) -> None:
        self._slots.release()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def folder(self, document: Document, voice: Voice) -> Path:
        return self.options.layout.products(document, voice)

    def track(self, doc_id: str, section_id: str, voice: Voice) -> tuple[Track, Path, Section, int]:
        """A section's built products, made now if needed; only making them takes a synthesis slot."""
        document, section, number, total = self.section(doc_id, section_id)
        self._made_later(document)
        folder = self.folder(document, voice)
        track = find_section(document, section, voice, self.options)
        if track is None:
            with self.slot():
                track = build_section(document, section, voice, self.options, self.synth(voice))
        return track, folder, section, number

    def manifest(self, doc_id: str, voice: Voice) -> tuple[Manifest, Path]:
        """The finished manifest; if the document is not fully built yet, build it in the background."""
        document = self.document(doc_id)
        self._made_later(document)
        folder = self.folder(document, voice)
        built = self.built_manifest(document, voice)
        if built is not None:
            return built, folder
        self._start_background(_build_key(document.id, document.version, voice.id), self._build_all, document, voice)
        built = self.built_manifest(document, voice)  # NOTE: it may have been finished meanwhile
        if built is not None:
            return built, folder
        raise Preparing("文書全体の音声を準備しています。数分後にもう一度お試しください。")

    def build(self, doc_id: str, voice: Voice) -> tuple[Document, Build]:
        """A document and its finished build (what books and ZIPs are made from); if it is not fully built yet
        (or was built by a yomiage that did not narrate its title), build it in the background and say so."""
        document = self.document(doc_id)
        self._made_later(document)
        build = load_build(self.options.layout, document, voice)
        if build is not None and build.title_audio is not None:
            return document, build
        if build is None:
            self.manifest(doc_id, voice)  # NOTE: not built: starts the build, or finds it finished meanwhile
            build = load_build(self.options.layout, document, voice)
            if build is not None and build.title_audio is not None:
                return document, build
        self._start_background(_build_key(document.id, document.version, voice.id), self._build_all, document, voice)
        raise Preparing("文書全体の音声を準備しています。数分後にもう一度お試しください。")

    def built_manifest(self, document: Document, voice: Voice) -> Manifest | None:
        """The manifest of a finished build, or None; never starts one (pages show what exists)."""
        return Manifest.load(self.options.layout.manifest(document, voice))

    def _start_background(self, key: str, work, *args) -> None:
        """Run ``work`` in a thread unless one for ``key`` is already running."""
        with self._background_lock:  # NOTE: check and start together, or two requests start two builds
            thread = self._background.get(key)
            if thread and thread.is_alive():
                return
            for done in [k for k, t in self._background.items() if not t.is_alive()]:
                del self._background[done]
            thread = threading.Thread(target=work, args=args, daemon=True, name=f"build-{key}")
            self._background[key] = thread
            thread.start()

    def _build_all(self, document: Document, voice: Voice) -> None:
        try:
            if self._addressable(document) and self.builds is not self._local:
                self.builds.run(document.id, document.version or None, voice, document=document)
                return
            with self.slot():
                self._local.run(document.id, document.version or None, voice, document=document)
        except Exception:  # noqa: BLE001 - a background build must not die silently
            log.exception("background build of %s failed", document.id)

    def build_newest(self, entry, voice: Voice, on_state: Callable[[BuildState], None] | None = None) -> None:
        """Build a library document's newest version (an operator's job), here or on the workers, publishing it
        when done; a background build of the same version already running is waited for, not repeated."""
        key = _build_key(entry.id, entry.sha256, voice.id)
        with self._background_lock:
            other = self._background.get(key)
            if not (other and other.is_alive()):
                self._background[key], other = threading.current_thread(), None
        if other is not None:
            other.join()
        self._publish_newest(entry, voice, on_state)

    def _publish_newest(self, entry, voice: Voice, on_state=None) -> None:
        """Build the newest version and publish it. A new document's first listeners stream it, so the voice's
        streaming gain is measured first (once per process), not while the first of them waits."""
        streaming_gain_db(voice, self.options.target_lufs + voice.volume_db, self.synth(voice))
        self.builds.run(entry.id, entry.sha256, voice, document=self._served_as(entry), on_state=on_state)

    def _served_as(self, entry) -> Document | None:
        """The annotated document pages use, when the version to build is the one served (a new document): one
        analysis for pages and build, not two competing for the cores while a listener waits."""
        if entry.serving != entry.sha256:
            return None
        self.documents()
        self.wait_annotated(entry.id)  # NOTE: the build takes the whole analysis, not the titles-only stand-in
        document = self.documents().get(entry.id)
        return document if document is not None and document.version == entry.sha256 else None

    def _build_version(self, entry, voice: Voice) -> None:
        """A library document's new version, built as soon as it is added; published to listeners when done."""
        try:
            with self.slot():
                self._publish_newest(entry, voice)
        except Exception:  # noqa: BLE001 - recorded on the document by build_version
            log.exception("build of %s (new version) failed", entry.id)

    def _addressable(self, document: Document) -> bool:
        """Whether workers can find this document by its id (the default, or a version in the shared library)."""
        if document.id == DEFAULT_ID:
            return True
        entry = self._catalog.entry(document.id)
        return entry is not None and document.version in entry.versions

    def glossary_audio(self, doc_id: str, term_id: str, voice: Voice) -> Path:
        document = self.document(doc_id)
        self._made_later(document)
        term = document.term(term_id)
        if term is None:
            raise NotFoundError(f"用語「{shown(term_id)}」はありません。")
        with self.slot():
            return build_glossary_audio(term, voice, self.options, self.synth(voice), album=f"用語集 — {document.title}")
