"""Figures for papers: one style, Chinese that renders on a fresh machine, zh/en labels, PNG plus
SVG/PDF.

Every function takes a tidy frame (from :mod:`toolkit.research.indicators`,
:func:`toolkit.research.harmonize.series` or :mod:`toolkit.research.quality`), draws inside
:func:`style`, and returns the matplotlib Figure; :func:`save` writes it in several formats. The CJK
font is the toolkit's own Noto Sans CJK SC (:func:`toolkit.research.fonts.cjk_font_path`, OFL,
shipped by a PyPI package), so no system font is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from toolkit import schema
from toolkit.research import fonts

LANGS = ("zh", "en")
# Okabe-Ito
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
NAMES = {
    "not_held_share": (
        "答复“本机关不掌握相关政府信息”的占比",
        "Share answered ‘information not held’",
    ),
    "disclosure_rate": (
        "公开率（予以公开＋部分公开）",
        "Disclosure rate (granted in full or in part)",
    ),
    "withholding_rate": ("不予公开占比", "Withholding rate"),
    "withholding_mix": ("不予公开的理由构成", "Grounds for withholding"),
    "unavailable_share": ("无法提供占比", "Share answered ‘cannot provide’"),
    "unavailable_mix": ("无法提供的理由构成", "Grounds for ‘cannot provide’"),
    "rejected_share": ("不予处理占比", "Share not processed"),
    "rejected_mix": ("不予处理的理由构成", "Grounds for not processing"),
    "other_share": ("其他处理占比", "Share closed otherwise"),
    "other_mix": ("其他处理的构成", "Other handling, by kind"),
    "applicant_mix": ("申请人构成", "Applicants"),
    "appeals_per_100": ("每百件申请的行政复议与诉讼", "Appeals per 100 requests"),
    "correction_rate": ("纠错率（结果纠正／已审结）", "Correction rate (corrected / decided)"),
    "carry_over": ("结转率", "Carry-over rates"),
    "score": ("数据质量得分", "Data-quality score"),
    "year": ("年份", "Year"),
    "agency": ("机关", "Agency"),
    "percent": ("百分比（%）", "Percent"),
    "definition_change": ("统计口径变化", "definition changes"),
    "organisations": ("法人或其他组织", "Organisations"),
    "reconsideration": ("行政复议", "Reconsideration"),
    "litigation": ("行政诉讼", "Litigation"),
    "carried_over": ("上年结转", "Carried in"),
    "carried_forward": ("结转下年度", "Carried forward"),
    "other": ("其他处理", "Other handling"),
}


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}; choose one of {', '.join(LANGS)}")


@cache
def font_family() -> str:
    """Register the toolkit's CJK font with matplotlib (once) and return its family name."""
    path = fonts.cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def rc(lang: str = "zh") -> dict:
    """The toolkit's matplotlib settings: CJK font first, colour-blind palette, text kept as
    outlines in SVG.
    """
    _check_lang(lang)
    return {
        "font.family": [font_family(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 12,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    }


@contextmanager
def style(lang: str = "zh") -> Iterator[None]:
    """Draw (and save) inside this to get the toolkit's look; matplotlib's settings are restored on
    exit.
    """
    with matplotlib.rc_context(rc(lang)):
        yield


def name(code: str, lang: str = "zh", *, table: str | None = None) -> str:
    """A label for an indicator, measure, category or schema code in the chosen language.

    Codes shared by tables mean different things (``other`` is 其他处理 in ``applications`` and
    其他结果 in ``appeals``): pass ``table`` to choose; without it the first table of the code list
    is used.
    """
    _check_lang(lang)
    codes = schema.codes()
    hit = (
        codes[(codes.code == code) & (codes.table == table)]
        if table is not None
        else codes.iloc[:0]
    )
    if hit.empty and code in NAMES:
        return NAMES[code][LANGS.index(lang)]
    hit = hit if not hit.empty else codes[codes.code == code]
    if hit.empty:
        return code
    text = hit.iloc[0]["label_zh" if lang == "zh" else "label_en"]
    text = re.sub(r"\s*\(2019:.*\)$", "", text)
    return text.split()[-1] if lang == "zh" else text.split(": ")[-1]


def labelled(reports: pd.DataFrame) -> pd.DataFrame:
    """`reports` with `short`, the agency without its bracketed gloss (北京市朝阳区人民政府), and
    `label`, the short name and the year, for table indexes and axes."""
    _need(reports, ["agency", "year"])
    short = reports.agency.str.replace(r"\s*\(.*$", "", regex=True)
    return reports.assign(short=short, label=short + " " + reports.year.astype("string"))


def unit_label(unit: str, lang: str = "zh") -> str:
    """Axis label for a unit string of :mod:`toolkit.research.indicators`."""
    if lang == "en":
        return unit
    if unit.startswith("percent"):
        return NAMES["percent"][0]
    if unit.startswith("cases per 100"):
        return "每百件申请的案件数"
    return unit


def _figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 3.6, **kw):
    fig = Figure(
        figsize=(width * ncols**0.5 if ncols > 1 else width, height * nrows), layout="constrained"
    )
    return fig, fig.subplots(nrows, ncols, squeeze=False, **kw)


def _draw_series(ax, frame: pd.DataFrame, x: str, y: str, group: str | None, lang: str) -> None:
    """Lines with markers; bounds as whiskers; hollow markers where the definition is not the
    national one.
    """
    groups = frame.groupby(group, sort=True) if group else [("", frame)]
    for i, (key, g) in enumerate(groups):
        g = g.sort_values(x)
        colour = PALETTE[i % len(PALETTE)]
        vals = pd.to_numeric(g[y], errors="coerce").astype(float)
        ax.plot(
            g[x], vals, marker="o", color=colour, label=str(key) if group else None, linewidth=1.5
        )
        if {"lower", "upper"} <= set(g.columns):
            lo = pd.to_numeric(g.lower, errors="coerce").astype(float)
            hi = pd.to_numeric(g.upper, errors="coerce").astype(float)
            has = lo.notna() & hi.notna() & vals.isna()
            ax.vlines(g[x][has], lo[has], hi[has], color=colour, linewidth=3, alpha=0.4)
            ax.scatter(g[x][has], lo[has], marker="_", color=colour)
        if "definition" in g:
            legacy = g.definition.fillna("").str.startswith("fujian")
            ax.scatter(
                g[x][legacy],
                vals[legacy],
                marker="o",
                facecolor="white",
                edgecolor=colour,
                zorder=3,
            )
        if "break_before" in g:
            for xb in g[x][g.break_before.fillna(False).astype(bool)]:
                ax.axvline(xb - 0.5, color="grey", linestyle="--", linewidth=0.8)
    if "break_before" in frame and frame.break_before.fillna(False).astype(bool).any():
        ax.plot(
            [],
            [],
            color="grey",
            linestyle="--",
            linewidth=0.8,
            label=name("definition_change", lang),
        )


def trend(
    frame: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "value",
    group: str | None = "agency",
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """An indicator over time, one line per group; definition breaks as dashed lines, bounds as
    whiskers.
    """
    _need(frame, [x, y] + ([group] if group else []))
    with style(lang):
        fig, axes = _figure()
        ax = axes[0, 0]
        _draw_series(ax, frame, x, y, group if group in frame else None, lang)
        _decorate(ax, frame, x, lang, title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    return fig


def _decorate(
    ax, frame: pd.DataFrame, x: str, lang: str, title: str | None, *, numeric_x: bool = True
) -> None:
    ax.set_xlabel(name(x, lang))
    if "unit" in frame and frame.unit.nunique() == 1:
        ax.set_ylabel(unit_label(frame.unit.iloc[0], lang))
    if title is None and "indicator" in frame and frame.indicator.nunique() == 1:
        title = name(frame.indicator.iloc[0], lang)
    elif title is None and "measure" in frame and frame.measure.nunique() == 1:
        title = name(frame.measure.iloc[0], lang)
    if title:
        ax.set_title(title)
    if numeric_x and x == "year" and len(frame):
        years = pd.to_numeric(frame[x], errors="coerce").dropna()
        ax.set_xticks(
            np.arange(int(years.min()), int(years.max()) + 1, max(1, len(years.unique()) // 8 or 1))
        )


def reason_bars(
    mix: pd.DataFrame, *, x: str = "report_id", lang: str = "zh", title: str | None = None
) -> Figure:
    """Stacked bars of a reason mix (e.g. withholding_mix): each bar one report or group, segments
    the reasons.
    """
    _need(mix, [x, "category", "value"])
    if mix.duplicated([x, "category"]).any():
        raise ValueError(
            f"{x!r} does not identify one bar: filter the mix to one indicator and one row per {x}"
        )
    order = list(dict.fromkeys(mix.category))
    wide = mix.set_index([x, "category"]).value.astype(float).unstack("category")[order]
    with style(lang):
        fig, axes = _figure(width=max(6.4, 0.5 * len(wide) + 3))
        ax = axes[0, 0]
        bottom = np.zeros(len(wide))
        for i, cat in enumerate(wide.columns):
            vals = wide[cat].fillna(0).to_numpy()
            ax.bar(
                [str(v) for v in wide.index],
                vals,
                bottom=bottom,
                label=name(cat, lang),
                color=PALETTE[i % len(PALETTE)],
            )
            bottom += vals
        gaps = wide.isna().all(axis=1).to_numpy()
        for j in np.flatnonzero(gaps):
            ax.text(j, 2, "NA", ha="center", color="grey", fontsize=8)
        _decorate(ax, mix, x, lang, title, numeric_x=False)
        ax.tick_params(axis="x", labelrotation=45 if len(wide) > 6 else 0)
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def small_multiples(
    frame: pd.DataFrame,
    *,
    by: str = "agency",
    x: str = "year",
    y: str = "value",
    group: str | None = None,
    ncols: int = 3,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """One small panel per agency (or any column), same axes, for comparing shapes rather than
    levels.
    """
    _need(frame, [by, x, y])
    keys = sorted(frame[by].dropna().unique(), key=str)
    ncols = max(1, min(ncols, len(keys)))
    nrows = -(-len(keys) // ncols)
    with style(lang):
        fig, axes = _figure(
            nrows, ncols, width=3.2 * ncols**0.5, height=2.4, sharex=True, sharey=True
        )
        for ax, key in zip(axes.flat, keys):
            _draw_series(ax, frame[frame[by] == key], x, y, group, lang)
            ax.set_title(str(key), fontsize=10)
        for ax in list(axes.flat)[len(keys) :]:
            ax.set_visible(False)
        fig.supxlabel(name(x, lang))
        if "unit" in frame and frame.unit.nunique() == 1:
            fig.supylabel(unit_label(frame.unit.iloc[0], lang))
        if title or ("indicator" in frame and frame.indicator.nunique() == 1):
            fig.suptitle(title or name(frame.indicator.iloc[0], lang))
    return fig


def quality_heatmap(
    scores: pd.DataFrame,
    *,
    row: str = "agency",
    col: str = "year",
    value: str = "score",
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Agencies × years coloured by data-quality score (0–100; grey where nothing could
    be checked).
    """
    _need(scores, [row, col, value])
    grid = scores.pivot_table(index=row, columns=col, values=value, aggfunc="mean").astype(float)
    with style(lang):
        fig, axes = _figure(
            width=max(4.0, 0.6 * grid.shape[1] + 3), height=max(2.0, 0.4 * grid.shape[0] + 1)
        )
        ax = axes[0, 0]
        cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#dddddd")
        im = ax.imshow(
            np.ma.masked_invalid(grid.to_numpy()), cmap=cmap, vmin=0, vmax=100, aspect="auto"
        )
        ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [str(r) for r in grid.index])
        ax.grid(False)
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            ax.text(j, i, "–" if np.isnan(v) else f"{v:.0f}", ha="center", va="center", fontsize=7)
        fig.colorbar(im, ax=ax, label=name(value, lang))
        ax.set_title(title or name(value, lang))
    return fig


def save(
    fig: Figure,
    path: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    lang: str = "zh",
) -> list[Path]:
    """Write a figure as PNG (300 dpi) and vector SVG/PDF beside each other; returns the paths
    written.
    """
    allowed = {"png", "svg", "pdf"}
    bad = [f for f in formats if f not in allowed]
    if bad:
        raise ValueError(f"formats {bad} not supported; choose from {sorted(allowed)}")
    stem = Path(path)
    stem = stem.with_suffix("") if stem.suffix.lstrip(".") in allowed else stem
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with style(lang):
        for fmt in formats:
            target = stem.with_name(f"{stem.name}.{fmt}")
            fig.savefig(target, format=fmt)
            out.append(target)
    return out


def _need(frame: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in frame]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}; it has {list(frame.columns)}")
