"""Pages without a text layer (scans) read by OCR: Tesseract's Japanese model, through tesserocr.

A scanned page becomes what a text page is: characters with positions and a type size, so the same layout reader
finds its columns, headings, notes and running heads. Tesseract gives lines and words with boxes; each word's
characters share its box evenly (its symbol boxes are ink boxes, too ragged for a baseline), a line's top and
bottom are its box's, and its type size comes from its height and character pitch, snapped to the sizes the
document uses. Lines Tesseract is unsure of are left out; the page's confidence is kept for the report.

The pages are rendered (pypdfium2, 300 dpi) and read in sandboxed children like every PDF page: a memory ceiling,
a CPU-time limit per page, one Tesseract thread per child and one child per core.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import statistics
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from .limits import PdfError, PdfLimits, children, run_limited

# NOTE: pypdfium2 and tesserocr are imported only in the sandboxed children that render and read scanned pages.

DPI = 300
FONT = "OCR"  # the face every recognised character is given: the layout reader sees one face
_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")


@dataclass(frozen=True)
class OcrPage:
    number: int
    chars: tuple[dict, ...]
    confidence: float  # Tesseract's mean word confidence over the characters kept, 0–100
    dropped: tuple[str, ...]  # lines left out as unsure (a figure's labels, specks)
    boxes: tuple[tuple[float, float, float, float, str], ...] = ()  # the cells the page's rules enclose, in points


def tessdata() -> str | None:
    """Where Tesseract's Japanese model is (``YOMIAGE_TESSDATA``, else Debian's folders), or None."""
    for folder in (os.environ.get("YOMIAGE_TESSDATA"), *_TESSDATA):
        if folder and (Path(folder) / "jpn.traineddata").is_file():
            return folder
    return None


def read_scanned(data: bytes, name: str, numbers: list[int], limits: PdfLimits, *, total: int | None = None
                 ) -> list[OcrPage]:
    """The pages ``numbers`` of the PDF ``data`` read by OCR, in children (one per core); ``total``: the file's
    scanned pages in all, when these are a part of them (the limit is on the file)."""
    if (total or len(numbers)) > limits.ocr_pages:
        raise PdfError(f"{name}: 文字の層がない（スキャンした）ページが多すぎます（{total or len(numbers)} ページ）。"
                       f"{limits.ocr_pages} ページ以下に分けてください。", code="too_large")
    folder = tessdata()
    if folder is None:
        raise PdfError(f"{name}: スキャンした PDF を読むための OCR（Tesseract の日本語モデル）がこのサーバーにありません。"
                       "管理者に tesseract-ocr-jpn の導入を依頼してください。", code="ocr_unavailable")
    count = children(limits, len(numbers))
    shares = [numbers[part::count] for part in range(count)]
    model = _model(folder, name)
    parts = run_limited(_read_pages, [(data, name, share, limits, folder, model) for share in shares], name=name,
                        memory=limits.memory, seconds=limits.ocr_seconds * len(shares[0]), child="yomiage-ocr")
    return sorted((page for part in parts for page in part), key=lambda p: p.number)


def _read_pages(data: bytes, name: str, numbers: list[int], limits: PdfLimits, folder: str,
                model: str = "jpn") -> list[OcrPage]:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # NOTE: before Tesseract loads: one thread per child, a child per core
    import numpy
    import pypdfium2
    from tesserocr import PSM, PyTessBaseAPI

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise PdfError(f"{name}: PDF が壊れているため読めません（{error}）。") from None
    out = []
    vertical_api = headline_api = headline_page = None
    second = model != HEADLINE_MODEL and (Path(folder) / f"{HEADLINE_MODEL}.traineddata").is_file()
    try:
        with PyTessBaseAPI(path=folder, lang=model, psm=PSM.AUTO) as api:
            for number in numbers:
                started = time.monotonic()
                page = document[number]
                _check_images(page, name, number, limits)
                width, height = page.get_size()
                scale = min(DPI / 72, (limits.ocr_pixels / max(1.0, width * height)) ** 0.5)
                image = page.render(scale=scale, grayscale=True).to_pil()
                api.SetImage(image)
                api.SetSourceResolution(round(scale * 72))
                api.Recognize()
                if _runs_down(api):
                    # NOTE: 縦書き: the vertical model reads the columns Tesseract's layout analysis found
                    if vertical_api is None:
                        vertical_api = _vertical_api(folder, name)
                    vertical_api.SetImage(image)
                    vertical_api.SetSourceResolution(round(scale * 72))
                    vertical_api.Recognize()
                    out.append(_vertical_page(vertical_api, api, number, 1 / scale))
                else:
                    ink = numpy.asarray(image) < INK  # NOTE: the render is grey already

                    def headlines(image=image, scale=scale, number=number):
                        """The headline model, holding this page (made on the first page that needs it)."""
                        nonlocal headline_api, headline_page
                        if headline_api is None:
                            headline_api = PyTessBaseAPI(path=folder, lang=HEADLINE_MODEL, psm=PSM.SINGLE_LINE)
                        if headline_page != number:
                            headline_api.SetImage(image)
                            headline_api.SetSourceResolution(round(scale * 72))
                            headline_page = number
                        return headline_api

                    read = _page(api, number, 1 / scale, ink, headlines if second else None)
                    # NOTE: a table holds text: a page OCR found none on has no table to find
                    out.append(replace(read, boxes=ruled_cells(ink, 1 / scale)) if read.chars else read)
                page.close()
                if time.monotonic() - started > limits.ocr_seconds:
                    raise PdfError(f"{name}: {number + 1} ページの文字の読み取り（OCR）に時間がかかりすぎます。",
                                   code="too_slow")
    finally:
        for other in (vertical_api, headline_api):
            if other is not None:
                other.End()
        document.close()
    return out


# NOTE: Tesseract's models for horizontal Japanese: ``Japanese`` (the script, tesseract-ocr-script-jpan) and
# ``jpn`` (the language, Debian's tesseract-ocr-jpn). bench/ocr.py on the corpus scans: Japanese 97.2 % of
# characters, jpn 94.5 %. The script model is less sure of large type and misreads some headline kanji (夏季 as
# 夏李), which jpn reads well: with it, each line in large type is also read by jpn (HEADLINE_MODEL) and the reading
# in which the analyser finds fewer unknown words, then fewer words, is kept (_reread_headlines): Tesseract's
# confidences do not rank the two models' readings (jpn is surer of 第1草 than the script model of 第1章).
_MODELS = {"Japanese": "tesseract-ocr-script-jpan", "jpn": "tesseract-ocr-jpn"}
DEFAULT_MODEL = "Japanese"
HEADLINE_MODEL = "jpn"


def _model(folder: str, name: str) -> str:
    """The horizontal model ``YOMIAGE_OCR_MODEL`` names (``DEFAULT_MODEL`` unless set), if it is installed."""
    model = os.environ.get("YOMIAGE_OCR_MODEL", DEFAULT_MODEL)
    if model not in _MODELS:
        raise PdfError(f"{name}: YOMIAGE_OCR_MODEL は {' か '.join(_MODELS)} です（{model!r} ではなく）。", code="ocr_unavailable")
    if not (Path(folder) / f"{model}.traineddata").is_file():
        raise PdfError(f"{name}: OCR のモデル {model} がこのサーバーにありません。管理者に {_MODELS[model]} の導入を"
                       "依頼してください。", code="ocr_unavailable")
    return model


def _runs_down(api) -> bool:
    """Tesseract's layout analysis (of the recognition just run) found most of the page's text in lines that run
    top to bottom (縦書き)."""
    from tesserocr import RIL, WritingDirection, iterate_level

    iterator = api.GetIterator()
    if iterator is None:
        return False
    down = across = 0
    for block in iterate_level(iterator, RIL.BLOCK):
        box = block.BoundingBox(RIL.BLOCK)
        if box is None:
            continue
        area = (box[2] - box[0]) * (box[3] - box[1])
        if block.Orientation()[1] == WritingDirection.TOP_TO_BOTTOM:
            down += area
        else:
            across += area
    return down > across


def _vertical_api(folder: str, name: str):
    from tesserocr import PSM, PyTessBaseAPI

    if not (Path(folder) / "jpn_vert.traineddata").is_file():
        raise PdfError(f"{name}: 縦書きのスキャンを読むための OCR（Tesseract の縦書き日本語モデル）がこのサーバーにありません。"
                       "管理者に tesseract-ocr-jpn-vert の導入を依頼してください。", code="ocr_unavailable")
    return PyTessBaseAPI(path=folder, lang="jpn_vert", psm=PSM.AUTO)


def _vertical_page(api, across, number: int, to_points: float) -> OcrPage:
    """A vertical page as characters standing down their columns: each word's characters share its box's height
    evenly, a column's left and right are its box's, its type size the column's width. The reader sees a page
    of vertical lines and turns it for the layout reader; the horizontal mends (run-together lines, colour note
    numbers) are for horizontal lines and are not applied. Short columns are read again by ``across`` (the
    horizontal model, its image set): the vertical model splits a lone い into two columns and reads 「No」「し」."""
    from tesserocr import RIL, iterate_level

    iterator = api.GetIterator()
    if iterator is None:
        return OcrPage(number, (), 0.0, ())
    lines: list[list[tuple]] = []
    boxes: list[tuple[int, int, int, int]] = []
    for word in iterate_level(iterator, RIL.WORD):
        box = word.BoundingBox(RIL.WORD)
        text = (word.GetUTF8Text(RIL.WORD) or "").strip()
        if box is None or not text:
            continue
        if word.IsAtBeginningOf(RIL.TEXTLINE) or not lines:
            lines.append([])
            boxes.append(word.BoundingBox(RIL.TEXTLINE) or box)
        lines[-1].append((text, word.Confidence(RIL.WORD), box))
    widths = sorted(box[2] - box[0] for box, words in zip(boxes, lines) if _length(words) >= 5 and not _unsure(words))
    usual = widths[len(widths) // 2] if widths else 0
    if usual:
        _reread_short_columns(across, lines, boxes, usual)
    sure = [j for j, words in enumerate(lines) if words and not _unsure(words)]
    # NOTE: a column of one or two characters (い。) has narrow ink: it takes the usual column's size
    chars, weights, dropped = [], [], []
    for line, (words, (x0, top, x1, bottom)) in enumerate(zip(lines, boxes)):
        if not words:
            continue
        # NOTE: a column's last one or two characters (い。) alone, or a first one the model split off (市), are
        # read unsurely; beside a sure column, inside its height, they are the text's, not specks
        beside = _length(words) <= 2 and any(
            abs(boxes[j][0] - x0) <= 2.5 * (x1 - x0) and boxes[j][1] - (x1 - x0) <= top and bottom <= boxes[j][3] + (x1 - x0)
            for j in sure if j != line)
        if _unsure(words) and not beside:
            dropped.append(" ".join(text for text, _, _ in words))
            continue
        size = round(max(x1 - x0, usual if _length(words) <= 3 else 0) / 0.92 * to_points, 1)
        below = 0.0
        for text, confidence, (_, top, _, bottom) in words:
            start = max(top * to_points, below)
            step = max(0.0, bottom * to_points - start) / max(1, len(text))
            for i, ch in enumerate(text):
                chars.append({"text": ch, "x0": x0 * to_points, "x1": x0 * to_points + size,
                              "top": start + i * step, "bottom": start + i * step + size, "size": size,
                              "fontname": FONT, "ocr": round(confidence, 1), "ocr_line": (number, line)})
            below = start + len(text) * step
            weights.append((confidence, len(text)))
    return _ocr_page(number, chars, weights, dropped)


def _reread_short_columns(api, lines: list, boxes: list, usual: int) -> None:
    """Columns of at most three characters side by side (one character the vertical model split in two) read
    again together, as one block, by the horizontal model; the first keeps the reading, the others are emptied."""
    from tesserocr import PSM

    short = [j for j, words in enumerate(lines) if _length(words) <= 3]
    done: set[int] = set()
    try:
        api.SetPageSegMode(PSM.SINGLE_BLOCK)
        for j in short:
            if j in done:
                continue
            group, box = [j], list(boxes[j])
            for k in short:
                other = boxes[k]
                if k != j and k not in done and max(other[0] - box[2], box[0] - other[2]) < 0.6 * usual \
                        and min(other[3], box[3]) > max(other[1], box[1]):
                    group.append(k)
                    box = [min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])]
            if len(group) < 2 and box[2] - box[0] > 0.8 * usual:
                continue  # NOTE: a whole column that is short: as the vertical model read it
            pad = round(0.15 * usual)
            api.SetRectangle(box[0] - pad, box[1] - pad, box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad)
            api.Recognize()
            text = "".join((api.GetUTF8Text() or "").split())
            done.update(group)
            if not text:
                continue
            for k in group:
                lines[k] = []
            lines[j] = [(text, float(api.MeanTextConf()), tuple(box))]
            boxes[j] = tuple(box)
    finally:
        api.SetPageSegMode(PSM.AUTO)


def _check_images(page, name: str, number: int, limits: PdfLimits) -> None:
    """A page whose images would not fit in half the memory ceiling when decoded (a few hundred kB of a PDF can
    inflate to gigabytes of pixels) is refused before it is rendered."""
    import pypdfium2.raw

    for image in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        info = image.get_metadata()
        if info.width * info.height * max(1, info.bits_per_pixel) // 8 > limits.memory // 2:
            raise PdfError(f"{name}: {number + 1} ページの画像が大きすぎます（{info.width:,}×{info.height:,} 画素）。"
                           "解像度を下げてスキャンし直してください。", code="too_large")


# NOTE: a rule is a straight run of ink at least this long (in points: 5 mm) and at most this thick: longer than
# any stroke of a character at body sizes (a dash ー at 10.5 pt is under 4 mm), thinner than a letter
RULE_LENGTH = 14.0
RULE_THICKNESS = 3.0
MAX_RULES = 600  # a page with more straight runs than this is a drawing (a map, a chart's grid), not a table
INK = 160  # a grey pixel darker than this is ink
RULE_PIXELS = 2_500_000  # rules are looked for in an image of about this many pixels (A4 at 150 dpi: 2.2 M)


def ruled_cells(ink, to_points: float) -> tuple[tuple[float, float, float, float, str], ...]:
    """The cells a scanned page's ruled lines enclose (what a text page's drawing gives the table finder): runs
    of dark pixels at least ``RULE_LENGTH`` long, across and down, as edges; a block of fill (a shaded header
    cell printed dark) gives its four sides. The edges are snapped and joined, and the rectangles their crossings
    close are the cells (pdfplumber's table geometry, the same a text page's rules go through)."""
    import numpy
    from pdfplumber.table import edges_to_intersections, intersections_to_cells, merge_edges
    from scipy import ndimage

    # NOTE: rules are found at about 150 dpi (2×2 pixels become one, ink if any was): a hairline stays, and the
    # arrays stay small whatever the scan's resolution
    step = max(1, math.ceil((ink.size / RULE_PIXELS) ** 0.5))
    if step > 1:
        high, wide = ink.shape[0] // step * step, ink.shape[1] // step * step
        ink = ink[:high, :wide].reshape(high // step, step, wide // step, step).any(axis=(1, 3))
        to_points *= step
    length = max(8, round(RULE_LENGTH / to_points))
    thick = max(2, round(RULE_THICKNESS / to_points))
    edges: list[dict] = []
    for axis, orientation in ((1, "h"), (0, "v")):
        # NOTE: an erosion then a dilation along the axis (running means: linear in the pixels, whatever the
        # length) keeps only runs of ink at least ``length`` long
        whole = ndimage.uniform_filter1d(ink.astype(numpy.float32), length, axis=axis) > 0.999
        runs = ndimage.maximum_filter1d(whole, length, axis=axis)
        labels, count = ndimage.label(runs)
        if count > MAX_RULES:
            return ()
        for found in ndimage.find_objects(labels):
            rows, cols = found
            top, bottom, left, right = rows.start, rows.stop, cols.start, cols.stop
            across = (bottom - top) if orientation == "h" else (right - left)
            if across <= thick and orientation == "h":
                edges.append(_edge("h", left, right, (top + bottom) / 2, to_points))
            elif across <= thick:
                edges.append(_edge("v", top, bottom, (left + right) / 2, to_points))
            elif orientation == "h":  # NOTE: a filled block: its sides are the rules of the cell it fills
                edges += [_edge("h", left, right, top, to_points), _edge("h", left, right, bottom, to_points),
                          _edge("v", top, bottom, left, to_points), _edge("v", top, bottom, right, to_points)]
    if not edges:
        return ()
    edges = merge_edges(edges, 3, 3, 3, 3)
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    return tuple((round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1), "") for x0, top, x1, bottom in cells)


def _edge(orientation: str, start: float, stop: float, at: float, to_points: float) -> dict:
    """A rule from ``start`` to ``stop`` along its direction, at ``at`` across it (pixels), as pdfplumber's edge."""
    start, stop, at = start * to_points, stop * to_points, at * to_points
    if orientation == "h":
        return {"orientation": "h", "x0": start, "x1": stop, "top": at, "bottom": at, "width": stop - start,
                "height": 0.0}
    return {"orientation": "v", "x0": at, "x1": at, "top": start, "bottom": stop, "width": 0.0, "height": stop - start}


# NOTE: a line whose words Tesseract is this unsure of, on average, is a chart's labels, a photo's texture or
# specks far more often than text; a line of text with one unsure word keeps it (leaving it out loses more)
LINE_CONFIDENCE = 50.0


# NOTE: a web address is text however unsure the Japanese model is of its letters (it knows few of them)
_ADDRESS = re.compile(r"^(?:https?:|www\.)")


def _length(words) -> int:
    return sum(len(text) for text, _, _ in words)


def _unsure(words) -> bool:
    return sum(confidence * len(text) for text, confidence, _ in words) / max(1, _length(words)) < LINE_CONFIDENCE


def _page(api, number: int, to_points: float, ink, headlines=None) -> OcrPage:
    """A page Tesseract has recognised, as characters; ``headlines()``, when given, is the API of a second model
    holding the same page, which reads the lines in large type again."""
    iterator = api.GetIterator()
    if iterator is None:
        return OcrPage(number, (), 0.0, ())
    square = SQUARE / to_points
    lines, line_boxes = _split_run_together(api, *_read_lines(iterator, ink, square), ink, square)
    if headlines is not None:
        _reread_headlines(headlines, lines, line_boxes, ink, square)
    _recover_numbers(api, lines, line_boxes, ink)
    dropped = []
    _join_marks(lines, line_boxes)
    chars: list[dict] = []
    weights = []
    for line, (words, line_box) in enumerate(zip(lines, line_boxes)):
        if not words:
            continue
        if _unsure(words) and not _ADDRESS.match(words[0][0]):
            dropped.append(" ".join(text for text, _, _ in words))
            continue
        top = line_box[1] * to_points
        bottom = line_box[3] * to_points
        size = _line_size(words, line_box, to_points)
        right = 0.0
        for text, confidence, (x0, _, x1, _) in mend_line(words):
            # NOTE: Tesseract's word boxes may overlap a little; its order within a line is right, so the
            # characters keep it: a word starts no left of where the one before it ended
            left = max(x0 * to_points, right)
            step = max(0.0, x1 * to_points - left) / max(1, len(text))
            for i, ch in enumerate(text):
                chars.append({"text": ch, "x0": left + i * step, "x1": left + (i + 1) * step, "top": top,
                              "bottom": bottom, "size": size, "fontname": FONT, "ocr": round(confidence, 1),
                              "ocr_line": (number, line)})
            right = left + len(text) * step
            weights.append((confidence, len(text)))
    return _ocr_page(number, chars, weights, dropped)


def _ocr_page(number: int, chars: list[dict], weights: list[tuple[float, int]], dropped: list[str]) -> OcrPage:
    """A page's characters with its confidence: the words' confidences weighted by their lengths."""
    total = sum(n for _, n in weights)
    confidence = sum(c * n for c, n in weights) / total if total else 0.0
    return OcrPage(number, tuple(chars), round(confidence, 1), tuple(dropped))


def _read_lines(iterator, ink, square: float) -> tuple[list[list[tuple]], list[tuple[int, int, int, int]]]:
    """What Tesseract read, as lines of words ``(text, confidence, box)`` and each line's box, in pixels; a symbol
    holding a solid square at least ``square`` pixels high is a ■."""
    from tesserocr import RIL, iterate_level

    lines: list[list[list]] = []
    boxes: list[tuple[int, int, int, int]] = []
    last: tuple[list, str, tuple[int, int, int, int]] | None = None  # the line's symbol before: (word, text, box)
    for symbol in iterate_level(iterator, RIL.SYMBOL):
        box = symbol.BoundingBox(RIL.SYMBOL)
        if box is None:
            continue
        if symbol.IsAtBeginningOf(RIL.TEXTLINE) or not lines:
            lines.append([])
            boxes.append(symbol.BoundingBox(RIL.TEXTLINE) or box)
            last = None
        if symbol.IsAtBeginningOf(RIL.WORD) or not lines[-1]:
            lines[-1].append(["", symbol.Confidence(RIL.WORD), symbol.BoundingBox(RIL.WORD) or box])
        text = (symbol.GetUTF8Text(RIL.SYMBOL) or "").strip()
        if _solid(ink, box, boxes[-1], square):
            text = "■"  # NOTE: Tesseract reads a solid square (■第1-1-7表) as a kanji (画, 時)
        if last is not None and _sliver(last[1], last[2], text, box) and last[0][0].endswith(last[1]):
            last[0][0] = last[0][0][:-len(last[1])]
        lines[-1][-1][0] += text
        last = (lines[-1][-1], text, box)
    return [[tuple(word) for word in words if word[0]] for words in lines], boxes


# NOTE: the Japanese model can read a full-width capital as two symbols, a kanji for its left stroke and then the
# letter (生成ＡＩ as 生成人AI): a kanji or kana far narrower than it is tall, touching the letter after it, is a
# sliver of that letter (a real one is about as wide as it is tall; the narrowest, ト or リ, half as wide)
_WIDE_LETTER = re.compile(r"^[\u3041-\u30ff\u4e00-\u9fff]$")


def _sliver(text: str, box: tuple[int, int, int, int], after: str, after_box: tuple[int, int, int, int]) -> bool:
    return (bool(_WIDE_LETTER.match(text)) and after[:1].isascii() and after[:1].isalpha()
            and box[2] - box[0] < 0.35 * (box[3] - box[1]) and after_box[0] - box[2] <= 2)


# NOTE: a line this many times as tall as the page's usual line is two or more lines Tesseract ran together
_RUN_TOGETHER = 1.6


def _split_run_together(api, lines: list, boxes: list, ink, square: float) -> tuple[list, list]:
    """Lines Tesseract ran together (its line finder can merge two printed lines near ruby or noise, and reads
    the pair as a few garbled words) read again one printed line at a time: the tall line's box is cut where a
    row of pixels holds no ink, and each band as tall as a line is read as a single line. A band much shorter
    than a line (ruby over a line) is not read."""
    from tesserocr import PSM

    heights = sorted(b[3] - b[1] for b, words in zip(boxes, lines) if _length(words) >= 5)
    if len(heights) < 3:
        return lines, boxes
    usual = heights[len(heights) // 2]
    out_lines, out_boxes = [], []
    try:
        for index, (words, box) in enumerate(zip(lines, boxes)):
            x0, top, x1, bottom = box
            bands = _bands(ink[top:bottom, x0:x1], usual) if bottom - top > _RUN_TOGETHER * usual else []
            # NOTE: a band another line of Tesseract's already holds is not read twice
            bands = [(a, b) for a, b in bands
                     if not any(j != index and o[0] < x1 and x0 < o[2]
                                and min(o[3], top + b) - max(o[1], top + a) >= 0.5 * (b - a)
                                for j, o in enumerate(boxes))]
            if len(bands) < 2:
                out_lines.append(words)
                out_boxes.append(box)
                continue
            api.SetPageSegMode(PSM.SINGLE_LINE)
            for start, stop in bands:
                api.SetRectangle(x0, top + start, x1 - x0, stop - start)
                api.Recognize()
                iterator = api.GetIterator()
                if iterator is None:
                    continue
                again, again_boxes = _read_lines(iterator, ink, square)
                out_lines.extend(again)
                out_boxes.extend(again_boxes)
    finally:
        api.SetPageSegMode(PSM.AUTO)
    return out_lines, out_boxes


HEADLINE = 1.15  # a line whose type is this many times the body's (the median of lines of five characters) or more


def _reread_headlines(headlines, lines: list, boxes: list, ink, square: float) -> None:
    """Each line in large type (a title, a heading) read again, as one line, by the headline model; its reading
    replaces the first where the two differ only in characters read otherwise (as many of them) and the analyser
    finds fewer unknown words, then fewer words, in it."""
    sizes = [_line_size(words, box, 1.0) if words else 0.0 for words, box in zip(lines, boxes)]
    body = sorted(size for size, words in zip(sizes, lines) if _length(words) >= 5)
    if len(body) < 3:
        return
    usual = body[len(body) // 2]
    for i, (words, (x0, top, x1, bottom)) in enumerate(zip(lines, boxes)):
        # NOTE: by type size (the smaller of height and pitch), not by height: a line of Latin with ascenders and
        # descenders, or with a raised note mark, is taller than its type
        if not words or sizes[i] < HEADLINE * usual:
            continue
        api = headlines()
        pad = max(2, (bottom - top) // 6)
        api.SetRectangle(max(0, x0 - pad), max(0, top - pad), x1 - x0 + 2 * pad, bottom - top + 2 * pad)
        api.Recognize()
        iterator = api.GetIterator()
        if iterator is None:
            continue
        again, _ = _read_lines(iterator, ink, square)
        again = [line for line in again if line]
        if len(again) != 1:
            continue
        first, second = _text(words), _text(again[0])
        if len(first) == len(second) and first != second and _analysed(second) < _analysed(first):
            lines[i] = again[0]


def _text(words) -> str:
    return "".join("".join(text.split()) for text, _, _ in words)


def _analysed(text: str) -> tuple[int, int]:
    """(unknown words, words) in ``text`` as UniDic's analyser divides it: a misread kanji breaks a word into pieces
    (夏李 is 夏 and 李, 夏季 one word), which Tesseract's confidences do not tell apart."""
    from ...unidic import unidic_tagger

    with unidic_tagger() as tagger:
        found = tagger(text)
        return sum(word.is_unk for word in found), len(found)


def _bands(ink, usual: int) -> list[tuple[int, int]]:
    """The runs of rows that hold ink (a gap of a blank row or more between them), as tall as half a line or
    more."""
    rows = ink.sum(axis=1) > 0
    bands, start = [], None
    for y, filled in enumerate(rows):
        if filled and start is None:
            start = y
        elif not filled and start is not None:
            bands.append((start, y))
            start = None
    if start is not None:
        bands.append((start, len(rows)))
    return [(a, b) for a, b in bands if b - a >= 0.5 * usual]


_MARK = re.compile(r"^[＊*※]?[0-9０-９]{1,3}[)）]?$")
# NOTE: what a note's narrow number (1, 11) is misread as at the head of its line: a mark, never a bullet (・, ●)
_MISREAD_NUMBER = re.compile(r"^['`‘’,.ノりlI|!｜]{1,2}$")


def _recover_numbers(api, lines: list, boxes: list, ink) -> None:
    """A number printed in colour just left of a line (a note's number) that Tesseract's page reading left out
    (its threshold for the whole page can turn light ink white): ink there that no line of Tesseract's covers,
    narrow as one to three figures and set apart from the line, is read again on its own, as figures only, and
    starts the line when it reads as a number. So is a mark set apart at the head of a line (the number misread
    as ' or ノ), which the number then replaces."""
    import numpy
    from tesserocr import PSM

    # NOTE: a line of one or two glyphs that is not a number (ノ, り: the number misread on its own) covers nothing
    short = {j for j, words in enumerate(lines) if _length(words) <= 2 and not (words and _MARK.match(words[0][0]))}
    covered = numpy.zeros_like(ink)
    for j, (x0, top, x1, bottom) in enumerate(boxes):
        if j not in short:
            covered[top:bottom, x0:x1] = True
    found = []
    for i, (words, (x0, top, x1, bottom)) in enumerate(zip(lines, boxes)):
        height = bottom - top
        if not words or height < 8 or _MARK.match(words[0][0]):
            continue
        if len(words) > 1 and _MISREAD_NUMBER.match(words[0][0]) and words[1][2][0] - words[0][2][2] >= 0.3 * height:
            # NOTE: the number read as a mark of the line itself (「' 理化学研究所…」 for 「1 理化学研究所…」)
            found.append((i, words[0][2], True))
            continue
        left = max(0, x0 - 4 * height)
        region = ink[top:bottom, left:x0] & ~covered[top:bottom, left:x0]
        columns = region.sum(axis=0) > 1
        if not columns.any():
            continue
        end = len(columns) - int(numpy.argmax(columns[::-1]))  # just after the rightmost inked column
        start, gap = end - 1, 0
        for k in range(end - 2, -1, -1):  # NOTE: leftwards over the figures, across the gaps between them
            if columns[k]:
                start, gap = k, 0
            else:
                gap += 1
                if gap > max(2, height // 4):
                    break
        if end - start > 1.6 * height or x0 - (left + end) < 0.3 * height:
            continue
        found.append((i, (left + start, top, left + end, bottom), False))
    if not found:
        return
    try:
        api.SetVariable("tessedit_char_whitelist", "0123456789")
        for i, (x0, top, x1, bottom), misread in found:
            text = _read_figures(api, (x0, top, x1, bottom))
            if text is not None:
                lines[i][:1 if misread else 0] = [(text, float(api.MeanTextConf()), (x0, top, x1, bottom))]
                for j in short:  # NOTE: the misreading of the same ink goes
                    b = boxes[j]
                    if b[0] < x1 and x0 < b[2] and b[1] < bottom and top < b[3]:
                        lines[j] = []
    finally:
        api.SetVariable("tessedit_char_whitelist", "")
        api.SetPageSegMode(PSM.AUTO)


def _read_figures(api, box: tuple[int, int, int, int]) -> str | None:
    """The number (one to three figures) in ``box`` of the page the API holds, or None. A lone narrow figure (1)
    is often no word to Tesseract's word reading, but it is a line."""
    from tesserocr import PSM

    x0, top, x1, bottom = box
    pad = max(2, (bottom - top) // 4)
    for mode in (PSM.SINGLE_WORD, PSM.SINGLE_LINE):
        api.SetPageSegMode(mode)
        api.SetRectangle(max(0, x0 - pad), max(0, top - pad), x1 - x0 + 2 * pad, bottom - top + 2 * pad)
        text = (api.GetUTF8Text() or "").strip()
        if re.fullmatch(r"[0-9]{1,3}", text):
            return text
    return None


def _join_marks(lines: list[list[tuple]], boxes: list[tuple[int, int, int, int]]) -> None:
    """A note's number that Tesseract read as a line of its own (it stands apart from the note's text) joins the
    line beside it: the nearest line starting to its right within four line-heights, level with it."""
    for i, words in enumerate(lines):
        if len(words) != 1 or not _MARK.match(words[0][0]):
            continue
        x0, top, x1, bottom = boxes[i]
        height = max(1, bottom - top)
        beside = [j for j, other in enumerate(lines) if j != i and other
                  and 0 <= boxes[j][0] - x1 < 4 * max(height, boxes[j][3] - boxes[j][1])
                  and min(bottom, boxes[j][3]) - max(top, boxes[j][1]) >= 0.5 * min(height, boxes[j][3] - boxes[j][1])]
        if beside:
            j = min(beside, key=lambda k: boxes[k][0])
            lines[j][:0] = words
            lines[i] = []


# NOTE: the smallest ■ there is to find, in points: a 6-point caption's; smaller type blurs at 300 dpi into
# blots of ink as solid
SQUARE = 5.0


def _solid(ink, box: tuple[int, int, int, int], line: tuple[int, int, int, int], square: float = 4) -> bool:
    """A symbol holding a solid square of ink at least half the line's height (and ``square`` pixels): a ■,
    whatever OCR read. The box may run on over the next character's strokes (the Japanese model's does), so the
    square is looked for in it: a run of columns each inked at least that high, whose common rows are inked
    through. A box far wider than its line is no character (a banner's band)."""
    x0, y0, x1, y1 = box
    height = line[3] - line[1]
    least = max(0.5 * height, square)
    if y1 - y0 < least or x1 - x0 < 0.7 * least or x1 - x0 > 3 * height:
        return False
    region = ink[y0:y1, x0:x1]
    tall = region.sum(axis=0) >= least
    start = None
    for x, is_tall in enumerate([*tall.tolist(), False]):
        if is_tall and start is None:
            start = x
        elif not is_tall and start is not None:
            if _square(region[:, start:x], least):
                return True
            start = None
    return False


def _square(columns, least: float) -> bool:
    """Whether these columns' ink is a solid square at least ``least`` high: rows inked across (nearly) all of
    them, running on as tall as the columns are wide, with sharp edges above and below (a disc's rows thin out
    gradually: ● is no ■)."""
    width = columns.shape[1]
    if width < 0.7 * least:
        return False
    share = columns.mean(axis=1).tolist()
    run = best = end = 0
    for row, inked in enumerate(share):
        run = run + 1 if inked >= 0.85 else 0
        if run > best:
            best, end = run, row + 1
    if best < least or not 0.7 * best <= width <= 1.4 * best:
        return False
    top, bottom = end - best, end
    while top > 0 and share[top - 1] >= 0.3:
        top -= 1
    while bottom < len(share) and share[bottom] >= 0.3:
        bottom += 1
    return bottom - top <= 1.15 * best + 2


def _line_size(words, line_box: tuple[int, int, int, int], to_points: float) -> float:
    """A line's type size in points. Japanese type is square: the ink of a line is about 0.92 of the em high, and
    its characters stand about 0.97 of the em apart (justified). Either alone misleads at times (a raised mark or
    a bracket makes a line taller; a tab or a wide gap makes the pitch wider), never both upwards at once: the
    smaller is the size."""
    height = (line_box[3] - line_box[1]) / 0.92
    ems = sum(_ems(text) for text, _, _ in words)
    width = words[-1][2][2] - words[0][2][0]
    pitch = width / (ems - 0.08) / 0.97 if ems >= 4 else height
    return round(min(height, pitch) * to_points, 1)


# NOTE: a word of one to four capitals beside Japanese (ＡＩ, ＪＩＳ, ＯＥＣＤ) is set full width in Japanese
# print, each letter an em, though OCR gives it as ASCII; other Latin text is about half an em a letter
_ACRONYM = re.compile(r"^[A-Z|]{1,4}$")


def _ems(word: str) -> float:
    if _ACRONYM.match(word):
        return float(len(word))
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in word)


def snap_sizes(pages: list[Sequence[dict]]) -> None:
    """Every recognised character's size set to its size class, so the reader's "same size" means the same type,
    not the same estimate: the body's class (the sizes of most characters) takes what lies from 0.82 to 1.18 times
    it (an estimate is good to about a tenth: 9 and 11 pt beside a 10.5 pt body are body to OCR; a 13 pt heading
    is not); other sizes within 8 % of each other are one class (a heading level, the notes)."""
    counts: dict[float, int] = {}
    for chars in pages:
        for c in chars:
            counts[c["size"]] = counts.get(c["size"], 0) + 1
    if not counts:
        return
    body = max(counts, key=lambda size: sum(n for other, n in counts.items() if abs(other - size) <= 0.05 * size))
    members = [s for s in counts if 0.82 * body <= s <= 1.18 * body]
    middle = round(statistics.median([s for s in members for _ in range(counts[s])]), 1)
    snapped = {s: middle for s in members}
    rest = sorted(s for s in counts if s not in snapped)
    classes: list[list[float]] = []
    for size in rest:
        if classes and size <= classes[-1][0] * 1.08:
            classes[-1].append(size)
        else:
            classes.append([size])
    for group in classes:
        value = round(statistics.median(group), 1)
        for size in group:
            snapped[size] = value
    for chars in pages:
        for c in chars:
            c["size"] = snapped[c["size"]]


# NOTE: Tesseract's jpn model reads a capital I as 1, | or l beside capitals (「A |」「A1」「Al」 for ＡＩ): after a
# capital, one of them where a capital would be (not before a digit or a small letter) is a capital I
_CAPITAL_I = re.compile(r"(?<=[A-HJ-Z])[1|l](?![0-9a-z])")
_BAR_AFTER_I = re.compile(r"(?<=[A-Z]I)[|!](?![\x00-\x7f])")  # 「AI|を」「AI!の」: the I was read, and a mark beside it
# NOTE: the Japanese model reads it as ! before Japanese (「生成A!技術」), where no ! is ever printed
_BANG_I = re.compile(r"(?<=[A-HJ-Z])!(?=[^\x00-\x7f])")
# NOTE: and it sets a stray mark before Japanese punctuation (「した!。」「ありませんが<、」「モデル?」」): Japanese
# print has no ASCII mark there
_STRAY = re.compile(r"[!<>?/^|~_*\\](?=[。、」』）)])")


def mend_line(words: list) -> list:
    """One line's recognised words, their common confusions mended: full-width Latin letters and digits folded
    (NFKC, as the reader folds them), a capital I read as 1, | or l after a capital (also where Tesseract split
    the two into words), a stray ASCII mark before Japanese punctuation. Each word keeps its box."""
    out = []
    for text, confidence, box in words:
        text = "".join(unicodedata.normalize("NFKC", c) if _FOLD.match(c) else c for c in text)
        if out and re.match(r"[1|l](?![0-9a-z])", text) and re.search(r"[A-HJ-Z]$", out[-1][0]):
            text = "I" + text[1:]
        out.append([text, confidence, box])
    line = "".join(text for text, _, _ in out)
    mended = _STRAY.sub("", _BAR_AFTER_I.sub("", _BANG_I.sub("I", _CAPITAL_I.sub("I", line))))
    mended = _WEB.sub(lambda m: mend_address(m.group()), mended)
    if mended == line:
        return [tuple(w) for w in out]
    return _respread(out, mended)


_FOLD = re.compile(r"[Ａ-Ｚａ-ｚ０-９]")
_WEB = re.compile(r"(?:https?[:;]?/|www)[\x21-\x7e]+")
# NOTE: Tesseract's Japanese model drops the dots of a web address and misreads the one after www (wwwr., wwwL):
# Japan's second-level domains (JPRS: ac ad co ed go gr lg ne or) and the common top-level ones are known, so a
# host that lost its dots gets them back; so does a file's type at the end of a path with no dot
_WWW = re.compile(r"^(https?://)?www(?:[rLlI|,](?=[.a-z])\.?|(?=[a-z]))")
_JP_SLD = "ac|ad|co|ed|go|gr|lg|ne|or"
_SLD = re.compile(rf"(?<=[a-z0-9])\.?({_JP_SLD})\.?j+p$")
_SLD_RIGHT = re.compile(rf"\.(?:{_JP_SLD})\.jp$")
_TLD = re.compile(r"(?<=[a-z0-9])(org|com|net)$")
_FILE = re.compile(r"(?<=[a-z0-9])(pdf|html?|xlsx?|docx?|csv|zip)$")


def mend_address(address: str) -> str:
    """A web address as OCR read it, its lost dots put back (``wwwr.aistgoJp`` -> ``www.aist.go.jp``)."""
    address = re.sub(r"^(https?)[:;]?/{1,2}", r"\1://", address)  # https//, https:/
    address = _WWW.sub(lambda m: (m.group(1) or "") + "www.", address)
    scheme, _, rest = address.rpartition("://")
    host, slash, path = rest.partition("/")
    host = host.lower()
    if not _SLD_RIGHT.search(host):
        host = _SLD.sub(lambda m: f".{m.group(1)}.jp", host)
    if "." not in host:
        host = _TLD.sub(lambda m: f".{m.group(1)}", host)
    last = path.rpartition("/")[2]
    if path and "." not in last:
        path = path[:len(path) - len(last)] + _FILE.sub(lambda m: f".{m.group(1)}", last)
    return (scheme + "://" if scheme else "") + host + slash + path


def _respread(words: list, mended: str) -> list:
    """The mended line's characters given back to the words (a mark removed shortens its word)."""
    line = "".join(text for text, _, _ in words)
    owner = [i for i, (text, _, _) in enumerate(words) for _ in text]
    texts = [""] * len(words)
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, line, mended, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(a1 - a0):
                texts[owner[a0 + k]] += mended[b0 + k]
        elif b1 > b0:
            texts[owner[min(a0, len(owner) - 1)]] += mended[b0:b1]
    return [(text, confidence, box) for text, (_, confidence, box) in zip(texts, words) if text]


# NOTE: a capital I OCR read as another mark (T, !, |, 1, l, 「: 「ATとは」「A|の」 for ＡＩ) is mended by the document
# itself: where the same word with an I is in its text five times or more, and at least three times as often, the
# other spelling is that word misread (a document that really says AT, as often as AI, keeps both)
_ACRONYM_OCR = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:[ \u3000]?[A-Z|!1l「]){1,4}(?![A-Za-z0-9])")
_NOT_I = "T|!1l「"


def mend_acronyms(texts: list[str]) -> list[str]:
    """The texts of a scanned document, each capital word spelt as the document most often spells it."""
    def key(match: re.Match) -> str:
        return match.group().replace(" ", "").replace("\u3000", "")

    counts = Counter(key(match) for text in texts for match in _ACRONYM_OCR.finditer(text))
    mended: dict[str, str] = {}
    for word, n in counts.items():
        if not any(c in _NOT_I for c in word[1:]):
            continue
        right = word[0] + "".join("I" if c in _NOT_I else c for c in word[1:])
        if right != word and counts[right] >= max(5, 3 * n):
            mended[word] = right
    if not mended:
        return texts
    return [_ACRONYM_OCR.sub(lambda m: mended.get(key(m), m.group()), text) for text in texts]
