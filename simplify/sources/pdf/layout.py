"""The layout reader: a page's fragments -> Lines in reading order, from geometry and type alone.

For pages the PDF does not tag (or tags too little of): one or two columns, read band by band (a band ends where
both columns are blank at once, or at a line that spans both), the left column before the right; small type
below a column's body is its footnotes; larger numbered type is a heading; a figure caption's chart labels and
text in other sizes are set aside with their reason.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace

from ...model import Cell
from ...structure import FIGURE_START, FOOTNOTE_LINE, Line, match_heading
from .chars import Frag, join_chars
from .tables import Box, Grid, find_grids, header_fills
from .typography import DIGITS, FLUSH_NUMBER, SENTENCE_END, WIDE, heading_like, larger, size_key, smaller


def page_to_lines(frags: list[Frag], body: float, heading_sizes: list[float], discarded: list[tuple[str, str]],
                  tag_levels: list[str], marks: dict[str, int], boxes: tuple = ()) -> list[Line]:
    """One page's lines in reading order; what is not read goes to ``discarded`` with its reason. ``boxes`` are
    the rectangles the page draws (``(x0, top, x1, bottom, fill)``), where its tables are found."""
    content = [f for f in frags if f.role == "text"]
    if not content:
        return []
    content, tables = _take_tables(content, boxes, body)
    # NOTE: a label table first, across the page: its values, all starting at one place, would look like a column
    content, labelled = _take_aligned_rows(content, body, None, labels=True)
    body_frags = [f for f in content if abs(f.size - body) < 0.6]
    gutter = _gutter(body_frags)
    content, aligned = _take_aligned_rows(content, body, gutter)
    tables.update(labelled)
    tables.update(aligned)
    body_frags = [f for f in content if abs(f.size - body) < 0.6]
    ordered = _order(content, gutter)
    if gutter is None and body_frags:
        # NOTE: one column: it ends where the body's longest lines end (a short line ending 。 ends a paragraph)
        right = max(f.x1 for f in body_frags)
        for f in ordered:
            f.column_right = f.column_right or right
    foot = _foot_zone(body_frags, gutter)
    counts = Counter((round(f.size * 2), f.font) for f in content if "。" in f.text and f.size >= 0.8 * body)
    prose_types = {key for key, n in counts.items() if n >= 2}
    faces = Counter(b.font for b in body_frags)
    body_face = faces.most_common(1)[0][0] if faces else None
    widths = sorted(f.width for f in body_frags)
    line_width = widths[len(widths) // 2] if widths else 0.0
    pieces = _pieces_of_prose_lines(content, prose_types)
    printed = {int(n.translate(WIDE)) for f in content for n in re.findall(r"＊([0-9０-９]{1,3})", f.text)}
    answered: set[int] = set()
    lines: list[Line] = []
    figure = False
    caption: Frag | None = None  # the figure's caption line (■第１-２-２図／…) being read
    source: Frag | None = None  # the figure's source line (資料：…) being read
    source_at = 0  # and where it stands in ``lines``
    captions: list[tuple[Frag, int]] = []  # the page's figure captions and where they stand in ``lines``
    notes: Frag | None = None  # the note being read at the foot of the page
    previous: Frag | None = None
    after_table = False
    for f in ordered:
        if f.role == "table":
            lines.append(tables[id(f)])
            figure, source, previous, after_table, caption = False, None, None, True, None
            continue
        text = f.text.strip()
        column = _column(f, gutter)
        in_foot = smaller(f.size, body) and f.top >= foot.get(column, foot.get("all", 1e9)) - 1
        m = FOOTNOTE_LINE.match(text) if in_foot else None
        if in_foot and m is None and (flush := FLUSH_NUMBER.match(text)) and printed - answered \
                and int(flush["num"].translate(WIDE)) == min(printed - answered):
            m = flush  # NOTE: a number flush against its text is a note's only as the next note the page's marks await
        # NOTE: notes are what starts with a number below the body; small type below it before any such
        # start (a chart's labels under the text) is not a note
        if m and (notes is None or abs(f.size - notes.size) < 0.6) and not _SOURCE.match(text):
            lines.append(Line(m["rest"], "footnote", number=int(m["num"].translate(WIDE))))
            answered.add(int(m["num"].translate(WIDE)))
            notes = previous = f
            continue
        if in_foot and notes is not None and abs(f.size - notes.size) < 1.6 and f.top >= notes.top - 1:
            lines.append(Line(text, "footnote"))
            previous = f
            continue
        if (caption is not None and previous is not None and lines[-1].role == "figure" and lines[-1].style is None
                and abs(f.size - caption.size) < 0.6 and f.font == caption.font
                and caption.x0 - 1 <= f.x0 < caption.x1 and 0 <= f.top - previous.bottom < 0.8 * f.size):
            lines[-1] = replace(lines[-1], text=lines[-1].text + text)  # NOTE: the caption wraps under itself
            previous = f
            continue
        caption = None
        if figure or source is not None or after_table:
            after_table = False
            if _SOURCE.match(text) and not larger(f.size, body):
                at = _credit_place(lines, captions, f)
                lines.insert(at, Line(text, "figure", style="source"))
                captions = [(c, i + (i >= at)) for c, i in captions]
                source, source_at, previous = f, at, f
                continue
            if (source is not None and abs(f.size - source.size) < 0.6 and f.font == source.font
                    and f.top - previous.bottom < 0.8 * f.size):
                # NOTE: the source line wraps
                lines[source_at] = Line(lines[source_at].text + text, "figure", style="source")
                previous = f
                continue
        source = None
        size = size_key(f.size)
        if f.tag in tag_levels and heading_like(text):
            # NOTE: the author's tag tree says heading; its level orders it ("H" alone sorts first)
            lines.append(Line(text, "heading", rank=tag_levels.index(f.tag), style=f"tag:{f.tag}"))
            figure, previous = False, f
            continue
        mark = marks.get(mark_key(text))
        if mark is not None and not tag_levels and size not in heading_sizes and heading_like(text):
            # NOTE: a bookmarked line in body type: the outline says heading, and its depth
            lines.append(Line(text, "heading", rank=mark, style=f"bookmark:{mark}"))
            figure, previous = False, f
            continue
        if (not tag_levels and larger(f.size, body) and size in heading_sizes and heading_like(text)
                and not FIGURE_START.match(text) and (not figure or match_heading(text))):
            if (lines and lines[-1].role == "heading" and lines[-1].style == f"pdf:{size}" and previous is not None
                    and 0 <= f.top - previous.bottom < 0.8 * f.size and f.x0 >= previous.x0 - 1
                    and not match_heading(text)):
                # NOTE: a heading that wraps onto a second line (（１）研究データの共有とオープンサイエ|ンス) is one
                lines[-1] = replace(lines[-1], text=lines[-1].text + text)
            else:
                lines.append(Line(text, "heading", rank=heading_sizes.index(size), style=f"pdf:{size}"))
            figure, previous = False, f
            continue
        if FIGURE_START.match(text) and f.size >= 0.85 * body:
            lines.append(Line(text, "figure"))
            figure, previous, caption = True, f, f
            captions.append((f, len(lines) - 1))
            continue
        # NOTE: a boxed column set in its own type is read: a type in which this page prints sentences is prose
        # NOTE: and a sentence's line half a point off that type is of it (a scan's line of Latin letters and note
        # marks is sized smaller than its neighbours by OCR's boxes)
        prose = (round(f.size * 2), f.font) in prose_types or "。" in text and any(
            (round(f.size * 2) + step, f.font) in prose_types for step in (-1, 1))
        # NOTE: in a figure, a short line that ends no sentence is a label of the chart (a scan has one face for
        # all its text, so type alone cannot tell): the body goes on with a line across its column
        label = figure and f.width < 0.5 * line_width and not text.endswith(SENTENCE_END)
        if label or not prose and id(f) not in pieces and (abs(f.size - body) >= 0.6
                                                            or figure and f.font != body_face):
            discarded.append((text, "figure text" if figure else "other type"))  # a chart's labels, a table's cells
            continue
        figure = False
        lines.append(Line(text, "body", joins=_joins(previous, f, body)))
        previous = f
    return lines


def _credit_place(lines: list[Line], captions: list[tuple[Frag, int]], f: Frag) -> int:
    """Where a figure's source line goes: after the figure it stands under. Figures set side by side (two photos,
    their captions on one row) are read one after the other, each with its own credit: a credit belongs to the
    rightmost of the figures just read whose caption starts left of it; of two stacked there, the lower one
    above it."""
    side = [(c, i) for c, i in captions if all(line.role == "figure" for line in lines[i:])]
    under = [(c, i) for c, i in side if c.x0 <= f.x0 + f.size and c.top <= f.top]
    if len(side) < 2 or not under:
        return len(lines)
    right = max(c.x0 for c, _ in under)
    _, i = max(((c, i) for c, i in under if c.x0 >= right - f.size), key=lambda item: item[0].top)
    following = [j for _, j in side if j > i]
    return following[0] if following else len(lines)


def _take_tables(content: list[Frag], boxes: tuple, body: float) -> tuple[list[Frag], dict[int, Line]]:
    """The page's tables as table Lines, each standing in the reading order where its top is (a fragment with
    role ``table``); the text in their cells leaves the flow."""
    if not boxes:
        return content, {}
    points = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for f in content for c in f.chars
              if c["text"].strip() and "x0" in c]
    grids = find_grids(tuple(Box(*b) for b in boxes), points)
    if not grids:
        return content, {}
    pieces: dict[tuple[int, int, int], list[tuple[float, float, str]]] = defaultdict(list)
    rest = []
    for f in content:
        x, y = (f.x0 + f.x1) / 2, (f.top + f.bottom) / 2
        index = next((k for k, g in enumerate(grids) if _within(g.bbox, x, y)), None)
        if index is None:
            rest.append(f)
            continue
        whole = grids[index].cell_at(f.x0 + 0.5, y)
        if whole is not None and whole == grids[index].cell_at(f.x1 - 0.5, y):
            pieces[(index, *whole)].append((f.bottom, f.x0, f.text))  # NOTE: the common case: one cell's line
            continue
        by_cell: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for c in f.chars:
            cell = grids[index].cell_at((c.get("x0", f.x0) + c.get("x1", f.x1)) / 2,
                                        (c.get("top", f.top) + c.get("bottom", f.bottom)) / 2)
            if cell is not None:
                by_cell[cell].append(c)
        for (r, k), chars in by_cell.items():
            pieces[(index, r, k)].append((f.bottom, f.x0, join_chars(chars)))
    tables: dict[int, Line] = {}
    for index, grid in enumerate(grids):
        x0, top, x1, bottom = grid.bbox
        stand_in = Frag(content[0].page, x0, x1, top, bottom, body, "", role="table")
        rest.append(stand_in)
        tables[id(stand_in)] = _table_line(grid, {(r, k): p for (i, r, k), p in pieces.items() if i == index})
    return rest, tables


def _take_aligned_rows(content: list[Frag], body: float, gutter: float | None,
                       labels: bool = False) -> tuple[list[Frag], dict[int, Line]]:
    """Tables drawn without rules: two or more lines in a row of a column, each split into pieces an em or more
    apart that start at the same places (a notice's 日時｜令和６年…, 場所｜市民会館, or a borderless grid). A line
    that starts at one of the later places goes on in that cell (a value that wraps). Without this, the pieces of
    each line ran together as one paragraph: 「日時令和６年…場所市民会館」. ``labels``: only tables whose first
    column is short labels (never a sentence's piece), which two columns of running text never are."""
    rows: dict[tuple[str, int], list[Frag]] = defaultdict(list)
    for f in content:
        if f.role == "text" and abs(f.size - body) < 1.6:
            rows[(_column(f, gutter), round(f.bottom / max(1.0, 0.3 * f.size)))].append(f)
    by_column: dict[str, list[list[Frag]]] = defaultdict(list)
    for (column, _), row in sorted(rows.items(), key=lambda item: (item[0][0], min(f.bottom for f in item[1]))):
        by_column[column].append(sorted(row, key=lambda f: f.x0))
    taken: set[int] = set()
    tables: dict[int, Line] = {}
    stand_ins: list[Frag] = []
    for lines in by_column.values():
        i = 0
        while i < len(lines):
            run = _aligned_run(lines, i)
            if run is not None and labels and (not all(_LABEL_CELL.match(row[0]) for row in run[0] if row[0])
                                               or _column_goes_on(lines, i)):
                run = None
            if run is None:
                i += 1
                continue
            cells, end = run
            frags = [f for line in lines[i:end] for f in line]
            taken.update(id(f) for f in frags)
            stand_in = Frag(frags[0].page, min(f.x0 for f in frags), max(f.x1 for f in frags),
                            min(f.top for f in frags), max(f.bottom for f in frags), body, "", role="table")
            stand_ins.append(stand_in)
            tables[id(stand_in)] = cells_line(cells, False, False)
            i = end
    if not tables:
        return content, {}
    return [f for f in content if id(f) not in taken] + stand_ins, tables


_LABEL_CELL = re.compile(r"^[^。、，,．.]{1,10}$")


def _aligned_run(lines: list[list[Frag]], i: int) -> tuple[list[list[str]], int] | None:
    """The rows of an unruled table starting at ``lines[i]``, and the index after it; None when none starts there."""
    first = lines[i]
    if len(first) < 2 or not _spaced(first):
        return None
    starts = [f.x0 for f in first]
    size = first[0].size
    cells = [[f.text.strip() for f in first]]
    end, previous = i + 1, first
    while end < len(lines):
        line = lines[end]
        if line[0].top - max(f.bottom for f in previous) > 1.2 * size:
            break  # NOTE: a blank line ends it
        places = [_place(f.x0, starts, size) for f in line]
        if None in places or places != sorted(set(places)) or not _spaced(line):
            break
        if places[0] == 0:
            if len(line) < 2:
                break  # NOTE: text from the left edge again: the paragraph after the table
            cells.append([""] * len(starts))
            for place, f in zip(places, line):
                cells[-1][place] = f.text.strip()
        elif len(line) == 1:
            cells[-1][places[0]] += f" {line[0].text.strip()}"  # NOTE: the value wraps in its cell
        else:
            break
        previous = line
        end += 1
    full = [row for row in cells if sum(1 for t in row if t) >= 2]
    if len(full) < 2:
        return None
    return cells, end


def _column_goes_on(lines: list[list[Frag]], i: int) -> bool:
    """The line just above ``lines[i]`` has text where its later pieces start: they are a column of running text
    that goes on above (short items at the foot of a left column beside a right column), not a table's values."""
    if i == 0:
        return False
    first, above = lines[i], lines[i - 1]
    size = first[0].size
    if first[0].top - max(f.bottom for f in above) > 1.2 * size:
        return False
    return any(_place(f.x0, [g.x0 for g in first[1:]], size) is not None for f in above)


def _spaced(line: list[Frag]) -> bool:
    """Pieces of one line an em or more apart (a cell may end a sentence: a value written as one)."""
    return all(b.x0 - a.x1 >= 0.9 * a.size for a, b in zip(line, line[1:]))


def _place(x: float, starts: list[float], size: float) -> int | None:
    return next((k for k, start in enumerate(starts) if abs(x - start) <= 0.3 * size), None)


def _within(bbox: tuple[float, float, float, float], x: float, y: float) -> bool:
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _table_line(grid: Grid, pieces: dict[tuple[int, int], list[tuple[float, float, str]]]) -> Line:
    """A grid's cells as text (lines in a cell joined; the structure model folds the spaces between Japanese
    characters), with header cells from shading, or else a first row of short labels."""
    texts = []
    for r, row in enumerate(grid.rows):
        texts.append([" ".join(t for _, _, t in sorted(pieces.get((r, k), []), key=lambda p: (round(p[0] / 3), p[1])))
                      for k in range(len(row))])
    header_row, header_column = header_fills(grid)
    # NOTE: where every cell is shaded, shading tells nothing and a first row of short labels is not a header
    guess = any(b is None or not b.fill for row in grid.rows for b in row)
    return cells_line(texts, header_row, header_column, guess_header_row=guess)


def cells_line(texts: list[list[str]], header_row: bool, header_column: bool, guess_header_row: bool = True) -> Line:
    """Cells' texts as a table Line: a first row of short labels is a header row, a first column of labels beside
    longer cells a header column (unless shading already said)."""
    if not header_row and guess_header_row:
        header_row = len(texts) > 2 and all(t and len(t) <= 20 and not t.endswith("。") for t in texts[0])
    if not header_column:
        # NOTE: a first column of labels (names, terms) beside longer cells names each row
        labels = [row[0] for row in texts[1 if header_row else 0:] if row]
        rest = [len(t) for row in texts[1 if header_row else 0:] for t in row[1:] if t]
        header_column = (bool(labels) and bool(rest) and not any(t.endswith("。") for t in labels)
                         and sum(map(len, labels)) / len(labels) < 0.5 * sum(rest) / len(rest))
    rows = tuple(tuple(Cell(t, header_row and r == 0 or header_column and k == 0) for k, t in enumerate(row))
                 for r, row in enumerate(texts))
    return Line("", "table", cells=rows)


# NOTE: a figure's source line; 提供 credits a photo (提供：東京工業大学)
_SOURCE = re.compile(r"^\s*(?:資料|出典|出所|提供|写真提供|（出典）|\(出典\))\s*[：:]")


def mark_key(text: str) -> str:
    return "".join(text.split())


def _joins(previous: Frag | None, f: Frag, body: float) -> bool:
    """A body line continues the paragraph unless the line before ended one (a sentence end on a short line) or
    this one is indented."""
    if previous is None:
        return True
    if _same_line(previous, f):
        return True  # NOTE: the next piece of one printed line (a name card: company, title, role)
    if f.top - previous.bottom > 1.2 * f.size and f.x0 < previous.x1 and previous.x0 < f.x1:
        return False  # NOTE: a blank line or more between them, in one column: a new block
    if abs(previous.size - f.size) >= 0.4 or previous.font != f.font:
        return False  # NOTE: a change of type is a change of block (a ● lead-in in Gothic, a quotation)
    ended = previous.text.rstrip().endswith("。")
    short = previous.x1 < (previous.column_right or previous.x1) - 1.5 * body
    return not (ended and short)


def _same_line(a: Frag, b: Frag) -> bool:
    """``b`` goes on from ``a`` on the same printed line: same size, same baseline, at most two characters apart."""
    return (abs(a.size - b.size) < 0.6 and abs(a.bottom - b.bottom) < 0.2 * a.size
            and 0 <= b.x0 - a.x1 < 2 * a.size)


def _pieces_of_prose_lines(content: list[Frag], prose_types: set) -> set[int]:
    """Fragments in a type the page prints no sentences in that sit on one printed line with prose (a company's
    name set in another face on a name card): they are read with their line, not set aside as other type."""
    prose = _by_baseline(f for f in content if (round(f.size * 2), f.font) in prose_types)
    return {id(f) for f in content if (round(f.size * 2), f.font) not in prose_types
            and any(_same_line(f, g) or _same_line(g, f) for g in _near(prose, f))}


def _by_baseline(frags) -> dict[int, list[Frag]]:
    """Fragments by their baseline to the point, so a fragment's neighbours on its line are found without
    comparing every pair of a page (a page of thousands of labels stays linear)."""
    out: dict[int, list[Frag]] = defaultdict(list)
    for f in frags:
        out[round(f.bottom)].append(f)
    return out


def _near(index: dict[int, list[Frag]], f: Frag, level: float = 0.2) -> list[Frag]:
    """The fragments of ``index`` whose baseline is within ``level`` of a character of ``f``'s (and a point more)."""
    reach = max(1, round(level * f.size) + 1)
    return [g for at in range(round(f.bottom) - reach, round(f.bottom) + reach + 1) for g in index.get(at, ())]


# a numbering label alone: 第１章, １, 1.2, （３）, ②, 表１, 図表2-1, コラム1-2
_LABEL = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十百]+[部編章節款項条]|[0-9０-９]{1,2}(?:[.．\-－][0-9０-９]{1,2})*[.．]?"
                    r"|[（(][0-9０-９一二三四五六七八九十]{1,2}[)）]|[①-⑳]"
                    r"|[■□◆◇]?(?:図表?|表)\s?[0-9０-９]+(?:[-－‐][0-9０-９]+)*|コラム\s?[0-9０-９]+(?:[-－‐][0-9０-９]+)*)$")


def merge_labels(frags: list[Frag]) -> None:
    """A numbering label and its title one em apart on one baseline are one line (``表１␣地区ごとの…``): a maker
    that draws no glyph for the ideographic space between them (Chromium) leaves an em of blank, which would
    otherwise split them as a column gap does."""
    # NOTE: never a label onto a label or a number (3␣4: two marks)
    _join_on_baseline([f for f in frags if f.role == "text"], lambda a: bool(_LABEL.match(a.text.strip())),
                      reach=1.3, least=0.85, level=0.2,
                      joins=lambda b: not _LABEL.match(b.text.strip()) and not DIGITS.match(b.text.strip()))


def merge_heading_pieces(frags: list[Frag], body: float) -> None:
    """``第１節`` and ``ＡＩとは`` set apart on one baseline are one heading."""
    _join_on_baseline([f for f in frags if larger(f.size, body)], lambda a: True)


def merge_note_numbers(frags: list[Frag], body: float) -> None:
    """A footnote's number set apart from its text (``1␣␣McCarthy``) starts that text; a note's line that a
    wider space cut in two (``…Models”,␣␣https://…``) is one line."""
    small = [f for f in frags if f.size <= 0.85 * body]
    # NOTE: a number's size OCR judges from one or two narrow glyphs: within a sixth of its note's is the same type
    _join_on_baseline(small, lambda a: bool(DIGITS.match(a.text.strip())), sizes=1 / 6)
    _join_on_baseline(small, lambda a: True, reach=1.5)


def _join_on_baseline(frags: list[Frag], starts, reach: float = 4.0, *, least: float = 0.0, level: float = 0.4,
                      joins=lambda b: True, sizes: float = 0.0) -> None:
    """Join each fragment that ``starts`` a line to the nearest one after it on the same baseline (within
    ``level`` of a character) that ``joins`` accepts, ``least`` to ``reach`` characters away, its type the same
    size (within 0.6 pt, or ``sizes`` of it)."""
    index = _by_baseline(frags)
    for a in sorted(frags, key=lambda f: -f.x0):
        if a.role != "text" or not starts(a):
            continue
        after = [b for b in _near(index, a, level) if b is not a and b.role == "text"
                 and abs(a.size - b.size) < max(0.6, sizes * b.size)
                 and abs(a.bottom - b.bottom) < level * a.size and least * a.size <= b.x0 - a.x1 < reach * a.size
                 and joins(b)]
        if after:
            b = min(after, key=lambda f: f.x0)
            b.text = a.text.rstrip() + "\u3000" + b.text.lstrip()
            b.x0, b.chars = a.x0, a.chars + b.chars
            a.role = "merged"


def _gutter(body_frags: list[Frag]) -> float | None:
    """The x where a second column starts, when enough body lines start there."""
    if len(body_frags) < 6:
        return None
    left = min(f.x0 for f in body_frags)
    right = max(f.x1 for f in body_frags)
    middle = [f.x0 for f in body_frags if left + 0.3 * (right - left) < f.x0 < left + 0.7 * (right - left)]
    if len(middle) < max(3, 0.2 * len(body_frags)):
        return None
    starts = Counter(round(x) for x in middle)
    return float(starts.most_common(1)[0][0]) - 1.0


def _column(f: Frag, gutter: float | None) -> str:
    if gutter is None:
        return "all"
    if f.x1 <= gutter + 2:
        return "left"
    if f.x0 >= gutter - 2:
        return "right"
    return "span"


def _foot_zone(body_frags: list[Frag], gutter: float | None) -> dict[str, float]:
    """Where each column's body ends: small type below that is the column's footnotes."""
    zone: dict[str, float] = {}
    for f in body_frags:
        column = _column(f, gutter)
        zone[column] = max(zone.get(column, 0.0), f.bottom)
    if gutter is not None and "span" in zone:
        for column in ("left", "right"):
            zone[column] = max(zone.get(column, 0.0), zone["span"])
    zone["all"] = max(zone.values()) if zone else 1e9
    return zone


def _order(frags: list[Frag], gutter: float | None) -> list[Frag]:
    """Top to bottom in bands; inside a band, the left column, then the right."""
    frags = sorted(frags, key=lambda f: (f.top, f.x0))
    if gutter is None:
        return _rows(frags)
    out: list[Frag] = []
    band: list[Frag] = []
    reach = -1e9

    def close():
        left = [f for f in band if _column(f, gutter) == "left"]
        right = [f for f in band if _column(f, gutter) == "right"]
        for f in left:
            f.column_right = gutter
        for f in right:
            f.column_right = max(g.x1 for g in right)
        out.extend(_rows(left) + _rows(right))

    for f in frags:
        column = _column(f, gutter)
        if column == "span" or f.top > reach + 0.9 * f.size and not _right_continues(band, gutter):
            close()
            band = []
        if column == "span":
            f.column_right = f.x1
            out.append(f)
            reach = f.bottom
            continue
        band.append(f)
        reach = max(reach, f.bottom)
    close()
    return out


def _right_continues(band: list[Frag], gutter: float) -> bool:
    """Both columns pause at once, but the band's right column begins mid-paragraph (flush left, no lead-in)
    while its left column ends a sentence: the right column goes on from text below the pause, so this is a
    paragraph break that happens to face another, not a band's end."""
    left = _rows([f for f in band if _column(f, gutter) == "left"])
    right = _rows([f for f in band if _column(f, gutter) == "right"])
    if not left or not right:
        return False
    first = right[0]
    flush = first.x0 - min(f.x0 for f in right) < 0.5 * first.size
    return (flush and left[-1].text.rstrip().endswith("。") and not _LEAD_IN.match(first.text)
            and not match_heading(first.text))


_LEAD_IN = re.compile(r"^\s*[●○■□◆◇▲△▼▽★☆・※＊（(【［\[「『0-9０-９]")


def _rows(frags: list[Frag]) -> list[Frag]:
    return sorted(frags, key=lambda f: (round(f.bottom / 3), f.x0))
