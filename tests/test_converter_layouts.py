"""What PDF-to-Markdown converters do to the tables (failure class 2 of the unseen-layouts issue),
on synthetic documents: spread columns, labels cut around their values, rows whose empty cells
are no grid's. Each reads exactly, or NA with a reason; never a wrong number."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import read_report
from toolkit.extract.rejoin import rejoin
from toolkit.testing.quirks import quirked, write
from toolkit.testing.render import Style, as_values, random_cells

HEAD = "二、主动公开政府信息情况\n\n第二十条第（一）项\n\n"


def _proactive(tmp_path, table: str) -> pd.Series:
    apps = write(quirked(random_cells(5, fmt="2019"), ["none"], seed=1), "markdown").decode()
    path = tmp_path / "report.md"
    path.write_text(HEAD + table + "\n" + apps[apps.index("## 三、") :], encoding="utf-8")
    cells = read_report(path).cells
    return cells[cells.table == "proactive"].set_index(["row", "col"]).value


def test_columns_a_converter_spread_read_as_the_printed_values(tmp_path):
    """pdfplumber under markitdown: '| | 规章 | | 0 | | 1 | | | 6 |' is three cells, 0 1 6."""
    table = (
        "|     | 信息内容 | 本年新制作数量 |     |     | 本年新公开数量 |     | 对外公开总数量 |"
        "     |\n"
        "| --- | ---- | ------- | --- | --- | ------- | --- | ------- | --- |\n"
        "|     | 规章   |         | 0   |     | 1       |     |         | 6   |\n"
        "|     | 规范性文件 |      | 12  |     | 0       |     |         | 5   |\n"
    )
    values = _proactive(tmp_path, table)
    assert list(values.loc["rules"]) == [0, 1, 6]
    assert list(values.loc["normative_documents"]) == [12, 0, 5]


def test_a_spread_column_is_not_taken_for_a_blank_that_trails(tmp_path):
    """Found as verified-but-wrong by the spread_columns quirk: '| 规章 | 0 | | 55367 | | |' read
    0, blank, 55367 by dropping the trailing empties. The header's columns say 0, 55367, blank."""
    table = (
        "| 信息内容 | 本年新制作数量 |  | 本年新公开数量 |  | 对外公开总数量 |\n"
        "|---|---|---|---|---|---|\n"
        "| 规章 | 0 |  | 55367 |  |  |\n"
        "| 规范性文件 | 0 |  | 0 |  | 111 |\n"
    )
    values = _proactive(tmp_path, table)
    assert values.loc[("rules", "new_made")] == 0
    assert values.loc[("rules", "new_published")] == 55367
    assert pd.isna(values.loc[("rules", "total_published")])


def test_a_blank_among_spread_columns_without_a_header_to_place_it_is_na(tmp_path):
    table = (
        "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
        "|---|---|---|---|\n"
        "|  | 规章 |  | 3 |  |  |  | 2 |\n"
    )
    values = _proactive(tmp_path, table)
    rules = values[values.index.get_level_values("row") == "rules"]
    assert rules.isna().all()  # 3 and 2 over three cells, one blank: which? NA, or not read


@pytest.mark.parametrize(
    "rows, label",
    [
        (  # head line, values, tail line
            [("5.要求行政机关确认或重新出具已获",), ("", "", "0", "76"), ("取信息",)],
            "5.要求行政机关确认或重新出具已获取信息",
        ),
        (  # a narrow column: three-character lines above and below
            [
                ("一、本",),
                ("年新收",),
                ("政府信",),
                ("", "17", "26"),
                ("息公开",),
                ("申请数",),
                ("量",),
            ],
            "一、本年新收政府信息公开申请数量",
        ),
        (  # an item's number alone on the line above
            [("", "2.", ""), ("", "", "0"), ("", "没有现成信息需要另行制作", "")],
            "2.没有现成信息需要另行制作",
        ),
    ],
)
def test_a_label_cut_around_its_values_is_joined(rows, label):
    texts = [c for row in rejoin(rows) for c in row if c]
    numbers = [c for row in rows for c in row if c.isdigit()]
    assert [c for c in texts if c.isdigit()] == numbers  # the values are untouched
    assert [c for c in texts if not c.isdigit()] == [label]  # every line joined into one label


def test_words_that_are_no_label_together_stay_apart():
    rows = [("信息内容",), ("", "17", "26"), ("备注",)]
    assert rejoin(rows) == rows


@pytest.mark.parametrize("quirk", ["label_around_values", "spread_columns"])
@pytest.mark.parametrize("to", ["text-pipe", "markdown", "html", "docx"])
def test_converter_quirks_read_exactly_or_na_never_wrong(tmp_path, quirk, to):
    for seed in range(3):
        cells = random_cells(300 + seed, fmt="2021" if seed % 2 else "2019")
        style = Style(blank="" if seed == 2 else "/", seed=seed)
        path = tmp_path / f"{quirk}-{seed}.{to}"
        path.write_bytes(write(quirked(cells, [quirk], seed=seed, style=style), to, style))
        report = read_report(path)
        got, want = as_values(report.cells), as_values(cells)
        assert not {k: v for k, v in got.items() if v is not None and want.get(k) != v}
        if quirk == "label_around_values" or style.blank:
            assert got == want, (seed, report.reasons)


def test_empty_cells_of_a_row_that_is_no_grid_are_placed_by_the_identities(tmp_path):
    """markitdown on a PDF whose blanks print as nothing wrote '| | （一）予以公开 | | 258 | 12 | |
    1 1 | |' for 258, 12, blank, blank, 1, 1, blank (a spread column before 258, two columns in
    one cell, one cell lost), and 258 was read as the second column. The empty cells of such a row
    may be blanks or layout: every placement is tried against the identities, else NA."""
    cells = random_cells(11, fmt="2019")
    text = write(quirked(cells, ["none"], seed=1), "markdown").decode()
    lines = [
        "| 三、本年度办理结果 | （一）予以公开 | | 258 | 12 | | 1 1 | |"
        if "（一）予以公开" in line
        else line
        for line in text.split("\n")
    ]
    path = tmp_path / "unfaithful.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = read_report(path)
    granted = report.cells[report.cells.row == "granted"].set_index("col").value
    printed = [258, 12, None, None, 1, 1, None]
    for col, value in zip(granted.index, granted):
        assert pd.isna(value) or value == printed[list(granted.index).index(col)], col
    others = {k: v for k, v in as_values(report.cells).items() if k[1] != "granted"}
    assert all(v is None or v == as_values(cells)[k] for k, v in others.items())


def test_a_blank_after_a_spread_column_is_placed_by_the_header(tmp_path):
    """'| 政府集中采购 | | | 80110 | | |' under '| 信息内容 | 采购项目数量 | | 采购总金额 | | |':
    the header puts 80110 under 采购总金额 and the blank under 采购项目数量."""
    table = (
        "| 信息内容 | 上一年项目数量 |  | 本年增/减 |  | 处理决定数量 |\n"
        "|---|---|---|---|---|---|\n"
        "| 行政许可 | 0 |  |  |  | 7 |\n"
        "| 信息内容 | 采购项目数量 |  | 采购总金额 |  |  |\n"
        "| 政府集中采购 |  |  | 80110 |  |  |\n"
    )
    values = _proactive(tmp_path, table)
    assert values.loc[("licensing", "prev_year_items")] == 0
    assert pd.isna(values.loc[("licensing", "change")])
    assert values.loc[("licensing", "decisions")] == 7
    assert pd.isna(values.loc[("procurement", "items")])
    assert values.loc[("procurement", "total_amount")] == 80110
