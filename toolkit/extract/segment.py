"""Recover cells from digits printed with no separator between them.

No library does this: a run such as ``801000081`` is split into every sequence of well-formed
numbers (no leading zeros, decimals only in money columns, '-' only where a column may be
negative) that the identities within the run allow. Where a printed total follows its parts,
the parts decide the total's digits, so only the parts' splits are searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from toolkit.normalize import BLANKS, clean, is_valid

MARKS = "-—/"  # blank markers that may stand inside a run of digits
LIMIT = 20000  # readings kept per run; beyond that the run is called ambiguous
Group = tuple[Sequence[int], int]  # positions of the parts, position of their printed total
SEPARATORS = re.compile(r"[\s\x1e\x1f|]+")
NUMBER_SO_FAR = re.compile(r"[+-]?\d*\.?\d*")  # a prefix that may still grow into a number


class TooMany(Exception):
    """More readings than LIMIT: treat the run as ambiguous."""


def atoms(text: str) -> list[str]:
    """Hard-bounded pieces of a run: whitespace and cell boundaries are real separators."""
    return [clean(a) for a in SEPARATORS.split(text.strip(" \t\r\n\x1e\x1f|")) if a != ""]


def _cells(atom: str, kind: str) -> Iterator[tuple[str, int]]:
    """Ways to take one cell from the start of `atom`: (cell text, characters consumed)."""
    for end in range(1, len(atom) + 1):
        piece = atom[:end]
        if is_valid(piece, kind):
            yield piece, end
        elif not NUMBER_SO_FAR.fullmatch(piece):
            return


class _Search:
    """Depth-first search over the splits of a run, pruned by the sums its groups must satisfy."""

    def __init__(
        self,
        parts: list[str],
        kinds: Sequence[str],
        groups: Sequence[Group],
        cap: int | None = None,
        openings: dict | None = None,
    ) -> None:
        self.parts, self.kinds, self.found, self.cap = parts, kinds, [], cap
        self.total_of = {total: list(p) for p, total in groups if all(q < total for q in p)}
        self.checks = {max(max(p), total): (list(p), total) for p, total in groups}
        sizes = [1 if a in BLANKS else len(a) for a in parts]
        # characters left from atom i on
        self.after = [sum(sizes[i:]) for i in range(len(parts) + 1)]
        # (text, kind) -> its first cells: the same texts recur
        self.openings = {} if openings is None else openings

    def run(self) -> list[tuple[str, ...]]:
        self.walk(0, "", (), 0)
        return self.found

    def walk(self, i: int, rest: str, acc: tuple[str, ...], spent: int) -> None:
        """Extend `acc` (cells read so far, whose whole numbers add up to `spent`) from atom i and
        `rest`."""
        # characters and cells left
        room, cells = len(rest) + self.after[i], len(self.kinds) - len(acc)
        if (self.checks and not self._consistent(acc)) or room < (
            self._need(acc, cells) if self.total_of else cells
        ):
            return
        if self.cap is not None:
            left = self.cap - spent
            if left < 0 or (cells and left > 10 ** (room - cells + 1) - 1 + 9 * (cells - 1)):
                # overshot, or the digits left (beyond one per cell) cannot add up to the total
                return
        if rest == "":
            if i == len(self.parts):
                if not cells:
                    self._keep(acc)
                return
            rest, i = self.parts[i], i + 1
            if rest in BLANKS:
                self.walk(i, "", acc + ("",), spent)
                return
        if cells <= 0:
            return
        if rest[0] in MARKS:
            # a blank marker run into the digits is a blank cell
            self.walk(i, rest[1:], acc + ("",), spent)
            if rest[0] != "-":
                return
        for piece, used in self._choices(rest, len(acc), acc):
            tail, now = rest[used:], spent + int(piece) if piece.isdigit() else spent
            if tail.startswith("-"):
                # '-' opens a negative number or marks a blank …
                self.walk(i, tail, acc + (piece,), now)
                self.walk(i, tail[1:], acc + (piece,), now)  # … or is a printed separator
            elif not tail.startswith("."):
                self.walk(i, tail, acc + (piece,), now)

    def _choices(self, rest: str, col: int, acc: tuple[str, ...]) -> list[tuple[str, int]]:
        """A total whose parts are all read can only be their sum; any other cell, every valid
        prefix."""
        parts = self.total_of.get(col)
        kind = self.kinds[col]
        if parts is not None and kind == "count" and all(acc[p] not in ("",) for p in parts):
            target = str(sum(int(acc[p]) for p in parts))
            return [(target, len(target))] if rest.startswith(target) else []
        found = self.openings.get((rest, kind))
        if found is None:
            found = self.openings[(rest, kind)] = list(_cells(rest, kind))
        return found

    def _need(self, acc: tuple[str, ...], cells: int) -> int:
        """Characters the `cells` unread cells need at least: one each, and a total as many digits
        as its parts' sum."""
        need = cells
        for total, parts in self.total_of.items():
            if total >= len(acc):
                partial = sum(int(acc[p]) for p in parts if p < len(acc) and acc[p].isdigit())
                need += len(str(partial)) - 1
        return need

    def _consistent(self, acc: tuple[str, ...]) -> bool:
        group = self.checks.get(len(acc) - 1)
        if group is None:
            return True
        parts, total = group
        if any(acc[p] == "" for p in parts) or acc[total] == "":
            return True
        return sum(float(acc[p]) for p in parts) == float(acc[total])

    def _keep(self, acc: tuple[str, ...]) -> None:
        self.found.append(acc)
        if len(self.found) > LIMIT:
            raise TooMany(" ".join(self.parts))


def segmentations(
    text: str, kinds: Sequence[str], groups: Sequence[Group] = ()
) -> list[tuple[str, ...]]:
    """Every reading of `text` as len(kinds) cells in which each group's parts sum to its total."""
    parts = atoms(text)
    last = len(kinds) - 1
    if (
        [(list(p), t) for p, t in groups] == [(list(range(last)), last)]
        and set(kinds) == {"count"}
        and parts
        and parts[-1] not in BLANKS
    ):
        return _total_last(parts, last)
    return _Search(parts, kinds, groups).run()


def _total_last(parts: list[str], n: int) -> list[tuple[str, ...]]:
    """A row whose total is printed last: try each suffix as the total, then split the rest under
    it."""
    found: list[tuple[str, ...]] = []
    openings: dict = {}  # every split below reads the same texts
    head, tail = parts[:-1], parts[-1]
    for size in range(1, len(tail) + 1):
        total = tail[-size:]
        if not is_valid(total, "count"):
            continue
        rest = head + ([tail[:-size]] if size < len(tail) else [])
        for reading in _Search(rest, ["count"] * n, (), cap=int(total), openings=openings).run():
            if "" in reading or sum(int(x) for x in reading) == int(total):
                found.append(reading + (total,))
        if len(found) > LIMIT:
            raise TooMany(" ".join(parts))
    return found
