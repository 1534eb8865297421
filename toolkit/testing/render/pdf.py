"""A report as a born-digital PDF (reportlab): ruled tables, a text layer, the CJK font embedded as
a subset.
"""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from toolkit.research.fonts import cjk_font_path
from toolkit.testing.render.model import Cell, Document, Grid, Style

MARGIN = 2 * cm
WIDTH = A4[0] - 2 * MARGIN
PAD = 2


def write(doc: Document, style: Style) -> bytes:
    """The PDF as bytes; with style.split the applications table continues on a new page."""
    font = _font("".join(_texts(doc)))
    styles = _styles(font)
    story = []
    for block in doc.blocks:
        if block.kind == "table":
            parts = (
                cut(block.grid, style.split)
                if block.grid.name == "applications" and style.split
                else [block.grid]
            )
            for i, part in enumerate(parts):
                story += [PageBreak()] if i else []
                story.append(table(part, font, styles))
            story.append(Spacer(1, 8))
        else:
            story.append(Paragraph(_markup(block.text), styles[block.kind]))
    buf = BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=" ".join(b.text for b in doc.blocks if b.kind == "title"),
    )
    pdf.build(story, onFirstPage=_page_number(font), onLaterPages=_page_number(font))
    return buf.getvalue()


def _texts(doc: Document):
    for block in doc.blocks:
        yield block.text
        if block.grid:
            yield from (c.text for row in block.grid.rows for c in row if c is not None)


def _font(text: str) -> str:
    """Register the CJK TrueType font (covering `text`) once per file; reportlab embeds the glyphs
    used.
    """
    path = cjk_font_path(text)
    name = f"NotoSansCJKsc-{path.stem.rsplit('-', 1)[-1]}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "para",
        fontName=font,
        fontSize=10.5,
        leading=17,
        firstLineIndent=21,
        wordWrap="CJK",
        spaceAfter=4,
    )
    return {
        "para": body,
        "heading": replace_style(
            body, "heading", fontSize=12, leading=20, firstLineIndent=0, spaceBefore=6
        ),
        "title": replace_style(
            body, "title", fontSize=16, leading=26, alignment=TA_CENTER, firstLineIndent=0
        ),
        "cell": replace_style(
            body,
            "cell",
            fontSize=8,
            leading=10,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=0,
        ),
    }


def replace_style(base: ParagraphStyle, name: str, **changes) -> ParagraphStyle:
    return ParagraphStyle(name, parent=base, **changes)


def _markup(text: str) -> str:
    return "<br/>".join(escape(part) for part in text.split("\n"))


def table(grid: Grid, font: str, styles: dict[str, ParagraphStyle]) -> Table:
    """A ruled table: every cell drawn with grid lines, spans as SPAN, values fitted on one line."""
    total = sum(grid.widths)
    widths = [WIDTH * w / total for w in grid.widths]
    data, commands = (
        [],
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ],
    )
    for r, row in enumerate(grid.rows):
        line = []
        for c, cell in enumerate(row):
            if cell is None or not cell.text:
                line.append("")
                continue
            span = sum(widths[c : c + cell.colspan]) - 2 * PAD
            line.append(
                _fitted(cell.text, span, font, styles["cell"])
                if cell.value
                else Paragraph(_markup(cell.text), styles["cell"])
            )
        data.append(line)
        commands += [
            ("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1))
            for c, cell in enumerate(row)
            if cell is not None and (cell.rowspan > 1 or cell.colspan > 1)
        ]
    return Table(data, colWidths=widths, style=TableStyle(commands), hAlign="CENTER")


def _fitted(text: str, width: float, font: str, cell: ParagraphStyle) -> Paragraph:
    """A number never wraps: its font shrinks until it fits the cell."""
    size = min(cell.fontSize, 0.95 * width / max(pdfmetrics.stringWidth(text, font, 1), 1e-6))
    return Paragraph(
        escape(text), replace_style(cell, "value", fontSize=size, leading=max(size * 1.25, 6))
    )


def cut(grid: Grid, split: int) -> list[Grid]:
    """Break a table before body row `split`; a span crossing the break continues, empty, on the
    next page.
    """
    at = min(max(grid.header_rows + split, grid.header_rows + 1), len(grid.rows) - 1)
    top = [list(row) for row in grid.rows[:at]]
    bottom = [list(row) for row in grid.rows[at:]]
    for r, row in enumerate(grid.rows[:at]):
        for c, cell in enumerate(row):
            if cell is not None and r + cell.rowspan > at:
                top[r][c] = replace(cell, rowspan=at - r)
                bottom[0][c] = Cell(
                    "", rowspan=r + cell.rowspan - at, colspan=cell.colspan, head=cell.head
                )
    return [
        Grid(grid.name, tuple(map(tuple, part)), grid.header_rows if i == 0 else 0, grid.widths)
        for i, part in enumerate((top, bottom))
    ]


def _page_number(font: str):
    """'— n —' at the foot of each page, as printed reports carry."""

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, MARGIN / 2, f"— {doc.page} —")
        canvas.restoreState()

    return draw
