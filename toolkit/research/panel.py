"""An agency × year panel of indicators: one row per agency-year, ready for a fixed-effects model or
a join to census and yearbook data on ``adcode``.

The key is (``adcode``, ``agency``, ``year``). Two reports of one agency-year with the same cells
(the same report published twice, e.g. as HTML and PDF) are one row; two that disagree are one row
too, the most trustworthy of them (verified before repaired, partial, inconsistent), with
``conflict`` true and ``n_reports`` saying how many there were, so nothing is averaged or guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

from toolkit.research import indicators

DEFAULT_MEASURES = (
    "not_held_share",
    "disclosure_rate",
    "withholding_rate",
    "unavailable_share",
    "rejected_share",
    "other_share",
    "appeals_per_100",
)
KEY = ["adcode", "agency", "year"]
IDENTITY = ["province", "prefecture", "county", "level", "agency_type"]
STATUS_RANK = {"verified": 0, "repaired": 1, "partial": 2, "inconsistent": 3, "failed": 4}
REPORT_COLUMNS = ["report_id", "file", "status", "format_applications"]


def panel(
    dataset,
    measures: Sequence[str] = DEFAULT_MEASURES,
    *,
    weights: bool = True,
) -> pd.DataFrame:
    """One row per agency × year with the indicator values, the report's status and its identity.

    Parameters
    ----------
    dataset : Dataset
        A dataset from :func:`toolkit.read_corpus` or :func:`toolkit.load_dataset` (anything with
        ``reports`` and ``cells`` frames).
    measures : sequence of str, default :data:`DEFAULT_MEASURES`
        Names of functions in :mod:`toolkit.research.indicators`. A measure with one category per
        report gives a column of its name (``not_held_share``); one with several gives one column
        per category (``appeals_per_100_litigation``).
    weights : bool, default True
        Add ``<column>_num`` and ``<column>_den``, the numerator and denominator of each ratio, for
        weighted estimates and for pooling.

    Returns
    -------
    pandas.DataFrame
        Key ``adcode, agency, year`` (adcode NA where the agency's name does not give one), then
        ``province, prefecture, county, level, agency_type``, ``report_id, file, status,
        format_applications``, ``verified`` (the value comes from a verified report),
        ``n_reports`` and ``conflict``, then the measures. NA stays NA. Reports without an agency
        or a year cannot be placed and are left out (``DataFrame.attrs["unplaced"]`` lists them).

    Raises
    ------
    ValueError
        If a measure is not an indicator's name.
    """
    known = {fn.__name__: fn for fn in indicators.ALL}
    unknown = [m for m in measures if m not in known]
    if unknown:
        raise ValueError(f"unknown measure(s) {unknown}; choose from {', '.join(known)}")
    reports = dataset.reports.copy()
    for col in KEY + IDENTITY:
        if col not in reports:
            reports[col] = pd.NA
    placed = reports.agency.notna() & reports.year.notna() & (reports.status != "failed")
    unplaced = sorted(reports.file[~placed].astype(str))
    reports = reports[placed].copy()
    reports["content"] = reports.report_id.map(_content_hashes(dataset.cells, reports.report_id))
    reports["rank"] = reports.status.map(STATUS_RANK).fillna(9)
    reports = reports.sort_values(["rank", "report_id"]).drop_duplicates(KEY + ["content"])
    groups = reports.groupby(KEY, dropna=False, sort=False)
    reports["n_reports"] = groups.report_id.transform("size")
    reports["conflict"] = reports.n_reports > 1
    rows = reports.drop_duplicates(KEY).copy()
    rows["verified"] = rows.status == "verified"
    cells = dataset.cells[dataset.cells.report_id.isin(rows.report_id)]
    wide = _measures(cells, [known[m] for m in measures], weights)
    out = rows[KEY + IDENTITY + REPORT_COLUMNS + ["verified", "n_reports", "conflict"]].merge(
        wide, on="report_id", how="left"
    )
    out = out.sort_values(KEY, na_position="last").reset_index(drop=True)
    out["year"] = out.year.astype("Int64")
    out["n_reports"] = out.n_reports.astype("Int64")
    out["verified"] = out.verified.astype("boolean")
    out["conflict"] = out.conflict.astype("boolean")
    out.attrs["unplaced"] = unplaced
    return out


def _content_hashes(cells: pd.DataFrame, report_ids: pd.Series) -> dict[str, str]:
    """report_id -> a hash of its cells (table, row, col, value): the same report published twice
    hashes the same, whatever the file's bytes."""
    sel = cells[cells.report_id.isin(report_ids)].sort_values(["report_id", "table", "row", "col"])
    out = {}
    for rid, g in sel.groupby("report_id", sort=False):
        text = "\n".join(
            f"{t}|{r}|{c}|{'' if pd.isna(v) else repr(float(v))}"
            for t, r, c, v in zip(g.table, g.row, g["col"], g.value)
        )
        out[rid] = hashlib.sha256(text.encode()).hexdigest()
    return {rid: out.get(rid, "") for rid in report_ids}


def _measures(cells: pd.DataFrame, functions, weights: bool) -> pd.DataFrame:
    """Measures per report, one column per indicator (× category where there are several)."""
    frames = []
    for fn in functions:
        long = fn(cells)
        if long.empty:
            continue
        several = long.category.nunique() > 1
        long = long.assign(
            column=[f"{i}_{c}" if several else i for i, c in zip(long.indicator, long.category)]
        )
        parts = {"": "value", "_num": "numerator", "_den": "denominator"}
        for suffix, field in parts.items():
            if suffix and not weights:
                continue
            wide = long.pivot(index="report_id", columns="column", values=field)
            frames.append(wide.add_suffix(suffix).astype("Float64"))
    if not frames:
        return pd.DataFrame({"report_id": pd.Series(dtype="string")})
    wide = pd.concat(frames, axis=1)
    order = [c for f in frames[:: 3 if weights else 1] for c in f.columns]
    order = [x for c in order for x in ([c, f"{c}_num", f"{c}_den"] if weights else [c])]
    return wide[order].rename_axis(columns=None).reset_index()
