"""What a build makes, as frozen types: a ``Track`` (a track's timing JSON) and a ``Manifest`` (a whole build).

The files keep their JSON shapes (players, books, feeds and other programs read them); code reads these types, not
dicts by string keys, and ``from_json``/``to_json`` are the one place each shape is spelt out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from service.speech.captions import Cue

AUDIO = ("mp3", "wav", "opus")


@dataclass(frozen=True)
class Track:
    """One section track: its files, its length as players measure it, and where each section it carries (or
    announces) starts."""

    key: str  # the key of the content it was built from
    section: str
    sections: dict  # section id -> start of its heading in seconds (the track's own section last)
    number: int  # the section's place in the document (file names)
    title: str | None
    duration: float
    files: dict  # extension (mp3, wav, opus, vtt, json) -> file name in the product folder
    sample_rate: int = 0
    loudness: float | None = None
    true_peak: float | None = None
    cues: tuple[Cue, ...] = ()
    built: bool = False  # made by this build (not reused)

    @property
    def mp3(self) -> str | None:
        return self.files.get("mp3")

    @property
    def vtt(self) -> str:
        return self.files["vtt"]

    @property
    def json(self) -> str:
        return self.files["json"]

    def file(self, extension: str) -> str | None:
        return self.files.get(extension)

    @classmethod
    def from_timing(cls, data: dict) -> Track:
        """From a track's timing JSON (or a manifest's entry, which has no key, levels or cues)."""
        files = {ext: data[ext] for ext in (*AUDIO, "vtt", "json") if data.get(ext)}
        return cls(key=data.get("key", ""), section=data["section"],
                   sections=dict(data.get("sections") or {data["section"]: 0.0}), number=int(data["number"]),
                   title=data.get("title"), duration=float(data["duration"]), files=files,
                   sample_rate=int(data.get("sample_rate") or 0), loudness=data.get("loudness"),
                   true_peak=data.get("true_peak"), cues=tuple(Cue.from_dict(c) for c in data.get("cues") or ()))

    def to_timing(self) -> dict:
        """The timing JSON written beside the track."""
        return {"key": self.key, "section": self.section, "sections": self.sections, "number": self.number,
                "title": self.title, "duration": self.duration, "sample_rate": self.sample_rate,
                "loudness": self.loudness, "true_peak": self.true_peak, "mp3": self.mp3,
                **{ext: self.files[ext] for ext in AUDIO if ext != "mp3" and ext in self.files},
                "vtt": self.vtt, "json": self.json, "cues": [c.to_dict() for c in self.cues]}

    def to_manifest(self) -> dict:
        """The track's entry in the manifest."""
        return {"section": self.section, "sections": self.sections, "number": self.number, "title": self.title,
                "mp3": self.mp3, "vtt": self.vtt, "json": self.json, "duration": round(self.duration, 6),
                **{ext: self.files[ext] for ext in AUDIO if ext != "mp3" and ext in self.files}}


@dataclass(frozen=True)
class Chapter:
    id: str
    section: str
    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Full:
    """The whole document as one chaptered MP3."""

    mp3: str
    duration: float
    chapters: tuple[Chapter, ...]
    key: str = ""  # of the tracks it was joined from (full.json)

    @classmethod
    def from_json(cls, data: dict) -> Full:
        return cls(data["mp3"], float(data["duration"]), tuple(Chapter(**c) for c in data.get("chapters", ())),
                   data.get("key", ""))

    def to_json(self) -> dict:
        """full.json, beside the MP3."""
        return {"key": self.key, "mp3": self.mp3, "duration": self.duration,
                "chapters": [_chapter(c) for c in self.chapters]}


@dataclass(frozen=True)
class Manifest:
    """A finished build of one document (one version) for one voice."""

    key: str
    published: str
    document: str
    title: str
    voice: str
    voice_name: str
    loudness_target: float
    attribution: str | None
    tracks: tuple[Track, ...]
    full: Full | None
    generator: str = "yomiage"
    extra: dict = field(default_factory=dict, compare=False)  # fields a newer yomiage wrote, kept as they were

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        full = data.get("full")
        known = {"generator", "key", "published", "document", "title", "voice", "voice_name", "loudness_target",
                 "attribution", "tracks", "full"}
        return cls(key=data.get("key", ""), published=data.get("published", ""), document=data["document"],
                   title=data["title"], voice=data["voice"], voice_name=data.get("voice_name", data["voice"]),
                   loudness_target=data.get("loudness_target"), attribution=data.get("attribution"),
                   tracks=tuple(Track.from_timing(t) for t in data["tracks"]),
                   full=Full.from_json(full) if full else None,
                   generator=data.get("generator", "yomiage"),
                   extra={k: v for k, v in data.items() if k not in known})

    def to_json(self) -> dict:
        return {
            "generator": self.generator,
            "key": self.key,
            "published": self.published,
            "document": self.document,
            "title": self.title,
            "voice": self.voice,
            "voice_name": self.voice_name,
            "loudness_target": self.loudness_target,
            "attribution": self.attribution,
            "tracks": [t.to_manifest() for t in self.tracks],
            "full": {"mp3": self.full.mp3, "chapters": [_chapter(c) for c in self.full.chapters],
                     "duration": round(self.full.duration, 6)} if self.full else None,
            **self.extra,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        """The manifest at ``path``, or None when there is none (not built yet)."""
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None



@dataclass(frozen=True)
class Build:
    """A finished build read back: what books, ZIPs and feeds are made from. Reading it synthesises and decodes
    nothing: each track's length and cues are in the files the build wrote."""

    manifest: Manifest
    tracks: tuple[Track, ...]  # in reading order, each with its cues (from its timing file)
    folder: Path  # where the track files are
    manifest_file: Path  # its manifest (written last: what a product made from the build is dated against)
    title_audio: tuple[Path, float] | None = None  # the document's title narrated on its own, and its length


def load_build(layout, document, voice) -> Build | None:
    """The finished build of ``document`` (its version) for ``voice`` in ``layout``, or None when there is none."""
    manifest_file = layout.manifest(document, voice)
    manifest = Manifest.load(manifest_file)
    if manifest is None:
        return None
    folder = layout.products(document, voice)
    try:
        tracks = tuple(Track.from_timing(json.loads((folder / t.json).read_text(encoding="utf-8")))
                       for t in manifest.tracks)
    except (OSError, ValueError, KeyError):
        return None  # NOTE: a track's timing file removed or torn: not a finished build
    stem = layout.title_stem(document, voice)
    try:
        known = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        title = (stem.with_suffix(".mp3"), float(known["duration"])) if known.get("text") == document.title \
            and stem.with_suffix(".mp3").is_file() else None
    except (OSError, ValueError, KeyError):
        title = None
    return Build(manifest, tracks, folder, manifest_file, title)


def _chapter(c: Chapter) -> dict:
    return {"id": c.id, "section": c.section, "title": c.title, "start": c.start, "end": c.end}
