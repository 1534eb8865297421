"""Issue 14, "a researcher's first hour": pre-2019 tables reachable, short summaries instead of
dumped frames, caller mistakes named, and a loaded dataset that says where it came from."""

from __future__ import annotations

import pytest
from conftest import ROOT, raw_file

import toolkit
from toolkit.cli import main


@pytest.fixture(scope="module")
def legacy_report():
    return toolkit.read_report(raw_file("pingtan-zone-2014"))


@pytest.fixture(scope="module")
def seed_report():
    return toolkit.read_report(raw_file("chaoyang-district-2022"))


def test_pre2019_report_knows_its_own_tables(legacy_report):
    assert legacy_report.tables() == [
        "legacy_proactive",
        "legacy_applications",
        "legacy_appeals",
    ]
    wide = legacy_report.table("legacy_applications", lang="en")
    assert wide.loc["received", "year"] == 1
    assert wide.loc["granted", "cumulative"] == 1
    assert str(wide["year"].dtype) == "Int64"  # a count shows as 1, not 1.0
    zh = legacy_report.table("legacy_proactive")
    assert zh.loc["主动公开信息数", "本年"] == 2543
    assert zh.loc["主动公开信息数", "累计"] == 78967


def test_asking_for_a_table_the_report_lacks_lists_the_ones_it_has(legacy_report):
    with pytest.raises(ValueError, match="legacy_proactive, legacy_applications, legacy_appeals"):
        legacy_report.table("applications")  # used to return an empty frame silently


def test_lang_is_validated_with_the_allowed_values(seed_report):
    with pytest.raises(ValueError, match=r"lang='fr'; choose one of zh, en"):
        seed_report.table("applications", lang="fr")


def test_report_repr_summarises_instead_of_dumping(seed_report):
    text = repr(seed_report)
    assert "北京市朝阳区人民政府" in text and "verified" in text
    assert "applications (2021)" in text and "ok 45" in text
    assert len(text.splitlines()) < 12 and "natural_person" not in text
    html = seed_report._repr_html_()
    assert html.startswith("<b>Report</b><table>") and "verified" in html


def test_show_prints_legacy_tables(capsys, legacy_report):
    code = main(["show", str(raw_file("pingtan-zone-2014"))])
    out = capsys.readouterr().out
    assert code == 0
    assert "[legacy_applications] format pre2019" in out
    assert "受理依申请公开信息总数" in out


def test_show_counts_checks_by_outcome_and_never_calls_a_note_a_failure(capsys):
    main(["show", str(raw_file("chaoyang-district-2022"))])
    out = capsys.readouterr().out
    assert "checks: 45 hold, 1 note:" in out
    assert "not all" not in out


def test_loaded_dataset_says_where_it_came_from():
    ds = toolkit.load_dataset(ROOT / "data" / "processed")
    line = ds.summary()
    assert "cache 0 hits" not in line
    assert f"loaded from {ROOT / 'data' / 'processed'}" in line
    assert f"{len(ds.reports)} reports" in line
    n_verified = int((ds.reports.status == "verified").sum())
    assert f"{n_verified} verified" in line
    text = repr(ds)
    assert text.startswith("<Dataset>") and len(text.splitlines()) < 10
    assert "report_id" not in text  # no frame dumped
    assert ds._repr_html_().startswith("<b>Dataset</b>")
