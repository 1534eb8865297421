"""See what the OCR read: a scanned page with its detected grid and every cell's reading drawn over
it.

For notebooks: ``draw_ocr(doc, page=4, report=report)`` returns a matplotlib Figure; cells are
outlined by confidence (green sure, orange unsure, red doubtful) and repaired cells show
'read -> corrected'.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from toolkit.readers.base import OcrCell, RawDocument
from toolkit.schema.fields import format_value

SURE, UNSURE = 0.95, 0.8  # confidence bands for the outline colours


def ocr_page_image(
    doc: RawDocument, page: int, *, source: str | Path | bytes | None = None
) -> np.ndarray:
    """The page as the OCR saw it: rendered at the OCR's dpi and deskewed, so the stored
    boxes fit.
    """
    from toolkit.readers import grid, ocr

    cell = next((o for _, o in _cells(doc, page)), None)
    if cell is None:
        raise ValueError(
            f"page {page} of {doc.path} has no OCR'd cells; pages with some: {ocr_pages(doc)}"
        )
    raw = (
        Path(doc.path).read_bytes()
        if source is None
        else source
        if isinstance(source, bytes)
        else Path(source).read_bytes()
    )
    if raw[:1024].find(b"%PDF-") >= 0:
        from toolkit.readers.pdfium import open_pdf, page_image

        pdf = open_pdf(raw)
        try:
            gray = page_image(pdf, page, cell.dpi or ocr.RENDER_DPI)
        finally:
            pdf.close()
    else:
        gray = list(ocr.frames(raw, None))[page - 1][0]
    return grid.rotate(gray, cell.angle)


def ocr_pages(doc: RawDocument) -> list[int]:
    """Pages that hold OCR'd cells."""
    return sorted({r.page for r in doc.rows if r.ocr and r.page is not None})


def draw_ocr(
    doc: RawDocument,
    page: int,
    *,
    report=None,
    source: str | Path | bytes | None = None,
    ax=None,
    text: bool = True,
    figsize: tuple[float, float] = (8.3, 11.7),
):
    """The page image with every OCR'd cell's box (coloured by confidence) and its reading; repairs
    highlighted.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    image = ocr_page_image(doc, page, source=source)
    with _style():
        if ax is None:
            fig, ax = plt.subplots(figsize=figsize)
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
        for reading, cell in _cells(doc, page):
            x0, y0, x1, y1 = cell.box
            ax.add_patch(
                Rectangle(
                    (x0, y0), x1 - x0, y1 - y0, fill=False, lw=0.8, ec=_colour(cell.confidence)
                )
            )
            if text and reading:
                ax.text(
                    x0 + 3,
                    y0 + 3,
                    reading,
                    fontsize=5,
                    va="top",
                    color="#0072B2",
                    bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.3, "linewidth": 0},
                )
        for box, label in _repairs(doc, report, page):
            x0, y0, x1, y1 = box
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=2, ec="#CC79A7"))
            ax.text(
                x0 + 3,
                y1 - 3,
                label,
                fontsize=6,
                color="#CC79A7",
                bbox={"facecolor": "white", "alpha": 0.8, "pad": 0.3, "linewidth": 0},
            )
        ax.set_axis_off()
        ax.set_title(
            f"{Path(doc.path).name}, page {page}: OCR at {_dpi(doc, page):g} dpi", fontsize=9
        )
    return ax.figure


def _cells(doc: RawDocument, page: int):
    for row in doc.rows:
        if row.page == page and row.ocr:
            yield from ((t, o) for t, o in zip(row.cells, row.ocr) if o is not None)


def _dpi(doc: RawDocument, page: int) -> float:
    return next((o.dpi or 0.0 for _, o in _cells(doc, page)), 0.0)


def _colour(confidence: float) -> str:
    return "#009E73" if confidence >= SURE else "#E69F00" if confidence >= UNSURE else "#D55E00"


def _repairs(doc: RawDocument, report, page: int) -> list[tuple[tuple[int, int, int, int], str]]:
    """Boxes of the cells the report repaired on this page, labelled 'read -> corrected'."""
    if report is None:
        return []
    from toolkit.extract.repair import ocr_cells

    fixed = report.checks[report.checks.status == "repaired"]
    read = ocr_cells(doc)
    out = []
    for rec in fixed.itertuples():
        row, col = rec.scope.removeprefix("cell:").split(".")
        text, cell, where = read.get((rec.table, row, col), (None, None, None))
        if cell is not None and where == page:
            out.append((cell.box, f"{text} -> {format_value(rec.rhs)}"))
    return out


def _style():
    """The toolkit's plot style (CJK font) where available; plain matplotlib otherwise."""
    import matplotlib

    try:
        from toolkit.research.plots import rc

        settings = rc()
    except Exception:  # noqa: BLE001 - the CJK font is a nicety for a quick look, not a requirement
        settings = {}
    return matplotlib.rc_context(settings)


__all__ = ["draw_ocr", "ocr_page_image", "ocr_pages", "OcrCell"]
