"""Where each cell's text was printed, in every format: the page and a box, a line and character
span of the decoded text, or an element's path (one model: :class:`toolkit.readers.base.Where`).

The matcher sees the document as one string (:class:`toolkit.extract.match.Flat`); a value's text
is a span of it. The span gives the row and the cell it came from, and the reader's record of that
cell says where it was printed. A run-together value (several cells printed as one string) gets the
whole string's place: the union of its cells' boxes, or the span from its first character to its
last.
"""

from __future__ import annotations

from toolkit.readers.base import RawRow, Where

COLUMNS = ("x0", "y0", "x1", "y1", "box_unit", "line", "char_start", "char_end", "element")
NONE = dict.fromkeys(COLUMNS)


def row_where(row: RawRow) -> tuple[Where | None, ...] | None:
    """The reader's record of where each cell of a row was printed (an OCR'd row: its cells'
    boxes in pixels of the page image)."""
    if row.where is not None:
        return row.where
    if row.ocr is not None:
        return tuple(None if o is None else Where(box=tuple(o.box), unit="px") for o in row.ocr)
    return None


def locate(flat, pieces: list[tuple[int, int]]) -> dict:
    """The provenance columns of a value printed at these spans of the flat text (NA where the
    reader does not know, or where the spans lie on different rows of a paged format). The
    result may be the shared all-NA mapping: read it, never change it."""
    if not flat.wheres:
        return NONE
    if len(pieces) == 1:  # the common case: one printed cell
        place = _place(flat, *pieces[0])
        if place is None:
            return NONE
        w, start, end = place
        box = w.box
        return {
            "x0": box[0] if box else None,
            "y0": box[1] if box else None,
            "x1": box[2] if box else None,
            "y1": box[3] if box else None,
            "box_unit": w.unit if box else None,
            "line": w.line if start is not None else None,
            "char_start": start,
            "char_end": end,
            "element": w.path,
        }
    places = [_place(flat, a, b) for a, b in pieces]
    if not places or any(p is None for p in places):
        return NONE
    boxes = [w.box for w, _, _ in places if w.box is not None]
    first, last = places[0], places[-1]
    out = dict(NONE)
    if boxes and len(boxes) == len(places) and len({flat.page(a) for a, _ in pieces}) == 1:
        out |= {
            "x0": min(b[0] for b in boxes),
            "y0": min(b[1] for b in boxes),
            "x1": max(b[2] for b in boxes),
            "y1": max(b[3] for b in boxes),
            "box_unit": first[0].unit,
        }
    if first[0].start is not None and last[0].start is not None:
        out |= {"line": first[0].line, "char_start": first[1], "char_end": last[2]}
    paths = {w.path for w, _, _ in places}
    if len(paths) == 1 and first[0].path:
        out["element"] = first[0].path
    return out


def _place(flat, a: int, b: int) -> tuple[Where, int | None, int | None] | None:
    """The cell holding span [a, b) of the flat text, and the span's offsets in the decoded text."""
    r = flat.row(a)
    if r < 0 or r >= len(flat.wheres) or flat.wheres[r] is None:
        return None
    start = flat.starts[r]
    cell_start = flat.raw.rfind("\x1f", start, a) + 1 or start
    cell_start = max(cell_start, start)
    index = flat.raw.count("\x1f", start, a)
    wheres = flat.wheres[r]
    if index >= len(wheres) or wheres[index] is None:
        return None
    w = wheres[index]
    if w.start is None:
        return w, None, None
    text = flat.raw[a:b]
    lead = len(text) - len(text.lstrip())
    inner = text.strip()
    begin = w.start + (a + lead - cell_start)
    return w, begin, begin + len(inner)
