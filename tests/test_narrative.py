"""Prose figures against the tables (and boilerplate shared between reports' prose)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import raw_file, truth

from toolkit.extract import narrative
from toolkit.extract.pre2019 import read_legacy
from toolkit.extract.validate import CHECK_COLUMNS
from toolkit.readers import read_document
from toolkit.research import similarity


def text(stem: str) -> str:
    return read_document(raw_file(stem)).text


def cells(stem: str) -> pd.DataFrame:
    t = truth(stem)
    t["value"] = pd.array(pd.to_numeric(t.value.replace("", None)), dtype="Float64")
    return t


def row(checks: pd.DataFrame, check: str) -> pd.Series:
    hit = checks[checks.check == check]
    assert len(hit) == 1, checks[["check", "status", "detail"]]
    return hit.iloc[0]


@pytest.mark.corpus
def test_pingtan_2022_text_75_requests_table_74():
    checks = narrative.checks(text("pingtan-zone-2022"), cells("pingtan-zone-2022"))
    assert list(checks.columns) == CHECK_COLUMNS
    got = row(checks, "narrative_received")
    assert (got.lhs, got.rhs, got["diff"], got.status) == (75, 74, 1, "failed")
    assert row(checks, "narrative_received_natural_person").rhs == 71
    assert row(checks, "narrative_all_closed_reconsideration").status == "ok"


@pytest.mark.corpus
def test_shanghai_2019_says_every_appeal_upheld_but_two_are_pending():
    checks = narrative.checks(text("shanghai-gov-office-2019"), cells("shanghai-gov-office-2019"))
    got = row(checks, "narrative_all_upheld_reconsideration")
    assert (got.lhs, got.rhs, got.status) == (5, 7, "failed")
    assert row(checks, "narrative_received").status == "ok"
    assert row(checks, "narrative_disclosed").status == "not_evaluable"  # the 总计 column is blank


@pytest.mark.corpus
def test_fees_under_other_matters():
    found = narrative.facts(text("chaoyang-district-2022")).set_index("item").value
    assert (found["fee_notices"], found["fee_billed"], found["fee_collected"]) == (16, 1653, 240)
    checks = narrative.checks(text("chaoyang-district-2022"), cells("chaoyang-district-2022"))
    assert (
        row(checks, "narrative_fee_notices_ge_unpaid").rhs == 14
    )  # other_no_fee: 14 requests dropped
    assert row(checks, "narrative_fee_collected_le_billed").status == "ok"


@pytest.mark.corpus
def test_huaian_appeal_outcomes_agree():
    checks = narrative.checks(text("huaian-city-2024"), cells("huaian-city-2024"))
    for check, v in {
        "narrative_reconsideration": 351,
        "narrative_reconsideration_corrected": 64,
        "narrative_litigation": 46,
        "narrative_litigation_pending": 7,
    }.items():
        assert row(checks, check).lhs == v and row(checks, check).status == "ok"


@pytest.mark.corpus
def test_pre2019_prose_against_the_legacy_table():
    legacy_cells, _ = read_legacy(read_document(raw_file("pingtan-zone-2013")))
    checks = narrative.checks(text("pingtan-zone-2013"), legacy_cells)
    assert (
        row(checks, "narrative_reconsideration").lhs,
        row(checks, "narrative_reconsideration").rhs,
    ) == (1, 0)
    assert row(checks, "narrative_proactive_total").status == "failed"  # 4970 vs 72804
    assert row(checks, "narrative_received").status == "ok"  # 未收到 … 申请: 0


@pytest.mark.corpus
def test_service_hall_applications_are_not_information_requests():
    """Zone 2014–2015: 共受理申请121510件 counts permit applications at a service hall."""
    for stem in ("pingtan-zone-2014", "pingtan-zone-2015"):
        found = narrative.facts(text(stem))
        assert not found.value.isin([121510, 136437]).any()


def test_appeal_sentence_is_not_a_request_count():
    found = narrative.facts(
        "2020年驼峰路街道办未发生因政府信息公开申请提起的行政复议和行政诉讼案件。"
    )
    assert set(found.item) == {"reconsideration", "litigation"} and (found.value == 0).all()


def test_hotline_cases_are_not_requests_handled():
    found = narrative.facts(
        "对网民的咨询投诉件及时处理并反馈，截至目前共收到15564件咨询投诉件，已办结15042件。"
    )
    assert found.empty


def test_figure_without_a_table_cell_is_not_evaluable():
    checks = narrative.checks(
        "全年共收到政府信息公开申请12件。", pd.DataFrame(columns=["table", "row", "col", "value"])
    )
    assert row(checks, "narrative_received").status == "not_evaluable"


@pytest.mark.corpus
def test_zone_2011_is_mostly_the_county_report_relabelled():
    stems = ["pingtan-zone-2011", "pingtan-county-2011", "pingtan-zone-2021"]
    texts = {s: text(s) for s in stems}
    pairs = pd.DataFrame(
        {
            "report_id": ["pingtan-zone-2011", "pingtan-zone-2011"],
            "neighbour_id": ["pingtan-county-2011", "pingtan-zone-2021"],
            "relation": "test",
        }
    )
    scores = similarity.pair_scores(texts, pairs).set_index("neighbour_id").containment
    assert scores["pingtan-county-2011"] > 75 > 30 > scores["pingtan-zone-2021"]


def test_boilerplate_ignores_digits_and_table_labels():
    a = "本年度全区共收到70件申请，及时依法依规办结69件。我们将进一步加强政务公开标准化规范化建设。"
    b = "本年度全区共收到75件申请，及时依法依规办结74件。我们将进一步加强政务公开标准化规范化建设。"
    reports = pd.DataFrame({"report_id": ["a", "b"], "agency": "x", "year": [2021, 2022]})
    out = similarity.boilerplate({"a": a, "b": b}, reports).set_index("report_id")
    assert out.loc["b", "boilerplate_score"] == 100 and out.loc["b", "closest"] == "a"
    assert pd.isna(out.loc["a", "boilerplate_score"])  # no earlier report to copy from
    assert not similarity.shingles("四、结转下年度继续办理")
    with pytest.raises(ValueError, match="no text"):
        similarity.pair_scores({"a": a}, pd.DataFrame({"report_id": ["a"], "neighbour_id": ["zz"]}))
