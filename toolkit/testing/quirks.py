"""Layout quirks of real reports, as named, composable transforms of a synthetic report.

Each quirk takes the :class:`~toolkit.testing.render.model.Document` that :func:`document` builds
(blocks of prose and printed grids) and returns a new one with one kind of mess real reports show.
None of them changes a value the report states (they change layout or label text only), so a
reader must still give back exactly the cells the document was made from, or flag what it cannot
read. The quirks (:data:`QUIRKS`):

- ``stray_space``: a wrapped label with a stray space inside a word;
- ``split_label_rows``: a label broken across two table rows;
- ``detached_numbers``: a row's label on a table row of its own, its numbers on the next;
- ``restart_table``: the applications table restarted with its header rows repeated;
- ``blank_rows``: empty rows between body rows;
- ``agency_rows``: an agency's own breakdown row (其中：…) in the applications table;
- ``traditional``: labels and prose in Traditional characters;
- ``footnotes``: footnote markers after labels (不予公开*, …（注）);
- ``confusable``: one character of a label replaced by a look-alike (一/—, 公/Ｏ);
- ``thousands``: counts printed with thousands separators (1,234);
- ``misread_label``: one Han character of a row label misread as another, no look-alike
  (予以公开 → 予以公廾), in 1–2 applications labels (sometimes a proactive one too);
- ``garbled_label``: one applications row label printed as noise ('■■■■'), its numbers kept;
  a correct reader reads the row exactly (by its neighbours and the identities) or leaves it NA;
- ``header_spread``: merged header cells' text repeated in every column they span;
- ``header_collapsed``: the applications header rows as one row, each column's texts joined
  ('申请人情况 自然人') or only its lowest kept;
- ``hybrid``: 1–3 labels in the other format's wording (2021 printing 规范性文件, 处理决定数量);
- ``label_around_values``: a wrapped label's lines on rows of their own, above and below its
  numbers, as PDF-to-Markdown converters write a vertically centred row;
- ``spread_columns``: empty columns among a table's value columns, as a converter that finds more
  column edges than the table has.

``misread_label`` to ``hybrid`` are in :mod:`toolkit.testing.label_quirks`, the last two in
:mod:`toolkit.testing.converter_quirks`. Besides the formats :func:`write` renders itself, it
writes a rendered file as markitdown converts it (``markitdown-docx``, ``-html``, ``-pdf``) and
the rendered PDF printed and scanned (``scan``, read by OCR).

>>> doc = quirked(random_cells(7), ["stray_space", "thousands"], seed=3)
>>> data = write(doc, "markdown")                     # or any render target
"""

from __future__ import annotations

import random
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from toolkit.testing.converter_quirks import label_around_values, spread_columns
from toolkit.testing.gridedit import (
    body_rows,
    each_table,
    empty_row,
    han_positions,
    label_at,
    plain,
    regrid,
    relabel,
    some,
)
from toolkit.testing.label_quirks import (
    garbled_label,
    header_collapsed,
    header_spread,
    hybrid,
    misread_label,
)
from toolkit.testing.render import SUFFIX, document, write_document
from toolkit.testing.render.html import table as html_table
from toolkit.testing.render.model import TARGETS, Block, Cell, Document, Grid, Style

Quirk = Callable[[Document, random.Random], Document]
CONFUSABLE = {"一": "—", "口": "□", "日": "曰", "己": "已", "人": "入", "〇": "O", "公": "Ｏ"}
FOOTNOTES = ("*", "（注）", "注1", "[1]")
AGENCY_ROWS = ("其中：网上申请", "其中：现场申请", "其中：涉及行政复议的", "小计")
MARKDOWN = {"markdown": "pipe", "markdown-grid": "grid", "markdown-html": "html"}
# a render target converted to Markdown by a real converter (markitdown; the test extra), and
# the text-layer PDF printed and scanned (testing.scansim: grey, skewed, noisy, JPEG), read by OCR
CONVERTED = {"markitdown-docx": "docx", "markitdown-html": "html", "markitdown-pdf": "pdf"}
SCANNED = "scan"
FORMATS = (*TARGETS, *MARKDOWN)


# --- the quirks -----------------------------------------------------------------------------


def stray_space(doc: Document, rng: random.Random) -> Document:
    """A wrapped label with a stray space inside a word: `只计这一情 形，不` / `计其他情形）`."""

    def change(text: str, rng) -> str:
        flat = text.replace("\n", "")
        han = han_positions(flat)
        if len(han) < 4:
            return text
        i, j = sorted(rng.sample(han[1:], 2))
        return flat[:i] + " " + flat[i:j] + "\n" + flat[j:]

    return each_table(doc, lambda g, r: [relabel(g, r, change)], rng)


def split_label_rows(doc: Document, rng: random.Random) -> Document:
    """A label broken across two table rows: its head on a row of empty cells, its tail below."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        for i in reversed(some(rng, body_rows(rows), 0.2)):
            at = label_at(rows[i])
            text = "" if at is None else rows[i][at].text.replace("\n", "")
            if len(text) < 6:
                continue
            cut = rng.randrange(2, len(text) - 2)
            head = empty_row(len(rows[i]))
            head[:at] = rows[i][:at]  # the group labels to its left stay on the label's first row
            head[at] = Cell(text[:cut])
            rows[i][:at] = empty_row(at)
            rows[i][at] = replace(rows[i][at], text=text[cut:])
            rows.insert(i, head)
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


def detached_numbers(doc: Document, rng: random.Random) -> Document:
    """A printed row as two: the label on a row of empty cells, the numbers on the next row."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        for i in reversed(some(rng, body_rows(rows), 0.2)):
            at = label_at(rows[i])
            if at is None:
                continue
            label = empty_row(len(rows[i]))
            label[: at + 1] = rows[i][: at + 1]
            numbers = [Cell("") if k <= at else c for k, c in enumerate(rows[i])]
            rows[i : i + 1] = [label, numbers]
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


def restart_table(doc: Document, rng: random.Random) -> Document:
    """The applications table cut in two, the second part repeating the header rows."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        body = body_rows(rows)
        if grid.name != "applications" or len(body) < 4:
            return [grid]
        cut = rng.choice(body[1:-1])
        header = rows[: body[0]]
        return [regrid(grid, rows[:cut]), regrid(grid, header + rows[cut:])]

    return each_table(doc, edit, rng)


def blank_rows(doc: Document, rng: random.Random) -> Document:
    """Empty rows inserted between body rows (spacing an editor left)."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        for i in reversed(some(rng, body_rows(rows), 0.15)):
            rows.insert(i, empty_row(len(rows[i])))
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


def agency_rows(doc: Document, rng: random.Random) -> Document:
    """An agency's own breakdown row (其中：…) under a row of the applications table."""

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = plain(grid)
        body = body_rows(rows)
        if grid.name != "applications" or not body:
            return [grid]
        i = rng.choice(body[:3])  # under the received rows, as agencies add them
        extra = [
            Cell("") if c is None or not c.value else Cell(str(rng.randrange(0, 9)), value=True)
            for c in rows[i]
        ]
        extra[label_at(rows[i]) or 0] = Cell(rng.choice(AGENCY_ROWS))
        rows.insert(i + 1, extra)
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


def traditional(doc: Document, rng: random.Random) -> Document:
    """Labels and prose through a Simplified→Traditional converter (as some sites publish)."""
    table = str.maketrans(_s2t())

    def convert(text: str) -> str:
        return text.translate(table)

    blocks = []
    for b in doc.blocks:
        if b.kind == "table":
            rows = [
                [c if c is None or c.value else replace(c, text=convert(c.text)) for c in row]
                for row in b.grid.rows
            ]
            blocks.append(Block("table", grid=regrid(b.grid, rows)))
        else:
            blocks.append(Block(b.kind, convert(b.text)))
    return Document(doc.agency, doc.year, doc.fmt, blocks)


def footnotes(doc: Document, rng: random.Random) -> Document:
    """Footnote markers after some labels: `不予公开*`, `本机关不掌握相关政府信息（注）`."""
    return each_table(doc, lambda g, r: [relabel(g, r, lambda t, r: t + r.choice(FOOTNOTES))], rng)


def confusable(doc: Document, rng: random.Random) -> Document:
    """One character of a label replaced by a look-alike (一/—, 口/□, 公/Ｏ …)."""

    def change(text: str, rng) -> str:
        spots = [i for i, ch in enumerate(text) if ch in CONFUSABLE]
        if not spots:
            return text
        i = rng.choice(spots)
        return text[:i] + CONFUSABLE[text[i]] + text[i + 1 :]

    return each_table(doc, lambda g, r: [relabel(g, r, change, 0.15)], rng)


def thousands(doc: Document, rng: random.Random) -> Document:
    """Counts of 1,000 and more printed with thousands separators (1,234)."""

    def sep(text: str) -> str:
        return re.sub(r"^(\d+)(\d{3})$", lambda m: f"{int(m.group(1)):,},{m.group(2)}", text)

    def edit(grid: Grid, rng) -> list[Grid]:
        rows = [
            [c if c is None or not c.value else replace(c, text=sep(c.text)) for c in row]
            for row in grid.rows
        ]
        return [regrid(grid, rows)]

    return each_table(doc, edit, rng)


QUIRKS: dict[str, Quirk] = {
    "none": lambda doc, rng: doc,
    "stray_space": stray_space,
    "split_label_rows": split_label_rows,
    "detached_numbers": detached_numbers,
    "restart_table": restart_table,
    "blank_rows": blank_rows,
    "agency_rows": agency_rows,
    "traditional": traditional,
    "footnotes": footnotes,
    "confusable": confusable,
    "thousands": thousands,
    "misread_label": misread_label,
    "garbled_label": garbled_label,
    "header_spread": header_spread,
    "header_collapsed": header_collapsed,
    "hybrid": hybrid,
    "label_around_values": label_around_values,
    "spread_columns": spread_columns,
}


@cache
def _s2t() -> dict[str, str]:
    """Simplified → Traditional, from the one-to-one table the readers fold back (t2s.csv)."""
    path = resources.files("toolkit.schema").joinpath("t2s.csv")
    with path.open("r", encoding="utf-8") as fh:
        t2s = pd.read_csv(fh, dtype=str, keep_default_na=False)
    out: dict[str, str] = {}
    for trad, simp in zip(t2s.traditional, t2s.simplified):
        out.setdefault(simp, trad)
    return out


# --- putting it together --------------------------------------------------------------------


def quirked(
    cells,
    quirks: Iterable[str],
    *,
    seed: int = 0,
    style: Style | None = None,
    fmt: str | None = None,
) -> Document:
    """The document of `cells` with the named quirks applied in order.

    Parameters
    ----------
    cells : DataFrame or mapping
        The true cells (as :func:`~toolkit.testing.render.random_cells` gives them).
    quirks : iterable of str
        Names from :data:`QUIRKS`, applied in order.
    seed : int
        Drives every random choice of the quirks.
    style, fmt
        Passed to :func:`~toolkit.testing.render.document`.

    Raises
    ------
    ValueError
        If a quirk name is unknown.
    """
    doc = document(cells, style=style, fmt=fmt)
    rng = random.Random(f"quirks:{seed}")
    for name in quirks:
        if name not in QUIRKS:
            raise ValueError(f"unknown quirk {name!r}; choose from {', '.join(QUIRKS)}")
        doc = QUIRKS[name](doc, rng)
    return doc


def write(doc: Document, to: str, style: Style | None = None) -> bytes:
    """The document's bytes in a render target or a Markdown flavour (as converters write it)."""
    style = style or Style()
    if to in MARKDOWN:
        return markdown(doc, MARKDOWN[to])
    if to in CONVERTED:
        return converted(write_document(doc, CONVERTED[to], style), CONVERTED[to])
    if to == SCANNED:
        from toolkit.testing.scansim import scan_pdf

        return scan_pdf(write_document(doc, "pdf", style), dpi=200, seed=style.seed or 0)
    if to not in TARGETS:
        choices = ", ".join((*FORMATS, *CONVERTED, SCANNED))
        raise ValueError(f"unknown target {to!r}; choose one of {choices}")
    return write_document(doc, to, style)


def suffix(to: str) -> str:
    """The file name suffix of what :func:`write` writes for `to`."""
    return ".pdf" if to == SCANNED else SUFFIX.get(to, ".md")


def converted(data: bytes, suffix: str) -> bytes:
    """A rendered file as markitdown converts it to Markdown, as a researcher would run it."""
    from markitdown import MarkItDown  # the test extra: only this path needs it

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{suffix}"
        path.write_bytes(data)
        return MarkItDown().convert(str(path)).text_content.encode("utf-8")


def markdown(doc: Document, tables: str = "pipe") -> bytes:
    """Markdown as converters write it: headings, paragraphs, and a table per grid: a pipe table
    whose first row is the header (markitdown), a grid table with multi-line cells (pandoc,
    docling), or an HTML <table> keeping the merged cells (docling and markitdown for spans).
    A pipe or grid table repeats merged header text over the columns it spans."""
    table = {"pipe": _md_table, "grid": _grid_table, "html": _html_table}[tables]
    out: list[str] = []
    for block in doc.blocks:
        if block.kind == "title":
            out += [f"# {block.text}", ""]
        elif block.kind == "heading":
            out += [f"## {block.text}", ""]
        elif block.kind == "para":
            out += [block.text, ""]
        else:
            out += table(block.grid) + [""]
    return ("\n".join(out) + "\n").encode("utf-8")


def _spread(grid: Grid) -> list[list[str]]:
    """Each position's text: a merged header repeated over its span, a body span printed once."""
    spread: list[list[str]] = [["" for _ in row] for row in grid.rows]
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr == 0 or cell.head:
                        spread[r + dr][c + dc] = cell.text if (dc == 0 or cell.head) else ""
    return spread


def _md_table(grid: Grid) -> list[str]:
    spread = [[t.replace("\n", " ").replace("|", "\\|") for t in row] for row in _spread(grid)]
    lines = ["| " + " | ".join(row) + " |" for row in spread]
    return lines[:1] + ["|" + "---|" * len(spread[0])] + lines[1:]


def _grid_table(grid: Grid) -> list[str]:
    """A grid table padded by display width (a CJK character is two columns), as pandoc pads it;
    a wrapped cell on several lines, '+===+' under the header rows."""
    spread = [[t.replace("|", "\\|").split("\n") for t in row] for row in _spread(grid)]
    widths = [max(_width(s) for row in spread for s in row[c]) + 2 for c in range(len(spread[0]))]
    border = "+" + "+".join("-" * w for w in widths) + "+"
    out = [border]
    for r, row in enumerate(spread):
        for k in range(max(len(cell) for cell in row)):
            parts = [cell[k] if k < len(cell) else "" for cell in row]
            out.append(
                "|"
                + "|".join(f" {p}" + " " * (w - 1 - _width(p)) for p, w in zip(parts, widths))
                + "|"
            )
        out.append(border.replace("-", "=") if r + 1 == grid.header_rows else border)
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _html_table(grid: Grid) -> list[str]:
    return [html_table(grid).rstrip("\n")]
