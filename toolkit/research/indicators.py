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
from typing import NamedTuple

import pandas as pd

from toolkit.research.harmonize import add_other
from toolkit.schema.groups import (
    DECIDED_COLS,
    LITIGATION_ROWS,
    ORG_COLS,
    OTHER_ROWS,
    REJECTED_ROWS,
    UNAVAILABLE_ROWS,
    WITHHELD_ROWS,
)

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


def _apps(rows: Sequence[str], col: str = "total") -> tuple[Key, ...]:
    return tuple((APPS, r, col) for r in rows)


HANDLED = _apps(["total_handled"])
PCT_HANDLED = "percent of handled requests (（七）总计)"


def _share(indicator: str, category: str, rows: Sequence[str]) -> Measure:
    return Measure(indicator, category, _apps(rows), HANDLED, PCT_HANDLED)


def _mix(indicator: str, rows: Sequence[str], unit: str) -> list[Measure]:
    return [Measure(indicator, r, _apps([r]), _apps(rows), unit) for r in rows]


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
    out["numerator"] = out.numerator.astype("Float64").where(entered)
    out["denominator"] = den = out.denominator.astype("Float64").where(entered)
    out["value"] = out.numerator / den.where(den != 0) * out.indicator.map(scale)
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
    """Evaluate measures per report (or pooled per group of report attributes); the engine behind
    every indicator.
    """
    wide, present = _wide(add_other(cells))
    rows = pd.concat([_report_rows(wide, present, m) for m in measures], ignore_index=True)
    for col in ("numerator", "denominator", "value"):
        rows[col] = rows[col].astype("Float64")
    if by is None:
        if "report_id" not in cells:
            return rows.drop(columns="report_id")[OUT_COLUMNS]
        return rows[["report_id"] + OUT_COLUMNS]
    by = [by] if isinstance(by, str) else list(by)
    rows = rows.merge(_attributes(cells, by, reports), on="report_id", how="left")
    return _pool(rows, by, pd.Series({m.indicator: m.scale for m in measures}))


def not_held_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests answered 本机关不掌握相关政府信息 (not held): the headline measure,
    in % of （七）总计.
    """
    return compute(
        cells, [_share("not_held_share", "unavailable_not_held", ["unavailable_not_held"])], **group
    )


def disclosure_rate(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """(予以公开 + 部分公开) / （七）总计, in %: how often a request got information."""
    return compute(
        cells,
        [_share("disclosure_rate", "granted+partially_granted", ["granted", "partially_granted"])],
        **group,
    )


def withholding_rate(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests refused under one of the eight 不予公开 grounds (NA if any ground
    is blank).
    """
    return compute(cells, [_share("withholding_rate", "withheld", WITHHELD_ROWS)], **group)


def withholding_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 不予公开 ground as % of all withholdings: which exemptions agencies lean on."""
    return compute(
        cells,
        _mix("withholding_mix", WITHHELD_ROWS, "percent of withheld requests (（三）不予公开)"),
        **group,
    )


def unavailable_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests answered 无法提供 (cannot provide), all three grounds together."""
    return compute(cells, [_share("unavailable_share", "unavailable", UNAVAILABLE_ROWS)], **group)


def unavailable_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 无法提供 ground as % of all 无法提供 answers (not held / needs creation / unclear)."""
    return compute(
        cells, _mix("unavailable_mix", UNAVAILABLE_ROWS, "percent of 无法提供 answers"), **group
    )


def rejected_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests 不予处理 (not processed: petitions, duplicates, publications …)."""
    return compute(cells, [_share("rejected_share", "rejected", REJECTED_ROWS)], **group)


def rejected_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Each 不予处理 ground as % of all 不予处理 answers."""
    return compute(
        cells, _mix("rejected_mix", REJECTED_ROWS, "percent of 不予处理 answers"), **group
    )


def other_share(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Share of handled requests closed as （六）其他处理, comparable across the 2019 and 2021
    formats.
    """
    return compute(cells, [_share("other_share", "other", ["other"])], **group)


def other_mix(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """The 2021 format's three 其他处理 grounds as % of 其他处理 (NA for 2019-format reports, which
    print one row).
    """
    return compute(cells, _mix("other_mix", OTHER_ROWS, "percent of 其他处理 answers"), **group)


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


def all_indicators(cells: pd.DataFrame, **group) -> pd.DataFrame:
    """Every indicator above in one tidy frame (defaults for their options)."""
    return pd.concat([fn(cells, **group) for fn in ALL], ignore_index=True)
