"""PDFs with a text layer: find the table pages by their words, read ruled tables from the PDF's
vector lines.

pypdfium2 reads every page's text (cheap). On the pages that hold the report tables only, the ruling
lines come straight from the PDF's drawing operators (no rendering, no Ghostscript): PDFium's path
objects and characters go through camelot's lattice geometry (`pdf_vector`), which is the work of
camelot's ``flavor="lattice", engine="vector"`` without parsing each page a second time. A table
page where the paths make no grid is read by ``camelot.read_pdf`` with that engine, and, when that
finds none either, from the characters' positions. Prose outside the tables becomes single-cell
rows, in page order around the table rows, so every label is seen once, before its values.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pypdfium2 as pdfium

from toolkit import schema
from toolkit.normalize import fold
from toolkit.readers.base import RawDocument, RawRow, ReadError, Where
from toolkit.readers.pdf_layout import (
    Cell,
    Char,
    Grid,
    grid_cells,
    grid_from_camelot,
    is_page_number,
    join_grids,
    same_columns,
)
from toolkit.readers.pdf_positions import paragraphs, position_blocks
from toolkit.readers.pdf_vector import lattice_tables, page_chars
from toolkit.readers.pdfium import has_text_layer, open_pdf, page_numbers
from toolkit.schema import labels

# Words printed only in the tables' headers: one is enough to mark a page.
TABLE_ONLY = re.compile(
    "|".join(
        schema.compile_label(w)
        for w in (
            "未经复议直接起诉",
            "复议后起诉",
            "本年制发件数",
            "现行有效件数",
            "本年处理决定数量",
            "本年收费金额",
            "申请人情况",
            "本年新制作数量",
            "对外公开总数量",
        )
    )
)
GRID_WORDS = re.compile(
    "|".join(
        schema.compile_label(w) for w in ("行政复议", "行政诉讼", "结果维持", "尚未审结", "总计")
    )
)
MIN_ROW_LABELS = 3  # distinct row labels that make a page a table page (prose mentions a few)
EDGE = 1.0  # a table's rules this close to the page's side (points) were cut by it
LAYOUT = {"boxes_flow": None}  # camelot only needs text lines, not pdfminer's reading-order boxes


@dataclass
class Page:
    """One page and its text layer, kept open until the document is assembled."""

    number: int
    pdfpage: pdfium.PdfPage
    textpage: pdfium.PdfTextPage
    text: str
    box: tuple[
        float, float, float, float
    ]  # the MediaBox in PDFium's coordinates; camelot's start at its corner

    @cached_property
    def chars(self) -> list[Char]:
        """The printed characters and their boxes (read only for table pages)."""
        return page_chars(self.textpage)


def read_pdf(
    path: str | Path,
    *,
    data: bytes | None = None,
    pages: Sequence[int] | None = None,
    password: str | None = None,
) -> RawDocument:
    """Read a text-layer PDF into table rows (cell strings) and prose rows, in document order."""
    raw = Path(path).read_bytes() if data is None else data
    pdf = open_pdf(raw, password)
    try:
        texts = [_page(pdf, n) for n in page_numbers(len(pdf), pages)]
        blind = [p.number for p in texts if not has_text_layer(p.text)]
        wanted = table_pages(texts)
        if blind and not wanted:
            return _scanned(path, raw, pages)
        grids, notes = _lattice(
            [p for p in texts if p.number in wanted], path if data is None else raw, password
        )
        grids = sorted(grids + _continued(texts, wanted, grids), key=lambda g: (g.page, -g.top))
        rows, cut = _assemble(texts, wanted, grids)
        notes += [
            (
                f"a table on page {n} runs off the page's side, so some of its cells are not "
                "printed: it is left out"
            )
            for n in cut
        ]
    finally:
        pdf.close()
    if blind:
        scanned = _scanned(
            path,
            raw,
            blind,
            first_table=1 + max((r.table for r in rows if r.table is not None), default=-1),
        )
        rows = sorted(
            [*rows, *scanned.rows], key=lambda r: r.page or 0
        )  # stable: each page keeps its order
        notes += [
            f"no usable text layer on {_span(blind, len(texts))}: read by OCR",
            *scanned.notes,
        ]
    if not wanted:
        notes.append("no page holds the report tables' label words")
    return RawDocument(str(path), "pdf", tuple(rows), notes=tuple(notes))


def _scanned(path, raw: bytes, pages, first_table: int = 0) -> RawDocument:
    """Image-only pages go to OCR (the optional `ocr` extra), which says what to install when it is
    missing.
    """
    from toolkit.readers.ocr import read_scanned_pdf

    return read_scanned_pdf(path, data=raw, pages=pages, first_table=first_table)


def _page(pdf: pdfium.PdfDocument, number: int) -> Page:
    try:
        page = pdf[number - 1]
        textpage = page.get_textpage()
        return Page(number, page, textpage, textpage.get_text_bounded(), tuple(page.get_mediabox()))
    except pdfium.PdfiumError as exc:
        raise ReadError(
            f"page {number} cannot be read ({exc}); the file may be truncated", stage="open"
        ) from None


def _span(numbers: list[int], total: int) -> str:
    if len(numbers) == total:
        return f"any of its {total} page(s)"
    shown = ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10 else "")
    return f"page(s) {shown} of {total}"


def table_pages(texts: list[Page]) -> list[int]:
    """Pages whose text holds the tables' words, and the page after one (a table cut by a page
    break).
    """
    out: list[int] = []
    for i, page in enumerate(texts):
        flat = fold(re.sub(r"\s+", "", page.text))
        after_table = bool(out) and out[-1] == texts[i - 1].number
        need = 1 if after_table else MIN_ROW_LABELS
        if TABLE_ONLY.search(flat) or labels.count_row_labels(flat) >= need:
            out.append(page.number)
    return out


def row_label_kind(text: str) -> str:
    """'whole' when a cell's text is one of the tables' row labels, 'starts' when it begins with
    one, else '' (schema.labels: the one label knowledge every reader and the aligner share)."""
    return labels.row_label_kind(fold(text))


def _lattice(
    pages: list[Page], source: str | Path | bytes, password: str | None
) -> tuple[list[Grid], list[str]]:
    """Ruled tables on these pages from their vector paths, by camelot's own reading where the paths
    make none.
    """
    try:
        grids = [
            grid_from_camelot(t, p.number)
            for p in pages
            for t in lattice_tables(p.pdfpage, p.chars)
        ]
    except (
        ImportError
    ):  # camelot < 2.0 has no vector lattice: its read_pdf says so below, in a note
        grids = []
    missing = [p for p in pages if p.number not in {g.page for g in grids}]
    more, notes = _camelot(source, missing, password) if missing else ([], [])
    return (
        grids + more,
        notes,
    )  # read_pdf puts them in page order once the continuing grids are added


def _continued(texts: list[Page], wanted: list[int], grids: list[Grid]) -> list[Grid]:
    """Mark the grid that opens the page after a table page and continues that page's last table.

    Its rows may hold no label words at all (the appeals table's row of numbers alone on the next
    page, the rest of a row whose numbers wrapped across the break). Returns those found on pages
    that were not table pages by their words (their grids are read here).
    """
    index = {p.number: p for p in texts}
    out = []
    for number in wanted:
        mine, page = [g for g in grids if g.page == number], index.get(number + 1)
        if not mine or page is None:
            continue
        known = [g for g in grids if g.page == page.number]
        top = _opening(page, min(mine, key=lambda g: g.bbox[1]), known)
        if top is not None:
            top.follows = True
            out += [] if any(top is g for g in known) else [top]
    return out


def _opening(page: Page, last: Grid, known: list[Grid]) -> Grid | None:
    """The grid at the top of `page` that continues `last`, with no prose above it: one of the
    page's grids already read, else one read here even if nearly empty (a label's last line, cut off
    by the break, is the only text of a row of empty cells: camelot's gate would drop that grid)."""
    for found in (known, None):
        if found is None:
            try:
                found = [
                    grid_from_camelot(t, page.number)
                    for t in lattice_tables(page.pdfpage, page.chars, gate=False)
                ]
            except ImportError:
                return None
        top = max(found, key=lambda g: g.top, default=None)
        if top is not None and same_columns(last, top) and not _prose(page, top.top, page.box[3]):
            return top
    return None


def _camelot(
    source: str | Path | bytes, pages: list[Page], password: str | None
) -> tuple[list[Grid], list[str]]:
    """camelot's vector lattice (it parses the pages again with playa), its grids moved to PDFium's
    coordinates.
    """
    import camelot  # heavy (OpenCV, matplotlib): only for documents that hold tables

    numbers = [p.number for p in pages]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(
                source if not isinstance(source, Path) else str(source),
                pages=",".join(map(str, numbers)),
                password=password,
                flavor="lattice",
                engine="vector",
                split_text=True,
                layout_kwargs=LAYOUT,
                suppress_stdout=True,
            )
    except Exception as exc:  # noqa: BLE001 - a parser failure falls back to word positions
        return [], [f"camelot lattice failed on pages {numbers}: {type(exc).__name__}: {exc}"]
    corner = {p.number: p.box[:2] for p in pages}
    return [grid_from_camelot(t, t.page, origin=corner[t.page]) for t in tables], []


def _assemble(
    texts: list[Page], wanted: list[int], grids: list[Grid]
) -> tuple[list[RawRow], list[int]]:
    """Prose bands and table rows page by page, top to bottom; split tables joined across pages.

    Also returns the pages of tables cut by the page's side: their rows are left out (cells missing,
    never a row read short), and their band is not prose either.
    """
    by_page: dict[int, list[Grid]] = {}
    for g in grids:
        if g.follows or _holds_table_words(
            g
        ):  # a ruled box around a page header is no report table
            by_page.setdefault(g.page, []).append(g)
    next_table = _number_tables(texts, by_page)
    rows: list[RawRow] = []
    cut: list[int] = []
    for page in texts:
        if page.number in wanted and page.number not in by_page:
            rows += _position_rows(page, next_table)
            next_table += 1
            continue
        top = page.box[3]
        for g in by_page.get(page.number, []):
            rows += _prose(page, g.top, top)
            if off_the_page(g, page.box):
                cut.append(page.number)
            else:
                rows += [_grid_row(cells, page.number, g.table) for cells in grid_cells(g)]
            top = g.bbox[1]
        rows += _prose(page, page.box[1], top)
    return rows, sorted(set(cut))


def _grid_row(cells: list[Cell], page: int, table: int) -> RawRow:
    """One row of a ruled grid, each cell with its box in PDF points."""
    where = tuple(Where(box=c.box, unit="pt") if c.box else None for c in cells)
    return RawRow(tuple(c.text for c in cells), page, table, where=where)


def off_the_page(grid: Grid, box: tuple[float, float, float, float], margin: float = EDGE) -> bool:
    """A grid whose rules reach the page's left or right edge was cut there (a table wider than the
    page): the columns beyond the edge are not printed, so its rows would be read short."""
    return grid.bbox[0] <= box[0] + margin or grid.bbox[2] >= box[2] - margin


def _holds_table_words(grid: Grid) -> bool:
    flat = fold("".join(c.text for row in grid.rows for c in row if c is not None))
    words = TABLE_ONLY.search(flat) or GRID_WORDS.search(flat)
    return bool(words) or labels.count_row_labels(flat) > 0


def _number_tables(texts: list[Page], by_page: dict[int, list[Grid]]) -> int:
    """Number the grids; one that opens a page and continues the last of the page before shares its
    number.
    """
    index = {p.number: p for p in texts}
    count, prev = 0, None
    for number in sorted(by_page):
        for g in by_page[number]:
            if (
                prev is not None
                and prev.page == g.page - 1
                and by_page[g.page][0] is g
                and same_columns(prev, g)
                and not _prose(index[prev.page], index[prev.page].box[1], prev.bbox[1])
                and not _prose(index[g.page], g.top, index[g.page].box[3])
            ):
                join_grids(prev, g, label_kind=row_label_kind)
            else:
                g.table, count = count, count + 1
            prev = g
    return count


def _prose(page: Page, bottom: float, top: float) -> list[RawRow]:
    """Text lines of a horizontal band of the page as paragraphs, page numbers dropped."""
    if top - bottom < 1:
        return []
    text = page.textpage.get_text_bounded(
        left=page.box[0], bottom=bottom, right=page.box[2], top=top
    )
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not is_page_number(ln)]
    return [RawRow((p,), page.number) for p in paragraphs(lines)]


def _position_rows(page: Page, table: int) -> list[RawRow]:
    """A table page without ruling lines: rows and cells from the characters' positions, each cell
    with the box of its characters."""
    rows = []
    for blocks in position_blocks(page.chars):
        where = tuple(
            Where(box=tuple(round(v, 2) for v in (b.x0, b.bottom, b.x1, b.top)), unit="pt")
            for b in blocks
        )
        cells = tuple(b.text for b in blocks)
        rows.append(RawRow(cells, page.number, table if len(cells) > 1 else None, where=where))
    return rows


__all__ = ["read_pdf", "open_pdf", "has_text_layer", "table_pages"]
