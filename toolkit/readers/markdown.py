"""Markdown as converters write it (markitdown, docling, marker, pymupdf4llm): pipe tables, grid
tables, tables embedded as HTML, and prose, each cell with the line it was printed on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt

from toolkit.readers.base import RawDocument, RawRow, ReadError, Where
from toolkit.readers.encoding import decode
from toolkit.readers.html import html_rows
from toolkit.readers.text import lines_at, text_rows

# beyond these a file is no report's Markdown: it is read as plain text (linear) instead of parsed
# (markdown-it builds ~3 tokens per table cell: a 10,000-column table of 50 rows takes seconds)
MAX_CHARS, MAX_PIPES = 20 * 2**20, 100_000
# inline markup is parsed in at most this many characters of a file, this many of a cell or line
# (hostile markup costs markdown-it up to ~50 µs a character); the rest is kept as printed
INLINE_BUDGET, INLINE_MAX = 50_000, 5_000
MARKUP = re.compile(r"[\\`*_<&\[]")  # the characters inline markup starts with
BR = re.compile(r"<br\s*/?>", re.I)
PIPE = re.compile(r"(?<!\\)\|")  # a cell separator ('\|' is a literal pipe, as GFM has it)
BORDER = re.compile(r"[ \t]{0,3}\+(?:[-=:]+\+)+[ \t]*")  # a grid table's +----+====+ line
TABLE_TAG = re.compile(r"<(/?)table\b", re.I)

# Block structure only: inline parsing is two thirds of markdown-it's time and almost every cell of
# a report is plain text, so cells and lines holding markup are parsed one by one (`_INLINE`).
_BLOCKS = MarkdownIt("commonmark").enable("table")
_BLOCKS.core.ruler.disable(["inline", "text_join"])
_INLINE = MarkdownIt("commonmark")


DELIMITER = re.compile(r":?-{3,}:?")  # a pipe table's delimiter cell


def read_markdown(path: str | Path, *, data: bytes | None = None) -> RawDocument:
    """Read converter Markdown into rows of cell strings (tables) and one-cell rows (prose).

    Parameters
    ----------
    path : str or Path
        The file (read unless `data` is given; also the document's name).
    data : bytes, optional
        The file's bytes, already read.

    Returns
    -------
    RawDocument
        Reader ``markdown``: one row per pipe-table row (header rows included), per grid-table row
        (a multi-line cell joined with newlines) and per row of an embedded HTML ``<table>`` (read
        as the HTML reader reads it); one single-cell row per line of prose; code blocks and
        pipe-separated paragraphs as the text reader reads them. Emphasis and escapes are removed,
        ``<br>`` is a newline. Each cell's ``where`` gives its line and character span.

    Raises
    ------
    ReadError
        If the bytes are not text, or markdown-it cannot parse them.
    """
    text, encoding = decode(Path(path).read_bytes() if data is None else data)
    if len(text) > MAX_CHARS or text.count("|") > MAX_PIPES:
        note = "too large or too many table cells to parse as Markdown: read as plain text"
        return RawDocument(str(path), "markdown", tuple(text_rows(text)), encoding, (note,))
    walker = _Walker(text)
    try:
        tokens = _BLOCKS.parse("\n".join(walker.masked))
    except Exception as exc:  # noqa: BLE001 - markdown-it's failure on a hostile file is a ReadError
        raise ReadError(f"Markdown that cannot be parsed ({type(exc).__name__}: {exc})") from None
    walker.walk(tokens)
    notes = ("Markdown markup beyond the parsing budget left as printed",) * (walker.budget < 0)
    return RawDocument(str(path), "markdown", tuple(walker.rows), encoding, notes)


class _Walker:
    """One pass over markdown-it's block tokens, emitting rows in document order."""

    def __init__(self, text: str) -> None:
        pairs = list(lines_at(text))  # any newline convention, as markdown-it counts lines
        self.lines, self.starts = [s for s, _ in pairs], [at for _, at in pairs]
        self.grids = grid_tables(self.lines)[::-1]  # the next one last
        # grid tables are read here, not by markdown-it: their lines are blanked (keeping numbering)
        self.masked = list(self.lines)
        for first, stop in self.grids:
            self.masked[first:stop] = [""] * (stop - first)
        self.rows: list[RawRow] = []
        self.tables = 0
        self.budget = INLINE_BUDGET

    def walk(self, tokens) -> None:
        cells: list | None = None  # the inline tokens of the table row being read (on line `row`)
        row = 0
        skip = 0  # lines below this were read already (an HTML table running on past its block)
        opener = ""
        for tok in tokens:
            if skip and (tok.map is None or tok.map[0] < skip):
                continue
            if tok.map is not None:
                skip = 0
                self.grids_before(tok.map[0])
            kind = tok.type
            if kind == "table_open":
                self.tables += 1
            elif kind == "tr_open":
                cells, row = [], tok.map[0]
            elif kind == "inline" and cells is not None:
                cells.append(tok)
            elif kind == "tr_close" and cells is not None:
                self.pipe_row(row, cells)
                cells = None
            elif kind == "inline":
                self.prose(tok, opener == "paragraph_open")
            elif kind in ("fence", "code_block"):
                self.code(tok)
            elif kind == "html_block":
                skip = self.html(tok)
            opener = kind
        self.grids_before(len(self.lines))

    def grids_before(self, line: int) -> None:
        """Emit the grid tables that start above `line` (blanked out of the token stream)."""
        while self.grids and self.grids[-1][0] < line:  # (the common case: no grid tables)
            first, stop = self.grids.pop()
            for row in grid_rows(self, first, stop):
                self.rows.append(replace(row, table=self.tables))
            self.tables += 1

    def plain(self, content: str) -> str:
        """Inline Markdown -> its text: emphasis, links and escapes removed, ``<br>`` a newline."""
        if not MARKUP.search(content):
            return content.strip()
        self.budget -= len(content)
        if self.budget < 0 or len(content) > INLINE_MAX:
            self.budget = min(self.budget, -1)  # noted: some markup left as printed
            return content.strip()
        out = []
        for child in _INLINE.parseInline(content)[0].children or ():
            if child.type in ("text", "text_special", "code_inline", "image"):
                out.append(child.content)  # an image: its alt text
            elif child.type in ("softbreak", "hardbreak") or BR.fullmatch(child.content):
                out.append("\n")
        return "\n".join(s.strip() for s in "".join(out).split("\n") if s.strip())

    def where(self, n: int, a: int, b: int, text: str) -> Where:
        """Where `text` stands in [a, b) of line `n` (0-based): its own span if printed as is."""
        at = self.lines[n].find(text, a, b) if text else -1
        if at >= 0:
            a, b = at, at + len(text)
        base = self.starts[n]
        return Where(None, None, n + 1, base + a, base + b)  # positional: one per cell, made fast

    def pipe_row(self, n: int, inlines: list) -> None:
        """A pipe-table row: markdown-it's cells, and any it dropped past the header's width."""
        line, base = self.lines[n], self.starts[n]
        spans = segments(line, quoted=True)
        texts = [self.plain(t.content) for t in inlines[: len(spans)]]
        texts += [self.plain(line[a:b]) for a, b in spans[len(texts) :]]
        if all(DELIMITER.fullmatch(t) for t in texts):
            return  # a table restarted without a blank line: its delimiter row is a body row
        wheres = [
            Where(None, None, n + 1, base + a, base + b)  # the cell as printed (the common case)
            if t == line[a:b]
            else self.where(n, a, b, t)
            for t, (a, b) in zip(texts, spans)
        ]
        self.rows.append(RawRow(tuple(texts), table=self.tables - 1, where=tuple(wheres)))

    def prose(self, tok, paragraph: bool) -> None:
        """A paragraph or heading: one row per source line; pipe-separated lines as text rows."""
        first, stop = tok.map
        if paragraph and any(self.lines[n].count("|") >= 2 for n in range(first, stop)):
            self.text_block(first, stop)  # pipe rows that make no GFM table (no delimiter row)
            return
        for k, piece in enumerate(tok.content.split("\n")):
            n = min(first + k, stop - 1)
            text = self.plain(piece)
            if text:
                line = self.lines[n]
                lead = len(line) - len(line.lstrip())
                where = self.where(n, lead, len(line.rstrip()), text)
                self.rows.append(RawRow((text,), where=(where,)))

    def code(self, tok) -> None:
        """A code block's lines through the text reader (converters fence text tables)."""
        first, stop = tok.map
        if tok.type == "fence":
            first += 1
            if stop - 1 >= first and self.lines[stop - 1].strip().startswith(tok.markup):
                stop -= 1  # the closing fence (an unclosed one runs to the end of the file)
        self.text_block(first, stop)

    def text_block(self, first: int, stop: int) -> None:
        """Lines [first, stop) as the text reader reads them, their places in the whole text."""
        chunk = self.masked[first:stop]
        offsets = [0]  # of each line of the chunk in the chunk, then of the chunk's end
        for line in chunk:
            offsets.append(offsets[-1] + len(line) + 1)

        def moved(offset: int) -> int:  # an offset in the chunk -> in the whole text
            k = bisect_right(offsets, offset) - 1
            return self.starts[first + k] + offset - offsets[k]

        for row in text_rows("\n".join(chunk)):
            wheres = tuple(
                w and Where(line=first + w.line, start=moved(w.start), end=moved(w.end))
                for w in row.where or ()
            )
            self.rows.append(replace(row, where=wheres))

    def html(self, tok) -> int:
        """An HTML block through the HTML reader; a <table> runs on to its closing tag. Returns the
        line below what was read."""
        first, stop = tok.map
        parts, depth = [tok.content], nesting(tok.content)
        while depth > 0 and stop < len(self.lines):
            parts.append(self.masked[stop])
            depth += nesting(self.masked[stop])
            stop += 1
        rows = html_rows("\n".join(parts))
        at = Where(line=first + 1)  # the cells' paths are in the block, the block on this line
        for row in rows:
            wheres = tuple(
                (w or at)._replace(line=first + 1) for w in row.where or (at,) * len(row.cells)
            )
            table = None if row.table is None else row.table + self.tables
            self.rows.append(replace(row, table=table, where=wheres))
        self.tables += len({r.table for r in rows if r.table is not None})
        return stop


def nesting(html: str) -> int:
    """<table> tags opened minus those closed."""
    return sum(-1 if m.group(1) else 1 for m in TABLE_TAG.finditer(html))


def segments(line: str, *, quoted: bool = False) -> list[tuple[int, int]]:
    """The [start, end) spans of a table line's cells (stripped; outer pipes dropped, as GFM does;
    with `quoted`, a blockquote's '>' prefix skipped)."""
    begin, stop = len(line) - len(line.lstrip(" \t>" if quoted else " \t")), len(line.rstrip())
    if begin < stop and line[begin] == "|":
        begin += 1
    if stop > begin and line[stop - 1] == "|" and line[stop - 2 : stop - 1] != "\\":
        stop -= 1
    body = line[begin:stop]
    out, at = [], begin
    for part in body.split("|") if "\\" not in body else PIPE.split(body):
        kept = part.strip()
        a = at + part.find(kept[0]) if kept else at + len(part)
        out.append((a, a + len(kept)))
        at += len(part) + 1
    return out


# --- grid tables: markdown-it has no rule for them (pandoc and docling write them) --------------


def grid_tables(lines: list[str]) -> list[tuple[int, int]]:
    """[first, stop) line ranges of grid tables: a border line, lines opening with '|' or '+', and
    a closing border."""
    out, i = [], 0
    while i < len(lines):
        if BORDER.fullmatch(lines[i]) and i + 1 < len(lines) and lines[i + 1].lstrip()[:1] == "|":
            j, last = i + 1, i
            while j < len(lines) and lines[j].lstrip()[:1] in ("|", "+"):
                last = j if BORDER.fullmatch(lines[j]) else last
                j += 1
            if last > i:
                out.append((i, last + 1))
            i = j
        else:
            i += 1
    return out


def grid_rows(walker: _Walker, first: int, stop: int) -> list[RawRow]:
    """A grid table's rows: the lines between two border lines make one row; each cell's text is its
    non-empty pieces joined with newlines. Cells are split on '|', not at the border's '+'
    columns: wide (CJK) characters shift the pipes of a line printed with display widths."""
    rows, block = [], []
    for n in range(first, stop + 1):
        if n < stop and not walker.lines[n].lstrip().startswith("+"):
            block.append(n)
        elif block:
            rows.append(grid_row(walker, block))
            block = []
    return rows


def grid_row(walker: _Walker, block: list[int]) -> RawRow:
    """One grid row's lines -> its cells (column k: the k-th piece of every line that has one)."""
    pieces: list[list[tuple[int, int, int, str]]] = []  # per column: (line, start, end, text)
    for n in block:
        for k, (a, b) in enumerate(segments(walker.lines[n])):
            if k == len(pieces):
                pieces.append([])
            pieces[k].append((n, a, b, walker.plain(walker.lines[n][a:b])))
    texts, wheres = [], []
    for found in pieces:
        kept = [p for p in found if p[3]] or found[:1]
        (n, a, b, _), (m, _, z, _) = kept[0], kept[-1]
        texts.append("\n".join(p[3] for p in kept))
        where = walker.where(n, a, b, texts[-1])  # a multi-line cell: from its first to last piece
        wheres.append(where if n == m else where._replace(end=walker.starts[m] + z))
    return RawRow(tuple(texts), where=tuple(wheres))
