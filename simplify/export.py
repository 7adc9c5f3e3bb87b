"""Document -> JSON-ready dicts and a readable outline: the one place the model is serialised."""

from __future__ import annotations

from dataclasses import asdict

from .model import Block, Document, Footnote, Reading, Section, Sentence, Token
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


def sentence_to_dict(sentence: Sentence) -> dict:
    return {
        "text": sentence.text,
        "notes": [asdict(n) for n in sentence.notes],
        "links": [asdict(l) for l in sentence.links],
        "figures": list(sentence.figures),
        **reading_to_dict(sentence.reading),
    }


def block_to_dict(block: Block) -> dict:
    out = {"type": block.type, "sentences": [sentence_to_dict(s) for s in block.sentences]}
    if block.type == "figure":
        out["figure"] = block.figure
        out["caption"] = block.caption
    return out


def footnote_to_dict(footnote: Footnote) -> dict:
    return {
        "mark": footnote.mark,
        "number": footnote.number,
        "text": footnote.text,
        "urls": list(footnote.urls),
        **reading_to_dict(footnote.reading),
    }


def section_to_dict(section: Section, *, children: bool = True) -> dict:
    out = {
        "id": section.id,
        "level": section.level,
        "label": section.label,
        "title": section.title,
        **({"title_reading": reading_to_dict(section.title_reading)} if section.title_reading else {}),
        "blocks": [block_to_dict(b) for b in section.blocks],
        "footnotes": [footnote_to_dict(f) for f in section.footnotes],
    }
    if children:
        out["children"] = [section_to_dict(c) for c in section.children]
    return out


def document_to_dict(document: Document) -> dict:
    return {
        "id": document.id,
        "title": document.title,
        "source": asdict(document.source),
        "sections": [section_to_dict(s) for s in document.sections],
        "discarded": list(document.discarded),
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
