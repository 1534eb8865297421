"""Round trips: random valid tables rendered to every
format must read back as exactly the same cells."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from strategies import CORE, report_cells, styles

from toolkit import read_report, schema
from toolkit.extract.validate import check_identities
from toolkit.testing.render import SUFFIX, Style, random_cells, render

KEEP = Path(tempfile.gettempdir()) / "ogi-roundtrip"  # a failing example's file stays here
# The same examples on every run (CI stays stable); OGI_EXPLORE=1 draws new ones, OGI_SCALE=10 ten
# times as many. Shrinking a rendered report costs minutes; OGI_SHRINK=1 turns it on to get a
# minimal failing example.
PHASES = (
    tuple(Phase) if os.environ.get("OGI_SHRINK") else (Phase.explicit, Phase.reuse, Phase.generate)
)
SCALE = int(os.environ.get("OGI_SCALE", "1"))
SETTINGS = dict(
    deadline=None,
    derandomize=not os.environ.get("OGI_EXPLORE"),
    print_blob=True,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def reader_ready(module: str) -> pytest.MarkDecorator:
    """Skip a format until its reader module exists (other engineers are writing them)."""
    missing = importlib.util.find_spec(f"toolkit.readers.{module}") is None
    if module == "pdf" and importlib.util.find_spec("reportlab") is None:
        return pytest.mark.skip(
            reason="rendering a PDF needs reportlab: pip install -e '.[render]'"
        )
    return pytest.mark.skipif(missing, reason=f"toolkit/readers/{module}.py does not exist yet")


def as_dict(cells: pd.DataFrame) -> dict[tuple[str, str, str], float | None]:
    return {
        (t, r, c): None if pd.isna(v) else float(v)
        for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
    }


@contextlib.contextmanager
def rendered(cells: pd.DataFrame, to: str, style: Style):
    """A rendered file that is deleted after a passing check
    and kept (path in the message) after a failing one."""
    KEEP.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkstemp(prefix=f"{to}-", suffix=SUFFIX[to], dir=KEEP)[1])
    render(cells, path, to=to, style=style)
    try:
        yield path
    except BaseException as exc:
        truth = path.with_suffix(".truth.csv")
        cells.to_csv(truth, index=False)
        exc.add_note(f"rendered file kept: {path}, its cells in {truth.name}  (style: {style})")
        raise
    path.unlink(missing_ok=True)


def differences(report, cells: pd.DataFrame) -> dict:
    want, got = as_dict(cells), as_dict(report.cells)
    return {
        k: (want.get(k, "absent"), got.get(k, "absent"))
        for k in sorted(set(want) | set(got))
        if want.get(k, "absent") != got.get(k, "absent")
    }


def expected_status(cells: pd.DataFrame) -> str:
    blank_core = cells[cells.table.isin(CORE)].value.isna().any()
    return "partial" if blank_core else "verified"


def known_bug(cells: pd.DataFrame, style: Style, to: str) -> str | None:
    """Reader/matcher bugs found by these tests, each pinned
    by an xfail test below; delete a line once fixed."""
    return None


def assert_exact(path: Path, cells: pd.DataFrame) -> None:
    """Same cells (value and blank-ness), and verified unless a core cell is blank."""
    report = read_report(path)
    diff = differences(report, cells)
    assert not diff, f"{len(diff)} cell(s) differ (truth, read): {list(diff.items())[:8]}"
    want = expected_status(cells)
    assert report.status == want, f"status {report.status}, expected {want}: {report.reasons}"


def exact_roundtrip(cells: pd.DataFrame, to: str, style: Style, *, skip_known: bool = True) -> None:
    if skip_known:
        assume(known_bug(cells, style, to) is None)
    with rendered(cells, to, style) as path:
        assert_exact(path, cells)


# ---- the generator ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", schema.FORMATS)
def test_random_cells_satisfy_every_identity(fmt: str) -> None:
    many = random_cells(11, fmt=fmt, n=300)
    for _, cells in many.groupby("report"):
        values = {k: v for k, v in as_dict(cells).items()}
        checks = check_identities({"applications": fmt, "appeals": fmt}, values)
        assert (checks.status == "ok").all(), checks[checks.status != "ok"].detail.tolist()
    assert (many.value == 0).mean() > 0.4, "real reports are mostly zeros"
    assert many.value.max() >= 10_000


def test_random_cells_are_fast_and_seeded() -> None:
    start = time.perf_counter()
    many = random_cells(1, fmt="2021", n=10_000)
    assert time.perf_counter() - start < 10
    assert many.report.nunique() == 10_000
    pd.testing.assert_frame_equal(random_cells(5, fmt="2019"), random_cells(5, fmt="2019"))
    money = many[many["col"] == "amount_10k_yuan"].value.astype(float)
    assert (money != np.floor(money)).any(), "proactive money carries decimals"


@settings(max_examples=30 * SCALE, **SETTINGS)
@given(report_cells(blank_tables=()))
def test_strategy_cells_satisfy_every_identity(cells: pd.DataFrame) -> None:
    fmt = "2019" if "other" in set(cells.row) else "2021"
    checks = check_identities({"applications": fmt, "appeals": fmt}, as_dict(cells))
    assert (checks.status == "ok").all()


def test_render_rejects_unknown_options() -> None:
    cells = random_cells(1)
    with pytest.raises(ValueError, match="unknown target"):
        render(cells, to="rtf")
    with pytest.raises(ValueError, match="blank="):
        Style(blank="N/A")
    with pytest.raises(ValueError, match="pass fmt="):
        render(cells[cells.table == "appeals"], to="html")


# ---- text: one cell per line, pipes, and cells run together -----------------------------------


@settings(max_examples=40 * SCALE, **SETTINGS)
@given(st.data())
def test_text_lines_roundtrip(data) -> None:
    exact_roundtrip(data.draw(report_cells()), "text-lines", data.draw(styles("text-lines")))


@settings(max_examples=40 * SCALE, **SETTINGS)
@given(st.data())
def test_text_pipe_roundtrip(data) -> None:
    exact_roundtrip(data.draw(report_cells()), "text-pipe", data.draw(styles("text-pipe")))


RUN_BLANKS = ("/", "—", "-")  # '' leaves no trace in a run at all
# Sparse, as real run-together reports are: a dense one makes resolve.py test tens of thousands of
# combinations of readings at ~2 ms each (a minute per report); see the note in the final report.
RUN_CELLS = report_cells(top=9999, zeros=8)


@settings(max_examples=20 * SCALE, **SETTINGS)
@given(st.data())
def test_text_run_is_exact_or_flagged(data) -> None:
    """No separators: the reader recovers the cells, or
    flags the report — never a wrong value when verified."""
    cells = data.draw(RUN_CELLS)
    with rendered(cells, "text-run", data.draw(styles("text-run", blanks=RUN_BLANKS))) as path:
        assert_exact_or_flagged(read_report(path), cells)


def assert_exact_or_flagged(report, cells: pd.DataFrame) -> None:
    """Verified: the core tables exact and no proactive cell
    wrong (NA allowed: it has no identity to decide by).

    Not verified: an ambiguous_digits check says why,
    unless a core cell is blank in truth (then 'partial').
    """
    diff = differences(report, cells)
    if report.status == "verified":
        core = {k: v for k, v in diff.items() if k[0] in CORE}
        wrong = {k: v for k, v in diff.items() if v[1] not in (None, "absent")}
        assert not core, (
            f"a verified report whose core cells differ (truth, read): {list(core.items())[:8]}"
        )
        assert not wrong, (
            f"a verified report with wrong values (truth, read): {list(wrong.items())[:8]}"
        )
    elif expected_status(cells) == "verified":
        assert (report.checks.check == "ambiguous_digits").any(), (
            f"{report.status} but no ambiguous_digits check: {report.reasons}"
        )


def _rules_row(blank: str) -> tuple[pd.DataFrame, Style]:
    cells = random_cells(0, fmt="2021")
    cells.loc[cells.row == "rules", "value"] = pd.array([1, None, 23], dtype="Float64")
    return cells, Style(blank=blank)


def test_text_run_dash_blank_is_not_a_separator() -> None:
    cells, style = _rules_row("-")
    with rendered(cells, "text-run", style) as path:
        assert_exact_or_flagged(read_report(path), cells)


def test_text_run_emdash_blank_cell_is_reported() -> None:
    cells, style = _rules_row("—")
    cells.loc[cells.row == "licensing", "value"] = pd.NA
    with rendered(cells, "text-run", style) as path:
        read = as_dict(read_report(path).cells)
        assert ("proactive", "licensing", "decisions") in read


def test_text_run_blanks_that_print_as_nothing_never_give_a_wrong_proactive_number() -> None:
    """A run-together dump whose blanks print as nothing: 行政强制-80 is blank|−8|0 and
    行政处罚890 is 89|0|blank, but every cell printed would read blank|8|0 and 8|9|0, and that was
    taken in a verified report. With no printed blank (/, —, 无) in the document to rule it out,
    such a 主动公开 row is NA with an ambiguous_digits check; an unambiguous row (000) stays
    read."""
    cells = random_cells(0, fmt="2019")
    rows = {
        "coercion": [None, -8, 0],
        "penalty": [89, 0, None],
        "licensing": [0, 0, 0],
    }
    for row, values in rows.items():
        cells.loc[(cells.table == "proactive") & (cells.row == row), "value"] = pd.array(
            values, dtype="Float64"
        )
    with rendered(cells, "text-run", Style(blank="")) as path:
        report = read_report(path)
    got, want = as_dict(report.cells), as_dict(cells)
    assert all(v is None or want[k] == v for k, v in got.items())  # nothing wrong
    for row in ("coercion", "penalty"):
        assert all(got[("proactive", row, c)] is None for c in ("prev_year_items", "change"))
    assert [got[("proactive", "licensing", c)] for c in ("prev_year_items", "change")] == [0, 0]
    notes = report.checks[report.checks.check == "ambiguous_digits"]
    assert notes.detail.str.contains("printed as nothing").sum() >= 2


# ---- html, docx, doc, pdf --------------------------------------------------------------------


@reader_ready("html")
@settings(max_examples=40 * SCALE, **SETTINGS)
@given(st.data())
def test_html_roundtrip(data) -> None:
    exact_roundtrip(data.draw(report_cells()), "html", data.draw(styles("html")))


@reader_ready("word")
@settings(max_examples=30 * SCALE, **SETTINGS)
@given(st.data())
def test_docx_roundtrip(data) -> None:
    exact_roundtrip(data.draw(report_cells()), "docx", data.draw(styles("docx")))


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip(
            "LibreOffice (soffice) is not installed: `make sysdeps` installs it; "
            "DOC cannot be made without it"
        )
    return found


def to_doc(files: list[Path]) -> list[Path]:
    """DOCX -> DOC with LibreOffice, all in one start, in
    a private profile so parallel runs do not collide."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                str(files[0].parent),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return [f.with_suffix(".doc") for f in files]


def varied_styles(n: int) -> list[Style]:
    """A spread of messy styles without hypothesis, for
    targets too slow to draw one file at a time."""
    pick = np.random.default_rng(n)
    return [
        Style(
            blank=str(pick.choice(["", "/", "-", "—", "mixed"])),
            numbering=str(pick.choice(["1.", "1、", "（1）", "①", "mixed"])),
            fullwidth=bool(pick.random() < 0.5),
            typo=bool(pick.random() < 0.5),
            instructions=bool(pick.random() < 0.5),
            merged=bool(pick.random() < 0.5),
            wrap=bool(pick.random() < 0.5),
            title_lines=int(pick.choice([1, 2])),
            seed=i,
        )
        for i in range(n)
    ]


@reader_ready("word")
def test_doc_roundtrip() -> None:
    """DOC (Word 97) as LibreOffice writes it from our DOCX: the same cells come back."""
    soffice()
    cases = [
        (random_cells(i, fmt=("2019", "2021")[i % 2], blanks=0.1), style)
        for i, style in enumerate(varied_styles(6))
    ]
    cases = [(cells, style) for cells, style in cases if known_bug(cells, style, "docx") is None]
    with contextlib.ExitStack() as stack:
        docx = [stack.enter_context(rendered(cells, "docx", style)) for cells, style in cases]
        for doc, (cells, _) in zip(to_doc(docx), cases):
            try:
                assert_exact(doc, cells)
            except AssertionError as exc:
                exc.add_note(f"converted file: {doc}")
                raise
            doc.unlink()


@reader_ready("pdf")
@settings(max_examples=25 * SCALE, **SETTINGS)
@given(st.data())
def test_pdf_roundtrip(data) -> None:
    exact_roundtrip(data.draw(report_cells()), "pdf", data.draw(styles("pdf")))


@reader_ready("pdf")
@pytest.mark.parametrize("fmt,split", [("2021", 9), ("2019", 14), ("2021", 22)])
def test_pdf_table_split_across_a_page_break(fmt: str, split: int) -> None:
    """The applications table breaks before body row
    `split`: that row is read from the next page."""
    cells = random_cells(split, fmt=fmt)
    with rendered(cells, "pdf", Style(split=split)) as path:
        assert_exact(path, cells)
        report = read_report(path)
        apps = report.cells[report.cells.table == "applications"]
        page = {row: int(p) for row, p in zip(apps.row, apps.page)}
        rows = schema.rows("applications", fmt)
        assert page[rows[split]] == page[rows[split - 1]] + 1, f"pages by row: {page}"


@reader_ready("pdf")
def test_pdf_embeds_the_cjk_font_as_a_truetype_subset() -> None:
    data = render(random_cells(2, fmt="2021"), to="pdf")
    assert b"/FontFile2" in data, "Chinese glyphs must be embedded (TrueType outlines)"
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansCJKsc", data), "as a subset (6-letter tag)"


def test_cjk_font_is_truetype_and_covers_report_text() -> None:
    from fontTools.ttLib import TTFont

    from toolkit.research.fonts import cjk_font_path

    font = TTFont(cjk_font_path("鄠"))
    assert "glyf" in font and "CFF " not in font
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "政府信息公开工作年度报告（一）１２３鄠“”")


@pytest.mark.parametrize("to", ["text-lines", "text-pipe"])
def test_padded_grid_reads_back(to: str) -> None:
    """Bug: the empty cells a spanned label leaves in a plain
    grid (2 after a colspan-3 label) were read as blanks."""
    exact_roundtrip(random_cells(0, fmt="2021"), to, Style(padded=True), skip_known=False)


@pytest.mark.parametrize("to", ["text-pipe", "html", "pdf"])
def test_padded_row_with_an_empty_last_cell(to: str) -> None:
    """Bug (found by the PDF property test): a padded row ['', 66048, 5, 0, 0, 1, 0, ''] lost its
    printed blank 总计 instead of the label's padding, shifting every value one column right. Which
    empty cell is layout is now the identities' choice."""
    cells = random_cells(0, fmt="2021")
    cells.loc[
        (cells.table == "applications")
        & (cells.row == "partially_granted")
        & (cells["col"] == "total"),
        "value",
    ] = pd.NA
    exact_roundtrip(cells, to, Style(blank="", padded=True), skip_known=False)


@pytest.mark.parametrize("to", ["docx", "text-pipe", "html", "pdf"])
@pytest.mark.parametrize("row", ["admin_fees", "licensing"])
def test_padded_row_placed_by_its_column_header(to: str, row: str) -> None:
    """Bug (found by the DOCX property test in CI): the padded 2019 row 行政事业性收费 | '' | 0 | ''
    can drop either empty cell, and no identity tells which, so 本年增/减 came back NA. The header
    row above (信息内容 | 上一年项目数量 | 本年增/减 | '') puts 本年增/减 in the third cell: it
    decides."""
    cells = random_cells(3, fmt="2019")
    mine = (cells.table == "proactive") & (cells.row == row)
    cells.loc[mine, "value"] = pd.array([None, 0, None][: mine.sum()], dtype="Float64")
    exact_roundtrip(cells, to, Style(blank="", padded=True), skip_known=False)


def test_column_header_positions() -> None:
    from toolkit.extract.header_align import positions
    from toolkit.extract.match import flatten
    from toolkit.readers.base import RawDocument, RawRow

    rows = [
        ("信息内容", "上一年项目数量", "本年增/减", ""),
        ("行政事业性收费", "", "0", ""),
        ("总计", "", "", "自然人"),
        ("x", "", "", ""),
    ]
    flat = flatten(RawDocument("t.txt", "text", tuple(RawRow(cells=r) for r in rows)))
    assert positions(flat, "proactive", ("prev_year_items", "change"), 1) == (1, 2)
    assert (
        positions(flat, "proactive", ("prev_year_items", "change", "decisions"), 1) is None
    )  # not all named
    assert (
        positions(flat, "applications", ("natural_person", "total"), 3) is None
    )  # out of order: not a header


@pytest.mark.parametrize("to", ["text-lines", "html"])
def test_2019_rules_with_empty_last_cell(to: str) -> None:
    cells = random_cells(0, fmt="2019")
    cells.loc[cells.row == "rules", "value"] = pd.array([746, 73, None], dtype="Float64")
    exact_roundtrip(cells, to, Style(blank=""), skip_known=False)


@pytest.mark.parametrize("to", ["html", "docx"])
def test_2019_blank_in_spanned_value_cell(to: str) -> None:
    cells = random_cells(0, fmt="2019")
    cells.loc[cells.row == "procurement", "value"] = pd.array([2, None], dtype="Float64")
    exact_roundtrip(cells, to, Style(blank="-"), skip_known=False)
