"""What an engine is given to say: yomiage's analysed words and the full-context labels made from them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    """One piece's script: the NJD features of yomiage's analysis (words with the pronunciations it chose) and the
    full-context labels made from them (phonemes with accent and pauses). An engine reads either."""

    features: tuple[dict, ...]
    labels: tuple[str, ...]
