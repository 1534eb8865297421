"""Golden tests: every real report with ground truth
is reproduced exactly by `python -m toolkit cells`."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from conftest import raw_file, truth, truth_stems

from toolkit.cli import main

pytestmark = pytest.mark.corpus

# exit code of `check`: 0 verified, 1 read but not verified (the source's own arithmetic, or blanks)
EXPECTED_EXIT = {
    "chaoyang-district-2022": 0,
    "huaian-city-2024": 0,
    "shanghai-gov-office-2019": 1,
    "pingtan-zone-2019": 0,
    "pingtan-zone-2020": 1,
    "pingtan-zone-2021": 0,
    "pingtan-zone-2022": 0,
    "pingtan-zone-2023": 0,
    "pingtan-zone-2024": 0,
    "pingtan-zone-2025": 0,
}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("stem", truth_stems() or ["(corpus absent)"])
def test_cells_equal_truth(stem, capsys, corpus):
    code, out, err = run(capsys, "cells", str(raw_file(stem)))
    assert code in (0, 1), err
    got = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(got.columns[:4]) == ["table", "row", "col", "value"]
    expected = truth(stem)
    merged = expected.merge(
        got, on=["table", "row", "col"], how="outer", suffixes=("_truth", "_got"), indicator=True
    )
    wrong = merged[(merged._merge != "both") | (merged.value_truth != merged.value_got)]
    assert wrong.empty, wrong[
        ["table", "row", "col", "value_truth", "value_got", "_merge"]
    ].to_string()


@pytest.mark.parametrize("stem", sorted(EXPECTED_EXIT))
def test_check_exit_code(stem, capsys, corpus):
    code, out, _ = run(capsys, "check", str(raw_file(stem)))
    assert code == EXPECTED_EXIT[stem], out


def test_pingtan_2020_names_its_arithmetic_error(capsys, corpus):
    code, out, _ = run(capsys, "check", str(raw_file("pingtan-zone-2020")))
    assert code == 1
    assert "inconsistent" in out
    assert (
        "results_sum (applications col:total) fails: the sum of 19 rows = 27 but total_handled = 21"
        in out
    )
    assert "col:natural_person) fails: the sum of 19 rows = 26 but total_handled = 20" in out


@pytest.mark.parametrize("year", range(2019, 2026))
def test_pingtan_ambiguous_proactive_cells_are_na_with_candidates(year, corpus):
    from toolkit import read_report

    report = read_report(raw_file(f"pingtan-zone-{year}"))
    cells = report.cells.set_index(["table", "row", "col"])
    expected = truth(f"pingtan-zone-{year}")
    blanks = expected[(expected.table == "proactive") & (expected.value == "")]
    assert len(blanks) > 0
    for rec in blanks.itertuples():
        assert pd.isna(cells.loc[(rec.table, rec.row, rec.col), "value"])
        assert cells.loc[(rec.table, rec.row, rec.col), "na_reason"] == "ambiguous"
    ambiguous = report.checks[report.checks.status == "ambiguous"]
    rows = set(blanks.row)
    assert {s.removeprefix("row:") for s in ambiguous.scope} == rows
    assert all(" reads as " in d and "|" in d for d in ambiguous.detail)


def test_normative_documents_candidates_are_listed(corpus):
    from toolkit import read_report

    report = read_report(raw_file("pingtan-zone-2021"))
    detail = report.checks.set_index("scope").loc["row:normative_documents", "detail"]
    assert detail.startswith("'")
    assert "reads as" in detail and "left NA" in detail


def test_chaoyang_wide_table_has_printed_labels(corpus):
    from toolkit import read_report

    report = read_report(raw_file("chaoyang-district-2022"))
    wide = report.table("applications")
    assert wide.loc["（四）无法提供 1.本机关不掌握相关政府信息", "总计"] == 779
    assert wide.loc["（七）总计", "自然人"] == 2042
    assert report.meta["agency"] == "北京市朝阳区人民政府"
    assert report.meta["year"] == 2022
    assert report.meta["formats"] == {
        "proactive": "2021",
        "applications": "2021",
        "appeals": "2021",
    }


def test_year_is_the_statistics_year_not_the_publication_year(corpus):
    from toolkit import read_report

    report = read_report(raw_file("pingtan-zone-2020"))  # published 2021-03-05
    assert report.meta["year"] == 2020
    assert report.meta["formats"]["applications"] == "2019"
