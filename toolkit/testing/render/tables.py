"""The three national tables as printed grids: official labels, header rows and merged cells."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

from toolkit import schema
from toolkit.testing.render.model import (
    Cell,
    Grid,
    Style,
    chooser,
    number_text,
    numbered,
    official_label,
    wrapped,
)

Values = Mapping[tuple[str, str, str], float | None]
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ARTICLE = {
    "rules": "（一）",
    "normative_documents": "（一）",
    "licensing": "（五）",
    "other_admin_services": "（五）",
    "penalty": "（六）",
    "coercion": "（六）",
    "admin_fees": "（八）",
    "procurement": "（九）",
}
TYPO = ("其他法律行政法规禁止公开", "其他法律行政止公开")


def place(listed: list[list[Cell]], ncols: int) -> tuple[tuple[Cell | None, ...], ...]:
    """Cells listed row by row (as HTML lists them) -> positions, None where a span covers."""
    free = object()
    grid: list[list] = [[free] * ncols for _ in listed]
    for r, cells in enumerate(listed):
        c = 0
        for cell in cells:
            while grid[r][c] is not free:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[r + dr][c + dc] = None
            grid[r][c] = cell
            c += cell.colspan
    if any(x is free for row in grid for x in row):
        raise AssertionError("a table layout leaves positions unfilled")
    return tuple(tuple(row) for row in grid)


def unmerge(
    rows: tuple[tuple[Cell | None, ...], ...], *, heads_only: bool
) -> tuple[tuple[Cell | None, ...], ...]:
    """Spans written out: the text in the top-left position, the positions it covered empty."""
    out = [list(row) for row in rows]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (
                cell is None
                or (cell.rowspan == cell.colspan == 1)
                or (heads_only and not cell.head)
            ):
                continue
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    out[r + dr][c + dc] = Cell("", head=cell.head)
            out[r][c] = Cell(cell.text, value=cell.value, head=cell.head)
    return tuple(tuple(row) for row in out)


def grid(
    name: str,
    listed: list[list[Cell]],
    ncols: int,
    header_rows: int,
    widths: tuple[float, ...],
    style: Style,
) -> Grid:
    rows = place(listed, ncols)
    if style.padded or not style.merged:
        rows = unmerge(rows, heads_only=not style.padded)
    return Grid(name, rows, header_rows, widths)


def _values(
    table: str, row: str, cols: tuple[str, ...], values: Values, style: Style, rng: random.Random
) -> list[Cell]:
    return [
        Cell(
            number_text(values.get((table, row, c)), schema.kind(table, c), style, rng), value=True
        )
        for c in cols
    ]


def proactive(values: Values, fmt: str, style: Style) -> Grid:
    """二、主动公开: one four-column table, a 第二十条 sub-heading and a header row per article."""
    rng, lay = chooser(style, "proactive"), schema.layout("proactive", fmt)
    listed, last_cols, last_article = [], None, None
    for row, cols in lay.items():
        if ARTICLE[row] != last_article or cols != last_cols:
            listed.append([Cell(f"第二十条第{ARTICLE[row]}项", colspan=4, head=True)])
            heads = [
                Cell(wrapped(official_label("proactive", "col", c, fmt), style), head=True)
                for c in cols
            ]
            listed.append([Cell("信息内容", head=True)] + _stretch(heads))
            last_article, last_cols = ARTICLE[row], cols
        cells = _values("proactive", row, cols, values, style, rng)
        listed.append([Cell(official_label("proactive", "row", row, fmt))] + _stretch(cells))
    return grid("proactive", listed, 4, 0, (2.2, 1, 1, 1), style)


def _stretch(cells: list[Cell]) -> list[Cell]:
    """The last cell spans what is left of the three value columns."""
    last = cells[-1]
    return cells[:-1] + [Cell(last.text, colspan=4 - len(cells), value=last.value, head=last.head)]


def applications(values: Values, fmt: str, style: Style) -> Grid:
    """三、收到和处理: three header rows over 3 label + 7 applicant columns, grouped result rows."""
    rng, labels = chooser(style, "applications"), chooser(style, "numbering")
    cols = schema.cols("applications", fmt)
    listed = _applicant_header(style)
    rows = schema.rows("applications", fmt)
    results = rows[rows.index("granted") : rows.index("total_handled") + 1]
    groups: dict[str, int] = {}
    for row in results:
        group = official_label("applications", "row", row, fmt).split(" ")[0]
        groups[group] = groups.get(group, 0) + 1
    seen: set[str] = set()
    for row in rows:
        label = _row_label(row, fmt, style, labels)
        cells = _values("applications", row, cols, values, style, rng)
        group, _, item = label.partition(" ")
        lead = [Cell("三、本年度办理结果", rowspan=len(results))] if row == "granted" else []
        if row not in results:
            listed.append([Cell(wrapped(label, style), colspan=3)] + cells)
        elif not item:
            listed.append(lead + [Cell(wrapped(group, style), colspan=2)] + cells)
        else:
            first = [Cell(group, rowspan=groups[group])] if group not in seen else []
            listed.append(lead + first + [Cell(wrapped(item, style))] + cells)
        seen.add(group)
    return grid("applications", listed, 10, 3, (0.9, 1.1, 3.4) + (1,) * 7, style)


def _applicant_header(style: Style) -> list[list[Cell]]:
    firms = [
        official_label("applications", "col", c, "2021").split(" ")[1]
        for c in (
            "commercial_enterprise",
            "research_institution",
            "social_org",
            "legal_service",
            "other_org",
        )
    ]
    return [
        [
            Cell(NOTE if style.instructions else "", rowspan=3, colspan=3, head=True),
            Cell("申请人情况", colspan=7, head=True),
        ],
        [
            Cell("自然人", rowspan=2, head=True),
            Cell("法人或其他组织", colspan=5, head=True),
            Cell("总计", rowspan=2, head=True),
        ],
        [Cell(wrapped(f, style, width=3), head=True) for f in firms],
    ]


def _row_label(row: str, fmt: str, style: Style, rng: random.Random) -> str:
    """The printed row label: group and numbered item, with the chosen numbering, typo and
    instructions.
    """
    label = official_label("applications", "row", row, fmt)
    if not style.instructions:
        label = re.sub(r"（[^（）]*）$", "", label)
    if style.typo:
        label = label.replace(*TYPO)
    group, _, item = label.partition(" ")
    m = re.match(r"(\d)\.(.*)", item)
    return f"{group} {numbered(int(m.group(1)), m.group(2), style, rng)}" if m else label


def appeals(values: Values, fmt: str, style: Style) -> Grid:
    """四、复议诉讼: 行政复议 (5 columns) and two 行政诉讼 groups of 5, over one row of
    15 values.
    """
    rng = chooser(style, "appeals")
    cols = schema.cols("appeals", fmt)
    heads = [official_label("appeals", "col", c, fmt) for c in cols]
    groups = [
        official_label("appeals", "row", r, fmt).split(" ")[-1]
        for r in schema.rows("appeals", fmt)[1:]
    ]
    listed = [
        [Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)],
        [Cell(wrapped(h, style, width=2), rowspan=2, head=True) for h in heads]
        + [Cell(g, colspan=5, head=True) for g in groups],
        [Cell(wrapped(h, style, width=2), head=True) for h in heads] * 2,
    ]
    listed.append(
        [
            c
            for r in schema.rows("appeals", fmt)
            for c in _values("appeals", r, cols, values, style, rng)
        ]
    )
    return grid("appeals", listed, 15, 3, (1,) * 15, style)
