"""Misread OCR digits, caught and explained by the identities.

A digit the OCR read wrongly breaks the row, column or stock-flow identities its cell is part of.
When exactly one single-cell change, among the recogniser's own near-miss readings or a known digit
confusion (1/7, 0/8, 3/8, 5/6, ... in schema/ocr_confusions.csv), makes every identity hold, and at
least two identities that contain the cell (its row's and its column's) confirm it, the change is
applied: `value` is corrected, `raw` keeps what was read, and a `checks` row with status 'repaired'
says what, where and why. Otherwise nothing changes and a row names the suspect cells.
Tables without identities get no repair: an uncertain reading there becomes NA, never a guess.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

import pandas as pd

from toolkit import schema
from toolkit.extract import match
from toolkit.extract.validate import Key, cell_values, check_row, evaluate, expand
from toolkit.normalize import parse_cell
from toolkit.readers.base import OcrCell, RawDocument

CORE = ("applications", "appeals")  # the tables with identities (as in report.py)
# identities holding after a repair that contain the repaired cell (its row and its column)
MIN_CONFIRMATIONS = 2
UNSURE_CONFIDENCE = 0.8  # below this a character is not read unambiguously
UNSURE_ALTERNATIVE = 0.2  # a near-miss reading this likely makes the cell ambiguous
PROVENANCE_COLUMNS = [
    "table",
    "row",
    "col",
    "page",
    "x0",
    "y0",
    "x1",
    "y1",
    "dpi",
    "angle",
    "confidence",
    "text",
    "alternatives",
]


@lru_cache(maxsize=1)
def confusions() -> dict[str, tuple[str, ...]]:
    """Digit -> the digits OCR commonly mistakes it for (symmetric), from
    schema/ocr_confusions.csv."""
    with (
        resources.files("toolkit.schema")
        .joinpath("ocr_confusions.csv")
        .open(encoding="utf-8") as fh
    ):
        df = pd.read_csv(fh, dtype=str)
    out: dict[str, list[str]] = {}
    for a, b in zip(df.a, df.b):
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def ocr_cells(doc: RawDocument) -> dict[Key, tuple[str, OcrCell, int | None]]:
    """Canonical cell -> (text read, OcrCell, page) for cells matched one-to-one from OCR'd rows."""
    if not any(r.ocr for r in doc.rows):
        return {}
    flat = match.flatten(doc)
    _, blobs, _ = match.find_tables(flat)
    out = {}
    for blob in blobs:
        pieces = [flat.text[a:b].strip() for a, b in blob.pieces]
        if len(pieces) != len(blob.keys) or any(len(p.split()) > 1 for p in pieces):
            continue  # values not one per cell: resolve() segmented them, no one-to-one provenance
        for (row, col), (a, _) in zip(blob.keys, blob.pieces):
            r = bisect.bisect_right(flat.starts, a) - 1
            raw = doc.rows[r]
            c = flat.text.count("\x1f", flat.starts[r], a)
            if raw.ocr and c < len(raw.ocr) and raw.ocr[c] is not None:
                out[(blob.table, row, col)] = (raw.cells[c], raw.ocr[c], raw.page)
    return out


def ocr_provenance(doc: RawDocument) -> pd.DataFrame:
    """Page, pixel box, confidence and near-miss readings of every OCR'd table cell, keyed like
    `cells`."""
    rows = [
        {
            "table": t,
            "row": r,
            "col": c,
            "page": page,
            "x0": o.box[0],
            "y0": o.box[1],
            "x1": o.box[2],
            "y1": o.box[3],
            "dpi": o.dpi,
            "angle": o.angle,
            "confidence": o.confidence,
            "text": text,
            "alternatives": "; ".join(f"{a} ({p:.3f})" for a, p in o.alternatives),
        }
        for (t, r, c), (text, o, page) in ocr_cells(doc).items()
    ]
    return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)


def candidates(text: str, cell: OcrCell) -> list[tuple[str, str]]:
    """Other readings of one cell: the recogniser's near misses first, then one-digit confusions."""
    out = {alt: f"OCR alternative (p={p:.3f})" for alt, p in cell.alternatives}
    for i, ch in enumerate(text):
        for other in confusions().get(ch, ()):
            out.setdefault(text[:i] + other + text[i + 1 :], f"{ch}/{other} confusion")
    out.pop(text, None)
    return list(out.items())


def repair(
    cells: pd.DataFrame, formats: Mapping[str, str], doc: RawDocument
) -> tuple[pd.DataFrame, list[dict]]:
    """Cells with uniquely determined misreads corrected (raw kept), and one checks row per repair
    or suspicion."""
    read = ocr_cells(doc)
    if not read:
        return cells, []
    cells = cells.copy()
    values = cell_values(cells)
    rows: list[dict] = []
    for table in (t for t in CORE if t in formats):
        equations = expand(table, formats[table])
        failed = [eq for eq in equations if evaluate(eq, values)["status"] == "failed"]
        if failed:
            rows += _repair_table(cells, values, equations, failed, read)
    rows += _unsure(cells, read)
    return cells, rows


def _repair_table(cells: pd.DataFrame, values: dict, equations, failed, read) -> list[dict]:
    """Try every candidate reading of every cell that all failed equations share; apply a unique
    fix."""
    shared = set.intersection(*(set(eq["lhs_keys"] + eq["rhs_keys"]) for eq in failed))
    fixes = []
    for key in sorted(shared):
        if key not in read:
            continue
        text, cell, _ = read[key]
        for alt, why in candidates(text, cell):
            value = parse_cell(alt, schema.kind(key[0], key[2])).value
            if value is None or value == values.get(key):
                continue
            trial = {**values, key: value}
            if all(evaluate(eq, trial)["status"] != "failed" for eq in equations):
                fixes.append((key, alt, value, why))
    found = {(k, v) for k, _, v, _ in fixes}
    if len(found) != 1:
        return [_suspects(failed, read, values, fixes)]
    key, alt, value, why = fixes[0]
    trial = {**values, key: value}
    confirming = sum(
        1
        for eq in equations
        if key in eq["lhs_keys"] + eq["rhs_keys"] and evaluate(eq, trial)["status"] == "ok"
    )
    if confirming < MIN_CONFIRMATIONS:
        why = (
            f"'{alt}' for {key[1]}.{key[2]} fits, but only {confirming} evaluable identity "
            "contains that cell: too few to confirm it"
        )
        return [_suspects(failed, read, values, [], why)]
    text, cell, page = read[key]
    old = values[key]
    values[key] = value
    hit = (cells.table == key[0]) & (cells.row == key[1]) & (cells["col"] == key[2])
    cells.loc[hit, "value"] = value
    detail = (
        f"read '{text}' (confidence {cell.confidence:.3f}) on page {page} at pixels "
        f"{list(cell.box)} ({cell.dpi:g} dpi); '{alt}' ({why}) is the only single-cell reading "
        "that makes all "
        f"{len(equations)} identities of the table hold ({len(failed)} failed as read; "
        f"{confirming} that contain the cell now hold)"
    )
    return [_row("ocr_repair", key, old, value, "repaired", detail)]


def _suspects(failed, read, values, fixes, why: str | None = None) -> dict:
    """One row naming the cells most likely misread (those in the most failed identities)."""
    counts: dict[Key, int] = {}
    for eq in failed:
        for key in eq["lhs_keys"] + eq["rhs_keys"]:
            counts[key] = counts.get(key, 0) + 1
    top = max(counts.values())
    sure = {k: read[k][1].confidence if k in read else 1.0 for k in counts}
    # least sure first
    named = sorted((k for k, n in counts.items() if n == top), key=lambda k: (sure[k], k))[:8]
    shown = ", ".join(
        f"{r}.{c} read '{read[(t, r, c)][0] if (t, r, c) in read else values.get((t, r, c))}'"
        + (f" (confidence {read[(t, r, c)][1].confidence:.3f})" if (t, r, c) in read else "")
        for t, r, c in named
    )
    why = why or (
        f"{len(fixes)} different single-cell corrections would make every identity hold: "
        + ", ".join(f"{k[1]}.{k[2]}={a}" for k, a, _, _ in fixes[:6])
        if fixes
        else "no single-cell correction makes every identity hold"
    )
    detail = (
        f"{len(failed)} identit{'y' if len(failed) == 1 else 'ies'} fail; "
        f"suspect cell(s): {shown}; {why}"
    )
    table = named[0][0]
    return check_row("ocr_suspect", table, "table", "ambiguous", detail)


def _unsure(cells: pd.DataFrame, read) -> list[dict]:
    """In tables without identities, a reading the recogniser was unsure of becomes NA with a
    note."""
    out = []
    for key, (text, cell, page) in sorted(read.items()):
        if key[0] in CORE:
            continue
        near = max((p for _, p in cell.alternatives), default=0.0)
        if cell.confidence >= UNSURE_CONFIDENCE and near < UNSURE_ALTERNATIVE:
            continue
        hit = (
            (cells.table == key[0])
            & (cells.row == key[1])
            & (cells["col"] == key[2])
            & cells.value.notna()
        )
        if not hit.any():
            continue
        cells.loc[hit, "value"] = pd.NA
        cells.loc[hit, "na_reason"] = "ocr_uncertain"
        alts = ", ".join(f"'{a}'" for a, _ in cell.alternatives[:3])
        out.append(
            _row(
                "ocr_uncertain",
                key,
                None,
                None,
                "note",
                f"read '{text}' with confidence {cell.confidence:.3f} on page {page}"
                + (f" (or {alts})" if alts else "")
                + "; no identity can confirm it, so left NA",
            )
        )
    return out


def _row(check: str, key: Key, lhs, rhs, status: str, detail: str) -> dict:
    """A check row about one cell: lhs the value as read, rhs the value it was corrected to."""
    scope = f"cell:{key[1]}.{key[2]}"
    return check_row(check, key[0], scope, status, detail, lhs=lhs, rhs=rhs)


def repaired_status(status: str, reasons: list[str], checks: list[dict]) -> tuple[str, list[str]]:
    """A report that would be verified but for a repair is 'repaired', one reason per repaired cell
    (`checks`: dict rows)."""
    fixed = [r for r in checks if r["status"] == "repaired"]
    reasons = reasons + [f"repaired {r['table']} {r['scope']}: {r['detail']}" for r in fixed]
    return ("repaired" if status == "verified" and len(fixed) else status), reasons
