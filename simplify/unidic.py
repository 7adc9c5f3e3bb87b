"""Text -> UniDic's analysis (fugashi on ``unidic-lite``, shipped in its wheel: nothing is downloaded).

One tagger for the process, one caller at a time: MeCab's tagger is not re-entrant, and pages, streams and builds
read sentences in threads (eight threads calling one tagger gave wrong words for a third of the sentences).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

_lock = threading.Lock()


@contextmanager
def unidic_tagger():
    """The process's UniDic tagger, held by this caller until the block ends (use its words inside it)."""
    with _lock:
        yield _tagger()


@lru_cache(maxsize=1)
def _tagger():
    from fugashi import Tagger  # NOTE: imported where first used: reading a document's structure never needs it

    return Tagger()


def unidic_words(text: str) -> list[tuple[int, str, object]]:
    """UniDic's words of ``text``: (offset in ``text``, surface, features), the spaces MeCab skips counted."""
    out, offset = [], 0
    with unidic_tagger() as tagger:
        for word in tagger(text):
            offset += len(word.white_space)
            out.append((offset, word.surface, word.feature))
            offset += len(word.surface)
    return out
