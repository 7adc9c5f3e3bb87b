"""Small Word (.docx) files written part by part, for the Word source's tests: styled headings (with their outline
levels, as Word's built-in styles have), paragraphs, a ruled table, a footnote in its own smaller style, the core
properties' title; optionally a macro part."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _p(text: str, style: str | None = None, note: int | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    ref = f'<w:r><w:footnoteReference w:id="{note}"/></w:r>' if note is not None else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>{ref}</w:p>'


# Word's 表 (格子): single rules round every cell
_GRID = ("<w:tblPr><w:tblBorders>" + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                            for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
         + "</w:tblBorders></w:tblPr>")


def docx(blocks: list, *, title: str | None = None, notes: dict[int, str] | None = None, macro: bool = False) -> bytes:
    """``blocks``: ("h1"|"h2"|"p", text[, note id]) or ("table", rows of cell texts[, ruled: default True])."""
    body = []
    for block in blocks:
        if block[0] == "table":
            rows = "".join("<w:tr>" + "".join(f"<w:tc>{_p(c)}</w:tc>" for c in row) + "</w:tr>" for row in block[1])
            body.append(f"<w:tbl>{_GRID if len(block) < 3 or block[2] else ''}{rows}</w:tbl>")
        else:
            style = {"h1": "Heading1", "h2": "Heading2"}.get(block[0])
            body.append(_p(block[1], style, block[2] if len(block) > 2 else None))
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W} {R}><w:body>{"".join(body)}</w:body></w:document>'
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
              '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>'
              '<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/>'
              '<w:rPr><w:sz w:val="18"/></w:rPr></w:style></w:styles>')
    footnotes = (f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}>'
                 + "".join(f'<w:footnote w:id="{n}">{_p(t, "FootnoteText")}</w:footnote>'
                           for n, t in (notes or {}).items())
                 + "</w:footnotes>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    document_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                     'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                     'officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" '
                     'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" '
                     'Target="footnotes.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", styles)
        archive.writestr("word/footnotes.xml", footnotes)
        archive.writestr("word/_rels/document.xml.rels", document_rels)
        if title:
            archive.writestr("docProps/core.xml", '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
                             'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                             f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title)}</dc:title>'
                             '</cp:coreProperties>')
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()
