"""Rows of cell strings -> canonical cells: find each table by its printed labels, in order, then
its values.

Matching is by label and order, never by grid position: the same code reads a one-cell-per-line
dump, a pipe table, an HTML/PDF/DOCX grid and a run where every separator was lost.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from toolkit import schema
from toolkit.extract import align
from toolkit.extract.align import WINDOW, Snap, locate
from toolkit.extract.provenance import row_where
from toolkit.extract.rejoin import rejoin
from toolkit.extract.validate import check_row
from toolkit.normalize import clean, fold, looks_like_value
from toolkit.readers.base import RawDocument
from toolkit.schema import labels

_DIGIT = re.compile(r"\d")
_VALUE_LEAD = re.compile(r"[\s\d.,+\-/—]*[\d\-/—]")  # values run into the next label's text


@dataclass(frozen=True)
class Flat:
    """The document as one folded string: cells joined by \\x1f, rows by \\x1e, with row pages."""

    text: str
    raw: str
    starts: tuple[int, ...]
    pages: tuple[int | None, ...]
    wheres: tuple = ()  # per row, where each cell was printed (readers.base.Where), if known
    snaps: tuple[Snap, ...] = ()  # label cells read as the template's words (align.snap_cells)

    def row(self, pos: int) -> int:
        """The index of the row that holds text position `pos`."""
        return bisect.bisect_right(self.starts, pos) - 1

    def page(self, pos: int) -> int | None:
        return self.pages[max(0, self.row(pos))] if self.starts else None


@dataclass
class Blob:
    """The printed values behind one label: the cells they should fill and every reading of them."""

    table: str
    keys: list[tuple[str, str]]
    pieces: list[tuple[int, int]]
    candidates: list[tuple[str, ...]] = field(default_factory=list)
    direct: bool = False
    truncated: bool = False
    note: str = ""
    detached: bool = False  # the values stood on a row of their own, below the label's row
    unsure: str = ""  # why the label's match is not sure (a near misprint, placed by neighbours)
    in_order: bool = False  # detached, and no other label could take the values (match)
    words: bool = False  # placed under words naming no row, or none: an agency's row looks alike
    loose: bool = False  # its empty cells are no grid's (resolve places its blanks by identities)

    def run(self, flat: Flat) -> tuple[str, tuple[str, ...]]:
        """The printed values as one run of text (an empty piece as a blank, —) and the kind of
        each cell it must fill: what the digit search reads."""
        pieces = (flat.text[a:b].strip() for a, b in self.pieces)
        text = " ".join(p if clean(p) else "—" for p in pieces)
        return text, tuple(schema.kind(self.table, c) for _, c in self.keys)


def flatten(doc: RawDocument) -> Flat:
    """The document as one string, its misprinted labels restored (align.snap_cells)."""
    parts, starts, pages, wheres, snaps, pos = [], [], [], [], [], 0
    joined = rejoin([row.cells for row in doc.rows])
    for i, row in enumerate(doc.rows):
        cells, found = align.snap_cells(joined[i], i)
        snaps += found
        line = _line(cells)
        starts.append(pos)
        pages.append(row.page)
        wheres.append(row_where(row))
        parts.append(line)
        pos += len(line) + 1
    raw = "\x1e".join(parts)
    return Flat(fold(raw), raw, tuple(starts), tuple(pages), tuple(wheres), tuple(snaps))


def _line(cells: tuple[str, ...]) -> str:
    """A row's cells joined by \\x1f, a separator inside a cell made a space."""
    line = "\x1f".join(cells)
    # a cell holds a separator (rare): replace it
    if "\x1e" in line or line.count("\x1f") >= len(cells):
        line = "\x1f".join(c.replace("\x1e", " ").replace("\x1f", " ") for c in cells)
    return line


def value_pieces(
    flat: Flat, start: int, end: int, want: int = 1
) -> tuple[list[tuple[int, int]], bool]:
    """Spans of the value cells that follow a label (same row, else the next non-empty row).

    Where each row holds a single cell (one value per line), following one-cell rows are taken
    until `want` cells are found. Returns the spans and whether they run into the end of the
    document (a truncated excerpt).
    """
    text = flat.text
    spans: list[tuple[int, int]] = []
    for n, (cs, ce) in enumerate(_split(text, start, end, "\x1e")):
        cells = _split(text, cs, ce, "\x1f")
        if n == 0:
            residue, cells = cells[0], cells[1:]
            if text[residue[0] : residue[1]].strip():
                cells = [residue] + cells
        if not cells or (n > 0 and all(not text[a:b].strip() for a, b in cells)):
            continue
        if spans and (len(cells) > 1 or not looks_like_value(text[cells[0][0] : cells[0][1]])):
            break
        for a, b in cells:
            piece = text[a:b]
            if not looks_like_value(piece):
                lead = _VALUE_LEAD.match(piece)
                if lead and not spans:
                    spans.append((a, a + lead.end()))
                return spans, False
            spans.append((a, b))
        if len(cells) > 1 or len(spans) >= want or len(text[spans[0][0] : spans[0][1]].split()) > 1:
            break
    return spans, end >= len(text) - 1


def _split(text: str, start: int, end: int, sep: str) -> list[tuple[int, int]]:
    out, pos = [], start
    while True:
        nxt = text.find(sep, pos, end)
        if nxt < 0:
            out.append((pos, end))
            return out
        out.append((pos, nxt))
        pos = nxt + 1


APPEALS_START = re.compile(schema.compile_label("行政复议"))
APPEALS_HEADER = re.compile(
    "|".join(
        schema.compile_label(w)
        for w in (
            "行政复议",
            "行政诉讼",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "未经复议直接起诉",
            "复议后起诉",
            "维持",
            "纠正",
            "审结",
            "起诉",
            "结果",
            "其他",
        )
    )
)
SECTION_END = re.compile(r"(?:^|[\x1e\x1f\s。])(?:五|六)[、.]|存在的主要问题|其他需要报告")


def _applications_format(
    found: list[tuple[str, int, int]], fallback: str | None
) -> tuple[str, str]:
    """2021 prints three （六） sub-rows, 2019 one row; an excerpt cut before （六） borrows the
    other table's."""
    codes = {code for code, _, _ in found}
    if len(codes & {"other_no_correction", "other_no_fee", "other_other"}) >= 2:
        return "2021", ""
    if codes & {"other", "total_handled", "carried_forward"}:
        return "2019", ""
    if fallback:
        return (
            fallback,
            "the table stops before （六）其他处理; format taken from the 主动公开 table",
        )
    return (
        "2021",
        "the table stops before （六）其他处理 and nothing else names the format; assumed 2021",
    )


def _proactive_format(text: str, start: int, end: int) -> str | None:
    for fmt in ("2019", "2021"):
        rx = schema.marker_regex("proactive", fmt)
        if rx and rx.search(text, max(0, start - 400), end):
            return fmt
    return None


def find_tables(flat: Flat) -> tuple[dict[str, str], list[Blob], list[dict]]:
    """Locate the three tables; return their formats, the value blobs to resolve, and notes as
    checks."""
    text = flat.text
    blobs: list[Blob] = []
    formats: dict[str, str] = {}
    notes: list[dict] = []

    apps = locate(text, "applications", schema.label_plan("applications"))
    apps_start = apps[0][1] if apps else len(text)
    pro = locate(text, "proactive", schema.label_plan("proactive"), 0, apps_start)
    if pro:
        fmt = _proactive_format(text, pro[0][1], pro[-1][2] + WINDOW)
        if fmt is None:
            fmt = (
                "2019"
                if any(c in ("other_admin_services", "procurement") for c, _, _ in pro)
                else "2021"
            )
            notes.append(
                note(
                    "proactive",
                    "format",
                    "no column header names the format; guessed from the rows",
                )
            )
        formats["proactive"] = fmt
        lay = schema.layout("proactive", fmt)
        pro = _aligned(flat, "proactive", [f for f in pro if f[0] in lay], lay, apps_start, notes)
        blobs += _row_blobs(flat, "proactive", pro, lay, apps_start)
    if apps:
        fmt, why = _applications_format(apps, formats.get("proactive"))
        if why:
            notes.append(note("applications", "format", why))
        formats["applications"] = fmt
        lay = schema.layout("applications", fmt)
        apps = [f for f in apps if f[0] in lay]
        tail = apps[-1][2]
        m = APPEALS_START.search(text, tail)
        tail_end = m.start() if m else min(len(text), tail + WINDOW)
        apps = _aligned(flat, "applications", apps, lay, tail_end, notes)
        blobs += _row_blobs(flat, "applications", apps, lay, tail_end)
        appeals = _appeals_blob(flat, m.start() if m else None)
        if appeals:
            formats["appeals"] = fmt
            blobs.append(appeals)
    return formats, blobs, notes


def _aligned(flat: Flat, table: str, found: list, lay: dict, end: int, notes: list) -> list:
    """The anchors and the rows placed between them by their neighbours (align.place_unread), as
    (code, start, end, why unsure or '', strict); how sure misprints were read goes to `notes`.

    A label read from a near misprint is sure when the order agrees: it stands in the one row the
    format leaves between two sure neighbours. Otherwise the identities decide (resolve).
    """

    def values_end(e: int, stop: int) -> int:
        pieces, _ = value_pieces(flat, e, stop, 1)
        return pieces[-1][1] if pieces else e

    rows = list(lay)
    placed = align.place_unread(flat.text, table, rows, found, values_end)
    read = [("", True) if how else _misprint(flat, code, s, e) for code, s, e, how in placed]
    out = []
    for i, (code, s, e, how) in enumerate(placed):
        if how:
            out.append((code, s, e, _placed(code, flat.raw[s:e].strip(), how), how != "unreadable"))
            continue
        why, sure = read[i]
        if why and not sure and _in_its_slot(placed, read, i, rows):
            why, sure = why + ", the one row the order leaves between its neighbours", True
        if why and sure:
            notes.append(note(table, "label_match", why, code))
        out.append((code, s, e, "" if sure else why, False))
    return out


def _in_its_slot(placed: list, read: list, i: int, rows: list[str]) -> bool:
    """Entry i stands right after the row before it and right before the row after it, both
    printed as the template prints them (neither placed nor read from a misprint)."""
    if i == 0 or i + 1 >= len(placed):
        return False
    rank = rows.index(placed[i][0])
    return all(
        rows.index(placed[j][0]) == rank + j - i and not placed[j][3] and not read[j][0]
        for j in (i - 1, i + 1)
    )


def _placed(code: str, label: str, how: str) -> str:
    what = {
        "words": f"the label of {code} is printed '{label[:30]}', which names no row",
        "empty": f"the row of {code} has no label of its own",
    }.get(how, f"the label of {code} is unreadable ('{label[:30]}')")
    return what + ": placed by its neighbours"


def _misprint(flat: Flat, code: str, s: int, e: int) -> tuple[str, bool]:
    """How a label was read from a misprint near the template's words ('' if it was not), and
    whether it is near enough to stand without the identities."""
    rows = range(flat.row(s), flat.row(max(s, e - 1)) + 1)
    near = [x for x in flat.snaps if x.row in rows]
    if not near:
        return "", True
    x = min(near, key=lambda x: x.score)
    why = f"the label of {code} is printed '{x.printed[:30]}', read as '{x.phrase}' ({x.score:.2f})"
    return why, x.sure


def _row_blobs(flat: Flat, table: str, found, lay: dict, end: int) -> list[Blob]:
    out: list[Blob | None] = []
    for i, (code, _s, e, unsure, words) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else end
        pieces, truncated = value_pieces(flat, e, stop, len(lay[code]))
        detached = _all_empty(flat, pieces) and detached_pieces(flat, e, stop, len(lay[code]))
        if detached:
            pieces = detached
        if not pieces:
            out.append(None)  # a label with nothing after it: its cells are missing, not blank
            continue
        keys = [(code, c) for c in lay[code]]
        out.append(
            Blob(
                table,
                keys,
                pieces,
                truncated=truncated,
                detached=bool(detached),
                unsure=unsure,
                words=words,
            )
        )
    _order_detached(flat, out, [f[1] for f in found[1:]] + [end])
    return [b for b in out if b is not None]


def _order_detached(flat: Flat, blobs: list[Blob | None], stops: list[int]) -> None:
    """Mark the detached rows that only their own label can take (Blob.in_order).

    Values below a label could also be the next label's, printed above it, unless that label holds
    values of its own, a header row stands between, or the table ends. Walked from the last row.
    """
    taken = True  # after the last row: the table's end takes nothing
    for blob, stop in zip(reversed(blobs), reversed(stops)):
        if blob is not None and blob.detached:
            blob.in_order = taken or _walled(flat, blob.pieces[-1][1], stop)
        taken = blob is not None and (
            blob.in_order if blob.detached else not _all_empty(flat, blob.pieces)
        )


def _walled(flat: Flat, start: int, stop: int) -> bool:
    """A row of words that names no row (a block header) stands between `start` and `stop`."""
    rows = _split(flat.text, start, stop, "\x1e")[1:-1]
    return any(_words_only(flat.text[a:b]) for a, b in rows if flat.text[a:b].strip("\x1f "))


def _all_empty(flat: Flat, pieces: list[tuple[int, int]]) -> bool:
    return bool(pieces) and not any(flat.text[a:b].strip() for a, b in pieces)


def detached_pieces(flat: Flat, start: int, end: int, want: int) -> list[tuple[int, int]]:
    """Values printed on a row of their own below a label whose row holds only empty cells.

    Converters and some editors put a row's numbers on the next table row. Between this label and
    the next one found in order there is then exactly one row of values, followed by nothing or by
    words that name no row (the next block's header): that row has one slot it can fill. Returns
    its cells (leading empty cells kept, for the resolver to trim), or [] when the layout is
    anything else. Whether the numbers are accepted is for the identities, or in a table without
    them for the order of every other row, to decide (see resolve).
    """
    text = flat.text
    rows = _split(text, start, end, "\x1e")[1:]  # the rows after the label's own
    if rows and end < len(text):
        rows = rows[:-1]  # the row the next label stands in, up to that label
    filled = [(a, b) for a, b in rows if text[a:b].replace("\x1f", "").strip()]
    if not filled or any(not _words_only(text[a:b]) for a, b in filled[1:]):
        return []  # no row of values, or more than one before the next label
    cells = _split(text, *filled[0], "\x1f")
    values = [(a, b) for a, b in cells if text[a:b].strip()]
    if not all(looks_like_value(text[a:b]) for a, b in values):
        return []
    if len(values) < want:  # blanks printed as nothing: only a row of one label cell and its
        # `want` value cells says which cells they were
        empty_label = len(cells) == want + 1 and not text[slice(*cells[0])].strip()
        return cells[1:] if values and empty_label else []
    first = cells.index(values[0])
    return cells[first:] if len(values) == want and len(cells) - first >= want else []


def _words_only(row: str) -> bool:
    """A row of words that names no row of the tables (the next block's header), no values."""
    cells = [c for c in row.split("\x1f") if c.strip()]
    return not any(looks_like_value(c) for c in cells) and not labels.count_row_labels(row)


def _appeals_blob(flat: Flat, start: int | None) -> Blob | None:
    """The 15 appeals values follow the last header word before the first digit."""
    if start is None:
        return None
    text = flat.text
    end_m = SECTION_END.search(text, start + 1)
    end = end_m.start() if end_m else len(text)
    last = start
    for m in APPEALS_HEADER.finditer(text, start, end):
        if _DIGIT.search(text, last, m.start()):
            break
        last = m.end()
    keys = [(r, c) for r in schema.rows("appeals", "2021") for c in schema.cols("appeals", "2021")]
    pieces, truncated = value_pieces(flat, last, end, len(keys))
    digit = _DIGIT.search(text, last, end)
    if _all_empty(flat, pieces) and digit and flat.row(digit.start()) > flat.row(last):
        # the header's last word ends a row of empty cells (a header cut into lines: 结果维 | 持):
        # the values are the first row below that holds a digit
        pieces, truncated = value_pieces(flat, flat.starts[flat.row(digit.start())], end, len(keys))
    if not pieces:
        return None
    return Blob("appeals", keys, pieces, truncated=truncated)


def note(table: str, check: str, detail: str, scope: str = "table") -> dict:
    """A reading note as a checks row (information, not evidence)."""
    return check_row(check, table, scope, "note", detail)
