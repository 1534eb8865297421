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

from toolkit.schema.groups import OTHER_ROWS, crosswalk
from toolkit.schema.groups import WITHHELD_ROWS as WITHHELD

# re-exported: harmonize.other_values is add_other's rule for one report's values
from toolkit.schema.groups import other_values as other_values

# measure -> (table, rows summed, col): the national cells behind each harmonized count
HARMONIZED = {
    "received": ("applications", ("new_received",), "total"),
    "handled": ("applications", ("total_handled",), "total"),
    "granted": ("applications", ("granted",), "total"),
    "partially_granted": ("applications", ("partially_granted",), "total"),
    "refused": ("applications", WITHHELD, "total"),
    "not_held": ("applications", ("unavailable_not_held",), "total"),
    "other": ("applications", ("other",), "total"),
    "reconsideration": ("appeals", ("reconsideration",), "total"),
    "litigation": ("appeals", ("litigation_direct", "litigation_after_reconsideration"), "total"),
}
UNITS = {
    "reconsideration": "cases",
    "litigation": "cases",
    "not_held_share": "percent of handled requests",
    "disclosure_rate": "percent of handled requests",
}
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


def _cell_sum(values: dict, table: str, rows, col: str):
    """Sum of cells from a {(table,row,col): value} map; None when one is blank or absent."""
    terms = [values.get((table, r, col)) for r in rows]
    return None if any(t is None or pd.isna(t) for t in terms) else float(sum(terms))


def _national(values: dict, definition: str) -> list[dict]:
    """Harmonized rows of one national-format report: the printed cells, exact by definition."""
    out = []
    for measure, (table, rows, col) in HARMONIZED.items():
        v = _cell_sum(values, table, rows, col)
        out.append(_row(measure, v, definition, "equal", "exact", ""))
    handled = _cell_sum(values, "applications", ("total_handled",), "total")
    for name, parts in (
        ("not_held_share", ("not_held",)),
        ("disclosure_rate", ("granted", "partially_granted")),
    ):
        num = [r["value"] for r in out if r["measure"] in parts]
        out.append(_row(name, _pct(num, handled), definition, "equal", "exact", ""))
    return out


def _pct(parts: list, den) -> float | None:
    if den in (None, 0) or any(p is None or pd.isna(p) for p in parts) or pd.isna(den):
        return None
    return 100.0 * sum(parts) / den


def _row(
    measure: str,
    value,
    definition: str,
    relation: str,
    confidence: str,
    note: str,
    lower=None,
    upper=None,
) -> dict:
    return {
        "measure": measure,
        "value": value,
        "lower": lower,
        "upper": upper,
        "unit": UNITS.get(measure, "requests"),
        "definition": definition,
        "relation": relation,
        "confidence": confidence,
        "note": note,
    }


def _legacy(values: dict) -> list[dict]:
    """Harmonized rows of one pre-2019 report through the crosswalk; not-held is bounded, not
    invented.
    """
    cw = crosswalk()
    out = []
    for measure, (table, rows, col) in HARMONIZED.items():
        hit = cw[
            (cw.national_table == table)
            & (cw.national_rows == "+".join(rows))
            & (cw.national_col == col)
        ]
        if hit.empty:
            out.append(
                _row(
                    measure,
                    None,
                    "fujian_pre2019",
                    "none",
                    "none",
                    "not printed in the pre-2019 table",
                )
            )
            continue
        rec = hit.iloc[0]
        v = values.get((rec.legacy_table, rec.legacy_row, "year"))
        out.append(
            _row(
                measure,
                None if v is None or pd.isna(v) else float(v),
                "fujian_pre2019",
                rec.relation,
                rec.confidence,
                f"{rec.label_zh}: {rec.note}",
            )
        )
    get = {r["measure"]: r["value"] for r in out}
    answered = get["handled"]
    other = values.get(("legacy_applications", "other_answers", "year"))
    has_other = ("legacy_applications", "other_answers", "year") in values
    not_granted = [get["refused"]] + ([other] if has_other else [])
    low, high, exact, note = _not_held_bounds(
        get["granted"], get["partially_granted"], not_granted, answered
    )
    out = [r for r in out if r["measure"] != "not_held"]
    out.append(
        _row(
            "not_held",
            exact,
            "fujian_pre2019",
            "bounded",
            "medium" if exact is not None else "none",
            note,
            low,
            high,
        )
    )
    share_bounds = [
        None if b is None or not answered else 100.0 * b / answered for b in (low, high)
    ]
    out.append(
        _row(
            "not_held_share",
            _pct([exact], answered) if exact is not None else None,
            "fujian_pre2019",
            "bounded",
            "medium" if exact is not None else "none",
            note,
            *share_bounds,
        )
    )
    out.append(
        _row(
            "disclosure_rate",
            _pct([get["granted"], get["partially_granted"]], answered),
            "fujian_pre2019",
            "approx",
            "medium",
            "同意公开 + 同意部分公开 over 对申请的答复数 (answers, not requests closed)",
        )
    )
    return out


def _not_held_bounds(granted, partial, not_granted: list, answered):
    """Not-held answers are never printed before 2019; they hide among the refusals and other
    answers.
    """
    terms = [granted, partial, *not_granted, answered]
    if any(t is None or pd.isna(t) for t in terms):
        return (
            None,
            None,
            None,
            "not printed before 2019, and the answer categories are incomplete: no bound",
        )
    if granted + partial + sum(not_granted) != answered:
        return (
            None,
            None,
            None,
            "not printed before 2019; the answer categories do not sum to the answers: no bound",
        )
    high = float(sum(not_granted))
    if answered == 0:
        return 0.0, 0.0, 0.0, "no request answered this year"
    if high == 0:
        return (
            0.0,
            0.0,
            0.0,
            "not printed before 2019; 0 because every answer granted disclosure in full or in part",
        )
    return 0.0, high, None, "not printed before 2019: between 0 and the refusals plus other answers"


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
        found = _legacy(values) if definition == "fujian_pre2019" else _national(values, definition)
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
