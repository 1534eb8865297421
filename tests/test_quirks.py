"""The quirk generator (toolkit.testing.quirks): each quirk does what it says, and no quirked report
is ever read as verified with a wrong number."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import read_report
from toolkit.testing.quirks import QUIRKS, markdown, quirked, write
from toolkit.testing.render import random_cells


def _cells():
    cells = random_cells(11, fmt="2021")
    return cells


def _grids(doc, name):
    return [b.grid for b in doc.blocks if b.kind == "table" and b.grid.name == name]


def _texts(grid):
    return [[c.text for c in row if c is not None] for row in grid.rows]


def test_thousands_separators_are_printed():
    cells = _cells()
    cells.loc[(cells.table == "applications") & (cells.row == "granted"), "value"] = 12345.0
    doc = quirked(cells, ["thousands"], seed=1)
    printed = [t for g in _grids(doc, "applications") for row in _texts(g) for t in row]
    assert "12,345" in printed
    assert "12345" not in printed


def test_stray_space_breaks_a_label_inside_a_word():
    doc = quirked(_cells(), ["stray_space"], seed=2)
    labels = [t for b in doc.blocks if b.kind == "table" for row in _texts(b.grid) for t in row]
    broken = [t for t in labels if " " in t and "\n" in t]
    assert broken, "no label was broken"
    head, tail = broken[0].split("\n")
    assert head.count(" ") == 1 and tail.strip()


def test_detached_numbers_put_the_values_on_a_row_of_their_own():
    doc = quirked(_cells(), ["detached_numbers"], seed=3)
    grid = _grids(doc, "applications")[0]
    rows = [list(r) for r in grid.rows]
    detached = [
        i
        for i, row in enumerate(rows)
        if any(c is not None and c.value for c in row)
        and not any(c is not None and not c.value and c.text.strip() for c in row)
    ]
    assert detached
    above = rows[detached[0] - 1]
    assert not any(c is not None and c.value for c in above)  # the label row holds no value
    assert any(c is not None and c.text.strip() for c in above)


def test_restart_table_repeats_the_header():
    doc = quirked(_cells(), ["restart_table"], seed=4)
    first, second = _grids(doc, "applications")
    assert _texts(second)[:2] == _texts(first)[:2]
    assert len(first.rows) + len(second.rows) > len(
        _grids(quirked(_cells(), []), "applications")[0].rows
    )


def test_markdown_has_one_pipe_table_per_grid_with_a_separator_row():
    text = markdown(quirked(_cells(), [])).decode("utf-8")
    tables = [line for line in text.splitlines() if line.startswith("|---")]
    assert len(tables) == 3
    assert "# " in text.splitlines()[0]


def test_an_unknown_quirk_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown quirk 'wobbly'"):
        quirked(_cells(), ["wobbly"])


@pytest.mark.parametrize("to", ["text-lines", "text-pipe", "html", "markdown"])
def test_no_quirk_makes_a_verified_report_wrong(tmp_path, to):
    """Exact or flagged, never verified with a wrong cell (the baseline `none` must be exact)."""
    for name in QUIRKS:
        for seed in range(2):
            cells = random_cells(100 + seed, fmt="2021" if seed else "2019")
            path = tmp_path / f"{name}-{seed}.{'md' if to == 'markdown' else 'txt'}"
            path.write_bytes(write(quirked(cells, [name], seed=seed), to))
            report = read_report(path)
            want = {
                (t, r, c): None if pd.isna(v) else float(v)
                for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
            }
            got = {
                (t, r, c): None if pd.isna(v) else float(v)
                for t, r, c, v in zip(
                    report.cells.table, report.cells.row, report.cells["col"], report.cells.value
                )
            }
            wrong = {k: v for k, v in got.items() if v is not None and want.get(k) != v}
            if report.status in ("verified", "repaired"):
                assert not wrong, (name, seed, to, list(wrong.items())[:3])
            if name == "none":
                assert got == want and report.status == "verified", (seed, to, report.reasons)


def _read_back(tmp_path, cells, quirks, to, seed):
    path = tmp_path / f"{'-'.join(quirks)}-{seed}.{to}"
    path.write_bytes(write(quirked(cells, quirks, seed=seed), to))
    report = read_report(path)
    got = {
        (t, r, c): None if pd.isna(v) else float(v)
        for t, r, c, v in zip(
            report.cells.table, report.cells.row, report.cells["col"], report.cells.value
        )
    }
    want = {
        (t, r, c): None if pd.isna(v) else float(v)
        for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
    }
    return report, got, want


@pytest.mark.parametrize("quirk", ["footnotes", "confusable", "stray_space"])
@pytest.mark.parametrize("to", ["text-pipe", "html", "markdown"])
def test_label_noise_reads_exactly(tmp_path, quirk, to):
    """Footnote markers after labels (不予公开*, …注1, [1]) and look-alike characters in labels
    (一/—, 己/已, 公/Ｏ) used to cost the row: footnotes.csv and look_alikes.csv now cover them."""
    for seed in range(3):
        cells = random_cells(200 + seed, fmt="2021" if seed % 2 else "2019")
        report, got, want = _read_back(tmp_path, cells, [quirk], to, seed)
        assert got == want, (seed, report.reasons)
        assert report.status == "verified"


@pytest.mark.parametrize("to", ["text-lines", "text-pipe", "html", "markdown", "docx"])
def test_a_label_split_over_two_table_rows_reads_exactly(tmp_path, to):
    """Converters break a wrapped label over two table rows (`3.危及` / `“三安全一稳定”`); the
    wildcard in an alias (a quote mark) used to refuse the break before it and the row was lost."""
    for seed in range(4):
        cells = random_cells(300 + seed, fmt="2021" if seed % 2 else "2019")
        report, got, want = _read_back(tmp_path, cells, ["split_label_rows"], to, seed)
        assert got == want, (seed, report.reasons)


@pytest.mark.parametrize("to", ["text-pipe", "html", "markdown", "docx"])
def test_detached_number_rows_are_kept_only_where_identities_check_them(tmp_path, to):
    """A row's numbers on the table row below its label: the only slot they can fill. Kept where
    every identity they enter holds (applications, appeals); in the proactive table, which has no
    identity, they stay NA as ambiguous with a note, never placed by position alone."""
    for seed in range(3):
        cells = random_cells(400 + seed, fmt="2021" if seed % 2 else "2019")
        report, got, want = _read_back(tmp_path, cells, ["detached_numbers"], to, seed)
        core = {k: v for k, v in want.items() if k[0] != "proactive"}
        assert {k: got.get(k) for k in core} == core, (seed, report.reasons)
        assert all(v is None or want[k] == v for k, v in got.items())  # never wrong
        notes = report.checks[report.checks.check == "detached_row"]
        assert len(notes) >= 2
        left_na = notes[notes.detail.str.contains("left NA")]
        assert set(left_na.table) <= {"proactive"}
        cells_na = report.cells[(report.cells.table == "proactive") & report.cells.value.isna()]
        assert set(cells_na.na_reason.dropna()) <= {"ambiguous", "blank"}


def test_a_text_layer_pdf_label_with_a_stray_space_and_a_wrapped_tail_reads_exactly(tmp_path):
    """The first failure class of unseen layouts: a PDF's text layer breaks a wrapped label with a
    stray space inside a word (`只计这一情 形，不` / `计其他情形）`); the row must still be read."""
    for seed in range(2):
        cells = random_cells(500 + seed, fmt="2021")
        report, got, want = _read_back(tmp_path, cells, ["stray_space"], "pdf", seed)
        assert got == want, (seed, report.reasons)
        assert report.status == "verified"


def test_a_pdf_rendered_after_another_keeps_the_glyphs_of_its_own_characters():
    """Every CJK repertoire the PDF renderer builds was named alike, and reportlab keeps one face
    per name: a Traditional-character report rendered after a Simplified one lost its Traditional
    glyphs from the text layer (and read as no report at all)."""
    import pypdfium2 as pdfium

    write(quirked(random_cells(1, fmt="2021"), ["none"], seed=1), "pdf")
    data = write(quirked(random_cells(2, fmt="2021"), ["traditional"], seed=2), "pdf")
    pdf = pdfium.PdfDocument(data)
    try:
        text = pdf[0].get_textpage().get_text_bounded()
    finally:
        pdf.close()
    assert "政府信息公開工作年度報告" in text
