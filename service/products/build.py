"""Whole-document build: section tracks (MP3 + WebVTT + timing JSON), the chaptered full MP3, the manifest.

Every product is derived from the one document tree. Files are written atomically and each track's timing
JSON (written last) records the key of what it was built from, so a rebuild skips finished tracks and a
build killed at any moment is completed by the next one.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from simplify.model import Document, Section, Term
from simplify.reading import document_places, document_with_readings, text_to_reading
from simplify.sentences import split_sentences

from service.speech import audio
from service.speech.captions import caption_cues
from service.speech.utterances import (SYNTH_VERSION, Synthesizer, Utterance, reading_to_pieces, sample_rate, section_to_audio,
                     section_to_utterances)
from service.products.layout import Layout
from service.products.manifest import Chapter, Full, Manifest, Track
from service.store import clean_stale_temporaries, single_flight, write_atomic, write_if_changed
from service.speech.voices import Voice

TRACK_VERSION = "4"  # 2: MP3 lengths; 3: caption-sized WebVTT cues; 4: heading-only sections folded
FORMATS = ("mp3", "wav", "opus")


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    target_lufs: float = -19.0
    bitrate: int = 64
    formats: tuple[str, ...] = ("mp3",)
    footnotes: bool = True
    jobs: int = 1
    id3_version: int = 4  # 3 for broadcast playout systems and car players that read only ID3v2.3
    cover: bool = True  # the feed's artwork as each MP3's front cover

    @property
    def layout(self) -> Layout:
        return Layout(self.output)


# Broadcast preset (community radio): EBU R 128 loudness, 48 kHz PCM WAV for the playout system beside the MP3,
# ID3v2.3 tags. ``yomiage build --preset broadcast``.
BROADCAST = {"target_lufs": -24.0, "formats": ("mp3", "wav"), "id3_version": 3}
COVER = Path(__file__).parent.parent / "web" / "static" / "cover.png"
_ERA = re.compile(r"(令和|平成|昭和)\s*([0-9０-９]{1,2}|元)\s*年")
_ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925}
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")


def document_year(document: Document) -> int | None:
    """The year a document names in its title or attribution (令和6年版 -> 2024, 2024年 -> 2024), if any."""
    for text in (document.title, document.source.attribution or ""):
        era = _ERA.search(text)
        if era:
            number = 1 if era[2] == "元" else int(era[2])  # NOTE: int() reads full-width digits too
            return _ERA_START[era[1]] + number
        year = _YEAR.search(text)
        if year:
            return int(year[1])
    return None


@dataclass
class BuildReport:
    tracks: list[Track] = field(default_factory=list)
    synthesised: int = 0
    built_tracks: int = 0
    seconds: float = 0.0
    manifest: Path | None = None
    built: Manifest | None = None  # what the manifest file says

    @property
    def key(self) -> str:
        """The content key of the whole build (the manifest's)."""
        return self.built.key if self.built else ""


def track_name(number: int, section: Section) -> str:
    return f"{number:02d}-{section.id}"


def download_name(number: int, section: Section, extension: str) -> str:
    """A person's file name for a track: ``03-1_概要.mp3``."""
    label = section.label.strip("（）()") or section.id
    title = "".join(c for c in section.title if c not in '\\/:*?"<>|').strip() or section.id
    return f"{number:02d}-{label}_{title}.{extension}"


@dataclass(frozen=True)
class TrackPlan:
    """One track: the section whose words it carries, the heading-only sections it announces first (a 節 or 項
    with nothing of its own but its children: a 2-7 s track would be a nuisance in a podcast app and on air),
    its file number (the section's place in the document) and its place among the tracks (ID3 n/N)."""

    section: Section
    announced: tuple[Section, ...]
    number: int
    ordinal: int
    count: int

    @property
    def sections(self) -> tuple[Section, ...]:
        return (*self.announced, self.section)


def heading_only(section: Section) -> bool:
    return bool(section.heading) and not section.blocks and not section.footnotes and bool(section.children)


def track_plans(document: Document) -> list[TrackPlan]:
    """The document's tracks in reading order: a heading-only section is folded into the next track."""
    raw: list[tuple[Section, tuple[Section, ...], int]] = []
    pending: list[Section] = []
    for number, section in enumerate(document.walk(), 1):
        if heading_only(section):
            pending.append(section)
            continue
        raw.append((section, tuple(pending), number))
        pending = []
    return [TrackPlan(section, announced, number, ordinal, len(raw))
            for ordinal, (section, announced, number) in enumerate(raw, 1)]


def plan_weight(plan: TrackPlan) -> int:
    """How much a track has to say (characters): progress and the order of work go by it."""
    return (sum(len(s.heading) for s in plan.sections) + sum(len(x.text) for x in plan.section.sentences())
            + sum(len(f"注{f.number}。{f.text}") for f in plan.section.footnotes))


def plan_for(document: Document, section_id: str) -> TrackPlan:
    """The track that carries a section, or announces it when it is only a heading."""
    for plan in track_plans(document):
        if any(s.id == section_id for s in plan.sections):
            return plan
    raise KeyError(section_id)


def _track_key(document: Document, section: Section, number: int, total: int, voice: Voice, options: BuildOptions,
               synth_keys: list[list[str]]) -> str:
    material = {
        "v": [TRACK_VERSION, SYNTH_VERSION],
        "pieces": synth_keys,
        "voice": voice.to_dict(),
        "target": options.target_lufs,
        "bitrate": options.bitrate,
        "formats": sorted(options.formats),
        "footnotes": options.footnotes,
        "tags": [document.title, section.heading, number, total, document.source.attribution, options.id3_version,
                 options.cover],
    }
    return hashlib.sha256(json.dumps(material, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _plan(document: Document, plan: TrackPlan, voice: Voice, options: BuildOptions):
    """Where a track's products go, what it says, and the key of that content."""
    folder = options.layout.products(document, voice)
    utterances = section_to_utterances(plan.section, voice, footnotes=options.footnotes, announce=plan.announced,
                                       places=document_places(document))
    synth_keys = [[p.key for r in u.readings for p in reading_to_pieces(r, voice)] + [str(u.pause_after), str(u.gap)]
                  for u in utterances]
    key = _track_key(document, plan.section, plan.ordinal, plan.count, voice, options, synth_keys)
    return folder, track_name(plan.number, plan.section), utterances, key


def find_section(document: Document, section: Section, voice: Voice, options: BuildOptions) -> Track | None:
    """The products of the track that carries (or announces) ``section``, if built for exactly this content;
    makes nothing."""
    folder, name, _, key = _plan(document, plan_for(document, section.id), voice, options)
    return built_track(folder, name, key, options)


def build_section(document: Document, section: Section, voice: Voice, options: BuildOptions, synth: Synthesizer,
                  on_progress: Callable[[int, float], None] | None = None) -> Track:
    """The products of the track that carries (or announces) ``section``; skipped when its timing JSON already
    carries the same key. ``on_progress`` hears (characters, audio seconds) as each utterance is made."""
    plan = plan_for(document, section.id)
    folder, name, utterances, key = _plan(document, plan, voice, options)
    number, total, section = plan.ordinal, plan.count, plan.section
    entry = built_track(folder, name, key, options)
    if entry is None:
        with single_flight(f"track-{key}", options.layout.locks()):
            entry = built_track(folder, name, key, options)
            if entry is None:
                heard = (lambda u, seconds: on_progress(len(u.text), seconds)) if on_progress else None
                return _make_track(document, section, number, total, voice, options, synth, key, folder, name,
                                   utterances, heard)
    if on_progress:
        on_progress(sum(len(u.text) for u in utterances), entry.duration)
    return entry


def built_track(folder: Path, name: str, key: str, options: BuildOptions) -> Track | None:
    """The one answer to "is this track built?": its timing JSON (written last) carries this content's key, and
    every file it names is there."""
    try:
        timing = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if timing.get("key") != key or not all((folder / f"{name}.{ext}").exists() for ext in (*options.formats, "vtt")):
        return None
    return Track.from_timing(timing)


def _make_track(document, section, number, total, voice, options, synth, key, folder, name, utterances,
                on_utterance=None) -> Track:
    sound = section_to_audio(section, voice, synth, footnotes=options.footnotes, utterances=utterances,
                             on_utterance=on_utterance)
    target = options.target_lufs + voice.volume_db
    result = audio.normalise(sound.samples, sound.sr, target)
    pcm = audio.to_int16(result.samples)
    tag = audio.id3_tag(
        title=section.heading or document.title,
        album=document.title,
        artist=voice.name,
        track=(number, total),
        comment=document.source.attribution or document.source.file,
        url=document.source.url,
        year=document_year(document),
        cover=COVER.read_bytes() if options.cover else None,
        version=options.id3_version,
    )
    duration = len(pcm) / sound.sr
    for ext in options.formats:
        encoded = {"mp3": lambda: tag + audio.wave_to_mp3(pcm, sound.sr, options.bitrate),
                   "wav": lambda: audio.wave_to_wav(pcm, sound.sr),
                   "opus": lambda: audio.wave_to_opus(pcm, sound.sr)}[ext]()
        if ext == "mp3":
            # NOTE: what players, chapters and books measure: the MP3's frames (the encoder pads the last one)
            _, samples, rate = audio.mp3_frames(audio.strip_id3(encoded))
            duration = samples / rate
        write_atomic(folder / f"{name}.{ext}", encoded)
    readings = {c.id: u.readings for c, u in zip(sound.cues, utterances)}
    write_atomic(folder / f"{name}.vtt", audio.cues_to_vtt(caption_cues(sound.cues, readings)))
    starts = {c.id: c.start for c in sound.cues}
    announced = [u.id[2:] for u in utterances if u.id.startswith("h-")]
    sections = {s: (0.0 if i == 0 else starts[f"h-{s}"]) for i, s in enumerate(announced)}
    sections[section.id] = 0.0 if not announced else starts.get("h", 0.0)
    track = Track(key=key, section=section.id, sections=sections, number=number, title=section.heading,
                  duration=duration, files={**{ext: f"{name}.{ext}" for ext in options.formats},
                                            "vtt": f"{name}.vtt", "json": f"{name}.json"},
                  sample_rate=sound.sr, loudness=round(result.loudness, 2), true_peak=round(result.true_peak, 2),
                  cues=tuple(sound.cues), built=True)
    # NOTE: last: the commit mark
    write_atomic(folder / f"{name}.json", json.dumps(track.to_timing(), ensure_ascii=False, indent=1))
    return track


def build_full(document: Document, tracks: list[Track], voice: Voice, options: BuildOptions) -> Full:
    """The whole document as one MP3 with an ID3 chapter per section (a heading-only section's chapter is its
    announcement at the start of the track it is folded into), joined frame by frame (no re-encoding)."""
    folder = options.layout.products(document, voice)
    key = hashlib.sha256(json.dumps([t.key for t in tracks] + [options.id3_version, options.cover]).encode()
                         ).hexdigest()[:32]
    full_path, meta_path = options.layout.full(document, voice)
    try:
        meta = Full.from_json(json.loads(meta_path.read_text(encoding="utf-8")))
        if meta.key == key and full_path.exists():
            return meta
    except (OSError, ValueError, KeyError, TypeError):
        pass
    frames, marks, position = [], [], 0.0
    for track in tracks:
        data = audio.strip_id3((folder / track.mp3).read_bytes())
        _, samples, rate = audio.mp3_frames(data)
        marks += [(section_id, position + start) for section_id, start in track.sections.items()]
        frames.append(data)
        position += samples / rate
    chapters = []
    for n, (section_id, start) in enumerate(marks):
        end = marks[n + 1][1] if n + 1 < len(marks) else position
        chapters.append(audio.Chapter(f"ch{n + 1:02d}", document.section(section_id).heading or document.title,
                                      start, end))
    tag = audio.id3_tag(title=document.title, album=document.title, artist=voice.name, track=None,
                        comment=document.source.attribution or document.source.file, url=document.source.url,
                        chapters=chapters, toc_title=document.title, year=document_year(document),
                        cover=COVER.read_bytes() if options.cover else None, version=options.id3_version)
    write_atomic(full_path, tag + b"".join(frames))
    meta = Full(full_path.name, position,
                tuple(Chapter(c.id, section_id, c.title, round(c.start, 6), round(c.end, 6))
                      for c, (section_id, _) in zip(chapters, marks)), key)
    write_atomic(meta_path, json.dumps(meta.to_json(), ensure_ascii=False, indent=1))
    return meta


class Progress:
    """Audio made, sections done and time left, on stderr, moved by every synthesised utterance (not only when a
    whole section is finished): one updating line on a terminal, a line every few seconds otherwise."""

    def __init__(self, total_sections: int, total_weight: int, enabled: bool = True, stream=None):
        self.total, self.weight, self.enabled = total_sections, max(total_weight, 1), enabled
        self.done, self.done_weight, self.audio = 0, 0, 0.0
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.shown = 0.0

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_weight / self.weight)

    def advance(self, weight: int, seconds: float) -> None:
        """Some characters of some section have been spoken (``seconds`` of audio)."""
        with self.lock:
            self.done_weight += weight
            self.audio += seconds
            self._show()

    def section_done(self) -> None:
        with self.lock:
            self.done += 1
            self._show(force=self.done == self.total)

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.shown < (0.25 if self.tty else 3.0):
            return
        self.shown = now
        elapsed = now - self.start
        fraction = self.fraction
        eta = elapsed / fraction - elapsed if fraction > 0 else 0
        bar = "#" * int(fraction * 20)
        line = (f"[{bar:<20}] {fraction * 100:3.0f}%  {self.done}/{self.total} 節  音声 {self.audio / 60:5.1f} 分  "
                f"経過 {elapsed:5.0f} 秒  残り約 {eta:4.0f} 秒")
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.enabled and self.tty:
            print(file=self.stream)


def build_document(document: Document, voice: Voice, options: BuildOptions, *, progress: bool = True,
                   on_track: Callable[[Track], None] | None = None, progress_stream=None) -> BuildReport:
    """Build every product of a document for one voice; returns what was built and what was reused."""
    started = time.monotonic()
    if any(s.title_reading is None for s in document.walk()):
        document = document_with_readings(document)
    folder = options.layout.products(document, voice)
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(options.output)
    plans = track_plans(document)
    weights = [plan_weight(plan) for plan in plans]
    bar = Progress(len(plans), sum(weights), progress, stream=progress_stream)
    synth = Synthesizer(voice, options.layout.utterances())
    results: dict[int, Track] = {}

    def work(index: int) -> None:
        track = build_section(document, plans[index].section, voice, options, synth, on_progress=bar.advance)
        results[index] = track
        bar.section_done()
        if on_track:
            on_track(track)

    # NOTE: longest tracks first, so that the threads finish together
    order = sorted(range(len(plans)), key=lambda i: -weights[i])
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for future in [pool.submit(work, i) for i in order]:
            future.result()
    bar.finish()
    tracks = [results[i] for i in range(len(plans))]
    path, manifest = join_tracks(document, tracks, voice, options)
    return BuildReport(tracks, synth.synthesised, sum(1 for t in tracks if t.built), time.monotonic() - started, path,
                       manifest)


def join_tracks(document: Document, tracks: list[Track], voice: Voice, options: BuildOptions) -> tuple[Path, Manifest]:
    """The whole-document products of finished tracks (in reading order): the chaptered MP3 and the manifest,
    written last. Needs the document's headings, not its analysis."""
    full = build_full(document, tracks, voice, options) if "mp3" in options.formats else None
    if "mp3" in options.formats:
        # NOTE: the title narrated on its own (a DAISY book's first entry) is the build's, so a book made from the
        # finished build synthesises nothing; made once per title and voice
        build_phrase_audio(document.title, options.layout.title_stem(document, voice), voice, options,
                           Synthesizer(voice, options.layout.utterances()), title=document.title,
                           album=document.title)
    content_key = hashlib.sha256(json.dumps([t.key for t in tracks]).encode()).hexdigest()[:32]
    manifest = Manifest(key=content_key, published=_published(options.layout.manifest(document, voice), content_key),
                        document=document.id, title=document.title, voice=voice.id, voice_name=voice.name,
                        loudness_target=options.target_lufs + voice.volume_db,
                        attribution=document.source.attribution, tracks=tuple(tracks), full=full)
    # NOTE: an unchanged build leaves the manifest's bytes and time alone: feeds, ETags and books follow it
    return write_if_changed(options.layout.manifest(document, voice), manifest.dumps()), manifest


def _published(path: Path, key: str) -> str:
    """When this content was first published: kept from the earlier manifest while the content key is the same."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
        if earlier.get("key") == key and earlier.get("published"):
            return earlier["published"]
    except (OSError, ValueError):
        pass
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def glossary_text(term: Term) -> str:
    """What a listener hears for a term: 「PHRは、…」 as written, or 「〜とは、」 before an explanation."""
    surface = term.surfaces[0]
    return term.plain if term.plain.startswith(surface) else f"{surface}とは、{term.plain}"


def build_glossary_audio(term: Term, voice: Voice, options: BuildOptions, synth: Synthesizer,
                         album: str = "用語集") -> Path:
    """A short MP3 of one glossary explanation (same voices, same pipeline), made once and kept."""
    text = glossary_text(term)
    folder = options.layout.glossary(voice)
    path, _ = build_phrase_audio(text, folder / term.id, voice, options, synth, title=term.surfaces[0], album=album,
                                 comment=text)
    return path


def build_phrase_audio(text: str, stem: Path, voice: Voice, options: BuildOptions, synth: Synthesizer, *,
                       title: str, album: str, comment: str = "") -> tuple[Path, float]:
    """A short text spoken on its own (a glossary explanation, a book's title) as ``stem``.mp3, with the voice's
    lead-in and tail; made once per content and kept. Returns the MP3 and its length as players measure it."""
    readings = tuple(text_to_reading(s) for s in split_sentences(text))
    utterance = Utterance("g", "phrase", text, readings, 0.0)
    pieces = [p.key for r in readings for p in reading_to_pieces(r, voice)]
    key = hashlib.sha256(json.dumps([TRACK_VERSION, pieces, voice.to_dict(), options.target_lufs, options.bitrate,
                                     title, album], ensure_ascii=False).encode()).hexdigest()[:32]
    path, meta = stem.with_suffix(".mp3"), stem.with_suffix(".json")
    with single_flight(f"phrase-{key}", options.layout.locks()):
        try:
            known = json.loads(meta.read_text(encoding="utf-8"))
            if known.get("key") == key and path.exists():
                return path, known["duration"]
        except (OSError, ValueError, KeyError):
            pass
        encoded = _spoken_mp3(utterance, voice, options, synth, store=True)
        _, frames, rate = audio.mp3_frames(encoded)
        tag = audio.id3_tag(title=title, album=album, artist=voice.name, track=None, comment=comment or text,
                            url=None, version=options.id3_version)
        write_atomic(path, tag + encoded)
        write_atomic(meta, json.dumps({"key": key, "text": text, "duration": frames / rate}, ensure_ascii=False))
    return path, frames / rate


def _spoken_mp3(utterance: Utterance, voice: Voice, options: BuildOptions, synth: Synthesizer, *,
                store: bool) -> bytes:
    """One utterance with the voice's lead-in and tail, at the loudness target, as MP3 frames (no tag)."""
    sr = sample_rate(voice)
    wave = synth.utterance_wave(utterance, sr, store=store)
    samples = np.concatenate([np.zeros(int(voice.lead_in * sr)), wave, np.zeros(int(voice.tail * sr))])
    result = audio.normalise(samples, sr, options.target_lufs + voice.volume_db)
    return audio.wave_to_mp3(audio.to_int16(result.samples), sr, options.bitrate)


def speak_text(text: str, voice: Voice, options: BuildOptions, synth: Synthesizer) -> bytes:
    """Someone's own text as an MP3 (``/api/speech``): the same readings and voice as the documents, and nothing
    of it kept (users' texts are not cached)."""
    readings = tuple(text_to_reading(s) for s in split_sentences(text))
    return _spoken_mp3(Utterance("u", "user", text, readings, 0.0), voice, options, synth, store=False)
