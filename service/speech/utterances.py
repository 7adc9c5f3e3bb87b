"""Sections -> what is spoken (utterances) -> waveforms, synthesised from the very NJD features of the readings.

Synthesis is cached per analysed piece in ``output/cache/utt``: the key covers the full-context labels (so the
spoken script), the voice (its file or speaker, speed and pitch), the engine and SYNTH_VERSION. A lexicon change
re-synthesises only the pieces whose labels it changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from simplify.model import Reading, Section
from simplify.reading import read_texts, text_to_reading

from service.speech.captions import Cue, CueKind
from service.speech.engines import DEFAULT, Script, engine_for
from service.store import get_or_create
from service.speech.voices import Voice

SYNTH_VERSION = "1"
# NOTE: HTS output is float on the int16 scale and overshoots it (peaks near 43,000 measured); the cache keeps
# int16 at half scale so that nothing clips before loudness normalisation.
_STORE_SCALE = 0.5
_PIECE_GAP = 0.12  # silence between the pieces of a sentence split for analysis, and inside a footnote
LABEL_PAUSE = 0.35  # between a heading's label and its title: 「イチ」…「ガイヨー」, not 「イチガイヨー」


@dataclass(frozen=True)
class Utterance:
    """One cue: a heading, a sentence, a figure caption or a footnote, and the pause after it."""

    id: str
    kind: CueKind  # a table cue is a row, or a skipped table's announcement
    text: str
    readings: tuple[Reading, ...]
    pause_after: float
    block: int | None = None
    index: int | None = None
    gap: float = _PIECE_GAP  # silence between its readings' pieces


def heading_cue(section: Section, announced: bool = False) -> str:
    """The cue id of a section's heading: ``h`` in its own track, ``h-<id>`` when announced in another's."""
    return f"h-{section.id}" if announced else "h"


def _heading(section: Section, voice: Voice, cue: str, places: tuple) -> Utterance:
    title = section.title_reading or text_to_reading(section.title, ruby=section.title_ruby, places=places)
    if section.label and section.title:
        # NOTE: the label, a short pause, then the title: numbered headings are said as a listener expects
        return Utterance(cue, "heading", section.heading, (text_to_reading(section.label), title),
                         voice.heading_pause, gap=LABEL_PAUSE)
    if section.heading == section.title:
        return Utterance(cue, "heading", section.heading, (title,), voice.heading_pause)
    return Utterance(cue, "heading", section.heading, (text_to_reading(section.heading, places=places),),
                     voice.heading_pause)


TABLE_SKIPPED = "ここに表があります。表の読み上げは省略します。"


def section_to_utterances(section: Section, voice: Voice, *, footnotes: bool = True,
                          announce: tuple[Section, ...] = (), places: tuple = ()) -> list[Utterance]:
    """What a section's track says: the headings it announces for sections that are only a heading (its parents,
    folded into it), its own heading, its own body, then its footnotes (「注1。…」). A section not yet analysed
    (a worker's track, a stream before the whole analysis) is read here with the document's ``places``
    (``simplify.reading.document_places``), as the whole analysis reads it."""
    out: list[Utterance] = [_heading(parent, voice, heading_cue(parent, True), places) for parent in announce]
    if section.heading:
        out.append(_heading(section, voice, heading_cue(section), places))
    number = 0
    for b, block in enumerate(section.blocks):
        if block.type == "table" and voice.tables == "skip":
            # NOTE: announced, not read; the rows keep their cue numbers so the page and the audio stay aligned
            out.append(Utterance(f"s{number + 1}", "table", TABLE_SKIPPED, (text_to_reading(TABLE_SKIPPED),),
                                 voice.paragraph_pause, b, 0))
            number += len(block.sentences)
            continue
        for i, sentence in enumerate(block.sentences):
            number += 1
            last = i == len(block.sentences) - 1
            pause = voice.paragraph_pause if last else voice.sentence_pause
            reading = _for_voice(sentence.reading or _read(sentence.text, sentence.ruby, places), voice)
            kind = {"figure": "figure", "table": "table"}.get(block.type, "sentence")
            out.append(Utterance(f"s{number}", kind, sentence.text, (reading,), pause, b, i))
    if footnotes and section.footnotes:
        if out:
            out[-1] = _with_pause(out[-1], max(out[-1].pause_after, voice.footnote_pause))
        for note in section.footnotes:
            label = f"注{note.number}。"
            reading = _for_voice(note.reading or _read(note.text, note.ruby, places), voice)
            out.append(Utterance(f"n{note.number}", "footnote", f"{label}{note.text}",
                                 (text_to_reading(label), reading), voice.footnote_pause))
    if out:
        out[-1] = _with_pause(out[-1], 0.0)
    return out


def _read(text: str, ruby: tuple, places: tuple) -> Reading:
    """A text's reading as ``document_with_readings`` makes it (with its half-past variant)."""
    return read_texts([(text, ruby)], places=places)[0]


def _for_voice(reading: Reading, voice: Voice) -> Reading:
    """The reading as this voice says it: with 半 for half past where its preset says ``clock = "half"``."""
    return reading.half_hours if voice.clock == "half" and reading.half_hours is not None else reading


def _with_pause(u: Utterance, pause: float) -> Utterance:
    return replace(u, pause_after=pause)


# ---------------------------------------------------------------------------------------------
# Synthesis


def sample_rate(voice: Voice) -> int:
    """The sample rate of the engine that speaks a voice."""
    return engine_for(voice).sample_rate(voice)


def features_to_labels(features) -> list[str]:
    import pyopenjtalk  # NOTE: ≈ 0.3 s with its dictionary, only where labels are first made

    return list(pyopenjtalk.make_label([dict(f) for f in features]))


def features_to_script(features) -> Script:
    """What a run of NJD features says, in both forms engines read: the words and their labels."""
    return Script(tuple(features), tuple(features_to_labels(features)))


def script_to_wave(script: Script, voice: Voice) -> np.ndarray:
    """Synthesise a script with the voice's engine; float64 on the int16 scale, as HTS returns it."""
    return engine_for(voice).synthesize(script, voice)


@dataclass(frozen=True)
class Piece:
    """One synthesis unit: an analysed piece of a reading, with its cache key."""

    labels: tuple[str, ...]
    key: str
    chunk: tuple[dict, ...]  # the NJD features it was labelled from

    @property
    def script(self) -> Script:
        return Script(self.chunk, self.labels)


def reading_to_pieces(reading: Reading, voice: Voice) -> tuple[Piece, ...]:
    """The synthesis units of a reading; labelled once (keys, builds and streams all ask for them)."""
    return _pieces(reading, voice, engine_for(voice).name)


@lru_cache(maxsize=2048)  # NOTE: a document has a few hundred readings; labels are ~10 KB each
def _pieces(reading: Reading, voice: Voice, engine: str) -> tuple[Piece, ...]:
    pieces = []
    for chunk in reading.chunks:
        labels = tuple(features_to_labels(chunk))
        if len(labels) <= 2:  # only silence: nothing to say
            continue
        # NOTE: another engine's sound is another content (OpenJTalk's keys are those from before the seam); an
        # engine may read the words, so their boundaries are part of its keys
        material = [SYNTH_VERSION, voice.synthesis_key, labels]
        if engine != DEFAULT:
            material += [engine, [f.get("string", "") for f in chunk]]
        digest = hashlib.sha256(json.dumps(material).encode()).hexdigest()
        pieces.append(Piece(labels, digest[:32], chunk))
    return tuple(pieces)


class Synthesizer:
    """Pieces -> float waveforms (-1..1), from the cache when there, else synthesised once and stored."""

    def __init__(self, voice: Voice, cache: Path):
        self.voice = voice
        self.cache = cache
        self.synthesised = 0  # pieces actually synthesised by this object (cache misses)
        self._count = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.cache / key[:2] / f"{key}.npy"

    def is_cached(self, piece: Piece) -> bool:
        return self._path(piece.key).exists()

    def piece_wave(self, piece: Piece, *, store: bool = True) -> np.ndarray:
        if not store and not self.is_cached(piece):
            return script_to_wave(piece.script, self.voice) / 32768  # NOTE: users' own texts are not kept

        def make() -> bytes:
            wave = script_to_wave(piece.script, self.voice)
            stored = np.clip(np.round(wave * _STORE_SCALE), -32768, 32767).astype(np.int16)
            buffer = io.BytesIO()
            np.save(buffer, stored, allow_pickle=False)
            with self._count:
                self.synthesised += 1
            return buffer.getvalue()

        data, _ = get_or_create(self._path(piece.key), piece.key, make, self.cache.parent / "locks")
        stored = np.load(io.BytesIO(data), allow_pickle=False)
        return stored.astype(np.float32) * np.float32(1 / (_STORE_SCALE * 32768))

    def utterance_wave(self, utterance: Utterance, sr: int, *, store: bool = True) -> np.ndarray:
        gap = np.zeros(int(utterance.gap * sr), dtype=np.float32)
        parts: list[np.ndarray] = []
        for reading in utterance.readings:
            for piece in reading_to_pieces(reading, self.voice):
                if parts:
                    parts.append(gap)
                parts.append(self.piece_wave(piece, store=store))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# A section as one waveform with cue times


@dataclass(frozen=True)
class SectionAudio:
    samples: np.ndarray  # float32, -1..1 (not yet normalised)
    sr: int
    cues: list[Cue]


def section_to_audio(section: Section, voice: Voice, synth: Synthesizer, *, footnotes: bool = True,
                     utterances: list[Utterance] | None = None,
                     on_utterance: Callable[[Utterance, float], None] | None = None) -> SectionAudio:
    """The section's waveform and cue times; ``on_utterance`` hears of each utterance as it is made (progress)."""
    sr = sample_rate(voice)
    if utterances is None:
        utterances = section_to_utterances(section, voice, footnotes=footnotes)
    parts = [np.zeros(int(voice.lead_in * sr), dtype=np.float32)]
    position = len(parts[0])
    cues = []
    for u in utterances:
        wave = synth.utterance_wave(u, sr)
        cues.append(Cue(u.id, u.kind, u.text, position / sr, (position + len(wave)) / sr, u.block, u.index))
        parts.append(wave)
        position += len(wave)
        if on_utterance:
            on_utterance(u, (len(wave) / sr) + u.pause_after)
        pause = np.zeros(int(u.pause_after * sr), dtype=np.float32)
        parts.append(pause)
        position += len(pause)
    parts.append(np.zeros(int(voice.tail * sr), dtype=np.float32))
    return SectionAudio(np.concatenate(parts), sr, cues)


# ---------------------------------------------------------------------------------------------
# Streaming: audio before the whole section is synthesised


def _clauses(chunk: tuple[dict, ...]) -> list[list[dict]]:
    """Split NJD features at pauses (、), so the first words can be synthesised on their own."""
    parts, current = [], []
    for feature in chunk:
        current.append(feature)
        if feature.get("pron") == "、" and any(f.get("pos") != "記号" for f in current):
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def stream_utterance_waves(section: Section, voice: Voice, synth: Synthesizer, *, footnotes: bool = True,
                           announce: tuple[Section, ...] = (), places: tuple = ()) -> Iterator[np.ndarray]:
    """Float waveforms in speaking order, pauses included; clause by clause until the first cached piece."""
    sr = sample_rate(voice)
    yield np.zeros(int(voice.lead_in * sr))
    eager = True  # NOTE: split clause by clause only while nothing has been heard yet
    for u in section_to_utterances(section, voice, footnotes=footnotes, announce=announce, places=places):
        first_piece = True
        for reading in u.readings:
            for piece in reading_to_pieces(reading, voice):
                if not first_piece:
                    yield np.zeros(int(u.gap * sr))
                first_piece = False
                if eager and not synth.is_cached(piece):
                    for clause in _clauses(piece.chunk):
                        script = features_to_script(clause)
                        if len(script.labels) > 2:
                            yield script_to_wave(script, voice) / 32768
                    eager = False
                    continue
                eager = False
                yield synth.piece_wave(piece)
        yield np.zeros(int(u.pause_after * sr))
    yield np.zeros(int(voice.tail * sr))
