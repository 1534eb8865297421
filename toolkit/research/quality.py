"""How far each report, and each agency's reports, can be trusted: a scorecard built from the
checks.

Two numbers, kept apart because they mean different things:

* ``score``: percent of the arithmetic checks (identities, run-together digit readings) that could
  be evaluated and hold: ok / (ok + failed + ambiguous + not_evaluable). A blank cell that stops an
  identity being checked lowers it, because a researcher cannot confirm that number either.
* ``narrative_agreement``: percent of the prose figures that agree with the tables:
  ok / (ok + failed).

Notes (``status == 'note'``) are information, not evidence, and are not counted; nor are the
manifest checks (``year``, ``source_hash``), which are about the file, not its numbers: a report
whose tables could not be checked at all scores NA, not 100.
"""

from __future__ import annotations

import pandas as pd

from toolkit.schema.fields import enumerated

COUNTED = ("ok", "failed", "ambiguous", "not_evaluable")
COUNTS = ("checks", "failed", "ambiguous", "not_evaluable", "narrative_checks", "narrative_failed")
STATUSES = enumerated("reports", "status")  # the data dictionary's list
PROVENANCE = ("year", "source_hash")  # crosscheck.manifest_checks: the file against the manifest


def _kind(checks: pd.DataFrame) -> pd.Series:
    """'narrative' (prose against tables), 'provenance' (not counted) or 'arithmetic' (everything
    else).
    """
    name = checks.check.astype(str)
    kind = name.str.startswith("narrative_").map({True: "narrative", False: "arithmetic"})
    return kind.mask(name.isin(PROVENANCE), "provenance")


def _counts(checks: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key: how many checks of each kind ended in each status."""
    c = checks.assign(kind=_kind(checks))
    # a report with nothing counted still gets a row
    every = c[keys].drop_duplicates().set_index(keys).index
    c = c[c.status.isin(COUNTED) & (c.kind != "provenance")]
    table = c.groupby(keys + ["kind", "status"]).size().unstack(["kind", "status"], fill_value=0)
    table = table.reindex(every, fill_value=0)
    table.columns = [f"{k}_{s}" for k, s in table.columns]
    for k in ("arithmetic", "narrative"):
        for s in COUNTED:
            if f"{k}_{s}" not in table:
                table[f"{k}_{s}"] = 0
    return table


def _rates(t: pd.DataFrame) -> pd.DataFrame:
    a_all = sum(t[f"arithmetic_{s}"] for s in COUNTED)
    n_all = t.narrative_ok + t.narrative_failed
    out = pd.DataFrame(index=t.index)
    out["checks"] = a_all
    out["failed"] = t.arithmetic_failed
    out["ambiguous"] = t.arithmetic_ambiguous
    out["not_evaluable"] = t.arithmetic_not_evaluable
    out["score"] = (100.0 * t.arithmetic_ok / a_all.where(a_all > 0)).astype("Float64")
    out["narrative_checks"] = n_all
    out["narrative_failed"] = t.narrative_failed
    out["narrative_agreement"] = (100.0 * t.narrative_ok / n_all.where(n_all > 0)).astype("Float64")
    return out


def report_quality(checks: pd.DataFrame, reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per report: arithmetic score and narrative agreement (with the report's attributes if
    given).

    Parameters
    ----------
    checks : pandas.DataFrame
        ``ds.checks`` (with ``report_id``).
    reports : pandas.DataFrame, optional
        ``ds.reports``: its columns (``status`` among them) are put beside each report's scores.

    Returns
    -------
    pandas.DataFrame
        ``report_id``, ``checks``, ``failed``, ``ambiguous``, ``not_evaluable`` (Int64 counts),
        ``score`` (percent of the arithmetic checks that hold), ``narrative_checks``,
        ``narrative_failed``, ``narrative_agreement``.

    Raises
    ------
    ValueError
        If `checks` has no ``report_id``.

    Examples
    --------
    >>> from toolkit import quality
    >>> quality.report_quality(ds.checks, ds.reports).sort_values("score").head()
    """
    if "report_id" not in checks:
        raise ValueError("checks need a report_id column (the corpus checks table)")
    out = _rates(_counts(checks, ["report_id"])).reset_index()
    if reports is not None:
        out = reports.merge(out, on="report_id", how="left")
    for col in COUNTS:
        out[col] = out[col].fillna(0).astype("Int64")
    return out


def scorecard(checks: pd.DataFrame, reports: pd.DataFrame, *, by: str = "agency") -> pd.DataFrame:
    """One row per agency (or any report attribute): reports by status, pooled score, narrative
    agreement, worst report.

    Parameters
    ----------
    checks : pandas.DataFrame
        ``ds.checks``.
    reports : pandas.DataFrame
        ``ds.reports`` (``report_id``, `by`, and ``status`` for the ``reports_<status>`` counts).
    by : str, default "agency"

    Returns
    -------
    pandas.DataFrame
        Sorted by `by`: ``reports`` and ``reports_<status>`` (Int64), the pooled check counts and
        ``score``, ``narrative_agreement``, ``worst_report``, ``worst_score``.

    Raises
    ------
    ValueError
        If `reports` lacks ``report_id`` or `by`.

    Examples
    --------
    >>> from toolkit import quality
    >>> quality.scorecard(ds.checks, ds.reports, by="agency")
    """
    if by not in reports or "report_id" not in reports:
        raise ValueError(
            f"reports need columns 'report_id' and {by!r}; it has {list(reports.columns)}"
        )
    merged = checks.merge(reports[["report_id", by]], on="report_id", how="inner")
    groups = reports.groupby(by).size()
    card = _rates(_counts(merged, [by]).reindex(groups.index, fill_value=0))
    per = report_quality(checks, reports[["report_id", by]])
    card.insert(0, "reports", groups)
    if "status" in reports:
        status = reports.groupby([by, "status"]).size().unstack(fill_value=0)
        for s in STATUSES:  # prefixed: 'failed' already counts failed checks, not failed reports
            card[f"reports_{s}"] = status[s] if s in status else 0
    worst = per.sort_values("score", na_position="first").drop_duplicates(by).set_index(by)
    card["worst_report"] = worst.report_id
    card["worst_score"] = worst.score
    card = card.reset_index().rename(columns={"index": by})
    for col in [*COUNTS, "reports", *(f"reports_{s}" for s in STATUSES)]:
        if col in card:
            card[col] = card[col].astype("Int64")
    return card.sort_values(by, kind="stable", ignore_index=True)
