"""Markdown as converters write it reads back exactly: pipe tables, grid tables and HTML tables
embedded in Markdown, each built from known cells (toolkit.testing.quirks), never copied from the
corpus. Cell text loses its Markdown (emphasis, escapes, <br>), every cell says on which line and at
which characters it was printed, and hostile files end quickly, read or refused.
"""

from __future__ import annotations

import time

import pytest

from toolkit import read_report
from toolkit.readers import ReadError, read_document, sniff
from toolkit.readers.markdown import read_markdown
from toolkit.testing.quirks import quirked, write
from toolkit.testing.render import Style, as_values, random_cells, render


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("to", ["markdown", "markdown-grid", "markdown-html"])
def test_a_converter_markdown_report_reads_exactly(tmp_path, to, fmt):
    cells = random_cells(11, fmt=fmt, blanks=0.1)
    style = Style(blank="mixed", merged=True, wrap=True, seed=11)
    data = write(quirked(cells, [], seed=11, style=style, fmt=fmt), to, style)
    text = data.decode("utf-8")
    marker = {"markdown": "|---|", "markdown-grid": "+===", "markdown-html": "rowspan="}[to]
    assert marker in text and (to != "markdown-html" or "colspan=" in text)
    path = tmp_path / "report.md"
    path.write_bytes(data)
    assert sniff(data) == "markdown"
    report = read_report(path)
    assert as_values(report.cells) == as_values(cells), report.reasons
    assert report.status == "verified"
    assert read_document(path).reader == "markdown"


def test_wrapped_grid_cells_join_into_one_cell_per_row(tmp_path):
    lines = [
        "+------------+------+------+",
        "| 项目       | 数量 | 备注 |",
        "+============+======+======+",
        "| 一、本年新 | 12   | **a** |",
        "| 收申请数量 |      | b    |",
        "+------------+------+------+",
        "| 二、上年结转 | 3 \\| 4 |  |",  # pipes misaligned by wide characters: split on '|'
        "+------------+------+------+",
    ]
    text = "\n".join(lines) + "\n"
    doc = read_markdown(tmp_path / "g.md", data=text.encode("utf-8"))
    assert [r.cells for r in doc.rows] == [
        ("项目", "数量", "备注"),
        ("一、本年新\n收申请数量", "12", "a\nb"),
        ("二、上年结转", "3 | 4", ""),
    ]
    assert {r.table for r in doc.rows} == {0}
    where = doc.rows[1].where
    assert (where[1].line, text[where[1].start : where[1].end]) == (4, "12")
    assert where[0].line == 4 and text[where[0].start : where[0].end].endswith("收申请数量")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pipe_cells_lose_their_markdown_and_keep_their_place(tmp_path, newline):
    text = (
        "# **报告**\n\n"
        "| 项目 | 本年<br>新收 | 注 |\n"
        "| :--- | ---: | :-: |\n"
        "| **一、本年新收** | 12 | a \\| b |\n"
        "| 二、上年结转 | *3* | | 9 |\n"
    ).replace("\n", newline)
    doc = read_markdown(tmp_path / "p.md", data=text.encode("utf-8"))
    assert [r.cells for r in doc.rows] == [
        ("报告",),
        ("项目", "本年\n新收", "注"),
        ("一、本年新收", "12", "a | b"),
        ("二、上年结转", "3", "", "9"),  # a cell past the header's width is kept, not dropped
    ]
    label, twelve = doc.rows[2].where[:2]
    assert (label.line, text[label.start : label.end]) == (5, "一、本年新收")
    assert (twelve.line, text[twelve.start : twelve.end]) == (5, "12")
    three = doc.rows[3].where[1]
    assert text[three.start : three.end] == "3"


def test_pipe_table_values_carry_line_and_span_in_the_report(tmp_path):
    cells = random_cells(5, fmt="2021")
    data = write(quirked(cells, [], seed=5), "markdown")
    path = tmp_path / "r.md"
    path.write_bytes(data)
    text = data.decode("utf-8")
    printed = read_report(path).cells.dropna(subset=["raw"])
    assert len(printed) > 100 and printed.char_start.notna().all()
    lines = text.splitlines()
    for c in printed.itertuples():
        assert text[int(c.char_start) : int(c.char_end)] == c.raw
        assert c.raw in lines[int(c.line) - 1]


def test_fenced_text_and_pipe_lines_without_a_delimiter_read_as_the_text_reader_does(tmp_path):
    text = "# 表\n\n```\n本年新收\n12\n3\n```\n\n| 甲 | 1 | 2 |\n| 乙 | 3 | 4 |\n"
    doc = read_markdown(tmp_path / "f.md", data=text.encode("utf-8"))
    assert [r.cells for r in doc.rows] == [
        ("表",),
        ("本年新收", "12", "3"),
        ("甲", "1", "2"),
        ("乙", "3", "4"),
    ]
    w = doc.rows[1].where[1]
    assert (w.line, text[w.start : w.end]) == (5, "12")


def test_an_html_table_split_by_blank_lines_is_read_whole(tmp_path):
    text = (
        "## 三、收到和处理政府信息公开申请情况\n\n"
        '<table>\n<tr><td rowspan="2">结转</td><td colspan="2">申请人</td></tr>\n\n'
        "<tr><td>1</td><td>2</td></tr>\n</table>\n\n尾\n"
    )
    doc = read_markdown(tmp_path / "h.md", data=text.encode("utf-8"))
    assert [r.cells for r in doc.rows] == [
        ("三、收到和处理政府信息公开申请情况",),
        ("结转", "申请人"),
        ("结转", "1", "2"),
        ("尾",),
    ]
    assert doc.rows[1].where[0].path and doc.rows[1].where[0].line == 3


def test_sniff_tells_markdown_tables_from_text_dumps_and_html_pages(tmp_path):
    cells = random_cells(3, fmt="2021")
    assert sniff(render(cells, to="text-pipe")) == "text"  # '|' cells, no delimiter row
    assert sniff(render(cells, to="text-lines")) == "text"
    assert sniff(render(cells, to="html")) == "html"
    assert sniff("| 项目 | 数量 |\n| --- | :---: |\n".encode()) == "markdown"
    assert sniff(b"a\n+---+---+\n| a | b |\n+---+---+\n") == "markdown"
    assert sniff("# 报告\n\n<table><tr><td>1</td></tr></table>\n".encode()) == "markdown"
    assert sniff(b"<table><tr><td>1</td></tr></table>\n# not a heading\n") == "html"
    page = b"<html><body>\n| a | b |\n|---|---|\n<table></table></body></html>"
    assert sniff(page) == "html"
    assert sniff(b"a | b\n---\n") == "text"  # a setext heading, not a table


@pytest.mark.parametrize(
    "text",
    [
        "| " + " | ".join("a" * 10_000) + " |\n|" + "---|" * 10_000 + "\n",  # 10,000 columns
        "| a |\n|---|\n" + ("|" + "1|" * 10_000 + "\n") * 20,  # too many cells: read as text
        "".join("  " * i + "- x\n" for i in range(2_000)),  # lists nested 2,000 deep
        ">" * 100_000 + " x\n",  # block quotes nested 100,000 deep
        "| a |\n|---|\n| " + "![" * 100_000 + " |\n",  # markup that is slow to parse
        "| a |\n|---|\n" + ("| " + "![" * 2_400 + " |\n") * 50,  # ... in many cells
        "# t\n\n<table>" * 3_000 + "\n",  # tables never closed
        "+--+\n|" * 50_000 + "\n",  # grid borders never closed
    ],
    ids=[
        "wide",
        "many-cells",
        "nested-lists",
        "nested-quotes",
        "markup",
        "markup-cells",
        "open-tables",
        "grids",
    ],
)
def test_hostile_markdown_ends_quickly_read_or_refused(tmp_path, text):
    path = tmp_path / "hostile.md"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    try:
        doc = read_document(path)
    except ReadError as exc:
        assert exc.stage and exc.reason
    else:
        assert doc.reader in ("markdown", "text", "html")
    assert time.perf_counter() - t0 < 10
