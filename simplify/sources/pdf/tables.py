"""Tables found by geometry on pages the tags do not cover: the cells a table draws, stacked into rows.

A table draws its cells, as filled boxes with hairline gaps between them or as ruled lines (the sandbox gives both:
the page's rectangles, and the cells its rules enclose). Boxes that touch side by side on one top edge are a row;
rows that touch from top to bottom over the same width are a table. Boxes inside a cell (a highlighted line of
text) and a frame around the whole table are not cells; a lone box (a figure's frame, a boxed column) is not a
table, nor is one row of boxes or one column of them (a layout box, read as text).
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

TOUCH = 4.0  # pt: the widest gap between two cells of one table (a rule, or the hairline between filled boxes)
_SAME = 2.0  # pt: two edges this close are one edge


@dataclass(frozen=True)
class Box:
    """A rectangle the page draws: a filled or stroked box, or a cell its rules enclose (``fill`` unknown: "")."""

    x0: float
    top: float
    x1: float
    bottom: float
    fill: str = ""

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.top - 0.5 <= y <= self.bottom + 0.5

    def inside(self, other: "Box") -> bool:
        return (other.x0 - 1.5 <= self.x0 and self.x1 <= other.x1 + 1.5
                and other.top - 1.5 <= self.top and self.bottom <= other.bottom + 1.5)

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.bottom - self.top)


@dataclass
class Grid:
    """A table on a page: its rows, each a box per column where a cell starts (``None`` where a cell of a row
    above reaches down)."""

    rows: list[list[Box | None]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        boxes = [b for row in self.rows for b in row if b is not None]
        return (min(b.x0 for b in boxes), min(b.top for b in boxes), max(b.x1 for b in boxes),
                max(b.bottom for b in boxes))

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, column) of the cell holding a point, or the nearest cell's when the point falls on a rule."""
        best, distance = None, 1e9
        for r, row in enumerate(self.rows):
            for c, box in enumerate(row):
                if box is None:
                    continue
                if box.holds(x, y):
                    return r, c
                d = max(box.x0 - x, 0, x - box.x1) + max(box.top - y, 0, y - box.bottom)
                if d < distance:
                    best, distance = (r, c), d
        return best


def find_grids(boxes: tuple[Box, ...], points: list[tuple[float, float]]) -> list[Grid]:
    """The tables among a page's boxes; ``points`` are the centres of the page's printed characters (a table
    has text in its cells)."""
    # NOTE: a cell holds a character and its padding; narrower boxes are rules, hairlines and padding strips
    candidates = _unique([b for b in boxes if b.x1 - b.x0 >= 10 and b.bottom - b.top >= 6])
    if len(candidates) > 3000:  # NOTE: a page drawn from thousands of boxes (a map, a chart) has no table we read
        return []
    # NOTE: an empty narrow box is the padding between a table's frame and its cells, not a column
    by_x = sorted(points)
    candidates = [b for b in candidates if b.x1 - b.x0 >= 20 or _holds_text(b, by_x)]
    runs = _runs(candidates)
    runs = [run for i, run in enumerate(runs) if not _nested(i, runs)]
    grids = []
    for rows in _stack(runs):
        grid = _grid(rows)
        if grid is not None and _has_text(grid, points):
            grids.append(grid)
    return grids


def _holds_text(box: Box, by_x: list[tuple[float, float]]) -> bool:
    start = bisect.bisect_left(by_x, (box.x0 - 0.5, -1e9))
    for x, y in by_x[start:]:
        if x > box.x1 + 0.5:
            return False
        if box.holds(x, y):
            return True
    return False


def _unique(boxes: list[Box]) -> list[Box]:
    """One box for each place: a filled rectangle rather than the same cell found from its edges."""
    out: list[Box] = []
    near: dict[int, list[Box]] = {}
    for b in sorted(boxes, key=lambda b: not b.fill):
        key = round(b.top / _SAME)
        if not any(abs(b.x0 - o.x0) <= _SAME and abs(b.x1 - o.x1) <= _SAME and abs(b.top - o.top) <= _SAME
                   and abs(b.bottom - o.bottom) <= _SAME for k in (key - 1, key, key + 1) for o in near.get(k, ())):
            out.append(b)
            near.setdefault(key, []).append(b)
    return out


def _runs(boxes: list[Box]) -> list[list[Box]]:
    """Boxes on one top edge that touch side by side, left to right (two or more)."""
    groups: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.top):
        if groups and b.top - groups[-1][0].top <= _SAME:
            groups[-1].append(b)
        else:
            groups.append([b])
    runs = []
    for group in groups:
        used: set[int] = set()
        group.sort(key=lambda b: (b.x0, -b.area))
        followers = {id(a): [b for b in group if -_SAME <= b.x0 - a.x1 <= TOUCH] for a in group}
        led = {id(b) for bs in followers.values() for b in bs}
        for start in group:
            if id(start) in used or id(start) in led:
                continue
            run = [start]
            while True:
                nexts = [b for b in followers[id(run[-1])] if id(b) not in used]
                if not nexts:
                    break
                run.append(min(nexts, key=lambda b: (abs(b.bottom - run[-1].bottom), abs(b.x0 - run[-1].x1))))
            if len(run) >= 2:
                used.update(id(b) for b in run)
                runs.append(run)
    return runs


def _nested(i: int, runs: list[list[Box]]) -> bool:
    """A run whose every box lies inside a larger box of another run: lines highlighted inside cells."""
    others = [b for j, run in enumerate(runs) if j != i for b in run]
    return all(any(b.inside(o) and o.area > 1.05 * b.area for o in others) for b in runs[i])


def _stack(runs: list[list[Box]]) -> list[list[list[Box]]]:
    """Runs that touch top to bottom within one table's width."""
    tables: list[list[list[Box]]] = []
    for run in sorted(runs, key=lambda r: r[0].top):
        x0, x1, top = run[0].x0, run[-1].x1, run[0].top
        for table in tables:
            last = table[-1]
            left, right = min(b.x0 for b in table[0]), max(b.x1 for b in table[0])
            floor = min(b.bottom for b in last)
            if (abs(top - floor) <= TOUCH and left - TOUCH <= x0 and x1 <= right + TOUCH
                    and (abs(x0 - left) <= TOUCH or abs(x1 - right) <= TOUCH)):
                table.append(run)
                break
        else:
            tables.append([run])
    return [t for t in tables if len(t) >= 2]


def _grid(rows: list[list[Box]]) -> Grid | None:
    starts: list[float] = []
    for x in sorted(b.x0 for row in rows for b in row):
        if not starts or x - starts[-1] > 3 * _SAME:
            starts.append(x)
    if len(starts) < 2:
        return None
    grid_rows = []
    for row in rows:
        cells: list[Box | None] = [None] * len(starts)
        spanned: set[int] = set()
        for b in row:
            column = min(range(len(starts)), key=lambda k: abs(starts[k] - b.x0))
            cells[column] = b
            spanned.update(k for k in range(column + 1, len(starts)) if starts[k] < b.x1 - 3 * _SAME)
        grid_rows.append([c for k, c in enumerate(cells) if k not in spanned or c is not None])
    return Grid(grid_rows)


def _has_text(grid: Grid, points: list[tuple[float, float]]) -> bool:
    """Two rows or more with two cells of text: a table, not a frame or a chart's boxes."""
    x0, top, x1, bottom = grid.bbox
    inside = [(x, y) for x, y in points if x0 <= x <= x1 and top <= y <= bottom]
    filled_rows = 0
    filled = 0
    for row in grid.rows:
        count = sum(1 for b in row if b is not None and any(b.holds(x, y) for x, y in inside))
        filled += count
        filled_rows += count >= 2
    cells = sum(1 for row in grid.rows for b in row if b is not None)
    return filled_rows >= 2 and filled >= 0.5 * cells


def header_fills(grid: Grid) -> tuple[bool, bool]:
    """A first row (or first column) shaded unlike the body cells is the table's header."""
    def fills(boxes):
        return {b.fill for b in boxes if b is not None}

    first_row = fills(grid.rows[0])
    first_column = fills(row[0] for row in grid.rows[1:])
    body = Counter(b.fill for row in grid.rows[1:] for b in row[1:] if b is not None)
    if not body or "" in body:
        return False, False
    common = body.most_common(1)[0][0]
    row = len(first_row) == 1 and "" not in first_row and common not in first_row
    column = len(first_column) == 1 and "" not in first_column and common not in first_column
    return row, column
