"""The quirk generator (toolkit.testing.quirks): each quirk does what it says, and no quirked report
is ever read as verified with a wrong number."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from toolkit import read_report, schema
from toolkit.testing.label_quirks import misread, reads_as, words
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


# --- label and header quirks (toolkit.testing.label_quirks) ------------------------------------


def _changed(before, after):
    """(table, row, old text, new text) of every cell whose text the quirk changed (same shape)."""
    out = []
    for a, b in zip(before.blocks, after.blocks):
        if a.kind != "table":
            continue
        assert len(a.grid.rows) == len(b.grid.rows)
        for r, (ra, rb) in enumerate(zip(a.grid.rows, b.grid.rows)):
            for ca, cb in zip(ra, rb):
                if ca is not None and ca.text != cb.text:
                    assert (ca.rowspan, ca.colspan, ca.value) == (cb.rowspan, cb.colspan, cb.value)
                    out.append((a.grid.name, r, ca.text, cb.text))
    return out


def _value_texts(doc):
    return [
        c.text
        for b in doc.blocks
        if b.kind == "table"
        for row in b.grid.rows
        for c in row
        if c
        if c.value
    ]


def _is_han(ch):
    return "\u4e00" <= ch <= "\u9fff"


def test_misread_label_changes_one_han_character_of_one_or_two_labels():
    cells = _cells()
    clean = quirked(cells, [])
    alikes = {ch for k, v in schema.look_alikes().items() for ch in (k, *v)}
    for seed in range(6):
        doc = quirked(cells, ["misread_label"], seed=seed)
        assert _value_texts(doc) == _value_texts(clean)
        changed = _changed(clean, doc)
        assert 1 <= sum(t == "applications" for t, *_ in changed) <= 2, changed
        lines = write(doc, "text-lines").decode("utf-8").splitlines()
        for table, _, old, new in changed:
            assert table in ("applications", "proactive")
            (i,) = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
            assert len(old) == len(new) and _is_han(old[i]) and _is_han(new[i])
            assert new[i] not in alikes
            start, end = words(old)
            han = [k for k in range(start, end) if _is_han(old[k])]
            assert len(han) >= 4 and i in han[1:]  # inside the words, not their first character
            assert reads_as(new, table, "2021") <= reads_as(old, table, "2021")
            assert "\t" + new in lines and "\t" + old not in lines


def test_misread_label_keeps_the_numbering_and_never_makes_another_rows_label():
    for label in ("（一）予以公开", "（三）不予公开", "二、上年结转政府信息公开申请数量"):
        for seed in range(20):
            new = misread(label, "applications", "2021", random.Random(seed))
            start = len(label) - len(label.lstrip("（）一二三、"))  # numbering, then the words
            assert new[: start + 1] == label[: start + 1] and new != label
            assert not reads_as(new, "applications", "2021") - reads_as(
                label, "applications", "2021"
            )
    assert misread("（七）总计", "applications", "2021", random.Random(0)) is None  # 2 Han


def test_garbled_label_prints_noise_for_one_inner_label_and_keeps_its_numbers():
    cells = _cells()
    clean = quirked(cells, [])
    grid = _grids(clean, "applications")[0]
    body = [i for i, row in enumerate(grid.rows) if any(c is not None and c.value for c in row)]
    for seed in range(6):
        doc = quirked(cells, ["garbled_label"], seed=seed)
        assert _value_texts(doc) == _value_texts(clean)
        ((table, r, old, new),) = _changed(clean, doc)
        assert table == "applications" and r in body[1:-1]
        assert 2 <= len(new) <= 6 and not reads_as(new, "applications", "2021")
        assert reads_as(old, "applications", "2021")
        printed = write(doc, "text-lines").decode("utf-8").splitlines()
        assert "\t" + new in printed and "\t" + old not in printed


def test_header_spread_repeats_a_merged_header_in_every_column_it_spans():
    cells = _cells()
    clean = quirked(cells, [])
    spread, printed = 0, 0
    for seed in range(4):
        doc = quirked(cells, ["header_spread"], seed=seed)
        assert _value_texts(doc) == _value_texts(clean)
        for a, b in zip(_grids(clean, "applications"), _grids(doc, "applications")):
            for ra, rb in zip(a.rows, b.rows):
                for c, cell in enumerate(ra):
                    if cell is None or cell.colspan == 1 or rb[c].colspan > 1:
                        continue  # not merged, or left merged
                    copies = [(x.text, x.colspan, x.rowspan) for x in rb[c : c + cell.colspan]]
                    assert copies == [(cell.text, 1, cell.rowspan)] * cell.colspan
                    spread += 1
        lines = write(doc, "text-pipe").decode("utf-8").splitlines()
        printed += any(line.count("| 申请人情况 ") == 7 for line in lines)
    assert spread and printed


def test_header_collapsed_makes_one_header_row_of_the_applications_table():
    cells = _cells()
    clean = _grids(quirked(cells, []), "applications")[0]
    firms = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    joined = ["申请人情况 自然人"] + [f"申请人情况 法人或其他组织 {f}" for f in firms]
    seen = set()
    for seed in range(6):
        grid = _grids(quirked(cells, ["header_collapsed"], seed=seed), "applications")[0]
        assert grid.header_rows == 1 and grid.rows[1:] == clean.rows[3:]
        head = [c for c in grid.rows[0] if c is not None]
        assert head[0].colspan == 3 and head[0].text == clean.rows[0][0].text
        texts = [c.text for c in head[1:]]
        if texts == joined + ["申请人情况 总计"]:
            seen.add("joined")
        else:
            assert texts == ["自然人", *firms, "总计"]
            seen.add("lowest")
    assert seen == {"joined", "lowest"}


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_hybrid_prints_the_other_formats_wording_of_the_proactive_labels(fmt):
    cells = random_cells(11, fmt=fmt)
    clean = quirked(cells, [])
    pairs = {("行政规范性文件", "规范性文件"), ("本年处理决定数量", "处理决定数量")}
    if fmt == "2019":
        pairs = {(b, a) for a, b in pairs}
    for seed in range(4):
        doc = quirked(cells, ["hybrid"], seed=seed)
        assert _value_texts(doc) == _value_texts(clean)
        changed = _changed(clean, doc)
        assert 1 <= len(changed) <= 3
        assert {(old, new) for _, _, old, new in changed} <= pairs
        assert {t for t, *_ in changed} == {"proactive"}


def test_a_hybrid_report_reads_exactly(tmp_path):
    """Both wordings are in aliases.csv / headers.csv: a 2021 report printing 规范性文件 and
    处理决定数量 reads exactly."""
    cells = random_cells(12, fmt="2021")
    report, got, want = _read_back(tmp_path, cells, ["hybrid"], "text-pipe", 1)
    assert got == want and report.status == "verified", report.reasons
