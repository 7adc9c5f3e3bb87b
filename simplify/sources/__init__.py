"""Inputs: every kind of file a person brings, turned into a Document through one structure model.

Each module reads one kind of file into ``simplify.structure.Line`` s (``pdf``, ``html``, ``markdown``, ``text``);
``bytes_to_document`` tells the kinds apart by their content, never by the file name alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from ..errors import InputError
from ..model import Document, Section, Source
from ..structure import lines_to_document
from ..textio import check_size, decode
from .text import text_to_lines
from .wrapped import looks_wrapped, wrapped_to_lines

# NOTE: the readers of PDF, Word, HTML and Markdown are imported when such a file comes (together ≈ 0.1 s, as much
# as the rest of a command's start-up): the embedded default and plain text never need them.

KINDS = ("pdf", "docx", "html", "markdown", "text")

_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)


def sniff(data: bytes, name: str = "") -> str:
    """The kind of a file from its first bytes (and, for Markdown, its name or its ``#`` headings)."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if _HTML.match(data[:4096].removeprefix(b"\xef\xbb\xbf")):
        return "html"
    if name.lower().endswith((".md", ".markdown")):
        return "markdown"
    if data[:2] == b"PK":
        from .docx import is_docx

        if is_docx(data):
            return "docx"
    return "text"


def bytes_to_document(data: bytes, name: str, *, doc_id: str, source: Source, title: str | None = None,
                      pdf_limits=None, on_preview: Callable[[Document], None] | None = None) -> Document:
    """Any supported file as a Document: PDF, HTML, Markdown, or text (UTF-8, Shift_JIS, EUC-JP, UTF-16).
    ``pdf_limits`` (a ``pdf.PdfLimits``) lowers what reading a PDF may cost; ``on_preview`` hears of a long PDF's
    first pages as a document of their own (its sections that end on them) while the rest is read."""
    check_size(len(data), name)
    kind = sniff(data, name)
    if kind == "pdf":
        from . import pdf

        def document(read) -> Document:
            return lines_to_document(list(read.lines), doc_id=doc_id, source=source, title=title or read.title,
                                     discarded=tuple(text for text, _ in read.discarded),
                                     source_report=read.summary())

        def shown(read) -> None:
            preview = _whole_sections(document(read))
            if sum(1 for _ in preview.walk()) > 1:  # NOTE: more than the title and the notice of how far it goes
                on_preview(preview)

        return document(pdf.pdf_to_lines(data, name, pdf_limits or pdf.DEFAULT_LIMITS,
                                         None if on_preview is None else shown))
    if kind == "docx":
        from .docx import docx_to_lines

        lines, docx_title = docx_to_lines(data, name)
        return lines_to_document(lines, doc_id=doc_id, source=source, title=title or docx_title,
                                 source_report=("Word 文書（見出しはスタイルから）",))
    from .docx import is_ole

    if is_ole(data):
        raise InputError(f"{name}: 暗号化された Word 文書か、古い形式（.doc）です。パスワードを外して .docx で保存してから"
                         "お使いください。", code="encrypted_docx")
    text, encoding = decode(data, name)
    report = (f"文字コード: {encoding}",)
    if kind == "html":
        from .html import html_to_lines

        lines, html_title = html_to_lines(text)
        return lines_to_document(lines, doc_id=doc_id, source=source, title=title or html_title, source_report=report)
    if kind == "text" and _MARKDOWN_HEADING.search(text[:20000]) and not looks_wrapped(text):
        kind = "markdown"
    if kind == "markdown":
        from .markdown import markdown_to_lines

        lines, md_title = markdown_to_lines(text)
        return lines_to_document(lines, doc_id=doc_id, source=source, title=title or md_title, source_report=report)
    # NOTE: raw text extracted from a PDF (the embedded default's kind) is wrapped at the column's width and keeps
    # its furniture and ＊N notes: its lines are joined into paragraphs first
    lines = wrapped_to_lines(text) if looks_wrapped(text) else text_to_lines(text)
    return lines_to_document(lines, doc_id=doc_id, source=source, title=title, source_report=report)


def _whole_sections(document: Document) -> Document:
    """A document of a file's first pages without its last section, which may go on on a page not read yet: a
    listener who heard it would miss its end and go on to the next. The sections around it keep their own text."""
    def cut(sections: tuple[Section, ...]) -> tuple[Section, ...]:
        if not sections:
            return sections
        *kept, last = sections
        return (*kept, replace(last, children=cut(last.children))) if last.children else tuple(kept)

    return replace(document, sections=cut(document.sections))
