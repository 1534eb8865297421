"""The three plain-text shapes real dumps come in: a cell per line, pipe rows, and cells run
together.
"""

from __future__ import annotations

from toolkit.testing.render.model import Cell, Document, Grid, Style, chooser


def listed(grid: Grid) -> list[list[Cell]]:
    """Each row's cells as a page dump lists them: spans once, covered positions skipped."""
    return [[c for c in row if c is not None] for row in grid.rows]


def lines(doc: Document, style: Style) -> bytes:
    """Like chaoyang-district-2022.txt: prose lines, table cells one per tab-indented line, blank
    lines between rows.
    """
    out: list[str] = []
    for block in doc.blocks:
        if block.kind != "table":
            out += [block.text, ""]
            continue
        for row in listed(block.grid):
            for cell in row:
                first, *rest = cell.text.split("\n")
                out.append("\t" + first)
                out += rest  # a wrapped cell continues on lines without the tab
            out.append("")
        out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


def pipe(doc: Document, style: Style) -> bytes:
    """Like partial-changchun-department-2023.txt: one '| a | b |' line per table row, prose lines
    bare.
    """
    out: list[str] = []
    for block in doc.blocks:
        if block.kind != "table":
            out.append(block.text)
            continue
        for row in listed(block.grid):
            out.append("| " + " | ".join(c.text.replace("\n", "") for c in row) + " | ")
    return ("\n".join(out) + "\n").encode("utf-8")


def run(doc: Document, style: Style) -> bytes:
    """Like pingtan-zone-2021.txt: the title, then the whole body on one line with no cell
    separators.
    """
    rng = chooser(style, "run")
    titles = [b.text for b in doc.blocks if b.kind == "title"]
    body: list[str] = []
    for block in doc.blocks:
        if block.kind in ("heading", "para"):
            body.append(block.text)
        elif block.kind == "table":
            body.append(" " + _run_table(block.grid, style, rng))
    return ("\n".join(titles + ["".join(body)]) + "\n").encode("utf-8")


def _run_table(grid: Grid, style: Style, rng) -> str:
    """Cell texts back to back; between two values a space only by chance, as in real dumps."""
    parts: list[str] = []
    prev_value = False
    for row in listed(grid):
        for cell in row:
            if prev_value and cell.value and rng.random() < style.run_spaces:
                parts.append(" ")
            parts.append(cell.text.replace("\n", ""))
            prev_value = cell.value
    return "".join(parts)


__all__ = ["lines", "pipe", "run"]
