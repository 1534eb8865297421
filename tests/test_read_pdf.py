"""The PDF reader: the real Huai'an report to the last cell, tables cut by page breaks, tables
without ruling lines, and hostile files that must fail fast with one line saying why."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
from conftest import raw_file, truth

from toolkit import cli, read_report
from toolkit.extract.report import build_report
from toolkit.readers import ReadError, read_document
from toolkit.readers import pdf as pdf_reader
from toolkit.readers.pdf import has_text_layer, read_pdf
from toolkit.readers.pdf_layout import Cell, Grid, is_page_number, join_grids
from toolkit.readers.pdf_positions import paragraphs
from toolkit.schema.fields import format_value

reportlab = pytest.importorskip("reportlab")
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
HUAIAN = "huaian-city-2024"
FAST = 5.0  # seconds a hostile file may take, start to one-line error


# --- the real report -----------------------------------------------------------------------------


def _as_printed(report) -> pd.DataFrame:
    got = report.cells[["table", "row", "col"]].copy()
    got["value"] = [format_value(v) for v in report.cells.value]
    return got


def _diff(report, stem: str) -> pd.DataFrame:
    m = truth(stem).merge(
        _as_printed(report),
        on=["table", "row", "col"],
        how="outer",
        suffixes=("_exp", "_got"),
        indicator=True,
    )
    return m[(m._merge != "both") | (m.value_exp != m.value_got)]


def test_huaian_every_cell_matches_the_truth(corpus):
    report = read_report(raw_file(HUAIAN))
    assert _diff(report, HUAIAN).empty
    assert report.status == "verified", report.reasons
    assert (report.meta["agency"], report.meta["year"], report.meta["reader"]) == (
        "淮安市人民政府",
        2024,
        "pdf",
    )
    cell = report.cells.set_index(["table", "row", "col"])
    assert cell.loc[("applications", "unavailable_not_held", "total"), "value"] == 769
    assert (
        cell.loc[("applications", "unavailable_needs_creation", "total"), "page"] == 5
    )  # after the page break
    assert cell.loc[("proactive", "admin_fees", "amount_10k_yuan"), "value"] == 96171.6


def test_huaian_rows_each_label_once_in_reading_order(corpus):
    doc = read_document(raw_file(HUAIAN))
    rows = [r.cells for r in doc.rows]
    assert (
        doc.text.count("本年新收政府信息公开申请数量") == 1
    )  # prose of table pages is not repeated
    assert doc.text.count("予以公开") == 1
    assert (
        "三、本年度办理结果",
        "（一）予以公开",
        "1288",
        "21",
        "0",
        "0",
        "50",
        "3",
        "1362",
    ) in rows  # vertical label
    assert (
        "（四）无法提供",
        "1.本机关不掌握相关政府信息",
        "746",
        "12",
        "0",
        "0",
        "10",
        "1",
        "769",
    ) in rows  # cut group
    assert (
        "2.没有现成信息需要另行制作",
        "11",
        "0",
        "0",
        "0",
        "0",
        "0",
        "11",
    ) in rows  # no '法提供' left behind
    assert not any(is_page_number(c) for r in rows for c in r)
    assert (
        "72",
        "64",
        "178",
        "37",
        "351",
        "13",
        "4",
        "8",
        "1",
        "26",
        "12",
        "1",
        "1",
        "6",
        "20",
    ) in rows
    apps = {
        r.table
        for r in doc.rows
        if r.cells[0] in ("一、本年新收政府信息公开申请数量", "四、结转下年度继续办理")
    }
    assert len(apps) == 1  # pages 4 and 5 hold one table
    pages = [r.page for r in doc.rows]
    assert pages == sorted(pages) and set(pages) == set(range(1, 7))
    assert doc.rows[1] == pdf_reader.RawRow(("2024 年政府信息公开工作年度报告",), 1, None)
    assert (
        rows.index(("二、主动公开政府信息情况",))
        < rows.index(("规章", "1", "0", "11"))
        < rows.index(("三、收到和处理政府信息公开申请情况",))
    )


def test_huaian_from_word_positions_when_no_ruling_lines_are_found(corpus, monkeypatch):
    monkeypatch.setattr(pdf_reader, "_lattice", lambda *a, **k: ([], []))
    report = build_report(read_pdf(raw_file(HUAIAN)))
    assert _diff(report, HUAIAN).empty
    assert report.status == "verified"


def test_a_camelot_failure_falls_back_to_word_positions(corpus, monkeypatch):
    camelot = pytest.importorskip("camelot")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        pdf_reader, "lattice_tables", lambda *a: []
    )  # PDFium's paths make no grid: camelot is asked
    monkeypatch.setattr(camelot, "read_pdf", broken)
    doc = read_pdf(raw_file(HUAIAN))
    assert doc.notes == ("camelot lattice failed on pages [3, 4, 5]: RuntimeError: boom",)
    assert build_report(doc).status == "verified"


def test_pdfium_paths_give_what_camelot_read_pdf_gives(corpus, monkeypatch):
    """The fast path (PDFium's paths through camelot's lattice geometry) and camelot.read_pdf's own
    vector lattice read the same rows; this pins the camelot internals pdf_vector uses to the
    version installed."""
    fast = read_pdf(raw_file(HUAIAN))
    monkeypatch.setattr(pdf_reader, "lattice_tables", lambda *a, **kw: [])
    slow = read_pdf(raw_file(HUAIAN))
    assert [(r.cells, r.page, r.table) for r in fast.rows] == [
        (r.cells, r.page, r.table) for r in slow.rows
    ]
    assert sum(r.table is not None for r in fast.rows) >= 46  # every row of the three tables


def test_pages_option_and_its_range(corpus):
    doc = read_pdf(raw_file(HUAIAN), pages=[1])
    assert {r.page for r in doc.rows} == {1} and all(r.table is None for r in doc.rows)
    with pytest.raises(ValueError, match=r"pages \[9\] out of range: this PDF has pages 1..6"):
        read_pdf(raw_file(HUAIAN), pages=[9])


# --- synthetic PDFs (no corpus needed) ------------------------------------------------------------

COLS = [72, 250, 330, 410, 490]
ROWS = [
    ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
    ("规章", "1", "0", "11"),
    (("行政规范性", "文件"), "8", "26", "66"),
]  # a wrapped label, its numbers between its two lines
HEIGHTS = [24, 24, 36]


def _table_page(c, ruled: bool = True) -> None:
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "二、主动公开政府信息情况")
    c.setFont("STSong-Light", 9)
    y = top = 740
    for row, h in zip(ROWS, HEIGHTS):
        for x0, text in zip(COLS, row):
            if isinstance(text, tuple):
                c.drawString(x0 + 4, y - 14, text[0])
                c.drawString(x0 + 4, y - 26, text[1])
            else:
                c.drawString(x0 + 4, y - h / 2 - 3, text)
        y -= h
    if ruled:
        ys = [top - sum(HEIGHTS[:i]) for i in range(len(HEIGHTS) + 1)]
        for yy in ys:
            c.line(COLS[0], yy, COLS[-1], yy)
        for xx in COLS:
            c.line(xx, ys[0], xx, ys[-1])
    c.setFont("STSong-Light", 12)
    c.drawString(72, y - 30, "三、收到和处理政府信息公开申请情况")
    c.drawCentredString(297, 40, "- 1 -")


def _prose_page(c) -> None:
    c.setFont("STSong-Light", 12)
    c.drawString(
        72, 760, f"第{c.getPageNumber()}部分：天气很好，本页没有表格，只有一段普通的文字。"
    )


def _image_page(c) -> None:
    from PIL import Image

    c.drawImage(ImageReader(Image.new("RGB", (200, 100), "white")), 72, 500, 400, 200)


def _pdf(*pages, **kwargs) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, **kwargs)
    for draw in pages:
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


EXPECTED = [
    ("二、主动公开政府信息情况",),
    ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
    ("规章", "1", "0", "11"),
    ("行政规范性文件", "8", "26", "66"),
    ("三、收到和处理政府信息公开申请情况",),
]


def test_a_ruled_table_between_prose():
    doc = read_pdf("t.pdf", data=_pdf(_table_page))
    assert [r.cells for r in doc.rows] == EXPECTED
    assert [r.table for r in doc.rows] == [None, 0, 0, 0, None]


def test_a_table_without_ruling_lines_from_word_positions():
    doc = read_pdf("t.pdf", data=_pdf(lambda c: _table_page(c, ruled=False)))
    assert [r.cells for r in doc.rows] == EXPECTED


def _narrow_cells(c) -> None:
    c.setFont("STSong-Light", 8)
    c.drawString(72, 780, "四、行政复议、行政诉讼（未经复议直接起诉）")
    xs, ys = [72, 110, 148, 186], [760, 740, 720]
    for x, head in zip(xs, ("结果维持", "结果纠正", "总计")):
        c.drawString(x + 1, 747, head)
    for x, value in zip(xs, ("１３５８", "３６１１", "４９７５")):
        c.drawRightString(
            x + 37, 727, value
        )  # drawn in a row, right-aligned: 2 pt from the next cell's
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)


def test_numbers_in_adjacent_narrow_cells_stay_apart():
    rows = [r.cells for r in read_pdf("t.pdf", data=_pdf(_narrow_cells)).rows]
    assert rows[1:] == [
        ("结果维持", "结果纠正", "总计"),
        ("１３５８", "３６１１", "４９７５"),
    ]  # split at the rules


def test_an_owner_password_that_forbids_copying_still_reads():
    data = _pdf(_table_page, encrypt=StandardEncryption("", "owner", canCopy=0))
    doc = read_pdf("t.pdf", data=data)
    assert [r.cells for r in doc.rows] == EXPECTED  # camelot refuses; the word positions read it


def test_a_user_password_is_asked_for_and_accepted():
    data = _pdf(_table_page, encrypt=StandardEncryption("secret", "owner"))
    with pytest.raises(ReadError, match="encrypted: the PDF needs a password"):
        read_pdf("t.pdf", data=data)
    with pytest.raises(ReadError, match="the one given is wrong"):
        read_pdf("t.pdf", data=data, password="guess")
    assert [r.cells for r in read_pdf("t.pdf", data=data, password="secret").rows] == EXPECTED


# --- hostile files through the CLI: exit 2, one line on stderr, within seconds --------------------


def _cli_fails(tmp_path, capsys, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    t0 = time.perf_counter()
    code = cli.main(["check", str(path)])
    elapsed = time.perf_counter() - t0
    err = capsys.readouterr().err.strip().splitlines()
    assert code == cli.EXIT_UNREADABLE and len(err) == 1, err
    assert elapsed < FAST, f"{name} took {elapsed:.1f} s"
    return err[0]


def _truncated() -> bytes:
    data = _pdf(_table_page, *[_prose_page] * 5)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.pdf", b"", "the file is empty"),
        ("header-only.pdf", b"%PDF-1.7\n", "damaged or truncated"),
        ("truncated.pdf", _truncated(), "damaged or truncated"),
        (
            "locked.pdf",
            _pdf(_table_page, encrypt=StandardEncryption("secret", "owner")),
            "encrypted: the PDF needs a password",
        ),
        (
            "scan.pdf",
            _pdf(_image_page, _image_page),
            "no report here",
        ),  # scanned pages go to OCR, which finds no tables
        ("half-scan.pdf", _pdf(_prose_page, _image_page), "no report here"),
        ("long.pdf", _pdf(*[_prose_page] * 200), "no report"),
    ],
)
def test_hostile_pdfs_fail_fast_with_one_line(tmp_path, capsys, name, data, reason):
    line = _cli_fails(tmp_path, capsys, name, data)
    assert line.startswith(str(tmp_path / name)) and reason in line


def test_an_image_saved_as_pdf(tmp_path, capsys):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "PNG")
    line = _cli_fails(tmp_path, capsys, "photo.pdf", buf.getvalue())
    assert "image" in line  # sniffed by content, never by the name
    with pytest.raises(
        ReadError, match="not a PDF: no %PDF- header; the bytes look like image data"
    ):
        read_pdf("photo.pdf", data=buf.getvalue())


# --- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- 4 -", True),
        ("-4-", True),
        ("— 12 —", True),
        ("第 3 页", True),
        ("第3页 共6页", True),
        ("4/6", True),
        ("4", False),
        ("-", False),
        ("2024", False),
        ("- 4", False),
        ("3.危及", False),
    ],
)
def test_page_numbers(text, expected):
    assert is_page_number(text) is expected


def _grid(
    page: int, rows: list[list[tuple[str, float, float] | None]], cols=(70.0, 100.0, 140.0, 260.0)
) -> Grid:
    cells = [[Cell(*c) if c else None for c in row] for row in rows]
    return Grid(page, (cols[0], 50.0, cols[-1], 760.0), cells, cols)


def test_a_label_cut_by_the_page_break_is_rejoined():
    prev = _grid(4, [[None, ("（四）无", 100, 140), ("1.本机关不掌握相关政府信息", 140, 260)]])
    nxt = _grid(
        5, [[("", 70, 100), ("法提供", 100, 140), ("2.没有现成信息需要另行制作", 140, 260)]]
    )
    join_grids(prev, nxt)
    assert prev.rows[0][1].text == "（四）无法提供"
    assert [c.text for c in nxt.rows[0] if c] == ["2.没有现成信息需要另行制作"]
    assert nxt.table == prev.table


def test_a_heading_row_above_the_break_keeps_its_text():
    prev = _grid(3, [[("第二十条 第（六）项", 70, 260), None, None]])
    nxt = _grid(4, [[("信息内容", 70, 140), None, ("本年处理决定数量", 140, 260)]])
    join_grids(prev, nxt)
    assert prev.rows[0][0].text == "第二十条 第（六）项" and nxt.rows[0][0].text == "信息内容"


def test_a_values_row_after_the_break_keeps_its_blank_first_cell():
    prev = _grid(4, [[("结果维持", 70, 100), ("结果纠正", 100, 140), ("总计", 140, 260)]])
    nxt = _grid(5, [[("", 70, 100), ("64", 100, 140), ("351", 140, 260)]])
    join_grids(prev, nxt)
    assert [c.text for c in nxt.rows[0]] == ["", "64", "351"]


def test_paragraphs_join_soft_wraps_not_headings():
    lines = [
        "一、总体情况",
        "2024 年，我市坚持以习近平新时代中国特色社会主义思想为",
        "指导，圆满完成了各项任务。",
        "（一）主动公开情况。全年新增公开市政府规章 1 件、市政府及",
        "市政府办政策性文件 11 件。",
    ]
    assert paragraphs(lines) == [
        "一、总体情况",
        "2024 年，我市坚持以习近平新时代中国特色社会主义思想为指导，圆满完成了各项任务。",
        "（一）主动公开情况。全年新增公开市政府规章 1 件、市政府及市政府办政策性文件 11 件。",
    ]


def test_text_layer_usability():
    assert has_text_layer("二、主动公开政府信息情况 第二十条 第（一）项 信息内容 本年制发件数")
    assert not has_text_layer("- 4 -")
    assert not has_text_layer("\ue001\ue002\ue003" * 20)  # glyphs without Unicode mapping
