"""A page's characters with the marked content they sit in, nesting kept (ISO 32000-1 §14.6).

pdfplumber tags each character with the one marked-content sequence it last saw begin, and forgets it at the
next EMC. Marked content nests: Chromium and LibreOffice wrap a single glyph in ``/Span <</ActualText …>> BDC``
inside a paragraph's ``/P <</MCID 7>> BDC``. After that inner EMC, the rest of the paragraph had no MCID, so the
structure tree seemed to cover a tenth of the page and the page fell back to the layout reader; and the glyph
kept its font's text (⼀, the Kangxi radical) instead of the ActualText the maker wrote for it (一).

Here a character takes the MCID of the nearest enclosing sequence that has one, is an Artifact when any
enclosing sequence is, and a sequence's ActualText replaces the characters it covers (the outermost wins)."""

from __future__ import annotations

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException


class _Frame:
    """One open marked-content sequence, with what it inherits from those around it (so a glyph's MCID, tag and
    ActualText are found in constant time however deep the nesting)."""

    __slots__ = ("mcid", "tag", "artifact", "replacing", "actual", "used")

    def __init__(self, tag: str, mcid: int | None, actual: str | None, outer: "_Frame | None"):
        inherited = outer.mcid if outer is not None else None
        self.mcid = mcid if mcid is not None else inherited
        # NOTE: the tag of the sequence that gives the MCID (the structure's), else the innermost
        self.tag = tag if mcid is not None or outer is None or outer.mcid is None else outer.tag
        self.artifact = tag == "Artifact" or (outer is not None and outer.artifact)
        # NOTE: the outermost ActualText wins: it replaces everything inside it
        self.replacing = outer.replacing if outer is not None and outer.replacing is not None else (
            self if actual is not None else None)
        self.actual, self.used = actual, False


class _NestedMarkedContent(PDFPageAggregatorWithMarkedContent):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frames: list[_Frame] = []

    def begin_tag(self, tag: PSLiteral, props=None) -> None:
        props = props if isinstance(props, dict) else {}
        mcid = props.get("MCID")
        actual = props.get("ActualText")
        if isinstance(actual, bytes):
            actual = decode_text(actual)
        self.frames.append(_Frame(decode_text(tag.name) if isinstance(tag.name, bytes) else str(tag.name),
                                  mcid if isinstance(mcid, int) else None,
                                  actual if isinstance(actual, str) else None,
                                  self.frames[-1] if self.frames else None))

    def end_tag(self) -> None:
        if self.frames:  # NOTE: an unbalanced EMC is ignored, as viewers do
            self.frames.pop()

    def tag_cur_item(self) -> None:
        objs = self.cur_item._objs
        if not objs:
            return
        obj = objs[-1]
        frame = self.frames[-1] if self.frames else None
        obj.mcid = frame.mcid if frame is not None else None
        obj.tag = None if frame is None else "Artifact" if frame.artifact else frame.tag

    def render_char(self, *args, **kwargs) -> float:
        adv = super().render_char(*args, **kwargs)
        replacing = self.frames[-1].replacing if self.frames else None
        if replacing is not None and self.cur_item._objs:
            if replacing.used or not replacing.actual:
                self.cur_item._objs.pop()  # NOTE: the ActualText already stands for this glyph
            else:
                self.cur_item._objs[-1]._text = replacing.actual
                replacing.used = True
        return adv


def read_marked(page) -> None:
    """Lay ``page`` (a pdfplumber Page) out with nested marked content, before its ``chars`` are first read."""
    if hasattr(page, "_layout"):
        return
    device = _NestedMarkedContent(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = PDFPageInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as error:
        raise PdfminerException(error) from error
    page._layout = device.get_result()
