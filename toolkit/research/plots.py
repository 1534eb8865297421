"""Figures for papers: one style, Chinese that renders on a fresh machine, zh/en labels, PNG plus
SVG/PDF.

Every function takes a tidy frame (from :mod:`toolkit.research.indicators`,
:func:`toolkit.research.harmonize.series` or :mod:`toolkit.research.quality`), draws inside
:func:`style`, and returns the matplotlib Figure; :func:`save` writes it in several formats. The CJK
font is the toolkit's own Noto Sans CJK SC (:func:`toolkit.research.fonts.cjk_font_path`, OFL,
shipped by a PyPI package), so no system font is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from toolkit.research.labels import LANGS, NAMES, check_lang, labelled, name, unit_label, wrap
from toolkit.research.theme import PALETTE, font_family, rc, save, style, use_cjk

__all__ = [
    "LANGS",
    "NAMES",
    "PALETTE",
    "font_family",
    "labelled",
    "name",
    "quality_heatmap",
    "rc",
    "reason_bars",
    "save",
    "small_multiples",
    "style",
    "trend",
    "unit_label",
    "use_cjk",
    "wrap",
]


def _figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.4, height: float = 3.6, **kw):
    fig = Figure(
        figsize=(width * ncols**0.5 if ncols > 1 else width, height * nrows), layout="constrained"
    )
    return fig, fig.subplots(nrows, ncols, squeeze=False, **kw)


def _drawable(frame: pd.DataFrame, y: str) -> pd.Series:
    """Rows with something to draw: a value, or both bounds."""
    has = pd.to_numeric(frame[y], errors="coerce").notna()
    if {"lower", "upper"} <= set(frame.columns):
        has |= frame.lower.notna() & frame.upper.notna()
    return has


def _draw_series(ax, frame: pd.DataFrame, x: str, y: str, group: str | None, lang: str) -> None:
    """Lines with markers, cut at every definition break; bounds as whiskers; hollow markers where
    the definition is not the national one. Groups with nothing to draw are left out."""
    groups = frame.groupby(group, sort=True) if group else [("", frame)]
    groups = [(k, g) for k, g in groups if _drawable(g, y).any()]
    for i, (key, g) in enumerate(groups):
        g = g.sort_values(x)
        colour = PALETTE[i % len(PALETTE)]
        vals = pd.to_numeric(g[y], errors="coerce").astype(float)
        cut = g.break_before.fillna(False).astype(bool) if "break_before" in g else False
        part = np.cumsum(np.asarray(cut, dtype=int)) if "break_before" in g else np.zeros(len(g))
        label = wrap(name(str(key), lang), 22) if group else None
        for seg in np.unique(part):  # no line crosses a change of definition
            on = part == seg
            ax.plot(g[x][on], vals[on], marker="o", color=colour, label=label, linewidth=1.5)
            label = None
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
        for xb in g[x][np.asarray(cut, dtype=bool)] if "break_before" in g else []:
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
    """An indicator over time, one line per group, never joined across a change of definition.

    Groups with no value at all are left out of the figure and its legend; long group names are
    wrapped; more than four legend entries go beside the axes. Codes (indicators, categories,
    statuses) are labelled in `lang`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy rows with `x`, `y` and `group`; optionally ``lower``/``upper`` (bounds, drawn as
        whiskers), ``definition`` (pre-2019 points hollow), ``break_before`` (a dashed line, and
        the series is cut there), ``unit`` and ``indicator``/``measure`` (axis label and title),
        as :func:`toolkit.harmonize.series` and :mod:`toolkit.indicators` give them.
    x, y : str, default "year", "value"
    group : str or None, default "agency"
        One line per value of this column.
    lang : {"zh", "en"}, default "zh"
    title : str, optional
        Default: the indicator's or measure's name.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing or `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> s = toolkit.harmonize.series(ds.cells, ds.reports)
    >>> plots.trend(s[s.measure == "not_held_share"])
    """
    check_lang(lang)
    _need(frame, [x, y] + ([group] if group else []))
    with style(lang):
        fig, axes = _figure()
        ax = axes[0, 0]
        _draw_series(ax, frame, x, y, group if group in frame else None, lang)
        _decorate(ax, frame, x, lang, title)
        _from_zero(ax, frame, y)
        handles, labels = ax.get_legend_handles_labels()
        if len(handles) > 4:
            fig.legend(handles, labels, loc="outside right upper")
        elif handles:
            ax.legend()
    return fig


def _from_zero(ax, frame: pd.DataFrame, y: str) -> None:
    """Counts and shares start at 0, a little below so that markers at 0 show whole."""
    vals = pd.to_numeric(frame[y], errors="coerce").dropna()
    if len(vals) and vals.min() >= 0:
        top = ax.get_ylim()[1]
        ax.set_ylim(bottom=-0.03 * top, top=top)


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
    """Stacked bars of a mix (e.g. withholding_mix): each bar a report or group, segments the
    categories, legend in `lang`.

    Tick labels of more than six bars are rotated 45° and anchored at their end, under their bar;
    the axis leaves a margin above the tallest bar.

    Parameters
    ----------
    mix : pandas.DataFrame
        One row per (`x`, ``category``) with ``value``; ``unit`` and ``indicator`` label the axes.
    x : str, default "report_id"
        The column naming each bar.
    lang : {"zh", "en"}, default "zh"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing, `x` does not identify one bar, or `lang` is not allowed.

    Examples
    --------
    >>> mix = toolkit.indicators.withholding_mix(ds.cells, by="agency", reports=ds.reports)
    >>> plots.reason_bars(mix, x="agency")
    """
    check_lang(lang)
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
                label=wrap(name(str(cat), lang), 28),
                color=PALETTE[i % len(PALETTE)],
            )
            bottom += vals
        gaps = wide.isna().all(axis=1).to_numpy()
        for j in np.flatnonzero(gaps):
            ax.text(j, 2, "NA", ha="center", color="grey", fontsize=8)
        _decorate(ax, mix, x, lang, title, numeric_x=False)
        if len(bottom) and bottom.max() > 0:
            ax.set_ylim(0, bottom.max() * 1.08)  # the tallest bar does not touch the frame
        known = wide.stack().dropna()
        if len(known) and (known == known.round()).all():  # counts: whole ticks, and say so
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            if "unit" not in mix:
                ax.set_ylabel(name("count", lang))
        if len(wide) > 6:  # rotated labels end under their own bar
            ax.tick_params(axis="x", labelrotation=45)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
                label.set_rotation_mode("anchor")
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
    """One small panel per agency (or any column), same axes: for comparing shapes, not levels.

    Parameters
    ----------
    frame : pandas.DataFrame
        As for :func:`trend`.
    by : str, default "agency"
        One panel per value of this column.
    x, y : str, default "year", "value"
    group : str, optional
        Lines within a panel.
    ncols : int, default 3
    lang : {"zh", "en"}, default "zh"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing or `lang` is not allowed.

    Examples
    --------
    >>> s = toolkit.harmonize.series(ds.cells, ds.reports)
    >>> plots.small_multiples(s[s.measure == "received"], by="agency")
    """
    check_lang(lang)
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
            ax.set_title(wrap(name(str(key), lang), 30), fontsize=10)
        for ax in list(axes.flat)[len(keys) :]:
            ax.set_visible(False)
        _from_zero(axes.flat[0], frame, y)  # the panels share their axes
        if x == "year":
            axes.flat[0].xaxis.set_major_locator(MaxNLocator(integer=True))
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
    """Agencies × years coloured by data-quality score (0–100; grey where nothing was checked).

    Parameters
    ----------
    scores : pandas.DataFrame
        E.g. :func:`toolkit.quality.report_quality` with the reports' attributes.
    row, col, value : str, default "agency", "year", "score"
    lang : {"zh", "en"}, default "zh"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column is missing or `lang` is not allowed.

    Examples
    --------
    >>> plots.quality_heatmap(toolkit.quality.report_quality(ds.checks, ds.reports))
    """
    check_lang(lang)
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


def _need(frame: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in frame]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}; it has {list(frame.columns)}")
