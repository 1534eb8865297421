"""Every cell says where it was printed, one model for every format: a box on the page (PDF points
as PDFium reports them, OCR pixels), a line and character span of the decoded text, or the HTML or
Word element's path. A value split out of run-together digits keeps the whole printed string in
`raw` and its own digits in `split`."""

from __future__ import annotations

import pandas as pd
import pypdfium2 as pdfium
import pytest
from conftest import raw_file

from toolkit import read_report
from toolkit.extract.match import flatten
from toolkit.extract.provenance import locate
from toolkit.readers import RawDocument, RawRow
from toolkit.readers.base import OcrCell
from toolkit.readers.encoding import decode
from toolkit.readers.html import parse
from toolkit.readers.word import cell_text as word_cell_text
from toolkit.testing.render import random_cells, render


def squeeze(text: str) -> str:
    return "".join(str(text).split())


@pytest.mark.corpus
def test_pdfium_text_inside_every_numeric_cells_box_is_its_raw(corpus):
    path = raw_file("huaian-city-2024")
    cells = read_report(path).cells
    numeric = cells[cells.value.notna()]
    assert len(numeric) >= 190 and (numeric.box_unit == "pt").all()
    pdf = pdfium.PdfDocument(path)
    try:
        for c in numeric.itertuples():
            page = pdf[int(c.page) - 1]
            text = page.get_textpage().get_text_bounded(
                left=c.x0, bottom=c.y0, right=c.x1, top=c.y1
            )
            assert squeeze(text) == squeeze(c.raw), (c.table, c.row, c.col, c.raw, text)
            assert c.x0 < c.x1 and c.y0 < c.y1  # origin bottom-left, as PDFium reports them
    finally:
        pdf.close()
    assert numeric[["line", "char_start", "element"]].isna().all().all()


@pytest.mark.corpus
def test_text_cells_carry_their_line_and_character_span(corpus):
    path = raw_file("chaoyang-district-2022")
    text, _ = decode(path.read_bytes())
    cells = read_report(path).cells
    printed = cells[cells.raw.notna()]
    assert len(printed) == 200 and printed.char_start.notna().all()
    lines = text.splitlines()
    for c in printed.itertuples():
        assert text[c.char_start : c.char_end] == c.raw
        assert c.raw in lines[c.line - 1]
    held = printed.set_index(["row", "col"]).loc[("unavailable_not_held", "total")]
    assert (held.raw, held.value) == ("779", 779)
    assert cells[["x0", "box_unit", "element", "split"]].isna().all().all()


@pytest.mark.corpus
def test_a_run_together_value_keeps_the_whole_printed_string_and_its_split(corpus):
    path = raw_file("pingtan-zone-2022")
    text, _ = decode(path.read_bytes())
    cells = read_report(path).cells
    # 一、本年新收 prints 71|3|0|0|0|0|74 as '713000074'
    new = cells[(cells.table == "applications") & (cells.row == "new_received")]
    assert new.split.tolist() == ["71", "3", "0", "0", "0", "0", "74"]
    assert set(new.raw) == {"713000074"} and new.value.tolist() == [71, 3, 0, 0, 0, 0, 74]
    assert set(new.line) == {10}
    assert {text[a:b] for a, b in zip(new.char_start, new.char_end)} == {"713000074"}


@pytest.mark.corpus
def test_html_cells_carry_their_elements_path(corpus):
    path = raw_file("shanghai-gov-office-2019")
    cells = read_report(path).cells
    assert cells.element.notna().all() and cells[["x0", "line"]].isna().all().all()
    text, _ = decode(path.read_bytes())
    tree = parse(text).getroottree()  # the tree as the reader parsed it
    for c in cells[cells.value.notna()].itertuples():
        (el,) = tree.xpath(c.element)
        assert el.tag in ("td", "th")
        assert squeeze("".join(el.itertext())) == squeeze(c.raw)


def test_word_cells_carry_their_table_cells_path(tmp_path):
    truth = random_cells(3, fmt="2021")
    path = render(truth, tmp_path / "r.docx", to="docx")
    cells = read_report(path).cells
    assert cells.element.notna().all()
    import docx

    body = docx.Document(str(path)).element.body
    tree = body.getroottree()
    for c in cells[cells.value.notna()].head(40).itertuples():
        (tc,) = tree.xpath(c.element, namespaces=body.nsmap)
        assert tc.tag.endswith("}tc")
        assert squeeze(word_cell_text(tc)) == squeeze(c.raw)  # deleted runs left out


def test_ocr_rows_give_pixel_boxes_and_joined_cells_the_union():
    cells = ("规章", "12", "3")
    boxes = [(10, 100, 90, 130), (100, 100, 140, 130), (150, 100, 190, 130)]
    ocr = tuple(OcrCell(box=b, confidence=0.99) for b in boxes)
    doc = RawDocument("x.png", "ocr", (RawRow(cells, page=1, table=0, ocr=ocr),))
    flat = flatten(doc)
    start = flat.raw.index("12")
    one = locate(flat, [(start, start + 2)])
    assert (one["x0"], one["y0"], one["x1"], one["y1"], one["box_unit"]) == (
        100,
        100,
        140,
        130,
        "px",
    )
    end = flat.raw.index("3") + 1
    both = locate(flat, [(start, start + 2), (end - 1, end)])
    assert (both["x0"], both["x1"]) == (100, 190)
    assert pd.isna(both["line"]) or both["line"] is None


@pytest.mark.corpus
def test_inspect_draws_every_boxed_cell_of_the_page_coloured_by_status(corpus):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.patches import Rectangle

    from toolkit.extract.overlay import COLOURS, cell_status

    report = read_report(raw_file("huaian-city-2024"))
    fig = report.inspect(5)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    on_page = report.cells[report.cells.page == 5]
    assert len(boxes) == len(on_page) == 99
    assert {matplotlib.colors.to_hex(b.get_edgecolor()) for b in boxes} == {
        COLOURS["exact"].lower()
    }
    first = on_page.iloc[0]
    assert any(
        (b.get_x(), b.get_y(), b.get_x() + b.get_width()) == (first.x0, first.y0, first.x1)
        for b in boxes
    )
    fullest = int(report.cells.page.value_counts().idxmax())
    assert f"page {fullest}:" in report.inspect().axes[0].get_title()  # default: the fullest page
    # a failed identity colours its row: Pingtan 2020's result rows do not sum to （七）总计
    flagged = read_report(raw_file("pingtan-zone-2020"))
    assert "failed" in set(cell_status(flagged.cells, flagged.checks))
    with pytest.raises(ValueError, match="no boxes: text, HTML and Word cells carry line"):
        flagged.inspect()
    matplotlib.pyplot.close("all")


@pytest.mark.corpus
def test_cells_read_from_word_positions_carry_their_characters_box(corpus, monkeypatch):
    from toolkit.extract.report import build_report
    from toolkit.readers import pdf as pdf_reader

    monkeypatch.setattr(pdf_reader, "_lattice", lambda *a, **k: ([], []))  # no ruled grid
    path = raw_file("huaian-city-2024")
    report = build_report(pdf_reader.read_pdf(path))
    numeric = report.cells[report.cells.value.notna()]
    assert numeric.x0.notna().all() and (numeric.box_unit == "pt").all()
    pdf = pdfium.PdfDocument(path)
    try:
        for c in numeric.itertuples():
            text = (
                pdf[int(c.page) - 1]
                .get_textpage()
                .get_text_bounded(left=c.x0, bottom=c.y0, right=c.x1, top=c.y1)
            )
            assert squeeze(text) == squeeze(c.raw), (c.row, c.col, c.raw, text)
    finally:
        pdf.close()
