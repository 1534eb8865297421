"""What was read, drawn over the page it was read from: for auditing a number in a notebook.

The drawing lives here, in the extract layer beside :class:`~toolkit.extract.report.Report`, so
``Report.inspect`` needs nothing above it; matplotlib is imported only when a page is drawn. Boxes
are drawn in the units the cells carry: a text-layer PDF page is shown in PDF points with the
origin at the bottom left (``imshow`` with the page's extent), so the boxes need no conversion.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.schema.fields import format_value

# colours (Okabe-Ito, legible to colour-blind readers) by what became of the cell
COLOURS = {
    "exact": "#009E73",  # read as printed, no identity of its row or column fails
    "repaired": "#CC79A7",  # a misreading corrected (the original kept in raw)
    "na": "#E69F00",  # NA, with its na_reason
    "failed": "#D55E00",  # its row or column fails an identity
}
DPI = 110


def cell_status(cells: pd.DataFrame, checks: pd.DataFrame) -> pd.Series:
    """What became of each cell, for its colour: 'repaired', 'failed', 'na' or 'exact'.

    Parameters
    ----------
    cells, checks : DataFrame
        A report's cells and checks.

    Returns
    -------
    Series
        One label per cell, aligned with `cells`.
    """
    failed = checks[checks.status == "failed"]
    bad = {(t, s) for t, s in zip(failed.table, failed.scope)}
    repaired = {
        (t, s.removeprefix("cell:"))
        for t, s, st in zip(checks.table, checks.scope, checks.status)
        if st == "repaired"
    }
    out = []
    for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value):
        if (t, f"{r}.{c}") in repaired:
            out.append("repaired")
        elif (t, f"row:{r}") in bad or (t, f"col:{c}") in bad:
            out.append("failed")
        elif pd.isna(v):
            out.append("na")
        else:
            out.append("exact")
    return pd.Series(out, index=cells.index, dtype="string")


def draw(report, page: int | None = None, *, ax=None, text: bool = True):
    """The page with the box of every cell read from it, coloured by what became of the cell.

    Parameters
    ----------
    report : Report
        A report read from a PDF with a text layer (its cells carry boxes in PDF points).
    page : int, optional
        The 1-based page; by default the page with the most cells.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    text : bool, default True
        Write each cell's value beside its box.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the report's cells carry no page boxes (text, HTML and Word give line spans or element
        paths instead; an OCR'd page's pixel boxes are drawn by ``toolkit.inspect.draw_ocr``), or
        `page` holds none.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    from toolkit.readers.pdfium import open_pdf

    cells = report.cells
    boxed = cells[cells.x0.notna() & (cells.box_unit == "pt")]
    if boxed.empty:
        units = sorted(set(cells.box_unit.dropna()))
        how = (
            "pixel boxes of an OCR'd page: draw them with toolkit.inspect.draw_ocr"
            if units
            else "no boxes: text, HTML and Word cells carry line, char_start/char_end or element"
        )
        raise ValueError(f"{Path(report.meta['file']).name}: {how}")
    pages = boxed.page.value_counts()
    page = int(pages.idxmax()) if page is None else page
    if page not in pages.index:
        raise ValueError(
            f"page {page} holds no boxed cells; pages with some: {sorted(pages.index)}"
        )
    here = boxed[boxed.page == page]
    status = cell_status(report.cells, report.checks).loc[here.index]
    pdf = open_pdf(Path(report.meta["file"]).read_bytes())
    try:
        pdfpage = pdf[page - 1]
        width, height = pdfpage.get_size()
        image = pdfpage.render(scale=DPI / 72, grayscale=True).to_numpy()
    finally:
        pdf.close()
    if ax is None:
        _, ax = plt.subplots(figsize=(width / 72 * 1.3, height / 72 * 1.3))
    ax.imshow(image.squeeze(), cmap="gray", vmin=0, vmax=255, extent=(0, width, 0, height))
    for c, st in zip(here.itertuples(), status):
        colour = COLOURS[st]
        ax.add_patch(
            Rectangle((c.x0, c.y0), c.x1 - c.x0, c.y1 - c.y0, fill=False, lw=1.1, ec=colour)
        )
        if text:
            label = c.na_reason if pd.isna(c.value) else format_value(c.value)
            ax.text(
                c.x1 - 1,
                c.y0 + 1,
                str(label),
                fontsize=4.5,
                ha="right",
                va="bottom",
                color=colour,
                clip_on=True,  # a zoomed view leaves out the labels of cells outside it
            )
    ax.legend(
        handles=[Patch(fill=False, ec=v, label=k) for k, v in COLOURS.items()],
        loc="lower left",
        fontsize=6,
        title="cell",
        title_fontsize=6,
    )
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.set_title(f"{Path(report.meta['file']).name}, page {page}: {len(here)} cells", fontsize=8)
    return ax.figure
