"""Readings and accent measured against hand annotation (the JSUT BASIC5000 labels, ``tests/data/readings``).

For each sentence a reader gives the kana the voice says and the full-context labels it synthesises; they are
compared with the hand-annotated kana (after folding long vowels and いう/ゆう, which the annotation and OpenJTalk
write differently for the same sound) and with the annotated prosody: accent-phrase boundaries (``#``, and a pause
``_``, which also ends a phrase) and accent nuclei (``]``, the fall after a mora), placed on the phoneme sequence.
Accent is compared only where the phonemes agree (a misread word has no place to compare a fall against).
The conversion from labels to those symbols is the labels' own definition (HTS full-context: /A: the mora's
position against the nucleus and in its phrase, /F: the phrase's length) — written here, not taken from a tool.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DEV = Path(__file__).parent / "data" / "readings" / "jsut-basic-dev.tsv"
HELD_OUT = range(2001, 2501)  # NOTE: BASIC5000_2001–2500 are kept aside: a test split nobody tunes on


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    kana: str
    prosody: tuple[str, ...]


def load(path: Path = DEV) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ident, text, kana, prosody = line.split("\t")
        items.append(Item(ident, text, kana, tuple(prosody.split("-"))))
    return items


def split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """(development, held out)."""
    held = [i for i in items if int(i.id.rsplit("_", 1)[1]) in HELD_OUT]
    return [i for i in items if i not in held], held


_VOWELS = {**{c: "a" for c in "あかさたなはまやらわがざだばぱぁゃゎ"}, **{c: "i" for c in "いきしちにひみりぎじぢびぴぃ"},
           **{c: "u" for c in "うくすつぬふむゆるぐずづぶぷぅゅっ"}, **{c: "e" for c in "えけせてねへめれげぜでべぺぇ"},
           **{c: "o" for c in "おこそとのほもよろをごぞどぼぽぉょ"}}
_LONG = {"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お"}


def fold(kana: str) -> str:
    """Kana as a sound: hiragana, no pauses, marks or spaces; ー as its vowel; おう/えい as long vowels (the
    annotation and OpenJTalk write either); ゆう (言う) as いう; づ/ぢ as ず/じ (one sound; OpenJTalk's kana keep
    the spelling, the annotation writes what is heard)."""
    text = unicodedata.normalize("NFKC", kana)
    text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    text = text.replace("づ", "ず").replace("ぢ", "じ")
    text = re.sub(r"[、。，．？！?!’'\s・「」]", "", text)
    out: list[str] = []
    for c in text:
        if c == "ー" and out:
            out.append(_LONG.get(_VOWELS.get(out[-1], ""), ""))
        else:
            out.append(c)
    text = "".join(out).replace("ゆう", "いう")
    text = re.sub(r"(?<=[おこそとのほもよろごぞどぼぽょ])う", "お", text)
    return re.sub(r"(?<=[えけせてねへめれげぜでべぺぇ])い", "え", text)


def prosody(labels: list[str]) -> tuple[str, ...]:
    """Phonemes with ``^ $ _ # [ ]`` (and ``?``) from full-context labels, by the labels' own fields."""
    out: list[str] = []
    for index, label in enumerate(labels):
        phoneme = re.search(r"-(.+?)\+", label)[1]
        if phoneme == "sil":
            out.append("^" if index == 0 else ("?" if out and out[-1] == "?" else "$"))
            continue
        if phoneme == "pau":
            out.append("_")
            continue
        out.append(phoneme)
        a1, a2, a3 = (_field(label, r"/A:([\d\-]+|xx)\+(\d+|xx)\+(\d+|xx)/", k) for k in (1, 2, 3))
        f1 = _field(label, r"/F:(\d+|xx)_", 1)
        following = labels[index + 1] if index + 1 < len(labels) else ""
        next_phoneme = re.search(r"-(.+?)\+", following)[1] if following else "sil"
        a2_next = _field(following, r"/A:[\d\-]+\+(\d+|xx)\+", 1) if following else None
        if a3 == 1 and a2_next == 1 and next_phoneme not in ("sil", "pau"):
            out.append("#")
        elif a1 == 0 and a2_next == (a2 or 0) + 1 and a2 != f1:
            out.append("]")
        elif a2 == 1 and a2_next == 2:
            out.append("[")
    return tuple(out)


def _field(label: str, pattern: str, group: int) -> int | None:
    m = re.search(pattern, label)
    if not m or m[group] == "xx":
        return None
    return int(m[group])


def join_chunks(chunks: list[list[str]]) -> list[str]:
    """Labels of a sentence synthesised in pieces, as one: the silences between pieces are pauses."""
    out: list[str] = []
    for n, labels in enumerate(chunks):
        body = list(labels)
        if n > 0:
            body = [l.replace("-sil+", "-pau+", 1) if i == 0 else l for i, l in enumerate(body)]
            if out:
                out.pop()  # the previous piece's closing sil: one pause stands for both
        out.extend(body)
    return out


@dataclass
class Scores:
    sentences: int = 0
    right: int = 0  # kana right (folded)
    edits: int = 0
    chars: int = 0
    compared: int = 0  # sentences whose phonemes agree (accent compared there)
    prosody_right: int = 0
    boundaries: tuple[int, int, int] = (0, 0, 0)  # true positives, found, annotated
    nuclei: tuple[int, int, int] = (0, 0, 0)

    @property
    def accuracy(self) -> float:
        return self.right / self.sentences if self.sentences else 0.0

    @property
    def kana_error_rate(self) -> float:
        return self.edits / self.chars if self.chars else 0.0

    @staticmethod
    def f1(counts: tuple[int, int, int]) -> float:
        hit, found, wanted = counts
        return 2 * hit / (found + wanted) if found + wanted else 0.0


def _positions(symbols: tuple[str, ...], marks: set[str]) -> tuple[list[str], set[int]]:
    """The phonemes (a devoiced vowel, OpenJTalk's capital, as its vowel) and where the ``marks`` stand among them."""
    phonemes, where = [], set()
    for s in symbols:
        if s in marks:
            where.add(len(phonemes))
        elif s not in "^$_#[]?":
            phonemes.append(s.lower() if s in "AIUEO" else s)
    return phonemes, where


def score(items: list[Item], read) -> Scores:
    """``read(text) -> (kana, labels)`` over ``items``."""
    from rapidfuzz.distance import Levenshtein

    out = Scores()
    bound, nuc = [0, 0, 0], [0, 0, 0]
    for item in items:
        kana, labels = read(item.text)
        ours, gold = fold(kana), fold(item.kana)
        out.sentences += 1
        out.right += ours == gold
        out.edits += Levenshtein.distance(ours, gold)
        out.chars += len(gold)
        mine = prosody(labels)
        phon_ours, b_ours = _positions(mine, {"#", "_"})
        phon_gold, b_gold = _positions(item.prosody, {"#", "_"})
        if phon_ours != phon_gold:
            continue
        out.compared += 1
        out.prosody_right += ([s.lower() if s in "AIUEO" else s for s in mine if s not in "^$?"]
                              == [s for s in item.prosody if s not in "^$?"])
        _, n_ours = _positions(mine, {"]"})
        _, n_gold = _positions(item.prosody, {"]"})
        for counts, a, b in ((bound, b_ours, b_gold), (nuc, n_ours, n_gold)):
            counts[0] += len(a & b)
            counts[1] += len(a)
            counts[2] += len(b)
    out.boundaries, out.nuclei = tuple(bound), tuple(nuc)
    return out


def yomiage(text: str) -> tuple[str, list[str]]:
    """What yomiage says: its reading's spoken script, and the labels it synthesises from the reading's features."""
    import pyopenjtalk

    from simplify.reading import text_to_reading

    reading = text_to_reading(text)
    return reading.spoken, join_chunks([pyopenjtalk.make_label([dict(f) for f in chunk]) for chunk in reading.chunks])


def bare(text: str) -> tuple[str, list[str]]:
    """Bare pyopenjtalk on the raw text."""
    import pyopenjtalk

    features = pyopenjtalk.run_frontend(text)
    return "".join(f["pron"] for f in features), pyopenjtalk.make_label(features)
