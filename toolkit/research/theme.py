"""The toolkit's look for matplotlib: the bundled CJK font, a colour-blind palette, zh/en.

:func:`use_cjk` makes every figure of the session render Chinese; :func:`style` applies the whole
look inside a ``with`` block; :func:`save` writes a figure as PNG and SVG/PDF in that look.
Re-exported by :mod:`toolkit.research.plots`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from toolkit.research import fonts
from toolkit.research.labels import check_lang

# Okabe-Ito
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


@cache
def font_family() -> str:
    """Register the toolkit's CJK font with matplotlib (once) and return its family name.

    Returns
    -------
    str
        ``"Noto Sans CJK SC"``.

    Examples
    --------
    >>> font_family()
    'Noto Sans CJK SC'
    """
    path = fonts.cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk() -> str:
    """Make every matplotlib figure of this session render Chinese, with the bundled font.

    The toolkit's own figures do this inside :func:`style`; call this once at the top of a notebook
    so that plain ``plt.plot(...)``, ``df.plot()`` or seaborn figures in your own cells show Chinese
    too instead of empty boxes. Latin text falls back to matplotlib's default font.

    Returns
    -------
    str
        The CJK family name now first in ``matplotlib.rcParams["font.family"]``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from toolkit import plots
    >>> plots.use_cjk()
    'Noto Sans CJK SC'
    >>> plt.title("答复“本机关不掌握相关政府信息”的占比")
    """
    family = font_family()
    rest = [f for f in matplotlib.rcParams["font.family"] if f != family]
    matplotlib.rcParams["font.family"] = [family, *(rest or ["sans-serif"])]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def rc(lang: str = "zh") -> dict:
    """The toolkit's matplotlib settings: CJK font first, colour-blind palette, SVG text as paths.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    dict
        rcParams for :func:`matplotlib.rc_context`.

    Raises
    ------
    ValueError
        If `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> rc("en")["axes.unicode_minus"]
    False
    """
    check_lang(lang)
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
    """Draw (and save) inside this for the toolkit's look; matplotlib's settings are restored after.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"

    Yields
    ------
    None

    Raises
    ------
    ValueError
        If `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style("zh"):
    ...     fig, ax = plt.subplots()
    ...     ax.set_title("平潭综合实验区")
    """
    with matplotlib.rc_context(rc(lang)):
        yield


def save(
    fig: Figure,
    path: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    lang: str = "zh",
) -> list[Path]:
    """Write a figure as PNG (300 dpi) and vector SVG/PDF beside each other.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        The file name without (or with) a suffix; each format gets its own.
    formats : sequence of {"png", "svg", "pdf"}, default all three
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        If a format is not supported.

    Examples
    --------
    >>> fig = plots.quality_heatmap(toolkit.quality.report_quality(ds.checks, ds.reports))
    >>> plots.save(fig, "figures/quality", formats=("png", "svg"))
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
