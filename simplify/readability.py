"""Readability figures for teachers and support staff: sentence length, kanji ratio, 語種, jReadability.

The score is jReadability (Lee & Hasebe 2016) as computed by the ``jreadability`` package on UniDic
(``unidic-lite``, shipped in its wheel: nothing is downloaded). Bands, from the authors' scale:
0.5–1.5 上級後半, 1.5–2.5 上級前半, 2.5–3.5 中級後半, 3.5–4.5 中級前半, 4.5–5.5 初級後半, 5.5–6.5 初級前半.
"""

from __future__ import annotations

from dataclasses import dataclass

from jreadability import compute_readability

from .reading import is_kanji
from .sentences import split_sentences
from .unidic import unidic_tagger

BANDS = (
    (5.5, "初級前半", "lower elementary"),
    (4.5, "初級後半", "upper elementary"),
    (3.5, "中級前半", "lower intermediate"),
    (2.5, "中級後半", "upper intermediate"),
    (1.5, "上級前半", "lower advanced"),
    (float("-inf"), "上級後半", "upper advanced"),
)
ELEMENTARY = 4.5
_GOSHU = {"和": "wago", "漢": "kango", "外": "gairaigo", "混": "konshu", "固": "proper"}


@dataclass(frozen=True)
class Readability:
    sentences: int
    mean_length: float  # characters per sentence
    max_length: int
    kanji_ratio: float  # kanji among non-space characters
    goshu: dict  # share of words by origin: wago, kango, gairaigo, konshu, proper, other
    score: float  # jReadability
    band: str
    band_en: str

    def to_dict(self) -> dict:
        return {
            "sentences": self.sentences,
            "mean_length": round(self.mean_length, 1),
            "max_length": self.max_length,
            "kanji_ratio": round(self.kanji_ratio, 3),
            "goshu": {k: round(v, 3) for k, v in self.goshu.items()},
            "score": round(self.score, 2),
            "band": self.band,
            "band_en": self.band_en,
        }


def band_of(score: float) -> tuple[str, str]:
    return next((ja, en) for floor, ja, en in BANDS if score >= floor)


def sentences_to_readability(sentences: list[str]) -> Readability | None:
    """Figures for a list of sentences (a section's, or one explanation split at 。); None when empty."""
    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        return None
    text = "".join(sentences)
    chars = [c for c in text if not c.isspace()]
    with unidic_tagger() as tagger:
        words = tagger(text)
        counts: dict[str, int] = {}
        for word in words:
            key = _GOSHU.get(word.feature.goshu or "", "other")
            counts[key] = counts.get(key, 0) + 1
        score = compute_readability(text, tagger)
    total = max(1, sum(counts.values()))
    lengths = [len(s) for s in sentences]
    band, band_en = band_of(score)
    return Readability(
        sentences=len(sentences),
        mean_length=sum(lengths) / len(lengths),
        max_length=max(lengths),
        kanji_ratio=sum(1 for c in chars if is_kanji(c)) / max(1, len(chars)),
        goshu={k: counts.get(k, 0) / total for k in ("wago", "kango", "gairaigo", "konshu", "proper", "other")},
        score=score,
        band=band,
        band_en=band_en,
    )


def text_to_readability(text: str) -> Readability | None:
    return sentences_to_readability(split_sentences(text))
