"""Row labels a converter cut apart, joined again before the aligner reads them.

PDF-to-Markdown converters (pdfplumber under markitdown, and others) write a wrapped label's lines
as separate rows: the first line above the row of numbers and the last below it
('5.要求…出具已获' / '| | 0 | 76 |' / '取信息'), or the first line of every cell of the row on a
row of its own ('| （六）其 | 2.申请人…缴纳 |' / '| 他处理 | 费用、行政机关… | 3 | 10 |'), or on
a line of its own ('1、申请人…逾期不补正、' / '| | 行政机关…公开申 | 0 | 0 |' / '请'). A cut is
joined only where the pieces read as one of the tables' row labels together and not apart
(``schema.labels.row_label_kind``); the emptied rows stay, so every row keeps its index and its
provenance. Nothing else is changed.
"""

from __future__ import annotations

from toolkit.extract.align import value_cell
from toolkit.normalize import fold, looks_like_value
from toolkit.schema import labels

Rows = list[tuple[str, ...]]


MAX_LINES = 4  # lines of one label above or below its values (a narrow column wraps often)


def rejoin(rows: Rows) -> Rows:
    """The rows with every cut label joined (see the module docstring)."""
    out = list(rows)
    for i in range(1, len(out)):
        if not _words(out[i - 1]):
            continue
        if not _has_numbers(out[i]) or _around_values(out, i):
            continue
        if len(out[i - 1]) == len(out[i]) or _single_words(out[i - 1]):
            _over_rows(out, i - 1)
    return out


def _around_values(out: Rows, i: int) -> bool:
    """Lines of a label above its row of values `i` and below it, joined: into the values' row
    where it has an empty cell under the label (a grid), else into the first line's cell (its
    last), the other lines left empty. The fewest lines above, and the most below, that read as
    one row label together. The values' row may hold group labels left of the label's column."""
    above = _lines(out, i, -1)
    below = _lines(out, i, 1)
    row = out[i]
    for h in range(1, len(above) + 1):
        first = out[above[h - 1]]
        last = max(j for j, c in enumerate(first) if c.strip())
        if not _free_at(row, last, len(first)):
            continue
        head = first[last].strip() + "".join(_text(out[j]) for j in reversed(above[: h - 1]))
        for t in range(len(below), -1, -1):
            joined = head + "".join(_text(out[j]) for j in below[:t])
            if (h, t) != (1, 0) and _whole(joined) and not _whole(first[last]):
                for j in above[:h] + below[:t]:
                    out[j] = tuple("" for _ in out[j])
                if len(first) == len(row):
                    out[i] = (*row[:last], joined, *row[last + 1 :])
                else:
                    out[above[h - 1]] = (*first[:last], joined, *first[last + 1 :])
                return True
    return False


def _free_at(row: tuple[str, ...], at: int, width: int) -> bool:
    """The values' row leaves the label's place free: in a grid of the same width, nothing but
    group labels left of column `at` and an empty cell at it; a row of another width, only
    values."""
    if len(row) != width:
        return _numbers(row)
    own = _own_label(row)
    return not row[at].strip() and (own is None or own < at) and _has_numbers(row[at + 1 :])


def _lines(out: Rows, i: int, step: int) -> list[int]:
    """Rows next to row i (nearest first) that may hold a line of its label: single cells of
    words; above, the nearest may be a grid row of words."""
    found, j = [], i + step
    while 0 <= j < len(out) and len(found) < MAX_LINES:
        if not (_single_words(out[j]) or (step < 0 and j == i - 1 and _words(out[j]))):
            break
        found.append(j)
        j += step
    return found


def _over_rows(out: Rows, i: int) -> None:
    """A row of first lines over the row of values: each of its cells joins the cell below; a
    single line under the values may end the row's own label."""
    top, row = out[i], out[i + 1]
    own = _own_label(row)
    if len(top) != len(row):  # a line of its own above the row: it can only begin the own label
        top = tuple(_text(top) if j == own else "" for j in range(len(row)))
    if own is None or not top[own].strip():
        return
    tail = out[i + 2] if i + 2 < len(out) and _single_words(out[i + 2]) else None
    joined = top[own].strip() + row[own].strip()
    with_tail = joined + (_text(tail) if tail else "")
    if _whole(row[own]) or _whole(top[own]):
        return
    if _whole(with_tail) and tail:
        joined = with_tail
        out[i + 2] = tuple("" for _ in tail)
    elif not _whole(joined):
        return
    cells = [
        a.strip() + b.strip() if a.strip() and not looks_like_value(b) else b
        for a, b in zip(top, row)
    ]
    cells[own] = joined
    out[i + 1] = tuple(cells)
    out[i] = tuple("" for _ in out[i])


def _own_label(row: tuple[str, ...]) -> int | None:
    """The index of a value row's own label: its last text cell before the first value."""
    first = next((j for j, c in enumerate(row) if c.strip() and looks_like_value(c)), None)
    texts = [j for j in range(first or 0) if row[j].strip()]
    return texts[-1] if first is not None and texts else None


def _whole(text: str) -> bool:
    return labels.row_label_kind(fold(text.strip())) == "whole"


def _text(cells: tuple[str, ...]) -> str:
    return "".join(c.strip() for c in cells)


def _words(cells: tuple[str, ...]) -> bool:
    """Cells of text and no values (an item's number alone, '2.', is the start of a label)."""
    texts = [c for c in cells if c.strip()]
    return bool(texts) and not any(value_cell(c) for c in texts)


def _single_words(cells: tuple[str, ...]) -> bool:
    return _words(cells) and sum(bool(c.strip()) for c in cells) == 1


def _numbers(cells: tuple[str, ...]) -> bool:
    texts = [c for c in cells if c.strip()]
    return bool(texts) and all(looks_like_value(c) for c in texts)


def _has_numbers(cells: tuple[str, ...]) -> bool:
    return any(c.strip() and looks_like_value(c) for c in cells)
