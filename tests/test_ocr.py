"""Scanned reports: the ruled grid, the recogniser's near misses,
repair by the identities, provenance, the Huai'an scan."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import types

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import raw_file, truth

from toolkit import schema
from toolkit.extract.repair import candidates, ocr_provenance, repair
from toolkit.extract.report import build_report
from toolkit.readers import grid
from toolkit.readers.base import OcrCell, RawDocument, RawRow

HAVE_OCR = all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))
needs_ocr = pytest.mark.skipif(
    not HAVE_OCR, reason="the OCR extra is not installed: pip install '.[ocr]'"
)
DPI = 200


# ---------------------------------------------------------------- the grid from ruling lines


def drawn_table(angle: float = 0.0) -> np.ndarray:
    """A white A4 page at 200 dpi with a 3-row table whose first column is merged over two rows."""
    page = np.full((2339, 1654), 255, np.uint8)
    xs, ys = [200, 600, 900, 1200, 1450], [500, 600, 700, 800]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    page[601:704, 201:599] = 255  # the first column's rows 2 and 3 are one merged cell
    cv2.line(page, (600, 700), (xs[-1], 700), 0, 2)
    for x in xs[1:-1]:
        cv2.rectangle(
            page, (x + 40, 530), (x + 90, 570), 0, -1
        )  # a blob of 'ink' in each first-row cell
    return grid.rotate(page, angle)


def test_grid_finds_merged_cells_and_rows():
    page = grid.find_page(drawn_table(), DPI)
    assert len(page.tables) == 1
    rows = grid.table_rows(page.tables[0], DPI)
    assert [len(r) for r in rows] == [4, 4, 3]  # the merged cell sits in the row it starts in
    assert rows[1][0][3] - rows[1][0][1] > 180  # and spans two rows' height


@pytest.mark.parametrize("angle", [-1.5, -0.4, 0.7, 2.0])
def test_skew_is_measured_from_the_rules_and_removed(angle):
    page = grid.find_page(drawn_table(angle), DPI)
    assert page.angle == pytest.approx(-angle, abs=0.1)
    assert [len(r) for r in grid.table_rows(page.tables[0], DPI)] == [4, 4, 3]


def test_text_lines_split_a_wrapped_cell_and_skip_an_empty_one():
    ink = np.zeros((400, 400), np.uint8)
    ink[50:80, 40:300] = 255
    ink[95:125, 40:200] = 255
    assert grid.text_lines(ink, (20, 20, 380, 200), DPI) == [(40, 50, 300, 80), (40, 95, 200, 125)]
    assert grid.text_lines(ink, (20, 220, 380, 380), DPI) == []


# ---------------------------------------------------------------- the recogniser's near misses


def fake_recognizer(chars: str):
    from toolkit.readers.recognize import DIGITS, Recognizer

    rec = Recognizer.__new__(Recognizer)
    rec.chars = np.array(["", *chars, " "], dtype=object)
    rec.digit_ids = np.array([i for i, c in enumerate(rec.chars) if c in DIGITS or c == "."])
    return rec


def test_decode_reads_the_best_path_and_weighs_near_misses_over_every_alignment():
    rec = fake_recognizer("0123456789")  # class k is digit k - 1; class 0 is the CTC blank
    probs = np.full((6, 12), 1e-6)
    for t, k, p in [
        (0, 2, 0.99),
        (1, 0, 0.99),
        (2, 7, 0.70),
        (2, 9, 0.29),
        (3, 7, 0.60),
        (3, 9, 0.39),
        (4, 0, 0.99),
        (5, 0, 0.99),
    ]:
        probs[t, k] = p
    reading = rec.decode(probs)
    assert (reading.text, reading.confidence) == ("16", pytest.approx(0.70))
    assert dict(reading.alternatives)["18"] == pytest.approx(
        0.29 * 0.39 / (0.70 * 0.60 + 0.29 * 0.39), abs=0.01
    )


def test_a_blank_that_nearly_joined_two_equal_digits_is_weighed_as_one_digit_fewer():
    rec = fake_recognizer("0123456789")
    probs = np.full((5, 12), 1e-6)
    for t, k, p in [
        (0, 9, 0.99),
        (1, 0, 0.6),
        (1, 9, 0.4),
        (2, 0, 0.99),
        (3, 9, 0.99),
        (4, 0, 0.99),
    ]:
        probs[t, k] = p
    reading = rec.decode(probs)
    assert reading.text == "88"
    assert dict(reading.alternatives).get("8", 0) < 0.01  # the second blank keeps the two 8s apart
    probs[2] = 1e-6
    probs[2, 9] = 0.99  # now only one uncertain blank separates them
    assert rec.decode(probs).text == "88" and dict(rec.decode(probs).alternatives)[
        "8"
    ] == pytest.approx(0.4, abs=0.01)


def test_flat_ink_is_a_dash_and_a_leaning_stroke_a_slash_not_a_one():
    from toolkit.readers.ocr import _mark, _slash
    from toolkit.readers.recognize import Reading

    ink = np.zeros((200, 300), np.uint8)
    cv2.line(ink, (40, 60), (47, 40), 255, 2)  # '/': leans about 20 degrees
    cv2.line(ink, (140, 40), (140, 60), 255, 2)  # '1': upright
    page = grid.Page(ink, ink, (), (), 0.0, DPI)
    assert _slash(page, (38, 38, 50, 62), Reading("1", 0.9)).text == "/"
    assert _slash(page, (137, 38, 144, 62), Reading("1", 0.9)).text == "1"
    assert (
        _mark(page, (10, 10, 20, 14)).text == "—"
    )  # 10 x 4 px at 200 dpi: a hyphen, whatever the network says
    assert _mark(page, (10, 10, 30, 30)) is None  # as tall as a digit: for the recogniser


# ---------------------------------------------------------------- repair by the identities


def valid_cells() -> dict[tuple[str, str, str], float]:
    """A consistent 2021 report: the three tables, every identity holding."""
    from toolkit.testing.render import complete

    free = {
        ("applications", r, c): float(v)
        for (r, c), v in {
            ("granted", "natural_person"): 12,
            ("granted", "commercial_enterprise"): 3,
            ("partially_granted", "natural_person"): 5,
            ("unavailable_not_held", "natural_person"): 6,
            ("rejected_duplicate", "legal_service"): 2,
            ("carried_over", "natural_person"): 4,
            ("carried_forward", "natural_person"): 1,
        }.items()
    }
    free |= {
        ("appeals", "reconsideration", "corrected"): 6.0,
        ("appeals", "litigation_direct", "upheld"): 1.0,
        ("proactive", "rules", "issued"): 3.0,
        ("proactive", "licensing", "decisions"): 447228.0,
    }
    df = complete(free, "2021")
    return {(t, r, c): v for t, r, c, v in zip(df.table, df.row, df["col"], df.value)}


def _text(v) -> str:
    return "" if v is None or pd.isna(v) else str(int(v)) if float(v).is_integer() else f"{v:g}"


def ocr_doc(values: dict, misread: dict | None = None) -> RawDocument:
    """Rows as the OCR reader gives them, every value cell
    with an OcrCell; `misread` replaces (text, cell)."""
    misread = misread or {}
    rows: list[RawRow] = []

    def row(label_cells: tuple[str, ...], keys: list) -> None:
        texts, cells = list(label_cells), [None] * len(label_cells)
        for n, key in enumerate(keys):
            text, cell = misread.get(key, (_text(values[key]), None))
            texts.append(text)
            cells.append(
                cell
                or OcrCell(
                    (100 * n, 10 * len(rows), 100 * n + 90, 10 * len(rows) + 9), 0.999, (), DPI
                )
            )
        rows.append(RawRow(tuple(texts), page=1, table=0, ocr=tuple(cells)))

    labels = schema.labels_zh("proactive")
    for code, cols in schema.layout("proactive", "2021").items():
        row((labels[("row", code)],), [("proactive", code, c) for c in cols])
    apps = schema.labels_zh("applications")
    for code, cols in schema.layout("applications", "2021").items():
        row((apps[("row", code)],), [("applications", code, c) for c in cols])
    rows.append(RawRow(("行政复议", "行政诉讼"), page=1, table=2))
    rows.append(
        RawRow(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3, page=1, table=2)
    )
    row(
        (),
        [
            ("appeals", r, c)
            for r in schema.rows("appeals", "2021")
            for c in schema.cols("appeals", "2021")
        ],
    )
    return RawDocument("synthetic.png", "ocr", tuple(rows))


def cell(report, key):
    sel = report.cells[
        (report.cells.table == key[0])
        & (report.cells.row == key[1])
        & (report.cells["col"] == key[2])
    ]
    return sel.iloc[0]


def test_a_clean_ocr_document_is_verified_and_left_alone():
    doc = ocr_doc(valid_cells())
    report = build_report(doc)
    assert report.status == "verified", report.reasons
    assert not (report.checks.status == "repaired").any()


def test_a_misread_digit_is_repaired_when_one_correction_fits():
    values = valid_cells()
    key = ("applications", "unavailable_not_held", "natural_person")  # truly 6
    doc = ocr_doc(values, {key: ("9", OcrCell((5, 6, 7, 8), 0.97, (), DPI))})
    after = build_report(doc)  # read_report / build_report repair OCR misreadings themselves
    assert after.status == "repaired", after.reasons
    fixed = cell(after, key)
    assert (fixed.value, fixed.raw) == (6, "9")
    row = after.checks[after.checks.status == "repaired"].iloc[0]
    assert (row.check, row.scope, row.lhs, row.rhs) == (
        "ocr_repair",
        "cell:unavailable_not_held.natural_person",
        9,
        6,
    )
    assert "page 1 at pixels [5, 6, 7, 8]" in row.detail and "9/6 confusion" in row.detail
    assert not (after.checks.status == "failed").any()


def test_the_recognisers_own_alternative_can_be_the_repair():
    values = valid_cells()
    key = (
        "applications",
        "granted",
        "commercial_enterprise",
    )  # truly 3; 4 is no known confusion of 3
    doc = ocr_doc(values, {key: ("4", OcrCell((0, 0, 9, 9), 0.6, (("3", 0.38),), DPI))})
    after = build_report(doc)
    assert after.status == "repaired"
    assert cell(after, key).value == 3
    assert (
        "OCR alternative (p=0.380)"
        in after.checks[after.checks.status == "repaired"].detail.iloc[0]
    )


def test_two_fitting_corrections_leave_the_report_inconsistent_with_suspects_named():
    values = valid_cells()
    key = (
        "appeals",
        "reconsideration",
        "corrected",
    )  # 6 read as 5: either it or the total (6 -> 5) could be wrong
    doc = ocr_doc(values, {key: ("5", OcrCell((0, 0, 9, 9), 0.99, (), DPI))})
    after = build_report(doc)
    assert after.status == "inconsistent"
    assert cell(after, key).value == 5  # kept as read, never guessed
    note = after.checks[after.checks.check == "ocr_suspect"].iloc[0]
    assert note.status == "ambiguous" and "reconsideration.corrected read '5'" in note.detail
    assert "2 different single-cell corrections" in note.detail


def test_a_fix_only_one_identity_can_confirm_is_not_applied():
    """A 72-dpi scan read 34|34 as 38|31: the row alone
    'confirmed' 38 -> 31, wrongly. Row and column must agree."""
    values = valid_cells()
    key = ("applications", "unavailable_not_held", "natural_person")  # truly 6
    blank = (
        "applications",
        "granted",
        "natural_person",
    )  # unreadable: the column's identities cannot be evaluated
    doc = ocr_doc(
        values,
        {
            key: ("9", OcrCell((0, 0, 9, 9), 0.97, (), DPI)),
            blank: ("", OcrCell((0, 0, 9, 9), 0.2, (), DPI)),
        },
    )
    after = build_report(doc)
    assert after.status == "inconsistent" and cell(after, key).value == 9
    note = after.checks[after.checks.check == "ocr_suspect"].iloc[0]
    assert "only 1 evaluable identity contains that cell" in note.detail


def test_an_unsure_reading_where_no_identity_can_confirm_it_becomes_na():
    values = valid_cells()
    key = ("proactive", "licensing", "decisions")
    doc = ocr_doc(values, {key: ("447223", OcrCell((0, 0, 9, 9), 0.55, (("447228", 0.41),), DPI))})
    report = build_report(doc)
    cells = report.cells
    got = cells[(cells.table == "proactive") & (cells.row == "licensing")].iloc[0]
    assert pd.isna(got.value) and got.raw == "447223" and got.na_reason == "ocr_uncertain"
    note = report.checks[report.checks.check == "ocr_uncertain"].iloc[0]
    assert "'447228'" in note.detail


def test_candidates_are_near_misses_then_confusions():
    got = dict(candidates("16", OcrCell((0, 0, 1, 1), 0.9, (("18", 0.2),))))
    assert (
        got["18"].startswith("OCR alternative")
        and got["76"] == "1/7 confusion"
        and got["15"] == "6/5 confusion"
    )


def test_documents_without_ocr_are_not_touched():
    doc = dataclasses.replace(
        ocr_doc(valid_cells()),
        rows=tuple(dataclasses.replace(r, ocr=None) for r in ocr_doc(valid_cells()).rows),
    )
    report = build_report(doc)
    assert repair(report.cells, report.meta["formats"], doc) == (report.cells, [])
    assert ocr_provenance(doc).empty


# ---------------------------------------------------------------- without the extra


def test_a_scan_without_the_ocr_extra_exits_2_naming_the_extra(tmp_path, monkeypatch, capsys):
    from toolkit import cli
    from toolkit.readers import recognize

    monkeypatch.setattr(
        recognize, "util", types.SimpleNamespace(find_spec=lambda name: None)
    )  # as if not installed
    recognize.recognizer.cache_clear()
    path = tmp_path / "scan.png"
    cv2.imwrite(str(path), drawn_table())
    try:
        assert cli.main(["check", str(path)]) == 2
    finally:
        recognize.recognizer.cache_clear()
    assert "pip install 'ogi-toolkit[ocr]'" in capsys.readouterr().err


# ---------------------------------------------------------------- the Huai'an report, scanned


@pytest.fixture(scope="module")
def huaian_scan() -> bytes:
    """The corpus PDF rasterized as a scanner would: 150 dpi,
    grey, skewed, noisy, JPEG (built here, never committed)."""
    from toolkit.testing.scansim import scan_pdf

    return scan_pdf(
        raw_file("huaian-city-2024").read_bytes(), dpi=150, angle=0.5, quality=60, noise=4.0
    )


@pytest.fixture(scope="module")
def huaian_doc(huaian_scan) -> RawDocument:
    from toolkit.readers.ocr import read_scanned_pdf

    return read_scanned_pdf("huaian-scan.pdf", data=huaian_scan)


def assert_exact(report, stem: str, *, present_only: bool = False) -> None:
    want = truth(stem)
    got = {
        (t, r, c): _text(v)
        for t, r, c, v in zip(
            report.cells.table, report.cells.row, report.cells["col"], report.cells.value
        )
    }
    wrong = [
        (t, r, c, v, got.get((t, r, c), "absent"))
        for t, r, c, v in want.itertuples(index=False)
        if got.get((t, r, c), "absent") != v and not (present_only and (t, r, c) not in got)
    ]
    assert not wrong, f"{len(wrong)} cell(s) differ from the truth, e.g. {wrong[:5]}"


def test_scansim_pages_have_no_text_layer(huaian_scan):
    import pypdfium2 as pdfium

    from toolkit.readers.ocr import page_has_text_layer

    scanned, original = (
        pdfium.PdfDocument(huaian_scan),
        pdfium.PdfDocument(raw_file("huaian-city-2024").read_bytes()),
    )
    assert [page_has_text_layer(p) for p in scanned] == [False] * 6
    assert [page_has_text_layer(p) for p in original] == [True] * 6


@needs_ocr
def test_huaian_scan_reads_every_cell_exactly(huaian_doc):
    report = build_report(huaian_doc)
    assert report.status in ("verified", "repaired"), report.reasons
    assert_exact(report, "huaian-city-2024")
    assert (report.meta["agency"], report.meta["year"]) == ("淮安市人民政府", 2024)
    assert (
        "OCR at 200 dpi of page(s) 3, 4, 5" in huaian_doc.notes
    )  # only the table pages, found cheaply


@needs_ocr
def test_every_ocr_cell_has_page_box_and_confidence(huaian_doc):
    prov = ocr_provenance(huaian_doc)
    assert len(prov) == len(truth("huaian-city-2024"))
    assert set(prov.page) == {3, 4, 5}
    assert ((prov.x0 < prov.x1) & (prov.y0 < prov.y1) & (prov.x1 <= 1654) & (prov.y1 <= 2339)).all()
    assert prov.confidence.between(0.5, 1).all() and (prov.dpi == DPI).all()
    penalty = prov[(prov.row == "penalty")].iloc[0]
    assert (penalty.page, penalty.text) == (4, "3985758")


@needs_ocr
def test_a_misread_in_the_scan_is_caught_and_repaired(huaian_doc):
    """The OCR'd document with one digit read wrongly (8
    for the 0 of 30) comes back exact, as 'repaired'."""
    rows = list(huaian_doc.rows)
    i = next(i for i, r in enumerate(rows) if any("其他法律行政法规禁止公开" in c for c in r.cells))
    j = rows[i].cells.index("30")
    rows[i] = dataclasses.replace(
        rows[i], cells=rows[i].cells[:j] + ("38",) + rows[i].cells[j + 1 :]
    )
    doc = dataclasses.replace(huaian_doc, rows=tuple(rows))
    report = build_report(doc)
    assert report.status == "repaired", report.reasons
    assert_exact(report, "huaian-city-2024")
    fixed = report.checks[report.checks.status == "repaired"]
    assert fixed.scope.tolist() == ["cell:withheld_prohibited_by_law.natural_person"]
    assert "read '38'" in fixed.detail.iloc[0] and "on page 4" in fixed.detail.iloc[0]


@needs_ocr
def test_a_mixed_pdf_ocrs_only_its_scanned_pages(huaian_scan):
    import pypdfium2 as pdfium

    from toolkit.readers.ocr import read_scanned_pdf

    original, scanned, mixed = (
        pdfium.PdfDocument(raw_file("huaian-city-2024").read_bytes()),
        pdfium.PdfDocument(huaian_scan),
        pdfium.PdfDocument.new(),
    )
    mixed.import_pages(original, [0, 1])
    mixed.import_pages(scanned, [2, 3, 4])
    mixed.import_pages(original, [5])
    buf = io.BytesIO()
    mixed.save(buf)
    doc = read_scanned_pdf("mixed.pdf", data=buf.getvalue())
    assert {r.page for r in doc.rows if r.ocr} == {3, 4, 5}
    assert {r.page for r in doc.rows if not r.ocr} == {1, 2, 6}  # text layers kept as prose
    report = build_report(doc)
    assert report.status in ("verified", "repaired") and report.meta["year"] == 2024
    assert_exact(report, "huaian-city-2024")


@needs_ocr
def test_photos_are_sniffed_and_read_jpeg_and_multipage_tiff(huaian_scan, tmp_path):
    import pypdfium2 as pdfium

    from toolkit.readers import read_document

    pages = [
        pdfium.PdfDocument(huaian_scan)[i].render(scale=180 / 72, grayscale=True).to_pil()
        for i in (3, 4)
    ]
    jpeg, tiff = tmp_path / "page4.jpg", tmp_path / "pages4-5.tif"
    pages[0].save(jpeg, quality=80)
    pages[0].save(
        tiff, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(180, 180)
    )
    one = read_document(jpeg)  # sniffed as an image by its bytes
    assert one.reader == "ocr" and {r.page for r in one.rows} == {1}
    partial = build_report(one)
    assert partial.status == "partial"  # the applications table continues on the next page
    assert_exact(partial, "huaian-city-2024", present_only=True)  # but what it read is right
    both = read_document(tiff)
    assert {r.page for r in both.rows} == {1, 2}
    report = build_report(both)
    assert report.status in ("verified", "repaired"), report.reasons
    assert_exact(report, "huaian-city-2024", present_only=True)
    assert (
        len(
            report.cells[report.cells.table.isin(["applications", "appeals"])].dropna(
                subset=["value"]
            )
        )
        == 190
    )


@needs_ocr
def test_draw_ocr_shows_the_grid_and_readings(huaian_doc, huaian_scan):
    import matplotlib

    matplotlib.use("Agg")
    from toolkit.research.inspect import draw_ocr, ocr_pages

    assert ocr_pages(huaian_doc) == [1, 3, 4, 5]  # the title lines of page 1, and the table pages
    fig = draw_ocr(huaian_doc, 5, source=huaian_scan)
    ax = fig.axes[0]
    assert len(ax.patches) == sum(len(r.ocr) for r in huaian_doc.rows if r.page == 5 and r.ocr)
    assert any(t.get_text() == "3050" for t in ax.texts)
    with pytest.raises(ValueError, match="pages with some: \\[1, 3, 4, 5\\]"):
        draw_ocr(huaian_doc, 2, source=huaian_scan)


@needs_ocr
def test_ocr_cells_carry_their_pixel_boxes_in_the_cells_table(huaian_doc):
    cells = build_report(huaian_doc).cells
    assert (cells.box_unit == "px").all() and cells.x0.notna().all()
    prov = ocr_provenance(huaian_doc).set_index(["table", "row", "col"])
    got = cells.set_index(["table", "row", "col"])
    common = prov.index.intersection(got.index)
    assert len(common) == len(prov)
    for k in ("x0", "y0", "x1", "y1"):
        assert (got.loc[common, k].astype(float) == prov.loc[common, k].astype(float)).all(), k
