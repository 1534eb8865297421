"""Words for figures and tables: every code, indicator and status in Chinese and English.

Kept apart from :mod:`toolkit.research.plots` so that tables can be labelled without loading
matplotlib; ``plots`` re-exports :func:`name` and :func:`unit_label`.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

import pandas as pd

from toolkit import schema

LANGS = ("zh", "en")
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
    "check": ("核对项", "Check"),
    "status": ("核验状态", "Status"),
    "percent": ("百分比（%）", "Percent"),
    "count": ("件数", "Count"),
    "definition_change": ("统计口径变化", "definition changes"),
    "organisations": ("法人或其他组织", "Organisations"),
    "reconsideration": ("行政复议", "Reconsideration"),
    "litigation": ("行政诉讼", "Litigation"),
    "carried_over": ("上年结转", "Carried in"),
    "carried_forward": ("结转下年度", "Carried forward"),
    "other": ("其他处理", "Other handling"),
    "received": ("收到的申请", "Requests received"),
    "handled": ("已办结的申请", "Requests handled"),
    # report statuses (the data dictionary's list)
    "verified": ("已核验", "verified"),
    "repaired": ("已修正", "repaired"),
    "partial": ("不完整", "partial"),
    "inconsistent": ("不一致", "inconsistent"),
    "failed": ("无法读取", "failed"),
}
COUNT_UNITS = ("requests", "cases")  # units of harmonize.series counts


def check_lang(lang: str) -> None:
    """Raise at once, naming the allowed languages, when `lang` is not one of them.

    Parameters
    ----------
    lang : str
        The language asked for.

    Raises
    ------
    ValueError
        If `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("zh")
    """
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}; choose one of {', '.join(LANGS)}")


def name(code: str, lang: str = "zh", *, table: str | None = None) -> str:
    """A label for an indicator, measure, category, status or schema code in the chosen language.

    Codes shared by tables mean different things (``other`` is 其他处理 in ``applications`` and
    其他结果 in ``appeals``): pass ``table`` to choose; without it the first table of the code list
    is used.

    Parameters
    ----------
    code : str
        An indicator (``not_held_share``), a measure of :func:`toolkit.harmonize.series`, a
        status (``verified``) or a row or column code of ``schema/codes.csv``.
    lang : {"zh", "en"}, default "zh"
    table : str, optional
        The table whose code is meant, where codes are shared.

    Returns
    -------
    str
        The label; the code itself when none is known.

    Raises
    ------
    ValueError
        If `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> name("unavailable_not_held", "en")
    'information not held by this agency'
    >>> name("verified")
    '已核验'
    """
    check_lang(lang)
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


def unit_label(unit: str, lang: str = "zh") -> str:
    """Axis label for a unit string of :mod:`toolkit.research.indicators` or
    :func:`toolkit.research.harmonize.series`.

    Parameters
    ----------
    unit : str
        E.g. ``"percent of handled requests (（七）总计)"``, ``"requests"``, ``"cases"``.
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If `lang` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> unit_label("requests")
    '件数'
    """
    check_lang(lang)
    if lang == "en":  # the Chinese gloss in brackets stays off an English figure
        return re.sub(r"\s*\([^()]*[\u3000-\u9fff\uff00-\uffef][^()]*\)", "", unit)
    if unit.startswith("percent"):
        return NAMES["percent"][0]
    if unit.startswith("cases per 100"):
        return "每百件申请的案件数"
    if unit in COUNT_UNITS:
        return NAMES["count"][0]
    return unit


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns, a Latin one one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int = 24) -> str:
    """Break a long label into lines of at most `width` columns (a Chinese character counts 2).

    Parameters
    ----------
    text : str
    width : int, default 24
        Columns per line.

    Returns
    -------
    str
        `text` with newlines; Latin text breaks at spaces, Chinese text between characters.

    Examples
    --------
    >>> wrap("平潭综合实验区管理委员会办公室", 16)
    '平潭综合实验区管\\n理委员会办公室'
    """
    text = str(text)
    if _width(text) <= width:
        return text
    if _width(text) == len(text):  # no wide characters: break at spaces
        return "\n".join(textwrap.wrap(text, width)) or text
    lines, line = [], ""
    for ch in text:
        if _width(line + ch) > width:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    return "\n".join([*lines, line]) if line else "\n".join(lines)


def labelled(reports: pd.DataFrame) -> pd.DataFrame:
    """`reports` plus `short` (the agency without its bracketed gloss) and `label` (short + year).

    Parameters
    ----------
    reports : pandas.DataFrame
        With ``agency`` and ``year``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``short`` and ``label`` (NA where agency or year is NA).

    Raises
    ------
    ValueError
        If `reports` lacks ``agency`` or ``year``.

    Examples
    --------
    >>> labelled(ds.reports).label.iloc[0]
    '北京市朝阳区人民政府 2022'
    """
    missing = [c for c in ("agency", "year") if c not in reports]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}; it has {list(reports.columns)}")
    short = reports.agency.str.replace(r"\s*\(.*$", "", regex=True)
    return reports.assign(short=short, label=short + " " + reports.year.astype("string"))
