"""Identities as data, evaluated per report, and the one constructor of every checks row.

Every producer of `checks` (identities here, resolve's notes, OCR repair, narrative comparisons, the
pre-2019 tables, cross-year and manifest checks in the dataset) builds its rows with
:func:`check_row`, so `diff` is always lhs − rhs and every `check` and `status` is one the data
dictionary lists. The per-report frames (`Report.cells`, `Report.checks`) are typed here too, as the
dataset reads them back.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from functools import cache

import pandas as pd

from toolkit import schema
from toolkit.schema import fields

Key = tuple[str, str, str]  # table, row, col

CELL_COLUMNS = fields.CELL_SOURCE
CHECK_COLUMNS = fields.CHECK_FIELDS


def _dtypes(resource: str, names: list[str]) -> dict[str, pd.api.extensions.ExtensionDtype]:
    """The pandas dtype of each named field, from the dataset's data dictionary
    (schema/fields.csv)."""
    types = dict(fields.columns(resource))
    return {name: fields.PANDAS[fields.ARROW[types[name]]] for name in names}


CELL_DTYPES = _dtypes("cells", CELL_COLUMNS)
CHECK_DTYPES = _dtypes("checks", CHECK_COLUMNS)


def cells_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Cell rows (dicts with the CELL_COLUMNS, None where NA) as a cells frame."""
    return _frame(list(rows), CELL_DTYPES)


def checks_frame(*steps: Iterable[dict]) -> pd.DataFrame:
    """The check rows of one or more steps (dicts with the CHECK_COLUMNS, None where NA) as one
    checks frame."""
    return _frame([row for step in steps for row in step], CHECK_DTYPES)


def records(frame: pd.DataFrame, columns: Iterable[str] = CHECK_COLUMNS) -> list[dict]:
    """A frame's rows as plain dicts of the named columns, None where NA (far cheaper than
    itertuples)."""
    columns = list(columns)
    rows = zip(*([None if v is pd.NA else v for v in frame[c].tolist()] for c in columns))
    return [dict(zip(columns, row)) for row in rows]


def _frame(rows: list[dict], dtypes: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: pd.array([row.get(name) for row in rows], dtype=dtype)
            for name, dtype in dtypes.items()
        }
    )


# whether a check of each status holds: NA where nothing was evaluated
HOLDS = {"ok": True, "repaired": True, "failed": False, "ambiguous": False}
HOLDS |= {"note": None, "not_evaluable": None}


@cache
def _allowed(field: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The values the data dictionary lists for a checks field: exact names, and name patterns
    (`x_*`)."""
    values = fields.enumerated("checks", field)
    return frozenset(v for v in values if "*" not in v), tuple(v for v in values if "*" in v)


def _listed(field: str, value: str) -> bool:
    exact, patterns = _allowed(field)
    return value in exact or any(fnmatch.fnmatchcase(value, p) for p in patterns)


def check_row(
    check: str,
    table: str,
    scope: str,
    status: str,
    detail: str | None = "",
    *,
    lhs: float | None = None,
    rhs: float | None = None,
) -> dict:
    """One row of `checks`: `diff` is lhs − rhs where both are numbers; names checked against the
    dictionary.

    Parameters
    ----------
    check, table, scope : str
        What was checked, in which table (``report`` for the document as a whole), over which cells.
    status : str
        ``ok``, ``failed``, ``not_evaluable``, ``ambiguous``, ``repaired`` or ``note``.
    detail : str, optional
        A sentence a person can read.
    lhs, rhs : float, optional
        The two sides compared, where there are numbers.

    The row's ``ok`` follows from `status` (:data:`HOLDS`): true for ok and repaired, false for
    failed and ambiguous, NA for notes and checks that cannot be evaluated.

    Raises
    ------
    ValueError
        If `check` or `status` is not listed in ``schema/fields.csv`` (a programming error).
    """
    if not _listed("status", status):
        raise ValueError(f"check status {status!r} is not in the data dictionary")
    if not _listed("check", check):
        raise ValueError(f"check name {check!r} is not in the data dictionary (schema/fields.csv)")
    diff = lhs - rhs if lhs is not None and rhs is not None else None
    return {
        "check": check,
        "table": table,
        "scope": scope,
        "lhs": lhs,
        "rhs": rhs,
        "diff": diff,
        "ok": HOLDS[status],
        "status": status,
        "detail": detail,
    }


@cache
def expand(table: str, fmt: str) -> tuple[dict, ...]:
    """The identities of one table in one format, one dict per equation to evaluate."""
    ids = schema.identities()
    out = []
    for rec in ids[ids.table == table].itertuples():
        if fmt not in rec.formats.split(";"):
            continue
        over = schema.rows(table, fmt) if rec.over == "row" else schema.cols(table, fmt)
        by_row = rec.over == "row"
        for item in over:
            keys = [
                [(table, item, c) if by_row else (table, c, item) for c in side.split("+")]
                for side in (rec.lhs, rec.rhs)
            ]
            out.append(
                {
                    "check": rec.check,
                    "table": table,
                    "scope": f"{rec.over}:{item}",
                    "lhs_keys": keys[0],
                    "rhs_keys": keys[1],
                }
            )
    return tuple(out)


def evaluate(eq: dict, values: Mapping[Key, float | None]) -> dict:
    """One equation against the cells: ok, failed, or not evaluable (a cell it names is NA or
    missing)."""
    lhs = [values.get(k) for k in eq["lhs_keys"]]
    rhs = [values.get(k) for k in eq["rhs_keys"]]
    if None in lhs or None in rhs:
        missing = [k for k, v in zip(eq["lhs_keys"] + eq["rhs_keys"], lhs + rhs) if v is None]
        names = ", ".join(f"{r}.{c}" for _, r, c in missing[:6]) + (
            " …" if len(missing) > 6 else ""
        )
        why = f"{len(missing)} cell(s) blank or missing: {names}"
        return check_row(eq["check"], eq["table"], eq["scope"], "not_evaluable", why)
    left, right = sum(lhs), sum(rhs)
    ok = abs(left - right) < 1e-9
    detail = (
        ""
        if ok
        else f"{_terms(eq, 'lhs_keys')} = {left:g} but {_terms(eq, 'rhs_keys')} = {right:g}"
    )
    status = "ok" if ok else "failed"
    return check_row(eq["check"], eq["table"], eq["scope"], status, detail, lhs=left, rhs=right)


def _terms(eq: dict, side: str) -> str:
    """'a + b' for short sides, 'the sum of 19 rows' for long ones."""
    by_col = eq["scope"].startswith("col")
    names = [k[1] if by_col else k[2] for k in eq[side]]
    return (
        " + ".join(names)
        if len(names) <= 4
        else f"the sum of {len(names)} {'rows' if by_col else 'columns'}"
    )


def violations(equations, values: Mapping[Key, float | None]) -> int:
    """How many evaluable equations fail (used to choose between readings of run-together
    digits)."""
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
    return [
        (k, None if na else float(v))
        for k, na, v in zip(keys, cells.value.isna().tolist(), cells.value.tolist())
    ]


def cell_values(cells: pd.DataFrame) -> dict[Key, float | None]:
    """{(table, row, col): value} of a cells frame, None where the value is NA (what the identities
    read)."""
    return dict(cell_items(cells))


def identity_rows(formats: Mapping[str, str], values: Mapping[Key, float | None]) -> list[dict]:
    """Every identity of every table read, one check row each."""
    return [evaluate(eq, values) for table, fmt in formats.items() for eq in expand(table, fmt)]


def check_identities(
    formats: Mapping[str, str], values: Mapping[Key, float | None]
) -> pd.DataFrame:
    """Every identity of every table read, as a checks DataFrame."""
    return checks_frame(identity_rows(formats, values))
