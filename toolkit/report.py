"""Report: what one document says (meta + tidy cells), what was checked, and how far it can be trusted."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import legacy, match, meta, narrative, schema
from .readers import RawDocument, ReadError, read_document
from .repair import repair, repaired_status
from .resolve import resolve
from .validate import CHECK_COLUMNS, cell_values, check_identities, records

CELL_COLUMNS = ["table", "row", "col", "value", "raw", "page", "na_reason"]
STATUSES = ("verified", "repaired", "partial", "inconsistent", "failed")
CORE = ("applications", "appeals")
LEGACY_CORE = ("legacy_applications", "legacy_appeals")
LEGACY_FORMAT = "pre2019"


@dataclass
class Report:
    """One report: `meta`, tidy `cells`, `checks`, `status` and why."""

    meta: dict
    cells: pd.DataFrame
    checks: pd.DataFrame
    status: str
    reasons: list[str] = field(default_factory=list)

    def table(self, name: str, *, lang: str = "zh") -> pd.DataFrame:
        """The familiar wide layout of one table, rows and columns labelled as printed."""
        if name not in schema.TABLES:
            raise ValueError(f"unknown table {name!r}; choose one of {', '.join(schema.TABLES)}")
        fmt = self.meta["formats"].get(name)
        if fmt is None:
            return pd.DataFrame()
        sel = self.cells[self.cells.table == name]
        wide = sel.pivot(index="row", columns="col", values="value")
        lay = schema.layout(name, fmt)
        col_order = list(dict.fromkeys(c for cs in lay.values() for c in cs))
        wide = wide.reindex(index=[r for r in lay if r in wide.index], columns=[c for c in col_order if c in wide.columns])
        if lang == "zh":
            labels = schema.labels_zh(name)
            wide = wide.rename(index=lambda r: labels[("row", r)], columns=lambda c: labels[("col", c)])
        return wide

    def summary(self) -> str:
        """A few lines a person can read: who, which year, the status and what failed."""
        m = self.meta
        lines = [f"{m['file']}: {m.get('agency') or '(agency not stated)'} {m.get('year') or '(year not stated)'} — {self.status}"]
        lines += [f"  {r}" for r in self.reasons]
        return "\n".join(lines)


def read_report(path: str | Path) -> Report:
    """Read one report file of any supported format into a validated Report (ReadError if unreadable)."""
    doc = read_document(path)
    return build_report(doc, Path(path).read_bytes())


def build_report(doc: RawDocument, data: bytes = b"") -> Report:
    """RawDocument -> Report: match labels, resolve values, check identities, decide the status."""
    flat = match.flatten(doc)
    formats, blobs, notes = match.find_tables(flat)
    info = meta.extract(doc.text)
    if formats:
        cells, values, parts = _national(flat, formats, blobs, notes, doc)
    else:
        cells, legacy_checks = legacy.read_legacy(doc)
        if cells.empty and not info["title"]:
            raise ReadError("no report here: neither an annual-report title nor the tables' row labels", stage="match")
        values, parts = cell_values(cells), [legacy_checks]
    story = narrative.compare(doc.text, values)
    checks = pd.concat(parts + [story], ignore_index=True)  # one concat: the same frame as concatenating in steps
    formats, status, reasons = _status(cells, checks.head(len(checks) - len(story)), formats)
    disagree = [r["detail"] for r in records(story, "status", "detail") if r["status"] == "failed"]
    reasons += [f"the text disagrees with the table: {d}" for d in disagree]
    info |= {"file": doc.path, "reader": doc.reader, "encoding": doc.encoding, "formats": formats,
             "sha256": hashlib.sha256(data).hexdigest() if data else None}
    return Report(info, cells, checks, status, reasons)


def _national(flat, formats: dict, blobs, notes, doc: RawDocument) -> tuple[pd.DataFrame, dict, list[pd.DataFrame]]:
    """Cells of the national tables (OCR misreadings repaired where the identities allow one fix), values and checks."""
    cell_rows, resolve_checks = resolve(blobs, formats, flat)
    cells, ocr_checks = repair(_cells_frame(cell_rows), formats, doc)  # no-op unless rows carry OCR readings
    resolve_checks = resolve_checks + ocr_checks
    values = cell_values(cells)
    checks = [check_identities({t: f for t, f in formats.items() if t in CORE}, values),
              pd.DataFrame(notes + resolve_checks, columns=CHECK_COLUMNS)]
    return cells, values, checks


def _status(cells: pd.DataFrame, checks: pd.DataFrame, formats: dict) -> tuple[dict, str, list[str]]:
    """The formats read, the status and its reasons, from the tables' own checks (national, else pre-2019)."""
    if formats:
        return formats, *repaired_status(*decide(cells, checks, formats), checks)
    formats = {"legacy": LEGACY_FORMAT} if not cells.empty else {}
    status, reasons = decide(cells, checks, formats, core=LEGACY_CORE)
    reasons.insert(0, "none of the 2019/2021 national tables was found" + (
        "; read the pre-2019 provincial table instead (other definitions: see the crosswalk)" if formats else
        " (a pre-2019 report, or an excerpt)"))
    return formats, status, reasons


def _cells_frame(rows: list[dict]) -> pd.DataFrame:
    """Resolved cells -> the cells frame, column by column; the parse status is kept only where the value is NA."""
    # object arrays: pandas infers each column's dtype just as it would from the rows themselves
    column = {c: np.array([r[c] for r in rows], dtype=object) for c in ("table", "row", "col", "raw", "parse")}
    value = pd.array([r["value"] for r in rows], dtype="Float64")
    page = pd.array([r["page"] for r in rows], dtype="Int64")
    na_reason = pd.Series(column["parse"]).where(value.isna(), None)
    return pd.DataFrame({"table": column["table"], "row": column["row"], "col": column["col"], "value": value,
                         "raw": column["raw"], "page": page, "na_reason": na_reason})


def decide(cells: pd.DataFrame, checks: pd.DataFrame, formats: dict, core: tuple[str, ...] = CORE) -> tuple[str, list[str]]:
    """verified / inconsistent / partial from the tables in `core`, with one line per reason."""
    mine = [r for r in records(checks, "check", "table", "scope", "status", "detail") if r["table"] in core]
    failed = [r for r in mine if r["status"] == "failed"]
    reasons = [f"identity {r['check']} ({r['table']} {r['scope']}) fails: {r['detail']}" for r in failed]
    ambiguous = [r for r in mine if r["status"] == "ambiguous"]
    reasons += [f"ambiguous {r['table']} {r['scope']}: {r['detail']}" for r in ambiguous]
    missing = _missing(cells, formats) if core == CORE else 0
    core_blank = [na for table, na in zip(cells.table.tolist(), cells.value.isna().tolist()) if table in core]
    blank = sum(core_blank)
    not_eval = sum(r["status"] == "not_evaluable" for r in mine)
    if missing:
        reasons.append(f"{missing} cell(s) of the applications/appeals tables not found in the document")
    if blank:
        reasons.append(f"{blank} cell(s) blank or unreadable; {not_eval} identit{'y' if not_eval == 1 else 'ies'} not evaluable")
    if not formats or not core_blank:
        return "partial", reasons
    if failed or ambiguous:
        return "inconsistent", reasons
    if missing or blank or not_eval:
        return "partial", reasons
    return "verified", reasons


def _missing(cells: pd.DataFrame, formats: dict) -> int:
    have = set(zip(cells.table.tolist(), cells.row.tolist(), cells["col"].tolist()))
    total = 0
    for table in CORE:
        fmt = formats.get(table, "2021")
        total += sum((table, r, c) not in have for r, c in schema.expected_cells(table, fmt))
    return total
