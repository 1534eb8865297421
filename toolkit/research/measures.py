"""The engine behind every indicator: ratios of cell sums per report, or pooled per group.

:mod:`toolkit.research.indicators` defines the measures; this module evaluates them. Each result
row carries its counts as ``Int64`` and, when a ``reports`` frame is given, the report's ``agency``,
``year`` and ``report_status`` (named so that a merge with ``reports`` or ``checks`` does not
collide on ``status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from toolkit.research.harmonize import add_other, with_report

APPS, APPEALS = "applications", "appeals"
OUT_COLUMNS = ["indicator", "category", "numerator", "denominator", "value", "unit", "note"]
_SINGLE = "__report__"

Key = tuple[str, str, str]


class Measure(NamedTuple):
    """One ratio: the cells summed above the line, the cells summed below it, and what it means."""

    indicator: str
    category: str
    numerator: tuple[Key, ...]
    denominator: tuple[Key, ...]
    unit: str
    scale: float = 100.0


def _wide(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells -> one row per report, one column per (table, row, col): values (NA if blank or absent)
    and presence.
    """
    missing = {"table", "row", "col", "value"} - set(cells.columns)
    if missing:
        raise ValueError(
            f"cells lack column(s) {sorted(missing)}; expected table, row, col, value[, report_id]"
        )
    ids = cells["report_id"] if "report_id" in cells else pd.Series(_SINGLE, index=cells.index)
    keys = list(zip(cells.table, cells.row, cells["col"]))
    frame = pd.DataFrame(
        {
            "report_id": ids.to_numpy(),
            "key": keys,
            "value": pd.array(cells.value, dtype="Float64"),
            "present": True,
        }
    )
    dup = frame.duplicated(["report_id", "key"])
    if dup.any():
        first = frame[dup].iloc[0]
        raise ValueError(
            f"cells hold {int(dup.sum())} duplicate key(s), "
            f"e.g. report {first.report_id!r} {first.key}"
        )
    frame = frame.set_index(["report_id", "key"])
    return frame.value.unstack("key"), frame.present.unstack("key", fill_value=False)


def _sum(wide: pd.DataFrame, keys: Sequence[Key]) -> pd.Series:
    """Sum of cells per report; NA when any term is blank or absent (a blank is never 0)."""
    cols = pd.DataFrame(
        {
            k: wide[k] if k in wide else pd.Series(pd.NA, index=wide.index, dtype="Float64")
            for k in keys
        },
        index=wide.index,
    )
    return cols.astype("Float64").sum(axis=1, skipna=False)


def _why(wide: pd.DataFrame, present: pd.DataFrame, keys: Sequence[Key], side: str) -> pd.Series:
    """For each report, the first blank or absent cell of one side of a ratio, as words."""
    out = pd.Series("", index=wide.index, dtype=object)
    for key in reversed(list(keys)):
        here = present[key] if key in present else pd.Series(False, index=wide.index)
        blank = wide[key].isna() if key in wide else pd.Series(True, index=wide.index)
        out[(blank & here).to_numpy()] = f"{side} NA: {'.'.join(key)} blank"
        out[(~here).to_numpy()] = f"{side} NA: {'.'.join(key)} not in the report"
    return out


def _report_rows(wide: pd.DataFrame, present: pd.DataFrame, m: Measure) -> pd.DataFrame:
    num, den = _sum(wide, m.numerator), _sum(wide, m.denominator)
    known = num.notna() & den.notna() & (den != 0)
    value = (num / den.where(known)) * m.scale
    note = _why(wide, present, m.numerator, "numerator")
    den_note = _why(wide, present, m.denominator, "denominator")
    note = note.where(note != "", den_note)
    zero = den.notna() & (den == 0) & (note == "")
    note = note.where(~zero.to_numpy(), "denominator is 0")
    return pd.DataFrame(
        {
            "report_id": wide.index,
            "indicator": m.indicator,
            "category": m.category,
            "numerator": num.to_numpy(),
            "denominator": den.to_numpy(),
            "value": value.where(known).to_numpy(),
            "unit": m.unit,
            "note": note.to_numpy(),
        }
    )


def _attributes(cells: pd.DataFrame, by: list[str], reports: pd.DataFrame | None) -> pd.DataFrame:
    """report_id -> the grouping attributes, from `reports` or from columns already on the cells."""
    if reports is not None:
        lacking = [b for b in by + ["report_id"] if b not in reports]
        if lacking:
            raise ValueError(f"reports lack column(s) {lacking}; it has {list(reports.columns)}")
        return reports[["report_id"] + by].drop_duplicates("report_id")
    lacking = [b for b in by if b not in cells]
    if lacking or "report_id" not in cells:
        raise ValueError(
            f"by={by} needs a reports frame with those columns "
            f"(cells lack {lacking or ['report_id']})"
        )
    return cells[["report_id"] + by].drop_duplicates("report_id")


def _pool(rows: pd.DataFrame, by: list[str], scale: pd.Series) -> pd.DataFrame:
    """Ratio of sums per group over the reports where both parts are known."""
    ok = rows.numerator.notna() & rows.denominator.notna()
    keys = by + ["indicator", "category", "unit"]
    g = rows.assign(_in=ok, _num=rows.numerator.where(ok), _den=rows.denominator.where(ok))
    out = (
        g.groupby(keys, dropna=False, sort=False)
        .agg(
            numerator=("_num", "sum"),
            denominator=("_den", "sum"),
            n_reports=("_in", "sum"),
            n_excluded=("_in", lambda s: int((~s).sum())),
        )
        .reset_index()
    )
    entered = out.n_reports > 0
    out["numerator"] = as_count(out.numerator.astype("Float64").where(entered))
    out["denominator"] = den = as_count(out.denominator.astype("Float64").where(entered))
    out["n_reports"] = out.n_reports.astype("Int64")
    out["n_excluded"] = out.n_excluded.astype("Int64")
    out["value"] = (out.numerator / den.where(den != 0) * out.indicator.map(scale)).astype(
        "Float64"
    )
    out["note"] = ["" if n else "no report with both parts known" for n in out.n_reports]
    out.loc[(out.n_reports > 0) & (den == 0), "note"] = "denominator is 0"
    return out[by + OUT_COLUMNS + ["n_reports", "n_excluded"]]


def compute(
    cells: pd.DataFrame,
    measures: Sequence[Measure],
    *,
    by: str | Sequence[str] | None = None,
    reports: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evaluate measures per report (or pooled per group); the engine behind every indicator.

    Parameters
    ----------
    cells : pandas.DataFrame
        Tidy cells: ``table, row, col, value`` (and ``report_id`` for many reports).
    measures : sequence of Measure
        The ratios to evaluate.
    by : str or sequence of str, optional
        Report attributes to pool over (ratio of sums); the result is sorted by them.
    reports : pandas.DataFrame, optional
        Supplies `by`'s columns; without `by`, adds ``agency``, ``year`` and ``report_status``.

    Returns
    -------
    pandas.DataFrame
        ``[report_id, agency, year, report_status,] indicator, category, numerator,
        denominator, value, unit, note`` per report; per group the `by` columns, the same
        measures and ``n_reports``, ``n_excluded``. Counts are Int64.

    Raises
    ------
    ValueError
        If `cells` or `reports` lack a needed column, or `cells` hold duplicate keys.

    Examples
    --------
    >>> m = Measure("granted_share", "granted", (("applications", "granted", "total"),),
    ...             (("applications", "total_handled", "total"),), "percent of handled requests")
    >>> compute(ds.cells, [m], by="year", reports=ds.reports)
    """
    wide, present = _wide(add_other(cells))
    rows = pd.concat([_report_rows(wide, present, m) for m in measures], ignore_index=True)
    rows["value"] = rows["value"].astype("Float64")
    for col in ("numerator", "denominator"):
        rows[col] = as_count(rows[col])
    if by is None:
        if "report_id" not in cells:
            return rows.drop(columns="report_id")[OUT_COLUMNS]
        if reports is not None:
            return with_report(rows[["report_id"] + OUT_COLUMNS], reports)
        return rows[["report_id"] + OUT_COLUMNS]
    by = [by] if isinstance(by, str) else list(by)
    rows = rows.merge(_attributes(cells, by, reports), on="report_id", how="left")
    out = _pool(rows, by, pd.Series({m.indicator: m.scale for m in measures}))
    return out.sort_values(by, kind="stable", ignore_index=True)


def as_count(values: pd.Series) -> pd.Series:
    """Sums of counts as Int64 (2061, not 2061.0); left Float64 if any is not a whole number."""
    values = values.astype("Float64")
    known = values.dropna()
    return values.round().astype("Int64") if (known == known.round()).all() else values
