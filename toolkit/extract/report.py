"""Report: what one document says (meta + tidy cells), what was checked, and how far it can be
trusted."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from toolkit import schema
from toolkit.extract import identify as meta
from toolkit.extract import match, narrative
from toolkit.extract import pre2019 as legacy
from toolkit.extract.repair import repair, repaired_status
from toolkit.extract.resolve import resolve
from toolkit.extract.validate import (
    Key,
    cell_items,
    cells_frame,
    checks_frame,
    identity_rows,
    records,
)
from toolkit.readers import RawDocument, ReadError, read_document

CORE = ("applications", "appeals")
LEGACY_CORE = ("legacy_applications", "legacy_appeals")
LEGACY_FORMAT = "pre2019"


@dataclass
class Report:
    """One report as read: what it says, what was checked, and how far it can be trusted.

    Attributes
    ----------
    meta : dict
        agency, year (the year the statistics cover), title, the format of each table read
        (``formats``), file, reader, encoding, sha256.
    cells : pandas.DataFrame
        One row per printed cell: table, row, col (canonical codes), value (NA where blank or not
        readable unambiguously), raw (the text as printed), page, na_reason.
    checks : pandas.DataFrame
        One row per identity or note: check, table, scope, lhs, rhs, diff (= lhs - rhs), ok,
        status, detail.
    status : str
        ``verified``, ``repaired``, ``partial`` or ``inconsistent`` (see the README).
    reasons : list of str
        Why the status is what it is, one sentence each.
    """

    meta: dict
    cells: pd.DataFrame
    checks: pd.DataFrame
    status: str
    reasons: list[str] = field(default_factory=list)

    def table(self, name: str, *, lang: str = "zh") -> pd.DataFrame:
        """One table in its familiar wide layout, rows and columns labelled as printed.

        Parameters
        ----------
        name : str
            ``proactive``, ``applications`` or ``appeals``.
        lang : {"zh", "en"}, default "zh"
            ``zh`` labels rows and columns with the official Chinese labels, ``en`` with the codes.

        Returns
        -------
        pandas.DataFrame
            Values (NA where blank or unreadable), rows and columns in the printed order; empty
            when the report does not hold the table.

        Raises
        ------
        ValueError
            If `name` is not a table of the national format.

        Examples
        --------
        >>> report.table("applications", lang="en").loc["unavailable_not_held", "total"]
        ... # doctest: +SKIP
        """
        if name not in schema.TABLES:
            raise ValueError(f"unknown table {name!r}; choose one of {', '.join(schema.TABLES)}")
        fmt = self.meta["formats"].get(name)
        if fmt is None:
            return pd.DataFrame()
        sel = self.cells[self.cells.table == name]
        wide = sel.pivot(index="row", columns="col", values="value")
        lay = schema.layout(name, fmt)
        col_order = list(dict.fromkeys(c for cs in lay.values() for c in cs))
        wide = wide.reindex(
            index=[r for r in lay if r in wide.index],
            columns=[c for c in col_order if c in wide.columns],
        )
        if lang == "zh":
            labels = schema.labels_zh(name)
            wide = wide.rename(
                index=lambda r: labels[("row", r)], columns=lambda c: labels[("col", c)]
            )
        return wide

    def summary(self) -> str:
        """A few lines a person can read: who, which year, the status and what failed.

        Returns
        -------
        str
        """
        m = self.meta
        lines = [
            f"{m['file']}: {m.get('agency') or '(agency not stated)'} "
            f"{m.get('year') or '(year not stated)'} — {self.status}"
        ]
        lines += [f"  {r}" for r in self.reasons]
        return "\n".join(lines)


def read_report(path: str | Path) -> Report:
    """Read one report file of any supported format into a validated :class:`Report`.

    The format is sniffed from the bytes (HTML, text, PDF with a text layer or scanned, DOCX,
    DOC/WPS/RTF through LibreOffice, images), never from the file name.

    Parameters
    ----------
    path : str or Path
        The report file.

    Returns
    -------
    Report
        Its meta, tidy cells, checks, status and the reasons for the status.

    Raises
    ------
    ReadError
        If the file cannot be read as a report (empty, damaged, encrypted, no report tables or
        title, ...); ``str(exc)`` names the file's problem and ``exc.stage`` where it arose.

    Examples
    --------
    >>> report = toolkit.read_report("chaoyang-district-2022.txt")  # doctest: +SKIP
    >>> report.status  # doctest: +SKIP
    'verified'
    """
    doc = read_document(path)  # raises ReadError naming the file
    try:
        report = build_report(doc)  # the file's bytes are not held while its rows are matched
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        report.meta["sha256"] = h.hexdigest()
        return report
    except ReadError as exc:
        raise exc.naming(Path(path)) from exc.__cause__
    except (MemoryError, ImportError):
        raise  # a resource limit or a toolkit bug, not a fact about the document
    except Exception as exc:  # noqa: BLE001 - what a bad document trips is a ReadError naming where
        where = traceback.extract_tb(exc.__traceback__)[-1]
        msg = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
        raise ReadError(msg, stage="extract").naming(Path(path)) from exc


def build_report(doc: RawDocument, data: bytes = b"") -> Report:
    """RawDocument -> Report: match labels, resolve values, check identities, decide the status."""
    flat = match.flatten(doc)
    formats, blobs, notes = match.find_tables(flat)
    text = doc.text  # a property that joins every row: read it once
    info = meta.extract(text)
    if formats:
        cells, items, steps = _national(flat, formats, blobs, notes, doc)
    else:
        cells, legacy_checks = legacy.read_legacy_text(text)
        if cells.empty and not info["title"]:
            raise ReadError(
                "no report here: neither an annual-report title nor the tables' row labels",
                stage="match",
            )
        items, steps = cell_items(cells), [records(legacy_checks)]
    story = narrative.comparisons(text, dict(items))
    checks = checks_frame(*steps, story)
    formats, status, reasons = _status(items, [row for step in steps for row in step], formats)
    reasons += [
        f"the text disagrees with the table: {r['detail']}"
        for r in story
        if r["status"] == "failed"
    ]
    info |= {
        "file": doc.path,
        "reader": doc.reader,
        "encoding": doc.encoding,
        "formats": formats,
        "sha256": hashlib.sha256(data).hexdigest() if data else None,
    }
    return Report(info, cells, checks, status, reasons)


def _national(
    flat, formats: dict, blobs, notes, doc: RawDocument
) -> tuple[pd.DataFrame, list, list[list[dict]]]:
    """Cells of the national tables (OCR misreadings repaired where the identities allow one fix),
    values, check rows."""
    cell_rows, resolve_checks = resolve(blobs, formats, flat)
    # no-op unless rows carry OCR readings
    cells, ocr_checks = repair(_cells_frame(cell_rows), formats, doc)
    # a repair changes a cell only with a check row saying so: without one, the resolved rows hold
    # the values
    items = (
        cell_items(cells)
        if ocr_checks
        else [((r["table"], r["row"], r["col"]), r["value"]) for r in cell_rows]
    )
    identities = identity_rows({t: f for t, f in formats.items() if t in CORE}, dict(items))
    return cells, items, [identities, notes + resolve_checks + ocr_checks]


def _status(
    cells: list[tuple[Key, float | None]], checks: list[dict], formats: dict
) -> tuple[dict, str, list[str]]:
    """The formats read, the status and its reasons, from the tables' own checks (national, else
    pre-2019)."""
    if formats:
        return formats, *repaired_status(*decide(cells, checks, formats), checks)
    formats = {"legacy": LEGACY_FORMAT} if cells else {}
    status, reasons = decide(cells, checks, formats, core=LEGACY_CORE)
    reasons.insert(
        0,
        "none of the 2019/2021 national tables was found"
        + (
            "; read the pre-2019 provincial table instead (other definitions: see the crosswalk)"
            if formats
            else " (a pre-2019 report, or an excerpt)"
        ),
    )
    return formats, status, reasons


def _cells_frame(rows: list[dict]) -> pd.DataFrame:
    """Resolved cells -> the cells frame; the parse status kept as the NA reason only where the
    value is NA."""
    return cells_frame({**r, "na_reason": r["parse"] if r["value"] is None else None} for r in rows)


def decide(
    cells: Iterable[tuple[Key, float | None]],
    checks: list[dict],
    formats: dict,
    core: tuple[str, ...] = CORE,
) -> tuple[str, list[str]]:
    """verified / inconsistent / partial from the tables in `core`, with one line per reason.

    `cells` are ((table, row, col), value) pairs, None where NA
    (:func:`toolkit.extract.validate.cell_items`); `checks` are check rows as dicts.
    """
    cells = list(cells)
    mine = [r for r in checks if r["table"] in core]
    failed = [r for r in mine if r["status"] == "failed"]
    reasons = [
        f"identity {r['check']} ({r['table']} {r['scope']}) fails: {r['detail']}" for r in failed
    ]
    ambiguous = [r for r in mine if r["status"] == "ambiguous"]
    reasons += [f"ambiguous {r['table']} {r['scope']}: {r['detail']}" for r in ambiguous]
    missing = _missing({key for key, _ in cells}, formats) if core == CORE else 0
    core_blank = [value is None for (table, _, _), value in cells if table in core]
    blank = sum(core_blank)
    not_eval = sum(r["status"] == "not_evaluable" for r in mine)
    if missing:
        reasons.append(
            f"{missing} cell(s) of the applications/appeals tables not found in the document"
        )
    if blank:
        reasons.append(
            f"{blank} cell(s) blank or unreadable; "
            f"{not_eval} identit{'y' if not_eval == 1 else 'ies'} not evaluable"
        )
    if not formats or not core_blank:
        return "partial", reasons
    if failed or ambiguous:
        return "inconsistent", reasons
    if missing or blank or not_eval:
        return "partial", reasons
    return "verified", reasons


def _missing(have: set[Key], formats: dict) -> int:
    """How many cells the core tables' layouts expect that were not read."""
    return sum(
        key not in have for table in CORE for key in _expected(table, formats.get(table, "2021"))
    )


@cache
def _expected(table: str, fmt: str) -> tuple[Key, ...]:
    """The (table, row, col) keys of every cell a table's layout prints."""
    return tuple((table, r, c) for r, c in schema.expected_cells(table, fmt))
