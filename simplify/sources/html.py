"""HTML (a saved ministry or 自治体 page): headings, paragraphs, lists, notes and figures; no page chrome."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..model import Cell
from ..structure import Line

# NOTE: what a page wraps around its content: menus, banners, site footers, scripts, forms
_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "form", "button", "select",
         "textarea", "iframe", "svg", "canvas", "object", "embed", "head"}
_BLOCKS = {"p", "li", "dd", "dt", "blockquote", "td", "th", "pre", "address", "caption", "div", "section",
           "article", "main", "aside", "figure", "figcaption", "table", "tr", "ul", "ol", "dl", "body"}
_HEADINGS = {f"h{n}": n - 1 for n in range(1, 7)}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "complementary"}


def html_to_lines(text: str) -> tuple[list[Line], str | None]:
    """Lines in reading order, and the title (the first ``h1``, else ``<title>``)."""
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return [Line(text)], None
    page_title = root.findtext(".//title")
    main = root.find(".//main") if root.find(".//main") is not None else root
    lines: list[Line] = []
    _walk(main, lines)
    h1 = next((l.text for l in lines if l.role == "heading" and l.rank == 0), None)
    title = h1 or (page_title.strip() if page_title and page_title.strip() else None)
    return lines, title


def _skip(element) -> bool:
    if not isinstance(element.tag, str) or element.tag in _SKIP:
        return True
    role = (element.get("role") or "").lower()
    return role in _CHROME_ROLES or element.get("hidden") is not None or element.get("aria-hidden") == "true"


def _is_note(element) -> bool:
    marks = f"{element.get('role', '')} {element.get('class', '')} {element.get('id', '')}".lower()
    return "footnote" in marks or "doc-endnote" in marks


def _walk(element, lines: list[Line]) -> None:
    """Depth first: a block's own text is one paragraph; nested blocks are their own paragraphs."""
    for child in element:
        if _skip(child):
            continue
        tag = child.tag
        if _is_note(child):
            words = _text(child)
            m = re.match(r"^\s*(?:[＊*※]\s?)?(?P<num>[0-9]{1,3})[)）.．]?\s*(?P<rest>\S.*)$", words)
            numbered = _NOTE_ID.search(child.get("id") or "")
            if m:
                lines.append(Line(m["rest"], "footnote", number=int(m["num"])))
            elif numbered and words:  # NOTE: Word's notes through mammoth: <li id="footnote-3">text ↑</li>
                lines.append(Line(words, "footnote", number=int(numbered["num"])))
            else:
                lines.append(Line(words, "footnote"))
            continue
        if tag == "table" and _table(child, lines):
            continue
        if tag in _HEADINGS:
            lines.append(Line(_text(child), "heading", rank=_HEADINGS[tag], style=tag))
        elif tag == "img":
            alt = (child.get("alt") or "").strip()
            if alt:
                lines.append(Line(f"図 {alt}", "figure"))
        elif tag == "figcaption":
            lines.append(Line(_text(child), "figure"))
        elif tag == "br":
            continue
        elif tag in _BLOCKS:
            if _has_blocks(child):
                _inline_run(child, lines)
                _walk(child, lines)
            else:
                words = _text(child)
                if words:
                    role = "item" if tag in ("li", "dd", "dt", "td", "th") else "text"
                    lines.append(Line(words, role))
                    lines.append(Line(""))
        else:
            _walk(child, lines)


_NOTE_NAME = r"(?:footnote|endnote|fn|note)[-_:]?(?P<num>[0-9]{1,3})$"
_NOTE_ID = re.compile(_NOTE_NAME, re.I)
_NOTE_REF = re.compile("^#" + _NOTE_NAME, re.I)
_BACK_LINK = re.compile(r"^#(?:footnote|endnote|fn|note)[-_]?ref", re.I)


def _table(element, lines: list[Line]) -> bool:
    """A table of data (two rows or more with two cells of text) as a table Line; a layout table is walked."""
    rows = []
    for tr in element.iter("tr"):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        rows.append(tuple(Cell(_text(c), c.tag == "th") for c in cells))
    if sum(1 for row in rows if sum(1 for c in row if c.text) >= 2) < 2:
        return False
    lines.append(Line("", "table", cells=tuple(rows)))
    return True


def _has_blocks(element) -> bool:
    return any(isinstance(e.tag, str) and (e.tag in _BLOCKS or e.tag in _HEADINGS) for e in element.iter()
               if e is not element)


def _inline_run(element, lines: list[Line]) -> None:
    """Loose text directly inside a block that also holds blocks (``<div>text<p>…</p></div>``)."""
    words = (element.text or "").strip()
    if words:
        lines.append(Line(words))
        lines.append(Line(""))


def _text(element) -> str:
    parts: list[str] = []
    _collect(element, parts)
    # NOTE: a reference set after the sentence's full stop (Word's 「…います。¹」) marks that sentence
    return _MARK_AFTER_STOP.sub(r"\2\1", " ".join(" ".join(parts).split()))


_MARK_AFTER_STOP = re.compile(r"([。．！？])\s*((?:＊[0-9]{1,3})+)")


def _collect(element, parts: list[str]) -> None:
    href = element.get("href") or "" if element.tag == "a" else ""
    reference = _NOTE_REF.match(href)
    if reference:  # NOTE: a note's reference ([1], ¹): its marker, which the structure model attaches
        parts.append(f"＊{reference['num']}")
        return
    if _BACK_LINK.match(href):  # NOTE: a note's way back to its reference (↑, ↩) is no text
        return
    if element.tag == "img" and element.get("alt"):
        parts.append(element.get("alt"))
    if element.text and element.tag not in ("rt", "rp"):  # NOTE: printed ruby is a reading, not more words
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and not _skip(child):
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
