"""The dataset's data dictionary (schema/fields.csv) and the tables that follow it: one place for
columns and types.

Rows travel as tuples in column order (None is NA, an empty text is NA too), become Arrow tables
with the resource's exact schema, and reach users as pandas frames with nullable dtypes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources

import pandas as pd
import pyarrow as pa

from toolkit import schema
from toolkit._version import __version__

TOOLKIT_VERSION = __version__
RESOURCES = ("reports", "cells", "checks", "errors", "codes")
PRIMARY_KEYS = {
    "reports": ["report_id"],
    "cells": ["report_id", "table", "row", "col"],
    "checks": ["report_id", "check", "table", "scope"],
    "errors": ["file"],
    "codes": ["table", "code"],
}
CELL_SOURCE = [
    "table",
    "row",
    "col",
    "value",
    "raw",
    "split",
    "page",
    "x0",
    "y0",
    "x1",
    "y1",
    "box_unit",
    "line",
    "char_start",
    "char_end",
    "element",
    "na_reason",
]
CHECK_FIELDS = ["check", "table", "scope", "lhs", "rhs", "diff", "ok", "status", "detail"]
ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}
PANDAS = {
    pa.string(): pd.StringDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


@cache
def table() -> pd.DataFrame:
    """Every field of every resource: type, required, bilingual description."""
    with resources.files("toolkit.schema").joinpath("fields.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def columns(resource: str) -> tuple[tuple[str, str], ...]:
    """(name, frictionless type) of a resource's fields, in order."""
    if resource not in RESOURCES:
        raise ValueError(f"unknown resource {resource!r}; choose one of {', '.join(RESOURCES)}")
    sel = table()[table().resource == resource]
    return tuple(zip(sel.field, sel.type))


def names(resource: str) -> list[str]:
    return [n for n, _ in columns(resource)]


@cache
def arrow_schema(resource: str) -> pa.Schema:
    return pa.schema([(n, ARROW[t]) for n, t in columns(resource)])


def to_arrow(resource: str, rows: list[tuple]) -> pa.Table:
    """Row tuples in column order -> an Arrow table with exactly the resource's schema."""
    sch = arrow_schema(resource)
    cols = list(zip(*rows)) if rows else [[] for _ in sch]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(cols, sch)], schema=sch)


def to_pandas(table_: pa.Table) -> pd.DataFrame:
    """An Arrow table -> pandas with nullable dtypes (Int64, Float64, boolean, string): NA stays
    NA."""
    return table_.to_pandas(types_mapper=PANDAS.get)


def frame(resource: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    """Dicts -> the resource's DataFrame (for the few rows built outside the streaming path)."""
    return to_pandas(to_arrow(resource, [record(resource, r) for r in rows]))


def record(resource: str, row: Mapping) -> tuple:
    """A dict -> the row tuple in column order; an empty text is NA."""
    return tuple(None if (v := row.get(n)) == "" or v is None else v for n in names(resource))


def rows_of(df: pd.DataFrame, resource: str) -> list[tuple]:
    """A resource's DataFrame -> row tuples with None for NA (to write an in-memory Dataset)."""
    obj = df[names(resource)].astype(object)
    return [
        tuple(None if v is pd.NA or v is None or v != v else v for v in row)
        for row in obj.itertuples(index=False, name=None)
    ]


# the two columns of every pre-2019 statistics table (see toolkit/legacy.py)
LEGACY_COLS = (("year", "本年度", "This year"), ("cumulative", "历年累计", "All years to date"))


@lru_cache(maxsize=1)
def codes() -> pd.DataFrame:
    """Every table/row/column code a cell can carry: the national schema's, then the pre-2019
    crosswalk's."""
    from toolkit.schema.groups import crosswalk

    national = schema.codes()[["table", "kind", "code", "label_zh", "label_en", "formats"]]
    cw = crosswalk().drop_duplicates(["legacy_table", "legacy_row"])
    legacy = []
    for table_, rows in cw.groupby("legacy_table", sort=False):
        legacy += [
            (table_, "row", r, zh, en, "pre2019")
            for r, zh, en in zip(rows.legacy_row, rows.label_zh, rows.label_en)
        ]
        legacy += [(table_, "col", c, zh, en, "pre2019") for c, zh, en in LEGACY_COLS]
    return pd.concat([national, pd.DataFrame(legacy, columns=national.columns)], ignore_index=True)


@lru_cache(maxsize=1)
def tables() -> tuple[str, ...]:
    """Table codes in schema order: the three national tables, then the pre-2019 ones."""
    return tuple(dict.fromkeys(codes().table))


@lru_cache(maxsize=1)
def _rank() -> dict[tuple[str, str], int]:
    c = codes()
    return {(t, k): i for i, (t, k) in enumerate(zip(c.table, c.code))}


def cell_order(table_: str, row: str, col: str) -> tuple:
    """Schema order (as printed): table, then row, then column; unknown codes after,
    alphabetically."""
    rank, known = _rank(), tables()
    far = len(rank)
    t = known.index(table_) if table_ in known else len(known)
    return (t, table_, rank.get((table_, row), far), row, rank.get((table_, col), far), col)


def cell_rows(report_id: str, cells: list[list]) -> list[tuple]:
    """A report's cells in schema order, one per key (a repeated key keeps its first reading)."""
    order = _cell_order()
    keyed = sorted(
        (
            (order.get((c[0], c[1], c[2])) or cell_order(c[0], c[1], c[2]), i)
            for i, c in enumerate(cells)
        )
    )
    out, seen = [], set()
    for _, i in keyed:
        rec = cells[i]
        key = (rec[0], rec[1], rec[2])
        if key not in seen:
            seen.add(key)
            out.append((report_id, *(None if v == "" else v for v in rec)))
    return out


@lru_cache(maxsize=1)
def _cell_order() -> dict[tuple[str, str, str], tuple]:
    """cell_order of every cell the schema knows, computed once."""
    c = codes()
    rows = [(t, k) for t, kind, k in zip(c.table, c.kind, c.code) if kind == "row"]
    cols = [(t, k) for t, kind, k in zip(c.table, c.kind, c.code) if kind == "col"]
    return {(t, r, c): cell_order(t, r, c) for t, r in rows for t2, c in cols if t2 == t}


def check_rows(report_id: str, checks: list[dict]) -> list[tuple]:
    """A report's checks in the order made; a repeated (check, table, scope) gets '#2', '#3' on its
    scope."""
    out, seen = [], {}
    for rec in checks:
        table_, scope = rec.get("table") or "report", rec.get("scope") or "report"
        key = (rec["check"], table_, scope)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            scope = f"{scope}#{seen[key]}"
        out.append(
            (
                report_id,
                rec["check"],
                table_,
                scope,
                rec["lhs"],
                rec["rhs"],
                rec["diff"],
                rec["ok"],
                rec["status"],
                rec["detail"] or None,
            )
        )
    return out


def descriptions(resource: str) -> dict[str, tuple[str, str, bool]]:
    """field -> (description_zh, description_en, required)."""
    sel = table()[table().resource == resource]
    return {
        f: (zh, en, req == "yes")
        for f, zh, en, req in zip(sel.field, sel.description_zh, sel.description_en, sel.required)
    }


def format_value(v) -> str:
    """The one output form of a number: integers without '.0', decimals in their shortest exact
    form, NA as ''."""
    if v is None or pd.isna(v):
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def enumerated(resource: str, field: str) -> tuple[str, ...]:
    """The values a field may take, as the data dictionary lists them (`x_*` is a family of
    names)."""
    sel = table()[(table().resource == resource) & (table().field == field)]
    if sel.empty or not sel["values"].iloc[0]:
        raise KeyError(f"the data dictionary lists no values for {resource}.{field}")
    return tuple(sel["values"].iloc[0].split(";"))
