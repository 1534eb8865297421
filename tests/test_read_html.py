"""HTML reader: encodings, safe parsing, reading order, merged
cells, &nbsp; blanks, layout tables, the Shanghai report."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import raw_file, truth

from toolkit import schema
from toolkit.cli import main
from toolkit.extract.report import read_report
from toolkit.readers import ReadError, read_document
from toolkit.readers import html as html_reader
from toolkit.readers.html import read_html
from toolkit.schema.fields import format_value

APP_COLS = schema.cols("applications", "2021")
APPEAL_KEYS = [
    (r, c) for r in schema.rows("appeals", "2021") for c in schema.cols("appeals", "2021")
]


def app_values() -> dict[str, list[int]]:
    """Applications rows (2021 format) whose identities all hold: row -> 7 values ending in 总计."""
    rows = schema.rows("applications", "2021")
    results = rows[2:-2]
    v = {r: [(i * 7 + j * 3) % 11 for j in range(6)] for i, r in enumerate(results)}
    v["total_handled"] = [sum(v[r][j] for r in results) for j in range(6)]
    v["carried_over"] = list(range(6))
    v["carried_forward"] = [2 * j for j in range(6)]
    v["new_received"] = [
        h + f - c for h, f, c in zip(v["total_handled"], v["carried_forward"], v["carried_over"])
    ]
    return {r: v[r] + [sum(v[r])] for r in rows}


APPEALS = [3, 1, 0, 2, 6, 4, 0, 1, 0, 5, 0, 0, 0, 0, 0]


def applications_html(values: dict[str, list], blank=lambda row, col: False) -> str:
    """The applications table with official labels: group
    labels in a rowspan column, others colspan=2."""
    labels = schema.labels_zh("applications")
    head = (
        '<tr><td colspan="2" rowspan="2">'
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
        '<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td>'
        '<td rowspan="2">总计</td></tr>'
        "<tr><td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
    )
    body, groups = [], {}
    for row in values:
        group, _, sub = labels[("row", row)].partition(" ")
        groups.setdefault(group, []).append(row) if sub else None
    for row, vals in values.items():
        group, _, sub = labels[("row", row)].partition(" ")
        if not sub:
            first = f'<td colspan="2">{group}</td>'
        elif groups[group][0] == row:
            first = f'<td rowspan="{len(groups[group])}">{group}</td><td>{sub}</td>'
        else:
            first = f"<td>{sub}</td>"
        tds = "".join(
            "<td><p>&nbsp;</p></td>" if blank(row, c) else f"<td><p align=center>{x}</p></td>"
            for c, x in zip(APP_COLS, vals)
        )
        body.append(f"<tr>{first}{tds}</tr>")
    return f'<table border="1">{head}{"".join(body)}</table>'


def appeals_html(values: list) -> str:
    heads = "".join(
        f"<td>{h}</td>" for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    )
    return (
        '<table><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
        '<tr><td colspan="5"></td><td colspan="5">未经复议直接起诉</td>'
        '<td colspan="5">复议后起诉</td></tr>'
        f"<tr>{heads * 3}</tr><tr>{''.join(f'<td>{x}</td>' for x in values)}</tr></table>"
    )


def report_html(tables: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        "<title>某某区人民政府2021年政府信息公开工作年度报告</title>"
        "<script>var t = '本年新收政府信息公开申请数量 999';</script>"
        "<style>p {color: red}</style></head><body>"
        "<h1>某某区人民政府2021年政府信息公开工作年度报告</h1><p>本报告所列数据统计期限自2021年1月1日起至2021年12月31日止。</p>"
        f"{tables}<p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p><p>无。</p></body></html>"
    )


def full_tables(values, blank=lambda r, c: False, appeals=APPEALS) -> str:
    return (
        "<p>三、收到和处理政府信息公开申请情况</p>"
        + applications_html(values, blank)
        + "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
        + appeals_html(appeals)
    )


def cell_values(report, table: str) -> dict[tuple[str, str], float | None]:
    c = report.cells[report.cells.table == table]
    return {(r, k): (None if pd.isna(x) else float(x)) for r, k, x in zip(c.row, c["col"], c.value)}


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- the real report ---------------------------------------------------------------------------


@pytest.mark.corpus
def test_shanghai_cells_equal_truth(corpus):
    report = read_report(raw_file("shanghai-gov-office-2019"))
    got = report.cells.assign(value=[format_value(v) for v in report.cells.value])[
        ["table", "row", "col", "value"]
    ]
    exp = truth("shanghai-gov-office-2019")
    merged = exp.merge(
        got, on=["table", "row", "col"], how="outer", suffixes=("_exp", "_got"), indicator=True
    )
    assert (merged._merge == "both").all()
    assert (merged.value_exp == merged.value_got).all(), merged[
        merged.value_exp != merged.value_got
    ]
    assert report.meta["reader"] == "html" and report.meta["encoding"] == "utf-8"


@pytest.mark.corpus
def test_shanghai_blank_totals_stay_na(corpus):
    report = read_report(raw_file("shanghai-gov-office-2019"))
    apps = cell_values(report, "applications")
    assert apps[("granted", "total")] is None and apps[("unavailable_not_held", "total")] is None
    assert apps[("new_received", "total")] == 859 and apps[("total_handled", "total")] == 805
    assert report.status == "partial"
    assert (report.checks.status == "not_evaluable").sum() > 0


@pytest.mark.corpus
def test_shanghai_rows_in_reading_order(corpus):
    doc = read_html(raw_file("shanghai-gov-office-2019"))
    text = [r.cells[0] for r in doc.rows]
    assert (
        text.index("二、主动公开政府信息情况")
        < text.index("规章")
        < text.index("三、收到和处理政府信息公开申请情况")
    )
    assert sorted({r.table for r in doc.rows} - {None}) == [0, 1, 2]
    granted = next(r for r in doc.rows if "（一）予以公开" in r.cells)
    assert granted.cells == (
        "三、本年度办理结果",
        "（一）予以公开",
        "258",
        "12",
        "",
        "",
        "1",
        "1",
        "",
    )


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="gbk">',
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    ],
)
def test_gbk_page_with_declared_charset(tmp_path, meta):
    page = report_html(full_tables(app_values())).replace('<meta charset="utf-8">', meta)
    path = write(tmp_path, "gbk.html", page, "gbk")
    doc = read_html(path)
    assert doc.encoding == "gb18030" and not doc.notes
    assert ("六、其他需要报告的事项",) in [r.cells for r in doc.rows]
    report = read_report(path)
    assert report.status == "verified", report.reasons
    assert (
        cell_values(report, "applications")[("new_received", "total")]
        == app_values()["new_received"][-1]
    )


def test_stale_declaration_on_utf8_bytes(tmp_path):
    path = write(tmp_path, "p.html", '<meta charset="gb2312"><p>收到和处理政府信息公开申请情况</p>')
    doc = read_html(path)
    assert doc.rows[0].cells == ("收到和处理政府信息公开申请情况",)
    assert doc.encoding == "utf-8" and "gb2312" in doc.notes[0]


def test_undeclared_gbk_is_detected(tmp_path):
    path = write(
        tmp_path,
        "p.html",
        "<p>" + "收到和处理政府信息公开申请情况。本年度共收到申请十件。" * 5 + "</p>",
        "gbk",
    )
    doc = read_html(path)
    assert doc.encoding == "gb18030"
    assert doc.rows[0].cells[0].startswith("收到和处理政府信息公开申请情况")


# --- structure ---------------------------------------------------------------------------------


def test_prose_blocks_order_and_dropped_script_style(tmp_path):
    page = (
        "<html><head><title>标题</title><style>.a{}</style></head><body><h2>一、总体情况</h2>"
        "<div>导语<p>第一段<b>加粗</b>续</p>尾文<ul><li>甲</li><li>乙</li></ul></div>"
        "<script>document.write('不应出现')</script><p>上行<br>下行</p><!-- 注释 --></body></html>"
    )
    rows = [r.cells for r in read_html(write(tmp_path, "p.html", page)).rows]
    assert rows == [
        ("标题",),
        ("一、总体情况",),
        ("导语",),
        ("第一段加粗续",),
        ("尾文",),
        ("甲",),
        ("乙",),
        ("上行",),
        ("下行",),
    ]


def test_rowspan_carried_colspan_expanded_only_for_blanks(tmp_path):
    page = (
        "<table><tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td>"
        "<td colspan=2>5</td><td colspan=2>&nbsp;</td></tr>"
        "<tr><td>2.其他</td><td rowspan=2>7</td><td>1</td><td>-</td></tr>"
        "<tr><td colspan=2>（四）无法提供</td><td colspan=2>/</td></tr></table>"
    )
    rows = [(r.cells, r.table) for r in read_html(write(tmp_path, "t.html", page)).rows]
    assert rows == [
        (("（三）不予公开", "1.属于国家秘密", "5", "", ""), 0),  # 5 printed once, the blank twice
        (("（三）不予公开", "2.其他", "7", "1", "-"), 0),  # the group label repeats
        (("（四）无法提供", "", "/", "/"), 0),
    ]  # 7 not repeated; its slot is blank


def test_cell_text_lines_and_nbsp(tmp_path):
    page = (
        "<table><tr><td><p>本年新</p><p>制作数量</p></td><td>商业<br>企业</td><td>&nbsp;</td>"
        "<td><p>&nbsp;</p></td><td> 1 2\n3 </td><td>\u200b</td></tr></table>"
    )
    assert read_html(write(tmp_path, "c.html", page)).rows[0].cells == (
        "本年新\n制作数量",
        "商业\n企业",
        "",
        "",
        "1 2 3",
        "",
    )


def test_nbsp_blanks_stay_na_never_zero(tmp_path):
    values = app_values()

    def blank(row, col):
        return col in ("research_institution", "social_org") or (
            col == "total" and row not in ("new_received", "total_handled")
        )

    report = read_report(write(tmp_path, "b.html", report_html(full_tables(values, blank))))
    got = cell_values(report, "applications")
    for row, vals in values.items():
        for col, x in zip(APP_COLS, vals):
            assert got[(row, col)] == (None if blank(row, col) else x), (row, col)
    raw = report.cells.set_index(["table", "row", "col"]).raw
    assert raw[("applications", "granted", "research_institution")] == ""
    assert report.status == "partial"


def test_value_colspan_is_not_duplicated(tmp_path):
    page = (
        "<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td><td>本年新制作数量</td>"
        "<td colspan=2>本年新公开数量</td><td>对外公开总数量</td></tr>"
        "<tr><td>规章</td><td colspan=2>13</td><td>12</td><td>524</td></tr></table>"
    )
    doc = read_html(write(tmp_path, "v.html", page))
    assert doc.rows[-1].cells == ("规章", "13", "12", "524")


def test_layout_table_wrapping_the_data_tables(tmp_path):
    values = app_values()
    inner = full_tables(values)
    page = report_html(
        '<table width="100%"><tr><td>首页 &gt; 信息公开</td></tr>'
        f'<tr><td class="nav">导航</td><td>{inner}</td></tr></table>'
    )
    path = write(tmp_path, "w.html", page)
    doc = read_html(path)
    labels = [r.cells for r in doc.rows]
    assert labels.count(("首页 > 信息公开",)) == 1 and ("导航",) in labels
    assert sorted({r.table for r in doc.rows} - {None}) == [
        0,
        1,
        2,
    ]  # the first wrapper row is a 1-cell data row
    assert sum("一、本年新收政府信息公开申请数量" in r.cells for r in doc.rows) == 1
    report = read_report(path)
    assert report.status == "verified", report.reasons
    assert cell_values(report, "appeals") == {k: float(x) for k, x in zip(APPEAL_KEYS, APPEALS)}


def test_no_tables_is_a_read_error_and_cli_exit_2(tmp_path, capsys):
    path = write(
        tmp_path,
        "news.html",
        "<html><body><h1>通知公告</h1><p>关于开展政务公开培训的通知</p></body></html>",
    )
    with pytest.raises(ReadError):
        read_report(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(str(path))


def test_html_saved_as_pdf_goes_to_the_html_reader(tmp_path):
    path = write(tmp_path, "report.pdf", report_html(full_tables(app_values())))
    assert read_document(path).reader == "html"
    assert read_report(path).status == "verified"


# --- safety ------------------------------------------------------------------------------------


def test_external_entities_and_network_are_not_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    page = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<html><body><p>前&xxe;后</p><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    doc = read_html(write(tmp_path, "x.html", page))
    assert "TOPSECRET" not in doc.text and "前" in doc.text


def test_deeply_nested_page_refused(tmp_path):
    path = write(tmp_path, "deep.html", "<div>" * 5000 + "x" + "</div>" * 5000)
    with pytest.raises(ReadError, match="nested too deeply"):
        read_html(path)


def test_huge_page_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(html_reader, "MAX_HTML_BYTES", 1000)
    with pytest.raises(ReadError, match="larger than"):
        read_html(write(tmp_path, "big.html", "<p>" + "字" * 1000 + "</p>"))


def test_too_many_elements_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(html_reader, "MAX_ELEMENTS", 50)
    with pytest.raises(ReadError, match="elements"):
        read_html(write(tmp_path, "many.html", "<p>x</p>" * 100))


def test_absurd_span_is_bounded(tmp_path):
    doc = read_html(
        write(
            tmp_path,
            "s.html",
            '<table><tr><td colspan="99999999"></td><td rowspan="2147483647">标签</td></tr>'
            "<tr><td>1</td></tr></table>",
        )
    )
    assert doc.rows[0].cells[-1] == "标签" and len(doc.rows[0].cells) == html_reader.MAX_SPAN + 1
    assert doc.rows[1].cells == ("1", "标签")
