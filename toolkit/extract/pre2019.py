"""Fujian's pre-2019 statistics table (政府信息公开情况统计表) -> cells and checks, through the
crosswalk.

The table prints, per indicator, a unit and two numbers: this year (``year``) and all years so far
(``cumulative``). In the archived pages the numbers run together (``条4251516`` is 425|1516), so
each row's digits are split by :func:`toolkit.extract.segment.segmentations` and the table's own
arithmetic decides: every part row sums to its total row (``parent`` in the crosswalk) in both
columns, and the cumulative figure is never below the year's. Where more than one reading survives,
the cells are NA and a check names the candidates: a value is never guessed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cache

import pandas as pd

from toolkit import schema
from toolkit.extract.segment import TooMany, segmentations
from toolkit.extract.validate import cells_frame, check_row, checks_frame
from toolkit.normalize import fold_document, parse_cell
from toolkit.readers.base import RawDocument
from toolkit.schema.groups import crosswalk

COLS = ("year", "cumulative")
START = re.compile(r"统计表[\s\S]{0,80}?指标名称")
NUMBERING = r"(?:(?:其中[:：]\s*)?\d\s*[.、．]\s*)?"
UNIT = re.compile(r"\s*(条|件|元|万元|个|次)")
RUN_END = re.compile(r"[^\d\s.,\-]")
MAX_COMBINATIONS = 50_000


def read_legacy(doc: RawDocument) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pre-2019 Fujian report -> (cells with legacy_* table codes, checks); no table -> empty
    cells and a note."""
    return read_legacy_text(doc.text)


def read_legacy_text(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same from the document's plain text (folded here; offsets are not needed downstream)."""
    text = fold_document(text)
    start = _table_start(text)
    if start is None:
        note = _check(
            "legacy_table",
            "legacy_applications",
            "table",
            "note",
            "no pre-2019 统计表 with 指标名称 found: nothing read",
        )
        return cells_frame([]), checks_frame([note])
    found = locate(text, start)
    runs = {code: run for code, run in found}
    options, checks = _readings(runs)
    chosen, resolve_checks = _resolve(options, runs)
    cells = [_cell(code, chosen.get(code), i) for code in runs for i in range(len(COLS))]
    checks += resolve_checks + _identity_checks(chosen)
    layout = ", ".join(runs)
    checks.insert(
        0,
        _check(
            "legacy_table",
            "legacy_applications",
            "table",
            "note",
            f"Fujian pre-2019 统计表: {len(runs)} rows read ({layout})",
        ),
    )
    return cells_frame(cells), checks_frame(checks)


def _table_start(text: str) -> int | None:
    matches = list(START.finditer(text))
    return matches[-1].end() if matches else None


@cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    cw = crosswalk()
    return tuple(
        (code, re.compile(NUMBERING + f"(?:{schema.compile_label(p)})"))
        for code, p in zip(cw.legacy_row, cw.pattern)
    )


@cache
def _by_row(column: str) -> dict[str, str]:
    """Legacy row code -> one crosswalk column (its unit, its legacy table, ...)."""
    cw = crosswalk()
    return dict(zip(cw.legacy_row, cw[column]))


@cache
def _families() -> dict[str, tuple[str, ...]]:
    """Total row -> its part rows, both in crosswalk order."""
    cw = crosswalk()
    out: dict[str, list[str]] = {}
    for code, parent in zip(cw.legacy_row, cw.parent):
        if parent:
            out.setdefault(parent, []).append(code)
    return {parent: tuple(parts) for parent, parts in out.items()}


def locate(text: str, start: int) -> list[tuple[str, str]]:
    """(legacy code, the value text after its label and unit) for every crosswalk label found, in
    printed order."""
    hits = sorted(
        (
            (m.start(), -m.end(), code, m.end())
            for code, rx in _patterns()
            for m in rx.finditer(text, start)
        )
    )
    kept: list[tuple[int, int, str]] = []
    for s, _neg, code, e in hits:
        if kept and s < kept[-1][1]:
            continue  # a shorter label inside a longer one (传真申请数 inside 信函、传真申请数)
        kept.append((s, e, code))
    out, seen = [], set()
    for i, (_s, e, code) in enumerate(kept):
        nxt = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        unit = UNIT.match(text, e, nxt)
        body = text[unit.end() if unit else e : nxt]
        stop = RUN_END.search(body)
        if code not in seen:
            out.append((code, body[: stop.start()] if stop else body))
            seen.add(code)
    return out


def _kind(code: str) -> str:
    unit = _by_row("unit").get(code, "条")
    return "amount" if "元" in unit else "count"


def _readings(runs: dict[str, str]) -> tuple[dict[str, list[tuple[str, str]]], list[dict]]:
    """Every reading of each row's digits as (year, cumulative) with cumulative >= year."""
    options, checks = {}, []
    for code, run in runs.items():
        kind = _kind(code)
        try:
            found = segmentations(run, [kind, kind])
        except TooMany:
            found = []
        found = [r for r in found if _ordered(r, kind)]
        options[code] = found
        if not found:
            checks.append(
                _check(
                    "unreadable",
                    _table(code),
                    f"row:{code}",
                    "note",
                    f"'{run.strip()}' cannot be read as {code}'s 本年度 and 历年累计 "
                    "(cumulative >= year); left NA",
                )
            )
    return options, checks


def _ordered(reading: tuple[str, ...], kind: str) -> bool:
    year, cum = (parse_cell(t, kind).value for t in reading)
    return year is None or cum is None or cum >= year


def _groups(codes: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(total row, its part rows) for each crosswalk parent printed in this report."""
    present = set(codes)
    out = []
    for parent, children in _families().items():
        parts = [c for c in children if c in present]
        if parent in present and parts:
            out.append((parent, parts))
    return out


def _fails(group: tuple[str, list[str]], combo: dict[str, tuple[str, str]]) -> int:
    """How many of the group's two sum identities (year, cumulative) a combination of readings
    breaks."""
    parent, parts = group
    n = 0
    for i, _col in enumerate(COLS):
        vals = [_value(combo[c], c, i) for c in [parent] + parts]
        if None not in vals and abs(vals[0] - sum(vals[1:])) > 1e-9:
            n += 1
    return n


def _value(reading, code: str, i: int) -> float | None:
    return None if reading is None else parse_cell(reading[i], _kind(code)).value


def _resolve(options: dict, runs: dict) -> tuple[dict[str, tuple[str, str] | None], list[dict]]:
    """One reading per row: unique ones stand; the rest are settled by their group's identities or
    left NA."""
    chosen: dict[str, tuple[str, str] | None] = {
        c: (o[0] if len(o) == 1 else None) for c, o in options.items()
    }
    checks: list[dict] = []
    grouped: set[str] = set()
    for group in _groups(list(options)):
        members = [group[0]] + group[1]
        grouped.update(members)
        choices = [options[c] or [None] for c in members]
        if all(len(c) == 1 for c in choices):
            continue
        if _product(choices) > MAX_COMBINATIONS:
            checks += [
                _ambiguous(c, runs[c], options[c], "too many combinations to test")
                for c in members
                if len(options[c]) > 1
            ]
            continue
        scored = [
            (_fails(group, dict(zip(members, combo))), combo)
            for combo in itertools.product(*choices)
        ]
        best = min(s for s, _ in scored)
        winners = [combo for s, combo in scored if s == best]
        for i, code in enumerate(members):
            agreed = {w[i] for w in winners}
            if len(options[code]) <= 1:
                continue
            if best == 0 and len(agreed) == 1:
                chosen[code] = next(iter(agreed))
                continue
            why = (
                "several readings satisfy the identities"
                if best == 0
                else f"no reading satisfies the identities (the best breaks {best})"
            )
            checks.append(
                _ambiguous(
                    code, runs[code], sorted(agreed if best == 0 else options[code], key=str), why
                )
            )
    for code, opts in options.items():
        if code not in grouped and len(opts) > 1:
            checks.append(_ambiguous(code, runs[code], opts, "no identity constrains this row"))
    return chosen, checks


def _product(choices) -> int:
    n = 1
    for c in choices:
        n *= len(c)
    return n


def _identity_checks(chosen: dict) -> list[dict]:
    """Each group's sum identity per column as check rows (cumulative >= year already filtered the
    readings)."""
    out = []
    for parent, parts in _groups(list(chosen)):
        for i, col in enumerate(COLS):
            vals = [_value(chosen[c], c, i) for c in [parent] + parts]
            terms = " + ".join(parts) if len(parts) <= 4 else f"the sum of {len(parts)} rows"
            if None in vals:
                out.append(
                    _check(
                        f"{parent}_sum",
                        _table(parent),
                        f"col:{col}",
                        "not_evaluable",
                        f"{vals.count(None)} cell(s) NA among {parent} and its parts",
                    )
                )
                continue
            lhs, rhs = sum(vals[1:]), vals[0]
            ok = abs(lhs - rhs) < 1e-9
            out.append(
                _check(
                    f"{parent}_sum",
                    _table(parent),
                    f"col:{col}",
                    "ok" if ok else "failed",
                    "" if ok else f"{terms} = {lhs:g} but {parent} = {rhs:g}",
                    lhs,
                    rhs,
                )
            )
    return out


def _cell(code: str, reading, i: int) -> dict:
    tok = None if reading is None else reading[i]
    parsed = None if tok is None else parse_cell(tok, _kind(code))
    return {
        "table": _table(code),
        "row": code,
        "col": COLS[i],
        "value": None if parsed is None else parsed.value,
        "raw": tok,
        "page": None,
        "na_reason": "ambiguous"
        if parsed is None
        else (None if parsed.value is not None else parsed.status),
    }


def _table(code: str) -> str:
    return _by_row("legacy_table")[code]


def _check(
    check: str, table: str, scope: str, status: str, detail: str, lhs=None, rhs=None
) -> dict:
    return check_row(check, table, scope, status, detail, lhs=lhs, rhs=rhs)


def _ambiguous(code: str, run: str, readings, why: str) -> dict:
    shown = ", ".join("|".join(r) for r in list(readings)[:8])
    return _check(
        "ambiguous_digits",
        _table(code),
        f"row:{code}",
        "ambiguous",
        f"'{run.strip()}' reads as {shown} ({len(readings)} readings): {why}; left NA",
    )
