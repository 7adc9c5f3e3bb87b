"""Model -> HTML fragments: sentences with ruby, glossary disclosures and footnote links. All text escaped."""

from __future__ import annotations

import html
from functools import lru_cache

from markupsafe import Markup

from simplify.export import table_to_markup
from simplify.model import Block, Reading, Sentence, Term
from simplify.reading import text_to_reading
from simplify.ruby import RubyLevel, kana_pieces, ruby_overhang, token_to_html


def duration_text(seconds: float) -> str:
    """A length as people say it: 4秒, 1分14秒, 57分18秒, 1時間2分 (rounded to whole seconds, or minutes past an hour)."""
    total = int(round(seconds))
    if total >= 3600:
        minutes = int(round(total / 60))
        hours, minutes = divmod(minutes, 60)
        return f"{hours}時間" + (f"{minutes}分" if minutes else "")
    minutes, rest = divmod(total, 60)
    if not minutes:
        return f"{rest}秒"
    return f"{minutes}分" + (f"{rest}秒" if rest else "")


def _pieces(reading: Reading, level: RubyLevel) -> list[str]:
    if level.mode == "kana":
        return [html.escape(p) for p in kana_pieces(reading.tokens)]
    return [token_to_html(t, level) for t in reading.tokens]


def text_to_html(reading: Reading | None, text: str, level: RubyLevel) -> Markup:
    """A title or short text with ruby at the level (escaped)."""
    if reading is None:
        return Markup(html.escape(text))
    return Markup(ruby_overhang("".join(_pieces(reading, level))))


@lru_cache(maxsize=1024)
def plain_reading(text: str) -> Reading:
    """A short text's reading, kept: glossary explanations, the site's own words, titles."""
    return text_to_reading(text)


def plain_to_html(term: Term, level: RubyLevel) -> Markup:
    return text_to_html(plain_reading(term.plain), term.plain, level)


def sentence_to_html(sentence: Sentence, level: RubyLevel, *, cue: str, terms: dict[str, Term], glossary_url: str,
                     note_prefix: str, disclose: bool = True) -> Markup:
    """One sentence: ruby per token; the first use of a glossary term as a link that scripts turn into a
    disclosure; footnote markers put back where they stood, linked to the note."""
    reading = sentence.reading or text_to_reading(sentence.text, ruby=sentence.ruby)
    pieces = _pieces(reading, level)
    opens = {r.start: r for r in sentence.terms if r.first and disclose}
    notes_at: dict[int, list] = {}
    for note in sentence.notes:
        notes_at.setdefault(note.offset, []).append(note)
    out = [f'<span class="s" id="c-{html.escape(cue)}" data-cue="{html.escape(cue)}">']
    open_term: tuple[int, str] | None = None
    links = {link.start: link for link in sentence.links}
    open_link: int | None = None
    pending_notes = sorted(notes_at)
    for token, piece in zip(reading.tokens, pieces):
        link = links.get(token.start)
        if link is not None and open_link is None and open_term is None:
            # NOTE: a printed URL is itself the link (its name is the address a reader sees)
            out.append(f'<a class="url" href="{html.escape(link.url)}" rel="noopener">')
            open_link = link.end
        ref = opens.get(token.start) if open_link is None else None
        if ref is not None and open_term is None:
            out.append(f'<a class="term" href="{html.escape(glossary_url)}#term-{html.escape(ref.id)}" '
                       f'data-term="{html.escape(ref.id)}">')
            open_term = (ref.end, ref.id)
        out.append(piece)
        if open_link is not None and token.end >= open_link:
            out.append("</a>")
            open_link = None
        if open_term and token.end >= open_term[0]:
            term = terms.get(open_term[1])
            out.append("</a>")
            if term is not None:
                out.append(f'<span class="term-def" id="def-{html.escape(cue)}-{html.escape(term.id)}" hidden>'
                           f"{plain_to_html(term, level)}</span>")
            open_term = None
        while pending_notes and pending_notes[0] <= token.end and not open_term:
            for note in notes_at[pending_notes.pop(0)]:
                out.append(_note_link(note.number, note.mark, note_prefix))
    if open_term or open_link is not None:
        out.append("</a>")
    for offset in pending_notes:
        for note in notes_at[offset]:
            out.append(_note_link(note.number, note.mark, note_prefix))
    out.append("</span>")
    return Markup(ruby_overhang("".join(out)))


def _note_link(number: int, mark: str, prefix: str) -> str:
    # NOTE: the name starts with what is shown (「＊5」), then says what it is (WCAG 2.5.3 label in name)
    return (f'<sup class="noteref"><a id="{prefix}ref-{number}" href="#{prefix}fn-{number}">{html.escape(mark)}'
            f'<span class="visually-hidden">（注{number}へ）</span></a></sup>')


def table_to_html(block: Block, cues: list[str], level: RubyLevel, caption: Markup | None = None) -> Markup:
    """A table block on a page: its caption, and each data row carrying the cue of the sentence that reads it
    aloud (``cues``, in order), so the player highlights the row it is saying."""
    rows = [f'class="s" id="c-{html.escape(cue)}" data-cue="{html.escape(cue)}"' for cue in cues]
    table = table_to_markup(block, rows, lambda text: str(text_to_html(plain_reading(text), text, level)))
    head = f'<table class="data"><caption>{caption}</caption>' if caption is not None else '<table class="data">'
    return Markup(head + table.removeprefix("<table>"))
