"""Terms -> plain-language entries: the reviewed glossary, the document's own definitions, detection in text."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from .model import Document, Section, Sentence, Term, TermRef
from .reading import text_to_reading, to_hiragana
from .readability import sentences_to_readability


def _fold(text: str) -> str:
    """Width folding that keeps length (Ｌアラート -> Lアラート), so offsets stay those of the printed text."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else " " if c == "\u3000" else c for c in text).lower()


@lru_cache(maxsize=1)
def curated_glossary() -> tuple[Term, ...]:
    data = tomllib.loads((resources.files("simplify") / "glossary.toml").read_text(encoding="utf-8"))
    return tuple(
        Term(
            id=t["id"],
            surfaces=tuple(t["surfaces"]),
            variants=tuple(t.get("variants", ())),
            reading=t["reading"],
            pos=t.get("pos", "名詞"),
            plain=t["plain"],
            english=t.get("english"),
            category=t["category"],
            source=t["source"],
        )
        for t in data["term"]
    )


class Matcher:
    """Longest match of any term form, starting and ending on token boundaries (no hits inside words)."""

    def __init__(self, terms: tuple[Term, ...]):
        self.forms: dict[str, str] = {}
        for term in terms:
            for form in term.forms:
                self.forms.setdefault(_fold(form), term.id)
        self.lengths = sorted({len(f) for f in self.forms}, reverse=True)

    def find(self, text: str, boundaries: set[int]) -> list[TermRef]:
        folded = _fold(text)
        refs, start = [], 0
        positions = sorted(b for b in boundaries if b < len(text))
        i = 0
        while i < len(positions):
            start = positions[i]
            hit = None
            for length in self.lengths:
                end = start + length
                if end in boundaries and folded[start:end] in self.forms:
                    hit = TermRef(self.forms[folded[start:end]], start, end)
                    break
            if hit:
                refs.append(hit)
                while i < len(positions) and positions[i] < hit.end:
                    i += 1
            else:
                i += 1
        return refs


def _boundaries(text: str, reading) -> set[int]:
    if reading is None:
        reading = text_to_reading(text)
    return {t.start for t in reading.tokens} | {len(text)}


# ---------------------------------------------------------------------------------------------
# The document's own definitions

_RE_QUOTED_DEFINITION = re.compile(r"^「(?P<term>[^「」]{1,40})」とは、")
_RE_PLAIN_DEFINITION = re.compile(r"^(?P<term>[^、。「」（）\s]{2,20})とは、")
_RE_DEFINING_FOOTNOTE = re.compile(r"(の略語?。|の略称|こと。|をいう。|である。|とは、)")


def _term_before(sentence: Sentence, offset: int, matcher: Matcher) -> str | None:
    """The word a footnote marker follows: a glossary form if one ends there, else the noun compound."""
    text = sentence.text[:offset]
    reading = sentence.reading or text_to_reading(sentence.text, ruby=sentence.ruby)
    boundaries = {t.start for t in reading.tokens} | {len(sentence.text)}
    for length in matcher.lengths:
        start = offset - length
        if start >= 0 and start in boundaries and _fold(text[start:]) in matcher.forms:
            return text[start:]
    start = offset
    for token in reversed([t for t in reading.tokens if t.end <= offset]):
        is_noun = token.pos == "名詞" and not token.pos_detail.startswith("非自立")
        if not (is_noun or token.pos_detail == "アルファベット") or offset - token.start > 30:
            break
        start = token.start
    return text[start:] if start < offset else None


def document_definitions(document: Document, matcher: Matcher) -> list[tuple[str, str, str]]:
    """(term, definition, source) found in the document: defining footnotes and 「〜とは、…」 sentences."""
    notes = {f.number: f for s in document.walk() for f in s.footnotes}
    found: list[tuple[str, str, str]] = []
    for section in document.walk():
        for sentence in section.sentences():
            m = _RE_QUOTED_DEFINITION.match(sentence.text) or _RE_PLAIN_DEFINITION.match(sentence.text)
            if m:
                found.append((m["term"], sentence.text, section.id))
            for note in sentence.notes:
                footnote = notes.get(note.number)
                if footnote and _RE_DEFINING_FOOTNOTE.search(footnote.text.split("。")[0] + "。"):
                    term = _term_before(sentence, note.offset, matcher)
                    if term:
                        found.append((term, footnote.text, f"footnote:{note.number}"))
    return found


def glossary_for(document: Document) -> tuple[Term, ...]:
    """The curated glossary, with the document's own definitions attached, plus an entry for each
    term the document defines that the curated glossary lacks."""
    curated = curated_glossary()
    matcher = Matcher(curated)
    by_form = {_fold(f): t.id for t in curated for f in t.forms}
    attached: dict[str, tuple[str, str]] = {}
    extra: list[Term] = []
    for term, text, source in document_definitions(document, matcher):
        term_id = by_form.get(_fold(term))
        if term_id:
            attached.setdefault(term_id, (text, source))
        elif _fold(term) not in {_fold(f) for t in extra for f in t.forms}:
            reading = "".join(t.reading for t in text_to_reading(term).tokens)
            digest = hashlib.sha1(term.encode()).hexdigest()[:8]
            extra.append(Term(f"doc-{digest}", (term,), (), to_hiragana(reading), "名詞", text, None, "文書の定義",
                              "definition" if not source.startswith("footnote:") else source, text, source))
    out = [replace(t, definition=attached[t.id][0], definition_source=attached[t.id][1]) if t.id in attached else t
           for t in curated]
    return tuple(out + extra)


# ---------------------------------------------------------------------------------------------
# Annotating a document


def document_with_glossary(document: Document) -> Document:
    """Terms on every sentence, title and footnote (first use per section marked), readability per section,
    and the document's glossary. Needs readings (token boundaries); analyses what lacks them."""
    glossary = glossary_for(document)
    matcher = Matcher(glossary)

    def section(s: Section) -> Section:
        seen: set[str] = set()

        def mark(refs: list[TermRef]) -> tuple[TermRef, ...]:
            out = []
            for ref in refs:
                out.append(replace(ref, first=ref.id not in seen))
                seen.add(ref.id)
            return tuple(out)

        # NOTE: a term in the heading is not its first use: the reader meets it in the body, where it is explained
        title_terms = tuple(replace(ref, first=False) for ref in matcher.find(s.title, _boundaries(s.title, s.title_reading))
                            ) if s.title else ()
        blocks = tuple(
            replace(b, sentences=tuple(replace(x, terms=mark(matcher.find(x.text, _boundaries(x.text, x.reading))))
                                       for x in b.sentences))
            for b in s.blocks
        )
        footnotes = tuple(replace(f, terms=mark(matcher.find(f.text, _boundaries(f.text, f.reading)))) for f in s.footnotes)
        readability = sentences_to_readability([x.text for b in s.blocks for x in b.sentences])
        return replace(s, title_terms=title_terms, blocks=blocks, footnotes=footnotes, readability=readability,
                       children=tuple(section(c) for c in s.children))

    return replace(document, sections=tuple(section(s) for s in document.sections), glossary=glossary)


def term_usage(document: Document) -> dict[str, list[str]]:
    """Term id -> the sections that use it, in document order."""
    usage: dict[str, list[str]] = {}
    for s in document.walk():
        for term_id in s.terms:
            usage.setdefault(term_id, []).append(s.id)
    return usage
