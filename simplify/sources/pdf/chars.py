"""Characters -> fragments: runs of characters on one baseline in one size, split at gaps (columns, cells)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Frag:
    """A run of characters on one baseline, without a wide gap."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    chars: list = field(default_factory=list)
    text: str = ""
    role: str = "text"
    number: int | None = None
    column_right: float | None = None  # where this fragment's column ends (set when the page is ordered)
    tag: str = ""  # the tag tree's word for these characters: "Artifact", "H1"…"H6", "H" (tagged PDFs only)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def chars_to_fragments(page: int, chars: list[dict]) -> list[Frag]:
    """Characters grouped by baseline, split at gaps wider than a character (columns, table cells) and where the
    size jumps (ruby and raised markers sit apart); a comma or quote in another face stays in its line.

    Characters OCR read carry the line Tesseract found them in (``ocr_line``): its page layout analysis sees
    the columns in the image, so two of its lines on one baseline are two fragments unless the second starts
    within an em of the first's end (one printed line it cut in two), and a gap inside one of its lines (a narrow
    letter's ink box in ＡＩ leaves one) splits it only when it is wider than a column gap."""
    frags: list[Frag] = []
    for row in _baselines(chars):
        row.sort(key=lambda c: (c.get("ocr_line", ()), c["x0"]))
        pieces: list[list[dict]] = []
        current: list[dict] = []
        for c in row:
            line = c.get("ocr_line")
            gap = _OCR_GAP if current and line is not None and line == current[-1].get("ocr_line") else 0.9
            if current and (c["x0"] - current[-1]["x1"] > gap * max(c["size"], current[-1]["size"])
                            or line != current[-1].get("ocr_line") or _jump(current[-1], c)):
                pieces.append(current)
                current = []
            current.append(c)
        if current:
            pieces.append(current)
        frags.extend(_frag(page, piece) for piece in _join_ocr_lines(pieces))
    return frags


def _join_ocr_lines(pieces: list[list[dict]]) -> list[list[dict]]:
    """A row's pieces with two lines OCR read that touch (the second starting within an em of the first's end,
    their type no size apart) joined into one."""
    if len(pieces) < 2 or any(piece[0].get("ocr_line") is None for piece in pieces):
        return pieces
    out: list[list[dict]] = []
    for piece in sorted(pieces, key=lambda p: p[0]["x0"]):
        if out:
            last, first = out[-1][-1], piece[0]
            if (last["ocr_line"] != first["ocr_line"] and not _jump(last, first)
                    and -0.2 * last["size"] <= first["x0"] - last["x1"] <= 0.9 * max(last["size"], first["size"])):
                out[-1] = out[-1] + piece
                continue
        out.append(piece)
    return out


_OCR_SPACE = 0.9  # ems: a gap between two words OCR read that is a space
_HALF_INK = set("、。，．・「」『』（）［］【】〔〕〈〉《》“”‘’")  # ink on one half of its em: the other half is a gap, not a space
_OCR_GAP = 2.5  # ems: a gap inside one OCR line that still splits it (a table's cells Tesseract read as one line)


def _baselines(chars: list[dict]) -> list[list[dict]]:
    """Characters clustered by baseline with a tolerance (a fifth of the type size, at least half a point): a
    quote mark in another face sits a little off the line and still belongs to it; a raised marker or ruby does not."""
    rows: list[list[dict]] = []
    start = None
    for c in sorted(chars, key=lambda c: c["bottom"]):
        if start is None or c["bottom"] - start > max(0.5, 0.2 * min(c["size"], rows[-1][0]["size"])):
            rows.append([])
            start = c["bottom"]
        rows[-1].append(c)
    return rows


def _jump(a: dict, b: dict) -> bool:
    small, large = sorted((a["size"], b["size"]))
    return large > 1.35 * small and not (_PUNCTUATION.match(a["text"]) or _PUNCTUATION.match(b["text"]))


_PUNCTUATION = re.compile(r"^[\s,.;:“”‘’\"'()（）、。・]$")


def _frag(page: int, chars: list[dict]) -> Frag:
    size = statistics.median(c["size"] for c in chars if not _PUNCTUATION.match(c["text"])) \
        if any(not _PUNCTUATION.match(c["text"]) for c in chars) else statistics.median(c["size"] for c in chars)
    font = Counter(font_name(c) for c in chars).most_common(1)[0][0]
    tag = Counter(c.get("yomiage_tag", "") for c in chars).most_common(1)[0][0]
    frag = Frag(page, chars[0]["x0"], chars[-1]["x1"], min(c["top"] for c in chars),
                max(c["bottom"] for c in chars), size, font, chars, tag=tag)
    frag.text = join_chars(chars)
    return frag


def font_name(c: dict) -> str:
    """The face without its subset prefix (``BCFEEE+HGMaruGothicMPRO`` -> ``HGMaruGothicMPRO``)."""
    return c["fontname"].split("+")[-1]


def join_chars(chars: list[dict]) -> str:
    """Characters as text, with a space where a gap on one line separates two Latin words (the PDF drew no space
    glyph there). Characters a reader put in (``synthetic``: a marker, a reading) and spaces the PDF did draw
    never get one. Characters OCR read (``ocr``) get one between Latin words, and elsewhere only where the gap is
    nearly an em: its word boxes leave narrower gaps between figures and kanji that the printed line did not
    have, and Japanese set solid has no wider one except a space (a note's number and its text)."""
    out = []
    previous = None
    for c in chars:
        if (previous is not None and "x0" in c and "x0" in previous
                and not c.get("synthetic") and not previous.get("synthetic")
                and not previous["text"][-1:].isspace() and not c["text"][:1].isspace()
                and abs(c["bottom"] - previous["bottom"]) < 0.5 * c["size"]
                and c["x0"] - previous["x1"] > 0.18 * c["size"]
                and ((previous["text"][-1:].isascii() and c["text"][:1].isascii()
                      or c["x0"] - previous["x1"] > _OCR_SPACE * c["size"]
                      and previous["text"][-1:] not in _HALF_INK and c["text"][:1] not in _HALF_INK) if "ocr" in c
                     else previous["text"][-1:].isascii() or c["text"][:1].isascii())):
            out.append(" ")
        out.append(c["text"])
        previous = c
    return "".join(out)
