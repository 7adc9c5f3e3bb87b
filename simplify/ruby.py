"""Tokens -> furigana at a chosen level: accessible ruby HTML, plain text, or all-kana text.

Levels, as NHK NEWS WEB EASY and the Japan DAISY Consortium offer them:
``all`` every kanji; ``grade:N`` only kanji above school grade N (1–6 from the 2020 学年別漢字配当表,
``grade:7`` = kanji outside the 常用漢字表 only); ``none``; ``kana`` the whole text in kana, spaced by word.
Kanji grades come from the ``kanji-lists`` package (MIT): ``KYOIKU.GRADE1``…``GRADE6`` and ``JOYO``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from .errors import InputError, shown
from .model import Token
from .reading import is_kanji, token_to_ruby

LEVELS_HELP = "all, none, kana, grade:1 … grade:7"


@dataclass(frozen=True)
class RubyLevel:
    mode: str  # all | none | kana | grade
    grade: int = 0

    def __str__(self) -> str:
        return f"grade:{self.grade}" if self.mode == "grade" else self.mode


def parse_level(text: str) -> RubyLevel:
    """``all``, ``none``, ``kana`` or ``grade:N`` (N from 1 to 7); anything else is an input error."""
    value = (text or "").strip().lower()
    if value in ("all", "none", "kana"):
        return RubyLevel(value)
    # NOTE: isdigit() is true for "²" and "٣", which int() refuses or reads otherwise: only ASCII digits count
    if value.startswith("grade:") and value[6:].isascii() and value[6:].isdigit() and 1 <= int(value[6:]) <= 7:
        return RubyLevel("grade", int(value[6:]))
    raise InputError(f"ふりがなの段階「{shown(text)}」は使えません。{LEVELS_HELP} のどれかを指定してください。", code="bad_level")


@lru_cache(maxsize=1)
def _grades() -> dict[str, int]:
    from kanji_lists import JOYO, KYOIKU

    table = {c: 7 for c in JOYO}
    for grade in range(1, 7):
        for c in getattr(KYOIKU, f"GRADE{grade}"):
            table[c] = grade
    return table


def kanji_grade(char: str) -> int:
    """School grade of a kanji: 1–6 elementary, 7 other 常用, 8 outside the 常用 list."""
    return _grades().get(char, 8)


def _needs_ruby(base: str, level: RubyLevel) -> bool:
    if level.mode == "all":
        return any(is_kanji(c) for c in base)
    if level.mode == "grade":
        return any(is_kanji(c) and kanji_grade(c) > level.grade for c in base)
    return False


def token_pairs(token: Token, level: RubyLevel) -> list[tuple[str, str]]:
    """(text, ruby) pieces of one token at this level; ruby is "" where none is shown."""
    return [(text, rt if rt and _needs_ruby(text, level) else "") for text, rt in token_to_ruby(token)]


_NO_SPACE_BEFORE = ("助詞", "助動詞", "記号")


def _kana_word(token: Token) -> str:
    surface = token.surface
    if not token.reading or all("ァ" <= c <= "ヶ" or c == "ー" for c in surface):
        return surface
    if any(is_kanji(c) or "\u3041" <= c <= "\u309f" for c in surface):
        return token.reading
    return token.pron or surface  # Latin abbreviations: as said, in katakana


def _space_before(token: Token, previous: Token | None) -> bool:
    if previous is None or not token.surface.strip():
        return False
    if token.pos in _NO_SPACE_BEFORE or previous.pos == "記号" and previous.pos_detail != "アルファベット":
        return False
    return not token.pos_detail.startswith(("接尾", "非自立"))


def kana_pieces(tokens) -> list[str]:
    """Each token in kana, with the space that separates it from the word before (one string per token)."""
    out, previous = [], None
    for token in tokens:
        if token.source == "printed" and not token.reading:
            out.append("")  # （なりわい） printed after 生業: already said by the base's reading
            continue
        out.append((" " if _space_before(token, previous) else "") + _kana_word(token))
        previous = token
    return out


def tokens_to_kana(tokens: tuple[Token, ...] | list[Token]) -> str:
    """The whole text in kana, a space between words: ``ぴーえいちあーる を よみあげる``."""
    return "".join(kana_pieces(tokens))


def tokens_to_text(tokens, level: RubyLevel) -> str:
    """Plain text with readings in parentheses: 読(よ)み上(あ)げる."""
    if level.mode == "kana":
        return tokens_to_kana(tokens)
    return "".join(text + (f"({rt})" if rt else "") for t in tokens for text, rt in token_pairs(t, level))


def tokens_to_html(tokens, level: RubyLevel) -> str:
    """Accessible ruby HTML; every piece of text is escaped.

    Screen readers read the base once: ``<rt>`` and the fallback ``<rp>`` parentheses are hidden from
    assistive technology (``aria-hidden``), so 漢字 is not followed by its reading read aloud again.
    """
    if level.mode == "kana":
        return f'<span class="kana">{html.escape(tokens_to_kana(tokens))}</span>'
    return "".join(token_to_html(token, level) for token in tokens)


def token_to_html(token: Token, level: RubyLevel) -> str:
    out = []
    for text, rt in token_pairs(token, level):
        if rt:
            out.append(
                f"<ruby>{html.escape(text)}<rp aria-hidden=\"true\">(</rp>"
                f"<rt aria-hidden=\"true\">{html.escape(rt)}</rt><rp aria-hidden=\"true\">)</rp></ruby>"
            )
        else:
            out.append(html.escape(text))
    return "".join(out)
