"""The national report format as data: codes, label aliases, layouts and identities (CSV package
data)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd

TABLES = ("proactive", "applications", "appeals")
FORMATS = ("2019", "2021")
GAP = r"[\s\x1e\x1f]*"  # whitespace, or a cell/row boundary, may fall inside any printed label


def _read(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def codes() -> pd.DataFrame:
    """Every canonical table/row/column code, as in the project's spec."""
    return _read("codes.csv")


@cache
def aliases() -> pd.DataFrame:
    return _read("aliases.csv")


@cache
def identities() -> pd.DataFrame:
    return _read("identities.csv")


@cache
def row_identities(table: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(left-hand columns, right-hand columns) of each identity that holds within a row of `table`,
    any format."""
    df = identities()
    sel = df[(df.table == table) & (df.over == "row")]
    return tuple(
        (tuple(lhs.split("+")), tuple(rhs.split("+"))) for lhs, rhs in zip(sel.lhs, sel.rhs)
    )


@cache
def markers() -> pd.DataFrame:
    return _read("markers.csv")


@cache
def t2s() -> dict[int, int]:
    """Traditional -> Simplified, one character for one (str.translate table)."""
    df = _read("t2s.csv")
    return {ord(t): ord(s) for t, s in zip(df.traditional, df.simplified)}


@cache
def value_kinds() -> dict[tuple[str, str], str]:
    df = _read("value_kinds.csv")
    return {(t, c): k for t, c, k in zip(df.table, df.col, df.kind)}


def kind(table: str, col: str) -> str:
    """'count' (non-negative integer), 'signed' or 'amount' (decimals allowed)."""
    return value_kinds().get((table, col), "count")


def _in_format(formats: str, fmt: str) -> bool:
    return fmt in formats.split(";")


@cache
def rows(table: str, fmt: str) -> tuple[str, ...]:
    """Row codes of a table in printed order for one format version."""
    df = codes()
    sel = df[(df.table == table) & (df.kind == "row")]
    return tuple(c for c, f in zip(sel.code, sel.formats) if _in_format(f, fmt))


@cache
def cols(table: str, fmt: str) -> tuple[str, ...]:
    df = codes()
    sel = df[(df.table == table) & (df.kind == "col")]
    return tuple(c for c, f in zip(sel.code, sel.formats) if _in_format(f, fmt))


@cache
def layout(table: str, fmt: str) -> dict[str, tuple[str, ...]]:
    """Row code -> the column codes that row prints, in order."""
    if table != "proactive":
        return {r: cols(table, fmt) for r in rows(table, fmt)}
    df = _read("layout.csv")
    sel = df[(df.table == table) & (df.format == fmt)]
    return {r: tuple(c.split(";")) for r, c in zip(sel.row, sel.cols)}


def expected_cells(table: str, fmt: str) -> list[tuple[str, str]]:
    return [(r, c) for r, cs in layout(table, fmt).items() for c in cs]


def labels_zh(table: str) -> dict[tuple[str, str], str]:
    """(kind, code) -> the official Chinese label, for wide tables."""
    df = codes()[codes().table == table]
    return {
        (k, c): re.sub(r"\s*\(2019:.*\)$", "", z) for k, c, z in zip(df.kind, df.code, df.label_zh)
    }


def compile_label(pattern: str) -> str:
    """Turn an alias pattern into a regex that tolerates breaks and spaces between printed
    characters."""
    out, i, first = [], 0, True
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(("" if first else GAP) + pattern[i : i + 2])
            i, first = i + 2, False
            continue
        if ch == "[":
            j = pattern.index("]", i)
            out.append(("" if first else GAP) + pattern[i : j + 1])
            i, first = j + 1, False
            continue
        if ch == ".":
            # one printed character that is no digit (a quote mark, a typo): breaks may come
            # before it, and it never takes the first digit of the value after the label
            out.append(("" if first else GAP) + r"[^\d\s\x1e\x1f]")
            i, first = i + 1, False
            continue
        if ch in "()?|*+{}^$":
            out.append(ch)
            if ch == "|":
                first = True
            elif ch == "(" and pattern[i + 1 : i + 3] == "?:":
                out.append("?:")
                i += 2
            i += 1
            continue
        out.append(("" if first else GAP) + _literal(ch))
        i, first = i + 1, False
    return "".join(out)


def _literal(ch: str) -> str:
    """One printed character of a label, or a class of it and its look-alikes (look_alikes.csv)."""
    alikes = look_alikes().get(ch)
    return f"[{re.escape(ch)}{''.join(map(re.escape, alikes))}]" if alikes else re.escape(ch)


@cache
def look_alikes() -> dict[str, tuple[str, ...]]:
    """Printed character -> characters a font, a converter or OCR puts in its place."""
    df = _read("look_alikes.csv")
    out: dict[str, tuple[str, ...]] = {}
    for ch, alike in zip(df.char, df.look_alike):
        out[ch] = out.get(ch, ()) + (alike,)
    return out


@cache
def footnote_regex() -> str:
    """A footnote marker printed right after a label, in the same cell (footnotes.csv)."""
    return "(?:" + "|".join(_read("footnotes.csv").pattern) + ")"


def _numbering(n: str) -> str:
    circled = "①②③④⑤⑥⑦⑧⑨"[int(n) - 1]
    return rf"(?:\({n}\)|{n}{GAP}[.、,]|{circled})"


@cache
def label_regex(table: str, code: str, fmt: str) -> re.Pattern:
    """The regex that finds one row's printed label (numbering, wrapping, filling instructions)."""
    df = aliases()
    hit = df[(df.table == table) & (df.code == code)]
    hit = hit[[_in_format(f, fmt) for f in hit.formats]]
    if hit.empty:
        raise KeyError(f"no alias for {table}.{code} in format {fmt}")
    row = hit.iloc[0]
    core = compile_label(row.pattern)
    if row.number:
        num = _numbering(row.number)
        prefix = num + GAP if row.number_required == "yes" else f"(?:{num}{GAP})?"
    else:
        prefix = ""
    # an optional filling instruction in brackets after the label, never the next row's ordinal
    # '（六）'; or one cut off at the end of its row (its close on a line below the values, where a
    # converter put the label's last line)
    instruction = (
        rf"(?:{GAP}\((?!{GAP}[一二三四五六七八九十]{{1,3}}{GAP}\))"
        rf"(?:[^()\d]{{1,60}}\)|[^()\d\x1e]{{1,60}}(?=[ \t\x1f]*(?:\x1e|$))))?"
    )
    # a label starts on printed text, never on the breaks before it (an optional prefix such as
    # (?:行政)? would otherwise let the match swallow the previous row's empty cells); a label that
    # opens with a printed character needs no guard, and without one the regex engine skips ahead
    # to it
    guard = "" if not prefix and _opens_with_text(row.pattern) else r"(?=[^\s\x1e\x1f])"
    footnote = rf"(?:[ \t]*{footnote_regex()})?"
    return re.compile(rf"{guard}{prefix}(?:{core}){instruction}{footnote}")


def _opens_with_text(pattern: str) -> bool:
    """Whether every match of an alias pattern begins with its first character, a printed one."""
    first, after = pattern[:1], pattern[1:2]
    if not first or first in "\\[]()?|*+{}.^$" or first.isspace() or after in ("?", "*", "{"):
        return False
    depth, i = 0, 0
    while i < len(pattern):  # an alternative at the top level may begin with anything
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = pattern.index("]", i) + 1
            continue
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            return False
        i += 1
    return True


@cache
def header_regex(table: str, code: str) -> re.Pattern | None:
    """A whole header cell that names column `code` (wrapped or not, with an optional bracketed
    unit)."""
    df = _read("headers.csv")
    hit = df[(df.table == table) & (df.code == code)]
    if hit.empty:
        return None
    return re.compile(
        rf"{GAP}(?:{compile_label(hit.pattern.iloc[0])}){GAP}(?:\([^()]{{0,20}}\))?{GAP}"
    )


@cache
def header_groups(table: str) -> tuple[tuple[re.Pattern, tuple[str, ...]], ...]:
    """(whole-cell regex, the columns it spans in order) of each group header of `table`."""
    df = _read("header_groups.csv")
    sel = df[df.table == table]
    return tuple(
        (re.compile(rf"{GAP}(?:{compile_label(p)}){GAP}"), tuple(c.split(";")))
        for p, c in zip(sel.pattern, sel.cols)
    )


@cache
def marker_regex(table: str, fmt: str) -> re.Pattern | None:
    df = markers()
    sel = df[(df.table == table) & (df.format == fmt)]
    if sel.empty:
        return None
    return re.compile("|".join(f"(?:{compile_label(p)})" for p in sel.pattern.iloc[0].split("|")))


@cache
def label_plan(table: str) -> tuple[tuple[str, str], ...]:
    """Every row label of a table across formats, in printed order, each with a format it belongs
    to."""
    plan: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code in codes().query("table == @table and kind == 'row'").code:
        fmt = "2021" if code in rows(table, "2021") else "2019"
        if code not in seen:
            plan.append((code, fmt))
            seen.add(code)
    return tuple(plan)
