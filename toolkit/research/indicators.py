"""Research measures on tidy cells: pure functions, one row per report (or per group), each with its
unit.

Every function takes the tidy ``cells`` frame (``table, row, col, value`` and, for many reports,
``report_id``) and returns a tidy frame with the columns of :data:`OUT_COLUMNS`. The rules for NA
are the same everywhere and are what a careful reader of the reports would do by hand:

* a blank or missing cell is NA, never 0; a sum of cells is NA when any term is NA;
* a rate is NA when its numerator or its denominator is NA, or the denominator is 0
  (``note`` says which);
* shares are in percent (0–100); appeals are per 100 requests; ``unit`` says which;
* grouped results (``by=``) are ratios of sums over the reports where both parts are known, not
  means of report rates; ``n_reports`` counts the reports that entered, ``n_excluded`` those left
  out.

The 2019 format's one-row （六）其他处理 and the 2021 format's three rows meet in a derived
``other`` row (:func:`toolkit.research.harmonize.add_other`), so ``other_share`` means the same in
both.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from toolkit.research.measures import (
    APPEALS,
    APPS,
    OUT_COLUMNS,
    Key,
    Measure,
    compute,
)
from toolkit.schema.groups import (
    DECIDED_COLS,
    LITIGATION_ROWS,
    ORG_COLS,
    OTHER_ROWS,
    REJECTED_ROWS,
    UNAVAILABLE_ROWS,
    WITHHELD_ROWS,
)

__all__ = [
    "OUT_COLUMNS",
    "Measure",
    "compute",
    "all_indicators",
    "not_held_share",
    "disclosure_rate",
    "withholding_rate",
    "withholding_mix",
    "unavailable_share",
    "unavailable_mix",
    "rejected_share",
    "rejected_mix",
    "other_share",
    "other_mix",
    "applicant_mix",
    "appeals_per_100",
    "correction_rate",
    "carry_over",
]


def _apps(rows: Sequence[str], col: str = "total") -> tuple[Key, ...]:
    return tuple((APPS, r, col) for r in rows)


HANDLED = _apps(["total_handled"])
PCT_HANDLED = "percent of handled requests (（七）总计)"


def _share(indicator: str, category: str, rows: Sequence[str]) -> Measure:
    return Measure(indicator, category, _apps(rows), HANDLED, PCT_HANDLED)


def _mix(indicator: str, rows: Sequence[str], unit: str) -> list[Measure]:
    return [Measure(indicator, r, _apps([r]), _apps(rows), unit) for r in rows]


_DOC = """

    Parameters
    ----------
    cells : pandas.DataFrame
        Tidy cells (``table, row, col, value`` and, for many reports, ``report_id``): ``ds.cells``
        of a dataset, or ``report.cells`` of one report.{options}
    by : str or list of str, optional
        Pool per group of report attributes (``"agency"``, ``"year"``, ``"status"`` ...): a ratio of
        sums over the reports where both parts are known, sorted by the group keys, with
        ``n_reports`` (Int64) that entered and ``n_excluded`` that did not.
    reports : pandas.DataFrame, optional
        ``ds.reports``: the columns `by` names and, without `by`, each report's ``agency``,
        ``year`` and ``report_status`` beside its rows.

    Returns
    -------
    pandas.DataFrame
        Per report (or group) and category: ``indicator, category, numerator, denominator``
        (Int64 counts), ``value`` (Float64; NA with its reason in ``note``), ``unit``, ``note``.

    Raises
    ------
    ValueError
        If `cells` or `reports` lack a column the call needs{raises}.

    Examples
    --------
    >>> from toolkit import indicators
    >>> indicators.{name}(ds.cells, reports=ds.reports).head()
    >>> indicators.{name}(ds.cells, by="year", reports=ds.reports)
    """


def _documented(options: str = "", raises: str = ""):
    """Give an indicator the shared numpydoc sections (they differ only in name and options)."""

    def wrap(fn):
        fn.__doc__ = fn.__doc__.rstrip() + _DOC.format(
            name=fn.__name__, options=options, raises=raises
        )
        return fn

    return wrap


@_documented()
def not_held_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests answered 本机关不掌握相关政府信息 (not held): the headline measure,
    in % of （七）总计.
    """
    return compute(
        cells, [_share("not_held_share", "unavailable_not_held", ["unavailable_not_held"])], **group
    )


@_documented()
def disclosure_rate(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """(予以公开 + 部分公开) / （七）总计, in %: how often a request got information."""
    return compute(
        cells,
        [_share("disclosure_rate", "granted+partially_granted", ["granted", "partially_granted"])],
        **group,
    )


@_documented()
def withholding_rate(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests refused under one of the eight 不予公开 grounds (NA if any ground
    is blank).
    """
    return compute(cells, [_share("withholding_rate", "withheld", WITHHELD_ROWS)], **group)


@_documented()
def withholding_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 不予公开 ground as % of all withholdings: which exemptions agencies lean on."""
    return compute(
        cells,
        _mix("withholding_mix", WITHHELD_ROWS, "percent of withheld requests (（三）不予公开)"),
        **group,
    )


@_documented()
def unavailable_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests answered 无法提供 (cannot provide), all three grounds together."""
    return compute(cells, [_share("unavailable_share", "unavailable", UNAVAILABLE_ROWS)], **group)


@_documented()
def unavailable_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 无法提供 ground as % of all 无法提供 answers (not held / needs creation / unclear)."""
    return compute(
        cells, _mix("unavailable_mix", UNAVAILABLE_ROWS, "percent of 无法提供 answers"), **group
    )


@_documented()
def rejected_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests 不予处理 (not processed: petitions, duplicates, publications …)."""
    return compute(cells, [_share("rejected_share", "rejected", REJECTED_ROWS)], **group)


@_documented()
def rejected_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 不予处理 ground as % of all 不予处理 answers."""
    return compute(
        cells, _mix("rejected_mix", REJECTED_ROWS, "percent of 不予处理 answers"), **group
    )


@_documented()
def other_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests closed as （六）其他处理, comparable across the 2019 and 2021
    formats.
    """
    return compute(cells, [_share("other_share", "other", ["other"])], **group)


@_documented()
def other_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """The 2021 format's three 其他处理 grounds as % of 其他处理 (NA for 2019-format reports, which
    print one row).
    """
    return compute(cells, _mix("other_mix", OTHER_ROWS, "percent of 其他处理 answers"), **group)


@_documented(
    options="""
    row : str, default "new_received"
        The applications row whose applicant columns are shared out."""
)
def applicant_mix(cells: pd.DataFrame, *, row: str = "new_received", **group) -> pd.DataFrame:
    """Natural persons vs organisations (and each kind of organisation) as % of the row's 总计
    (default: new requests).
    """
    den = ((APPS, row, "total"),)
    unit = f"percent of {row}.total"
    measures = [
        Measure("applicant_mix", "natural_person", ((APPS, row, "natural_person"),), den, unit),
        Measure(
            "applicant_mix", "organisations", tuple((APPS, row, c) for c in ORG_COLS), den, unit
        ),
    ]
    measures += [Measure("applicant_mix", c, ((APPS, row, c),), den, unit) for c in ORG_COLS]
    return compute(cells, measures, **group)


@_documented(
    options="""
    per : {"total_handled", "new_received"}, default "total_handled"
        The requests counted below the line.""",
    raises=", or `per` is not allowed",
)
def appeals_per_100(cells: pd.DataFrame, *, per: str = "total_handled", **group) -> pd.DataFrame:
    """Reconsideration and litigation cases per 100 requests (default per 100 handled;
    per='new_received' also allowed).
    """
    if per not in ("total_handled", "new_received"):
        raise ValueError(f"per={per!r}; choose 'total_handled' or 'new_received'")
    den = ((APPS, per, "total"),)
    unit = f"cases per 100 requests ({per}.total)"
    lit = tuple((APPEALS, r, "total") for r in LITIGATION_ROWS)
    return compute(
        cells,
        [
            Measure(
                "appeals_per_100",
                "reconsideration",
                ((APPEALS, "reconsideration", "total"),),
                den,
                unit,
            ),
            Measure("appeals_per_100", "litigation", lit, den, unit),
        ],
        **group,
    )


@_documented()
def correction_rate(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """结果纠正 as % of decided cases (维持 + 纠正 + 其他结果; pending excluded), for
    reconsideration and litigation.
    """
    unit = "percent of decided cases (pending excluded)"

    def m(category: str, rows: Sequence[str]) -> Measure:
        return Measure(
            "correction_rate",
            category,
            tuple((APPEALS, r, "corrected") for r in rows),
            tuple((APPEALS, r, c) for r in rows for c in DECIDED_COLS),
            unit,
        )

    return compute(
        cells,
        [m("reconsideration", ["reconsideration"]), m("litigation", LITIGATION_ROWS)],
        **group,
    )


@_documented()
def carry_over(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Carried in (二) and carried forward (四) as % of the year's workload (一 + 二): backlog in
    and out.
    """
    load = _apps(["new_received", "carried_over"])
    unit = "percent of the year's workload (一 + 二)"
    return compute(
        cells,
        [
            Measure("carry_over", "carried_over", _apps(["carried_over"]), load, unit),
            Measure("carry_over", "carried_forward", _apps(["carried_forward"]), load, unit),
        ],
        **group,
    )


ALL = (
    not_held_share,
    disclosure_rate,
    withholding_rate,
    withholding_mix,
    unavailable_share,
    unavailable_mix,
    rejected_share,
    rejected_mix,
    other_share,
    other_mix,
    applicant_mix,
    appeals_per_100,
    correction_rate,
    carry_over,
)


@_documented()
def all_indicators(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Every indicator above in one tidy frame (defaults for their options)."""
    return pd.concat([fn(cells, **group) for fn in ALL], ignore_index=True)
