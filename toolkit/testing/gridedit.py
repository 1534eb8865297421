"""Editing the printed grids of a synthetic report's document, for the quirk generator
(:mod:`toolkit.testing.quirks`, :mod:`toolkit.testing.label_quirks`).

A grid holds a Cell at each span's top-left and None where a span covers; :func:`plain` writes the
spans out (covered positions empty) when a quirk needs to insert or move rows, and the quirks that
only change a cell's text edit it in place, spans kept.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from toolkit.testing.render.model import Block, Cell, Document, Grid
from toolkit.testing.render.tables import unmerge

Rows = list[list[Cell | None]]


def plain(grid: Grid) -> Rows:
    """A grid with every span written out (covered positions empty), as rows we may edit."""
    return [list(row) for row in unmerge(grid.rows, heads_only=False)]


def rows_of(grid: Grid) -> Rows:
    """The grid's rows as editable lists, spans kept (None where a span covers)."""
    return [list(row) for row in grid.rows]


def body_rows(rows: Sequence[Sequence[Cell | None]]) -> list[int]:
    """Indexes of the rows that hold values."""
    return [i for i, row in enumerate(rows) if any(c is not None and c.value for c in row)]


def header_rows(rows: Sequence[Sequence[Cell | None]]) -> int:
    """How many leading rows are header rows (every cell a header cell or covered)."""
    n = 0
    for row in rows:
        if not any(c is not None for c in row) or any(c is not None and not c.head for c in row):
            break
        n += 1
    return n


def label_at(row: Sequence[Cell | None]) -> int | None:
    """Position of a value row's label: the last text cell before its first value."""
    first = next(i for i, c in enumerate(row) if c is not None and c.value)
    texts = [i for i in range(first) if row[i] is not None and row[i].text.strip()]
    return texts[-1] if texts else None


def empty_row(n: int) -> list[Cell | None]:
    return [Cell("") for _ in range(n)]


def each_table(
    doc: Document, edit: Callable[[Grid, random.Random], list[Grid]], rng: random.Random
) -> Document:
    """Apply `edit` to every table grid of the document (a grid may become several)."""
    blocks: list[Block] = []
    for block in doc.blocks:
        if block.kind != "table":
            blocks.append(block)
            continue
        blocks += [Block("table", grid=g) for g in edit(block.grid, rng)]
    return Document(doc.agency, doc.year, doc.fmt, blocks)


def regrid(grid: Grid, rows: Rows, header_rows: int | None = None) -> Grid:
    """The grid with new rows (and, if given, a new count of header rows)."""
    heads = grid.header_rows if header_rows is None else header_rows
    return Grid(grid.name, tuple(tuple(r) for r in rows), heads, grid.widths)


def with_grid(doc: Document, index: int, grid: Grid) -> Document:
    """The document with its block `index` (a table) holding `grid` instead."""
    blocks = list(doc.blocks)
    blocks[index] = Block("table", grid=grid)
    return Document(doc.agency, doc.year, doc.fmt, blocks)


def grids(doc: Document, *names: str) -> Iterator[tuple[int, Grid]]:
    """(block index, grid) of every table of the document named one of `names`."""
    for i, block in enumerate(doc.blocks):
        if block.kind == "table" and block.grid.name in names:
            yield i, block.grid


def some(rng: random.Random, items: Sequence[int], share: float = 0.3) -> list[int]:
    """A random non-empty subset of `items` (about `share` of them), in order."""
    if not items:
        return []
    k = max(1, round(len(items) * share))
    return sorted(rng.sample(list(items), min(k, len(items))))


def relabel(
    grid: Grid, rng: random.Random, change: Callable[[str, random.Random], str], share=0.3
) -> Grid:
    """Some value rows' labels (about `share` of them) through `change` (spans written out)."""
    rows = plain(grid)
    for i in some(rng, body_rows(rows), share):
        at = label_at(rows[i])
        if at is not None:
            rows[i][at] = replace(rows[i][at], text=change(rows[i][at].text, rng))
    return regrid(grid, rows)


def han_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
