"""Small tagged PDFs written byte by byte, for the structure-tree reader's tests.

A page is a list of structure elements ``E(role, *kids)``; a kid is another element or a ``Run`` of text drawn
at a place in a size (a ``Run`` straight on the page is drawn outside the tree). Each run is one marked-content sequence with its own MCID; the content stream draws the
runs in ``draw`` order (default: as listed), so a test can draw a page in an order other than the tree's."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    text: str
    x: float = 72
    y: float = 700
    size: float = 11


@dataclass
class E:
    role: str
    kids: tuple = ()
    alt: str | None = None
    actual: str | None = None

    def __init__(self, role: str, *kids, alt: str | None = None, actual: str | None = None):
        self.role, self.kids, self.alt, self.actual = role, kids, alt, actual


@dataclass
class _Objects:
    items: dict[int, bytes] = field(default_factory=dict)
    next: int = 100

    def add(self, body: bytes) -> int:
        number = self.next
        self.next += 1
        self.items[number] = body
        return number


def _string(text: str) -> str:
    if not text.isascii():  # NOTE: a PDF text string outside ASCII: UTF-16BE with its byte-order mark
        return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def tagged_pdf(pages: list[list[E]], *, role_map: dict[str, str] | None = None, artifacts: bool = True,
               cycle: bool = False, marked: bool = True, suspects: bool = False, reverse: bool = False,
               drawings: dict[int, list[str]] | None = None) -> bytes:
    """A PDF whose pages draw their runs and whose structure tree holds ``pages``' elements in order;
    ``reverse`` draws each page's runs last to first; ``drawings`` are path operators a page draws first
    (``"72 600 100 20 re S"``: rules and boxes, as a table's)."""
    objects = _Objects()
    page_numbers = [10 + 2 * n for n in range(len(pages))]
    top_kids: list[str] = []
    document = 5
    for n, elements in enumerate(pages):
        page = page_numbers[n]
        runs: list[Run] = []

        def build(element: E, parent: int) -> int:
            number = objects.add(b"")
            kids = []
            for kid in element.kids:
                if isinstance(kid, Run):
                    runs.append(kid)
                    kids.append(str(len(runs) - 1))
                else:
                    kids.append(f"{build(kid, number)} 0 R")
            if cycle and element.role == "P" and not getattr(build, "looped", False):
                kids.append(f"{document} 0 R")  # NOTE: an element that contains its own ancestor
                build.looped = True
            extra = ""
            if element.alt is not None:
                extra += f" /Alt {_string(element.alt)}"
            if element.actual is not None:
                extra += f" /ActualText {_string(element.actual)}"
            objects.items[number] = (f"<< /Type /StructElem /S /{element.role} /P {parent} 0 R /Pg {page} 0 R "
                                     f"/K [{' '.join(kids)}]{extra} >>").encode()
            return number

        loose = [e for e in elements if isinstance(e, Run)]  # NOTE: drawn, but in no element of the tree
        for element in elements:
            if isinstance(element, E):
                top_kids.append(f"{build(element, document)} 0 R")
        ops = list((drawings or {}).get(n, ()))
        if artifacts:
            ops += ["/Artifact BMC BT /F1 9 Tf 72 800 Td (Community news) Tj ET EMC",
                    f"/Artifact BMC BT /F1 9 Tf 290 30 Td ({n + 1}) Tj ET EMC"]
        marks = [f"/Span <</MCID {mcid}>> BDC BT /F1 {run.size} Tf {run.x} {run.y} Td {_string(run.text)} Tj ET EMC"
                 for mcid, run in enumerate(runs)]
        ops += marks[::-1] if reverse else marks  # NOTE: drawn backwards, the tree alone gives the order
        ops += [f"BT /F1 {run.size} Tf {run.x} {run.y} Td {_string(run.text)} Tj ET" for run in loose]
        stream = "\n".join(ops).encode()
        objects.items[page + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects.items[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {page + 1} 0 R "
                               f"/Resources << /Font << /F1 4 0 R >> >> /StructParents {n} >>").encode()
    roles = ""
    if role_map:
        roles = " /RoleMap << " + " ".join(f"/{k} /{v}" for k, v in role_map.items()) + " >>"
    info = f"/MarkInfo << /Marked {'true' if marked else 'false'}{' /Suspects true' if suspects else ''} >>"
    objects.items[1] = f"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 3 0 R {info} >>".encode()
    objects.items[2] = (f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_numbers)}] "
                        f"/Count {len(pages)} >>").encode()
    objects.items[3] = f"<< /Type /StructTreeRoot /K {document} 0 R{roles} >>".encode()
    objects.items[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects.items[document] = f"<< /Type /StructElem /S /Document /P 3 0 R /K [{' '.join(top_kids)}] >>".encode()
    return write_pdf(objects.items)


def write_pdf(items: dict[int, bytes]) -> bytes:
    """Numbered objects as a PDF file with its cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(items):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + items[number] + b"\nendobj\n"
    size = max(items) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[number]) if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def ruled_table(rows: list[list[str]], x: float = 72, y: float = 700, widths: tuple[float, ...] = (120, 300),
                height: float = 20, size: float = 10, lines: bool = False) -> tuple[list[Run], list[str]]:
    """A table's runs (one a cell) and its drawing: each cell a stroked box, or (``lines``) the grid's rules."""
    runs, ops = [], []
    for r, row in enumerate(rows):
        top = y - r * height
        left = x
        for width, text in zip(widths, row):
            if text:
                runs.append(Run(text, left + 4, top - height + 6, size))
            if not lines:
                ops.append(f"{left} {top - height} {width} {height} re S")
            left += width
    if lines:
        right, bottom = x + sum(widths), y - len(rows) * height
        ops += [f"{x} {y - r * height} m {right} {y - r * height} l S" for r in range(len(rows) + 1)]
        edges = [x] + [x + sum(widths[:k + 1]) for k in range(len(widths))]
        ops += [f"{e} {y} m {e} {bottom} l S" for e in edges]
    return runs, ops


def untagged(data: bytes) -> bytes:
    """The same PDF without its structure tree and MarkInfo (pypdf): what a layout reader must read alone."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    for key in ("/StructTreeRoot", "/MarkInfo"):
        if key in writer._root_object:
            del writer._root_object[key]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned(data: bytes, dpi: int = 300, pages: range | None = None) -> bytes:
    """A PDF's pages as a scan would give them: each page rendered to a grey image at ``dpi``, no text layer."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    numbers = pages if pages is not None else range(len(document))
    images = [document[n].render(scale=dpi / 72, grayscale=True).to_pil() for n in numbers]
    document.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def image_pdf(blocks: list[tuple[str, float]], dpi: int = 300, *, font: str | None = None) -> bytes:
    """A one-page A4 scan of typed text: ``blocks`` are (text, size in points) set one line each (a block wraps at
    the margin), drawn with a Japanese font into a grey image with no text layer — a notice as a scanner gives it."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    scale = dpi / 72
    width, height = round(595 * scale), round(842 * scale)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    path = font or japanese_font()
    left, right, y = 72 * scale, width - 72 * scale, 80 * scale
    for text, size in blocks:
        face = ImageFont.truetype(path, round(size * scale))
        line = ""
        for ch in text:
            if draw.textlength(line + ch, font=face) > right - left:
                draw.text((left, y), line, fill=0, font=face)
                y += size * scale * 1.7
                line = ""
            line += ch
        if line:
            draw.text((left, y), line, fill=0, font=face)
        y += size * scale * (2.4 if size > 12 else 1.7)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def japanese_font() -> str:
    """A Japanese font's file on this machine (Noto Sans CJK from Debian's fonts-noto-cjk, as the tests install)."""
    import subprocess

    found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK JP:lang=ja"], capture_output=True, text=True)
    return found.stdout.strip()


def browser_pdf(html: str) -> bytes:
    """``html`` printed to a tagged PDF by headless Chromium (Debian's, through Playwright): another maker than the
    corpus's, with its own habits — nested marked content with ActualText on single glyphs, no glyph for the
    ideographic space, sizes a hair off the point (11.4975 for 11.5 pt)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_content(html)
            return page.pdf(format="A4", tagged=True, outline=True, print_background=True,
                            margin={"top": "20mm", "bottom": "20mm", "left": "18mm", "right": "18mm"})
        finally:
            browser.close()


def office_pdf(docx_data: bytes) -> bytes:
    """A Word file saved as a tagged PDF by LibreOffice Writer (Debian's, headless), as many 自治体 make theirs:
    headings tagged H1/H2 from the styles' outline levels, bookmarks, notes as Note elements at the page's foot,
    the note's reference a Link."""
    import pathlib
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = pathlib.Path(folder) / "notice.docx"
        source.write_bytes(docx_data)
        # NOTE: a profile of its own, so a desktop session's LibreOffice is never touched or waited for
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
                        'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}',
                        "--outdir", folder, str(source)], check=True, capture_output=True, timeout=180)
        return (pathlib.Path(folder) / "notice.pdf").read_bytes()
