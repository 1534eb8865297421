"""What every reader returns: the document's rows of cell strings, in reading order, with
provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class ReadError(Exception):
    """A file the toolkit cannot read: ``str(exc)`` names the file and the reason.

    Attributes
    ----------
    reason : str
        Why, without the file name (what the dataset's ``errors`` table stores beside ``file``).
    stage : str
        Where it arose: ``open``, ``sniff``, ``convert``, ``match``, ``extract`` ...
    file : str or None
        The file's name, once the reader that raised it knows which file it was.
    """

    def __init__(self, message: str, *, stage: str = "read", file: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.stage, self.file = message, stage, file

    def naming(self, path) -> ReadError:
        """This error with the file's name in its message (once: names already given stay)."""
        if self.file is None:
            self.file = getattr(path, "name", None) or str(path).rsplit("/", 1)[-1]
            self.args = (f"{_printable(self.file)}: {self.reason}",)
        return self


def _printable(name: str) -> str:
    """A file name that can be printed and stored: undecodable bytes as ``\\xNN``."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class OcrCell:
    """How one OCR'd cell was read: where on the page, how sure, and what else it could say (for
    repair).
    """

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the deskewed page image at `dpi`
    confidence: float  # the least certain character's probability, 0..1 (1.0 for an empty cell)
    alternatives: tuple[
        tuple[str, float], ...
    ] = ()  # other readings of a number, each with its probability
    dpi: float | None = None
    angle: float = 0.0  # degrees the page image was rotated by to deskew it


class Where(NamedTuple):
    """Where one cell was printed, one model for every format: a box on a page (PDF text layer:
    points, origin bottom-left as PDFium reports them; OCR: pixels of the rendered page), a line
    and character span of the decoded text (text), or the element's path (HTML, Word). A named
    tuple: readers make one per cell, so it must be cheap."""

    box: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1
    unit: str | None = None  # 'pt' or 'px', with a box
    line: int | None = None  # 1-based line of the decoded text where the cell starts
    start: int | None = None  # [start, end) character offsets in the decoded text
    end: int | None = None
    path: str | None = None  # e.g. /html/body/table[2]/tbody/tr[5]/td[3]


@dataclass(frozen=True, slots=True)  # no __dict__: a long text file has a row per line
class RawRow:
    """One table row (cells as printed) or one paragraph of prose (a single cell)."""

    cells: tuple[str, ...]
    page: int | None = None
    table: int | None = None  # index of the source table, None for prose
    ocr: tuple[OcrCell | None, ...] | None = None  # per cell, when the row was read from an image
    where: tuple[Where | None, ...] | None = None  # per cell, where the reader knows it


@dataclass(frozen=True)
class RawDocument:
    """A report as its reader saw it: rows of cell strings in document order, nothing parsed yet."""

    path: str
    reader: str
    rows: tuple[RawRow, ...]
    encoding: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The whole document as plain text, for meta and narrative checks."""
        return "\n".join(" ".join(c for c in r.cells if c) for r in self.rows)
