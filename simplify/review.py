"""Reading review: where OpenJTalk (what yomiage says and shows) and a second, independent analyser (UniDic,
through fugashi) disagree on how a word is read, for the people who maintain the lexicon.

Both analyses of every sentence are aligned by character offsets: tokens are grouped until both sides end at the
same character, so different word boundaries (情報/通信 against 情報通信) still compare the same text. A group
disagrees when it has kanji and the two pronunciations are different words (long vowels apart: トーキョー is
トウキョウ). Each disagreement says whether it is already decided: by the lexicon or a context rule (yomiage
changed the reading there), or by a reviewed decision kept in ``simplify/reviewed.toml`` (a person listened and
said which analyser is right).
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .model import Document
from .places import place_readings, places_pattern
from .reading import is_kanji, same_sound, text_to_reading
from .spoken_forms import spoken_form_spans
from .unidic import unidic_tagger


@dataclass(frozen=True)
class Decision:
    surface: str
    spoken: str  # the right pronunciation, katakana as the voice says it
    example: str  # a text where it occurs (a test checks the voice says ``spoken`` there)
    note: str


@dataclass
class Disagreement:
    surface: str
    openjtalk: str  # what yomiage says (katakana)
    unidic: str  # what UniDic says
    count: int = 0
    contexts: list[str] = field(default_factory=list)
    decided: str = ""  # lexicon | rule | printed | reviewed: yomiage right | reviewed: UniDic right | ""

    def to_dict(self) -> dict:
        return {"surface": self.surface, "openjtalk": self.openjtalk, "unidic": self.unidic, "count": self.count,
                "decided": self.decided, "contexts": self.contexts}


@lru_cache(maxsize=1)
def reviewed() -> dict[str, Decision]:
    """The reviewed decisions: surface -> the right pronunciation."""
    data = tomllib.loads((resources.files("simplify") / "reviewed.toml").read_text(encoding="utf-8"))
    return {d["surface"]: Decision(d["surface"], d["spoken"], d["example"], d.get("note", ""))
            for d in data.get("decision", [])}


def _unidic_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, pronunciation) of each UniDic token; "" where UniDic has no reading (symbols, digits)."""
    out, pos = [], 0
    with unidic_tagger() as tagger:
        words = [(word.surface, word.feature) for word in tagger(text)]
    for surface, feature in words:
        start = text.find(surface, pos)
        if start < 0:
            continue
        pron = getattr(feature, "pron", None) or ""
        out.append((start, start + len(surface), pron if pron != "*" else ""))
        pos = start + len(surface)
    return out


def sentence_disagreements(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, yomiage's pronunciation, UniDic's, how yomiage decided it) for each group that disagrees."""
    ours = [t for t in text_to_reading(text).tokens if t.surface]
    theirs = _unidic_tokens(text)
    out = []
    i = j = 0
    while i < len(ours) and j < len(theirs):
        a0 = min(ours[i].start, theirs[j][0])
        group_ours, group_theirs = [ours[i]], [theirs[j]]
        end_a, end_b = ours[i].end, theirs[j][1]
        i += 1
        j += 1
        while end_a != end_b:
            if end_a < end_b and i < len(ours):
                group_ours.append(ours[i])
                end_a = ours[i].end
                i += 1
            elif end_b < end_a and j < len(theirs):
                group_theirs.append(theirs[j])
                end_b = theirs[j][1]
                j += 1
            else:
                break
        surface = text[a0:max(end_a, end_b)]
        if not any(is_kanji(c) for c in surface) or any(not t[2] for t in group_theirs):
            continue
        said = "".join(t.pron for t in group_ours)
        other = "".join(t[2] for t in group_theirs)
        if said and other and not same_sound(said, other):
            how = next((t.source for t in group_ours if t.source in ("lexicon", "rule", "printed", "ruby")), "")
            out.append((surface, said, other, how))
    return out


def review(document: Document, contexts: int = 2) -> list[Disagreement]:
    """Every disagreement in the document, most frequent first, with a few contexts and its decision."""
    found: dict[tuple[str, str, str], Disagreement] = {}
    decided: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    texts = [s.text for section in document.walk() for s in section.sentences()]
    texts += [f.text for section in document.walk() for f in section.footnotes]
    decisions = reviewed()
    for text in texts:
        for surface, said, other, how in sentence_disagreements(text):
            key = (surface, said, other)
            entry = found.setdefault(key, Disagreement(surface, said, other))
            entry.count += 1
            if len(entry.contexts) < contexts:
                at = text.find(surface)
                entry.contexts.append(text[max(0, at - 12): at + len(surface) + 12])
            decided[key][how] += 1
    for key, entry in found.items():
        how = decided[key].most_common(1)[0][0]
        decision = decisions.get(entry.surface) or next(
            (d for d in decisions.values() if d.surface in entry.surface
             and d.spoken in entry.openjtalk + entry.unidic), None)  # NOTE: a group wider than the word (は偽)
        if how:
            entry.decided = how
        elif decision is not None:
            right = decision.spoken in entry.openjtalk or same_sound(decision.spoken, entry.openjtalk)
            entry.decided = "reviewed: yomiage right" if right else "reviewed: UniDic right"
    return sorted(found.values(), key=lambda d: (-d.count, d.surface))


def summary(disagreements: list[Disagreement]) -> dict[str, int]:
    """Counts of word occurrences: all, decided by lexicon/rule, reviewed, still open."""
    total = sum(d.count for d in disagreements)
    by = Counter()
    for d in disagreements:
        by["lexicon or rule" if d.decided in ("lexicon", "rule", "printed", "ruby") else
           "reviewed" if d.decided.startswith("reviewed") else "open"] += d.count
    return {"disagreements": total, "distinct": len(disagreements), **by}


# -- how printed forms are said ----------------------------------------------------------------------------------

@dataclass
class SpokenForm:
    """A printed form the voice says otherwise (9:00～12:00: 9時から12時; 志賀町: シカマチ), counted in a document."""

    printed: str
    spoken: str
    kind: str  # simplify.spoken_forms.KINDS, or "place"
    count: int = 0
    contexts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"printed": self.printed, "spoken": self.spoken, "kind": self.kind, "count": self.count,
                "contexts": self.contexts}


def spoken_forms_report(document: Document, contexts: int = 2) -> list[SpokenForm]:
    """Every range, time, date, address, e-mail address, fee, counted law and place name the document prints,
    with what the voice says for it (the same substitutions the reading makes), in order of first appearance.
    Pieces that touch (9:00, ～, 12:00) are one form, as a listener hears them."""
    texts = [section.title for section in document.walk() if section.title]
    texts += [s.text for section in document.walk() for s in section.sentences()]
    texts += [f.text for section in document.walk() for f in section.footnotes]
    named = places_pattern(place_readings(texts))
    found: dict[tuple[str, str], SpokenForm] = {}
    for text in texts:
        spans = list(spoken_form_spans(text))
        if named is not None:
            pattern, kana = named
            spans += [(m.start(), m.end(), kana[m.group()], "place") for m in pattern.finditer(text)]
        for start, end, kind in _joined(sorted(spans)):
            printed = text[start:end]
            entry = found.setdefault((printed, kind), SpokenForm(printed, _said(text, start, end, spans), kind))
            entry.count += 1
            if len(entry.contexts) < contexts:
                entry.contexts.append(text[max(0, start - 12): end + 12])
    return list(found.values())


def _joined(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str]]:
    """Touching spans as one (a range and its two times): (start, end, kind), the kind ``range`` where one is."""
    out: list[list] = []
    for start, end, _, kind in spans:
        if out and start == out[-1][1] and "place" not in (kind, out[-1][2]):
            out[-1][1] = end
            out[-1][2] = "range" if "range" in (kind, out[-1][2]) else out[-1][2]
        else:
            out.append([start, end, kind])
    return [tuple(span) for span in out]


def _said(text: str, start: int, end: int, spans: list) -> str:
    """What the voice says for text[start:end]: each piece's spoken form, the printed text between them."""
    out, at = [], start
    for s, e, said, _ in sorted(spans):
        if start <= s and e <= end:
            out += [text[at:s], said]
            at = e
    return "".join(out + [text[at:end]])
