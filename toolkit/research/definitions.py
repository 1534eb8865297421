"""The harmonized rows of one report under its definition: the national formats' printed cells
(exact), or Fujian's pre-2019 labels through the crosswalk (equal, approximate, or bounded).

:func:`toolkit.harmonize.series` applies these to every report; they live apart so each definition's
rule can be read on its own.
"""

from __future__ import annotations

import pandas as pd

from toolkit.schema.groups import WITHHELD_ROWS as WITHHELD
from toolkit.schema.groups import crosswalk

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


def _cell_sum(values: dict, table: str, rows, col: str):
    """Sum of cells from a {(table,row,col): value} map; None when one is blank or absent."""
    terms = [values.get((table, r, col)) for r in rows]
    return None if any(t is None or pd.isna(t) for t in terms) else float(sum(terms))


def national_rows(values: dict, definition: str) -> list[dict]:
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


def legacy_rows(values: dict) -> list[dict]:
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
