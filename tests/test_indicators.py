"""Indicators against values hand-computed from the truth files (../shared/corpus/truth)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import truth

from toolkit.research import harmonize
from toolkit.research import indicators as ind


def cells_of(*stems: str) -> pd.DataFrame:
    """Truth cells as the toolkit's tidy cells: numeric
    value, '' (a blank cell) as NA, with report_id."""
    frames = []
    for stem in stems:
        t = truth(stem)
        t["value"] = pd.array(pd.to_numeric(t.value.replace("", None)), dtype="Float64")
        frames.append(t.assign(report_id=stem))
    return pd.concat(frames, ignore_index=True)


def one(
    frame: pd.DataFrame, report_id: str | None = None, category: str | None = None
) -> pd.Series:
    sel = frame
    if report_id is not None:
        sel = sel[sel.report_id == report_id]
    if category is not None:
        sel = sel[sel.category == category]
    assert len(sel) == 1, sel
    return sel.iloc[0]


PINGTAN = [f"pingtan-zone-{y}" for y in range(2019, 2026)]


@pytest.mark.corpus
def test_chaoyang_not_held_share_is_779_of_2178():
    row = one(ind.not_held_share(cells_of("chaoyang-district-2022")))
    assert (row.numerator, row.denominator) == (779, 2178)
    assert row.value == pytest.approx(35.77, abs=0.005)  # the 35.8%
    assert row.unit.startswith("percent of handled requests")


@pytest.mark.corpus
def test_single_report_cells_need_no_report_id():
    cells = cells_of("huaian-city-2024").drop(columns="report_id")
    out = ind.not_held_share(cells)
    assert "report_id" not in out and len(out) == 1
    assert out.value.iloc[0] == pytest.approx(100 * 769 / 3050)


@pytest.mark.corpus
def test_disclosure_rate_is_granted_plus_partial_over_handled():
    row = one(ind.disclosure_rate(cells_of("chaoyang-district-2022")))
    assert row.numerator == 695 + 88 and row.value == pytest.approx(100 * 783 / 2178)


@pytest.mark.corpus
def test_a_blank_cell_is_never_a_zero():
    """Shanghai 2019 leaves the 总计 column blank: the rates are NA and say why, not 0."""
    cells = cells_of("shanghai-gov-office-2019")
    row = one(ind.not_held_share(cells))
    assert pd.isna(row.value) and pd.isna(row.numerator) and row.denominator == 805
    assert "unavailable_not_held.total blank" in row.note
    assert pd.isna(one(ind.withholding_rate(cells)).value)


@pytest.mark.corpus
def test_zero_denominator_gives_na():
    rows = ind.correction_rate(cells_of("pingtan-zone-2019"))
    row = one(rows, category="reconsideration")
    assert pd.isna(row.value) and row.note == "denominator is 0"


@pytest.mark.corpus
def test_withholding_mix_pingtan_2024():
    mix = ind.withholding_mix(cells_of("pingtan-zone-2024"))
    assert mix.denominator.unique().tolist() == [39]  # 4 + 3 + 32
    assert one(mix, category="withheld_internal_affairs").value == pytest.approx(100 * 32 / 39)
    assert mix.value.sum() == pytest.approx(100)


@pytest.mark.corpus
def test_other_is_comparable_across_2019_and_2021_formats():
    cells = cells_of("pingtan-zone-2020", "pingtan-zone-2025")
    share = ind.other_share(cells)
    assert one(share, "pingtan-zone-2020").numerator == 4  # the 2019 format's single row
    assert one(share, "pingtan-zone-2025").numerator == 8 + 2 + 1  # three 2021 rows, derived
    mix = ind.other_mix(cells)
    assert one(mix, "pingtan-zone-2025", "other_no_correction").value == pytest.approx(100 * 8 / 11)
    assert pd.isna(one(mix, "pingtan-zone-2020", "other_no_correction").value)
    assert "not in the report" in one(mix, "pingtan-zone-2020", "other_no_correction").note


@pytest.mark.corpus
def test_appeals_huaian_2024():
    cells = cells_of("huaian-city-2024")
    per100 = ind.appeals_per_100(cells)
    assert one(per100, category="reconsideration").value == pytest.approx(100 * 351 / 3050)
    assert one(per100, category="litigation").value == pytest.approx(100 * (26 + 20) / 3050)
    corr = ind.correction_rate(cells)
    assert one(corr, category="reconsideration").value == pytest.approx(100 * 64 / (72 + 64 + 178))
    assert one(corr, category="litigation").value == pytest.approx(
        100 * (4 + 1) / (13 + 4 + 8 + 12 + 1 + 1)
    )


@pytest.mark.corpus
def test_applicants_and_carry_over_chaoyang():
    cells = cells_of("chaoyang-district-2022")
    mix = ind.applicant_mix(cells)
    assert one(mix, category="natural_person").value == pytest.approx(100 * 2061 / 2209)
    assert one(mix, category="organisations").numerator == 2209 - 2061
    carry = ind.carry_over(cells)
    assert one(carry, category="carried_over").value == pytest.approx(100 * 139 / (2209 + 139))
    assert one(carry, category="carried_forward").value == pytest.approx(100 * 170 / (2209 + 139))


@pytest.mark.corpus
def test_grouped_results_are_ratios_of_sums():
    cells = cells_of(*PINGTAN, "shanghai-gov-office-2019")
    reports = pd.DataFrame(
        {
            "report_id": PINGTAN + ["shanghai-gov-office-2019"],
            "agency": ["平潭综合实验区"] * 7 + ["上海市人民政府办公厅"],
        }
    )
    out = ind.not_held_share(cells, by="agency", reports=reports).set_index("agency")
    assert out.loc["平潭综合实验区", "numerator"] == 7 + 4 + 25 + 37 + 31 + 75 + 50
    assert out.loc["平潭综合实验区", "denominator"] == 23 + 21 + 69 + 75 + 81 + 218 + 148
    assert out.loc["平潭综合实验区", "n_reports"] == 7
    assert (
        pd.isna(out.loc["上海市人民政府办公厅", "value"])
        and out.loc["上海市人民政府办公厅", "n_excluded"] == 1
    )


@pytest.mark.corpus
def test_all_indicators_carry_units():
    out = ind.all_indicators(cells_of("chaoyang-district-2022"))
    assert out.unit.notna().all() and (out.unit != "").all()
    assert set(out.indicator) == {fn.__name__ for fn in ind.ALL}


def tiny(**values) -> pd.DataFrame:
    rows = [("applications", *key.split("__"), v) for key, v in values.items()]
    df = pd.DataFrame(rows, columns=["table", "row", "col", "value"])
    df["value"] = pd.array(df.value, dtype="Float64")
    return df


def test_derived_other_is_na_when_a_part_is_blank():
    cells = tiny(other_no_correction__total=1, other_no_fee__total=None, other_other__total=2)
    out = harmonize.add_other(cells)
    derived = out[out.derived]
    assert len(derived) == 1 and pd.isna(derived.value.iloc[0])
    full = harmonize.add_other(
        tiny(other_no_correction__total=1, other_no_fee__total=0, other_other__total=2)
    )
    assert full[full.derived].value.iloc[0] == 3


@pytest.mark.parametrize("seed", range(6))
def test_other_values_is_add_other_for_one_report(seed):
    """harmonize keeps the 其他处理 rule twice (a frame
    of many reports, a dict of one): they must agree."""
    from toolkit.extract.validate import cell_values
    from toolkit.testing.render import random_cells

    cells = random_cells(seed, fmt="2021")
    if seed % 2:  # a blank part makes the derived cell NA
        cells.loc[(cells.row == "other_no_fee") & (cells["col"] == "total"), "value"] = pd.NA
    derived = harmonize.add_other(cells)
    want = cell_values(derived[derived.derived])
    assert len(want) == 7 and harmonize.other_values(cell_values(cells)) == want
    assert harmonize.other_values(cell_values(random_cells(seed, fmt="2019"))) == {}


def test_caller_mistakes_raise_with_the_allowed_values():
    cells = tiny(total_handled__total=10, unavailable_not_held__total=2)
    with pytest.raises(ValueError, match="lack column"):
        ind.not_held_share(cells.drop(columns="value"))
    with pytest.raises(ValueError, match="reports frame"):
        ind.not_held_share(cells, by="agency")
    with pytest.raises(ValueError, match="total_handled"):
        ind.appeals_per_100(cells, per="population")
    with pytest.raises(ValueError, match="duplicate"):
        ind.not_held_share(pd.concat([cells, cells]))


def test_tiny_share_by_hand():
    row = ind.not_held_share(tiny(total_handled__total=8, unavailable_not_held__total=2)).iloc[0]
    assert row.value == 25.0 and row.note == ""
