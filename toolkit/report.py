"""Report: what one document says (meta + tidy cells), what was checked, and how far it can be trusted."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import legacy, match, meta, narrative, schema
from .readers import RawDocument, ReadError, read_document
from .repair import repair, repaired_status
from .resolve import resolve
from .validate import CHECK_COLUMNS, check_identities

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
        cells, checks = _national(flat, formats, blobs, notes, doc)
        status, reasons = repaired_status(*decide(cells, checks, formats), checks)
    else:
        cells, checks = legacy.read_legacy(doc)
        if cells.empty and not info["title"]:
            raise ReadError("no report here: neither an annual-report title nor the tables' row labels", stage="match")
        formats = {"legacy": LEGACY_FORMAT} if not cells.empty else {}
        status, reasons = decide(cells, checks, formats, core=LEGACY_CORE)
        reasons.insert(0, "none of the 2019/2021 national tables was found" + (
            "; read the pre-2019 provincial table instead (other definitions: see the crosswalk)" if formats else
            " (a pre-2019 report, or an excerpt)"))
    story = narrative.checks(doc.text, cells)
    reasons += [f"the text disagrees with the table: {d}" for d in story.detail[story.status == "failed"]]
    info |= {"file": doc.path, "reader": doc.reader, "encoding": doc.encoding, "formats": formats,
             "sha256": hashlib.sha256(data).hexdigest() if data else None}
    return Report(info, cells, pd.concat([checks, story], ignore_index=True), status, reasons)


def _national(flat, formats: dict, blobs, notes, doc: RawDocument) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of the national tables (OCR misreadings repaired where the identities allow one fix) and their checks."""
    cell_rows, resolve_checks = resolve(blobs, formats, flat)
    cells, ocr_checks = repair(_cells_frame(cell_rows), formats, doc)  # no-op unless rows carry OCR readings
    resolve_checks = resolve_checks + ocr_checks
    values = {(t, r, c): (None if pd.isna(v) else float(v)) for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)}
    checks = pd.concat([check_identities({t: f for t, f in formats.items() if t in CORE}, values),
                        pd.DataFrame(notes + resolve_checks, columns=CHECK_COLUMNS)], ignore_index=True)
    return cells, checks


def _cells_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["table", "row", "col", "value", "raw", "page", "parse"])
    df["value"] = pd.array(df["value"], dtype="Float64")
    df["page"] = pd.array(df["page"], dtype="Int64")
    df["na_reason"] = df.pop("parse").where(df["value"].isna(), None)
    return df[CELL_COLUMNS]


def decide(cells: pd.DataFrame, checks: pd.DataFrame, formats: dict, core: tuple[str, ...] = CORE) -> tuple[str, list[str]]:
    """verified / inconsistent / partial from the tables in `core`, with one line per reason."""
    reasons = []
    checks = checks[checks.table.isin(core)]
    failed = checks[checks.status == "failed"]
    for rec in failed.itertuples():
        reasons.append(f"identity {rec.check} ({rec.table} {rec.scope}) fails: {rec.detail}")
    ambiguous = checks[checks.status == "ambiguous"]
    reasons += [f"ambiguous {rec.table} {rec.scope}: {rec.detail}" for rec in ambiguous.itertuples()]
    missing = _missing(cells, formats) if core == CORE else 0
    blank = cells[cells.table.isin(core) & cells.value.isna()]
    not_eval = int((checks.status == "not_evaluable").sum())
    if missing:
        reasons.append(f"{missing} cell(s) of the applications/appeals tables not found in the document")
    if len(blank):
        reasons.append(f"{len(blank)} cell(s) blank or unreadable; {not_eval} identit{'y' if not_eval == 1 else 'ies'} not evaluable")
    if not formats or cells[cells.table.isin(core)].empty:
        return "partial", reasons
    if len(failed) or len(ambiguous):
        return "inconsistent", reasons
    if missing or len(blank) or not_eval:
        return "partial", reasons
    return "verified", reasons


def _missing(cells: pd.DataFrame, formats: dict) -> int:
    have = set(zip(cells.table, cells.row, cells["col"]))
    total = 0
    for table in CORE:
        fmt = formats.get(table, "2021")
        total += sum((table, r, c) not in have for r, c in schema.expected_cells(table, fmt))
    return total
