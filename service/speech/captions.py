"""Caption cues for WebVTT: what a deaf or hard-of-hearing listener can read while the voice speaks.

A sentence cue (what the page highlights) can last 50 seconds; a caption must not. Following Japanese timed-text
practice (Netflix's Japanese timed text style guide: at most 2 lines of 13 full-width characters, a cue no
longer than 7 seconds), each sentence is cut at its clause pauses (、。), then, where a clause is still too long,
between words. Times inside a sentence are shared out by morae (OpenJTalk speaks at a near-even mora rate, and
each 、 is a pause), so a caption appears when its words are said, give or take a fraction of a second.
Caption ids are ``<sentence cue id>.<n>``: players show them, the page groups them back into its sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simplify.linebreak import break_lines
from simplify.model import Reading

LINE_WIDTH = 13.0  # full-width characters per line
LINES = 2
MAX_SECONDS = 7.0
_PAUSE_MORAE = 2.0  # a 、 or 。 pause, in morae
_SMALL = set("ァィゥェォャュョヮ")
_CLAUSE_END = set("、。，．！？!?；;")


def _morae(pron: str) -> float:
    return float(sum(1 for c in pron if "ァ" <= c <= "ヴ" or c == "ー") - sum(1 for c in pron if c in _SMALL))


CueKind = Literal["heading", "sentence", "figure", "table", "footnote", "title", "caption"]


@dataclass(frozen=True)
class Cue:
    """A stretch of a track: what is said (a heading, sentence, figure, table row, footnote, the book title, or a
    caption's lines) and when, in seconds from the track's start. ``block``/``sentence`` place a body cue in its
    section; the timing JSON holds cues as dicts (``to_dict``/``from_dict``), nothing else does."""

    id: str
    kind: CueKind
    text: str
    start: float
    end: float
    block: int | None = None
    sentence: int | None = None

    @classmethod
    def from_dict(cls, data: dict) -> Cue:
        return cls(data["id"], data.get("kind", "caption"), data["text"], float(data["start"]), float(data["end"]),
                   data.get("block"), data.get("sentence"))

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
                "block": self.block, "sentence": self.sentence}


@dataclass
class _Unit:
    text: str
    weight: float


def _words(readings: tuple[Reading, ...], text: str) -> list[_Unit]:
    """The cue's text as words with their weight in morae (pauses included); the plain characters when the
    readings do not spell the cue's text."""
    tokens = [t for r in readings for t in r.tokens]
    if "".join(t.surface for t in tokens) != text:
        return [_Unit(c, 1.0) for c in text]
    units = []
    for token in tokens:
        weight = _morae(token.pron)
        if token.surface and token.surface[-1] in _CLAUSE_END:
            weight += _PAUSE_MORAE
        units.append(_Unit(token.surface, max(weight, 0.0)))
    return units


def _clauses(words: list[_Unit]) -> list[list[_Unit]]:
    clauses, current = [], []
    for word in words:
        current.append(word)
        if word.text and word.text[-1] in _CLAUSE_END:
            clauses.append(current)
            current = []
    if current:
        clauses.append(current)
    return clauses


def _fits(words: list[_Unit], seconds_per_weight: float) -> bool:
    text = "".join(w.text for w in words)
    return len(lines(text)) <= LINES and sum(w.weight for w in words) * seconds_per_weight <= MAX_SECONDS


def _pieces(words: list[_Unit], seconds_per_weight: float) -> list[list[_Unit]]:
    """Clauses joined while they fit one caption; a clause that does not fit alone is cut between words
    (and a word wider than a caption between characters)."""
    out: list[list[_Unit]] = []
    for clause in _clauses(words):
        if out and _fits(out[-1] + clause, seconds_per_weight):
            out[-1] = out[-1] + clause
            continue
        current: list[_Unit] = []
        for word in clause:
            for part in _split_word(word, seconds_per_weight):
                if current and not _fits(current + [part], seconds_per_weight):
                    out.append(current)
                    current = []
                current.append(part)
        if current:
            out.append(current)
    return out


def _split_word(word: _Unit, seconds_per_weight: float) -> list[_Unit]:
    if _fits([word], seconds_per_weight):
        return [word]
    n = max(1, len(word.text))
    return [_Unit(c, word.weight / n) for c in word.text]


def lines(text: str) -> list[str]:
    """``text`` broken into caption lines of at most LINE_WIDTH (simplify.linebreak: JLReq line-start rule)."""
    return break_lines(text, LINE_WIDTH)


def caption_cues(cues: list[Cue], readings: dict[str, tuple[Reading, ...]]) -> list[Cue]:
    """Caption-sized cues from sentence cues (``readings``: each cue id's readings, for words and morae)."""
    out = []
    for cue in cues:
        words = _words(readings.get(cue.id, ()), cue.text)
        total = sum(w.weight for w in words) or 1.0
        span = cue.end - cue.start
        pieces = _pieces(words, span / total)
        start = cue.start
        for n, piece in enumerate(pieces, 1):
            end = cue.end if n == len(pieces) else start + span * sum(w.weight for w in piece) / total
            text = "".join(w.text for w in piece)
            out.append(Cue(f"{cue.id}.{n}", "caption", "\n".join(lines(text)), start, end))
            start = end
    return out
