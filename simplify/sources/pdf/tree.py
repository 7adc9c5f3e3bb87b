"""A tagged PDF's logical structure tree -> plain, frozen elements in the author's reading order.

An element's ``/K`` holds, in order, marked-content ids of its page (integers, or ``/MCR`` dictionaries that
may name another page), annotations (``/OBJR``, not text) and child elements. The order matters: an inline
``Span`` or ``Note`` between two runs of a paragraph's text stands exactly there, so the walk keeps ``/K``'s order
(pdfplumber's ``structure_tree`` lists an element's own ids and its children apart). Custom types are resolved
through the ``RoleMap`` (Word's ``Footnote`` is a ``Note``, ``Title`` an ``H1``). The walk runs in the sandboxed
child that reads the file: it is bounded by element count and depth, and a cycle in the ``/K`` arrays is the
file's error, never a hang.
"""

from __future__ import annotations

from dataclasses import dataclass

from .limits import PdfError, PdfLimits

# NOTE: pdfminer is imported only in the sandboxed children that read a PDF: the parent never parses one.

STANDARD = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 L LI "
    "Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP "
    "Warichu WT WP Figure Formula Form Artifact Title FENote Em Strong Sub Aside DocumentFragment".split())


@dataclass(frozen=True)
class Content:
    """Marked content ``mcid`` of page ``page`` (0-based): the characters drawn inside it."""

    page: int
    mcid: int


@dataclass(frozen=True)
class Element:
    """A structure element: its standard role, the page it names, what it says instead of its content."""

    role: str
    page: int | None
    kids: tuple  # Element | Content, in /K order
    alt: str | None = None
    actual: str | None = None


def read_tree(doc, page_ids: dict[int, int], limits: PdfLimits, name: str) -> Element | None:
    """The tree under ``/StructTreeRoot`` of a pdfminer document; None when the file has none (or only an
    empty one). ``page_ids`` maps each page object's id to its number."""
    from pdfminer.pdftypes import resolve1

    root = resolve1((doc.catalog or {}).get("StructTreeRoot"))
    if not isinstance(root, dict):
        return None
    role_map = resolve1(root.get("RoleMap")) or {}
    roles = {str(k): _name(resolve1(v)) for k, v in role_map.items()} if isinstance(role_map, dict) else {}
    walk = _Walk(page_ids, roles, limits, name)
    top = walk.element({"S": "Document", "K": root.get("K")}, None, 0)
    return top if top.kids else None


def _name(value) -> str:
    return getattr(value, "name", value if isinstance(value, str) else str(value or ""))


class _Walk:
    def __init__(self, page_ids: dict[int, int], roles: dict[str, str], limits: PdfLimits, name: str):
        self.page_ids, self.roles, self.limits, self.name = page_ids, roles, limits, name
        self.count = 0
        self.open: set[int] = set()  # object ids of the elements on the current path

    def role(self, kind: str) -> str:
        seen = 0
        while kind not in STANDARD and kind in self.roles and seen < 10:
            kind, seen = self.roles[kind], seen + 1
        return kind

    def page(self, ref, inherited: int | None) -> int | None:
        objid = getattr(ref, "objid", None)
        return self.page_ids.get(objid, inherited) if objid is not None else inherited

    def element(self, node: dict, inherited: int | None, depth: int) -> Element:
        # NOTE: iterative in spirit: the depth is bounded, so Python's recursion limit is never the guard
        from pdfminer.pdftypes import resolve1

        self.count += 1
        if self.count > self.limits.elements:
            raise PdfError(f"{self.name}: PDF の論理構造が大きすぎます（{self.limits.elements:,} 要素を超えます）。",
                           code="too_large")
        if depth > self.limits.depth:
            raise PdfError(f"{self.name}: PDF の論理構造が深すぎます（{self.limits.depth} 段を超えます）。",
                           code="bad_pdf")
        original = _name(resolve1(node.get("S")))
        page = self.page(node.get("Pg"), inherited)
        kids = []
        k = node.get("K")
        items = resolve1(k)
        if not isinstance(items, list):
            items = [k] if k is not None else []
        for item in items:
            kid = self.kid(item, page, depth)
            if kid is not None:
                kids.append(kid)
        return Element(self.role(original), page, tuple(kids), _text(resolve1(node.get("Alt"))),
                       _text(resolve1(node.get("ActualText"))))

    def kid(self, item, page: int | None, depth: int):
        from pdfminer.pdftypes import resolve1

        objid = getattr(item, "objid", None)
        value = resolve1(item)
        if isinstance(value, int) and not isinstance(value, bool):
            return Content(page, value) if page is not None else None
        if not isinstance(value, dict):
            return None
        kind = _name(resolve1(value.get("Type")))
        if kind == "MCR":
            mcid = resolve1(value.get("MCID"))
            where = self.page(value.get("Pg"), page)
            return Content(where, mcid) if isinstance(mcid, int) and where is not None else None
        if kind == "OBJR" or "S" not in value:
            return None
        if objid is not None:
            if objid in self.open:
                raise PdfError(f"{self.name}: PDF の論理構造が循環しています（壊れた PDF です）。", code="bad_pdf")
            self.open.add(objid)
        try:
            return self.element(value, page, depth + 1)
        finally:
            self.open.discard(objid)


def _text(value) -> str | None:
    if isinstance(value, bytes):
        from pdfminer.utils import decode_text

        value = decode_text(value)
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
        return value or None
    return None
