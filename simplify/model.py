"""The document model: frozen dataclasses shared by every stage and view."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator


@dataclass(frozen=True)
class Token:
    surface: str  # the printed characters, exactly
    reading: str  # hiragana, "" when there is nothing to read (symbols, silence)
    pron: str  # katakana as the voice says it ("" when silent)
    pos: str  # part of speech (名詞, 動詞, 記号 …)
    pos_detail: str  # e.g. 固有名詞/人名, 数, 読点
    start: int
    end: int
    source: str = "dictionary"  # dictionary | lexicon | printed | rule | silent


@dataclass(frozen=True)
class Reading:
    tokens: tuple[Token, ...]
    spoken: str  # katakana pronunciation exactly as fed to the synthesiser (、 = pause)
    # NOTE: the NJD features (one tuple per analysed piece) are what synthesis is fed; dicts, so kept out of eq/hash.
    chunks: tuple[tuple[dict, ...], ...] = field(default=(), compare=False, hash=False, repr=False)
    # NOTE: where the text prints a clock time at half past: the same reading with 30 minutes said 半, for a voice
    # whose preset says so (the printed figures carry no ruby, so the page is the same)
    half_hours: Reading | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def text(self) -> str:
        return "".join(t.surface for t in self.tokens)


@dataclass(frozen=True)
class TermRef:
    """A glossary term used in a text: ``text[start:end]``; ``first`` marks its first use in the section."""

    id: str
    start: int
    end: int
    first: bool = False


@dataclass(frozen=True)
class Term:
    """A glossary entry: a term kept as printed, with a plain-language (やさしい日本語) explanation."""

    id: str
    surfaces: tuple[str, ...]
    variants: tuple[str, ...]
    reading: str
    pos: str
    plain: str
    english: str | None
    category: str
    source: str  # footnote:N | definition | curated
    definition: str | None = None  # the document's own definition, when it has one
    definition_source: str | None = None  # where: footnote:N or the section id

    @property
    def forms(self) -> tuple[str, ...]:
        return self.surfaces + self.variants


@dataclass(frozen=True)
class NoteRef:
    """A footnote marker removed from a sentence; it stood just before ``text[offset]``."""

    mark: str
    number: int
    offset: int


@dataclass(frozen=True)
class Ruby:
    """A reading the document prints over ``text[start:end]`` (ruby set in the source: 切り拓く with ひら)."""

    start: int
    end: int
    reading: str  # hiragana


@dataclass(frozen=True)
class Link:
    """A URL found in a text, with its character span."""

    url: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    text: str
    notes: tuple[NoteRef, ...] = ()
    links: tuple[Link, ...] = ()
    figures: tuple[str, ...] = ()
    reading: Reading | None = None  # tokens and spoken script (simplify.reading)
    terms: tuple[TermRef, ...] = ()  # glossary terms used (simplify.glossary)
    ruby: tuple[Ruby, ...] = ()  # readings the source prints over its words

    def text_with_marks(self) -> str:
        """The sentence as printed, footnote markers put back where they stood."""
        out, pos = [], 0
        for note in self.notes:
            out.append(self.text[pos : note.offset])
            out.append(note.mark)
            pos = note.offset
        out.append(self.text[pos:])
        return "".join(out)


@dataclass(frozen=True)
class Cell:
    """One cell of a table: its text, and whether it is a header cell (TH)."""

    text: str
    header: bool = False


@dataclass(frozen=True)
class Block:
    type: str  # "paragraph" | "figure" | "table"
    sentences: tuple[Sentence, ...]  # a table's: one a row, as it is read aloud (「項目：…、金額：…」)
    figure: str | None = None  # figure id such as 図表Ⅱ-2-6-1 (figure blocks only)
    caption: str | None = None
    rows: tuple[tuple[Cell, ...], ...] = ()  # a table's cells, row by row
    header_rows: int = 0  # a table's first rows that name its columns (its sentences read the rows after them)


@dataclass(frozen=True)
class Footnote:
    mark: str
    number: int
    text: str
    urls: tuple[str, ...] = ()
    reading: Reading | None = None
    terms: tuple[TermRef, ...] = ()
    ruby: tuple[Ruby, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    level: int  # 1 節, 2 項, 3 目, 4 ア, 5 （ア）
    label: str
    title: str
    blocks: tuple[Block, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    children: tuple[Section, ...] = ()
    title_reading: Reading | None = None
    title_terms: tuple[TermRef, ...] = ()
    title_notes: tuple[NoteRef, ...] = ()  # footnote markers printed on the heading (第２節　ＡＩ技術の潮流³)
    title_ruby: tuple[Ruby, ...] = ()  # readings printed over the title's words
    readability: object | None = None  # simplify.readability.Readability of its own sentences

    @property
    def terms(self) -> tuple[str, ...]:
        """Ids of the glossary terms this section uses (title, body, footnotes), in order of first use."""
        refs = list(self.title_terms)
        refs += [r for s in self.sentences() for r in s.terms]
        refs += [r for f in self.footnotes for r in f.terms]
        return tuple(dict.fromkeys(r.id for r in refs))

    @property
    def heading(self) -> str:
        """Label and title as a person reads them: ``1　概要``."""
        if self.label and self.title:
            return f"{self.label}\u3000{self.title}"
        return self.label or self.title

    def sentences(self) -> Iterator[Sentence]:
        """This section's own sentences (not its children's)."""
        for block in self.blocks:
            yield from block.sentences


@dataclass(frozen=True)
class Source:
    """Where the text came from and under which terms it may be reused."""

    file: str
    attribution: str | None = None
    publisher: str | None = None
    url: str | None = None
    license: str | None = None


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    source: Source
    sections: tuple[Section, ...]
    discarded: tuple[str, ...] = field(default=())
    # what the source's reader says of how it read the file (a PDF: which pages from its tags, warnings)
    source_report: tuple[str, ...] = ()
    glossary: tuple[Term, ...] = ()
    version: str = ""  # a library document's version (of its source file); empty for fixed documents

    def term(self, term_id: str) -> Term | None:
        return next((t for t in self.glossary if t.id == term_id), None)

    def walk(self) -> Iterator[Section]:
        """Every section, depth first, in reading order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.walk() if s.id == section_id), None)

    @cached_property
    def depths(self) -> dict[str, int]:
        """Section id -> nesting depth (1 for a top section), computed once per document."""
        out: dict[str, int] = {}
        stack = [(s, 1) for s in reversed(self.sections)]
        while stack:
            section, depth = stack.pop()
            out[section.id] = depth
            stack.extend((c, depth + 1) for c in reversed(section.children))
        return out
