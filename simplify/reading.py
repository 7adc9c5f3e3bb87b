"""Sentence -> tokens with readings and the spoken script, from one OpenJTalk analysis.

The furigana a learner sees and the words the voice says come from the same NJD features: the tokens
(ruby) are aligned back onto the printed text, the spoken script is those features' pronunciations,
and the features themselves are kept for synthesis. Nothing is recomputed on either side.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from .accent import place_accents
from .children import run_in_children
from .errors import InputError, TooLargeError
from .lexicon import Lexicon, default_lexicon, ensure_applied
from .model import Document, Reading, Section, Token
from .places import place_readings, places_pattern
from .spoken_forms import has_half_hour, spoken_form_spans
from .unidic import unidic_words
from .textio import xml_safe

# NOTE: pyopenjtalk (≈ 0.3 s and its dictionary) and pykakasi (≈ 0.1 s) are imported where they are first
# used: reading a document's structure (yomiage outline, an upload's report) never needs them.

# NOTE: OpenJTalk slows down and its label code has fixed buffers; analyse long sentences in pieces.
MAX_CHUNK_CHARS = 160

_KANJI_NUMERALS = set("〇一二三四五六七八九十百千万億兆")
_DIGITS = set("0123456789０１２３４５６７８９")
_NUMBER_JOINERS = set(",.，．")
_DASHES = {"-": "−", "‐": "−", "－": "−", "―": "−", "–": "−"}
_RE_PRINTED_READING = re.compile(r"(?P<base>[\u3400-\u9fff々〆ヶ]{1,8})（(?P<kana>[\u3041-\u309fー]{2,12})）")
_RE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+")


# ---------------------------------------------------------------------------------------------
# Kana helpers


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def is_kanji(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003ffff" or char in "々〆"


def _fold(char: str) -> str:
    """How a printed character compares with OpenJTalk's normalised surface."""
    char = _DASHES.get(char, char)
    return unicodedata.normalize("NFKC", char)


# ---------------------------------------------------------------------------------------------
# Substitutions: what the voice says instead of what is printed


@dataclass(frozen=True)
class _Sub:
    start: int
    end: int
    spoken: str
    kind: str  # ruby | rule | printed | silent | particle
    base_end: int = 0  # printed readings: where the kanji base ends


def _substitutions(text: str, lexicon: Lexicon, ruby: tuple = (), places: tuple = (), half_hours: bool = False
                   ) -> list[_Sub]:
    # NOTE: a reading the document prints over a word (ruby) is what the author wants said: it comes first
    found: list[_Sub] = [_Sub(r.start, r.end, r.reading, "ruby", r.end) for r in ruby if 0 <= r.start < r.end <= len(text)]
    named = places_pattern(places)
    if named is not None:
        pattern, kana = named
        found += [_Sub(m.start(), m.end(), to_hiragana(kana[m.group()]), "rule") for m in pattern.finditer(text)]
    for rule in lexicon.rules:
        group = "target" if "target" in rule.pattern.groupindex else 0
        found += [_Sub(m.start(group), m.end(group), rule.spoken, "rule") for m in rule.pattern.finditer(text)]
    found += [_Sub(start, end, spoken, "rule") for start, end, spoken, _ in spoken_form_spans(text, half_hours)]
    for m in _RE_PRINTED_READING.finditer(text):
        found.append(_Sub(m.start(), m.end(), m["kana"], "printed", m.end("base")))
    found += [_Sub(m.start(), m.end(), "", "silent") for m in _RE_CONTROL.finditer(text)]
    found.sort(key=lambda s: (s.start, s.kind != "ruby", -(s.end - s.start)))
    chosen, end = [], 0
    for sub in found:
        if sub.start >= end and sub.end > sub.start:
            chosen.append(sub)
            end = sub.end
    return chosen


def _analysed_text(text: str, subs: list[_Sub]) -> tuple[str, list[int], list[_Sub | None]]:
    """The text OpenJTalk reads, with each analysed char's original offset and substitution."""
    out: list[str] = []
    origin: list[int] = []
    owner: list[_Sub | None] = []
    pos = 0
    for sub in subs + [None]:
        stop = sub.start if sub else len(text)
        out.extend(text[pos:stop])
        origin.extend(range(pos, stop))
        owner.extend([None] * (stop - pos))
        if sub:
            out.extend(sub.spoken)
            origin.extend([sub.start] * len(sub.spoken))
            owner.extend([sub] * len(sub.spoken))
            pos = sub.end
    return "".join(out), origin, owner


def _chunks(text: str, owner: list) -> list[tuple[int, int]]:
    """Split analysed text into pieces of at most MAX_CHUNK_CHARS, at 、 or 。 where possible."""
    pieces, start = [], 0
    while len(text) - start > MAX_CHUNK_CHARS:
        window = text[start : start + MAX_CHUNK_CHARS]
        cut = max(window.rfind("、"), window.rfind("。"), window.rfind("，"))
        cut = start + cut + 1 if cut > MAX_CHUNK_CHARS // 4 else start + MAX_CHUNK_CHARS
        while cut < len(text) and owner[cut] is not None and owner[cut] is owner[cut - 1]:
            cut += 1  # never split a substitution
        pieces.append((start, cut))
        start = cut
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


# ---------------------------------------------------------------------------------------------
# Aligning NJD features back onto the analysed text


def _match(surface: str, text: str, pos: int) -> int:
    """End of ``surface`` read from ``text[pos:]`` (width, dashes and digit-vs-kanji numerals folded), or -1."""
    i, j = 0, pos
    target = unicodedata.normalize("NFKC", surface)
    while i < len(target):
        if j >= len(text):
            return -1
        c = text[j]
        if c.isspace() and not target[i].isspace():
            j += 1
            continue
        if target[i] in _KANJI_NUMERALS and c in _DIGITS:
            while i < len(target) and target[i] in _KANJI_NUMERALS:
                i += 1
            j = _digit_run_end(text, j)
            continue
        folded = _fold(c)
        if target.startswith(folded, i) and folded:
            i += len(folded)
            j += 1
            continue
        return -1
    return j


def _digit_run_end(text: str, j: int) -> int:
    while j < len(text) and (
        text[j] in _DIGITS or (text[j] in _NUMBER_JOINERS and j + 1 < len(text) and text[j + 1] in _DIGITS)
    ):
        j += 1
    return j


def _is_number(feature: dict) -> bool:
    s = feature["string"]
    return bool(s) and all(c in _KANJI_NUMERALS or c in _DIGITS or c in "．，" for c in s)


def _align(features: list[dict], text: str, base: int) -> list[tuple[int, int, list[dict]]]:
    """Each feature's span in ``text`` (offsets from ``base``); features OpenJTalk inserted share a span."""
    spans: list[tuple[int, int, list[dict]]] = []
    pos = 0
    for k, feature in enumerate(features):
        if feature["string"].strip():
            while pos < len(text) and text[pos].isspace():
                pos += 1  # whitespace between words is not part of the next word
        end = _match(feature["string"], text, pos)
        if end < 0 and spans and _is_number(feature) and _is_number(spans[-1][2][0]):
            spans[-1][2].append(feature)  # 二千二十三 for 2023: the digits were consumed by the first numeral
            continue
        if end < 0:
            end = _resync(features, k, text, pos)
        if end <= pos and spans:
            spans[-1][2].append(feature)
            continue
        spans.append((base + pos, base + end, [feature]))
        pos = end
    return spans


def _resync(features: list[dict], k: int, text: str, pos: int) -> int:
    """A feature whose surface OpenJTalk normalised (Ⅱ→二, 髙→高): it covers text up to where the next one matches."""
    following = next((f for f in features[k + 1 :] if f["string"].strip()), None)
    for end in range(pos + 1, min(len(text), pos + 12) + 1):
        if following is None or _match(following["string"], text, end) >= 0:
            return end
    return min(len(text), pos + 1)


# ---------------------------------------------------------------------------------------------
# Tokens


def _clean_pron(pron: str) -> str:
    return pron.replace("’", "")


def spoken_part(feature: dict) -> str:
    """What the voice says for a feature; pauses (、) and silent symbols say nothing."""
    pron = _clean_pron(feature.get("pron") or "")
    return pron if pron and all("ァ" <= c <= "ヶ" or c == "ー" for c in pron) else ""


_VOWELS = {v: row for row, kana in (("a", "アカサタナハマヤラワガザダバパァャヮ"), ("i", "イキシチニヒミリギジヂビピィ"),
                                      ("u", "ウクスツヌフムユルグズヅブプゥュヴ"), ("e", "エケセテネヘメレゲゼデベペェ"),
                                      ("o", "オコソトノホモヨロヲゴゾドボポォョ")) for v in kana}
_PARTICLES = {"ハ": "ワ", "ヘ": "エ", "ヲ": "オ"}


def same_sound(written: str, spoken: str) -> bool:
    """Whether two katakana strings are the same words, long vowels apart: トウキョウ = トーキョー, ケイ = ケー,
    オオキイ = オーキイ; but ジュウフン ≠ ジュップン, ホウ ≠ カタ."""
    def fold(kana: str) -> str:
        out: list[str] = []
        for c in kana:
            before = _VOWELS.get(out[-1]) if out else None
            if c == "ー" or (before and c in "アイウエオ" and (_VOWELS[c] == before or (c, before) in (("ウ", "o"), ("イ", "e")))):
                continue
            out.append(c)
        return "".join(out)

    return fold(written) == fold(spoken)


def _feature_reading(feature: dict) -> str:
    """The reading a ruby shows: the written kana (とうきょう, not とーきょー; the particle は, not わ), except where
    the voice changes the sound of the word (10分 ジュップン, 3本 サンボン, ある方 カタ): then what is said, so the
    page and the voice never disagree."""
    read = feature.get("read") or ""
    pron = spoken_part(feature)
    if not (read and all("ァ" <= c <= "ヶ" or c == "ー" for c in read)):
        return pron
    if not pron or same_sound(read, pron) or _PARTICLES.get(read) == pron:
        return read
    return pron


def _token(text: str, start: int, end: int, features: list[dict], sub: _Sub | None, known: frozenset = frozenset()) -> Token:
    first = features[0] if features else {}
    reading = "".join(_feature_reading(f) for f in features)
    pron = "".join(spoken_part(f) for f in features)
    pos = first.get("pos", "記号")
    detail = "/".join(x for x in (first.get("pos_group1"), first.get("pos_group2")) if x and x != "*")
    source = "dictionary"
    if sub is not None:
        source = sub.kind
    elif any(f.get("string") in known for f in features):
        source = "lexicon"
    return Token(text[start:end], to_hiragana(reading), pron, pos, detail, start, end, source)


def _silent(text: str, start: int, end: int, source: str = "silent") -> Token:
    return Token(text[start:end], "", "", "記号", "空白" if text[start:end].isspace() else "", start, end, source)


def _tile(text: str, tokens: list[Token]) -> list[Token]:
    """Make the tokens cover the text exactly, in order: gaps become silent tokens."""
    out, pos = [], 0
    for token in tokens:
        if token.start > pos:
            out.append(_silent(text, pos, token.start))
        if token.start < pos:  # overlapping (should not happen): clip
            if token.end <= pos:
                continue
            token = Token(text[pos : token.end], token.reading, token.pron, token.pos, token.pos_detail, pos, token.end, token.source)
        out.append(token)
        pos = token.end
    if pos < len(text):
        out.append(_silent(text, pos, len(text)))
    return out


def _split_printed(text: str, token: Token, sub: _Sub) -> list[Token]:
    """生業（なりわい）: the reading goes over 生業, the printed （なりわい） is shown but not said again."""
    base = Token(text[sub.start : sub.base_end], token.reading, token.pron, token.pos, token.pos_detail, sub.start, sub.base_end, "printed")
    return [base, _silent(text, sub.base_end, sub.end, "printed")]


def _merge_numbers(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.end == token.start
            and prev.pos_detail.startswith("数")
            and token.pos_detail.startswith("数")
            and all(c in _DIGITS or c in _NUMBER_JOINERS for c in prev.surface + token.surface)
        ):
            out[-1] = Token(prev.surface + token.surface, prev.reading + token.reading, prev.pron + token.pron,
                            prev.pos, prev.pos_detail, prev.start, token.end, prev.source)
        else:
            out.append(token)
    return out


def _run_frontend(text: str) -> list[dict]:
    import pyopenjtalk

    return pyopenjtalk.run_frontend(text)


def text_to_reading(text: str, lexicon: Lexicon | None = None, ruby: tuple = (), places: tuple = (),
                    half_hours: bool = False, accents: bool = True) -> Reading:
    """Tokens with readings, and the spoken script, for one sentence (or title, or footnote); ``ruby`` (the
    ``Ruby`` spans the source printed over words) is shown over those words and said instead of them; ``places``
    (the document's place names, ``simplify.places.place_readings``) are read as the places call themselves; with
    ``half_hours``, a clock time's 30 minutes are said 半. Accent phrases and nuclei are chosen by ``simplify.accent``
    (with ``accents=False``, by OpenJTalk's own rules: what that model learns from).

    >>> r = text_to_reading("PHRを読み上げる。")
    >>> [(t.surface, t.reading) for t in r.tokens][:3]
    [('PHR', 'ぴーえいちあーる'), ('を', 'を'), ('読み上げる', 'よみあげる')]
    >>> r.spoken
    'ピーエイチアールヲヨミアゲル、'
    """
    lexicon = lexicon or default_lexicon()
    ensure_applied(lexicon)
    subs = _substitutions(text, lexicon, ruby, places, half_hours)
    reading, swallowed = _read(text, subs, lexicon, accents)
    if swallowed:  # NOTE: rare (a は in running kana); read once more with those は said as the particle
        extra = [_Sub(at, at + 1, "ワ", "particle") for at in swallowed]
        reading, _ = _read(text, sorted(subs + extra, key=lambda sub: sub.start), lexicon, accents)
    return reading


def _read(text: str, subs: list[_Sub], lexicon: Lexicon, accents: bool) -> tuple[Reading, list[int]]:
    """The reading with these substitutions, and where a particle は was read into a word (see _swallowed)."""
    analysed, origin, owner = _analysed_text(text, subs)
    tokens: list[Token] = []
    chunks: list[tuple[dict, ...]] = []
    spoken: list[str] = []
    swallowed: list[int] = []
    for a, b in _chunks(analysed, owner):
        piece = analysed[a:b]
        if not piece.strip():
            continue
        features = _run_frontend(piece)
        if accents:
            features = place_accents(features, lexicon.mecab_surfaces)
        chunks.append(tuple(features))
        spoken.append("".join(_clean_pron(f["pron"]) for f in features))
        spans = _align(features, piece, a)
        swallowed += _swallowed(text, spans, a, origin, owner)
        tokens += _tokens_for(text, origin, owner, spans, lexicon.mecab_surfaces)
    tokens = _merge_numbers(_tile(text, tokens))
    return Reading(tuple(tokens), "".join(spoken), tuple(chunks)), swallowed


_HIRAGANA_WORD = re.compile(r"は[ぁ-ゖー]+")


def _swallowed(text: str, spans: list[tuple[int, int, list[dict]]], base: int, origin: list[int], owner: list
               ) -> list[int]:
    """Printed offsets of a は that OpenJTalk read as the first sound of a word in running kana (私はくちが: 白痴
    ハクチ; ってのはどう: ハドー; にはね: 跳ね) where UniDic reads it as the particle (わ) before the next word.
    The two analysers decide together: only where OpenJTalk says ハ and UniDic says the particle."""
    found = [origin[a0] for a0, _, group in spans
             if a0 > base and owner[a0] is None and _HIRAGANA_WORD.fullmatch(group[0]["string"])
             and group[0]["pron"].startswith("ハ")]
    if not found:
        return []
    particles = {at for at, surface, f in unidic_words(text) if surface == "は" and f.pos1 == "助詞"}
    return [at for at in found if at in particles]


def _tokens_for(text, origin, owner, spans, known) -> list[Token]:
    """Map aligned features (``_align``: analysed offsets) to printed offsets, one token per substitution."""
    out: list[Token] = []
    current_sub = None
    for a0, a1, group in spans:
        if a1 <= a0:
            continue
        sub = owner[a0]
        if sub is not None:
            if sub is current_sub and out:
                prev = out.pop()
                merged = prev.reading + to_hiragana("".join(_feature_reading(f) for f in group))
                if prev.source == "rule" and prev.pos == "記号":
                    merged = ""  # NOTE: printed figures said another way (9:00 -> 9時) carry no ruby, as URLs
                pron = prev.pron + "".join(spoken_part(f) for f in group)
                out.append(Token(prev.surface, merged, pron, prev.pos, prev.pos_detail, prev.start, prev.end, prev.source))
                continue
            current_sub = sub
            token = _token(text, sub.start, sub.end, group, sub)
            if owner[a1 - 1] is None and origin[a1 - 1] + 1 > sub.end:
                # NOTE: the word runs on past the substitution into printed kana (行→おこな, then っ): one token
                # 行っ/おこなっ, whose okurigana the ruby splits off as for any verb
                token = replace(token, surface=text[sub.start:origin[a1 - 1] + 1], end=origin[a1 - 1] + 1)
            if sub.kind == "particle":  # NOTE: the page shows the は as printed; the voice says わ
                token = replace(token, reading="は", pos="助詞", pos_detail="係助詞", source="rule")
            elif sub.kind == "rule" and not any(is_kanji(c) for c in token.surface):
                # NOTE: a URL shows as printed (no reading over it); the voice says リンク
                token = Token(token.surface, "", token.pron, "記号", token.pos_detail, token.start, token.end, "rule")
            out.append(token)
            continue
        current_sub = None
        start = origin[a0]
        end = origin[a1 - 1] + 1
        out.append(_token(text, start, end, group, None, known))
    return _expand_printed(text, out)


def _expand_printed(text: str, tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        if token.source == "printed":
            m = _RE_PRINTED_READING.fullmatch(token.surface)
            if m:
                sub = _Sub(token.start, token.end, m["kana"], "printed", token.start + len(m["base"]))
                out += _split_printed(text, token, sub)
                continue
        out.append(token)
    return out


# ---------------------------------------------------------------------------------------------
# Ruby and romaji


def token_to_ruby(token: Token) -> list[tuple[str, str]]:
    """Pairs of (text, ruby) with okurigana split off: 読み上げる -> [(読,よ),(み,""),(上,あ),(げる,"")].

    Kana, digits and symbols carry no ruby; a reading the text prints itself (生業（なりわい）) gets none;
    a word whose kana do not line up (1日 ついたち) gets one group ruby.
    """
    surface, reading = token.surface, token.reading
    if not reading or token.source == "printed" or not any(is_kanji(c) for c in surface):
        return [(surface, "")]
    runs = [(k, "".join(g)) for k, g in _runs(surface)]
    literal = {"kana": to_hiragana, "digits": _number_kana}
    pattern = "".join(
        "(.+?)" if kind == "kanji" else "(" + re.escape(literal[kind](chunk)) + ")" if kind in literal else "(.*?)"
        for kind, chunk in runs
    )
    m = re.fullmatch(pattern, reading)
    if not m:
        return [(surface, reading)]
    return [(chunk, m.group(i + 1) if kind == "kanji" else "") for i, (kind, chunk) in enumerate(runs)]


@lru_cache(maxsize=4096)
def _number_kana(digits: str) -> str:
    """How a run of digits reads on its own (2 -> に), to find the counter's share of 2月 (にがつ)."""
    import pyopenjtalk

    return to_hiragana("".join(spoken_part(f) for f in pyopenjtalk.run_frontend(digits)))


def _runs(surface: str):
    def kind(c: str) -> str:
        if is_kanji(c):
            return "kanji"
        if "\u3041" <= c <= "\u30ff":
            return "kana"
        if c in _DIGITS or c in _NUMBER_JOINERS:
            return "digits"
        return "other"

    return itertools.groupby(surface, key=kind)


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


@lru_cache(maxsize=65536)
def kana_to_romaji(kana: str) -> str:
    """Hepburn romaji of a kana reading (pykakasi converts kana deterministically)."""
    if not kana:
        return ""
    return "".join(part["hepburn"] for part in _kakasi().convert(kana))


# ---------------------------------------------------------------------------------------------
# Whole documents


def document_with_readings(document: Document, lexicon: Lexicon | None = None, workers: int | None = None) -> Document:
    """The same document with tokens and spoken script on every sentence, title and footnote.

    A long document is read by ``workers`` processes at once (default: one a core, up to two), each taking a
    contiguous share of its texts: OpenJTalk's analysis holds the GIL, so threads would not help, and a listener
    waits for this before the first section of a new upload can play."""
    texts = _texts(document)
    places = document_places(document)  # NOTE: one table a document: a name reads the same everywhere
    readings = iter(_read_all(texts, lexicon, _workers(workers, texts), places))

    def section(s: Section) -> Section:
        title = next(readings)
        blocks = tuple(replace(b, sentences=tuple(replace(x, reading=next(readings)) for x in b.sentences))
                       for b in s.blocks)
        footnotes = tuple(replace(f, reading=next(readings)) for f in s.footnotes)
        return replace(s, title_reading=title, blocks=blocks, footnotes=footnotes,
                       children=tuple(section(c) for c in s.children))

    return replace(document, sections=tuple(section(s) for s in document.sections))


def _texts(document: Document) -> list[tuple[str, tuple]]:
    """Every title, sentence and footnote of the document with its printed ruby, in reading order."""
    texts: list[tuple[str, tuple]] = []

    def collect(s: Section) -> None:
        texts.append((s.title, s.title_ruby))
        texts.extend((x.text, x.ruby) for b in s.blocks for x in b.sentences)
        texts.extend((f.text, f.ruby) for f in s.footnotes)
        for child in s.children:
            collect(child)

    for s in document.sections:
        collect(s)
    return texts


_PLACES: dict[tuple[str, str, str], tuple] = {}


def document_places(document: Document) -> tuple:
    """The document's place-name table (``simplify.places.place_readings``), made once per document version: a
    worker that reads one section at a time reads its place names as the whole analysis does."""
    key = (document.id, document.version, document.title)
    if key not in _PLACES:
        if len(_PLACES) >= 32:
            _PLACES.pop(next(iter(_PLACES)))
        _PLACES[key] = place_readings(t for t, _ in _texts(document))
    return _PLACES[key]


PARALLEL_CHARS = 20_000  # NOTE: below this (a notice, a chapter) a second process costs more than it saves


def _workers(asked: int | None, texts: list[tuple[str, tuple]]) -> int:
    if asked is not None:
        return max(1, asked)
    return min(2, os.cpu_count() or 1) if sum(len(t) for t, _ in texts) >= PARALLEL_CHARS else 1


def _read_all(texts: list[tuple[str, tuple]], lexicon: Lexicon | None, workers: int, places: tuple = ()
              ) -> list[Reading]:
    """Readings of ``texts`` in order; with more than one worker, each share read by a child process of its own
    that ends when its share is sent (so a parent killed meanwhile leaves nothing running for long)."""
    if workers <= 1 or len(texts) < 2:
        return read_texts(texts, lexicon, places)
    out: list[Reading] = []
    for kind, payload in run_in_children(_read_in_child,
                                         [(share, lexicon, places) for share in _shares(texts, workers)],
                                         name="yomiage-readings"):
        if kind == "error":
            raise RuntimeError(f"a reading process failed: {payload}")
        out.extend(payload)
    return out


def _read_in_child(texts: list[tuple[str, tuple]], lexicon: Lexicon | None, places: tuple, send) -> None:
    # NOTE: a little below normal priority: the parent (a server) keeps the cores' first call for the requests
    # it answers meanwhile, such as a listener's first stream
    os.nice(5)
    try:
        result = ("ok", read_texts(texts, lexicon, places))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        result = ("error", f"{type(error).__name__}: {error}")
    send.send(result)
    send.close()


def _shares(texts: list[tuple[str, tuple]], count: int) -> list[list[tuple[str, tuple]]]:
    """``texts`` cut into ``count`` contiguous shares of about the same number of characters."""
    total = sum(len(t) for t, _ in texts) or 1
    shares: list[list[tuple[str, tuple]]] = [[] for _ in range(count)]
    done = 0
    for item in texts:
        shares[min(count - 1, done * count // total)].append(item)
        done += len(item[0])
    return shares


def read_texts(texts: list[tuple[str, tuple]], lexicon: Lexicon | None = None, places: tuple = ()) -> list[Reading]:
    """Readings of (text, ruby) pairs as a document's analysis makes them: with the document's ``places``, and for
    a text with a clock time at half past, its 半 variant (``Reading.half_hours``)."""
    out = []
    for text, ruby in texts:
        reading = text_to_reading(text, lexicon, ruby, places)
        if has_half_hour(text):
            reading = replace(reading, half_hours=text_to_reading(text, lexicon, ruby, places, half_hours=True))
        out.append(reading)
    return out


# NOTE: a user's own text (CLI, API) is one passage, not a document: keep it short enough to answer at once.
MAX_USER_TEXT_CHARS = 10_000


def check_text(text: str) -> str:
    """A user's text for furigana or speech: not empty, not too long, no lone surrogates."""
    if not text or not text.strip():
        raise InputError("文が空です。読み上げる文を入力してください。", code="empty_text")
    if len(text) > MAX_USER_TEXT_CHARS:
        raise TooLargeError(f"文が長すぎます（{len(text):,} 文字）。{MAX_USER_TEXT_CHARS:,} 文字以下にしてください。")
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise InputError("文に不正な文字（サロゲート）が含まれています。", code="bad_text")
    text = xml_safe(text)  # NOTE: the answer is markup; control characters carry nothing to read
    if not text.strip():
        raise InputError("文が空です。読み上げる文を入力してください。", code="empty_text")
    return text
