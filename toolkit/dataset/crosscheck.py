"""Checks no single report can make: the same agency's consecutive years, and the manifest against
the document.

- carry_over: 四、结转下年度继续办理 in year t-1 equals 二、上年结转 in year t, per applicant
  column.
- in_force: 现行有效件数 in t-1 + 本年制发件数 in t − 本年废止件数 in t equals 现行有效件数 in t
  (2021 format).
- year: the manifest's reporting year against the year the document states.
- source_hash: the manifest's sha256 against the file's.
Each is a row shaped like the per-report checks, attached to the later report (year t).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping

from toolkit import schema
from toolkit.extract.validate import check_row

APPLICANT_COLS = schema.cols("applications", "2021")
IN_FORCE_ROWS = ("rules", "normative_documents")
# table.row.col keys whose values the cross-report checks need (kept in each cache entry's head)
VALUE_KEYS = tuple(
    [f"applications.carried_forward.{c}" for c in APPLICANT_COLS]
    + [f"applications.carried_over.{c}" for c in APPLICANT_COLS]
    + [f"proactive.{r}.{c}" for r in IN_FORCE_ROWS for c in ("issued", "repealed", "in_force")]
)
LABEL = {
    "carried_forward": "四、结转下年度继续办理",
    "carried_over": "二、上年结转",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
}


def values(cells: Iterable[tuple]) -> dict[str, float | None]:
    """(table, row, col, value, ...) rows -> the VALUE_KEYS present in the report (None where
    blank).
    """
    wanted = set(VALUE_KEYS)
    out = {}
    for table, row, col, value, *_ in cells:
        key = f"{table}.{row}.{col}"
        if key in wanted:
            out[key] = value
    return out


# no such cell in the report (a value is never infinite; a blank one is packed as NaN)
MISSING = float("-inf")


def pack(found: Mapping[str, float | None]) -> array | None:
    """VALUE_KEYS values as 8 bytes each (NaN blank, -inf absent): what pass 1 keeps per report in
    memory.
    """
    if not found:
        return None
    return array(
        "d",
        (
            MISSING if k not in found else math.nan if found[k] is None else found[k]
            for k in VALUE_KEYS
        ),
    )


def unpack(packed: array | None) -> dict[str, float | None]:
    """pack's inverse: the keys the report has, None where the cell is blank."""
    if packed is None:
        return {}
    return {k: None if math.isnan(v) else v for k, v in zip(VALUE_KEYS, packed) if v != MISSING}


def pair_index(keys: Iterable[tuple]) -> dict[tuple, int]:
    """(agency, province, year) -> position, for keys that name exactly one report (duplicates pair
    with nothing).
    """
    seen: dict[tuple, int] = {}
    dup = set()
    for pos, key in enumerate(keys):
        if key[0] is None or key[2] is None:
            continue
        if key in seen:
            dup.add(key)
        seen[key] = pos
    return {k: v for k, v in seen.items() if k not in dup}


def consecutive(prev: Mapping, cur: Mapping, prev_id: str, year: int) -> list[dict]:
    """The carry_over and in_force rows for one report (cur, year t) and its predecessor (prev,
    t-1).
    """
    rows = []
    for col in APPLICANT_COLS:
        a, b = f"applications.carried_forward.{col}", f"applications.carried_over.{col}"
        if a in prev and b in cur:
            rows.append(
                _row(
                    "carry_over",
                    "applications",
                    f"col:{col}",
                    [prev[a]],
                    [cur[b]],
                    f"{LABEL['carried_forward']} {year - 1} (report {prev_id})",
                    f"{LABEL['carried_over']} {year}",
                )
            )
    for row in IN_FORCE_ROWS:
        keys = [f"proactive.{row}.in_force", f"proactive.{row}.issued", f"proactive.{row}.repealed"]
        if keys[0] in prev and all(k in cur for k in keys):
            lhs = [prev[keys[0]], cur[keys[1]], _neg(cur[keys[2]])]
            rows.append(
                _row(
                    "in_force",
                    "proactive",
                    f"row:{row}",
                    lhs,
                    [cur[keys[0]]],
                    (
                        f"{LABEL['in_force']} {year - 1} (report {prev_id}) + {LABEL['issued']} − "
                        f"{LABEL['repealed']} {year}"
                    ),
                    f"{LABEL['in_force']} {year}",
                )
            )
    return rows


def _neg(v: float | None) -> float | None:
    return None if v is None else -v


def manifest_checks(manifest: Mapping, year_stated: int | None, sha256: str) -> list[dict]:
    """The year and source_hash rows where the manifest states a year or a checksum."""
    rows = []
    year = manifest.get("year")
    if year is not None and year_stated is None:
        why = "the document states no reporting year"
        rows.append(check_row("year", "report", "year", "not_evaluable", why, lhs=float(year)))
    elif year is not None:
        rows.append(
            _row(
                "year",
                "report",
                "year",
                [year],
                [year_stated],
                "the manifest's reporting year",
                "the year the document states",
            )
        )
    if manifest.get("sha256"):
        same = manifest["sha256"].lower() == sha256
        why = (
            None
            if same
            else f"the manifest lists sha256 {manifest['sha256']}; the file has {sha256}"
        )
        status = "ok" if same else "failed"
        rows.append(check_row("source_hash", "report", "sha256", status, why))
    return rows


def _row(
    check: str, table: str, scope: str, lhs: list, rhs: list, lhs_name: str, rhs_name: str
) -> dict:
    """One equation: ok, failed, or not_evaluable where a term is blank."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in lhs + rhs):
        why = f"a term is blank or unreadable: {lhs_name} against {rhs_name}"
        return check_row(check, table, scope, "not_evaluable", why)
    left, right = float(sum(lhs)), float(sum(rhs))
    ok = abs(left - right) < 1e-9
    detail = None if ok else f"{lhs_name} = {left:g} but {rhs_name} = {right:g}"
    status = "ok" if ok else "failed"
    return check_row(check, table, scope, status, detail, lhs=left, rhs=right)
