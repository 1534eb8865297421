"""Blobs of printed values -> cells: direct where the cells are separated, by the identities where
not."""

from __future__ import annotations

import itertools
import math

from toolkit import schema
from toolkit.extract import empties, hidden_blanks
from toolkit.extract.header_align import aligned
from toolkit.extract.match import Blob, Flat, note
from toolkit.extract.provenance import NONE as NO_PLACE
from toolkit.extract.provenance import locate
from toolkit.extract.segment import TooMany, atoms, segmentations
from toolkit.extract.validate import check_row, evaluate, expand, violations
from toolkit.normalize import clean, parse_cell

MAX_COMBINATIONS = 50_000
NO_FIT = (
    "no reading satisfies the row's own identity; the numbers fit the cells only split or joined"
)


def _groups(blob: Blob) -> list[tuple[list[int], int]]:
    """Row identities that fall inside one blob, as (part positions, total position)."""
    pos = {k: i for i, k in enumerate(blob.keys)}
    out = []
    for lhs, rhs in schema.row_identities(blob.table):
        for row in dict.fromkeys(r for r, _ in blob.keys):
            parts = [pos.get((row, c)) for c in lhs]
            total = [pos.get((row, c)) for c in rhs]
            if None not in parts and len(total) == 1 and total[0] is not None:
                out.append((parts, total[0]))
    return out


def readings(blob: Blob, flat: Flat, seen: dict | None = None) -> tuple[list[tuple[str, ...]], str]:
    """Every reading of a blob's text as its cells, and a note when the identities could not narrow
    it.

    `seen` keeps the readings of each run of digits already read in the report: rows of zeros recur.
    """
    n = len(blob.keys)
    ways = empties.trimmed(flat, blob.pieces, n)
    cols = tuple(c for _, c in blob.keys)
    if len(ways) > 1:
        ways = aligned(flat, blob.table, cols, ways)
    if len(ways) > 1:  # the header may place a way that leaves out an inner empty cell instead
        placed = aligned(flat, blob.table, cols, empties.drops(flat, blob.pieces, n) or ways)
        ways = placed if len(placed) == 1 else ways
    blob.pieces = ways[0]
    pieces = [flat.text[a:b].strip() for a, b in blob.pieces]
    if len(pieces) == n and all(len(clean(p).split()) <= 1 for p in pieces):
        # which empty cells are layout decides the columns: the identities choose, or NA
        if len(ways) > 1:
            return [tuple(flat.text[a:b].strip() for a, b in way) for way in ways], ""
        blob.direct = True
        return [tuple(pieces)], ""
    text, kinds = blob.run(flat)
    run = (text, kinds, tuple((tuple(parts), total) for parts, total in _groups(blob)))
    seen = {} if seen is None else seen
    if run not in seen:
        seen[run] = _read_run(*run)
    found, why = seen[run]
    if empties.has_empty(flat, blob.pieces):
        # cells no longer one per piece, and an empty piece among them: a blank printed as nothing,
        # or a converter's layout cell. Which cells are blank is for the identities to decide.
        blob.loose = True
        return empties.placements(flat, blob.pieces, len(blob.keys), run[2])
    return list(found), why


def _distrust_empties(blobs: list[Blob], options: list, flat: Flat, checks: list) -> None:
    """In a table where some row's empty cells proved to be no grid (cells not one per piece), the
    empty cells of every row may be layout: their rows' blanks are placed by the identities too."""
    if not any(b.loose for b in blobs):
        return
    for i, blob in enumerate(blobs):
        if blob.direct and empties.has_empty(flat, blob.pieces):
            found, why = empties.placements(flat, blob.pieces, len(blob.keys), _groups(blob))
            options[i], blob.direct = found, False
            if why:
                checks.append(note(blob.table, "segmentation", why, _scope(blob)))


def _read_run(text: str, kinds: tuple[str, ...], groups) -> tuple[list[tuple[str, ...]], str]:
    """The readings that satisfy the row's own identities, else all readings with a note, else none
    with a note."""
    try:
        found = segmentations(text, kinds, groups)
        if found:
            return found, ""
        if groups and len(atoms(text)) != len(kinds):
            # the numbers fit the cells only split or joined, and no way of it adds up: a cell
            # lost or merged by a converter looks the same as the agency's own error
            return [], NO_FIT
        return segmentations(text, kinds), "no reading satisfies the row's own identity"
    except TooMany:
        return [], f"'{text}' has too many readings to choose from"


def resolve(
    blobs: list[Blob], formats: dict[str, str], flat: Flat
) -> tuple[list[dict], list[dict]]:
    """Choose one reading per blob so that the fewest identities fail; keep only what every best
    choice agrees on."""
    cells: list[dict] = []
    checks: list[dict] = []
    seen: dict = {}
    for table, fmt in formats.items():
        mine = [b for b in blobs if b.table == table]
        options = []
        for blob in mine:
            if blob.truncated and len(blob.pieces) < len(blob.keys) and _separated(blob, flat):
                options.append([_prefix(blob, flat)])
                blob.keys = blob.keys[: len(blob.pieces)]
                continue
            found, why = readings(blob, flat, seen)
            if why:
                checks.append(note(table, "segmentation", why, _scope(blob)))
            options.append(found)
        _distrust_empties(mine, options, flat, checks)
        chosen = _choose(mine, options, expand(table, fmt), checks, flat)
        table_cells = [
            c for blob, reading in zip(mine, chosen) for c in _cells(blob, reading, flat)
        ]
        eqs = expand(table, fmt)
        checks += [_gate(b, table_cells, eqs) for b in mine if b.detached or b.unsure]
        cells += table_cells
    checks += hidden_blanks.unproven(blobs, cells, flat)
    return cells, checks


def _gate(blob: Blob, cells: list[dict], equations) -> dict:
    """Values whose row is not sure (found on a row below their label, or under a label read from
    a misprint or placed by its neighbours) are kept only where every identity they enter holds.

    Otherwise they are NA (ambiguous): position alone never decides which row a number belongs to.
    """
    values = {(c["table"], c["row"], c["col"]): c["value"] for c in cells}
    keys = {(blob.table, r, c) for r, c in blob.keys}
    mine = [eq for eq in equations if keys & set(eq["lhs_keys"] + eq["rhs_keys"])]
    held = [evaluate(eq, values)["status"] == "ok" for eq in mine]
    label = ",".join(dict.fromkeys(r for r, _ in blob.keys))
    check = "label_match" if blob.unsure else "detached_row"
    what = blob.unsure or f"the values of {label} stand on the row below its label"
    zero = blob.words and all(not values.get(k) for k in keys)
    if mine and all(held) and not zero:
        return note(blob.table, check, f"{what}; {len(mine)} identities hold", _scope(blob))
    if not mine and blob.in_order and not blob.unsure:
        why = f"{what}; no identity checks them, but no other row can take them (the next one"
        why += " holds its own values, a header stands between, or the table ends)"
        return note(blob.table, check, why, _scope(blob))
    for c in cells:
        if (c["table"], c["row"], c["col"]) in keys:
            c["value"], c["parse"] = None, "ambiguous"
    why = f"{what}; left NA: " + (
        "no identity checks them"
        if not mine
        else f"{held.count(False)} identities fail"
        if not all(held)
        else "all zero, as an agency's own row in the place of an omitted one would be"
    )
    return note(blob.table, check, why, _scope(blob))


def _separated(blob: Blob, flat: Flat) -> bool:
    return all(len(clean(flat.text[a:b]).split()) <= 1 for a, b in blob.pieces)


def _prefix(blob: Blob, flat: Flat) -> tuple[str, ...]:
    return tuple(flat.text[a:b].strip() for a, b in blob.pieces)


def _choose(blobs, options, equations, checks, flat) -> list[tuple[str | None, ...] | None]:
    """Search the combinations of readings; cells on which all best combinations agree are kept."""
    sizes = [len(o) for o in options]
    if any(s == 0 for s in sizes):
        for blob, opts in zip(blobs, options):
            if not opts:
                checks.append(
                    note(
                        blob.table,
                        "unreadable",
                        f"no reading of {_show(blob, flat)} fits {len(blob.keys)} cells",
                        _scope(blob),
                    )
                )
        options = [o or [tuple([None] * len(b.keys))] for b, o in zip(blobs, options)]
        sizes = [len(o) for o in options]
    if all(s == 1 for s in sizes):
        return [o[0] for o in options]  # one reading of each blob: nothing to choose
    if not equations or math.prod(sizes) > MAX_COMBINATIONS:
        why = (
            "no identity constrains this table"
            if not equations
            else "too many combinations to test against the identities"
        )
        chosen = []
        for blob, opts in zip(blobs, options):
            if len(opts) > 1:
                checks.append(_ambiguous(blob, opts, flat, why))
            chosen.append(opts[0] if len(opts) == 1 else _agreed(opts))
        return chosen
    best, best_score = _best(blobs, options, equations)
    chosen = []
    for i, blob in enumerate(blobs):
        readings_i = {c[i] for c in best}
        if len(readings_i) == 1:
            chosen.append(next(iter(readings_i)))
            if len(options[i]) > 1 and best_score:
                checks.append(
                    note(
                        blob.table,
                        "segmentation",
                        f"no reading of {_show(blob, flat)} satisfies every identity; "
                        f"kept the one with fewest failures ({best_score})",
                        _scope(blob),
                    )
                )
        else:
            checks.append(
                _ambiguous(
                    blob,
                    sorted(readings_i),
                    flat,
                    "several readings satisfy the identities equally",
                )
            )
            chosen.append(_agreed(readings_i))
    return chosen


def _best(blobs, options, equations) -> tuple[list[tuple], int]:
    """The combinations of readings (in product order) that break the fewest identities, and how
    many they break.

    An identity whose cells no ambiguous blob holds scores the same in every combination: it is
    counted once.
    """
    # parse once
    parsed = [[_values([blob], (opt,)) for opt in opts] for blob, opts in zip(blobs, options)]
    fixed = {key: value for p in parsed if len(p) == 1 for key, value in p[0].items()}
    varying = [i for i, p in enumerate(parsed) if len(p) > 1]
    moving = {key for i in varying for key in parsed[i][0]}
    touched = [eq for eq in equations if not moving.isdisjoint(eq["lhs_keys"] + eq["rhs_keys"])]
    base = violations(
        [eq for eq in equations if moving.isdisjoint(eq["lhs_keys"] + eq["rhs_keys"])], fixed
    )
    best, best_score = [], None
    for picks in itertools.product(*(range(len(parsed[i])) for i in varying)):
        values, combo = dict(fixed), [o[0] for o in options]
        for i, k in zip(varying, picks):
            values.update(parsed[i][k])
            combo[i] = options[i][k]
        score = base + violations(touched, values)
        if best_score is None or score < best_score:
            best, best_score = [tuple(combo)], score
        elif score == best_score:
            best.append(tuple(combo))
    return best, best_score


def _agreed(readings) -> tuple[None, ...]:
    """Several readings: none is kept as fact, not even the cells they share (the split itself is in
    doubt)."""
    return tuple(None for _ in next(iter(readings)))


def _values(blobs, combo) -> dict:
    out = {}
    for blob, reading in zip(blobs, combo):
        for (row, col), tok in zip(blob.keys, reading):
            out[(blob.table, row, col)] = (
                None if tok is None else parse_cell(tok, schema.kind(blob.table, col)).value
            )
    return out


def _cells(blob: Blob, reading, flat: Flat) -> list[dict]:
    """The blob's cells: value, the text as printed and where it was printed. A value split out of
    a run-together string keeps the whole string in `raw` and its own digits in `split`."""
    page = flat.page(blob.pieces[0][0]) if blob.pieces else None
    direct = (blob.direct and reading is not None) or _one_to_one(blob, reading, flat)
    printed = _printed(blob, flat) if blob.pieces else None
    whole = locate(flat, blob.pieces) if blob.pieces and not direct else None
    out = []
    for i, (row, col) in enumerate(blob.keys):
        tok = None if reading is None else reading[i]
        split = None
        if direct:
            a, b = blob.pieces[i]
            raw = flat.raw[a:b].strip()
            page, where = flat.page(a), locate(flat, [(a, b)])
        else:
            raw = tok if tok not in (None, "—") else ("" if tok == "—" else None)
            where = whole or NO_PLACE
            if printed and (raw or tok is None) and printed != raw:
                raw, split = printed, raw
        value = None if tok is None else parse_cell(tok, schema.kind(blob.table, col))
        out.append(
            {
                "table": blob.table,
                "row": row,
                "col": col,
                "value": None if value is None else value.value,
                "raw": raw,
                "page": page,
                **where,
                "split": split,
                "parse": "ambiguous" if value is None else value.status,
            }
        )
    return out


def _one_to_one(blob: Blob, reading, flat: Flat) -> bool:
    """Whether each value is one printed cell as it stands (a reading that split nothing)."""
    return (
        reading is not None
        and len(blob.pieces) == len(blob.keys)
        and all(
            tok is not None and flat.raw[a:b].strip() == tok
            for (a, b), tok in zip(blob.pieces, reading)
        )
    )


def _scope(blob: Blob) -> str:
    rows = dict.fromkeys(r for r, _ in blob.keys)
    return "row:" + ",".join(rows) if len(rows) < 4 else "table"


def _show(blob: Blob, flat: Flat) -> str:
    return "'" + " ".join(flat.raw[a:b].strip() for a, b in blob.pieces)[:60] + "'"


def _printed(blob: Blob, flat: Flat) -> str:
    """The blob's text as printed, cell and row separators read as spaces."""
    text = " ".join(flat.raw[a:b].strip() for a, b in blob.pieces)
    return text.replace("\x1f", " ").replace("\x1e", " ")


def _ambiguous(blob: Blob, opts, flat: Flat, why: str) -> dict:
    shown = ", ".join("|".join(x if x is not None else "?" for x in o) for o in list(opts)[:8])
    more = f" … ({len(opts)} readings)" if len(opts) > 8 else f" ({len(opts)} readings)"
    detail = f"{_show(blob, flat)} reads as {shown}{more}: {why}; left NA"
    return check_row("ambiguous_digits", blob.table, _scope(blob), "ambiguous", detail)
