"""Which empty cells of a row are printed blanks and which are layout.

A grid extractor or a converter writes a spanned cell as its text followed by empty cells, spreads
columns over more grid columns than the table has, or merges two cells into one. A row's empty
pieces are then either blanks printed as nothing or layout. The ways to read them are enumerated
here; which one holds is for the header (``header_align``) or the identities (``resolve``) to
decide, and where neither can, the cells are NA.
"""

from __future__ import annotations

import itertools
import math

from toolkit.extract.match import Flat
from toolkit.normalize import clean, is_blank

MAX_PLACEMENTS = 200  # ways to place the blanks of one row that are tried


def placements(
    flat: Flat, pieces: list[tuple[int, int]], n: int, groups
) -> tuple[list[tuple[str, ...]], str]:
    """Every way to put a row's printed numbers, in order, one per cell, and blanks in the cells
    left over, that its own identities allow; none where the numbers are not one per cell or the
    ways are too many to try."""
    tokens = [t for a, b in pieces for t in clean(flat.text[a:b]).split()]
    blanks = n - len(tokens)
    if blanks < 0 or math.comb(n, blanks) > MAX_PLACEMENTS:
        return [], "empty cells that may be blanks or layout, and too many ways to place them"
    out = []
    for spots in itertools.combinations(range(n), blanks):
        numbers = iter(tokens)
        reading = tuple("" if i in spots else next(numbers) for i in range(n))
        if all(_holds(reading, parts, total) for parts, total in groups):
            out.append(reading)
    return out, ("" if len(out) <= 1 else "empty cells that may be blanks or layout")


def _holds(reading: tuple[str, ...], parts, total: int) -> bool:
    """A row identity holds, or cannot be checked (a blank total)."""
    if not reading[total]:
        return True
    try:
        return sum(float(reading[p] or 0) for p in parts) == float(reading[total])
    except ValueError:
        return True  # a blank marker or other text: for the validator to judge


def has_empty(flat: Flat, pieces: list[tuple[int, int]]) -> bool:
    return any(not flat.text[a:b].strip() for a, b in pieces)


def trimmed(flat: Flat, pieces: list[tuple[int, int]], n: int) -> list[list[tuple[int, int]]]:
    """A row's cells without its surplus: empty cells a spanned label leaves before the values (a
    padded grid) and layout cells after them (see `_surplus_blank`). Each way that gives other cell
    texts is returned: when a row has both, which empty cell is a printed blank is for the
    identities to decide."""
    surplus = len(pieces) - n
    ways: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for lead in range(max(surplus, 0) + 1):
        body = pieces[lead:]
        if any(flat.text[a:b].strip() for a, b in pieces[:lead]):
            break
        while len(body) > n and _surplus_blank(flat, body):
            body = body[:-1]
        if len(body) == n and _cells_at_least(flat, body) <= n:
            ways.setdefault(tuple(flat.text[a:b].strip() for a, b in body), body)
    if surplus > 0 and (not ways or any(_inner_empty(flat, way) for way in ways.values())):
        for way in drops(flat, pieces, n):  # an inner empty cell may be the layout one instead
            ways.setdefault(tuple(flat.text[a:b].strip() for a, b in way), way)
    return list(ways.values()) or _compacted(flat, pieces, n) or [_trailing_only(flat, pieces, n)]


def _inner_empty(flat: Flat, way: list[tuple[int, int]]) -> bool:
    """An empty cell with printed cells on both sides."""
    printed = [i for i, (a, b) in enumerate(way) if flat.text[a:b].strip()]
    return bool(printed) and any(
        not flat.text[a:b].strip() for a, b in way[printed[0] : printed[-1] + 1]
    )


def drops(flat: Flat, pieces: list[tuple[int, int]], n: int) -> list[list[tuple[int, int]]]:
    """Every way to leave out empty pieces until n are left (none where too many)."""
    empty = [i for i, (a, b) in enumerate(pieces) if not flat.text[a:b].strip()]
    surplus = len(pieces) - n
    if surplus > len(empty) or math.comb(len(empty), surplus) > MAX_PLACEMENTS:
        return []
    return [
        [p for i, p in enumerate(pieces) if i not in drop]
        for drop in map(set, itertools.combinations(empty, surplus))
    ]


def _cells_at_least(flat: Flat, pieces: list[tuple[int, int]]) -> int:
    """The fewest cells pieces fill: one per empty piece, one per number printed apart."""
    return sum(max(1, len(clean(flat.text[a:b]).split())) for a, b in pieces)


def _compacted(flat: Flat, pieces: list[tuple[int, int]], n: int) -> list[list[tuple[int, int]]]:
    """A grid whose columns a converter spread (pdfplumber writes '| | 0 | | 1 | | | 6 |' for three
    cells): where the printed values are exactly as many as the cells, no empty cell among them
    can be a blank, so every empty cell is layout."""
    printed = [(a, b) for a, b in pieces if flat.text[a:b].strip()]
    tokens = sum(len(clean(flat.text[a:b]).split()) for a, b in printed)
    return [printed] if printed and tokens == n and len(printed) < len(pieces) else []


def _trailing_only(flat: Flat, pieces: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """No way fits exactly: drop what trailing layout there is and let the digit search read the
    rest."""
    while len(pieces) > n and _surplus_blank(flat, pieces):
        pieces = pieces[:-1]
    return pieces


def _surplus_blank(flat: Flat, pieces: list[tuple[int, int]]) -> bool:
    """The last piece is empty, or repeats the blank marker before it (a merged blank cell copied
    per column)."""
    last = flat.text[slice(*pieces[-1])].strip()
    return not last or (
        is_blank(last) and len(pieces) > 1 and flat.text[slice(*pieces[-2])].strip() == last
    )
