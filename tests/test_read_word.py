"""Word reader: DOCX built with python-docx in the test (official
2021 layout), merges, bombs, .doc/.wps via LibreOffice."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest

from toolkit import schema
from toolkit.cli import main
from toolkit.extract.report import read_report
from toolkit.readers import ReadError, read_document, word
from toolkit.readers.word import read_doc, read_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: "
    "`make sysdeps` or `apt-get install libreoffice-writer-nogui`",
)

GROUPS = [
    (
        "（三）不予公开",
        [
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ],
    ),
    (
        "（四）无法提供",
        ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
    ),
    (
        "（五）不予处理",
        [
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        ],
    ),
    (
        "（六）其他处理",
        [
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ],
    ),
]
HEADS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def values_2021(seed: int = 7) -> dict[tuple[str, str, str], float]:
    """Every cell of a 2021-format report, with every identity holding."""
    rnd = random.Random(seed)
    cols6 = schema.cols("applications", "2021")[:6]
    results = schema.rows("applications", "2021")[2:-2]
    apps = {r: [rnd.choice([0, rnd.randint(1, 400)]) for _ in cols6] for r in results}
    apps["total_handled"] = [sum(apps[r][i] for r in results) for i in range(6)]
    apps["carried_over"] = [rnd.randint(0, 30) for _ in cols6]
    apps["carried_forward"] = [rnd.randint(0, 30) for _ in cols6]
    apps["new_received"] = [
        h + f - c
        for h, f, c in zip(apps["total_handled"], apps["carried_forward"], apps["carried_over"])
    ]
    cells = {}
    for r, vs in apps.items():
        cells |= {
            ("applications", r, c): v
            for c, v in zip(schema.cols("applications", "2021"), vs + [sum(vs)])
        }
    for r in schema.rows("appeals", "2021"):
        vs = [rnd.randint(0, 20) for _ in range(4)]
        cells |= {
            ("appeals", r, c): v for c, v in zip(schema.cols("appeals", "2021"), vs + [sum(vs)])
        }
    for r, cs in schema.layout("proactive", "2021").items():
        cells |= {
            ("proactive", r, c): 1234.5 if c == "amount_10k_yuan" else rnd.randint(0, 900)
            for c in cs
        }
    return cells


def _fmt(v) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def merge(table, r0: int, c0: int, r1: int, c1: int, text: str | None = None):
    cell = table.cell(r0, c0).merge(table.cell(r1, c1))
    if text is not None:
        cell.text = text
    return cell


def proactive_table(box, v) -> None:
    """The 2021 第二十条 table: section titles and one-value rows span the grid (gridSpan)."""
    t = box.add_table(rows=14, cols=4)

    def section(i: int, title: str, head: list[str]) -> None:
        merge(t, i, 0, i, 3, title)
        t.cell(i + 1, 0).text = "信息内容"
        if len(head) == 1:
            merge(t, i + 1, 1, i + 1, 3, head[0])
        for j, h in enumerate(head if len(head) > 1 else [], 1):
            t.cell(i + 1, j).text = h

    def row(i: int, label: str, vals: list) -> None:
        t.cell(i, 0).text = label
        if len(vals) == 1:
            merge(t, i, 1, i, 3, _fmt(vals[0]))
        for j, x in enumerate(vals if len(vals) > 1 else [], 1):
            t.cell(i, j).text = _fmt(x)

    p = lambda r, c: v[("proactive", r, c)]  # noqa: E731
    section(0, "第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"])
    row(2, "规章", [p("rules", c) for c in ("issued", "repealed", "in_force")])
    row(
        3,
        "行政规范性文件",
        [p("normative_documents", c) for c in ("issued", "repealed", "in_force")],
    )
    section(4, "第二十条第（五）项", ["本年处理决定数量"])
    row(6, "行政许可", [p("licensing", "decisions")])
    section(7, "第二十条第（六）项", ["本年处理决定数量"])
    row(9, "行政处罚", [p("penalty", "decisions")])
    row(10, "行政强制", [p("coercion", "decisions")])
    section(11, "第二十条第（八）项", ["本年收费金额（单位：万元）"])
    row(13, "行政事业性收费", [p("admin_fees", "amount_10k_yuan")])


def applications_table(box, v) -> None:
    """The official 10-column grid: a 3×3 corner, vertical
    group labels (vMerge), wide row labels (gridSpan)."""
    rows = schema.rows("applications", "2021")
    t = box.add_table(rows=3 + len(rows), cols=10)
    for i, r in enumerate(rows, 3):
        for j, c in enumerate(schema.cols("applications", "2021"), 3):
            t.cell(i, j).text = _fmt(v[("applications", r, c)])
    merge(t, 0, 0, 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    merge(t, 0, 3, 0, 9, "申请人情况")
    merge(t, 1, 3, 2, 3, "自然人")
    merge(t, 1, 4, 1, 8, "法人或其他组织")
    merge(t, 1, 9, 2, 9, "总计")
    for j, h in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], 4):
        t.cell(2, j).text = h
    last = 3 + len(rows) - 1
    merge(t, 3, 0, 3, 2, "一、本年新收政府信息公开申请数量")
    merge(t, 4, 0, 4, 2, "二、上年结转政府信息公开申请数量")
    merge(t, 5, 0, last - 1, 0, "三、本年度办理结果")
    merge(t, 5, 1, 5, 2, "（一）予以公开")
    merge(t, 6, 1, 6, 2, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    i = 7
    for head, subs in GROUPS:
        merge(t, i, 1, i + len(subs) - 1, 1, head)
        for k, s in enumerate(subs):
            t.cell(i + k, 2).text = s
        i += len(subs)
    merge(t, i, 1, i, 2, "（七）总计")
    merge(t, last, 0, last, 2, "四、结转下年度继续办理")


def appeals_table(box, v) -> None:
    t = box.add_table(rows=4, cols=15)
    merge(t, 0, 0, 0, 4, "行政复议")
    merge(t, 0, 5, 0, 14, "行政诉讼")
    for j, h in enumerate(HEADS):
        merge(t, 1, j, 2, j, h)
    merge(t, 1, 5, 1, 9, "未经复议直接起诉")
    merge(t, 1, 10, 1, 14, "复议后起诉")
    for j, h in enumerate(HEADS * 2, 5):
        t.cell(2, j).text = h
    keys = [(r, c) for r in schema.rows("appeals", "2021") for c in schema.cols("appeals", "2021")]
    for j, (r, c) in enumerate(keys):
        t.cell(3, j).text = _fmt(v[("appeals", r, c)])


def add_report(box, v) -> None:
    """A complete 2021-format report into a Document or a table cell (a layout wrapper)."""
    for text in (
        "北京市某某区人民政府",
        "2021年政府信息公开工作年度报告",
        "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。",
        "一、总体情况",
        "2021年，本区扎实做好政府信息公开工作。",
        "二、主动公开政府信息情况",
    ):
        box.add_paragraph(text)
    proactive_table(box, v)
    box.add_paragraph("三、收到和处理政府信息公开申请情况")
    applications_table(box, v)
    box.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    appeals_table(box, v)
    for text in ("五、政府信息公开工作存在的主要问题及改进情况", "六、其他需要报告的事项", "无。"):
        box.add_paragraph(text)


def build_docx(path: Path, v=None, *, wrapped: bool = False) -> Path:
    d = docx.Document()
    if wrapped:
        outer = d.add_table(rows=1, cols=2)
        outer.cell(0, 0).text = "首页 > 政府信息公开 > 年度报告"
        add_report(outer.cell(0, 1), v or values_2021())
    else:
        add_report(d, v or values_2021())
    d.save(path)
    return path


def cells_of(report) -> dict:
    c = report.cells
    return {
        (t, r, k): (None if x is None or x != x else float(x))
        for t, r, k, x in zip(c.table, c.row, c["col"], c.value)
    }


def assert_exact(report, v) -> None:
    got = cells_of(report)
    assert set(got) == set(v)
    wrong = {k: (got[k], v[k]) for k in v if got[k] != float(v[k])}
    assert not wrong
    assert report.status == "verified", report.reasons


# --- DOCX ---------------------------------------------------------------------------------------


def test_built_report_reads_back_exactly_and_verified(tmp_path):
    v = values_2021()
    report = read_report(build_docx(tmp_path / "r.docx", v))
    assert report.meta["reader"] == "docx"
    assert_exact(report, v)
    assert report.meta["year"] == 2021


def test_body_order_interleaves_paragraphs_and_tables(tmp_path):
    d = docx.Document()
    d.add_paragraph("前言")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "规章", "5"
    d.add_paragraph("中段\n第二行")
    d.add_table(rows=1, cols=1).cell(0, 0).text = "尾表"
    d.add_paragraph("结尾")
    d.save(tmp_path / "o.docx")
    rows = read_docx(tmp_path / "o.docx").rows
    assert [(r.cells, r.table) for r in rows] == [
        (("前言",), None),
        (("规章", "5"), 0),
        (("中段",), None),
        (("第二行",), None),
        (("尾表",), 1),
        (("结尾",), None),
    ]


def test_merged_cells_numbers_never_duplicated_labels_carried(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=3, cols=5)
    merge(t, 0, 0, 1, 0, "（三）不予公开")  # vertical label: repeats on the row below
    t.cell(0, 1).text = "1.属于国家秘密"
    merge(t, 0, 2, 0, 3, "12")  # a number spanning two columns: once
    t.cell(0, 4).text = "3"
    t.cell(1, 1).text = "2.其他"
    merge(t, 1, 2, 2, 2, "7")  # a number spanning two rows: not repeated below
    t.cell(1, 3).text = "1"
    merge(t, 2, 0, 2, 1, "（四）无法提供")
    merge(t, 2, 3, 2, 4)  # a blank spanning two columns: two blanks
    t.cell(1, 4).text = "/"
    d.save(tmp_path / "m.docx")
    rows = [r.cells for r in read_docx(tmp_path / "m.docx").rows]
    assert rows == [
        ("（三）不予公开", "1.属于国家秘密", "12", "3"),
        ("（三）不予公开", "2.其他", "7", "1", "/"),
        ("（四）无法提供", "", "", ""),
    ]  # the 7 is not repeated; its slot below is blank


def test_cell_paragraphs_and_breaks_are_lines(tmp_path):
    d = docx.Document()
    cell = d.add_table(rows=1, cols=2).cell(0, 0)
    cell.text = "本年新"
    cell.add_paragraph("制作数量")
    run = cell.add_paragraph().add_run("商业")
    run.add_break()
    run.add_text("企业\u00a0 ")
    d.save(tmp_path / "c.docx")
    assert read_docx(tmp_path / "c.docx").rows[0].cells == ("本年新\n制作数量\n商业\n企业", "")


def test_layout_table_wrapping_the_report(tmp_path):
    v = values_2021(seed=3)
    path = build_docx(tmp_path / "w.docx", v, wrapped=True)
    doc = read_docx(path)
    assert ("首页 > 政府信息公开 > 年度报告",) in [r.cells for r in doc.rows]
    assert sorted({r.table for r in doc.rows if r.table is not None}) == [
        0,
        1,
        2,
    ]  # the wrapper emits no rows
    labels = [r.cells[0] for r in doc.rows if r.table == 1]
    assert labels.count("一、本年新收政府信息公开申请数量") == 1
    assert_exact(read_report(path), v)


def test_zip_bomb_refused_quickly(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            for _ in range(64):
                fh.write(b" " * 2**20)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buf.getvalue())
    assert bomb.stat().st_size < 2**20
    start = time.perf_counter()
    with pytest.raises(ReadError, match=r"zip bomb: word/document.xml expands \d+x"):
        read_document(bomb)
    assert time.perf_counter() - start < 1.0


def test_total_uncompressed_size_is_bounded(tmp_path, monkeypatch):
    path = build_docx(tmp_path / "r.docx")
    monkeypatch.setattr(word, "MAX_UNZIPPED", 10_000)
    with pytest.raises(ReadError, match="zip bomb: .* bytes uncompressed"):
        read_docx(path)


def test_not_a_zip_docx(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"\x01\x02 this is not a zip archive \x00\x03")
    with pytest.raises(ReadError, match="not a zip archive"):
        read_docx(path)
    with pytest.raises(ReadError):
        read_document(path)


def test_zip_without_document_part(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError, match="without word/document.xml"):
        read_docx("x.docx", data=buf.getvalue())


def test_damaged_docx(tmp_path):
    good = build_docx(tmp_path / "r.docx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = (
                b"<w:document><unclosed" if info.filename == "word/document.xml" else src.read(info)
            )
            dst.writestr(info, data)
    with pytest.raises(ReadError, match="damaged DOCX"):
        read_docx("x.docx", data=buf.getvalue())


def test_docx_named_doc_is_read_as_docx(tmp_path):
    path = build_docx(tmp_path / "r.docx")
    renamed = tmp_path / "report.doc"
    renamed.write_bytes(path.read_bytes())
    assert read_document(renamed).reader == "docx"


# --- .doc / .wps through LibreOffice ---------------------------------------------------------


def to_doc(docx_path: Path, out: Path) -> Path:
    """Make a legacy .doc with LibreOffice itself (a
    private profile, so parallel tests do not collide)."""
    profile = (out / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(out),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / (docx_path.stem + ".doc")


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: "
            "`make sysdeps` or `apt-get install libreoffice-writer-nogui`"
        )
    tmp = tmp_path_factory.mktemp("legacy")
    v = values_2021(seed=11)
    doc = to_doc(build_docx(tmp / "report.docx", v), tmp)
    assert doc.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    return doc, v


@pytest.mark.slow
@needs_soffice
def test_doc_converted_through_libreoffice(legacy):
    path, v = legacy
    report = read_report(path)
    assert report.meta["reader"] == "doc"
    assert_exact(report, v)


@pytest.mark.slow
@needs_soffice
def test_wps_same_bytes_renamed(legacy, tmp_path):
    path, v = legacy
    wps = tmp_path / "report.wps"
    wps.write_bytes(path.read_bytes())
    doc = read_document(wps)
    assert doc.reader == "doc" and "converted to DOCX by LibreOffice" in doc.notes
    assert_exact(read_report(wps), v)


@needs_soffice
def test_conversion_timeout_kills_soffice(legacy):
    path, _ = legacy
    start = time.perf_counter()
    with pytest.raises(ReadError, match="did not convert the file within 0.3 s"):
        read_doc(path, timeout=0.3)
    assert time.perf_counter() - start < 5


@needs_soffice
def test_ole_file_that_is_not_word(tmp_path):
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096
    with pytest.raises(ReadError, match="no WordDocument stream|could not convert"):
        read_doc("x.doc", data=fake)


def test_missing_soffice_names_the_program_and_the_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(word.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReadError, match=r"soffice.*apt-get install libreoffice-writer"):
        read_document(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install libreoffice-writer" in err


def _patched_docx(dtd: str, ref: str) -> bytes:
    """A one-paragraph DOCX whose document.xml carries a DOCTYPE and an entity reference."""
    d = docx.Document()
    d.add_paragraph("PLACEHOLDER")
    src, out = io.BytesIO(), io.BytesIO()
    d.save(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = (
                    data.decode().replace("?>", "?>" + dtd, 1).replace("PLACEHOLDER", ref).encode()
                )
            zout.writestr(info, data)
    return out.getvalue()


def test_external_entity_in_docx_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = _patched_docx(f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>', "前&x;")
    doc = read_docx("x.docx", data=data)
    assert "TOPSECRET" not in doc.text and "前" in doc.text


def test_entity_expansion_bomb_in_docx_refused():
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefg", "bcdefgh")
    ]
    data = _patched_docx(f"<!DOCTYPE w:document [{''.join(levels)}]>", "&h;")
    start = time.perf_counter()
    with pytest.raises(ReadError, match="damaged DOCX"):
        read_docx("x.docx", data=data)
    assert time.perf_counter() - start < 1.0
