"""Word files (.docx) -> Lines: the author's own styles through mammoth's HTML, then the HTML reader.

mammoth (BSD) maps Word's styles to HTML — 見出し 1–n / Heading n to h1–hn, lists, tables — and keeps footnotes and
endnotes as notes linked from their references, images' alt text, Word's ruby as <ruby>; the HTML source reads that
as any page. Before it runs, the file is checked as a ZIP (bounded sizes: a ZIP bomb is refused unread) and as a
Word document: a macro-enabled file or an encrypted one is refused with a clear message.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import InputError
from ..structure import Line
from .html import html_to_lines

# NOTE: mammoth (≈ 0.07 s) is imported when a Word file is read, not by every process that reads any input.

MAX_UNPACKED = 200 * 1024 * 1024  # bytes a .docx may unpack to
MAX_RATIO = 200  # unpacked / packed for any member: beyond it, a ZIP bomb
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .docx (or an old .doc) is an OLE compound file


def is_docx(data: bytes) -> bool:
    """A ZIP that holds ``word/document.xml`` (by content, whatever the file's name)."""
    if data[:2] != b"PK":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def is_ole(data: bytes) -> bool:
    return data[:8] == _OLE


def docx_to_lines(data: bytes, name: str) -> tuple[list[Line], str | None]:
    """Lines in reading order and the document's own title (its core properties' title, if any)."""
    import mammoth

    title = _check(data, name)
    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - a damaged part is the file's fault
        raise InputError(f"{name}: Word 文書が壊れているため読めません（{type(error).__name__}）。",
                         code="bad_docx") from None
    lines, html_title = html_to_lines(f"<html><body>{result.value}</body></html>")
    return lines, title or html_title


def _check(data: bytes, name: str) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: Word 文書（.docx）として読めません（ZIP が壊れています）。", code="bad_docx") from None
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED or any(
                m.compress_size and m.file_size / m.compress_size > MAX_RATIO for m in members):
            raise InputError(f"{name}: 展開すると大きすぎる Word 文書です（{MAX_UNPACKED >> 20} MB まで）。",
                             code="too_large", status=413)
        names = {m.filename for m in members}
        if "word/vbaProject.bin" in names:
            raise InputError(f"{name}: マクロを含む Word 文書です。マクロのない .docx で保存してからお使いください。",
                             code="macro_docx")
        if "word/document.xml" not in names:
            raise InputError(f"{name}: Word 文書（.docx）ではありません。", code="bad_docx")
        try:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace") if "docProps/core.xml" in names else ""
        except (zipfile.BadZipFile, OSError):
            core = ""
    found = re.search(r"<dc:title>([^<]+)</dc:title>", core)
    return " ".join(found[1].split()) if found and found[1].strip() else None
