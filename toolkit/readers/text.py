"""Plain-text reports: one cell per line (tab-indented), pipe-separated rows, or prose with
run-together cells.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.normalize import looks_like_value
from toolkit.readers.base import RawDocument, RawRow, Where
from toolkit.readers.encoding import decode

MIN_RUN = 2  # lines after a label that make its row (one lone number may be prose)
# characters of a line that may own a single printed blank (longer lines, or sentences, are prose)
MAX_LABEL = 50
EMPTY, OTHER = -1, -2  # markers in the list of one-line rows: an empty line, a row of another kind
BLANK = "\x00"  # a printed blank cell until rows are formed (then '')
NEWLINE = re.compile(r"\r\n|\r|\n")


def read_text(path: str | Path, *, data: bytes | None = None) -> RawDocument:
    """Read a text dump of a report page into rows of cell strings."""
    text, encoding = decode(Path(path).read_bytes() if data is None else data)
    return RawDocument(str(path), "text", tuple(text_rows(text)), encoding)


def text_rows(text: str) -> list[RawRow]:
    """Lines -> rows: '|' splits cells; tab-indented lines are cells of one row until a blank line.

    An unindented label line followed by value lines (numbers, blank markers) is one row, so that no
    blank cell is lost: a line of only a non-breaking or ideographic space is a printed blank cell
    (an ``&nbsp;`` cell in a browser's text dump), and so is an empty line among the values (a word
    processor's text export writes each cell on a line, an empty cell as an empty line).
    """
    rows: list[RawRow] = []
    plain: list[int] = []  # indices of one-line rows; EMPTY where an empty line stood between them
    cells: list[str] = []
    places: list[Where] = []  # where each cell of `cells` was printed
    in_cells = False

    def flush() -> None:
        nonlocal cells, places, in_cells
        if cells:
            rows.append(RawRow(tuple(cells), where=tuple(places)))
        cells, places, in_cells = [], [], False

    def single(cell: str, where: Where) -> None:
        flush()
        plain.append(len(rows))
        rows.append(RawRow((cell,), where=(where,)))

    for number, (line, at) in enumerate(lines_at(text), 1):
        if printed_blank(line) and not line.startswith("\t"):
            single(BLANK, Where(line=number, start=at, end=at + len(line)))
        elif line.strip() in ("", "|") and not line.startswith("\t"):
            flush()
            plain.append(EMPTY)
        elif line.count("|") >= 2:
            flush()
            plain.append(OTHER)
            piped = _piped(line, number, at)
            rows.append(RawRow(tuple(c for c, _ in piped), where=tuple(w for _, w in piped)))
        elif line.rstrip().endswith("|") and line.count("|") == 1:
            flush()  # one cell per line, each closed by '|'
            plain.append(OTHER)
            cell = line.rstrip()[:-1]
            rows.append(RawRow((cell.strip(),), where=(_span(cell, 0, number, at),)))
        elif line.startswith("\t"):
            if not in_cells:
                plain.append(OTHER)
            cells.append(line[1:].strip())
            places.append(_span(line, 1, number, at))
            in_cells = True
        elif in_cells and cells:
            cells[-1] = f"{cells[-1]}\n{line.strip()}"
            end = _span(line, 0, number, at).end
            places[-1] = Where(line=places[-1].line, start=places[-1].start, end=end)
        else:
            single(line.strip(), _span(line, 0, number, at))
    flush()
    if _double_spaced(plain):
        plain = [
            k for k in plain if k != EMPTY
        ]  # an empty line after every line separates, never a cell
    return _label_rows(rows, plain)


def lines_at(text: str):
    """(line, offset of its first character in `text`) for every line, any newline convention."""
    at = 0
    if "\r" not in text:  # the common case: split, and count the offsets along
        for line in text.split("\n"):
            yield line, at
            at += len(line) + 1
        return
    for m in NEWLINE.finditer(text):
        yield text[at : m.start()], at
        at = m.end()
    yield text[at:], at


def _span(line: str, skip: int, number: int, at: int) -> Where:
    """Where the stripped text of `line[skip:]` stands in the decoded text."""
    body = line[skip:] if skip else line
    kept = body.strip()
    start = at + skip + (body.find(kept[0]) if kept else 0)
    return Where(None, None, number, start, start + len(kept))


def _piped(line: str, number: int, at: int) -> list[tuple[str, Where]]:
    """A '|'-separated line's cells (stripped, outer pipes dropped), each with where it stands."""
    begin, stop = len(line) - len(line.lstrip()), len(line.rstrip())
    while begin < stop and line[begin] == "|":  # as line.strip().strip("|")
        begin += 1
    while stop > begin and line[stop - 1] == "|":
        stop -= 1
    out, pos = [], begin
    for part in line[begin:stop].split("|"):
        w = _span(part, 0, number, at + pos)
        out.append((part.strip(), w))
        pos += len(part) + 1
    return out


def printed_blank(line: str) -> bool:
    """A line of spaces among which a non-breaking or ideographic one: an empty cell as the page
    printed it.
    """
    return bool(line) and not line.strip() and bool(line.strip(" \t\n\r\f\v"))


def _label_rows(rows: list[RawRow], plain: list[int]) -> list[RawRow]:
    """Each one-line label followed by value lines becomes one row; printed blanks that join no row
    are dropped.
    """
    out: dict[int, RawRow] = {k: r for k, r in enumerate(rows) if r.cells != (BLANK,)}
    i = 0
    while i < len(plain):
        label, run, j = plain[i], [], i + 1
        while (
            j < len(plain)
            and plain[j] != OTHER
            and (plain[j] == EMPTY or _value(rows[plain[j]].cells[0]))
        ):
            run.append(plain[j])
            j += 1
        if (
            label >= 0
            and not _value(rows[label].cells[0])
            and _definite(run)
            and (
                len(run) >= MIN_RUN
                or (rows[run[0]].cells == (BLANK,) and _short_label(rows[label].cells[0]))
            )
        ):
            cells = ("" if k == EMPTY else rows[k].cells[0].replace(BLANK, "") for k in run)
            places = (None if k == EMPTY else (rows[k].where or (None,))[0] for k in run)
            out[label] = RawRow(
                rows[label].cells + tuple(cells),
                where=(rows[label].where or (None,)) + tuple(places),
            )
            for k in run:
                out.pop(k, None)
        i = max(j, i + 1)
    return [out[k] for k in sorted(out)]


def _double_spaced(plain: list[int]) -> bool:
    """Whether most lines are followed by an empty one (then empty lines are spacing, not empty
    cells).
    """
    lines = [i for i, k in enumerate(plain) if k >= 0]
    spaced = sum(i + 1 < len(plain) and plain[i + 1] == EMPTY for i in lines)
    return spaced > len(lines) / 2


def _short_label(text: str) -> bool:
    return len(text) <= MAX_LABEL and not text.endswith(("。", "；", "！", "？", ".", ";"))


def _value(cell: str) -> bool:
    return cell == BLANK or looks_like_value(cell)


def _definite(run: list[int]) -> bool:
    """Whether a run holds a printed value line (a number, a blank marker or a printed blank), not
    only empty lines.
    """
    return any(k != EMPTY for k in run)
