"""Numbers the prose states, checked against the tables: reports often disagree with themselves.

:func:`facts` finds statements such as 收到政府信息公开申请75件, 行政复议案件2件, 均获维持 or
收取信息处理费240元 sentence by sentence; :func:`checks` compares each with the table cells it
describes and returns rows in the columns of ``Report.checks``. The patterns are deliberately
narrow: a request count must be named as a 信息公开 request (a service hall's 受理申请121510件 is
not one), and a figure the tables do not hold (fees) is reported as a ``note`` row with its value.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from toolkit.extract.validate import cell_values, check_row, checks_frame
from toolkit.normalize import fold_document
from toolkit.schema.groups import REJECTED_ROWS as REJECTED
from toolkit.schema.groups import UNAVAILABLE_ROWS as UNAVAILABLE
from toolkit.schema.groups import WITHHELD_ROWS as WITHHELD
from toolkit.schema.groups import other_values

N = r"\s*(\d+(?:\.\d+)?)"
# a pattern opening with a number never starts inside a run of digits: only at its start
LEAD = r"(?!(?<=\d)\d)"
GAP = r"[^。；;，,\d]"
# a number and its unit, as every count pattern ends
COUNTED = re.compile(r"\d\s*(?:[件条份个起宗元]|缴费|收费)")
NO_COUNT_WORDS = re.compile(r"审批|许可|窗口|服务中心|入驻|办件|咨询|投诉|减免|建议|提案")
# only in a sentence about 申请
NEEDS_REQUEST = {"received", "handled", "carried_forward", "carried_over"}
LITIGATION = ("litigation_direct", "litigation_after_reconsideration")
GROUPS = {"reconsideration": ("reconsideration",), "litigation": LITIGATION}
OUTCOMES = {
    "upheld": r"(?:结果)?维持",
    "corrected": r"(?:结果)?纠正",
    "other": r"其他结果",
    "pending": r"尚未审结",
}
FACT_COLUMNS = ["item", "value", "unit", "start", "quote"]


class Fact(NamedTuple):
    """One number the prose states (a row of :func:`facts`)."""

    item: str
    value: float
    unit: str
    start: int
    quote: str


class Pattern(NamedTuple):
    item: str
    regex: re.Pattern
    zero: bool = False  # a statement that none happened (未收到 …): value 0
    # one is in every match: a quick test for a regex the engine must try everywhere
    words: tuple[str, ...] = ()


def _p(item: str, rx: str, zero: bool = False, words: tuple[str, ...] = ()) -> Pattern:
    return Pattern(item, re.compile(rx), zero, words)


# first matching pattern per item and sentence wins; label-then-number forms come first
PATTERNS = (
    _p(
        "received",
        rf"(?:受理|收到|接收|接到){GAP}{{0,30}}?信息公开(?:的)?{GAP}{{0,6}}?申请{GAP}{{0,6}}?{N}\s*[件条份个]",
    ),
    _p("received", rf"(?:受理|收到|接收|接到){N}\s*件{GAP}{{0,10}}?申请"),
    _p(
        "received",
        rf"未(?:收到|受理|接到|发生){GAP}{{0,14}}?信息公开(?:的)?申请(?!{GAP}{{0,6}}(?:行政)?(?:复议|诉讼))",
        zero=True,
        words=("未",),
    ),
    _p("handled", rf"(?:办结|答复|办理){GAP}{{0,14}}?{N}\s*件"),
    _p("handled", rf"答复总数{N}\s*[件条]"),
    _p("carried_over", rf"上一?年度?结转(?:申请)?{N}\s*件"),
    _p(
        "carried_forward",
        rf"{LEAD}{N}\s*件[^。；;，,\d（(]{{0,12}}?(?<!上年)(?<!上年度)(?:结转|顺延)",
        words=("结转", "顺延"),
    ),
    _p("carried_forward", rf"结转至?\s*\d{{4}}\s*年(?:度)?\s*{N}\s*件"),
    _p("disclosed", rf"予以公开(?:及|和|与|、)部分公开{N}\s*件"),
    _p(
        "granted",
        rf"(?<!不)予以公开{N}\s*件|同意公开答复数{N}\s*条",
        words=("予以公开", "同意公开"),
    ),
    _p("received_in_person", rf"当面申请数?{N}\s*[件条]"),
    _p("received_online", rf"网上申请数?{N}\s*[件条]"),
    _p("received_letter", rf"(?<!、)信函申请数?{N}\s*[件条]", words=("信函申请",)),
    _p("received_email", rf"电子邮件申请数?{N}\s*[件条]"),
    _p("partially_granted", rf"(?<![及和与、])部分公开{N}\s*件", words=("部分公开",)),
    _p("withheld", rf"不予公开{N}\s*件"),
    _p("unavailable", rf"无法提供{N}\s*件"),
    _p("not_held", rf"(?:不掌握(?:相关政府信息)?|信息不存在){N}\s*件"),
    _p("rejected", rf"不予处理{N}\s*件"),
    _p("other", rf"其他处理{N}\s*件"),
    _p("reconsideration", rf"行政复议(?:案件|申请)?(?:共)?{N}\s*(?:件|起|宗|个)"),
    _p("reconsideration", rf"{LEAD}{N}\s*(?:件|起|份){GAP}{{0,14}}?行政复议", words=("行政复议",)),
    _p(
        "reconsideration",
        rf"(?:未|没有)(?:收到|发生|有){GAP}{{0,16}}?行政复议",
        zero=True,
        words=("行政复议",),
    ),
    _p("litigation", rf"(?<!复议)(?:行政)?诉讼(?:案件)?(?:共)?{N}\s*(?:件|起|宗)", words=("诉讼",)),
    _p(
        "litigation",
        rf"(?:未|没有)(?:收到|发生|有){GAP}{{0,16}}?行政复议[、和及]?(?:提起)?行政诉讼",
        zero=True,
        words=("行政诉讼",),
    ),
    _p("fee_notices", rf"(?:发出|出具|发放|送达){N}\s*(?:个|份|件)?(?:缴费|收费)通知"),
    _p(
        "fee_billed",
        rf"(?:缴费|收费)通知(?:书)?(?:的)?(?:总)?金额(?:为|共|合计)?\s*{N}\s*元",
        words=("通知",),
    ),
    _p("fee_collected", rf"收取{GAP}{{0,16}}?(?:信息处理费|费用){GAP}{{0,8}}?{N}\s*元"),
    _p(
        "fee_collected",
        rf"(?:未|无|没有|不)收取{GAP}{{0,10}}?(?:信息处理费|费用)|暂不收费|无收取信息处理费",
        zero=True,
        words=("收取", "暂不收费"),
    ),
    _p("normative_in_force", rf"现行有效(?:的)?(?:行政)?规范性文件{N}\s*件"),
    _p("proactive_total", rf"(?:年|其中)(?:全区|全县|全市)?主动公开政府信息\s*{N}\s*条"),
)
# all a sentence with no counted number can state
NONE_PATTERNS = tuple(p for p in PATTERNS if p.zero)
# a sentence with no counted number and none of these words states nothing ('' if a pattern names
# no words: any sentence may)
NONE_WORDS = re.compile(
    "|".join(re.escape(w) for p in NONE_PATTERNS for w in p.words)
    if all(p.words for p in NONE_PATTERNS)
    else ""
)
TARGETS = {  # item -> the cells it describes, national first, then the pre-2019 table
    "received": [
        ("applications", ("new_received",), "total"),
        ("legacy_applications", ("received",), "year"),
    ],
    "handled": [
        ("applications", ("total_handled",), "total"),
        ("legacy_applications", ("answered",), "year"),
    ],
    "carried_over": [("applications", ("carried_over",), "total")],
    "carried_forward": [("applications", ("carried_forward",), "total")],
    "disclosed": [
        ("applications", ("granted", "partially_granted"), "total"),
        ("legacy_applications", ("granted", "partially_granted"), "year"),
    ],
    "granted": [
        ("applications", ("granted",), "total"),
        ("legacy_applications", ("granted",), "year"),
    ],
    "partially_granted": [
        ("applications", ("partially_granted",), "total"),
        ("legacy_applications", ("partially_granted",), "year"),
    ],
    "withheld": [
        ("applications", WITHHELD, "total"),
        ("legacy_applications", ("refused",), "year"),
    ],
    "unavailable": [("applications", UNAVAILABLE, "total")],
    "not_held": [("applications", ("unavailable_not_held",), "total")],
    "rejected": [("applications", REJECTED, "total")],
    "other": [("applications", ("other",), "total")],
    "reconsideration": [
        ("appeals", ("reconsideration",), "total"),
        ("legacy_appeals", ("reconsideration",), "year"),
    ],
    "litigation": [("appeals", LITIGATION, "total"), ("legacy_appeals", ("litigation",), "year")],
    "normative_in_force": [("proactive", ("normative_documents",), "in_force")],
    "proactive_total": [("legacy_proactive", ("proactive_total",), "year")],
    "received_in_person": [("legacy_applications", ("received_in_person",), "year")],
    "received_online": [("legacy_applications", ("received_online",), "year")],
    "received_letter": [("legacy_applications", ("received_letter",), "year")],
    "received_email": [("legacy_applications", ("received_email",), "year")],
    "received_natural_person": [("applications", ("new_received",), "natural_person")],
    "received_commercial_enterprise": [
        ("applications", ("new_received",), "commercial_enterprise")
    ],
    "handled_natural_person": [("applications", ("total_handled",), "natural_person")],
    "handled_commercial_enterprise": [
        ("applications", ("total_handled",), "commercial_enterprise")
    ],
} | {f"{g}_{o}": [("appeals", rows, o)] for g, rows in GROUPS.items() for o in OUTCOMES}
UNITS = {"fee_billed": "yuan", "fee_collected": "yuan", "fee_notices": "notices"}


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces of the folded text, split at 。；! ? and line breaks."""
    out, pos = [], 0
    for m in re.finditer(r"[。；;!?！？\n]", text + "\n"):
        piece = text[pos : m.start()]
        if piece.strip():
            out.append((pos, piece))
        pos = m.end()
    return out


def facts(text: str) -> pd.DataFrame:
    """Every number the prose states about requests, appeals, fees and (pre-2019) proactive
    items."""
    return pd.DataFrame(_facts(text), columns=FACT_COLUMNS)


def _facts(text: str) -> list[Fact]:
    rows: list[Fact] = []
    for offset, sent in sentences(fold_document(text)):
        if NO_COUNT_WORDS.search(sent) and "信息公开" not in sent:
            continue
        counted = COUNTED.search(sent) is not None  # no count without a number and its unit
        if counted or NONE_WORDS.search(sent):
            rows += _sentence_facts(offset, sent, counted)
    return rows


def _sentence_facts(offset: int, sent: str, counted: bool) -> list[Fact]:
    found: dict[str, Fact] = {}
    for pat in PATTERNS if counted else NONE_PATTERNS:
        if pat.item in found or (pat.item in NEEDS_REQUEST and "申请" not in sent):
            continue
        if pat.words and not any(w in sent for w in pat.words):
            continue
        m = pat.regex.search(sent)
        if m:
            value = 0.0 if pat.zero else float(next(g for g in m.groups() if g is not None))
            found[pat.item] = _fact(pat.item, value, offset + m.start(), sent)
    out = list(found.values())
    main = "received" if "received" in found else "handled" if "handled" in found else None
    if main:
        for col, word in (("natural_person", "自然人"), ("commercial_enterprise", "商业企业")):
            m = re.search(rf"{word}{N}\s*件", sent)
            if m:
                out.append(_fact(f"{main}_{col}", float(m.group(1)), offset + m.start(), sent))
    out += _outcomes(offset, sent, found)
    return out


def _outcomes(offset: int, sent: str, found: dict) -> list[Fact]:
    """Outcome counts (其中结果维持72件 …) and claims (均获维持, 均已结案) for the one appeal kind a
    sentence names."""
    groups = [g for g in GROUPS if g in found]
    out = []
    if len(groups) == 1:
        for outcome, word in OUTCOMES.items():
            m = re.search(rf"{word}{N}\s*件", sent)
            if m:
                out.append(
                    _fact(f"{groups[0]}_{outcome}", float(m.group(1)), offset + m.start(), sent)
                )
    for g in groups:
        if re.search(r"均(?:获|被|予以)?维持|全部(?:获得?)?维持", sent):
            out.append(_fact(f"all_upheld_{g}", 1.0, offset, sent))
        if re.search(r"均已(?:结案|审结|办结)", sent):
            out.append(_fact(f"all_closed_{g}", 1.0, offset, sent))
    return out


def _fact(item: str, value: float, start: int, sent: str) -> Fact:
    quote = sent.strip()
    return Fact(
        item,
        value,
        UNITS.get(item, "count"),
        start,
        quote if len(quote) <= 80 else quote[:77] + "…",
    )


def checks(text: str, cells: pd.DataFrame) -> pd.DataFrame:
    """Each prose figure against the one report's table cells it describes, as rows in the columns
    of Report.checks."""
    return compare(text, cell_values(cells))


def compare(text: str, values: dict) -> pd.DataFrame:
    """The same against the report's cell values by (table, row, col), as
    :func:`toolkit.extract.validate.cell_values` gives them."""
    return checks_frame(comparisons(text, values))


def comparisons(text: str, values: dict) -> list[dict]:
    """:func:`compare`'s rows as dicts, for a caller that builds one checks frame from several
    steps."""
    found = _facts(text)
    values = values | other_values(values)
    rows, seen = [], set()
    for rec in found:
        if (rec.item, rec.value) not in seen:  # a figure stated twice is checked once
            seen.add((rec.item, rec.value))
            rows.append(_compare(rec, values, found))
    return rows


def _table_value(values: dict, item: str) -> tuple[str | None, str, float | None, str]:
    """(table, expression, value, why-NA) for the first target family that the report's cells
    hold."""
    for table, rows, col in TARGETS.get(item, []):
        keys = [(table, r, col) for r in rows]
        if not any(k in values for k in keys):
            continue
        expr = " + ".join(f"{table}.{r}.{col}" for r in rows)
        terms = [values.get(k) for k in keys]
        if None in terms:
            return table, expr, None, "a table cell is blank, absent or ambiguous"
        return table, expr, float(sum(terms)), ""
    return None, "", None, "no table cell holds this figure"


def _compare(rec: Fact, values: dict, found: list[Fact]) -> dict:
    if rec.item.startswith(("all_upheld_", "all_closed_")):
        return _claim(rec, values)
    if rec.item.startswith("fee_"):
        return _fee(rec, values, found)
    table, expr, tv, why = _table_value(values, rec.item)
    said = f"text says {rec.value:g} (「{rec.quote}」)"
    if tv is None:
        return _row(
            f"narrative_{rec.item}",
            table or "",
            "not_evaluable",
            f"{said}; {why}" + (f": {expr}" if expr else ""),
            rec.value,
        )
    ok = abs(rec.value - tv) < 1e-9
    return _row(
        f"narrative_{rec.item}",
        table,
        "ok" if ok else "failed",
        f"{said}; table {expr} = {tv:g}",
        rec.value,
        tv,
    )


def _claim(rec: Fact, values: dict) -> dict:
    """均获维持: every case upheld (维持 = 总计); 均已结案: none pending (尚未审结 = 0)."""
    kind, group = (
        ("upheld", rec.item[len("all_upheld_") :])
        if rec.item.startswith("all_upheld_")
        else ("closed", rec.item[len("all_closed_") :])
    )
    rows = GROUPS[group]
    col = "upheld" if kind == "upheld" else "pending"
    _t, expr, lhs, why = _table_value(values, f"{group}_{col}")
    _t, texpr, total, why2 = _table_value(values, group)
    rhs = total if kind == "upheld" else 0.0
    claim = "every case upheld" if kind == "upheld" else "every case closed"
    said = f"text claims {claim} (「{rec.quote}」)"
    if lhs is None or rhs is None:
        return _row(
            f"narrative_{rec.item}",
            "appeals",
            "not_evaluable",
            f"{said}; {why or why2}: {expr or texpr or rows}",
        )
    ok = abs(lhs - rhs) < 1e-9
    detail = f"{said}; table {expr} = {lhs:g}" + (
        f" of {texpr} = {rhs:g}" if kind == "upheld" else ""
    )
    return _row(f"narrative_{rec.item}", "appeals", "ok" if ok else "failed", detail, lhs, rhs)


def _fee(rec: Fact, values: dict, found: list[Fact]) -> dict:
    """Fees are in prose only: collected <= billed, and requests dropped for non-payment <= notices
    sent."""
    said = f"text says {rec.value:g} {rec.unit} (「{rec.quote}」)"
    if rec.item == "fee_collected":
        billed = [f.value for f in found if f.item == "fee_billed"]
        if billed:
            ok = rec.value <= billed[0]
            return _row(
                "narrative_fee_collected_le_billed",
                "",
                "ok" if ok else "failed",
                f"{said}; billed {billed[0]:g} yuan",
                rec.value,
                billed[0],
            )
    if rec.item == "fee_notices":
        dropped = values.get(("applications", "other_no_fee", "total"))
        if dropped is not None:
            ok = dropped <= rec.value
            return _row(
                "narrative_fee_notices_ge_unpaid",
                "applications",
                "ok" if ok else "failed",
                f"{said}; table applications.other_no_fee.total = {dropped:g} requests dropped "
                "for non-payment",
                rec.value,
                dropped,
            )
    return _row(
        f"narrative_{rec.item}", "", "note", f"{said}; the tables hold no fee figure", rec.value
    )


def _row(check: str, table: str, status: str, detail: str, lhs=None, rhs=None) -> dict:
    return check_row(check, table, "text", status, detail, lhs=lhs, rhs=rhs)
