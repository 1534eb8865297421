"""Rows from word positions, for tables drawn without ruling lines; prose paragraphs.

The PDF reader falls back on this when neither PDFium's paths nor camelot find a ruled grid on a
table page: characters are grouped into cells by the gaps between them, cells into lines, and a
wrapped label's lines are stacked back into one cell. Nothing here opens a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from toolkit.normalize import looks_like_value
from toolkit.readers.pdf_layout import CJK, NUMBERED, Char, is_page_number, join_lines

GAP_EM = 1.0  # a horizontal gap wider than this many character heights separates two cells
# label lines without numbers may sit this many line heights apart in one header cell
HEADER_PITCH = 2.5
FIRST_ITEM = re.compile(r"\s*(?:1\s*[.、．,，](?!\d)|[(（]\s*[1一]\s*[)）]|①|一\s*[、.．])")


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
        numbers = (
            text[-1:].isdigit() and c.ch.isdigit() and gap > 0.2 * em
        )  # '72 64': two cells, not 7264
        if text and (gap > GAP_EM * em or not c.ch or numbers):
            out.append(Block(text, x0, x1, bottom, top, looks_like_value(text)))
            text, x0 = "", c.box[0]
        elif text and gap > 0.2 * em and not (CJK.match(text[-1]) or CJK.match(c.ch)):
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
            host = (
                None
                if cell.value
                else next((b for b in reversed(blocks) if _continues(b, cell, tol)), None)
            )
            if host is None:
                blocks.append(cell)
                continue
            host.text = join_lines(host.text + "\n" + cell.text)
            host.x0, host.x1 = min(host.x0, cell.x0), max(host.x1, cell.x1)
            host.bottom, host.owns_values = cell.bottom, host.owns_values or cell.owns_values
    return blocks


def _continues(block: Block, cell: Block, tol: float) -> bool:
    reach = (cell.top - cell.bottom) * (
        1.0 if block.owns_values or cell.owns_values else HEADER_PITCH
    )
    aligned = (
        abs(block.x0 - cell.x0) <= tol
        or abs((block.x0 + block.x1) - (cell.x0 + cell.x1)) <= 2 * tol
    )
    return (
        not block.value
        and aligned
        and 0 <= block.bottom - cell.top < reach
        and not NUMBERED.match(cell.text)
        and not (block.owns_values and cell.owns_values)
    )


def position_rows(chars: list[Char]) -> list[list[str]]:
    """A page without ruling lines -> rows of cell strings: each row's labels, then its numbers."""
    return [[b.text for b in row] for row in position_blocks(chars)]


def position_blocks(chars: list[Char]) -> list[list[Block]]:
    """:func:`position_rows` as the blocks themselves, each with the box of its characters."""
    blocks = stack_labels(position_lines(chars))
    values = [b for b in blocks if b.value]
    labels = [b for b in blocks if not b.value]
    runs = _runs(values)
    rows: list[tuple[float, list[Block]]] = []
    used: set[int] = set()
    for run in runs:
        mid = sum(v.mid for v in run) / len(run)
        left = [
            b
            for b in labels
            if id(b) not in used and b.x1 <= run[0].x0 + 1 and b.bottom - 2 <= mid <= b.top + 2
        ]
        used.update(id(b) for b in left)
        left.sort(key=lambda b: b.x0)
        rows.append(
            (max([b.top for b in left[-1:]] + [run[0].top]), left + run)
        )  # placed by its own label
    rest: dict[float, list[Block]] = {}
    for b in labels:
        if id(b) not in used:
            rest.setdefault(round(b.top / 3), []).append(
                b
            )  # blocks sharing a top line: one header row
    rows += [(max(b.top for b in bs), sorted(bs, key=lambda b: b.x0)) for bs in rest.values()]
    rows.sort(key=lambda r: -r[0])
    return _lift_groups([bs for _, bs in rows])


def _lift_groups(rows: list[list[Block]], tol: float = 4.0) -> list[list[Block]]:
    """A group label printed beside the middle of its rows moves to the first of them (numbered 1),
    read first.
    """
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
    """The nearest data row above, through rows labelled right of the group label, that starts its
    items.
    """
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
    full = 0.7 * max(
        widths, default=0
    )  # an indented first line or one with narrow digits still counts
    out: list[str] = []
    for i, ln in enumerate(lines):
        if (
            out
            and widths[i - 1] >= full
            and not re.search(r"[。！？：；:;]$", lines[i - 1])
            and not NUMBERED.match(ln)
        ):
            out[-1] = join_lines(out[-1] + "\n" + ln)
        else:
            out.append(ln)
    return out


def _width(text: str) -> int:
    return sum(2 if CJK.match(ch) else 1 for ch in text)
