"""One series across three definitions: the 2019 and 2021 national formats and Fujian's pre-2019
tables.

Two things are harmonized here, and both are marked, never hidden:

* （六）其他处理: one row in 2019, three rows in 2021. :func:`add_other` derives the 2021 total so
  ``other`` means the same in both (a derived cell is flagged ``derived=True``).
* pre-2019 labels: ``schema/crosswalk_pre2019.csv`` maps each printed label to a national cell (or
  to none) with a relation (equal / approx / none), a confidence and a note. :func:`series` applies
  it and marks in ``break_before`` the first report of an agency under a new definition.
"""

from __future__ import annotations

import pandas as pd

from toolkit.research import definitions

# re-exported: the national cells behind each measure, and the measures' units
from toolkit.research.definitions import HARMONIZED as HARMONIZED
from toolkit.research.definitions import UNITS as UNITS
from toolkit.schema.groups import OTHER_ROWS
from toolkit.schema.groups import crosswalk as crosswalk  # re-exported: the pre-2019 crosswalk

# re-exported: harmonize.other_values is add_other's rule for one report's values
from toolkit.schema.groups import other_values as other_values

DEFINITIONS = {
    "national_2019": "国办 2019 format",
    "national_2021": "国办公开办函〔2021〕30号 format",
    "fujian_pre2019": "Fujian pre-2019 statistics table (统计表)",
}
SERIES_COLUMNS = [
    "report_id",
    "measure",
    "value",
    "lower",
    "upper",
    "unit",
    "definition",
    "relation",
    "confidence",
    "note",
]


def _ids(cells: pd.DataFrame) -> pd.Series:
    return cells["report_id"] if "report_id" in cells else pd.Series("", index=cells.index)


def add_other(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells plus a derived applications.other row for 2021-format reports (sum of its three rows;
    NA if one is blank).

    Parameters
    ----------
    cells : pandas.DataFrame
        Tidy cells (``table, row, col, value`` [, ``report_id``]).

    Returns
    -------
    pandas.DataFrame
        The cells, a ``derived`` column, and one derived ``other`` row per column where needed.

    Examples
    --------
    >>> from toolkit import harmonize
    >>> harmonize.add_other(ds.cells).query("derived").head()
    """
    out = cells.copy()
    if "derived" not in out:
        out["derived"] = False
    ids = _ids(out)
    has_other = set(ids[(out.table == "applications") & (out.row == "other")])
    sub = out[(out.table == "applications") & out.row.isin(OTHER_ROWS) & ~ids.isin(has_other)]
    if sub.empty:
        return out
    keys = ["report_id", "col"] if "report_id" in sub else ["col"]
    vals = pd.array(sub.value, dtype="Float64")
    g = sub.assign(value=vals).groupby(keys, sort=False).value
    known = g.count() == len(OTHER_ROWS)
    total = g.sum().astype("Float64").where(known)
    derived = total.rename("value").reset_index()
    derived = derived.assign(
        table="applications",
        row="other",
        raw=None,
        page=pd.NA,
        derived=True,
        na_reason=["" if k else "derived: a 其他处理 row is blank or absent" for k in known],
    )
    derived["na_reason"] = derived.na_reason.where(derived.value.isna(), None)
    return pd.concat([out, derived[[c for c in out.columns if c in derived]]], ignore_index=True)


def definition_of(cells: pd.DataFrame) -> pd.Series:
    """report_id -> which definition its cells follow
    (fujian_pre2019 / national_2019 / national_2021).

    Parameters
    ----------
    cells : pandas.DataFrame
        Tidy cells with ``table`` and ``row`` [and ``report_id``].

    Returns
    -------
    pandas.Series
        Indexed by report_id, named ``definition``; None where no table is recognised.

    Examples
    --------
    >>> from toolkit import harmonize
    >>> harmonize.definition_of(ds.cells).value_counts()
    """
    ids = _ids(cells)
    frame = pd.DataFrame(
        {"report_id": ids.to_numpy(), "table": cells.table.to_numpy(), "row": cells.row.to_numpy()}
    )

    def one(g: pd.DataFrame) -> str | None:
        if g.table.str.startswith("legacy_").any():
            return "fujian_pre2019"
        if (g.row.isin(OTHER_ROWS) & (g.table == "applications")).any():
            return "national_2021"
        if ((g.row == "other") & (g.table == "applications")).any():
            return "national_2019"
        return None

    return frame.groupby("report_id", sort=False)[["table", "row"]].apply(one).rename("definition")


def series(cells: pd.DataFrame, reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Harmonized counts and rates per report across definitions, with bounds, confidence and breaks
    marked.

    Parameters
    ----------
    cells : pandas.DataFrame
        Tidy cells of national-format and pre-2019 reports (``report_id, table, row, col, value``).
    reports : pandas.DataFrame, optional
        ``ds.reports``: adds each report's ``agency``, ``year`` and ``report_status`` (named so a
        later merge with ``reports`` does not collide on ``status``) and ``break_before``.

    Returns
    -------
    pandas.DataFrame
        One row per report and measure (:data:`HARMONIZED` counts, ``not_held_share``,
        ``disclosure_rate``): ``value``, ``lower``/``upper`` (bounds where only a bound is known),
        ``unit``, ``definition``, ``relation``, ``confidence``, ``note``.

    Raises
    ------
    ValueError
        If `reports` lacks ``report_id``, ``agency`` or ``year``.

    Examples
    --------
    >>> from toolkit import harmonize
    >>> s = harmonize.series(ds.cells, ds.reports)
    >>> s[s.measure == "received"].sort_values(["agency", "year"]).head()
    """
    cells = add_other(cells)
    defs = definition_of(cells)
    ids = _ids(cells)
    rows = []
    for rid, part in cells.groupby(ids, sort=False):
        values = dict(zip(zip(part.table, part.row, part["col"]), part.value))
        definition = defs.get(rid)
        if definition is None:
            continue
        found = (
            definitions.legacy_rows(values)
            if definition == "fujian_pre2019"
            else definitions.national_rows(values, definition)
        )
        rows += [r | {"report_id": rid} for r in found]
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    for col in ("value", "lower", "upper"):
        out[col] = pd.array(out[col], dtype="Float64")
    if reports is None:
        return out if "report_id" in cells else out.drop(columns="report_id")
    return mark_breaks(with_report(out, reports))


def mark_breaks(frame: pd.DataFrame, *, entity: str = "agency", time: str = "year") -> pd.DataFrame:
    """`break_before`: True on the first report of an entity under a definition that differs from
    the year before.

    Parameters
    ----------
    frame : pandas.DataFrame
        With `entity`, `time` and ``definition``.
    entity, time : str, default "agency", "year"

    Returns
    -------
    pandas.DataFrame
        `frame` with a boolean ``break_before``.

    Raises
    ------
    ValueError
        If `entity` or `time` is not a column.

    Examples
    --------
    >>> from toolkit import harmonize
    >>> s = harmonize.series(ds.cells)
    >>> harmonize.mark_breaks(s.merge(ds.reports[["report_id", "agency", "year"]]))
    """
    if entity not in frame or time not in frame:
        raise ValueError(
            f"mark_breaks needs columns {entity!r} and {time!r}; "
            f"the frame has {list(frame.columns)}"
        )
    per = (
        frame[[entity, time, "definition"]]
        .drop_duplicates([entity, time])
        .sort_values([entity, time])
    )
    prev = per.groupby(entity, sort=False).definition.shift()
    per["break_before"] = prev.notna() & (prev != per.definition)
    return frame.merge(per[[entity, time, "break_before"]], on=[entity, time], how="left")


def with_report(rows: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Per-report rows with the report's agency, year and status (as ``report_status``) beside
    them, after ``report_id``.

    Parameters
    ----------
    rows : pandas.DataFrame
        Result rows with ``report_id``.
    reports : pandas.DataFrame
        ``ds.reports``.

    Returns
    -------
    pandas.DataFrame
        `rows` with ``agency``, ``year`` and ``report_status`` where `reports` has them.

    Raises
    ------
    ValueError
        If `reports` has no ``report_id``.

    Examples
    --------
    >>> from toolkit import harmonize
    >>> harmonize.with_report(harmonize.series(ds.cells), ds.reports).head()
    """
    if "report_id" not in reports:
        raise ValueError(f"reports need a report_id column; it has {list(reports.columns)}")
    keep = [c for c in ("agency", "year", "status") if c in reports]
    attrs = reports[["report_id", *keep]].drop_duplicates("report_id")
    attrs = attrs.rename(columns={"status": "report_status"})
    out = rows.merge(attrs, on="report_id", how="left")
    first = ["report_id", *[c for c in attrs.columns if c != "report_id"]]
    return out[first + [c for c in out.columns if c not in first]]
