"""PDFs with a text layer: find the table pages by their words, read ruled tables from the PDF's vector lines.

pypdfium2 reads every page's text (cheap); camelot's lattice parser with ``engine="vector"`` reads the
ruling lines straight from the PDF's drawing operators (no rendering, no Ghostscript) on the pages
that hold the report tables only. Prose outside the tables becomes single-cell rows, in page order
around the table rows, so every label is seen once, before its values.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium

from .. import schema
from ..normalize import fold
from .base import RawDocument, RawRow, ReadError
from .pdf_layout import Char, Grid, grid_from_camelot, grid_rows, is_page_number, join_grids
from .pdf_layout import paragraphs, position_rows, same_columns

# Words printed only in the tables' headers: one is enough to mark a page.
TABLE_ONLY = re.compile("|".join(schema.compile_label(w) for w in (
    "未经复议直接起诉", "复议后起诉", "本年制发件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
    "申请人情况", "本年新制作数量", "对外公开总数量")))
GRID_WORDS = re.compile("|".join(schema.compile_label(w) for w in ("行政复议", "行政诉讼", "结果维持", "尚未审结", "总计")))
MIN_ROW_LABELS = 3  # distinct row labels that make a page a table page (prose mentions a few)
MIN_TEXT_CHARS = 20  # fewer letters or digits than this: the page has no usable text layer
LAYOUT = {"boxes_flow": None}  # camelot only needs text lines, not pdfminer's reading-order boxes


@dataclass
class Page:
    """One page's text layer, kept open until the document is assembled."""

    number: int
    textpage: pdfium.PdfTextPage
    text: str
    box: tuple[float, float, float, float]  # the MediaBox: PDFium's coordinates; camelot's start at its corner


def read_pdf(path: str | Path, *, data: bytes | None = None, pages: Sequence[int] | None = None,
             password: str | None = None) -> RawDocument:
    """Read a text-layer PDF into table rows (cell strings) and prose rows, in document order."""
    raw = Path(path).read_bytes() if data is None else data
    pdf = open_pdf(raw, password)
    try:
        texts = [_page(pdf, n) for n in _page_numbers(len(pdf), pages)]
        blind = [p.number for p in texts if not has_text_layer(p.text)]
        wanted = table_pages(texts)
        if blind and not wanted:
            return _scanned(path, raw, pages)
        grids, notes = _lattice(path if data is None else raw, wanted, password)
        rows = _assemble(texts, wanted, grids)
    finally:
        pdf.close()
    if blind:
        scanned = _scanned(path, raw, blind, first_table=1 + max((r.table for r in rows if r.table is not None), default=-1))
        rows = sorted([*rows, *scanned.rows], key=lambda r: r.page or 0)  # stable: each page keeps its order
        notes += [f"no usable text layer on {_span(blind, len(texts))}: read by OCR", *scanned.notes]
    if not wanted:
        notes.append("no page holds the report tables' label words")
    return RawDocument(str(path), "pdf", tuple(rows), notes=tuple(notes))


def _scanned(path, raw: bytes, pages, first_table: int = 0) -> RawDocument:
    """Image-only pages go to OCR (the optional `ocr` extra), which says what to install when it is missing."""
    from .ocr import read_scanned_pdf

    return read_scanned_pdf(path, data=raw, pages=pages, first_table=first_table)


def open_pdf(raw: bytes, password: str | None = None) -> pdfium.PdfDocument:
    """Open the bytes with PDFium, turning its error codes into reasons a person can act on."""
    if not raw.strip():
        raise ReadError("the file is empty", stage="open")
    if b"%PDF-" not in raw[:1024]:
        from . import sniff

        raise ReadError(f"not a PDF: no %PDF- header; the bytes look like {sniff(raw)} data", stage="open")
    try:
        pdf = pdfium.PdfDocument(raw, password=password)
    except pdfium.PdfiumError as exc:
        reason = {4: "encrypted: the PDF needs a password" + (" (the one given is wrong)" if password else ""),
                  5: "encrypted with a security scheme PDFium does not support",
                  3: "damaged or truncated (PDFium cannot parse its structure)"}
        raise ReadError(reason.get(exc.err_code, f"PDFium cannot open it ({exc})"), stage="open") from None
    if len(pdf) == 0:
        pdf.close()
        raise ReadError("the PDF has no pages (damaged or truncated?)", stage="open")
    return pdf


def _page_numbers(count: int, pages: Sequence[int] | None) -> list[int]:
    if pages is None:
        return list(range(1, count + 1))
    bad = [p for p in pages if not isinstance(p, int) or not 1 <= p <= count]
    if bad:
        raise ValueError(f"pages {bad} out of range: this PDF has pages 1..{count}")
    return sorted(set(pages))


def _page(pdf: pdfium.PdfDocument, number: int) -> Page:
    try:
        page = pdf[number - 1]
        textpage = page.get_textpage()
        return Page(number, textpage, textpage.get_text_bounded(), tuple(page.get_mediabox()))
    except pdfium.PdfiumError as exc:
        raise ReadError(f"page {number} cannot be read ({exc}); the file may be truncated", stage="open") from None


def has_text_layer(text: str) -> bool:
    """Whether a page's text layer is usable; False means the page needs OCR (a scan, or glyphs without Unicode)."""
    useful = sum(ch.isalnum() for ch in text)
    return useful >= MIN_TEXT_CHARS and useful >= 0.5 * sum(not ch.isspace() for ch in text)


def _span(numbers: list[int], total: int) -> str:
    if len(numbers) == total:
        return f"any of its {total} page(s)"
    shown = ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10 else "")
    return f"page(s) {shown} of {total}"


def table_pages(texts: list[Page]) -> list[int]:
    """Pages whose text holds the tables' words, and the page after one (a table cut by a page break)."""
    out: list[int] = []
    for i, page in enumerate(texts):
        flat = fold(re.sub(r"\s+", "", page.text))
        labels = _row_labels(flat)
        if TABLE_ONLY.search(flat) or labels >= MIN_ROW_LABELS or (labels and out and out[-1] == texts[i - 1].number):
            out.append(page.number)
    return out


def _row_labels(flat: str) -> int:
    return sum(bool(rx.search(flat)) for rx in _label_regexes())


@lru_cache(maxsize=1)
def _label_regexes() -> tuple[re.Pattern, ...]:
    """The matcher's own row labels of the proactive and applications tables (computed once: a pandas query)."""
    from ..match import _label_plan

    tables = ("proactive", "applications")
    return tuple(schema.label_regex(t, code, fmt) for t in tables for code, fmt in _label_plan(t))


def _lattice(source: str | Path | bytes, wanted: list[int], password: str | None) -> tuple[list[Grid], list[str]]:
    """Ruled tables on the wanted pages, from the PDF's vector lines; notes say what failed."""
    if not wanted:
        return [], []
    import camelot  # heavy (OpenCV, matplotlib): only for documents that hold tables

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(source if not isinstance(source, Path) else str(source),
                                      pages=",".join(map(str, wanted)), password=password, flavor="lattice",
                                      engine="vector", split_text=True, layout_kwargs=LAYOUT,
                                      suppress_stdout=True)
    except Exception as exc:  # noqa: BLE001 - a parser failure falls back to word positions
        return [], [f"camelot lattice failed on pages {wanted}: {type(exc).__name__}: {exc}"]
    grids = sorted((grid_from_camelot(t, t.page) for t in tables), key=lambda g: (g.page, -g.top))
    return grids, []


def _assemble(texts: list[Page], wanted: list[int], grids: list[Grid]) -> list[RawRow]:
    """Prose bands and table rows page by page, top to bottom; split tables joined across pages."""
    by_page: dict[int, list[Grid]] = {}
    for g in grids:
        if _holds_table_words(g):  # a ruled box around a page header is no report table
            by_page.setdefault(g.page, []).append(g)
    next_table = _number_tables(texts, by_page)
    rows: list[RawRow] = []
    for page in texts:
        if page.number in wanted and page.number not in by_page:
            rows += _position_rows(page, next_table)
            next_table += 1
            continue
        top = page.box[3]
        for g in by_page.get(page.number, []):
            rows += _prose(page, _y(page, g.top), top)
            rows += [RawRow(tuple(cells), page.number, g.table) for cells in grid_rows(g)]
            top = _y(page, g.bbox[1])
        rows += _prose(page, page.box[1], top)
    return rows


def _holds_table_words(grid: Grid) -> bool:
    flat = fold("".join(c.text for row in grid.rows for c in row if c is not None))
    return bool(TABLE_ONLY.search(flat) or GRID_WORDS.search(flat)) or _row_labels(flat) > 0


def _y(page: Page, y: float) -> float:
    """camelot's y (from the MediaBox's corner) -> PDFium's."""
    return y + page.box[1]


def _number_tables(texts: list[Page], by_page: dict[int, list[Grid]]) -> int:
    """Number the grids; one that opens a page and continues the last of the page before shares its number."""
    index = {p.number: p for p in texts}
    count, prev = 0, None
    for number in sorted(by_page):
        for g in by_page[number]:
            if (prev is not None and prev.page == g.page - 1 and by_page[g.page][0] is g and same_columns(prev, g)
                    and not _prose(index[prev.page], index[prev.page].box[1], _y(index[prev.page], prev.bbox[1]))
                    and not _prose(index[g.page], _y(index[g.page], g.top), index[g.page].box[3])):
                join_grids(prev, g)
            else:
                g.table, count = count, count + 1
            prev = g
    return count


def _prose(page: Page, bottom: float, top: float) -> list[RawRow]:
    """Text lines of a horizontal band of the page as paragraphs, page numbers dropped."""
    if top - bottom < 1:
        return []
    text = page.textpage.get_text_bounded(left=page.box[0], bottom=bottom, right=page.box[2], top=top)
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not is_page_number(ln)]
    return [RawRow((p,), page.number) for p in paragraphs(lines)]


def _position_rows(page: Page, table: int) -> list[RawRow]:
    """A table page without ruling lines: rows and cells from the characters' positions."""
    tp = page.textpage
    n = tp.count_chars()
    text = tp.get_text_range(0, n)
    if len(text) != n:  # characters beyond the BMP: one call per character keeps index and text aligned
        text = "".join(tp.get_text_range(i, 1)[:1] or " " for i in range(n))
    chars = [Char(text[i], tp.get_charbox(i, loose=True)) for i in range(n)]
    return [RawRow(tuple(cells), page.number, table if len(cells) > 1 else None) for cells in position_rows(chars)]


__all__ = ["read_pdf", "open_pdf", "has_text_layer", "table_pages"]
