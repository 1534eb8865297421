"""Issue 14: figures a reviewer would accept -- Chinese in the user's own matplotlib cells, no
all-NA series in a legend, no line across a definition break, labels in the figure's language,
rotated labels under their bars, a margin above the tallest bar."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from toolkit.research import fonts, plots

YEARS = [2014, 2018, 2019, 2020, 2021]
SERIES = pd.DataFrame(
    {
        "agency": ["平潭综合实验区"] * 5,
        "year": YEARS,
        "value": [1.0, 0.0, 23.0, 21.0, 70.0],
        "unit": "requests",
        "measure": "received",
        "definition": ["fujian_pre2019"] * 2 + ["national_2019"] * 2 + ["national_2021"],
        "break_before": [False, False, True, False, True],
    }
)
LONG = "福建省平潭综合实验区管理委员会办公室政务公开科（行政服务中心）"


def test_use_cjk_makes_a_plain_figure_find_the_cjk_font():
    saved = matplotlib.rcParams.copy()
    try:
        plots.use_cjk()
        found = font_manager.findfont(
            font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
        )
        assert found == str(fonts.cjk_font_path())
        fig = Figure()  # a user's own figure, outside plots.style
        text = fig.text(0.5, 0.5, "本机关不掌握相关政府信息")
        assert font_manager.findfont(text.get_fontproperties()) == str(fonts.cjk_font_path())
    finally:
        matplotlib.rcParams.update(saved)


def _data_lines(ax):
    return [ln for ln in ax.get_lines() if ln.get_marker() == "o"]


def test_trend_never_draws_a_line_across_a_definition_break():
    fig = plots.trend(SERIES)
    ax = fig.axes[0]
    breaks = SERIES.year[SERIES.break_before]
    lines = _data_lines(ax)
    assert sorted(len(ln.get_xdata()) for ln in lines) == [1, 2, 2]  # 2014-18 | 2019-20 | 2021
    for ln in lines:
        xs = list(ln.get_xdata())
        assert not any(min(xs) < b <= max(xs) for b in breaks), xs
    assert ax.get_ylabel() == "件数"  # the unit 'requests' in Chinese on a Chinese figure


def test_trend_legend_drops_all_na_series_and_wraps_long_names():
    empty = SERIES.assign(agency="某县人民政府", value=None)
    frame = pd.concat([SERIES, SERIES.assign(agency=LONG), empty], ignore_index=True)
    fig = plots.trend(frame)
    legend = fig.axes[0].get_legend() or fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert "某县人民政府" not in labels
    assert labels[0] == "平潭综合实验区"
    assert labels[1].replace("\n", "") == LONG and "\n" in labels[1]
    assert labels[-1] == "统计口径变化"
    en = plots.trend(frame.assign(agency="reconsideration"), lang="en")
    en_labels = [t.get_text() for t in en.axes[0].get_legend().get_texts()]
    assert en_labels == ["Reconsideration", "definition changes"]
    assert en.axes[0].get_xlabel() == "Year"


def test_reason_bars_legend_speaks_the_figure_language_and_labels_sit_under_their_bars():
    bars = pd.DataFrame(
        {
            "agency": [f"平潭综合实验区 {y}" for y in range(2017, 2026)],
            "category": ["verified"] * 4 + ["inconsistent"] + ["verified"] * 4,
            "value": [30.0, 20.0, 40.0, 50.0, 19.0, 38.0, 34.0, 33.0, 25.0],
            "unit": "percent of handled requests",
        }
    )
    fig = plots.reason_bars(bars, x="agency")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["已核验", "不一致"]
    ticks = ax.get_xticklabels()
    assert {t.get_horizontalalignment() for t in ticks} == {"right"}
    assert {t.get_rotation_mode() for t in ticks} == {"anchor"}
    assert ax.get_ylim()[1] > 50.0 * 1.05  # room above the tallest bar
    en = plots.reason_bars(bars, x="agency", lang="en")
    assert [t.get_text() for t in en.axes[0].get_legend().get_texts()] == [
        "verified",
        "inconsistent",
    ]


@pytest.mark.parametrize("fn", [plots.trend, plots.reason_bars, plots.small_multiples])
def test_every_figure_validates_lang(fn):
    with pytest.raises(ValueError, match="lang='fr'; choose one of zh, en"):
        fn(SERIES.assign(category="x"), lang="fr")
