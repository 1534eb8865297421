"""Quirks that change what a table's labels and headers say, never a value it states.

Registered in :data:`toolkit.testing.quirks.QUIRKS`; each takes a document and a random stream and
returns a new document, editing cells in place (spans kept) unless it says otherwise:

- :func:`misread_label`: one Han character of a row label misread or mistyped (予以公开 → 予以公廾);
- :func:`garbled_label`: a row label printed as noise ('■■■■'), its numbers kept;
- :func:`header_spread`: a merged header cell's text written into every column it spans;
- :func:`header_collapsed`: the applications table's header rows as one row;
- :func:`hybrid`: a label of one format printed in the other format's wording.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import cache

from toolkit import schema
from toolkit.normalize import fold, parse_cell
from toolkit.testing.gridedit import (
    body_rows,
    grids,
    header_rows,
    label_at,
    regrid,
    rows_of,
    with_grid,
)
from toolkit.testing.render.model import Cell, Document, Grid, official_label

# common Han characters, for a misread character and for noise; those a reader treats as a
# look-alike (look_alikes.csv), numerals and blank markers (无, 空) are left out when drawing
COMMON = (
    "的是在了有和这中大为上个我以要他时来用们生到作地出就分对成会可主发动同也能下过子说产种面而"
    "方后多定学所民得经之进着等家电里如水化高自理起小物现实量都两体制当使点从业本去把性好应它还"
    "因由其些然前外天那社义平形相全表间样与关各新线内数正心反你明看原又么利比或但质气第向道命此"
    "变条只没结解问意建月系很情者最立代想通并提直题党程展果料象员革位常文总次品式活设及特件长求"
    "老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几区强放决西被干做必战先回则任取"
    "据处队南给色光门即保治北造规热领海东导器志世金增争济阶油思术极交受联什认共权收证改清美再采"
    "转更单风切打白教速花带安场身车例真务具每目至达走积示议声报斗完类离华名确才科张马节话米整元"
    "况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深"
    "难近矿周委素技备半办青省列习响约支般史感便团往酸历市克何除消构府称太准精值号率族维划选标写"
    "存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听"
)
NUMERALS = "一二三四五六七八九十百千万〇零"
# the numbering in front of a label's words: （一） 一、 1. 1、 （1） ①, full-width too
NUMBERING = re.compile(
    r"^\s*(?:[(（][一二三四五六七八九十\d０-９]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|[\d０-９]{1,2}\s*[.．、,，]|[①-⑨])\s*"
)
SECTION = re.compile(
    r"^\s*[一二三四五六七八九十]{1,3}、"
)  # 三、本年度办理结果 over the result rows
BRACKETED = re.compile(r"[(（][^()（）]*[)）]\s*$")  # a filling instruction or note after the words
NOISE_ASCII = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ#%&@?~"


# --- what a text reads as ---------------------------------------------------------------------


@cache
def han_pool() -> tuple[str, ...]:
    """The common Han characters a misread or noise may print: no look-alike of any character
    (look_alikes.csv, both columns), no numeral, no blank marker, each its own folded form."""
    alikes = {ch for ch, others in schema.look_alikes().items() for ch in (ch, *others)}
    banned = alikes | set(NUMERALS) | {"无", "空"}
    return tuple(ch for ch in dict.fromkeys(COMMON) if ch not in banned and fold(ch) == ch)


def reads_as(text: str, table: str, fmt: str) -> set[tuple[str, str]]:
    """Every ('row', code) whose label the text holds and ('col', code) whose header it is, as the
    reader's own patterns (aliases.csv, headers.csv) find them in the folded text."""
    flat = fold(text.replace("\n", ""))
    found = {("row", code) for code in schema.rows(table, fmt) if _label(table, code, fmt, flat)}
    for code in schema.cols(table, fmt):
        rx = schema.header_regex(table, code)
        if rx is not None and rx.fullmatch(flat):
            found.add(("col", code))
    return found


def _label(table: str, code: str, fmt: str, flat: str) -> bool:
    try:
        return schema.label_regex(table, code, fmt).search(flat) is not None
    except KeyError:  # a code with no alias in this format
        return False


def words(text: str) -> tuple[int, int]:
    """Where a label's words start and end: after its numbering, before a trailing bracketed
    instruction or note."""
    m = NUMBERING.match(text)
    start = m.end() if m else 0
    tail = BRACKETED.search(text, start)
    return start, tail.start() if tail and tail.start() > start else len(text)


def misread_spots(text: str) -> list[int]:
    """Positions of a label where one Han character may be misread: inside its words, never the
    first; none where the words hold fewer than 4 Han characters (so ≥ 75% of them stay)."""
    start, end = words(text)
    han = [i for i, ch in enumerate(text) if start <= i < end and "\u4e00" <= ch <= "\u9fff"]
    return han[1:] if len(han) >= 4 else []


def _label_cells(grid: Grid) -> list[tuple[int, int]]:
    """(row, column) of every row label and group label of the grid's value rows (not the
    section label 三、本年度办理结果 standing over the result rows)."""
    spots: set[tuple[int, int]] = set()
    for r in body_rows(grid.rows):
        row = grid.rows[r]
        at = label_at(row)
        if at is None:
            continue
        spots.add((r, at))
        for c in range(at):
            cell = row[c]
            if cell is not None and not cell.head and cell.text.strip():
                if not SECTION.match(cell.text):
                    spots.add((r, c))
    return sorted(spots)


def _set_text(doc: Document, block: int, r: int, c: int, text: str) -> Document:
    grid = doc.blocks[block].grid
    rows = rows_of(grid)
    rows[r][c] = replace(rows[r][c], text=text)
    return with_grid(doc, block, regrid(grid, rows))


# --- the quirks -------------------------------------------------------------------------------


def misread_label(doc: Document, rng: random.Random) -> Document:
    """One Han character of 1–2 row labels of the applications table (and sometimes of one of the
    proactive table) replaced by another common one, as a typo or an OCR misread prints it:
    予以公开 → 予以公廾. Never a character of the numbering, never the words' first, never a
    look-alike (look_alikes.csv); only in labels of 4 or more Han characters; never where the
    label would then read as another row's label or a column header."""
    plan = [("applications", rng.choice((1, 2)))]
    if rng.random() < 0.3:
        plan.append(("proactive", 1))
    for table, k in plan:
        spots = [(b, r, c) for b, g in grids(doc, table) for r, c in _label_cells(g)]
        for b, r, c in rng.sample(spots, len(spots)):
            if k == 0:
                break
            new = misread(doc.blocks[b].grid.rows[r][c].text, table, doc.fmt, rng)
            if new is not None:
                doc, k = _set_text(doc, b, r, c, new), k - 1
    return doc


def misread(text: str, table: str, fmt: str, rng: random.Random) -> str | None:
    """The label with one character misread, or None where no misreading keeps it unambiguous."""
    spots = misread_spots(text)
    before = reads_as(text, table, fmt)
    for i in rng.sample(spots, len(spots)):
        for ch in rng.sample(han_pool(), 12):
            new = text[:i] + ch + text[i + 1 :]
            if fold(ch) != fold(text[i]) and reads_as(new, table, fmt) <= before:
                return new
    return None


def garbled_label(doc: Document, rng: random.Random) -> Document:
    """One row label of the applications table printed as noise ('■■■■', '���', random Han or
    ASCII characters), its numbers kept: never the table's first or last value row, and only where
    the rows above and below keep labels that read as theirs. A reader may place the row only by
    its neighbours and the table's identities: exact or NA, never another row's numbers."""
    spots = []
    for b, g in grids(doc, "applications"):
        body = body_rows(g.rows)
        for above, r, below in zip(body, body[1:], body[2:]):
            at = label_at(g.rows[r])
            if (
                at is not None
                and _keeps_label(g, above, doc.fmt)
                and _keeps_label(g, below, doc.fmt)
            ):
                spots.append((b, r, at))
    if not spots:
        return doc
    b, r, c = rng.choice(spots)
    return _set_text(doc, b, r, c, noise(rng, rng.randint(2, 6), doc.fmt))


def _keeps_label(grid: Grid, r: int, fmt: str) -> bool:
    at = label_at(grid.rows[r])
    return at is not None and any(
        kind == "row" for kind, _ in reads_as(grid.rows[r][at].text, "applications", fmt)
    )


def noise(rng: random.Random, n: int, fmt: str) -> str:
    """`n` characters that read as no label, no header, no number and no blank."""
    while True:
        how = rng.choice(("block", "replacement", "han", "ascii"))
        if how == "block":
            text = "■" * n
        elif how == "replacement":  # a mis-decoded page
            text = "\ufffd" * n
        else:
            pool = han_pool() if how == "han" else NOISE_ASCII
            text = "".join(rng.choice(pool) for _ in range(n))
        if not reads_as(text, "applications", fmt) and parse_cell(text).status == "invalid":
            return text


def header_spread(doc: Document, rng: random.Random) -> Document:
    """Merged header cells written into every column they span, their text repeated in each (as
    converters that drop colspans print them): 申请人情况 seven times, 法人或其他组织 five. Each
    merged header cell of every table is spread with chance 0.7, at least one of the applications
    table. A grid whose spans are already written out (Style(merged=False), or after a quirk that
    rewrites the rows) has none left to spread and stays as it is."""
    for b, grid in list(grids(doc, *schema.TABLES)):
        rows = rows_of(grid)
        spots = [
            (r, c)
            for r, row in enumerate(rows)
            for c, cell in enumerate(row)
            if cell is not None and cell.head and cell.colspan > 1
        ]
        chosen = [s for s in spots if rng.random() < 0.7]
        if grid.name == "applications" and spots and not chosen:
            chosen = [rng.choice(spots)]
        for r, c in chosen:
            cell = rows[r][c]
            for k in range(cell.colspan):  # positions below stay covered by each copy's rowspan
                rows[r][c + k] = Cell(cell.text, rowspan=cell.rowspan, head=True)
        doc = with_grid(doc, b, regrid(grid, rows))
    return doc


def header_collapsed(doc: Document, rng: random.Random) -> Document:
    """The header rows of the applications table as one row: each column's header texts joined top
    to bottom ('申请人情况 法人或其他组织 商业企业'), or only its lowest one, the rows above dropped
    (a cell that reaches down into the last header row, 自然人 or 总计, stays). Columns under the
    same cells share one merged cell, as before."""
    lowest = rng.random() < 0.5
    for b, grid in list(grids(doc, "applications")):
        rows = rows_of(grid)
        n = header_rows(rows)
        if n < 2:
            continue
        covers: list[list[tuple[int, int]]] = [[] for _ in rows[0]]
        for r in range(n):
            for c, cell in enumerate(rows[r]):
                for k in range(cell.colspan if cell is not None else 0):
                    covers[c + k].append((r, c))
        if lowest:  # the lowest cell over each column that prints something
            covers = [
                [(r, k) for r, k in cs if rows[r][k].text.strip()][-1:] or cs[-1:] for cs in covers
            ]
        head: list[Cell | None] = []
        c = 0
        while c < len(covers):
            span = 1
            if any(rows[r][k].colspan > 1 for r, k in covers[c]):  # one cell over these columns
                while c + span < len(covers) and covers[c + span] == covers[c]:
                    span += 1
            texts = [rows[r][k].text.replace("\n", "").strip() for r, k in covers[c]]
            text = " ".join(dict.fromkeys(t for t in texts if t))
            head += [Cell(text, colspan=span, head=True)] + [None] * (span - 1)
            c += span
        doc = with_grid(doc, b, regrid(grid, [head] + rows[n:], header_rows=1))
    return doc


def hybrid(doc: Document, rng: random.Random) -> Document:
    """A 2019/2021 hybrid: 1–3 labels printed in the other format's wording where codes.csv gives
    the same code another label there. The applications table words every row alike in both
    (（六）其他处理 becoming three rows is other codes, not other wording), so these are the
    proactive table's: the row 行政规范性文件 (2019: 规范性文件) and the column header
    本年处理决定数量 (2019: 处理决定数量), as 2021 reports printing the 2019 proactive headers
    do."""
    other = {"2019": "2021", "2021": "2019"}[doc.fmt]
    reword = rewordings(doc.fmt, other)
    spots = []
    for b, grid in grids(doc, "applications", "proactive"):
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                if cell is None or cell.value:
                    continue
                key = ("col" if cell.head else "row", cell.text.replace("\n", ""))
                if key in reword:
                    spots.append((b, r, c, reword[key]))
    for b, r, c, text in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        doc = _set_text(doc, b, r, c, text)
    return doc


@cache
def rewordings(fmt: str, other: str) -> dict[tuple[str, str], str]:
    """(kind, printed text in `fmt`) -> the same label in `other`'s wording, for the applications
    and proactive codes both formats print but word differently (codes.csv); a label printed as
    group and item (（三）不予公开 1.…) contributes each part that differs."""
    out: dict[tuple[str, str], str] = {}
    codes = schema.codes()
    for table, kind, code, formats in zip(codes.table, codes.kind, codes.code, codes.formats):
        if table not in ("applications", "proactive") or {fmt, other} - set(formats.split(";")):
            continue
        now, then = (official_label(table, kind, code, f).split(" ") for f in (fmt, other))
        pairs = zip(now, then) if len(now) == len(then) else [(" ".join(now), " ".join(then))]
        out.update({(kind, a): b for a, b in pairs if a != b})
    return out
