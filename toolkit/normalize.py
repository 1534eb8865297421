"""The one place where printed cell text becomes a number (or NA, with the reason)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Full-width ASCII and odd spaces fold to their plain forms one character for one, so offsets survive.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20,
              0xFEFF: 0x20, 0x2212: ord("-"), 0x2013: ord("-"), 0xFE63: ord("-"), 0x3007: ord("0"),
              0x3001: 0x3001, 0xFF64: 0x3001})

BLANKS = frozenset({"", "/", "-", "--", "—", "——", "－", "无", "空", "\\", "／", "–", "×", "——/"})
UNITS = ("万元", "元", "件", "个", "项", "条", "次", "人", "家")
_NUMBER = {
    "count": re.compile(r"0|[1-9]\d*"),
    "signed": re.compile(r"[+-]?(?:0|[1-9]\d*)"),
    "amount": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
}


class Parsed(NamedTuple):
    value: float | None
    status: str  # 'number', 'blank' or 'invalid'


_PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")  # 區(qū): a converter's ruby


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    from . import schema

    return schema.t2s() | _FOLD


def fold(text: str) -> str:
    """Half-width digits and brackets, Simplified characters, no pinyin ruby — keeping every offset."""
    text = text.translate(_table())
    if "(" in text:
        text = _PINYIN.sub(lambda m: " " * len(m.group()), text)
    return text


def strip_units(text: str) -> str:
    for unit in UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)].rstrip()  # '12 件' -> '12'
    return text


def clean(raw: str) -> str:
    """The cell text as a bare token: folded, trimmed, thousands separators and units removed."""
    text = strip_units(fold(raw or "").strip())  # inner spaces stay: '3 4' is two numbers, not 34
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    return text


def is_blank(raw: str) -> bool:
    return clean(raw) in BLANKS


def is_valid(token: str, kind: str) -> bool:
    """Whether a bare token is a well-formed number of this kind (no leading zeros, decimals only for money)."""
    return bool(_NUMBER[kind].fullmatch(token))


def parse_cell(raw: str, kind: str = "count") -> Parsed:
    """Printed cell text -> number, or NA for a blank marker ('', '/', '-', '—', '无') or text that is no number."""
    text = clean(raw)
    if text in BLANKS:
        return Parsed(None, "blank")
    if kind == "count" and re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    loose = "amount" if kind == "amount" else "signed" if kind == "signed" else "count"
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", text) and (is_valid(text, loose) or re.fullmatch(r"0\d+", text)):
        return Parsed(float(text), "number")
    return Parsed(None, "invalid")


def looks_like_value(raw: str) -> bool:
    """A cell that holds a number or a blank marker rather than label text."""
    text = clean(raw)
    return text in BLANKS or bool(re.fullmatch(r"[+-]?\d[\d.,\-/ ]*", text))
