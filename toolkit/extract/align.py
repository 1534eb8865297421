"""Printed row labels -> the schema's rows, in order: the one label aligner behind every reader.

Every reader (text, HTML, Word, PDF, OCR, Markdown) hands over rows of cell strings; the matcher
joins them into one folded string (cells by \\x1f, rows by \\x1e) and asks here which printed text
is which row. Labels a converter cut around their own numbers are joined first
(``extract.rejoin``); then three steps, each weaker than the one before and each saying so in
the report's checks (``label_match``):

1. **Restore misprints.** A label cell one or two characters away from a template phrase
   (``schema.labels.nearest``: NFKC, no whitespace, Simplified, look-alikes folded, rapidfuzz
   similarity) is read as that phrase. At ``labels.SURE`` or above the match is sure; between
   ``labels.NEAR`` and ``SURE`` it is sure only where the order confirms it (the one row the format
   leaves between two sure neighbours, see ``match``), else kept only where the table's
   identities then hold.
2. **Ordered scan.** The table's labels are found in their printed order, each within ``WINDOW``
   characters of the one before (wrapped and split labels match across breaks; see
   ``schema.compile_label``). The placement that finds the most labels wins, so a prose mention of
   a label or two is not a table. Labels so found are the anchors.
3. **Placement by neighbours.** Between two anchors, where exactly one row of the format is
   missing and exactly one row of values stands, under a label that is unreadable (no Chinese, or
   nearest that row's label), words that name no row, or no label of its own, the values are that
   row's: the only slot the order leaves. Such a row is never accepted by position alone: the
   resolver keeps it only where every identity it enters holds, and, under words or no label,
   only with values that are not all zero (an agency's own row in an omitted row's place looks
   the same); else its cells are NA.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit import schema
from toolkit.normalize import looks_like_value
from toolkit.schema import labels

WINDOW = 600  # characters allowed between one row label and the next
MIN_ROWS = 2  # labels followed by values that make a table
# a table label is followed by values, or by the empty cells of a grid row up to its end (a row of
# blanks printed as nothing: prose never holds cell breaks)
VALUE_AHEAD = re.compile(r"[\s\x1e\x1f|]{0,8}?(?:\d|[/—\-]|无)|(?:[ \t]*\x1f){2,}[ \t]*(?:\x1e|$)")
_CELL = re.compile(r"[^\x1e\x1f]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# label text this near a row's label is that row's; farther from every row's, it names none
UNREAD_NEAR = 0.5


@dataclass(frozen=True)
class Snap:
    """One printed label cell read as a template phrase."""

    row: int
    printed: str
    phrase: str
    score: float

    @property
    def sure(self) -> bool:
        return self.score >= labels.SURE


def snap_cells(cells: tuple[str, ...], row: int) -> tuple[tuple[str, ...], list[Snap]]:
    """A row's cells with misprinted labels restored, and what was restored (step 1)."""
    out, snaps = list(cells), []
    for i, cell in enumerate(cells):
        found = labels.snap(cell) if cell else None
        if found:
            out[i] = found[0]
            snaps.append(Snap(row, cell.strip(), found[0], found[1]))
    return tuple(out), snaps


def scan(
    text: str,
    table: str,
    codes: list[tuple[str, str]],
    start: int,
    end: int,
    after: dict | None = None,
) -> list[tuple[str, int, int]]:
    """Find row labels in printed order from `start`; a label not found near the previous one is
    missing.

    `after` remembers what follows each label found, so scans from several starts that meet on the
    same label read the rest of the table once.
    """
    for i, (code, fmt) in enumerate(codes):
        m = schema.label_regex(table, code, fmt).search(text, start, end)
        if m:
            rest = _following(
                text, table, codes[i + 1 :], m.end(), end, {} if after is None else after
            )
            return [(code, m.start(), m.end())] + rest
    return []


def _following(
    text: str, table: str, codes: list[tuple[str, str]], pos: int, end: int, after: dict
) -> list:
    """The labels after one that ends at `pos`, each found within WINDOW of the one before."""
    key = (len(codes), pos)  # the codes are always a tail of one plan
    if key not in after:
        after[key] = []
        for i, (code, fmt) in enumerate(codes):
            m = schema.label_regex(table, code, fmt).search(text, pos, min(end, pos + WINDOW))
            if m:
                after[key] = [(code, m.start(), m.end())] + _following(
                    text, table, codes[i + 1 :], m.end(), end, after
                )
                break
    return after[key]


def locate(
    text: str, table: str, codes: list[tuple[str, str]], start: int = 0, end: int | None = None
):
    """The placement of a table's labels that finds the most of them (a prose mention finds few)
    (step 2)."""
    end = len(text) if end is None else end
    best: list[tuple[str, int, int]] = []
    best_score = (0, 0)
    after: dict = {}
    for i, (code, fmt) in enumerate(codes[:3]):
        for m in schema.label_regex(table, code, fmt).finditer(text, start, end):
            found = scan(text, table, codes[i:], m.start(), end, after)
            score = (len(found), sum(bool(VALUE_AHEAD.match(text, e)) for _, _, e in found))
            if score > best_score:
                best, best_score = found, score
    return best if best_score[1] >= MIN_ROWS else []  # a label or two in prose is not a table


def place_unread(
    text: str, table: str, order: list[str], found: list[tuple[str, int, int]], values_end
) -> list[tuple]:
    """Rows whose label could not be read, placed in the one slot two anchors leave (step 3).

    `order` is the format's rows in printed order, `found` the anchors (code, start, end) in
    order, and ``values_end(label_end, stop)`` where the values after a label end. Returns the
    anchors as (code, start, end, '') and the placed rows as (code, label start, label end, how):
    how is 'unreadable' (no Chinese, or nearest this row's label), 'words' (words that name no
    row) or 'empty' (no label of its own). An agency's own row, or a group row's subtotal, looks
    like the last two, so the resolver asks more of them.
    """
    rank = {code: i for i, code in enumerate(order)}
    out = [(*f, "") for f in found]
    for (code, _, e), (nxt, s, _) in zip(found, found[1:]):
        missing = order[rank[code] + 1 : rank[nxt]]
        if len(missing) == 1:
            span = _unread_label(text, table, missing[0], values_end(e, s), s)
            if span:
                out.append((missing[0], *span))
    return sorted(out, key=lambda f: f[1])


def _unread_label(text: str, table: str, code: str, start: int, stop: int):
    """(start, end, how) of the one unreadable label between `start` and `stop` that values
    follow, or None where the gap holds anything else (prose, another row's label, two rows)."""
    row = text.rfind("\x1e", start, stop)  # the next label's row may open with group labels
    stop = row if row > start else stop
    cells = [(m.start(), m.end()) for m in _CELL.finditer(text, start, stop) if m.group().strip()]
    kinds = "".join("v" if value_cell(text[a:b]) else "t" for a, b in cells)
    if not re.fullmatch(r"t*v+", kinds):
        return None
    label = [c for c, k in zip(cells, kinds) if k == "t"]
    if not label:  # no label text at all: the values' row is the slot, its label cell empty
        row = text.rfind("\x1e", start, cells[0][0])
        return (row + 1, row + 1, "empty") if row >= 0 else None
    own = [(a, b) for a, b in label if labels.normal(text[a:b]) not in labels.lexicon()]
    if not own:  # only group labels ('（四）无法提供'): the row's own label cell is empty
        return (label[-1][1], label[-1][1], "empty")
    a, b = own[-1]  # the row's own label; cells before it are group labels
    how = _unreadable_as(text[a:b], table, code)
    return (a, b, how) if how else None


def value_cell(cell: str) -> bool:
    """A value cell; an item's number alone ('7.') is what is left of a label."""
    return looks_like_value(cell) and not labels.NUMBERING.fullmatch(cell.strip())


def _unreadable_as(printed: str, table: str, code: str) -> str:
    """'unreadable' for text that reads as no label (no Chinese) or is nearest `code`'s label,
    'words' for words that name no row, '' for text near another row's label."""
    if not _HAN.search(labels.normal(printed)):
        return "unreadable"
    near = {c: labels.similarity(printed, label) for c, label in labels.row_labels(table).items()}
    best = max(near, key=near.get)
    if near[best] < UNREAD_NEAR:
        return "words"
    return "unreadable" if best == code else ""
