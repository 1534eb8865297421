"""Ruled tables from a page's own drawing: PDFium's path objects and characters, camelot's lattice
geometry.

camelot 2.0's ``read_pdf(flavor="lattice", engine="vector")`` spends four fifths of its time parsing
each page's content stream again with playa (some 25 ms a page of the Huai'an report) before it
looks at a line. PDFium has parsed the page already, so this module hands camelot what its vector
engine would have read from playa's layout (ruled segments, then characters) and lets camelot's own
code do the lattice work: merging collinear segments, clustering crossings into tables, anchoring
rows and columns and finding merged cells (``Table.set_edges``). Text goes into cells the way
camelot's ``split_text`` places it: each character by its centre, a merged cell's characters into
its top-left cell.

The camelot names used (2.0.0) are module-level but outside its documented API:
``find_joints_from_lines`` and ``coalesce_collinear_lines`` (camelot.image_processing, new with the
vector engine in 2.0), ``merge_close_lines`` and ``segments_in_bbox`` (camelot.utils), and
``camelot.core.Table``. An older camelot raises ImportError here, and the reader falls back to
``camelot.read_pdf``.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from toolkit.readers.pdf_layout import Char

if TYPE_CHECKING:
    from camelot.core import Table

Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDFium's page coordinates
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# a filled rectangle narrower than this is a rule drawn as a bar (camelot's _LINE_AS_THIN_RECT_TOL)
THIN = 1.5
STRAIGHT = 0.5  # a rule may lean this far off the axis (camelot's _LINE_ORTHOGONAL_TOL)
# camelot Lattice's defaults: rules this close are one anchor; edges snap this far
LINE_TOL = JOINT_TOL = 2
# camelot Lattice drops a grid with this share of empty cells (its _GRID_WHITESPACE_REJECT)
MOSTLY_EMPTY = 0.9
# a gap wider than this share of a character's size is a space (pdfminer's word_margin)
WORD_GAP = 0.1
_OP = {
    pdfium_c.FPDF_SEGMENT_MOVETO: "m",
    pdfium_c.FPDF_SEGMENT_LINETO: "l",
    pdfium_c.FPDF_SEGMENT_BEZIERTO: "c",
}


def lattice_tables(page: pdfium.PdfPage, chars: list[Char], *, gate: bool = True) -> list[Table]:
    """camelot Tables (cells, merged-cell edges, text) of the page's ruled grids, top table first.

    `gate=False` keeps grids camelot would drop as mostly empty (the rest of a row cut by a page
    break).
    """
    from camelot.image_processing import find_joints_from_lines

    horizontal, vertical = ruling_lines(page)
    centred = [((c.box[0] + c.box[2]) / 2, (c.box[1] + c.box[3]) / 2, c) for c in chars]
    tables = []
    for bbox, joints in find_joints_from_lines(horizontal, vertical).items():
        table = _table(bbox, joints, horizontal, vertical)
        _place_text(table, centred)
        if not gate or not _mostly_empty(table):
            tables.append(table)
    return sorted(tables, key=lambda t: -t._bbox[1])


def _mostly_empty(table: Table) -> bool:
    """camelot Lattice's precision gate: a grid of empty cells is a page border or form rules, no
    table.
    """
    empty = sum(not c.text.strip() for row in table.cells for c in row)
    return empty >= MOSTLY_EMPTY * len(table.rows) * len(table.cols)


def _table(
    bbox: Segment,
    joints: list[tuple[float, float]],
    horizontal: list[Segment],
    vertical: list[Segment],
) -> Table:
    """A camelot Table on the grid's anchors, its cells' edges set from the rules inside it.

    camelot 2.0.0 keeps this step inside Lattice._compute_table_anchors/_generate_table, methods
    that need a parsed playa page; the functions and the Table class they call are used here
    directly.
    """
    from camelot.core import Table
    from camelot.utils import merge_close_lines, segments_in_bbox

    xs = merge_close_lines(sorted([x for x, _ in joints] + [bbox[0], bbox[2]]), line_tol=LINE_TOL)
    ys = merge_close_lines(
        sorted([y for _, y in joints] + [bbox[1], bbox[3]], reverse=True), line_tol=LINE_TOL
    )
    table = Table(list(zip(xs, xs[1:])), list(zip(ys, ys[1:])))
    v_s, h_s = segments_in_bbox(bbox, vertical, horizontal)
    table = table.set_edges(v_s, h_s, joint_tol=JOINT_TOL).set_border()
    table._bbox, table.flavor = bbox, "lattice"
    return table


def _place_text(table: Table, centred: list[tuple[float, float, Char]]) -> None:
    """Each character into the cell under its centre, shifted to the top-left of a merged cell."""
    lefts = [c[0] for c in table.cols]
    tops = [-r[0] for r in table.rows]
    x0, y0, x1, y1 = table._bbox
    found: dict[tuple[int, int], list[Char]] = {}
    for cx, cy, ch in centred:
        if not (x0 - 2 <= cx <= x1 + 2 and y0 - 2 <= cy <= y1 + 2):  # camelot's text_in_bbox pad
            continue
        r, c = max(bisect_right(tops, -cy) - 1, 0), max(bisect_right(lefts, cx) - 1, 0)
        while c > 0 and not table.cells[r][c].left:
            c -= 1
        while r > 0 and not table.cells[r][c].top:
            r -= 1
        found.setdefault((r, c), []).append(ch)
    for (r, c), chars in found.items():
        table.cells[r][c].text = "\n".join(_line_text(line) for line in _lines(chars))


def _lines(chars: list[Char]) -> list[list[Char]]:
    """A cell's characters as visual lines, top to bottom, each left to right."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: -(c.box[1] + c.box[3])):
        mid = (ch.box[1] + ch.box[3]) / 2
        if lines and lines[-1][0].box[1] <= mid <= lines[-1][0].box[3]:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c.box[0]) for line in lines]


def _line_text(line: list[Char]) -> str:
    """One line's characters, a space where they stand apart (as pdfminer's word_margin inserts
    one).
    """
    out, right = "", None
    for ch in line:
        size = max(ch.box[2] - ch.box[0], ch.box[3] - ch.box[1])
        if (
            right is not None
            and ch.box[0] - right > WORD_GAP * size
            and not out.endswith(" ")
            and ch.ch != " "
        ):
            out += " "
        out, right = out + ch.ch, ch.box[2]
    return out


def page_chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    """The text layer's printed characters with their loose (font-size) boxes; PDFium's inserted
    ones dropped.
    """
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n)
    if (
        len(text) != n
    ):  # characters beyond the BMP: one call per character keeps index and text aligned
        text = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(n))
    chars = (Char(text[i], textpage.get_charbox(i, loose=True)) for i in range(n))
    return [c for c in chars if c.box[3] > c.box[1] and c.ch not in "\r\n"]


# --- ruling lines from path objects ---------------------------------------------------------------


def ruling_lines(page: pdfium.PdfPage) -> tuple[list[Segment], list[Segment]]:
    """The page's horizontal and vertical rules, merged where collinear, as camelot's vector engine
    finds them.
    """
    from camelot.image_processing import coalesce_collinear_lines

    horizontal, vertical = [], []
    for x0, y0, x1, y1 in (seg for obj, matrix in _paths(page) for seg in _rules(obj, matrix)):
        dx, dy = abs(x1 - x0), abs(y1 - y0)
        if dy <= STRAIGHT and dx > 0:
            horizontal.append((min(x0, x1), y0, max(x0, x1), y0))
        elif dx <= STRAIGHT and dy > 0:
            vertical.append((x0, min(y0, y1), x0, max(y0, y1)))
    return coalesce_collinear_lines(horizontal, "horizontal"), coalesce_collinear_lines(
        vertical, "vertical"
    )


def _paths(page: pdfium.PdfPage) -> Iterator[tuple[ctypes.c_void_p, Matrix]]:
    """Every path object of the page, also inside form XObjects, with its matrix to page space."""

    def walk(count: int, get, outer: Matrix):
        m = pdfium_c.FS_MATRIX()
        for i in range(count):
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            pdfium_c.FPDFPageObj_GetMatrix(obj, m)
            matrix = _times((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                yield obj, matrix
            else:
                yield from walk(
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    lambda k, form=obj: pdfium_c.FPDFFormObj_GetObject(form, k),
                    matrix,
                )

    raw = page.raw
    yield from walk(
        pdfium_c.FPDFPage_CountObjects(raw), lambda k: pdfium_c.FPDFPage_GetObject(raw, k), IDENTITY
    )


def _times(a: Matrix, b: Matrix) -> Matrix:
    """The matrix that applies `a`, then `b`."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _rules(obj, matrix: Matrix) -> list[Segment]:
    """A path's ruled segments: stroked lines, and the rules of its rectangles (camelot's choice of
    LTLine/LTRect).
    """
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
    out: list[Segment] = []
    for shape, pts in _subpaths(obj, matrix):
        if shape in ("ml", "mlh") and stroke.value:
            out.append((*pts[0], *pts[1]))
        elif shape in ("mlllh", "mllll") and _is_box(pts):
            (left, right), (bottom, top) = (
                sorted((pts[0][0], pts[2][0])),
                sorted((pts[0][1], pts[2][1])),
            )
            out += _box_rules(
                left, bottom, right, top, stroked=bool(stroke.value), filled=bool(fill.value)
            )
    return out


def _box_rules(
    left: float, bottom: float, right: float, top: float, *, stroked: bool, filled: bool
) -> list[Segment]:
    """A stroked rectangle's four edges; a thin filled one (a rule drawn as a bar) its long axis."""
    if stroked:
        return [
            (left, bottom, right, bottom),
            (left, top, right, top),
            (left, bottom, left, top),
            (right, bottom, right, top),
        ]
    width, height = right - left, top - bottom
    if not filled or not min(width, height) <= THIN < max(width, height):
        return []
    mid_x, mid_y = (left + right) / 2, (bottom + top) / 2
    return [(left, mid_y, right, mid_y) if width >= height else (mid_x, bottom, mid_x, top)]


def _subpaths(obj, matrix: Matrix) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """Each subpath as playa (camelot's parser) shapes it: its operators and its points in page
    space.

    Operators are 'm', 'l', 'c' and 'h' (a close, back to the start); a rectangle comes out as
    'mlllh'.
    """
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    ops, pts = "", []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        op = _OP.get(pdfium_c.FPDFPathSegment_GetType(seg), "?")
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        if op == "m" and ops:
            yield _shape(ops, pts)
            ops, pts = "", []
        ops, pts = ops + op, pts + [(a * x.value + c * y.value + e, b * x.value + d * y.value + f)]
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            ops, pts = ops + "h", pts + [pts[0]]
    if ops:
        yield _shape(ops, pts)


def _shape(ops: str, pts: list[tuple[float, float]]) -> tuple[str, list[tuple[float, float]]]:
    """Drop a last 'l' back to the start of a closed subpath, as playa does."""
    if len(ops) > 3 and ops.endswith("lh") and pts[-2] == pts[0]:
        return ops[:-2] + "h", pts[:-2] + pts[-1:]
    return ops, pts


def _is_box(pts: list[tuple[float, float]]) -> bool:
    """Four corners of an axis-aligned rectangle, closed (playa's test for an LTRect)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
    upright = x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0
    flat = y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
    return last == pts[0] and (upright or flat)
