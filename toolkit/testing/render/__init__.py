"""Synthetic reports from known cells, so every reader can be proved to round-trip them exactly.

cells = random_cells(7, fmt="2021")                     # valid: every identity holds
render(cells, "r.pdf", to="pdf", style=Style(blank="/", merged=True, split=9))
read_report("r.pdf").cells                              # must give back the same cells
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path

import pandas as pd

from toolkit import schema
from toolkit.testing.render import prose, tables
from toolkit.testing.render.generate import complete, free_cells, random_cells
from toolkit.testing.render.model import TARGETS, Block, Document, Grid, Style, chooser

SUFFIX = {
    "text-lines": ".txt",
    "text-pipe": ".txt",
    "text-run": ".txt",
    "html": ".html",
    "docx": ".docx",
    "pdf": ".pdf",
}
_WRITERS = {
    "text-lines": ("text", "lines"),
    "text-pipe": ("text", "pipe"),
    "text-run": ("text", "run"),
    "html": ("html", "write"),
    "docx": ("word", "write"),
    "pdf": ("pdf", "write"),
}
Values = dict[tuple[str, str, str], float | None]


def render(
    cells: pd.DataFrame | Mapping,
    path: str | Path | None = None,
    *,
    to: str,
    fmt: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    style: Style | None = None,
) -> bytes | Path:
    """Write a report holding exactly `cells` (NA prints as a blank): bytes, or the path written."""
    if to not in TARGETS:
        raise ValueError(f"unknown target {to!r}; choose one of {', '.join(TARGETS)}")
    doc = document(cells, fmt=fmt, agency=agency, year=year, style=style)
    data = write_document(doc, to, style or Style())
    if path is None:
        return data
    Path(path).write_bytes(data)
    return Path(path)


def write_document(doc: Document, to: str, style: Style) -> bytes:
    """A document already built (see :func:`document`, or a quirked one) as the bytes of `to`."""
    if to not in TARGETS:
        raise ValueError(f"unknown target {to!r}; choose one of {', '.join(TARGETS)}")
    module, name = _WRITERS[to]
    return getattr(import_module(f"{__name__}.{module}"), name)(doc, style)


def document(
    cells: pd.DataFrame | Mapping,
    *,
    fmt: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    style: Style | None = None,
) -> Document:
    """Cells -> the report as blocks (title, prose, the three tables), before any file format."""
    style = style or Style()
    values = as_values(cells)
    fmt = fmt or infer_format(values)
    if fmt not in schema.FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(schema.FORMATS)}")
    rng = chooser(style, "who")
    agency = agency or rng.choice(prose.AGENCIES)
    year = year or rng.choice((2019, 2020) if fmt == "2019" else (2021, 2022, 2023, 2024))
    asked = int(values.get(("applications", "new_received", "total")) or 0)
    blocks = prose.title(agency, year, style) + prose.opening(agency, year, asked, style)
    for name, build in (
        ("proactive", tables.proactive),
        ("applications", tables.applications),
        ("appeals", tables.appeals),
    ):
        blocks += [
            Block("heading", prose.HEADINGS[name]),
            Block("table", grid=build(values, fmt, style)),
        ]
    blocks += prose.closing(year, prose.fees(style), style)
    return Document(agency, year, fmt, blocks)


def as_values(cells: pd.DataFrame | Mapping) -> Values:
    """A tidy cells frame (table,row,col,value) or a mapping -> {(table,row,col): value or None}."""
    if isinstance(cells, Mapping):
        return {k: None if v is None or pd.isna(v) else float(v) for k, v in cells.items()}
    missing = {"table", "row", "col", "value"} - set(cells.columns)
    if missing:
        raise ValueError(
            f"cells lack the column(s) {', '.join(sorted(missing))}; expected table,row,col,value"
        )
    return {
        (t, r, c): None if pd.isna(v) else float(v)
        for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
    }


def infer_format(values: Values) -> str:
    """2019 or 2021, from the rows only one of the two templates prints."""
    rows = {(t, r) for t, r, _ in values}
    for fmt, other in (("2019", "2021"), ("2021", "2019")):
        only = {
            (t, r)
            for t in schema.TABLES
            for r in set(schema.rows(t, fmt)) - set(schema.rows(t, other))
        }
        if rows & only:
            return fmt
    raise ValueError("cannot tell the format (2019 or 2021) from these cells; pass fmt=")


__all__ = [
    "Style",
    "Document",
    "Block",
    "Grid",
    "render",
    "document",
    "write_document",
    "random_cells",
    "complete",
    "free_cells",
    "SUFFIX",
    "TARGETS",
]
