"""Scanned reports: image-only PDF pages and photos of the tables, read by OCR into rows of cell
strings.

Pages without a text layer are found first; of those, only the ones with ruled tables (seen cheaply
at low resolution) are rendered at full resolution. The ruling lines give the grid (grid.py), the
recogniser reads each cell's lines of text (recognize.py), and every cell keeps its page, pixel box,
confidence and near-miss readings, so that the identities can later catch and repair a misread digit
(toolkit.extract.repair) and a person can see what was read (toolkit.research.inspect).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from toolkit.readers import grid
from toolkit.readers.base import OcrCell, RawDocument, RawRow, ReadError
from toolkit.readers.pdfium import open_pdf, page_has_text_layer, page_image, page_numbers
from toolkit.readers.recognize import Reading

RENDER_DPI = 200  # measured: 200 dpi reads every digit of real tables; lower resolutions drop some
PRESELECT_DPI = 40  # enough to see ruling lines, cheap enough for every page
MIN_RULES = 3  # long horizontal rules that make a page a table page
PAGE_WORKERS = 2  # pages in flight at once (OpenCV and onnxruntime release the GIL)
TITLE_LINES = 8  # lines at the top of the first page considered for the report's title
_DASH = re.compile(r"[一—\-_－–~]+")
_NUMBERING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+\s*[.、．]|[①-⑩])\s*"
)
DASH_HEIGHT = 0.035  # inches: ink lower than this is no digit (those stand 0.07 in. even at 9 pt)
SLASH_LIKE = frozenset("1Il|/7")
SLASH_LEAN = 12.0  # degrees from vertical: printed 1s and 7s lean under 8, a slash about 18


def read_scanned_pdf(
    path: str | Path,
    *,
    data: bytes | None = None,
    pages: Sequence[int] | None = None,
    preselect: bool = True,
    dpi: int = RENDER_DPI,
    first_table: int = 0,
) -> RawDocument:
    """Read a PDF whose pages (all, or the 1-based `pages`) may be scans: OCR the table pages, keep
    text layers.

    `preselect=False` OCRs every scanned page whole (slow; for comparison). `first_table` numbers
    the tables found here after those a caller already has (a mixed PDF read partly from its text
    layer).
    """
    raw = Path(path).read_bytes() if data is None else data
    pdf = open_pdf(raw)
    try:
        numbers = page_numbers(len(pdf), pages)
        scanned = [n for n in numbers if not page_has_text_layer(pdf[n - 1])]
        wanted = [
            n
            for n in scanned
            if not preselect or is_table_page(page_image(pdf, n, PRESELECT_DPI), PRESELECT_DPI)
        ]
        text = {n: _text_rows(pdf[n - 1], n) for n in numbers if n not in scanned}
        images = {
            n: page_image(pdf, n, dpi) for n in scanned if n in wanted or n == 1
        }  # PDFium: one thread
    finally:
        pdf.close()
    if images:
        from toolkit.readers.recognize import recognizer

        recognizer()  # loaded once, before the page threads (or the ReadError naming the extra)
    modes = {n: "all" if not preselect else "title" if n == 1 else "none" for n in images}
    read = _in_parallel(
        lambda n: read_page(images[n], dpi, page=n, tables=itertools.count(), prose=modes[n]),
        sorted(images),
    )
    rows, notes = _numbered([text.get(n) or read.get(n, []) for n in numbers], first_table), []
    if scanned and not wanted:
        notes.append("no scanned page shows ruled tables")
    notes.append(f"OCR at {dpi} dpi of page(s) {', '.join(map(str, wanted)) or 'none'}")
    return RawDocument(str(path), "ocr", tuple(rows), notes=tuple(notes))


def _in_parallel(fn, pages: list[int]) -> dict[int, list[RawRow]]:
    """Pages read two at a time: one page's grid work overlaps another's recognition on a 2-core
    machine.
    """
    if len(pages) < 2:
        return {n: fn(n) for n in pages}
    with ThreadPoolExecutor(max_workers=PAGE_WORKERS) as pool:
        return dict(zip(pages, pool.map(fn, pages)))


def _numbered(per_page: list[list[RawRow]], first: int) -> list[RawRow]:
    """Rows in page order, each page's tables renumbered after the previous pages'
    (deterministic).
    """
    out: list[RawRow] = []
    for rows in per_page:
        local = sorted({r.table for r in rows if r.table is not None})
        out += [
            replace(r, table=first + local.index(r.table)) if r.table is not None else r
            for r in rows
        ]
        first += len(local)
    return out


def read_image(
    path: str | Path, *, data: bytes | None = None, dpi: float | None = None
) -> RawDocument:
    """Read a photo or scan of the tables (PNG, JPEG, TIFF; every frame of a multi-page TIFF)."""
    raw = Path(path).read_bytes() if data is None else data
    rows = [
        read_page(gray, res, page=n, tables=itertools.count(), prose="all")
        for n, (gray, res) in enumerate(frames(raw, dpi), start=1)
    ]
    return RawDocument(str(path), "ocr", tuple(_numbered(rows, 0)), notes=("OCR of an image",))


def is_table_page(gray: np.ndarray, dpi: float) -> bool:
    """A page with several long horizontal rules holds a ruled table (seen at low resolution)."""
    return len(grid.long_lines(gray, dpi)) >= MIN_RULES


def _text_rows(page, number: int) -> list[RawRow]:
    """A page that has a text layer: its lines as prose rows (the PDF reader reads its tables, if
    any).
    """
    text = page.get_textpage().get_text_bounded()
    return [RawRow((line.strip(),), page=number) for line in text.splitlines() if line.strip()]


def frames(raw: bytes, dpi: float | None) -> Iterator[tuple[np.ndarray, float]]:
    """Every frame of an image file, grey, upright (EXIF), at no less than RENDER_DPI."""
    from PIL import Image, ImageOps, ImageSequence

    try:
        image = Image.open(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for a damaged image
        raise ReadError(f"not an image Pillow can open ({exc})", stage="open") from None
    for frame in ImageSequence.Iterator(image):
        gray = np.asarray(ImageOps.exif_transpose(frame).convert("L"))
        res = dpi or _guess_dpi(frame, gray.shape)
        if res < RENDER_DPI * 0.9:
            gray, res = _upscale(gray, RENDER_DPI / res), RENDER_DPI
        yield np.ascontiguousarray(gray), float(res)


def _guess_dpi(frame, shape: tuple[int, int]) -> float:
    """The file's own resolution when plausible, else the width of an A4 page (8.27 in)."""
    stated = frame.info.get("dpi", (0, 0))[0]
    return (
        float(stated) if 72 <= float(stated or 0) <= 1200 else max(shape[1], shape[0] * 0.7) / 8.27
    )


def _upscale(gray: np.ndarray, factor: float) -> np.ndarray:
    """Small photos are enlarged first: thin strokes survive binarization, and the grid's sizes
    hold.
    """
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def read_page(
    gray: np.ndarray, dpi: float, *, page: int, tables: Iterator[int], prose: str = "none"
) -> list[RawRow]:
    """One page image -> table rows, plus its other lines of text ('all') or its title ('title'), in
    reading order.
    """
    from toolkit.readers.recognize import recognizer

    found = grid.find_page(gray, dpi)
    units = _table_units(found, tables)
    if prose != "none":
        lines = grid.prose_lines(found.ink, dpi, skip=found.frames)
        units += [(box[1], None, [box]) for box in (lines if prose == "all" else _title(lines))]
    units.sort(key=lambda u: u[0])
    lines = [
        ((i, j), line)
        for i, (_, table, boxes) in enumerate(units)
        for j, box in enumerate(boxes)
        for line in (grid.text_lines(found.ink, box, dpi) if table is not None else [box])
    ]
    marks = {n: _mark(found, line) for n, (_, line) in enumerate(lines)}
    todo = [n for n, mark in marks.items() if mark is None]
    readings = (
        dict(zip(todo, recognizer()([_crop(found.gray, lines[n][1]) for n in todo])))
        if todo
        else {}
    )
    per_cell: dict[tuple[int, int], list] = {}
    for n, (owner, line) in enumerate(lines):
        per_cell.setdefault(owner, []).append(marks[n] or _slash(found, line, readings[n]))
    return [
        _row(found, page, table, boxes, [per_cell.get((i, j), []) for j in range(len(boxes))])
        for i, (_, table, boxes) in enumerate(units)
    ]


def _mark(found: grid.Page, line: grid.Box) -> Reading | None:
    """Ink too low to be a digit is a dash (a blank cell) or a speck: read by its shape, not by the
    network.
    """
    w, h = line[2] - line[0], line[3] - line[1]
    if h >= found.dpi * DASH_HEIGHT:
        return None
    return Reading("—" if w >= 0.8 * h else "", 1.0)


def _slash(found: grid.Page, line: grid.Box, reading: Reading) -> Reading:
    """A lone '1'-like glyph that leans like a '/' is the blank marker '/' (low resolution blurs the
    two).
    """
    if reading.text.strip() not in SLASH_LIKE:
        return reading
    m = cv2.moments(found.ink[line[1] : line[3], line[0] : line[2]], True)
    if not m["m00"]:
        return reading
    lean = 90 - abs(np.degrees(0.5 * np.arctan2(2 * m["mu11"], m["mu20"] - m["mu02"])))
    return Reading("/", reading.confidence) if lean >= SLASH_LEAN else reading


def _table_units(
    found: grid.Page, tables: Iterator[int]
) -> list[tuple[int, int | None, list[grid.Box]]]:
    """(top, table index, cells) for every row of every table on the page."""
    out = []
    for cells in found.tables:
        index = next(tables)
        out += [(row[0][1], index, row) for row in grid.table_rows(cells, found.dpi)]
    return out


def _title(lines: list[grid.Box]) -> list[grid.Box]:
    """Lines near the top printed larger than the body text: the title that names agency and
    year.
    """
    if not lines:
        return []
    body = float(np.median([b[3] - b[1] for b in lines]))
    return [b for b in lines[:TITLE_LINES] if b[3] - b[1] >= 1.2 * body]


def _crop(gray: np.ndarray, box: grid.Box) -> np.ndarray:
    """A line of text with a margin of about a third of its height (what the recogniser was trained
    on).
    """
    x0, y0, x1, y1 = box
    pad = max(2, (y1 - y0) // 3)
    return gray[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]


def _row(
    found: grid.Page, page: int, table: int | None, boxes: list[grid.Box], readings: list[list]
) -> RawRow:
    cells, ocr = [], []
    for box, lines in zip(boxes, readings):
        text = _join([r.text for r in lines])
        if lines and _DASH.fullmatch(text.replace(" ", "")):
            text = "—"  # a printed dash for a blank cell, which the recogniser may call 一
        alts = lines[0].alternatives if len(lines) == 1 else ()
        conf = min((r.confidence for r in lines), default=1.0)
        cells.append(text)  # misread labels are restored by extract.align, for every reader
        ocr.append(
            OcrCell(
                tuple(int(v) for v in box), round(conf, 4), alts, found.dpi, round(found.angle, 3)
            )
        )
    return RawRow(tuple(cells), page=page, table=table, ocr=tuple(ocr))


def _join(lines: list[str]) -> str:
    """Lines of one cell as one string: wrapped Chinese joins directly, separate numbers keep a
    space.
    """
    out = ""
    for line in (s.strip() for s in lines):
        if out and line and out[-1].isdigit() and line[0].isdigit():
            out += " "
        out += line
    return out
