"""Markdown: ``#`` headings rank themselves; paragraphs, lists and quotes are body; code and HTML are not read."""

from __future__ import annotations

from markdown_it import MarkdownIt

from ..structure import Line


def markdown_to_lines(text: str) -> tuple[list[Line], str | None]:
    """Lines from a CommonMark parse, and the first heading as the title."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines: list[Line] = []
    title = None
    role, rank, depth_item = "text", None, 0
    for token in tokens:
        if token.type == "heading_open":
            role, rank = "heading", int(token.tag[1]) - 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth_item += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth_item -= 1
        elif token.type == "inline":
            content = "".join(_plain(child) for child in token.children or ())
            if role == "heading":
                lines.append(Line(content, "heading", rank=rank, style=f"h{rank + 1}"))
                title = title or content
            else:
                lines.append(Line(content, "item" if depth_item else "text"))
            lines.append(Line(""))
        elif token.type == "heading_close":
            role, rank = "text", None
    return lines, title


def _plain(token) -> str:
    """The words of an inline token: emphasis and link markup dropped, link text and image alt kept."""
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n" if token.type == "hardbreak" else ""
    if token.type == "image":
        return token.content or ""
    return ""
