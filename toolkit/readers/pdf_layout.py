"""Geometry for the PDF reader: ruled grids as rows of printed cells, split tables rejoined, rows from word positions.

Nothing here opens a PDF: the reader hands in camelot tables and pypdfium2 character boxes, so every
rule can be tested on tiny inline fixtures.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from statistics import median

from toolkit.normalize import is_blank, looks_like_value

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points (origin bottom-left)

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’]")
_DASHES = "-‐‑‒–—―－﹣~～"
PAGE_NUMBER = re.compile(
    rf"\s*(?:[{_DASHES}]\s*\d{{1,4}}\s*[{_DASHES}]"  # - 4 -, —4—
    r"|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"  # 第4页 (共6页)
    r"|\d{1,4}\s*/\s*\d{1,4})\s*")  # 4/6
NUMBERED = re.compile(r"\s*(?:[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
                      r"|\d{1,2}\s*[.、．,，](?!\d)|[①-⑳])")
GAP_EM = 1.0  # a horizontal gap wider than this many character heights separates two cells
HEADER_PITCH = 2.5  # label lines without numbers may sit this many line heights apart in one header cell
FIRST_ITEM = re.compile(r"\s*(?:1\s*[.、．,，](?!\d)|[(（]\s*[1一]\s*[)）]|①|一\s*[、.．])")


@dataclass
class Cell:
    """One printed cell: its text and horizontal extent (a merged cell spans several grid columns)."""

    text: str
    x0: float
    x1: float


@dataclass
class Grid:
    """One ruled table on one page: rows of printed cells in reading order (span continuations left out)."""

    page: int
    bbox: Box
    rows: list[list[Cell | None]]
    cols: tuple[float, ...]
    table: int = 0
    follows: bool = False  # opens a page after a table page and continues its last table (no label words needed)

    @property
    def top(self) -> float:
        return self.bbox[3]


def join_lines(text: str) -> str:
    """Lines wrapped inside one cell -> one string: no space between Chinese characters, one otherwise."""
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln and not PAGE_NUMBER.fullmatch(ln)]
    out = ""
    for ln in lines:
        if out and not (_CJK.match(out[-1]) or _CJK.match(ln[0])):
            out += " "
        out += ln
    return out


def cell_text(text: str) -> str:
    """A ruled cell's text: its lines joined, and no space beside a Chinese character.

    A visual gap there is typesetting, not a word space: Word and LibreOffice set digits apart from
    Chinese (自动调整中文与数字间距, '251000 元'), and a substituted font's glyphs are narrower than their
    advance ('规 章'). Spaces between two non-Chinese characters stay: '3 4' is two numbers.
    """
    out = ""
    for line in _lines(text):
        out = _continue(out, line)  # a number wrapped in a narrow cell ('88' over '1') is one number
    return _CJK_SPACE.sub("", out)


def _lines(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    return [ln for ln in lines if ln and not PAGE_NUMBER.fullmatch(ln)]


# Chinese characters, their punctuation and full-width brackets; not full-width digits, signs or separators
_HAN = r"[\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff08\uff09\uff1a\uff1b“”‘’]"
_CJK_SPACE = re.compile(rf"(?<={_HAN}) +| +(?={_HAN})")


def is_page_number(text: str) -> bool:
    """A page number printed as a line of its own ('- 4 -', '第4页', '4/6')."""
    return bool(PAGE_NUMBER.fullmatch(text))


def grid_from_camelot(table, page: int, origin: tuple[float, float] = (0.0, 0.0)) -> Grid:
    """A camelot table -> Grid, keeping only the cell that holds a merged cell's text (its top-left).

    `origin` is where the table's coordinates start in PDFium's (camelot.read_pdf's: the MediaBox corner).
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
                k = j
                while k + 1 < len(row) and not row[k + 1].left:
                    k += 1
                out.append(Cell(cell_text(c.text), c.x1 + dx, row[k].x2 + dx))
        rows.append(out)
    cols = tuple(x + dx for x in [c[0] for c in table.cols] + [table.cols[-1][1]]) if table.cols else ()
    x0, y0, x1, y1 = table._bbox
    return Grid(page, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), rows, cols)


def same_columns(a: Grid, b: Grid, tol: float = 3.0) -> bool:
    """Whether two grids share their outer edges and one's column rules are a subset of the other's."""
    if not a.cols or not b.cols or abs(a.cols[0] - b.cols[0]) > tol or abs(a.cols[-1] - b.cols[-1]) > tol:
        return False
    small, big = (a.cols, b.cols) if len(a.cols) <= len(b.cols) else (b.cols, a.cols)
    return all(any(abs(x - y) <= tol for y in big) for x in small)


def join_grids(prev: Grid, nxt: Grid, tol: float = 3.0, *, label_kind: Callable[[str], str] | None = None) -> None:
    """Make `nxt` continue `prev` (a table cut by a page break): one table index, cut cells rejoined.

    Group labels spanning rows may be cut at the break ('（四）无' | '法提供'). The first row's own label
    (its last) continues the one above unless it starts a numbered item, or it starts a row label or
    both rows hold numbers while the label above is whole ('规章 | 13' above, '规范性文件 | 60' below).
    When the label reads as a row label only across the break ('（6' | '）属于四类过程性信息'), the row
    itself was cut, and so were the numbers wrapped in its cells ('44' | '1' is 441). `label_kind`
    says whether a text is a row label: 'whole', one that 'starts' it, or ''.
    """
    nxt.table = prev.table
    if not nxt.rows or not prev.rows:
        return
    first = nxt.rows[0]
    labels = [j for j, c in enumerate(first) if c is not None and c.text and not looks_like_value(c.text)]
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
        if looks_like_value(cell.text) or NUMBERED.match(cell.text) or kind(cell.text) or not _label(above):
            return
        above.text = join_lines(above.text + "\n" + cell.text)
        first[j] = None
    cell, above = first[own], _cell_above(prev, first[own], tol)
    if not _label(above) or NUMBERED.match(cell.text):
        return
    joined = join_lines(above.text + "\n" + cell.text)
    whole = kind(above.text) == "whole"
    cut = not whole and bool(kind(joined))  # it reads as a row label only when joined
    if not cut and (kind(cell.text) or (whole and kind(joined) != "whole")
                    or (_has_number(first) and _has_number(prev.rows[-1]))):
        return  # two rows ('行政强制' above, '第二十条第（八）项' below)
    above.text, first[own] = joined, None
    for j in range(own + 1, len(first)):
        cell = first[j]
        above = _cell_above(prev, cell, tol) if cell is not None and cell.text else None
        if above is not None and (cut or not above.text):
            above.text, first[j] = _continue(above.text, cell.text), None


def _numbers_cut(last: list[Cell | None], first: list[Cell | None], tol: float) -> None:
    """A row of bare digits without a label, under a row of numbers: the rest of that row's wrapped numbers.

    A row of values under a header row (the appeals table's numbers) is a row of its own, and so is one
    whose cells do not each continue a number above.
    """
    if not _has_number(last):
        return
    pairs = [(j, _cell_above_in(last, c, tol)) for j, c in enumerate(first) if c is not None and c.text]
    if not pairs or not all(first[j].text.isdigit() and above and above.text[-1:].isdigit() for j, above in pairs):
        return
    for j, above in pairs:
        above.text, first[j] = above.text + first[j].text, None
    for j, c in enumerate(first):
        if c is not None and not c.text:
            first[j] = None


def _label(cell: Cell | None) -> bool:
    """Label text, or only an item's number ('２．'), whose words went on to the next page."""
    return bool(cell and cell.text) and (not looks_like_value(cell.text) or bool(NUMBERED.fullmatch(cell.text)))


def _continue(text: str, more: str) -> str:
    """A cell's text and its rest from the next page: digits run on (a number wrapped in its cell)."""
    if not text or not more:
        return text or more
    if text[-1].isdigit() and more[0].isdigit():
        return text + more
    return text + ("" if _CJK.match(text[-1]) or _CJK.match(more[0]) else " ") + more


def _has_number(row: list[Cell | None]) -> bool:
    return any(c is not None and looks_like_value(c.text) and not is_blank(c.text) for c in row)


def _cell_above(grid: Grid, cell: Cell, tol: float) -> Cell | None:
    """The cell of the grid's last row (perhaps merged down from above) with the same horizontal extent."""
    return _cell_above_in(grid.rows[-1], cell, tol)


def _cell_above_in(row: list[Cell | None], cell: Cell, tol: float) -> Cell | None:
    for c in row:
        if c is not None and abs(c.x0 - cell.x0) <= tol and abs(c.x1 - cell.x1) <= tol:
            return c
    return None


def grid_rows(grid: Grid) -> list[list[str]]:
    """The grid's rows as cell strings, each merged cell once, empty rows skipped."""
    out, seen = [], set()
    for row in grid.rows:
        cells = [c.text for c in row if c is not None and id(c) not in seen]
        seen.update(id(c) for c in row if c is not None)
        if any(cells):
            out.append(cells)
    return out


# --- rows from word positions, for tables drawn without ruling lines ---------------------------------


@dataclass
class Char:
    """One character of the text layer with its (font-based) box."""

    ch: str
    box: Box


@dataclass
class Block:
    """Text at one place of the page: a cell of a line, or label lines stacked in one column."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    value: bool = False  # a number or blank marker, not label text
    owns_values: bool = False  # a label with numbers beside it

    @property
    def mid(self) -> float:
        return (self.bottom + self.top) / 2


def position_lines(chars: list[Char]) -> list[list[Block]]:
    """Characters -> visual lines top to bottom, each split into cells at gaps wider than GAP_EM."""
    chars = [c for c in chars if c.ch.strip() and c.box[3] > c.box[1]]
    chars.sort(key=lambda c: -(c.box[1] + c.box[3]) / 2)
    groups: list[list[Char]] = []
    for c in chars:
        mid = (c.box[1] + c.box[3]) / 2
        if groups and groups[-1][0].box[1] <= mid <= groups[-1][0].box[3]:
            groups[-1].append(c)
        else:
            groups.append([c])
    lines = [_cells(g) for g in groups]
    return [ln for ln in lines if not is_page_number(" ".join(b.text for b in ln))]


def _cells(chars: list[Char]) -> list[Block]:
    chars.sort(key=lambda c: c.box[0])
    em = median(c.box[3] - c.box[1] for c in chars)
    bottom, top = min(c.box[1] for c in chars), max(c.box[3] for c in chars)
    out: list[Block] = []
    text, x0, x1 = "", chars[0].box[0], chars[0].box[2]
    for c in chars + [Char("", (float("inf"),) * 4)]:
        gap = c.box[0] - x1
        numbers = text[-1:].isdigit() and c.ch.isdigit() and gap > 0.2 * em  # '72 64': two cells, not 7264
        if text and (gap > GAP_EM * em or not c.ch or numbers):
            out.append(Block(text, x0, x1, bottom, top, looks_like_value(text)))
            text, x0 = "", c.box[0]
        elif text and gap > 0.2 * em and not (_CJK.match(text[-1]) or _CJK.match(c.ch)):
            text += " "
        text += c.ch
        x1 = max(x1, c.box[2]) if c.ch else x1
    for b in out:
        b.owns_values = not b.value and any(v.value and v.x0 > b.x1 for v in out)
    return out


def stack_labels(lines: list[list[Block]], tol: float = 4.0) -> list[Block]:
    """Label cells continued on the next line of the same column become one block (a wrapped label).

    A continuation sits tight below (less than a line height apart), is aligned left or centred with
    the block, does not start a new numbered item, and does not bring numbers of its own to a label
    that already has some.
    """
    blocks: list[Block] = []
    for line in lines:
        for cell in line:
            host = None if cell.value else next((b for b in reversed(blocks) if _continues(b, cell, tol)), None)
            if host is None:
                blocks.append(cell)
                continue
            host.text = join_lines(host.text + "\n" + cell.text)
            host.x0, host.x1 = min(host.x0, cell.x0), max(host.x1, cell.x1)
            host.bottom, host.owns_values = cell.bottom, host.owns_values or cell.owns_values
    return blocks


def _continues(block: Block, cell: Block, tol: float) -> bool:
    reach = (cell.top - cell.bottom) * (1.0 if block.owns_values or cell.owns_values else HEADER_PITCH)
    aligned = abs(block.x0 - cell.x0) <= tol or abs((block.x0 + block.x1) - (cell.x0 + cell.x1)) <= 2 * tol
    return (not block.value and aligned and 0 <= block.bottom - cell.top < reach
            and not NUMBERED.match(cell.text) and not (block.owns_values and cell.owns_values))


def position_rows(chars: list[Char]) -> list[list[str]]:
    """A page without ruling lines -> rows of cell strings: each row's labels, then its numbers."""
    blocks = stack_labels(position_lines(chars))
    values = [b for b in blocks if b.value]
    labels = [b for b in blocks if not b.value]
    runs = _runs(values)
    rows: list[tuple[float, list[Block]]] = []
    used: set[int] = set()
    for run in runs:
        mid = sum(v.mid for v in run) / len(run)
        left = [b for b in labels if id(b) not in used and b.x1 <= run[0].x0 + 1 and b.bottom - 2 <= mid <= b.top + 2]
        used.update(id(b) for b in left)
        left.sort(key=lambda b: b.x0)
        rows.append((max([b.top for b in left[-1:]] + [run[0].top]), left + run))  # placed by its own label
    rest: dict[float, list[Block]] = {}
    for b in labels:
        if id(b) not in used:
            rest.setdefault(round(b.top / 3), []).append(b)  # blocks sharing a top line: one header row
    rows += [(max(b.top for b in bs), sorted(bs, key=lambda b: b.x0)) for bs in rest.values()]
    rows.sort(key=lambda r: -r[0])
    return [[b.text for b in bs] for bs in _lift_groups([bs for _, bs in rows])]


def _lift_groups(rows: list[list[Block]], tol: float = 4.0) -> list[list[Block]]:
    """A group label printed beside the middle of its rows moves to the first of them (numbered 1), read first."""
    out = [list(r) for r in rows]
    i = 0
    while i < len(out):
        j = _group_start(out, i, tol) if len(out[i]) == 1 and not out[i][0].value else None
        if j is None:
            i += 1
            continue
        out[j].insert(0, out.pop(i)[0])
    return out


def _group_start(rows: list[list[Block]], i: int, tol: float) -> int | None:
    """The nearest data row above, through rows labelled right of the group label, that starts its items."""
    group = rows[i][0]
    for j in range(i - 1, -1, -1):
        labels = [b for b in rows[j] if not b.value]
        if not labels or len(labels) == len(rows[j]) or labels[-1].x0 < group.x1 - tol:
            return None
        if FIRST_ITEM.match(labels[-1].text):
            return j
    return None


def _runs(values: list[Block]) -> list[list[Block]]:
    """Value cells on one line, left to right."""
    lines: dict[tuple[float, float], list[Block]] = {}
    for v in values:
        lines.setdefault((v.bottom, v.top), []).append(v)
    return [sorted(vs, key=lambda v: v.x0) for vs in lines.values()]


def paragraphs(lines: list[str]) -> list[str]:
    """Prose lines -> paragraphs: a line that fills the measure and ends mid-sentence continues."""
    widths = [_width(ln) for ln in lines]
    full = 0.7 * max(widths, default=0)  # an indented first line or one with narrow digits still counts
    out: list[str] = []
    for i, ln in enumerate(lines):
        if out and widths[i - 1] >= full and not re.search(r"[。！？：；:;]$", lines[i - 1]) and not NUMBERED.match(ln):
            out[-1] = join_lines(out[-1] + "\n" + ln)
        else:
            out.append(ln)
    return out


def _width(text: str) -> int:
    return sum(2 if _CJK.match(ch) else 1 for ch in text)
