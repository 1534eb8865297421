"""Quirks of PDF-to-Markdown converters (pdfplumber under markitdown, and the like), as grid edits
any format can print.

Registered in :data:`toolkit.testing.quirks.QUIRKS`; none changes a value the report states:

- :func:`label_around_values`: a wrapped label's lines on rows of their own, around the row of
  its numbers ('5.要求…出具已获' / '| | 0 | 76 |' / '取信息'), as a converter that reads a
  vertically centred row writes it;
- :func:`spread_columns`: an empty column beside some of a table's columns in every row, as a
  converter that finds more column edges than the table has.
"""

from __future__ import annotations

import random

from toolkit.testing.gridedit import body_rows, each_table, empty_row, label_at, plain, regrid
from toolkit.testing.render.model import Cell, Document, Grid

MIN_LABEL = 6  # characters a label needs to be cut into lines


def label_around_values(doc: Document, rng: random.Random) -> Document:
    """Some rows' own labels cut into a head above the numbers and a tail below them, each on a
    row of its own; the group labels to the left stay on the numbers' row."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        for i in reversed([i for i in body_rows(rows) if rng.random() < 0.2]):
            at = label_at(rows[i])
            text = "" if at is None else rows[i][at].text.replace("\n", "")
            if len(text) < MIN_LABEL:
                continue
            cut = rng.randrange(2, len(text) - 2)
            head, tail = empty_row(len(rows[i])), empty_row(len(rows[i]))
            head[at], tail[at] = Cell(text[:cut]), Cell(text[cut:])
            rows[i][at] = Cell("")
            rows[i : i + 1] = [head, rows[i], tail]
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


def spread_columns(doc: Document, rng: random.Random) -> Document:
    """One or two empty columns inserted among each table's value columns, in every row (a header
    cell stays over its own column)."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        values = [
            k for k in range(len(rows[0])) if any(r[k] is not None and r[k].value for r in rows)
        ]
        if not values:
            return [grid]
        at = sorted(rng.sample(values, min(len(values), rng.choice((1, 2)))), reverse=True)
        widths = list(grid.widths)
        for k in at:  # an empty column before value column k
            for row in rows:
                row.insert(k, Cell(""))
            widths.insert(k, widths[k] / 2)
            widths[k + 1] /= 2
        return [Grid(grid.name, tuple(tuple(r) for r in rows), grid.header_rows, tuple(widths))]

    return each_table(doc, edit, rng)
