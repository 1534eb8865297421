"""A report's status from its own checks: verified, repaired, partial or inconsistent, and why.

Only the applications and appeals tables decide (their pre-2019 counterparts for older reports):
the proactive table has no identity to confirm its numbers, so what is unreadable there is NA
without changing the status.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from toolkit import schema
from toolkit.extract.repair import repaired_status
from toolkit.extract.validate import Key

CORE = ("applications", "appeals")
LEGACY_CORE = ("legacy_applications", "legacy_appeals")
LEGACY_FORMAT = "pre2019"


def report_status(
    cells: list[tuple[Key, float | None]], checks: list[dict], formats: dict
) -> tuple[dict, str, list[str]]:
    """The formats read, the status and its reasons, from the tables' own checks (national, else
    pre-2019)."""
    if formats:
        return formats, *repaired_status(*decide(cells, checks, formats), checks)
    formats = {"legacy": LEGACY_FORMAT} if cells else {}
    status, reasons = decide(cells, checks, formats, core=LEGACY_CORE)
    reasons.insert(
        0,
        "none of the 2019/2021 national tables was found"
        + (
            "; read the pre-2019 provincial table instead (other definitions: see the crosswalk)"
            if formats
            else " (a pre-2019 report, or an excerpt)"
        ),
    )
    return formats, status, reasons


def decide(
    cells: Iterable[tuple[Key, float | None]],
    checks: list[dict],
    formats: dict,
    core: tuple[str, ...] = CORE,
) -> tuple[str, list[str]]:
    """verified / inconsistent / partial from the tables in `core`, with one line per reason.

    `cells` are ((table, row, col), value) pairs, None where NA
    (:func:`toolkit.extract.validate.cell_items`); `checks` are check rows as dicts.
    """
    cells = list(cells)
    mine = [r for r in checks if r["table"] in core]
    failed = [r for r in mine if r["status"] == "failed"]
    reasons = [
        f"identity {r['check']} ({r['table']} {r['scope']}) fails: {r['detail']}" for r in failed
    ]
    ambiguous = [r for r in mine if r["status"] == "ambiguous"]
    reasons += [f"ambiguous {r['table']} {r['scope']}: {r['detail']}" for r in ambiguous]
    missing = _missing({key for key, _ in cells}, formats) if core == CORE else 0
    core_blank = [value is None for (table, _, _), value in cells if table in core]
    blank = sum(core_blank)
    not_eval = sum(r["status"] == "not_evaluable" for r in mine)
    if missing:
        reasons.append(
            f"{missing} cell(s) of the applications/appeals tables not found in the document"
        )
    if blank:
        reasons.append(
            f"{blank} cell(s) blank or unreadable; "
            f"{not_eval} identit{'y' if not_eval == 1 else 'ies'} not evaluable"
        )
    if not formats or not core_blank:
        return "partial", reasons
    if failed or ambiguous:
        return "inconsistent", reasons
    if missing or blank or not_eval:
        return "partial", reasons
    return "verified", reasons


def _missing(have: set[Key], formats: dict) -> int:
    """How many cells the core tables' layouts expect that were not read."""
    return sum(
        key not in have for table in CORE for key in _expected(table, formats.get(table, "2021"))
    )


@cache
def _expected(table: str, fmt: str) -> tuple[Key, ...]:
    """The (table, row, col) keys of every cell a table's layout prints."""
    return tuple((table, r, c) for r, c in schema.expected_cells(table, fmt))
