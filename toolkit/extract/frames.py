"""The per-report frames, Report.cells and Report.checks, typed as the dataset's frames read back (nullable dtypes).

A column's dtype never depends on what a report held: an empty step, a column of NA or a column of
numbers all give the same frame types, and `toolkit.load_dataset` gives the same again.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from toolkit.schema import fields

CELL_COLUMNS = fields.CELL_SOURCE
CHECK_COLUMNS = fields.CHECK_FIELDS


def _dtypes(resource: str, names: list[str]) -> dict[str, pd.api.extensions.ExtensionDtype]:
    """The pandas dtype of each named field, from the dataset's data dictionary (schema/fields.csv)."""
    types = dict(fields.columns(resource))
    return {name: fields.PANDAS[fields.ARROW[types[name]]] for name in names}


CELL_DTYPES = _dtypes("cells", CELL_COLUMNS)
CHECK_DTYPES = _dtypes("checks", CHECK_COLUMNS)


def cells_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Cell rows (dicts with the CELL_COLUMNS, None where NA) as a cells frame."""
    return _frame(list(rows), CELL_DTYPES)


def checks_frame(*steps: Iterable[dict]) -> pd.DataFrame:
    """The check rows of one or more steps (dicts with the CHECK_COLUMNS, None where NA) as one checks frame."""
    return _frame([row for step in steps for row in step], CHECK_DTYPES)


def records(frame: pd.DataFrame, columns: Iterable[str] = CHECK_COLUMNS) -> list[dict]:
    """A frame's rows as plain dicts of the named columns, None where NA (far cheaper than itertuples)."""
    columns = list(columns)
    rows = zip(*([None if v is pd.NA else v for v in frame[c].tolist()] for c in columns))
    return [dict(zip(columns, row)) for row in rows]


def _frame(rows: list[dict], dtypes: dict) -> pd.DataFrame:
    return pd.DataFrame({name: pd.array([row[name] for row in rows], dtype=dtype) for name, dtype in dtypes.items()})
