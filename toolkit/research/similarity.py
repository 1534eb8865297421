"""内容雷同: how much of a report's prose is copied from its neighbours (the same agency's other
years, peers).

The method is shingling, chosen over a TF-IDF model because it is short, needs no dependency and
says something a reader can check: a report's prose is cut into overlapping runs of ``k`` characters
(digits folded to ``#``, so 收到70件 and 收到75件 match, whitespace and punctuation dropped), and

* ``containment(a, b)`` = share of a's shingles also found in b: "how much of a could have been
  pasted from b";
* ``jaccard(a, b)`` = shared / all shingles of both.

Text every report must print (the national table labels) is removed first, and in a corpus of at
least ``min_docs`` reports a shingle found in more than ``template_share`` of them counts as
template, not copying, and is ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import cache

import pandas as pd

from toolkit import schema
from toolkit.normalize import fold
from toolkit.schema.groups import crosswalk

K = 8
KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z#]")


def prose(text: str) -> str:
    """The text as compared: folded, digits as '#', only CJK, Latin letters and '#' kept."""
    text = re.sub(r"\d+(?:\.\d+)?", "#", fold(text))
    return "".join(KEEP.findall(text))


@cache
def _template(k: int) -> frozenset[str]:
    """Shingles of the national and pre-2019 table labels: every report prints them, so they prove
    nothing.
    """
    labels = list(schema.codes().label_zh) + [
        part for v in crosswalk().label_zh for part in v.split(" / ")
    ]
    return frozenset(s for label in labels for s in shingles(label, k, raw=True))


def shingles(text: str, k: int = K, *, raw: bool = False) -> set[str]:
    """The set of k-character runs of the compared prose (table-label runs removed unless raw)."""
    p = prose(text)
    found = {p[i : i + k] for i in range(len(p) - k + 1)}
    return found if raw else found - _template(k)


def _sets(
    texts: Mapping[str, str], k: int, template_share: float, min_docs: int
) -> dict[str, set[str]]:
    sets = {rid: shingles(t, k) for rid, t in texts.items()}
    if len(sets) >= min_docs:
        df = Counter(s for found in sets.values() for s in found)
        common = {s for s, n in df.items() if n > template_share * len(sets)}
        sets = {rid: found - common for rid, found in sets.items()}
    return sets


def neighbours(
    reports: pd.DataFrame,
    *,
    entity: str = "agency",
    time: str = "year",
    peers: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Pairs to compare: the same entity's previous report, and (if `peers` names columns)
    same-value peers.
    """
    lacking = [c for c in ("report_id", entity, time, *peers) if c not in reports]
    if lacking:
        raise ValueError(f"reports lack column(s) {lacking}")
    r = reports.sort_values([entity, time])
    prev = r.groupby(entity, sort=False).report_id.shift()
    pairs = [
        pd.DataFrame({"report_id": r.report_id, "neighbour_id": prev, "relation": "previous year"})
    ]
    if peers:
        m = r.merge(r, on=list(peers), suffixes=("", "_b"))
        m = m[m.report_id != m.report_id_b]
        pairs.append(
            pd.DataFrame(
                {
                    "report_id": m.report_id,
                    "neighbour_id": m.report_id_b,
                    "relation": "peer (" + ", ".join(peers) + ")",
                }
            )
        )
    out = pd.concat(pairs, ignore_index=True).dropna(subset=["neighbour_id"])
    return out.drop_duplicates(["report_id", "neighbour_id"]).reset_index(drop=True)


def pair_scores(
    texts: Mapping[str, str],
    pairs: pd.DataFrame,
    *,
    k: int = K,
    template_share: float = 0.5,
    min_docs: int = 20,
) -> pd.DataFrame:
    """containment and jaccard for each (report_id, neighbour_id) pair; unknown ids
    raise at once.
    """
    unknown = (set(pairs.report_id) | set(pairs.neighbour_id)) - set(texts)
    if unknown:
        raise ValueError(f"no text for report(s) {sorted(unknown)[:5]}")
    sets = _sets(texts, k, template_share, min_docs)
    rows = []
    for rec in pairs.itertuples(index=False):
        a, b = sets[rec.report_id], sets[rec.neighbour_id]
        shared = len(a & b)
        union = len(a | b)
        rows.append(
            {
                "shared": shared,
                "shingles": len(a),
                "containment": 100.0 * shared / len(a) if a else float("nan"),
                "jaccard": 100.0 * shared / union if union else float("nan"),
            }
        )
    return pd.concat(
        [pairs.reset_index(drop=True), pd.DataFrame(rows, index=range(len(pairs)))], axis=1
    )


def boilerplate(
    texts: Mapping[str, str],
    reports: pd.DataFrame | None = None,
    *,
    pairs: pd.DataFrame | None = None,
    **options,
) -> pd.DataFrame:
    """One row per report: the neighbour it shares most prose with, and the share (percent of its
    shingles).
    """
    if pairs is None:
        if reports is None:
            raise ValueError("give `reports` (to find neighbours) or explicit `pairs`")
        pairs = neighbours(reports)
    scored = pair_scores(texts, pairs, **options)
    best = scored.sort_values("containment", ascending=False, na_position="last").drop_duplicates(
        "report_id"
    )
    best = best.rename(columns={"neighbour_id": "closest", "containment": "boilerplate_score"})
    ids = pd.DataFrame({"report_id": list(texts)})
    return ids.merge(
        best[
            [
                "report_id",
                "closest",
                "relation",
                "boilerplate_score",
                "jaccard",
                "shared",
                "shingles",
            ]
        ],
        on="report_id",
        how="left",
    )
