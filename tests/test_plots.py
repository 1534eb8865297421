"""Figures render Chinese with the toolkit's own font, in
PNG, SVG and PDF (and the quality scorecard they show)."""

from __future__ import annotations

import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib import ft2font

from toolkit.research import fonts, plots, quality

SERIES = pd.DataFrame(
    {
        "agency": ["平潭综合实验区"] * 5,
        "year": [2014, 2018, 2019, 2020, 2021],
        "value": [0.0, None, 30.4, 19.0, 36.2],
        "lower": [0.0, None, None, None, None],
        "upper": [0.0, None, None, None, None],
        "unit": "percent of handled requests",
        "definition": [
            "fujian_pre2019",
            "fujian_pre2019",
            "national_2019",
            "national_2019",
            "national_2021",
        ],
        "break_before": [False, False, True, False, True],
        "measure": "not_held_share",
    }
)


def drawn_strictly(fig, tmp_path, name="fig", formats=("png", "svg", "pdf")):
    """Save while turning matplotlib's 'Glyph … missing from font' warning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        return plots.save(fig, tmp_path / name, formats=formats)


def test_style_uses_the_bundled_cjk_font_and_restores_settings():
    before = list(matplotlib.rcParams["font.family"])
    with plots.style("zh"):
        assert matplotlib.rcParams["font.family"][0] == plots.font_family()
    assert list(matplotlib.rcParams["font.family"]) == before
    font = ft2font.FT2Font(str(fonts.cjk_font_path()))
    labels = [
        plots.name(c)
        for c in ("not_held_share", "withheld_third_party", "definition_change", "correction_rate")
    ]
    assert all(ord(ch) in font.get_charmap() for ch in "".join(labels) if not ch.isspace())


def test_labels_switch_language():
    assert plots.name("unavailable_not_held", "zh") == "1.本机关不掌握相关政府信息"
    assert plots.name("unavailable_not_held", "en") == "information not held by this agency"
    assert plots.name("year", "en") == "Year"
    with pytest.raises(ValueError, match="zh, en"):
        plots.name("year", "fr")


def test_label_of_a_shared_code_follows_its_table():
    """Bug: `other` was always 其他处理 (applications),
    also in an appeals legend where it is 其他结果."""
    assert plots.name("other", table="appeals") == "其他结果"
    assert plots.name("other", "en", table="appeals") == "Other outcome"
    assert (
        plots.name("other", table="applications") == "（六）其他处理"
        and plots.name("other") == "其他处理"
    )


def test_labelled_reports_carry_short_names_and_year_labels():
    reports = pd.DataFrame(
        {
            "agency": ["北京市朝阳区人民政府 (Chaoyang District)", "平潭综合实验区管委会", None],
            "year": pd.array([2022, 2019, None], dtype="Int64"),
        }
    )
    out = plots.labelled(reports)
    assert out.short.tolist()[:2] == ["北京市朝阳区人民政府", "平潭综合实验区管委会"]
    assert out.label.tolist()[:2] == ["北京市朝阳区人民政府 2022", "平潭综合实验区管委会 2019"]
    assert out.label.isna().tolist() == [
        False,
        False,
        True,
    ]  # no agency or year: no label, not "nan"
    with pytest.raises(ValueError, match="lacks column"):
        plots.labelled(reports[["agency"]])


def test_trend_marks_breaks_and_saves_three_formats(tmp_path):
    fig = plots.trend(SERIES, lang="zh")
    ax = fig.axes[0]
    assert ax.get_title() == plots.name("not_held_share")
    dashed = [
        ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and len(ln.get_xdata()) == 2
    ]
    assert sorted(ln.get_xdata()[0] for ln in dashed) == [2018.5, 2020.5]
    paths = drawn_strictly(fig, tmp_path, "trend")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 5000 for p in paths)
    assert "<text" not in paths[1].read_text()  # SVG text as outlines: no font needed to view it


def test_english_figure_and_reason_bars(tmp_path):
    mix = pd.DataFrame(
        {
            "year": [2023] * 2 + [2024] * 2,
            "category": ["withheld_third_party", "withheld_query_matter"] * 2,
            "value": [20.0, 80.0, 50.0, 50.0],
            "unit": "percent of withheld requests",
            "indicator": "withholding_mix",
        }
    )
    fig = plots.reason_bars(mix, x="year", lang="en")
    assert len(fig.axes[0].patches) == 4
    drawn_strictly(fig, tmp_path, "bars", formats=("png",))
    with pytest.raises(ValueError, match="one bar"):
        plots.reason_bars(pd.concat([mix, mix]), x="year")


def test_small_multiples_one_panel_per_agency(tmp_path):
    frame = pd.concat([SERIES, SERIES.assign(agency="平潭县人民政府")])
    fig = plots.small_multiples(frame, by="agency", ncols=2)
    assert sum(ax.get_visible() for ax in fig.axes) == 2
    drawn_strictly(fig, tmp_path, "multi", formats=("png",))


def test_scorecard_and_heatmap(tmp_path):
    checks = pd.DataFrame(
        {
            "report_id": ["a", "a", "a", "b", "b"],
            "check": ["balance", "applicant_sum", "narrative_received", "balance", "legacy_table"],
            "status": ["ok", "failed", "failed", "not_evaluable", "note"],
        }
    )
    reports = pd.DataFrame(
        {
            "report_id": ["a", "b"],
            "agency": ["甲", "甲"],
            "year": [2020, 2021],
            "status": ["inconsistent", "partial"],
        }
    )
    per = quality.report_quality(checks, reports).set_index("report_id")
    assert per.loc["a", "score"] == 50 and per.loc["a", "narrative_agreement"] == 0
    assert per.loc["b", "score"] == 0 and per.loc["b", "checks"] == 1  # notes are not counted
    card = quality.scorecard(checks, reports).set_index("agency")
    assert card.loc["甲", "reports"] == 2 and card.loc["甲", "score"] == pytest.approx(100 / 3)
    assert card.loc["甲", "worst_report"] == "b" and card.loc["甲", "reports_inconsistent"] == 1
    assert (
        card.loc["甲", "failed"] == 1
    )  # failed checks, not overwritten by the count of failed reports
    fig = plots.quality_heatmap(per.reset_index())
    drawn_strictly(fig, tmp_path, "heat", formats=("png",))


def test_manifest_checks_do_not_score_a_report():
    """Bug: an excerpt whose only checks were `year` and
    `source_hash` scored 100 (nothing in it was checked)."""
    checks = pd.DataFrame(
        {
            "report_id": ["a", "a", "b", "b", "b"],
            "check": ["year", "source_hash", "year", "source_hash", "balance"],
            "status": ["ok", "ok", "not_evaluable", "failed", "ok"],
        }
    )
    per = quality.report_quality(checks).set_index("report_id")
    assert per.loc["a", "checks"] == 0 and pd.isna(per.loc["a", "score"])
    assert per.loc["b", "checks"] == 1 and per.loc["b", "score"] == 100
