"""Run-together rows of a table without identities, where a blank may have printed as nothing.

A dump that lost every cell separator (行政处罚890) is split by assuming each cell printed
something. That holds where the document prints its blanks (/, —, 无): then a blank leaves a mark
in the run. In a document that shows no printed blank anywhere, a blank may have printed as
nothing, and 890 may be 89|0|blank as well as 8|9|0. A dash is no evidence: it is also a minus
sign (-80 may be blank|8|0 or −8|0|blank). The applications and appeals tables have identities
that tell; the 主动公开 table has none, so there such a row is left NA (ambiguous) with a check
naming why, unless no reading with fewer printed cells exists (000 can only be 0|0|0).
"""

from __future__ import annotations

import itertools

from toolkit.extract.match import Blob, Flat
from toolkit.extract.segment import TooMany, segmentations
from toolkit.extract.validate import check_row
from toolkit.normalize import BLANKS

UNCHECKED = ("proactive",)  # tables whose rows no identity confirms


MARKS = frozenset(BLANKS) - {"", "-", "--", "－", "–"}  # printed blanks that are no minus sign


def blanks_printed(cells: list[dict]) -> bool:
    """Whether the document shows a printed blank anywhere: a cell read as a mark that is only
    ever a blank (/, —, 无), never a dash that could be a minus sign."""
    return any(
        c["value"] is None and (c["raw"] if c["split"] is None else c["split"]) in MARKS
        for c in cells
    )


def could_hide_blank(blob: Blob, flat: Flat) -> bool:
    """Whether the blob's run also reads with one or more of its cells printed as nothing."""
    text, kinds = blob.run(flat)
    for k in range(1, len(kinds)):
        for kept in itertools.combinations(range(len(kinds)), k):
            try:
                if segmentations(text, [kinds[i] for i in kept]):
                    return True
            except TooMany:
                return True
    return False


def unproven(blobs: list[Blob], cells: list[dict], flat: Flat) -> list[dict]:
    """Blank the cells of run-together rows (tables without identities) that a blank printed as
    nothing could explain otherwise; one ambiguous_digits check per row. `cells` is changed."""
    if blanks_printed(cells):
        return []
    checks = []
    for blob in blobs:
        if blob.table not in UNCHECKED or blob.direct or not could_hide_blank(blob, flat):
            continue
        keys = {(blob.table, r, c) for r, c in blob.keys}
        mine = [c for c in cells if (c["table"], c["row"], c["col"]) in keys]
        if all(c["value"] is None for c in mine):
            continue
        for c in mine:
            c["value"], c["parse"] = None, "ambiguous"
        rows = ",".join(dict.fromkeys(r for r, _ in blob.keys))
        why = (
            f"the run of {rows} reads otherwise if a blank cell printed as nothing, and this "
            "document shows no printed blank (/, —, 无) to rule that out; left NA"
        )
        scope = "row:" + rows
        checks.append(check_row("ambiguous_digits", blob.table, scope, "ambiguous", why))
    return checks
