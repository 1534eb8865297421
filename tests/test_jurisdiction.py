"""Jurisdiction codes (GB/T 2260) and agency types, from the agency's name: renamed and abolished
divisions, ambiguous names, annotations, and the corpus built without a manifest."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.extract.jurisdiction import clean_name, divisions, identity, province_named, resolve


@pytest.mark.parametrize(
    ("name", "year", "adcode", "level", "kind"),
    [
        ("北京市朝阳区人民政府", 2022, "110105", "county", "government"),
        ("淮安市人民政府", 2024, "320800", "prefecture", "government"),
        ("平潭综合实验区", 2020, "350128", "other", "zone"),
        ("上海市人民政府办公厅", 2019, "310000", "province", "general_office"),
        ("湛江市徐闻县司法局", 2023, "440825", "county", "department"),
        ("桃江县松木塘镇人民政府", 2022, "430922", "township", "township"),
        ("湛江市人民政府地方志办公室", 2023, "440800", "prefecture", "department"),
    ],
)
def test_names_resolve_to_their_code_level_and_kind(name, year, adcode, level, kind):
    out = resolve(name, year)
    assert (out["adcode"], out["level"], out["agency_type"]) == (adcode, level, kind)
    assert out["reasons"] == []


def test_names_of_the_divisions_come_from_the_same_data():
    out = resolve("北京市朝阳区人民政府", 2022)
    assert (out["province"], out["prefecture"], out["county"]) == ("北京市", None, "朝阳区")
    out = resolve("桃江县松木塘镇人民政府", 2022)
    assert (out["province"], out["prefecture"], out["county"]) == ("湖南省", "益阳市", "桃江县")


def test_a_renamed_division_gives_the_code_valid_in_the_reports_year():
    # 玉环县 (331021) became 玉环市 (331083) on 2017-04-09; 襄樊市 became 襄阳市 in 2010, same code
    assert resolve("玉环县人民政府", 2016)["adcode"] == "331021"
    assert resolve("玉环市人民政府", 2018)["adcode"] == "331083"
    gone = resolve("玉环县人民政府", 2018)
    assert gone["adcode"] is None
    assert gone["reasons"] == ["玉环县 (331021) was not a division in 2018 (valid … to 2017-04-09)"]
    assert resolve("襄樊市人民政府", 2009)["prefecture"] == "襄樊市"
    assert resolve("襄阳市人民政府", 2012)["prefecture"] == "襄阳市"
    # 邢台县 was merged into 信都区 (130503) on 2020-06-05
    assert resolve("邢台市邢台县人民政府", 2019)["adcode"] == "130521"
    assert resolve("邢台市信都区人民政府", 2021)["adcode"] == "130503"


def test_an_ambiguous_name_gives_na_with_the_candidates_never_a_guess():
    out = resolve("朝阳区人民政府", 2022)
    assert out["adcode"] is None and out["province"] is None
    assert out["reasons"] == ["'朝阳区' names more than one division (110105, 220104)"]
    assert out["agency_type"] == "government"
    # a province named elsewhere (the manifest) chooses between them
    assert resolve("朝阳区人民政府", 2022, province="吉林")["adcode"] == "220104"


def test_annotations_are_never_kept_as_names():
    assert clean_name("长春市退役军人事务局 (inferred from URL styjrswj; page says 我局)") == (
        "长春市退役军人事务局"
    )
    assert clean_name("unknown (probably 陕西)") is None
    assert clean_name("雄县某乡 (not named)") is None
    assert clean_name("陕西(西咸新区)") == "陕西"


def test_a_manifest_that_contradicts_the_document_is_a_note():
    ident, notes = identity({"agency": "淮安市人民政府", "year": 2024}, {"province": "江西"})
    assert ident["adcode"] == "320800"
    assert notes == ["the manifest's province 江西 is not the agency's 江苏省"]
    ident, notes = identity(
        {"agency": "淮安市人民政府", "year": 2024}, {"agency": "北京市朝阳区人民政府"}
    )
    assert ident["adcode"] == "110105"
    assert notes == [
        "the manifest's agency 北京市朝阳区人民政府 (110105) is not the document's "
        "淮安市人民政府 (320800)"
    ]


def test_division_codes_are_six_digits_and_unique_per_vintage():
    rows = divisions()
    assert len(rows) > 3000
    assert all(len(d.adcode) == 6 and d.adcode.isdigit() for d in rows)
    current = [(d.adcode, d.name) for d in rows if not d.valid_to]
    assert len(current) == len(set(current))


@pytest.mark.corpus
def test_the_corpus_without_a_manifest_gives_the_four_codes(corpus, tmp_path):
    names = [
        "chaoyang-district-2022.txt",
        "huaian-city-2024.pdf",
        "pingtan-zone-2020.txt",
        "shanghai-gov-office-2019.html",
        "partial-xixian-taiping-town-2022.txt",
        "partial-ipsite-district-statistics-bureau-2023.txt",
    ]
    ds = toolkit.read_corpus(
        [corpus / "raw" / n for n in names], cache=tmp_path, progress=False, workers=2
    )
    rep = ds.reports.set_index("file")
    assert rep.adcode[names[:4]].tolist() == ["110105", "320800", "350128", "310000"]
    assert rep.agency_type[names[:4]].tolist() == [
        "government",
        "government",
        "zone",
        "general_office",
    ]
    # every report whose agency is named resolves or carries a reason in checks
    unresolved = rep[rep.adcode.isna()]
    assert set(unresolved.index) == set(names[4:])
    notes = ds.checks[(ds.checks.check == "identity") & (ds.checks.scope == "adcode")]
    assert set(notes.report_id) == set(unresolved.report_id)
    assert pd.isna(rep.loc["partial-xixian-taiping-town-2022.txt", "prefecture"])
    assert rep.loc["partial-xixian-taiping-town-2022.txt", "level"] == "township"


def test_a_province_named_in_the_text_chooses_between_divisions_of_one_name():
    text = "朝阳区人民政府2022年政府信息公开工作年度报告\n根据北京市政务服务管理局的要求……"
    assert province_named(text) == "北京市"
    ident, notes = identity({"agency": "朝阳区人民政府", "year": 2022, "province_named": "北京市"})
    assert (ident["adcode"], notes) == ("110105", [])
    # two provinces named: no hint, so the name stays ambiguous
    assert province_named("北京市 … 吉林省") is None
    assert identity({"agency": "朝阳区人民政府", "year": 2022})[0]["adcode"] is None


@pytest.mark.corpus
def test_a_manifest_contradicting_the_document_is_a_checks_note_in_the_dataset(corpus, tmp_path):
    manifest = pd.DataFrame(
        {
            "file": ["chaoyang-district-2022.txt"],
            "agency": ["北京市朝阳区人民政府 (from the URL)"],
            "province": ["吉林"],
        }
    )
    ds = toolkit.read_corpus(
        [corpus / "raw" / "chaoyang-district-2022.txt"],
        manifest=manifest,
        cache=tmp_path,
        progress=False,
        workers=1,
    )
    rep = ds.reports.iloc[0]
    assert (rep.agency, rep.adcode, rep.province) == ("北京市朝阳区人民政府", "110105", "北京市")
    note = ds.checks[(ds.checks.check == "identity") & (ds.checks.scope == "manifest")].iloc[0]
    assert (note.status, note.detail) == (
        "note",
        "the manifest's province 吉林 is not the agency's 北京市",
    )
