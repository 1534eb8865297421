"""Fujian's pre-2019 tables (pingtan 2011–2018) read
through the crosswalk, and the harmonized series."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import raw_file, truth

from toolkit.extract.pre2019 import read_legacy, read_legacy_text
from toolkit.extract.validate import CHECK_COLUMNS
from toolkit.readers import read_document
from toolkit.research import harmonize


def legacy(stem: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_legacy(read_document(raw_file(stem)))


def value(cells: pd.DataFrame, row: str, col: str = "year"):
    hit = cells[(cells.row == row) & (cells["col"] == col)]
    assert len(hit) == 1, (row, col)
    return hit.value.iloc[0]


@pytest.mark.corpus
def test_county_2012_run_together_digits_settled_by_the_sums():
    """条2121 could be 2|121 or 21|21: only 21|21 lets 当面18 + 电子邮件3 add up."""
    cells, checks = legacy("pingtan-county-2012")
    expected = {
        "received": 21,
        "received_in_person": 18,
        "received_email": 3,
        "answered": 21,
        "granted": 17,
        "partially_granted": 2,
        "refused": 2,
        "reconsideration": 0,
        "litigation": 0,
    }
    for row, v in expected.items():
        assert value(cells, row) == v and value(cells, row, "cumulative") == v, row
    sums = checks[checks.check.isin(["received_sum", "answered_sum"])]
    assert len(sums) == 4 and (sums.status == "ok").all()
    assert list(checks.columns) == CHECK_COLUMNS


@pytest.mark.corpus
def test_county_2013_year_and_cumulative_differ():
    cells, _ = legacy("pingtan-county-2013")
    assert (value(cells, "received"), value(cells, "received", "cumulative")) == (7, 28)
    assert (value(cells, "answered"), value(cells, "answered", "cumulative")) == (3, 24)
    assert (
        value(cells, "granted"),
        value(cells, "partially_granted"),
        value(cells, "refused"),
    ) == (2, 1, 0)


@pytest.mark.corpus
def test_ambiguous_digits_are_na_with_the_candidates():
    """2015: 主动公开文件数 条294981916 reads as 2949|81916
    or 29|4981916 …: nothing in the report decides."""
    cells, checks = legacy("pingtan-zone-2015")
    assert pd.isna(value(cells, "proactive_total")) and pd.isna(
        value(cells, "proactive_total", "cumulative")
    )
    amb = checks[(checks.check == "ambiguous_digits") & (checks.scope == "row:proactive_total")]
    assert (
        len(amb) == 1 and "2949|81916" in amb.detail.iloc[0] and amb.status.iloc[0] == "ambiguous"
    )
    assert (value(cells, "received"), value(cells, "received", "cumulative")) == (0, 1)


@pytest.mark.corpus
def test_no_reading_that_breaks_the_sums_is_kept():
    """County 2012 prints 主动公开 2026 but 网站 1795 + 公报 0:
    no split adds up, so both stay NA (not a guess)."""
    cells, checks = legacy("pingtan-county-2012")
    assert pd.isna(value(cells, "proactive_total")) and pd.isna(value(cells, "proactive_web"))
    assert value(cells, "proactive_gazette", "cumulative") == 7


@pytest.mark.corpus
def test_space_separated_table_and_a_row_with_one_number():
    cells, _ = legacy("pingtan-zone-2014")
    assert (value(cells, "proactive_total"), value(cells, "proactive_total", "cumulative")) == (
        2543,
        78967,
    )
    assert value(cells, "received_letter_fax") == 1 and value(cells, "other_answers") == 0
    assert set(cells.table) == {"legacy_proactive", "legacy_applications", "legacy_appeals"}
    cells13, checks13 = legacy("pingtan-zone-2013")  # '政府公报公开 条 0': one number for two cells
    assert pd.isna(value(cells13, "proactive_gazette"))
    assert (checks13.check == "unreadable").any()


@pytest.mark.corpus
def test_a_report_without_the_table():
    cells, checks = legacy("pingtan-local-tax-bureau-2013")
    assert cells.empty and checks.status.tolist() == ["note"]


def test_inline_run_together_table():
    text = (
        "附件：统计表 指标名称计量单位2012年度历年累计受理依申请公开信息总数条2121"
        "其中：1.当面申请数条1818"
        "2.电子邮件申请数条33对申请的答复数条2121其中：1.同意公开答复数条17172.同意部分公开答复数条22"
        "3.否决公开答复数条22行政复议数条00"
    )
    cells, checks = read_legacy_text(text)
    got = {(r, c): v for r, c, v in zip(cells.row, cells["col"], cells.value)}
    assert got[("received", "year")] == 21 and got[("received_email", "cumulative")] == 3
    assert got[("granted", "year")] == 17 and got[("refused", "cumulative")] == 2
    assert not (checks.status == "failed").any()


def test_crosswalk_rows_each_carry_a_confidence_and_a_note():
    cw = harmonize.crosswalk()
    assert cw.legacy_row.is_unique
    assert set(cw.relation) <= {"equal", "approx", "none"}
    assert set(cw.confidence) <= {"high", "medium", "low", "none"}
    assert (cw.note.str.len() > 10).all()
    mapped = cw[cw.relation != "none"]
    assert (mapped.national_table != "").all() and (mapped.national_col != "").all()


def national(stem: str) -> pd.DataFrame:
    t = truth(stem)
    t["value"] = pd.array(pd.to_numeric(t.value.replace("", None)), dtype="Float64")
    return t


@pytest.mark.corpus
def test_pingtan_series_2011_to_2025_marks_the_breaks():
    years = range(2011, 2026)
    frames = []
    for y in years:
        stem = f"pingtan-zone-{y}"
        cells = legacy(stem)[0] if y < 2019 else national(stem)
        frames.append(cells.assign(report_id=stem))
    reports = pd.DataFrame(
        {
            "report_id": [f"pingtan-zone-{y}" for y in years],
            "agency": "平潭综合实验区",
            "year": list(years),
        }
    )
    s = harmonize.series(pd.concat(frames, ignore_index=True), reports)
    share = s[s.measure == "not_held_share"].set_index("year")
    assert share.loc[2014, "value"] == 0 and share.loc[2014, "definition"] == "fujian_pre2019"
    assert pd.isna(share.loc[2012, "value"])  # no request that year: 0 of 0
    assert share.loc[2022, "value"] == pytest.approx(100 * 37 / 75)
    assert share.loc[2019, "break_before"] and share.loc[2021, "break_before"]
    assert not share.drop([2019, 2021]).break_before.any()
    received = s[s.measure == "received"].set_index("year").value
    assert received.loc[2014] == 1 and received.loc[2024] == 218
    assert s[(s.year < 2019) & (s.measure == "received")].relation.eq("approx").all()
