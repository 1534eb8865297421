"""Report: what one document says (meta + tidy cells), what was checked, and how far it can be
trusted."""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import _repr, schema
from toolkit.extract import identify as meta
from toolkit.extract import jurisdiction, match, narrative
from toolkit.extract import pre2019 as legacy
from toolkit.extract.repair import repair
from toolkit.extract.resolve import resolve
from toolkit.extract.status import CORE, report_status
from toolkit.extract.validate import (
    cell_items,
    cells_frame,
    checks_frame,
    identity_rows,
    records,
)
from toolkit.readers import RawDocument, ReadError, read_document
from toolkit.schema.groups import crosswalk

LANGS = ("zh", "en")
LEGACY_COLS = {"year": "本年", "cumulative": "累计"}  # the two number columns of the 统计表


@dataclass
class Report:
    """One report as read: what it says, what was checked, and how far it can be trusted.

    Attributes
    ----------
    meta : dict
        agency, year (the year the statistics cover), title, the jurisdiction from the agency's
        name (``adcode``, ``province``, ``prefecture``, ``county``, ``level``, ``agency_type``, and
        ``identity_reasons`` where it cannot be coded), the format of each table read
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

    def tables(self) -> list[str]:
        """The tables this report holds, national ones first, then the pre-2019 ``legacy_*`` ones.

        Returns
        -------
        list of str
            Table codes, e.g. ``["proactive", "applications", "appeals"]`` or
            ``["legacy_proactive", "legacy_applications", "legacy_appeals"]``.

        Examples
        --------
        >>> toolkit.read_report("pingtan-zone-2014.txt").tables()  # doctest: +SKIP
        ['legacy_proactive', 'legacy_applications', 'legacy_appeals']
        """
        have = set(self.cells.table.dropna()) if len(self.cells) else set()
        national = [t for t in schema.TABLES if t in have and self.meta["formats"].get(t)]
        legacy_order = list(dict.fromkeys(crosswalk().legacy_table))
        old = [t for t in legacy_order if t in have] + sorted(
            t for t in have if t.startswith("legacy_") and t not in legacy_order
        )
        return national + old

    def table(self, name: str, *, lang: str = "zh") -> pd.DataFrame:
        """One table in its familiar wide layout, rows and columns labelled as printed.

        Parameters
        ----------
        name : str
            One of :meth:`tables`: ``proactive``, ``applications`` or ``appeals`` for the 2019 and
            2021 formats, ``legacy_proactive``, ``legacy_applications``, ``legacy_appeals`` for a
            pre-2019 statistics table.
        lang : {"zh", "en"}, default "zh"
            ``zh`` labels rows and columns with the official Chinese labels, ``en`` with the codes.

        Returns
        -------
        pandas.DataFrame
            Values (NA where blank or unreadable), rows and columns in the printed order.

        Raises
        ------
        ValueError
            If `lang` is not ``zh`` or ``en``, or the report does not hold table `name` (the
            message lists the tables it does hold).

        Examples
        --------
        >>> report.table("applications", lang="en").loc["unavailable_not_held", "total"]
        ... # doctest: +SKIP
        """
        if lang not in LANGS:
            raise ValueError(f"lang={lang!r}; choose one of {', '.join(LANGS)}")
        have = self.tables()
        if name not in have:
            known = [*schema.TABLES, *dict.fromkeys(crosswalk().legacy_table)]
            what = "unknown table" if name not in known else "this report has no table"
            raise ValueError(
                f"{what} {name!r}; this report holds {', '.join(have) or 'no table'}"
                + ("" if name in known else f" (tables: {', '.join(known)})")
            )
        sel = self.cells[self.cells.table == name]
        wide = sel.pivot(index="row", columns="col", values="value")
        wide = _whole(wide)
        if name.startswith("legacy_"):
            return _legacy_wide(wide, name, lang)
        lay = schema.layout(name, self.meta["formats"][name])
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

    def inspect(self, page: int | None = None, *, ax=None):
        """The page rendered with the box of every cell read from it drawn over it, coloured by
        what became of the cell (exact, repaired, NA with its reason, in a failed identity).

        Parameters
        ----------
        page : int, optional
            The 1-based page; by default the page with the most cells.
        ax : matplotlib Axes, optional
            Where to draw; a new figure by default.

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        ValueError
            If the cells carry no page boxes (a text, HTML or Word report: its cells carry a line
            and character span or an element path instead) or `page` holds none.

        Examples
        --------
        >>> toolkit.read_report("huaian-city-2024.pdf").inspect(4)  # doctest: +SKIP
        """
        from toolkit.extract import overlay

        return overlay.draw(self, page, ax=ax)

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

    def _overview(self) -> list[tuple[str, str]]:
        """(label, text) pairs that describe the report in a few words, for the two reprs."""
        m = self.meta
        formats = m.get("formats") or {}
        tables = ", ".join(
            f"{t} ({formats.get(t) or formats.get('legacy') or '?'})" for t in self.tables()
        )
        counts = self.checks.status.value_counts() if len(self.checks) else pd.Series(dtype=int)
        checks = ", ".join(f"{k} {int(v)}" for k, v in sorted(counts.items())) or "none"
        return [
            ("file", str(m.get("file") or "?")),
            ("agency", str(m.get("agency") or "(not stated)")),
            ("year", str(m.get("year") or "(not stated)")),
            ("status", self.status),
            ("tables", f"{tables or 'none'}; {len(self.cells)} cells"),
            ("checks", checks),
        ]

    def __repr__(self) -> str:
        hint = ".table(name) for a table, .cells / .checks for the tidy frames, .summary()"
        return _repr.text("Report", self._overview(), hint)

    def _repr_html_(self) -> str:
        attributes = [".table(name)", ".cells", ".checks", ".summary()"]
        return _repr.table("Report", self._overview(), attributes)


def _whole(wide: pd.DataFrame) -> pd.DataFrame:
    """Columns of whole numbers (counts) as Int64, so 2061 shows as 2061, not 2061.0."""
    out = wide.astype("Float64")
    for col in out.columns:
        known = out[col].dropna()
        if (known == known.round()).all():
            out[col] = out[col].round().astype("Int64")
    return out


def _legacy_wide(wide: pd.DataFrame, name: str, lang: str) -> pd.DataFrame:
    """A pre-2019 table in the crosswalk's row order, this year's column first."""
    cw = crosswalk()
    cw = cw[cw.legacy_table == name]
    order = [r for r in cw.legacy_row if r in wide.index]
    order += [r for r in wide.index if r not in order]
    wide = wide.reindex(index=order, columns=[c for c in LEGACY_COLS if c in wide.columns])
    if lang == "zh":
        labels = dict(zip(cw.legacy_row, cw.label_zh.str.split(" / ").str[0]))
        wide = wide.rename(index=lambda r: labels.get(r, r), columns=LEGACY_COLS)
    return wide


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
    formats, status, reasons = report_status(
        items, [row for step in steps for row in step], formats
    )
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
    info["province_named"] = jurisdiction.province_named(text)
    ident = jurisdiction.resolve(info["agency"], info["year"], province=info["province_named"])
    info |= {k: v for k, v in ident.items() if k != "reasons"} | {
        "identity_reasons": ident["reasons"]
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


def _cells_frame(rows: list[dict]) -> pd.DataFrame:
    """Resolved cells -> the cells frame; the parse status kept as the NA reason only where the
    value is NA."""
    return cells_frame({**r, "na_reason": r["parse"] if r["value"] is None else None} for r in rows)
