"""What a rendered report is made of, before any file format: blocks of prose and grids of cells."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

from toolkit import schema

BLANK_MARKERS = ("", "/", "-", "—")
NUMBERINGS = ("1.", "1、", "（1）", "①")
TARGETS = ("text-lines", "text-pipe", "text-run", "html", "docx", "pdf")
_FULL = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


@dataclass(frozen=True)
class Style:
    """The real-world mess a rendering mimics; the defaults print the template as issued."""

    # how a blank (NA) cell is printed: '', '/', '-', '—', or 'mixed' (one of them per cell)
    blank: str = ""
    numbering: str = "1."  # sub-item numbering: '1.', '1、', '（1）', '①', or 'mixed' (per row)
    fullwidth: bool = False  # digits in value cells printed full-width (１２３)
    typo: bool = False  # print the real typo 其他法律行政止公开
    instructions: bool = True  # labels carry the template's filling instructions in brackets
    # header cells merged (rowspan/colspan); False: each header span's other positions empty
    merged: bool = True
    # every span written as a plain grid with empty cells, as grid extractors (camelot) give it
    padded: bool = False
    wrap: bool = False  # long labels wrapped onto two lines inside their cell
    # pdf: the applications table continues on a new page from this body row
    split: int | None = None
    run_spaces: float = 0.0  # text-run: chance of a space between two value cells
    title_lines: int = 1  # 1: agency and title on one line; 2: the agency on a line of its own
    seed: int = 0  # the per-cell and per-row choices of 'mixed' options and of the prose

    def __post_init__(self) -> None:
        _allowed("blank", self.blank, BLANK_MARKERS + ("mixed",))
        _allowed("numbering", self.numbering, NUMBERINGS + ("mixed",))
        _allowed("title_lines", self.title_lines, (1, 2))


def _allowed(name: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(
            f"{name}={value!r} is not allowed; choose one of {', '.join(map(repr, allowed))}"
        )


@dataclass(frozen=True)
class Cell:
    """One printed cell: text ('\\n' where it wraps), its span, and whether it is a value or a
    header cell.
    """

    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False
    head: bool = False


@dataclass(frozen=True)
class Grid:
    """A table as printed: positions row × column, a Cell at each span's top-left, None where a span
    covers.
    """

    name: str
    rows: tuple[tuple[Cell | None, ...], ...]
    header_rows: int
    widths: tuple[float, ...]  # relative column widths, for the formats that draw a page


@dataclass(frozen=True)
class Block:
    """A line of the document: 'title', 'heading' or 'para' text, or a 'table'."""

    kind: str
    text: str = ""
    grid: Grid | None = None


@dataclass
class Document:
    """The whole report, in reading order, with the choices that made it (for a reader
    to compare).
    """

    agency: str
    year: int
    fmt: str
    blocks: list[Block] = field(default_factory=list)


def chooser(style: Style, salt: str) -> random.Random:
    """A private random stream per purpose, so one option's choices never shift another's."""
    return random.Random(f"{style.seed}:{salt}")


def number_text(value: float | None, kind: str, style: Style, rng: random.Random) -> str:
    """A value as printed: integers without '.0', money in its shortest exact decimal, NA as a blank
    marker.
    """
    if value is None:
        return rng.choice(BLANK_MARKERS) if style.blank == "mixed" else style.blank
    value = float(value)
    text = str(int(value)) if value.is_integer() else repr(value)
    if "e" in text or (kind == "count" and not value.is_integer()):
        raise ValueError(f"{value!r} cannot be printed as a {kind} cell")
    return text.translate(_FULL) if style.fullwidth else text


def numbered(n: int, text: str, style: Style, rng: random.Random) -> str:
    """A sub-item label with its number in the chosen style: 1.属于国家秘密, 1、…, （1）…, ①…,
    full-width too.
    """
    how = rng.choice(NUMBERINGS) if style.numbering == "mixed" else style.numbering
    if how == "①":
        return "①②③④⑤⑥⑦⑧⑨"[n - 1] + text
    number = how.replace("1", str(n))
    return (number.translate(_FULL) if style.fullwidth else number) + text


@cache
def _labels() -> dict[tuple[str, str, str], str]:
    df = schema.codes()
    return {(t, k, c): z for t, k, c, z in zip(df.table, df.kind, df.code, df.label_zh)}


def official_label(table: str, kind: str, code: str, fmt: str) -> str:
    """The label the template prints for a row or column in this format (codes.csv, with its 2019
    variant).
    """
    label = _labels()[(table, kind, code)]
    if " (2019: " in label:
        now, old = label.split(" (2019: ")
        return old.rstrip(")") if fmt == "2019" else now
    return label


def wrapped(text: str, style: Style, *, width: int = 8) -> str:
    """A long label broken once near its middle, never inside its leading numbering."""
    if not style.wrap or len(text) <= width or "\n" in text:
        return text
    at = max(4, len(text) // 2)
    return text[:at] + "\n" + text[at:]
