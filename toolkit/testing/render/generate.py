"""Random VALID report cells: every identity in schema/identities.csv holds by construction.

Only the free cells are drawn (result rows, carried-over/forward, appeal outcomes, proactive
items); the totals and 本年新收 are computed from them, so the same completion serves the fast
numpy generator (10,000 reports at once) and the hypothesis strategy in tests/strategies.py.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit import schema

APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_org",
    "legal_service",
    "other_org",
)
OUTCOMES = ("upheld", "corrected", "other", "pending")
MAX_COUNT = 100_000
Key = tuple[str, str, str]


def result_rows(fmt: str) -> tuple[str, ...]:
    """The rows that sum to （七）总计 in this format."""
    ids = schema.identities()
    rec = ids[(ids.check == "results_sum") & ids.formats.str.contains(fmt)].iloc[0]
    return tuple(rec.lhs.split("+"))


def free_cells(fmt: str) -> list[tuple[Key, str]]:
    """Every cell that may be chosen freely, with its kind ('count', 'signed' or 'amount')."""
    out: list[tuple[Key, str]] = []
    for row, cols in schema.layout("proactive", fmt).items():
        out += [(("proactive", row, c), schema.kind("proactive", c)) for c in cols]
    for row in result_rows(fmt) + ("carried_forward", "carried_over"):
        out += [(("applications", row, c), "count") for c in APPLICANTS]
    for row in schema.rows("appeals", fmt):
        out += [(("appeals", row, c), "count") for c in OUTCOMES]
    return out


def complete(free: Mapping[Key, float], fmt: str) -> pd.DataFrame:
    """Free cells -> every cell of the three tables, with totals that satisfy each identity.

    A missing free cell is 0; 上年结转 is capped at what the year handled plus carried forward, so
    that 本年新收 = （七）总计 + 四 − 二 is never negative.
    """
    keys = [k for k, _ in free_cells(fmt)]
    values = np.array([[float(free.get(k, 0.0)) for k in keys]])
    return _frame(_complete_arrays(values, fmt), fmt, n=1).drop(columns="report")


def random_cells(
    seed: int | np.random.Generator | None = None,
    *,
    fmt: str = "2021",
    n: int | None = None,
    blanks: float = 0.0,
    blank_tables: tuple[str, ...] = ("proactive",),
    max_count: int = MAX_COUNT,
) -> pd.DataFrame:
    """Cells of one random valid report (or `n` of them, with a `report` column), mostly zeros as
    real ones are.

    `blanks` is the share of cells in `blank_tables` left blank (NA): a blank printed cell. Free
    cells stay within `max_count` (totals may exceed it).
    """
    if fmt not in schema.FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(schema.FORMATS)}")
    rng = np.random.default_rng(seed)
    count = 1 if n is None else n
    kinds = [k for _, k in free_cells(fmt)]
    values = _draw(rng, count, kinds, max_count)
    df = _frame(_complete_arrays(values, fmt), fmt, n=count)
    if blanks:
        hit = df.table.isin(blank_tables).to_numpy() & (rng.random(len(df)) < blanks)
        df.loc[hit, "value"] = pd.NA
    return df.drop(columns="report") if n is None else df


def _draw(rng: np.random.Generator, n: int, kinds: list[str], max_count: int) -> np.ndarray:
    """Zero-heavy counts on a log scale up to max_count; signed changes; money with 0-4 decimals."""
    shape = (n, len(kinds))
    zero_share = rng.uniform(0.3, 0.97, size=(n, 1))
    top = np.minimum(
        rng.choice([1.0, 2.0, 3.0, np.log10(MAX_COUNT + 1)], size=(n, 1), p=[0.3, 0.3, 0.2, 0.2]),
        np.log10(max_count + 1),
    )
    counts = np.minimum(np.floor(10 ** (rng.random(shape) * top)), max_count)
    counts[rng.random(shape) < zero_share] = 0
    kind = np.array(kinds)
    signed = kind == "signed"
    flip = rng.random(shape) < 0.5
    counts[:, signed] = np.where(flip[:, signed], -counts[:, signed], counts[:, signed])
    money = kind == "amount"
    scale = 10.0 ** rng.integers(0, 5, size=(n, int(money.sum())))
    # k / 10**d: prints exactly
    cents = np.round((counts[:, money] + rng.random(scale.shape)) * scale) / scale
    counts[:, money] = np.where(counts[:, money] == 0, 0, cents)
    return counts + 0.0  # no negative zeros


def _complete_arrays(values: np.ndarray, fmt: str) -> dict[Key, np.ndarray]:
    """Free values (n × free cells) -> every cell as a column of n values, totals computed."""
    out = {k: values[:, i] for i, (k, _) in enumerate(free_cells(fmt))}
    for col in APPLICANTS:
        handled = sum(out[("applications", r, col)] for r in result_rows(fmt))
        forward = out[("applications", "carried_forward", col)]
        over = np.minimum(out[("applications", "carried_over", col)], handled + forward)
        out[("applications", "carried_over", col)] = over
        out[("applications", "total_handled", col)] = handled
        out[("applications", "new_received", col)] = handled + forward - over
    for row in schema.rows("applications", fmt):
        out[("applications", row, "total")] = sum(out[("applications", row, c)] for c in APPLICANTS)
    for row in schema.rows("appeals", fmt):
        out[("appeals", row, "total")] = sum(out[("appeals", row, c)] for c in OUTCOMES)
    return out


def _order(fmt: str) -> list[Key]:
    """Every cell key in printed order: proactive, applications, appeals."""
    keys = [("proactive", r, c) for r, c in schema.expected_cells("proactive", fmt)]
    keys += [("applications", r, c) for r, c in schema.expected_cells("applications", fmt)]
    return keys + [("appeals", r, c) for r, c in schema.expected_cells("appeals", fmt)]


def _frame(cells: dict[Key, np.ndarray], fmt: str, *, n: int) -> pd.DataFrame:
    keys = _order(fmt)
    table, row, col = (
        np.repeat(np.array([k[i] for k in keys], dtype=object)[None, :], n, axis=0).ravel()
        for i in range(3)
    )
    value = np.stack([cells[k] for k in keys], axis=1).ravel()
    report = np.repeat(np.arange(n), len(keys))
    df = pd.DataFrame({"report": report, "table": table, "row": row, "col": col})
    df["value"] = pd.array(value, dtype="Float64")
    return df
