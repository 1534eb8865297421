"""Recover cells from digits printed with no separator between them.

No library does this: a run such as ``801000081`` is split into every sequence of well-formed
numbers (no leading zeros, decimals only in money columns, '-' only where a column may be
negative) and the table's identities decide between the candidates.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from .normalize import BLANKS, clean, is_valid

LIMIT = 20000  # candidates kept per run; beyond that the run is called ambiguous
Prune = Callable[[tuple[str, ...]], bool]


class TooMany(Exception):
    """More readings than LIMIT: treat the run as ambiguous."""


def atoms(text: str) -> list[str]:
    """Hard-bounded pieces of a run: whitespace and cell boundaries are real separators."""
    return [clean(a) for a in re.split(r"[\s\x1e\x1f|]+", text.strip(" \t\r\n\x1e\x1f|")) if a != ""]


def _cells(atom: str, kinds: Sequence[str], col: int) -> Iterator[tuple[str, int]]:
    """Ways to take one cell from the start of `atom`: (cell text, characters consumed)."""
    if col >= len(kinds):
        return
    kind = kinds[col]
    for end in range(1, len(atom) + 1):
        piece = atom[:end]
        if is_valid(piece, kind):
            yield piece, end
        elif not re.fullmatch(r"[+-]?\d*\.?\d*", piece):
            return


def segmentations(text: str, kinds: Sequence[str], prune: Prune | None = None) -> list[tuple[str, ...]]:
    """Every reading of `text` as len(kinds) cells; `prune(prefix)` may reject partial readings."""
    found: list[tuple[str, ...]] = []
    parts = atoms(text)

    def walk(i: int, rest: str, acc: tuple[str, ...]) -> None:
        if prune and acc and not prune(acc):
            return
        if rest == "":
            if i == len(parts):
                if len(acc) == len(kinds):
                    found.append(acc)
                    if len(found) > LIMIT:
                        raise TooMany(text)
                return
            rest, i = parts[i], i + 1
            if rest in BLANKS:
                walk(i, "", acc + ("",))
                return
        if len(acc) >= len(kinds):
            return
        for piece, used in _cells(rest, kinds, len(acc)):
            tail = rest[used:]
            if tail.startswith("-"):
                walk(i, tail, acc + (piece,))  # '-' opens a negative number …
                walk(i, tail[1:], acc + (piece,))  # … or is a printed separator
            elif not tail.startswith("."):
                walk(i, tail, acc + (piece,))

    walk(0, "", ())
    return found


def sum_prune(groups: Sequence[tuple[Sequence[int], int]]) -> Prune:
    """A prune that checks, once a group's cells are all read, that its parts sum to its total."""

    def ok(acc: tuple[str, ...]) -> bool:
        for parts, total in groups:
            if len(acc) - 1 == max(max(parts), total):
                if any(acc[p] == "" for p in parts) or acc[total] == "":
                    continue
                if sum(float(acc[p]) for p in parts) != float(acc[total]):
                    return False
        return True

    return ok
