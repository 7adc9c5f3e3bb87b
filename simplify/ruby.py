"""Tokens -> furigana at a chosen level: accessible ruby HTML, plain text, or all-kana text.

Levels, as NHK NEWS WEB EASY and the Japan DAISY Consortium offer them:
``all`` every kanji; ``grade:N`` only kanji above school grade N (1–6 from the 2020 学年別漢字配当表,
``grade:7`` = kanji outside the 常用漢字表 only); ``jlpt:N5`` … ``jlpt:N1`` only kanji beyond that level of the
Japanese-Language Proficiency Test (for foreign learners); ``none``; ``kana`` the whole text in hiragana, spaced
by 文節 as textbooks write it for learners. Kanji lists come from the ``kanji-lists`` package (MIT):
``KYOIKU.GRADE1``…``GRADE6``, ``JOYO`` and ``JLPT.N5``…``N1``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from kanji_lists import JLPT, JOYO, KYOIKU

from .errors import InputError, shown
from .model import Token
from .reading import is_kanji, token_to_ruby

LEVELS_HELP = "all, none, kana, grade:1 … grade:7, jlpt:N5 … jlpt:N1"


@dataclass(frozen=True)
class RubyLevel:
    mode: str  # all | none | kana | grade
    grade: int = 0

    def __str__(self) -> str:
        if self.mode == "jlpt":
            return f"jlpt:N{self.grade}"
        return f"grade:{self.grade}" if self.mode == "grade" else self.mode


def parse_level(text: str) -> RubyLevel:
    """``all``, ``none``, ``kana``, ``grade:N`` (N from 1 to 7) or ``jlpt:NK`` (K from 5 to 1); anything else is
    an input error."""
    value = (text or "").strip().lower()
    if value in ("all", "none", "kana"):
        return RubyLevel(value)
    # NOTE: isdigit() is true for "²" and "٣", which int() refuses or reads otherwise: only ASCII digits count
    if value.startswith("grade:") and value[6:].isascii() and value[6:].isdigit() and 1 <= int(value[6:]) <= 7:
        return RubyLevel("grade", int(value[6:]))
    if value.startswith("jlpt:n") and value[6:] in ("1", "2", "3", "4", "5"):
        return RubyLevel("jlpt", int(value[6:]))
    raise InputError(f"ふりがなの段階「{shown(text)}」は使えません。{LEVELS_HELP} のどれかを指定してください。", code="bad_level")


@lru_cache(maxsize=1)
def _grades() -> dict[str, int]:
    table = {c: 7 for c in JOYO}
    for grade in range(1, 7):
        for c in getattr(KYOIKU, f"GRADE{grade}"):
            table[c] = grade
    return table


@lru_cache(maxsize=1)
def _jlpt() -> dict[str, int]:
    return {c: level for level in (1, 2, 3, 4, 5) for c in getattr(JLPT, f"N{level}")}


def kanji_jlpt(char: str) -> int:
    """The JLPT level that tests a kanji: 5 (N5, first learnt) … 1 (N1); 0 for kanji beyond the lists."""
    return _jlpt().get(char, 0)


def kanji_grade(char: str) -> int:
    """School grade of a kanji: 1–6 elementary, 7 other 常用, 8 outside the 常用 list."""
    return _grades().get(char, 8)


def _needs_ruby(base: str, level: RubyLevel) -> bool:
    if level.mode == "all":
        return any(is_kanji(c) for c in base)
    if level.mode == "grade":
        return any(is_kanji(c) and kanji_grade(c) > level.grade for c in base)
    if level.mode == "jlpt":  # NOTE: jlpt:N3 reads N5, N4 and N3 kanji: ruby on N2, N1 and beyond
        return any(is_kanji(c) and kanji_jlpt(c) < level.grade for c in base)
    return False


def token_pairs(token: Token, level: RubyLevel) -> list[tuple[str, str]]:
    """(text, ruby) pieces of one token at this level; ruby is "" where none is shown."""
    return [(text, rt if rt and _needs_ruby(text, level) else "") for text, rt in token_to_ruby(token)]


_NO_SPACE_BEFORE = ("助詞", "助動詞", "記号")
_SURU = {"し", "する", "さ", "され", "せ", "す", "しよ", "すれ"}
# verbs that with the particle before them and て after make one compound particle: として, について, に対して…
_PARTICLE_VERBS = {("と", "し"), ("に", "つい"), ("に", "対し"), ("に", "よっ"), ("に", "より"), ("に", "おい"),
                   ("に", "関し"), ("を", "通じ"), ("を", "通し"), ("に", "とっ"), ("に", "向け"), ("に", "基づい")}


def _kana_word(token: Token) -> str:
    """A word as a learner's kana text writes it: hiragana, numbers too (にせんにじゅういち); katakana only
    for words written in katakana and for Latin abbreviations said as loanwords (ピーエイチアール)."""
    surface = token.surface
    if not token.reading or all("ァ" <= c <= "ヶ" or c == "ー" for c in surface):
        return surface
    if any(is_kanji(c) or "\u3041" <= c <= "\u309f" or c.isdigit() for c in surface):
        return token.reading
    return token.pron or surface


def _space_before(token: Token, previous: Token | None) -> bool:
    """Whether ``token`` begins a new 文節 (phrase): an independent word does, unless it continues a compound
    noun, follows a prefix, is the する of a サ変 noun (検討する) or the verb of a compound particle (として)."""
    if previous is None or not token.surface.strip():
        return False
    if token.pos in _NO_SPACE_BEFORE or previous.pos == "記号" and previous.pos_detail != "アルファベット":
        return False
    if token.pos_detail.startswith("接尾") or previous.pos == "接頭詞":
        return False
    if token.pos_detail.startswith("非自立") and token.pos != "名詞":
        return False  # している, してきた; but a formal noun (こと, 方, ため) begins its own phrase
    if token.pos == "名詞" and previous.pos == "名詞" and not previous.pos_detail.startswith("副詞可能"):
        return False  # 情報通信白書, 2021年度: one phrase
    if token.pos == "動詞" and token.surface in _SURU and previous.pos == "名詞":
        return False
    if token.pos == "動詞" and previous.pos == "助詞" and (previous.surface, token.surface) in _PARTICLE_VERBS:
        return False
    return True


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
    return ruby_overhang("".join(token_to_html(token, level) for token in tokens))


_RUBY = re.compile(r"<ruby>(.*?)</ruby>")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")


def ruby_overhang(markup: str) -> str:
    """Mark the ruby that may overhang the kana beside it (JLReq 3.3.8: a reading longer than its base may
    extend over an adjacent kana by up to half a character, never over a kanji or another ruby): ``ol`` on the
    left, ``or`` on the right. The style sheet does the rest; without it nothing changes."""
    def mark(match: re.Match) -> str:
        before = markup[match.start() - 1: match.start()]
        after = markup[match.end(): match.end() + 1]
        sides = [name for name, char in (("ol", before), ("or", after)) if char and _KANA.match(char)]
        return f'<ruby class="{" ".join(sides)}">{match[1]}</ruby>' if sides else match[0]

    return _RUBY.sub(mark, markup)


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
