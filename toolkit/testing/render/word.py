"""A report as a Word document (python-docx): merged cells become real gridSpan/vMerge."""

from __future__ import annotations

from io import BytesIO

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from toolkit.testing.render.model import Document, Grid, Style

FONT = "仿宋_GB2312"  # what most agencies type their reports in


def write(doc: Document, style: Style) -> bytes:
    """The .docx as bytes: centred title, bold section headings, one Word table per
    national table.
    """
    word = new_document()
    _east_asian_font(word)
    for block in doc.blocks:
        if block.kind == "table":
            table(word, block.grid)
            continue
        para = word.add_paragraph()
        run = para.add_run(block.text)
        if block.kind == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold, run.font.size = True, Pt(18)
        elif block.kind == "heading":
            run.bold = True
        else:
            para.paragraph_format.first_line_indent = Pt(24)
    buf = BytesIO()
    word.save(buf)
    return buf.getvalue()


def _east_asian_font(word) -> None:
    normal = word.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def table(word, grid: Grid) -> None:
    """Merge each span first (python-docx moves text on merge), then write the texts."""
    t = word.add_table(rows=len(grid.rows), cols=len(grid.rows[0]))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    # t.cell() rescans the whole table on every call; spans never overlap, so one scan serves
    at = _positions(t)
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell is not None and (cell.rowspan > 1 or cell.colspan > 1):
                at(r, c).merge(at(r + cell.rowspan - 1, c + cell.colspan - 1))
    at = _positions(t)
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell is not None and cell.text:
                target = at(r, c)
                target.text = cell.text  # '\n' becomes a line break inside the cell
                target.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _positions(t):
    cells, width = t._cells, len(t.columns)
    return lambda r, c: cells[r * width + c]
