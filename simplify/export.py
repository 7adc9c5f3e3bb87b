"""Document -> JSON-ready dicts and a readable outline: the one place the model is serialised."""

from __future__ import annotations

from dataclasses import asdict

from .glossary import term_usage
from .model import Block, Document, Footnote, Reading, Section, Sentence, Term, Token
from .reading import kana_to_romaji, token_to_ruby


def token_to_dict(token: Token) -> dict:
    out = {
        "surface": token.surface,
        "reading": token.reading,
        "romaji": kana_to_romaji(token.reading),
        "pron": token.pron,
        "pos": token.pos,
        "pos_detail": token.pos_detail,
        "start": token.start,
        "end": token.end,
        "source": token.source,
    }
    pairs = token_to_ruby(token)
    if any(rt for _, rt in pairs):
        out["ruby"] = [list(p) for p in pairs]
    return out


def reading_to_dict(reading: Reading | None) -> dict:
    if reading is None:
        return {}
    return {"tokens": [token_to_dict(t) for t in reading.tokens], "spoken": reading.spoken}


def term_refs(refs) -> list[dict]:
    return [{"id": r.id, "start": r.start, "end": r.end, "first": r.first} for r in refs]


def term_to_dict(term: Term, usage: dict[str, list[str]] | None = None) -> dict:
    out = {
        "id": term.id,
        "surfaces": list(term.surfaces),
        "variants": list(term.variants),
        "reading": term.reading,
        "pos": term.pos,
        "plain": term.plain,
        "english": term.english,
        "category": term.category,
        "source": term.source,
        "definition": term.definition,
        "definition_source": term.definition_source,
    }
    if usage is not None:
        out["sections"] = usage.get(term.id, [])
    return out


def sentence_to_dict(sentence: Sentence) -> dict:
    return {
        "text": sentence.text,
        "notes": [asdict(n) for n in sentence.notes],
        "links": [asdict(l) for l in sentence.links],
        "figures": list(sentence.figures),
        "ruby": [asdict(r) for r in sentence.ruby],
        "terms": term_refs(sentence.terms),
        **reading_to_dict(sentence.reading),
    }


def block_to_dict(block: Block) -> dict:
    out = {"type": block.type, "sentences": [sentence_to_dict(s) for s in block.sentences]}
    if block.type == "figure":
        out["figure"] = block.figure
        out["caption"] = block.caption
    if block.type == "table":
        out["rows"] = [[{"text": c.text, "header": c.header} for c in row] for row in block.rows]
        out["header_rows"] = block.header_rows
    return out


def footnote_to_dict(footnote: Footnote) -> dict:
    return {
        "mark": footnote.mark,
        "number": footnote.number,
        "text": footnote.text,
        "urls": list(footnote.urls),
        "ruby": [asdict(r) for r in footnote.ruby],
        "terms": term_refs(footnote.terms),
        **reading_to_dict(footnote.reading),
    }


def section_to_dict(section: Section, *, children: bool = True) -> dict:
    out = {
        "id": section.id,
        "level": section.level,
        "label": section.label,
        "title": section.title,
        **({"title_reading": reading_to_dict(section.title_reading)} if section.title_reading else {}),
        "title_ruby": [asdict(r) for r in section.title_ruby],
        "title_notes": [asdict(n) for n in section.title_notes],
        "title_terms": term_refs(section.title_terms),
        "terms": list(section.terms),
        "readability": section.readability.to_dict() if section.readability else None,
        "blocks": [block_to_dict(b) for b in section.blocks],
        "footnotes": [footnote_to_dict(f) for f in section.footnotes],
    }
    if children:
        out["children"] = [section_to_dict(c) for c in section.children]
    return out


def document_to_dict(document: Document) -> dict:
    usage = term_usage(document)
    return {
        "id": document.id,
        "title": document.title,
        "source": asdict(document.source),
        "sections": [section_to_dict(s) for s in document.sections],
        "discarded": list(document.discarded),
        "glossary": [term_to_dict(t, usage) for t in document.glossary],
    }


def document_to_outline(document: Document) -> str:
    """The heading tree as an indented list a person can read, with sentence and footnote counts.

    One line a section: ``  1　概要  [s6-1]  (0 文)``.
    """
    lines = [document.title]
    for section in document.walk():
        indent = "  " * section.level
        count = sum(1 for _ in section.sentences())
        notes = f", 注{len(section.footnotes)}" if section.footnotes else ""
        lines.append(f"{indent}{section.heading or '（本文）'}  [{section.id}]  ({count} 文{notes})")
    return "\n".join(lines)


def table_to_markup(block: Block, row_attributes: list[str], cell) -> str:
    """A table block as (X)HTML, the one markup of a table for pages and books: header cells as ``th scope``,
    each data row with the next of ``row_attributes`` (the id of the audio cue that reads it, for instance);
    ``cell`` turns a cell's text into escaped markup (ruby, or plain text)."""
    out = ["<table>"]
    spoken = iter(row_attributes)
    for index, row in enumerate(block.rows):
        header = index < block.header_rows
        attributes = None if header or not any(c.text for c in row) else next(spoken, None)
        out.append(f"<tr {attributes}>" if attributes else "<tr>")
        for c in row:
            inner = cell(c.text) if c.text else ""
            out.append(f'<th scope="{"col" if header else "row"}">{inner}</th>' if header or c.header
                       else f"<td>{inner}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)
