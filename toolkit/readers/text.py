"""Plain-text reports: one cell per line (tab-indented), pipe-separated rows, or prose with run-together cells."""
from __future__ import annotations

from pathlib import Path

from .base import RawDocument, RawRow
from .encoding import decode


def read_text(path: str | Path, *, data: bytes | None = None) -> RawDocument:
    """Read a text dump of a report page into rows of cell strings."""
    raw = Path(path).read_bytes() if data is None else data
    text, encoding = decode(raw)
    return RawDocument(str(path), "text", tuple(text_rows(text)), encoding)


def text_rows(text: str) -> list[RawRow]:
    """Lines -> rows: '|' splits cells; tab-indented lines are cells of one row until a blank line."""
    rows: list[RawRow] = []
    cells: list[str] = []
    in_cells = False

    def flush() -> None:
        nonlocal cells, in_cells
        if cells:
            rows.append(RawRow(tuple(cells)))
        cells, in_cells = [], False

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip() in ("", "|") and not line.startswith("\t"):
            flush()
        elif line.count("|") >= 2:
            flush()
            rows.append(RawRow(tuple(c.strip() for c in line.strip().strip("|").split("|"))))
        elif line.rstrip().endswith("|") and line.count("|") == 1:
            flush()  # one cell per line, each closed by '|'
            rows.append(RawRow((line.rstrip()[:-1].strip(),)))
        elif line.startswith("\t"):
            cells.append(line[1:].strip())
            in_cells = True
        elif in_cells and cells:
            cells[-1] = f"{cells[-1]}\n{line.strip()}"
        else:
            flush()
            rows.append(RawRow((line.strip(),)))
    flush()
    return rows
