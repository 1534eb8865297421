"""Where the printed column headers put each column, to tell a padded grid's layout cells from blank
cells.

A grid extractor writes a spanned cell as its text followed by empty cells. When a row's empty cells
can be dropped in more than one way, the header row of the same grid says which cell is which
column: a way is kept only if its cells sit at the header's positions. Without a usable header
nothing is decided here (the identities choose, or the cells stay NA).
"""

from __future__ import annotations

import re

from toolkit import schema
from toolkit.extract.match import Flat

# rows above a value row searched for its header (the 收到和处理 header sits above ~25 rows)
LOOK_BACK = 40
_DIGIT = re.compile(r"\d")


def aligned(
    flat: Flat, table: str, cols: tuple[str, ...], ways: list[list[tuple[int, int]]]
) -> list[list[tuple[int, int]]]:
    """The ways whose cells sit under their columns' headers; all of them when the header cannot
    tell."""
    row = flat.row(ways[0][0][0])
    if any(flat.row(a) != row for way in ways for a, _ in way):
        return ways  # values over several lines: no grid positions
    where = positions(flat, table, cols, row)
    if where is None:
        return ways
    start = flat.starts[row]
    kept = [
        way for way in ways if tuple(flat.text.count("\x1f", start, a) for a, _ in way) == where
    ]
    return kept or ways


def positions(flat: Flat, table: str, cols: tuple[str, ...], row: int) -> tuple[int, ...] | None:
    """Each column's cell index in the nearest header rows above `row` that have as many cells as
    it."""
    regexes = [schema.header_regex(table, c) for c in cols]
    if None in regexes:
        return None
    width = len(_cells(flat, row))
    found: dict[int, int] = {}
    for cells in _header_rows(flat, row):
        if len(cells) != width:  # another grid
            continue
        for i, rx in enumerate(regexes):
            hit = (
                None
                if i in found
                else next((j for j, c in enumerate(cells) if c.strip() and rx.fullmatch(c)), None)
            )
            if hit is not None:
                found[i] = hit
        if len(found) == len(cols):
            where = tuple(found[i] for i in range(len(cols)))
            return where if list(where) == sorted(set(where)) else None
    return _group_positions(flat, table, cols, row, width)


def _group_positions(
    flat: Flat, table: str, cols: tuple[str, ...], row: int, width: int
) -> tuple[int, ...] | None:
    """Where a group header over exactly these columns (申请人情况) stands, its columns follow it
    one per cell: converters that drop the cells a rowspan covers leave the column headers on
    shorter rows but keep the group header's row full. A value row shorter than that row lost its
    cells on the left, to the spanned labels; its values still end the row."""
    groups = [rx for rx, spanned in schema.header_groups(table) if spanned == cols]
    if not groups:
        return None
    for cells in _header_rows(flat, row):
        short = len(cells) - width  # cells a rowspan on the left took from this row
        if short < 0:
            continue
        hits = [j for j, c in enumerate(cells) for rx in groups if c.strip() and rx.fullmatch(c)]
        # the group's columns end the row (they are the table's last columns), and at least one
        # label cell stays left of them in the value row
        if len(hits) == 1 and hits[0] + len(cols) == len(cells) and hits[0] - short >= 1:
            return tuple(range(hits[0] - short, hits[0] - short + len(cols)))
    return None


def _header_rows(flat: Flat, row: int):
    """The cells of each row above `row` (nearest first, LOOK_BACK at most) that could be a header:
    a row of values is not (a label such as 总计 is no header there)."""
    for r in range(row - 1, max(-1, row - 1 - LOOK_BACK), -1):
        cells = _cells(flat, r)
        if not any(_DIGIT.search(c) for c in cells):
            yield cells


def _cells(flat: Flat, row: int) -> list[str]:
    end = flat.starts[row + 1] - 1 if row + 1 < len(flat.starts) else len(flat.text)
    return flat.text[flat.starts[row] : end].split("\x1f")
