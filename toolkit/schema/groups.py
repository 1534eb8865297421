"""Named groups of rows and columns, and the pre-2019 crosswalk: format knowledge that extraction
and research share.

Extraction (narrative checks, the pre-2019 reader, the data dictionary) and research (indicators,
harmonized series) both need to know which rows make up "withheld" or "其他处理"; they import it
from here, so the lower layer never reaches up into research.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

OTHER_ROWS = ("other_no_correction", "other_no_fee", "other_other")
WITHHELD_ROWS = (
    "withheld_state_secret",
    "withheld_prohibited_by_law",
    "withheld_security_stability",
    "withheld_third_party",
    "withheld_internal_affairs",
    "withheld_process_info",
    "withheld_enforcement_file",
    "withheld_query_matter",
)
UNAVAILABLE_ROWS = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
REJECTED_ROWS = (
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
)
ORG_COLS = (
    "commercial_enterprise",
    "research_institution",
    "social_org",
    "legal_service",
    "other_org",
)
LITIGATION_ROWS = ("litigation_direct", "litigation_after_reconsideration")
DECIDED_COLS = ("upheld", "corrected", "other")


@cache
def crosswalk() -> pd.DataFrame:
    """The pre-2019 label crosswalk (package data), one row per printed label."""
    path = resources.files("toolkit.schema").joinpath("crosswalk_pre2019.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def other_values(values: dict) -> dict:
    """The applications.other cells of a 2021-format report, for one report's
    {(table, row, col): value} map.

    2019 prints （六）其他处理 as one row, 2021 as three; their sum makes the two comparable. None
    where a part is blank or missing; empty when the report prints the single row itself.
    """
    if any(t == "applications" and r == "other" for t, r, _ in values):
        return {}
    cols = dict.fromkeys(c for t, r, c in values if t == "applications" and r in OTHER_ROWS)
    terms = {c: [values.get(("applications", r, c)) for r in OTHER_ROWS] for c in cols}
    return {
        ("applications", "other", c): None if None in ts else float(sum(ts))
        for c, ts in terms.items()
    }
