"""Identities as data, evaluated per report: one row per check, never an exception."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from toolkit import schema
from toolkit.extract.frames import checks_frame

Key = tuple[str, str, str]  # table, row, col


@lru_cache(maxsize=None)
def expand(table: str, fmt: str) -> tuple[dict, ...]:
    """The identities of one table in one format, one dict per equation to evaluate."""
    ids = schema.identities()
    out = []
    for rec in ids[ids.table == table].itertuples():
        if fmt not in rec.formats.split(";"):
            continue
        over = schema.rows(table, fmt) if rec.over == "row" else schema.cols(table, fmt)
        for item in over:
            def key(code: str) -> Key:
                return (table, item, code) if rec.over == "row" else (table, code, item)
            out.append({"check": rec.check, "table": table, "scope": f"{rec.over}:{item}",
                        "lhs_keys": [key(c) for c in rec.lhs.split("+")],
                        "rhs_keys": [key(c) for c in rec.rhs.split("+")]})
    return tuple(out)


def evaluate(eq: dict, values: Mapping[Key, float | None]) -> dict:
    """One equation against the cells: ok, failed, or not evaluable (a cell it names is NA or missing)."""
    lhs = [values.get(k) for k in eq["lhs_keys"]]
    rhs = [values.get(k) for k in eq["rhs_keys"]]
    if None in lhs or None in rhs:
        missing = [k for k, v in zip(eq["lhs_keys"] + eq["rhs_keys"], lhs + rhs) if v is None]
        names = ", ".join(f"{r}.{c}" for _, r, c in missing[:6]) + (" …" if len(missing) > 6 else "")
        return {"check": eq["check"], "table": eq["table"], "scope": eq["scope"], "lhs": None, "rhs": None,
                "diff": None, "ok": None, "status": "not_evaluable",
                "detail": f"{len(missing)} cell(s) blank or missing: {names}"}
    left, right = sum(lhs), sum(rhs)
    ok = abs(left - right) < 1e-9
    detail = "" if ok else f"{_terms(eq, 'lhs_keys')} = {left:g} but {_terms(eq, 'rhs_keys')} = {right:g}"
    return {"check": eq["check"], "table": eq["table"], "scope": eq["scope"], "lhs": left, "rhs": right,
            "diff": left - right, "ok": ok, "status": "ok" if ok else "failed", "detail": detail}


def _terms(eq: dict, side: str) -> str:
    """'a + b' for short sides, 'the sum of 19 rows' for long ones."""
    by_col = eq["scope"].startswith("col")
    names = [k[1] if by_col else k[2] for k in eq[side]]
    return " + ".join(names) if len(names) <= 4 else f"the sum of {len(names)} {'rows' if by_col else 'columns'}"


def violations(equations, values: Mapping[Key, float | None]) -> int:
    """How many evaluable equations fail (used to choose between readings of run-together digits)."""
    failed = 0
    for eq in equations:  # the hot loop of digit recovery: no dicts, no detail text
        cells = [values.get(k) for k in eq["lhs_keys"]] + [values.get(k) for k in eq["rhs_keys"]]
        if None not in cells:
            split = len(eq["lhs_keys"])
            failed += abs(sum(cells[:split]) - sum(cells[split:])) > 1e-9
    return failed


def cell_items(cells: pd.DataFrame) -> list[tuple[Key, float | None]]:
    """((table, row, col), value) per row of a cells frame, None where the value is NA."""
    keys = zip(cells.table.tolist(), cells.row.tolist(), cells["col"].tolist())
    return [(k, None if na else float(v)) for k, na, v in zip(keys, cells.value.isna().tolist(), cells.value.tolist())]


def cell_values(cells: pd.DataFrame) -> dict[Key, float | None]:
    """{(table, row, col): value} of a cells frame, None where the value is NA (what the identities read)."""
    return dict(cell_items(cells))


def identity_rows(formats: Mapping[str, str], values: Mapping[Key, float | None]) -> list[dict]:
    """Every identity of every table read, one check row each."""
    return [evaluate(eq, values) for table, fmt in formats.items() for eq in expand(table, fmt)]


def check_identities(formats: Mapping[str, str], values: Mapping[Key, float | None]) -> pd.DataFrame:
    """Every identity of every table read, as a checks DataFrame."""
    return checks_frame(identity_rows(formats, values))
