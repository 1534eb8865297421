"""Formats as real offices make them: LibreOffice's PDF, RTF and text exports, browser text dumps.

Our own renderer draws tables one way; Word and LibreOffice draw them another (rows broken across
pages, numbers wrapped in narrow cells, tables wider than the paper, digits set apart from Chinese).
Each file here is made in the test (from `toolkit.testing.render` output, or the real Shanghai page
where the corpus is present) and must read back exactly, or come out NA — never a wrong number.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx as python_docx
import lxml.html
import pandas as pd
import pytest
from conftest import raw_file, truth
from docx.oxml import parse_xml

from toolkit import read_report
from toolkit.readers import ReadError, read_document, sniff
from toolkit.readers.pdf import off_the_page, row_label_kind
from toolkit.readers.pdf_layout import Cell, Grid, cell_text, grid_rows, join_grids
from toolkit.readers.text import text_rows
from toolkit.testing.render import Style, random_cells, render

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_SOFFICE = (
    "LibreOffice (soffice) is not installed: "
    "`make sysdeps` or `apt-get install libreoffice-writer-nogui`"
)
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason=NO_SOFFICE)
SHANGHAI = "shanghai-gov-office-2019"


def as_dict(cells: pd.DataFrame) -> dict:
    return {
        (t, r, c): None if pd.isna(v) else float(v)
        for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
    }


def differences(path: Path, cells: pd.DataFrame) -> dict:
    want, got = as_dict(cells), as_dict(read_report(path).cells)
    return {
        k: (want.get(k, "absent"), got.get(k, "absent"))
        for k in sorted(set(want) | set(got))
        if want.get(k, "absent") != got.get(k, "absent")
    }


def convert(
    files: list[Path], fmt: str, out: Path, env: dict | None = None, infilter: str | None = None
) -> list[Path]:
    """Files -> `fmt` with one LibreOffice start, in a
    private profile (parallel tests do not collide)."""
    profile = (
        Path((env or {}).get("HOME") or out) / "lo-profile"
    )  # one per module: a new profile costs seconds
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    cmd += [f"--infilter={infilter}"] if infilter else []
    subprocess.run(
        [*cmd, "--convert-to", fmt, "--outdir", str(out), *map(str, files)],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    made = [out / f"{f.stem}.{fmt.split(':')[0]}" for f in files]
    assert all(p.exists() for p in made), f"LibreOffice made no {fmt} of {files}"
    return made


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict:
    """The environment for soffice with a Chinese font, as
    on an agency's desktop (without one it prints tofu)."""
    if SOFFICE is None:
        pytest.skip(NO_SOFFICE)
    try:
        from toolkit.research.fonts import cjk_font_path

        font = cjk_font_path()
    except ModuleNotFoundError as exc:
        pytest.skip(f"no CJK font to print Chinese with: {exc}")
    home = tmp_path_factory.mktemp("office")
    conf = home / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"<dir>{font.parent}</dir>\n<cachedir>{home / 'fontcache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(home))


# --- ruled tables cut by a page break (pdf_layout, no PDF needed) ---------------------------------


def grid(page: int, rows: list[list[tuple[str, float, float] | None]]) -> Grid:
    cells = [[Cell(*c) if c else None for c in row] for row in rows]
    return Grid(page, (70.0, 50.0, 330.0, 760.0), cells, (70.0, 130.0, 190.0, 250.0, 330.0))


def texts(g: Grid) -> list[list[str]]:
    return grid_rows(g)


def test_cell_text_drops_typesetting_gaps_beside_chinese_only():
    """Word/LibreOffice set digits apart from Chinese ('251000 元' would read as two numbers); a
    font substituted for a missing one spaces every character ('规 章'). Two numbers stay two."""
    assert cell_text("251000 元") == "251000元"
    assert cell_text("规 范 性 文 件") == "规范性文件"
    assert cell_text("第二十条 第（一）项") == "第二十条第（一）项"
    assert cell_text("3 4") == "3 4" and cell_text("１２ ３４") == "１２ ３４"


def test_a_number_wrapped_in_a_narrow_cell_is_one_number():
    assert cell_text("88\n1") == "881" and cell_text("８８\n１") == "８８１"
    assert cell_text("本年新\n制作数量") == "本年新制作数量" and cell_text("Total\n3") == "Total 3"


def test_whole_rows_either_side_of_a_page_break_stay_apart():
    """LibreOffice's PDF of the Shanghai page:
    '规章 | 13' ends a page, '规范性文件 | 60' opens the next."""
    prev = grid(3, [[("规章", 70, 130), ("13", 130, 190), ("13", 190, 250), ("524", 250, 330)]])
    nxt = grid(
        4, [[("规范性文件", 70, 130), ("60", 130, 190), ("60", 190, 250), ("368", 250, 330)]]
    )
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["规章", "13", "13", "524"]] and texts(nxt) == [
        ["规范性文件", "60", "60", "368"]
    ]


def test_a_whole_label_is_not_continued_by_the_next_pages_heading():
    prev = grid(2, [[("行政强制", 70, 130), ("0", 130, 190), ("0", 190, 250), ("0", 250, 330)]])
    nxt = grid(
        3, [[("第二十条第（八）项", 70, 130), ("", 130, 190), ("", 190, 250), ("", 250, 330)]]
    )
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["行政强制", "0", "0", "0"]] and texts(nxt)[0][0] == "第二十条第（八）项"


def test_a_row_broken_across_pages_rejoins_its_label_and_wrapped_numbers():
    """Word and LibreOffice let a row break across pages:
    '（6' | '）属于四类过程性信息', and 44 | 1 is 441."""
    prev = grid(2, [[("（6", 70, 130), ("44", 130, 190), ("0", 190, 250), ("90", 250, 330)]])
    nxt = grid(
        3, [[("）属于四类过程性信息", 70, 130), ("1", 130, 190), ("", 190, 250), ("454", 250, 330)]]
    )
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["（6）属于四类过程性信息", "441", "0", "90454"]] and texts(nxt) == []


def test_a_label_whose_alias_spells_its_number_rejoins_across_the_break():
    """Bug: '（六）其他处' | '理' did not rejoin (the 2019 alias needs its （六）, which the test
    stripped), so 20589 came back as 2058 above and 9 on a row of its own; the row's cells were
    lost."""
    prev = grid(
        4, [[("（六）其他处", 70, 130), ("0", 130, 190), ("2058", 190, 250), ("2867", 250, 330)]]
    )
    nxt = grid(5, [[("理", 70, 130), ("", 130, 190), ("9", 190, 250), ("2", 250, 330)]])
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["（六）其他处理", "0", "20589", "28672"]] and texts(nxt) == []
    assert row_label_kind("（六）其他处理") == "whole" and row_label_kind("其他处理") == ""


def test_an_item_number_left_alone_above_the_break():
    prev = grid(2, [[("２．", 70, 130), ("０", 130, 190), ("２８", 190, 250), ("２８", 250, 330)]])
    nxt = grid(
        3,
        [
            [
                ("其他法律行政法规禁止公开", 70, 130),
                ("", 130, 190),
                ("６", 190, 250),
                ("９", 250, 330),
            ]
        ],
    )
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["２．其他法律行政法规禁止公开", "０", "２８６", "２８９"]]


def test_the_rest_of_wrapped_numbers_under_an_unlabelled_row():
    """The appeals table's one row of numbers, broken across pages: '41' | '9' is 419."""
    prev = grid(4, [[("0", 70, 130), ("0", 130, 190), ("41", 190, 250), ("41", 250, 330)]])
    nxt = grid(5, [[("", 70, 130), ("", 130, 190), ("9", 190, 250), ("9", 250, 330)]])
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(prev) == [["0", "0", "419", "419"]] and texts(nxt) == []


def test_a_row_of_numbers_under_a_header_row_is_its_own():
    prev = grid(
        4,
        [
            [
                ("结果维持", 70, 130),
                ("结果纠正", 130, 190),
                ("其他结果", 190, 250),
                ("总计", 250, 330),
            ]
        ],
    )
    nxt = grid(5, [[("", 70, 130), ("64", 130, 190), ("9", 190, 250), ("73", 250, 330)]])
    join_grids(prev, nxt, label_kind=row_label_kind)
    assert texts(nxt) == [["", "64", "9", "73"]]


def test_a_table_reaching_the_side_of_the_page_was_cut_there():
    box = (0.0, 0.0, 595.3, 841.9)
    assert off_the_page(Grid(5, (-0.3, 40.0, 595.7, 800.0), [], ()), box)
    assert off_the_page(Grid(5, (28.0, 40.0, 595.7, 800.0), [], ()), box)
    assert not off_the_page(Grid(5, (56.3, 40.0, 567.4, 800.0), [], ()), box)


# --- text dumps -----------------------------------------------------------------------------------


def browser_text(html: bytes) -> str:
    """What copying a page out of a browser gives:
    each paragraph and cell on a line, &nbsp; kept."""
    blocks = {"p", "td", "th", "h1", "h2", "h3", "li", "div"}

    def lines(el):
        if el.tag in ("td", "th") or (
            el.tag in blocks and not any(c.tag in blocks for c in el.iterdescendants())
        ):
            yield el.text_content().replace("\n", "")
            return
        for child in el:
            if isinstance(child.tag, str):
                yield from lines(child)

    return "\n".join(lines(lxml.html.fromstring(html.decode("utf-8")).find(".//body"))) + "\n"


@pytest.mark.parametrize("seed, fmt", [(3, "2021"), (8, "2021"), (12, "2019")])
def test_a_browser_text_dump_keeps_its_nbsp_blank_cells(tmp_path, seed, fmt):
    """Blank cells print as &nbsp; lines; read as paragraph
    breaks they shifted the numbers into wrong columns."""
    cells = random_cells(
        seed, fmt=fmt, blanks=0.3, blank_tables=("proactive", "applications", "appeals")
    )
    path = tmp_path / "dump.txt"
    path.write_text(browser_text(render(cells, to="html", style=Style(blank=""))), encoding="utf-8")
    assert "\xa0" in path.read_text(encoding="utf-8")
    assert differences(path, cells) == {}


def test_text_rows_of_a_word_processor_export():
    """LibreOffice's text export: a cell per line, an
    empty cell as an empty line, no line between rows."""
    lines = [
        "二、主动公开政府信息情况",
        "信息内容",
        "本年新制作数量",
        "规章",
        "2",
        "",
        "0",
        "规范性文件",
        "",
        "7",
        "",
        "三、收到",
    ]
    rows = [r.cells for r in text_rows("\n".join(lines))]
    assert ("规章", "2", "", "0") in rows and ("规范性文件", "", "7", "") in rows
    assert ("二、主动公开政府信息情况",) in rows and ("三、收到",) in rows


def test_text_rows_double_spaced_lines_are_not_empty_cells():
    lines = ["规章", "", "0", "", "1", "", "2", "", "规范性文件", "", "3", "", "4", "", "5", ""]
    assert [r.cells for r in text_rows("\n".join(lines))] == [
        ("规章", "0", "1", "2"),
        ("规范性文件", "3", "4", "5"),
    ]


def test_text_rows_nbsp_spacer_after_prose_is_dropped():
    prose = (
        "本年度报告根据《中华人民共和国政府信息公开条例》编制，"
        "全文包括总体情况、主动公开政府信息情况等。"
    )
    assert [r.cells for r in text_rows(f"{prose}\n\xa0\n一、总体情况\n")] == [
        (prose,),
        ("一、总体情况",),
    ]


def test_blank_rows_before_a_numbered_row_are_found(tmp_path):
    cells = random_cells(3, fmt="2019")
    blank = (cells.table == "applications") & cells.row.isin(["rejected_confirmation", "other"])
    cells.loc[blank, "value"] = float("nan")
    path = render(cells, tmp_path / "r.txt", to="text-lines", style=Style())
    assert differences(path, cells) == {}


# --- Word documents that are not what they seem ---------------------------------------------------

ANCHOR = (
    '<w:r {ns}><w:drawing><wp:anchor behindDoc="0" distT="0" distB="0" distL="0" distR="0" '
    'simplePos="0" locked="0" '
    'layoutInCell="0" allowOverlap="1" relativeHeight="2"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="column"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="paragraph"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="600000" cy="200000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{n}" name="Text {n}"/><a:graphic><a:graphicData '
    'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:cNvSpPr txBox="1"/>'
    '<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="600000" cy="200000"/></a:xfrm>'
    '<a:prstGeom prst="rect"/></wps:spPr>'
    "<wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/>"
    "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"
)
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)


def test_a_page_drawn_as_floating_text_boxes_is_refused(tmp_path):
    """A PDF converted to Word keeps each text run in a
    box placed by coordinates, numbers before labels."""
    doc = python_docx.Document()
    anchor = doc.add_paragraph()
    boxes = [
        ("1", 5, 1),
        ("0", 6, 1),
        ("11", 7, 1),
        ("规章", 1, 1),
        ("8", 5, 2),
        ("26", 6, 2),
        ("66", 7, 2),
        ("行政规范性文件", 1, 2),
        ("信息内容", 1, 0),
        ("本年制发件数", 5, 0),
        ("本年废止件数", 6, 0),
        ("现行有效件数", 7, 0),
    ]
    for n, (text, col, row) in enumerate(boxes, 1):
        anchor._p.append(
            parse_xml(ANCHOR.format(ns=NS, x=col * 700000, y=row * 250000, n=n, text=text))
        )
    doc.add_paragraph("二、主动公开政府信息情况")
    path = tmp_path / "converted.docx"
    doc.save(path)
    with pytest.raises(ReadError, match="12 floating text boxes.*not the reading order"):
        read_document(path)


def test_a_few_text_boxes_are_read_as_before(tmp_path):
    doc = python_docx.Document()
    anchor = doc.add_paragraph("二、主动公开政府信息情况")
    anchor._p.append(parse_xml(ANCHOR.format(ns=NS, x=0, y=0, n=1, text="淮安市人民政府")))
    path = tmp_path / "title.docx"
    doc.save(path)
    assert "淮安市人民政府" in read_document(path).text


def test_rtf_is_sniffed_as_rtf():
    assert sniff(b"{\\rtf1\\ansi\\ansicpg936 {\\fonttbl}}") == "rtf"
    assert sniff(b"\xef\xbb\xbf\r\n{\\rtf1 x}") == "rtf"


# --- through LibreOffice --------------------------------------------------------------------------

# Reports whose tables LibreOffice breaks across pages in ways our reportlab renderer never does:
# rows broken mid-label and mid-number, the appeals row alone on the next page, an item number left
# above the break.
CASES = {  # name: (seed, format, style, share of blank cells)
    "row-cut-wrapped-numbers": (
        7007,
        "2021",
        Style(numbering="（1）", fullwidth=True, instructions=False, title_lines=2, seed=7),
        0.15,
    ),
    "appeals-row-cut": (
        7001,
        "2021",
        Style(
            blank="/",
            numbering="mixed",
            fullwidth=True,
            typo=True,
            instructions=False,
            merged=False,
            wrap=True,
            seed=1,
        ),
        0.15,
    ),
    "item-number-above-break": (
        7014,
        "2019",
        Style(blank="—", fullwidth=True, merged=False, title_lines=2, seed=14),
        0.15,
    ),
    "heading-after-whole-row": (
        7010,
        "2019",
        Style(blank="mixed", numbering="①", fullwidth=True, merged=False, title_lines=2, seed=10),
        0.15,
    ),
    "appeals-alone-next-page": (
        7000,
        "2019",
        Style(blank="/", typo=True, instructions=False, merged=False, seed=0),
        0.15,
    ),
    # 四、结转下年度 | … on one page, 继续办理 alone in a row of
    # empty cells on the next (camelot's gate drops that grid)
    "label-tail-alone-next-page": (
        9139,
        "2021",
        Style(
            blank="mixed",
            numbering="1、",
            fullwidth=True,
            instructions=False,
            merged=False,
            padded=True,
            wrap=True,
            title_lines=2,
            seed=9139,
        ),
        0,
    ),
    # （六）其他处 | 0 | 2058 … | 2867 above the break, 理 | | 9 | … | 2 below:
    # the label and the numbers were cut
    "numbered-label-cut": (
        9228,
        "2019",
        Style(blank="-", numbering="mixed", typo=True, merged=False, wrap=True, seed=9228),
        0,
    ),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The cases above as DOCX and HTML, from our renderer, with the cells they hold."""
    folder = tmp_path_factory.mktemp("rendered")
    out = {}
    for name, (seed, fmt, style, blanks) in CASES.items():
        cells = random_cells(seed, fmt=fmt, blanks=blanks)
        out[name] = (
            cells,
            render(cells, folder / f"{name}.docx", to="docx", style=style),
            render(cells, folder / f"{name}.html", to="html", style=style),
        )
    return out


@pytest.fixture(scope="module")
def printed(rendered, office, tmp_path_factory) -> dict[str, tuple[pd.DataFrame, list[Path]]]:
    """Each case printed to PDF by LibreOffice from the
    DOCX (as Word would) and from the HTML page."""
    out = tmp_path_factory.mktemp("printed")
    names = list(rendered)
    pages = [
        shutil.copy(rendered[n][2], out / f"{n}-page.html") for n in names
    ]  # one start prints both kinds
    made = convert(
        [rendered[n][1] for n in names] + [Path(p) for p in pages],
        "pdf:writer_pdf_Export",
        out,
        office,
    )
    return {n: (rendered[n][0], [made[i], made[len(names) + i]]) for i, n in enumerate(names)}


@pytest.mark.parametrize("name", list(CASES))
def test_libreoffice_pdf_reads_back_exactly(printed, name):
    cells, pdfs = printed[name]
    for pdf in pdfs:
        assert differences(pdf, cells) == {}, pdf


@pytest.fixture(scope="module")
def exported(rendered, office, tmp_path_factory) -> dict[str, list[Path]]:
    """The DOCX of each case saved by LibreOffice as RTF and as plain text."""
    out = tmp_path_factory.mktemp("exported")
    docx = [rendered[n][1] for n in rendered]
    return {
        "rtf": convert(docx, "rtf:Rich Text Format", out, office),
        "txt": convert(docx, "txt:Text (encoded):UTF8", out, office),
    }


def test_libreoffice_text_exports_read_back_exactly(rendered, exported):
    for (cells, _, _), path in zip(rendered.values(), exported["txt"]):
        assert differences(path, cells) == {}, path


def test_rtf_published_as_doc_reads_back_exactly(rendered, exported):
    """Each RTF is converted by LibreOffice again when read (seconds): two of them say enough."""
    for (cells, _, _), path in list(zip(rendered.values(), exported["rtf"]))[:2]:
        doc = path.rename(path.with_suffix(".doc"))  # sites publish RTF under a .doc name
        assert read_document(doc).reader == "rtf"
        assert differences(doc, cells) == {}, doc


@needs_soffice
def test_a_pdf_that_libreoffice_imported_into_writer_is_refused(tmp_path):
    pytest.importorskip("reportlab")
    cells = random_cells(5, fmt="2021")
    pdf = render(cells, tmp_path / "report.pdf", to="pdf", style=Style())
    (made,) = convert([pdf], "docx:MS Word 2007 XML", tmp_path, infilter="writer_pdf_import")
    with pytest.raises(ReadError, match="floating text boxes"):
        read_document(made)


# --- the real Shanghai page through LibreOffice ---------------------------------------------------


@pytest.fixture(scope="module")
def shanghai(office, tmp_path_factory) -> dict[str, Path]:
    """The page as Word opens it (DOCX), as printed (it is
    wider than A4), and printed once fitted to the paper."""
    src = raw_file(SHANGHAI)
    out = tmp_path_factory.mktemp("shanghai")
    html = src.read_text(encoding="utf-8")
    fitted = out / "fitted.html"  # as a browser prints it: no fixed pixel widths, no nowrap
    fitted.write_text(
        re.sub(r'\s+nowrap(="nowrap")?|\swidth="[^"]*"|width:\s*[\d.]+(px|pt)?;?', "", html),
        encoding="utf-8",
    )
    (docx,) = convert([src], "docx:MS Word 2007 XML", out, office)
    wide, fit = convert([src, fitted], "pdf:writer_pdf_Export", out, office)
    return {"docx": docx, "wide": wide, "fitted": fit}


def _printed_cells(path: Path) -> pd.DataFrame:
    cells = read_report(path).cells
    return pd.DataFrame(
        {
            "table": cells.table,
            "row": cells.row,
            "col": cells["col"],
            "value": [("" if pd.isna(v) else f"{v:g}") for v in cells.value],
        }
    )


def _wrong(path: Path) -> pd.DataFrame:
    """Cells read with a value the truth does not have
    (a number where it is blank, or another number)."""
    m = truth(SHANGHAI).merge(
        _printed_cells(path), on=["table", "row", "col"], suffixes=("_exp", "_got")
    )
    return m[(m.value_got != "") & (m.value_got != m.value_exp)]


def test_shanghai_as_word_opens_it(shanghai):
    m = truth(SHANGHAI).merge(
        _printed_cells(shanghai["docx"]),
        on=["table", "row", "col"],
        how="outer",
        suffixes=("_exp", "_got"),
        indicator=True,
    )
    assert m[(m._merge != "both") | (m.value_exp != m.value_got)].empty


@pytest.mark.parametrize("kind", ["wide", "fitted"])
def test_shanghai_printed_to_pdf_never_gives_a_wrong_number(shanghai, kind):
    assert _wrong(shanghai[kind]).empty


def test_shanghai_printed_wider_than_the_paper_is_partial(shanghai):
    doc = read_document(shanghai["wide"])
    assert any("runs off the page's side" in n for n in doc.notes)
    assert read_report(shanghai["wide"]).status == "partial"


def test_shanghai_printed_to_fit_the_paper_is_exact(shanghai):
    m = truth(SHANGHAI).merge(
        _printed_cells(shanghai["fitted"]),
        on=["table", "row", "col"],
        how="outer",
        suffixes=("_exp", "_got"),
        indicator=True,
    )
    assert m[(m._merge != "both") | (m.value_exp != m.value_got)].empty
