"""Excerpts that stop part-way: `partial`, with exactly the cells that are there."""

from __future__ import annotations

import pytest
from conftest import CORPUS, raw_file

from toolkit import read_report

pytestmark = pytest.mark.corpus
PARTIALS = (
    sorted(p.stem for p in (CORPUS / "raw").glob("partial-*.txt"))
    if (CORPUS / "raw").is_dir()
    else []
)


@pytest.mark.parametrize("stem", PARTIALS or ["(corpus absent)"])
def test_partial_excerpts_are_partial_not_errors(stem, corpus):
    report = read_report(raw_file(stem))
    assert report.status == "partial"
    assert report.reasons
    # nothing invented: every numeric cell's raw text is a number as printed
    numbers = report.cells[report.cells.value.notna()]
    assert all(r.strip() for r in numbers.raw)


def test_xuwen_excerpt_keeps_blanks_and_the_printed_totals(corpus):
    cells = read_report(raw_file("partial-xuwen-county-bureau-2023")).cells.set_index(
        ["table", "row", "col"]
    )
    assert cells.loc[("applications", "new_received", "natural_person"), "value"] == 0
    assert cells.loc[("applications", "new_received", "total"), "value"] == 0
    blank = cells.loc[("applications", "carried_over", "natural_person")]
    assert blank.isna()["value"] and blank["na_reason"] == "blank"
    # the row cut off mid-label (6.属于四…) yields no cells at all
    assert ("applications", "withheld_process_info", "total") not in cells.index


def test_changchun_excerpt_values(corpus):
    report = read_report(raw_file("partial-changchun-department-2023"))
    wide = report.table("applications", lang="en")
    assert wide.loc["new_received"].tolist() == [3, 0, 0, 0, 0, 0, 3]
    assert report.meta["formats"]["applications"] == "2021"


def test_traditional_chinese_page_matches_the_same_labels(corpus):
    report = read_report(raw_file("partial-spamdomain-traditional-chengnan-2019"))
    cells = report.cells.set_index(["table", "row", "col"])
    assert report.meta["formats"]["proactive"] == "2019"
    assert cells.loc[("proactive", "procurement", "items"), "value"] == 236
    assert cells.loc[("proactive", "procurement", "total_amount"), "value"] == 80618
    assert cells.loc[("proactive", "procurement", "total_amount"), "raw"] == "80618元"


def test_pre_2019_report_is_partial_without_national_cells(corpus):
    report = read_report(raw_file("partial-hengyang-city-2008"))
    assert report.status == "partial"
    assert report.meta["year"] == 2008
    assert report.cells[report.cells.table.isin(["applications", "appeals"])].empty
    assert "none of the 2019/2021 national tables" in report.reasons[0]


def test_pre_2019_fujian_table_is_read_through_read_report(corpus):
    report = read_report(raw_file("pingtan-zone-2014"))
    assert report.meta["formats"] == {"legacy": "pre2019"}
    cells = report.cells.set_index(["table", "row", "col"])
    assert cells.loc[("legacy_applications", "received", "year"), "value"] == 1
    assert report.status == "verified"
    assert "pre-2019 provincial table" in report.reasons[0]


def test_narrative_disagreement_is_a_check_not_a_status(corpus):
    report = read_report(raw_file("pingtan-zone-2022"))
    story = report.checks[report.checks.check.str.startswith("narrative_")]
    assert (story.status == "failed").any()
    assert report.status == "verified"  # the tables themselves are consistent
    assert any(
        r.startswith("the text disagrees with the table: text says 75") for r in report.reasons
    )
