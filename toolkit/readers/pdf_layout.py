"""Geometry for the PDF reader: ruled grids as rows of printed cells, split tables rejoined, rows
from word positions.

Nothing here opens a PDF: the reader hands in camelot tables and pypdfium2 character boxes, so every
rule can be tested on tiny inline fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.normalize import is_blank, looks_like_value

Box = tuple[
    float, float, float, float
]  # left, bottom, right, top in PDF points (origin bottom-left)

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’]")
_DASHES = "-‐‑‒–—―－﹣~～"
PAGE_NUMBER = re.compile(
    rf"\s*(?:[{_DASHES}]\s*\d{{1,4}}\s*[{_DASHES}]"  # - 4 -, —4—
    r"|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"  # 第4页 (共6页)
    r"|\d{1,4}\s*/\s*\d{1,4})\s*"
)  # 4/6
NUMBERED = re.compile(
    r"\s*(?:[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|\d{1,2}\s*[.、．,，](?!\d)|[①-⑳])"
)


@dataclass
class Cell:
    """One printed cell: its text and horizontal extent (a merged cell spans several grid
    columns).
    """

    text: str
    x0: float
    x1: float
    y0: float | None = None  # bottom and top of the ruled cell (a cell merged down: the lowest)
    y1: float | None = None
    joined: bool = False  # its text goes on in a cell of the next page: its box holds only a part

    @property
    def box(self) -> Box | None:
        """The ruled cell on its page, where the whole of its text was printed; None otherwise."""
        if self.y0 is None or self.y1 is None or self.joined:
            return None
        return (round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2))


@dataclass
class Grid:
    """One ruled table on one page: rows of printed cells in reading order (span continuations left
    out).
    """

    page: int
    bbox: Box
    rows: list[list[Cell | None]]
    cols: tuple[float, ...]
    table: int = 0
    # opens a page after a table page and continues its last table (no label words needed)
    follows: bool = False

    @property
    def top(self) -> float:
        return self.bbox[3]


def join_lines(text: str) -> str:
    """Lines wrapped inside one cell -> one string: no space between Chinese characters, one
    otherwise.
    """
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln and not PAGE_NUMBER.fullmatch(ln)]
    out = ""
    for ln in lines:
        if out and not (CJK.match(out[-1]) or CJK.match(ln[0])):
            out += " "
        out += ln
    return out


def cell_text(text: str) -> str:
    """A ruled cell's text: its lines joined, and no space beside a Chinese character.

    A visual gap there is typesetting, not a word space: Word and LibreOffice set digits apart from
    Chinese (自动调整中文与数字间距, '251000 元'), and a substituted font's glyphs are narrower than
    their advance ('规 章'). Spaces between two non-Chinese characters stay: '3 4' is two numbers.
    """
    out = ""
    for line in _lines(text):
        out = _continue(
            out, line
        )  # a number wrapped in a narrow cell ('88' over '1') is one number
    return CJK_SPACE.sub("", out)


def _lines(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    return [ln for ln in lines if ln and not PAGE_NUMBER.fullmatch(ln)]


# Chinese characters, their punctuation and full-width brackets; not full-width digits, signs or
# separators
_HAN = (
    r"[\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uff08\uff09\uff1a\uff1b“”‘’]"
)
CJK_SPACE = re.compile(rf"(?<={_HAN}) +| +(?={_HAN})")


def is_page_number(text: str) -> bool:
    """A page number printed as a line of its own ('- 4 -', '第4页', '4/6')."""
    return bool(PAGE_NUMBER.fullmatch(text))


def grid_from_camelot(table, page: int, origin: tuple[float, float] = (0.0, 0.0)) -> Grid:
    """A camelot table -> Grid, keeping only the cell that holds a merged cell's text (its
    top-left).

    `origin` is where the table's coordinates start in PDFium's (camelot.read_pdf's: the MediaBox
    corner).
    """
    dx, dy = origin
    rows: list[list[Cell | None]] = []
    for i, row in enumerate(table.cells):
        out: list[Cell | None] = []
        for j, c in enumerate(row):
            if j > 0 and not c.left:
                out.append(None)  # inside a cell merged across columns
            elif i > 0 and not c.top:
                out.append(rows[i - 1][j])  # inside a cell merged down: the same Cell, emitted once
            else:
                k, m = j, i
                while k + 1 < len(row) and not row[k + 1].left:
                    k += 1
                while m + 1 < len(table.cells) and not table.cells[m + 1][j].top:
                    m += 1
                bottom, top = table.cells[m][j].y1 + dy, c.y2 + dy
                out.append(Cell(cell_text(c.text), c.x1 + dx, row[k].x2 + dx, bottom, top))
        rows.append(out)
    cols = (
        tuple(x + dx for x in [c[0] for c in table.cols] + [table.cols[-1][1]])
        if table.cols
        else ()
    )
    x0, y0, x1, y1 = table._bbox
    return Grid(page, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), rows, cols)


def same_columns(a: Grid, b: Grid, tol: float = 3.0) -> bool:
    """Whether two grids share their outer edges and one's column rules are a subset of the
    other's.
    """
    if (
        not a.cols
        or not b.cols
        or abs(a.cols[0] - b.cols[0]) > tol
        or abs(a.cols[-1] - b.cols[-1]) > tol
    ):
        return False
    small, big = (a.cols, b.cols) if len(a.cols) <= len(b.cols) else (b.cols, a.cols)
    return all(any(abs(x - y) <= tol for y in big) for x in small)


def join_grids(
    prev: Grid, nxt: Grid, tol: float = 3.0, *, label_kind: Callable[[str], str] | None = None
) -> None:
    """Make `nxt` continue `prev` (a table cut by a page break): one table index, cut cells
    rejoined.

    Group labels spanning rows may be cut at the break ('（四）无' | '法提供'). The first row's own
    label (its last) continues the one above unless it starts a numbered item, or it starts a row
    label or both rows hold numbers while the label above is whole ('规章 | 13' above,
    '规范性文件 | 60' below). When the label reads as a row label only across the break
    ('（6' | '）属于四类过程性信息'), the row itself was cut, and so were the numbers wrapped in
    its cells ('44' | '1' is 441). `label_kind` says whether a text is a row label: 'whole', one
    that 'starts' it, or ''.
    """
    nxt.table = prev.table
    if not nxt.rows or not prev.rows:
        return
    first = nxt.rows[0]
    labels = [
        j for j, c in enumerate(first) if c is not None and c.text and not looks_like_value(c.text)
    ]
    if not labels:
        _numbers_cut(prev.rows[-1], first, tol)
        return
    kind = label_kind or (lambda text: "")
    own = labels[-1]
    for j, cell in enumerate(first[:own]):
        if cell is None:
            continue
        if cell.text == "":
            first[j] = None  # the rest of a merged group cell from the previous page
            continue
        above = _cell_above(prev, cell, tol)
        if (
            looks_like_value(cell.text)
            or NUMBERED.match(cell.text)
            or kind(cell.text)
            or not _label(above)
        ):
            return
        above.text, above.joined = join_lines(above.text + "\n" + cell.text), True
        first[j] = None
    cell, above = first[own], _cell_above(prev, first[own], tol)
    if not _label(above) or NUMBERED.match(cell.text):
        return
    joined = join_lines(above.text + "\n" + cell.text)
    whole = kind(above.text) == "whole"
    cut = not whole and bool(kind(joined))  # it reads as a row label only when joined
    if not cut and (
        kind(cell.text)
        or (whole and kind(joined) != "whole")
        or (_has_number(first) and _has_number(prev.rows[-1]))
    ):
        return  # two rows ('行政强制' above, '第二十条第（八）项' below)
    above.text, above.joined, first[own] = joined, True, None
    for j in range(own + 1, len(first)):
        cell = first[j]
        above = _cell_above(prev, cell, tol) if cell is not None and cell.text else None
        if above is not None and (cut or not above.text):
            above.text, first[j] = _continue(above.text, cell.text), None
            above.joined = above.joined or bool(cell.text)


def _numbers_cut(last: list[Cell | None], first: list[Cell | None], tol: float) -> None:
    """A row of bare digits without a label, under a row of numbers: the rest of that row's wrapped
    numbers.

    A row of values under a header row (the appeals table's numbers) is a row of its own, and so is
    one whose cells do not each continue a number above.
    """
    if not _has_number(last):
        return
    pairs = [
        (j, _cell_above_in(last, c, tol)) for j, c in enumerate(first) if c is not None and c.text
    ]
    if not pairs or not all(
        first[j].text.isdigit() and above and above.text[-1:].isdigit() for j, above in pairs
    ):
        return
    for j, above in pairs:
        above.text, above.joined, first[j] = above.text + first[j].text, True, None
    for j, c in enumerate(first):
        if c is not None and not c.text:
            first[j] = None


def _label(cell: Cell | None) -> bool:
    """Label text, or only an item's number ('２．'), whose words went on to the next page."""
    return bool(cell and cell.text) and (
        not looks_like_value(cell.text) or bool(NUMBERED.fullmatch(cell.text))
    )


def _continue(text: str, more: str) -> str:
    """A cell's text and its rest from the next page: digits run on (a number wrapped in its
    cell).
    """
    if not text or not more:
        return text or more
    if text[-1].isdigit() and more[0].isdigit():
        return text + more
    return text + ("" if CJK.match(text[-1]) or CJK.match(more[0]) else " ") + more


def _has_number(row: list[Cell | None]) -> bool:
    return any(c is not None and looks_like_value(c.text) and not is_blank(c.text) for c in row)


def _cell_above(grid: Grid, cell: Cell, tol: float) -> Cell | None:
    """The cell of the grid's last row (perhaps merged down from above) with the same horizontal
    extent.
    """
    return _cell_above_in(grid.rows[-1], cell, tol)


def _cell_above_in(row: list[Cell | None], cell: Cell, tol: float) -> Cell | None:
    for c in row:
        if c is not None and abs(c.x0 - cell.x0) <= tol and abs(c.x1 - cell.x1) <= tol:
            return c
    return None


def grid_rows(grid: Grid) -> list[list[str]]:
    """The grid's rows as cell strings, each merged cell once, empty rows skipped."""
    return [[c.text for c in row] for row in grid_cells(grid)]


def grid_cells(grid: Grid) -> list[list[Cell]]:
    """The grid's rows as printed cells (text and box), each merged cell once, empty rows
    skipped."""
    out, seen = [], set()
    for row in grid.rows:
        cells = [c for c in row if c is not None and id(c) not in seen]
        seen.update(id(c) for c in row if c is not None)
        if any(c.text for c in cells):
            out.append(cells)
    return out


@dataclass
class Char:
    """One character of the text layer with its (font-based) box."""

    ch: str
    box: Box
