"""Hypothesis strategies for valid report cells and rendering
styles (toolkit.testing.render builds the files)."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

from toolkit import schema
from toolkit.testing.render import Style, complete, free_cells
from toolkit.testing.render.generate import MAX_COUNT
from toolkit.testing.render.model import BLANK_MARKERS, NUMBERINGS

CORE = ("applications", "appeals")


def counts(top: int = MAX_COUNT, zeros: int = 2) -> st.SearchStrategy[int]:
    """Mostly zeros, as real reports are (`zeros` to 2 for
    the rest); small counts often; up to `top` sometimes."""
    return st.one_of(*[st.just(0)] * zeros, st.integers(1, 9), st.integers(0, top))


def signed(top: int = MAX_COUNT, zeros: int = 1) -> st.SearchStrategy[int]:
    """本年增/减 may be negative."""
    return st.one_of(*[st.just(0)] * zeros, st.integers(-top, top))


@st.composite
def amounts(draw, top: int = MAX_COUNT, zeros: int = 1) -> float:
    """Money with 0 to 4 decimals, k / 10**d, which prints exactly."""
    places = draw(st.integers(0, 4))
    return draw(st.one_of(*[st.just(0)] * zeros, st.integers(1, top * 10**places))) / 10**places


VALUES = {"count": counts, "signed": signed, "amount": amounts}


@st.composite
def report_cells(
    draw,
    fmt: str | None = None,
    blank_tables: tuple[str, ...] | None = None,
    top: int = MAX_COUNT,
    zeros: int = 2,
) -> pd.DataFrame:
    """Cells of a valid report (every identity holds), some of them blank (NA) in `blank_tables`.

    Free cells are zero `zeros` times in `zeros` + 2, else up to `top`.
    """
    fmt = fmt or draw(st.sampled_from(schema.FORMATS))
    free = {key: draw(VALUES[kind](top, zeros)) for key, kind in free_cells(fmt)}
    cells = complete(free, fmt)
    if blank_tables is None:
        blank_tables = draw(
            st.sampled_from(((), ("proactive",), ("proactive",), ("proactive",) + CORE))
        )
    where = [i for i, t in enumerate(cells.table) if t in blank_tables]
    if where:
        hit = draw(st.sets(st.sampled_from(where), max_size=6))
        cells.loc[sorted(hit), "value"] = pd.NA
    return cells


@st.composite
def styles(draw, to: str, blanks: tuple[str, ...] = BLANK_MARKERS + ("mixed",)) -> Style:
    """Every kind of mess a target can carry: blank
    markers, numbering, typos, merges, wraps, splits."""
    return Style(
        blank=draw(st.sampled_from(blanks)),
        numbering=draw(st.sampled_from(NUMBERINGS + ("mixed",))),
        fullwidth=draw(st.booleans()),
        typo=draw(st.booleans()),
        instructions=draw(st.booleans()),
        merged=draw(st.booleans()),
        padded=draw(st.booleans())
        if to != "text-run"
        else False,  # a spanned cell as a plain grid with empty cells
        wrap=draw(st.booleans()),
        split=draw(st.one_of(st.none(), st.integers(1, 22))) if to == "pdf" else None,
        run_spaces=draw(st.sampled_from((0.0, 0.0, 0.3))) if to == "text-run" else 0.0,
        title_lines=draw(st.sampled_from((1, 2))),
        seed=draw(st.integers(0, 2**16)),
    )
