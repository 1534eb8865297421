"""HTML pages: prose blocks and table rows in reading order, merged cells expanded without
duplicating numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

from toolkit.normalize import is_blank, looks_like_value
from toolkit.readers.base import RawDocument, RawRow, ReadError, Where
from toolkit.readers.encoding import codec_name, decode, html_charset

MAX_HTML_BYTES = 50 * 1024 * 1024
MAX_ELEMENTS = 1_000_000
MAX_SPAN = 1000  # a larger rowspan/colspan is a typo or an attack, not a table
SKIP = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "select",
    "textarea",
)
BLOCK = frozenset(
    (
        "address article aside blockquote body caption center dd details div dl dt fieldset "
        "figcaption\n"
        "    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section "
        "summary table tbody td tfoot th\n"
        "    thead title tr ul"
    ).split()
)
_SPAN = re.compile(r"\s*(\d+)")  # a rowspan/colspan value: its leading digits
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"))
_ANY_INVISIBLE = re.compile(
    "[\u200b\u200c\u200d\ufeff\u00ad]"
)  # a quick test: translating is slow and rarely needed


def read_html(path: str | Path, *, data: bytes | None = None) -> RawDocument:
    """Read an HTML report page into rows of cell strings (tables) and single-cell rows (prose)."""
    raw = Path(path).read_bytes() if data is None else data
    if len(raw) > MAX_HTML_BYTES:
        raise ReadError(f"an HTML page larger than {MAX_HTML_BYTES // 2**20} MiB")
    declared = html_charset(raw)
    text, encoding = decode(raw, declared=declared)
    rows = html_rows(text)
    ignored = declared and codec_name(declared) != encoding
    notes = (
        (f"declared charset {declared!r} not used: the bytes read as {encoding}",)
        if ignored
        else ()
    )
    return RawDocument(str(path), "html", tuple(rows), encoding, notes)


def html_rows(text: str) -> list[RawRow]:
    """Decoded HTML (a page, or a fragment such as a table a Markdown file embeds) -> its prose and
    table rows in reading order, parsed as :func:`parse` does (no network, no entities, bounded).
    """
    emitter = _Emitter()
    emitter.walk(parse(text))
    emitter.flush()
    return emitter.rows


def parse(text: str) -> lxml.etree._Element:
    """Parse decoded HTML without network or external entities, refusing trees too deep or too large
    to be a report.
    """
    parser = lxml.etree.HTMLParser(
        encoding="utf-8",
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
        collect_ids=False,
        default_doctype=False,
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReadError(f"no HTML content could be parsed ({exc})") from None
    for err in parser.error_log:
        if "RESOURCE_LIMIT" in err.type_name or "Excessive depth" in err.message:
            raise ReadError(
                f"HTML nested too deeply or too large to be a report ({err.message.strip()})"
            )
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise ReadError(
            f"an HTML page with {count} elements (more than {MAX_ELEMENTS}): not a report"
        )
    lxml.etree.strip_elements(root, *SKIP, with_tail=False)
    return root


class _Emitter:
    """Walks the tree once, emitting prose rows and table rows in document order."""

    def __init__(self) -> None:
        self.rows: list[RawRow] = []
        self.buf: list[str] = []
        self.tables = 0
        self.paths: dict = {}

    def path(self, el) -> str:
        """The element's path in the document as the reader parsed it (/html/body/table/tr[5]/td[3],
        as lxml's getpath writes it): its row's path, computed once per row, and its place."""
        found = self.paths.get(el)
        if found is None:
            tr = el.getparent()
            base = tr.getroottree().getpath(tr)
            tags = [c.tag if isinstance(c.tag, str) else "" for c in tr]
            totals = {t: tags.count(t) for t in set(tags)}
            seen: dict[str, int] = {}
            for child, tag in zip(tr, tags):
                seen[tag] = k = seen.get(tag, 0) + 1
                self.paths[child] = f"{base}/{tag}[{k}]" if totals[tag] > 1 else f"{base}/{tag}"
            found = self.paths[el]
        return found

    def flush(self) -> None:
        line = norm_text("".join(self.buf))
        self.buf = []
        if line:
            self.rows.append(RawRow((line,)))

    def add(self, text: str | None) -> None:
        if text:
            self.buf.append(text)

    def walk(self, el) -> None:
        """Inline text accumulates; a block element or <br> ends the current prose row."""
        tag = _tag(el)
        if tag == "table":
            self.flush()
            self.table(el)
        elif tag == "br":
            self.flush()
        elif tag in BLOCK:
            self.flush()
            self.children(el)
            self.flush()
        elif tag:
            self.children(el)
        self.add(el.tail)

    def children(self, el) -> None:
        self.add(el.text)
        for child in el:
            self.walk(child)

    def table(self, tab) -> None:
        """Data rows become RawRows; a row whose cells hold tables is layout: its cells are walked
        as blocks.
        """
        index: int | None = None
        carry: dict[int, list] = {}
        for cap in tab.findall("caption"):
            self.children(cap)
            self.flush()
        nested = tab.find(".//table") is not None
        for tr in own_rows(tab):
            cells = [c for c in tr if _tag(c) in ("td", "th")]
            if nested and any(c.find(".//table") is not None for c in cells):
                for cell in cells:
                    self.children(cell)
                    self.flush()
                continue
            if index is None:
                index, self.tables = self.tables, self.tables + 1
            sources: list = []
            texts = tuple(grid_row(cells, carry, sources))
            path = self.path
            paths = tuple(Where(None, None, None, None, None, path(el)) for el in sources)
            self.rows.append(RawRow(texts, table=index, where=paths))


def own_rows(tab) -> list:
    """The table's own <tr>s (inside thead/tbody/tfoot too), not those of tables nested in it."""
    return [tr for tr in tab.iter("tr") if next(tr.iterancestors("table"), None) is tab]


def grid_row(cells: list, carry: dict[int, list], sources: list | None = None) -> list[str]:
    """One <tr> -> cell strings: rowspans carried down, colspans expanded only where the cell is
    blank.

    `carry` maps a grid column to [text, width, rows left] for cells spanning down from rows above.
    A label spanning down repeats (a vertical group label belongs to every row it covers); a number
    spanning down or across is printed once, with blanks holding the other positions. `sources`,
    where given, receives the element each string was printed in, in step with the strings.
    """
    out: list[str] = []
    src: list = [] if sources is None else sources
    col = 0
    queue = list(cells)
    below = dict(carry)
    carry.clear()
    while queue or any(c >= col for c in below):
        if col in below:
            text, width, left, el = below.pop(col)
            spread = spread_blanks(text, width)
            out.extend(spread)
            src.extend([el] * len(spread))
            if left > 1:
                carry[col] = [text, width, left - 1, el]
            col += width
            continue
        if not queue:
            col = min(c for c in below if c >= col)
            continue
        cell = queue.pop(0)
        text, width, height = cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan")
        if width == 1:
            out.append(text)
            src.append(cell)
        else:
            spread = spread_blanks(text, width)
            out.extend(spread)
            src.extend([cell] * len(spread))
        if height > 1:
            carry[col] = [carried_down(text), width, height - 1, cell]
        col += width
    for c, (text, width, left, el) in below.items():  # overlapped by a wide cell: spans down
        if left > 1:
            carry.setdefault(c, [text, width, left - 1, el])
    return out


def spread_blanks(text: str, width: int) -> list[str]:
    """A blank spanning n columns is n blanks; anything else is printed once."""
    return [text] * width if is_blank(text) else [text]


def carried_down(text: str) -> str:
    """What a cell spanning down leaves in the rows below: labels and blank markers repeat, numbers
    do not.
    """
    return text if is_blank(text) or not looks_like_value(text) else ""


def _span(cell, attr: str) -> int:
    value = cell.get(attr)
    m = _SPAN.match(value) if value else None  # most cells carry no span attribute
    return max(1, min(int(m.group(1)), MAX_SPAN)) if m else 1


def cell_text(cell) -> str:
    """A cell's text: nested blocks and <br> on their own lines, &nbsp; and runs of spaces as one
    space.
    """
    if not len(cell):  # text only, the common cell
        return norm_text(cell.text or "")
    lines: list[list[str]] = [[cell.text or ""]]
    for child in cell:
        _cell_lines(child, lines)
    return "\n".join(t for t in (norm_text(s) for s in map("".join, lines) if s) if t)


def _cell_lines(el, lines: list[list[str]]) -> None:
    """Append one element's text (and its tail) to the cell's lines, opening new lines around blocks
    and <br>.
    """
    tag = _tag(el)
    block = tag in BLOCK or tag == "br"
    if block:
        lines.append([])
    if tag and tag != "br":
        lines[-1].append(el.text or "")
        for child in el:
            _cell_lines(child, lines)
    if block:
        lines.append([])
    lines[-1].append(el.tail or "")


def norm_text(text: str) -> str:
    """Invisible characters dropped, every run of whitespace one space, none at the ends."""
    if _ANY_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())  # str.split and the regex \s agree on what whitespace is


def _tag(el) -> str:
    """Lower-case tag name; '' for comments and other non-elements."""
    tag = el.tag  # lxml builds the string anew on every access
    return tag.lower() if isinstance(tag, str) else ""
