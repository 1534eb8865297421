"""The one place where printed cell text becomes a number (or NA, with the reason)."""

from __future__ import annotations

import re
from array import array
from functools import lru_cache
from typing import NamedTuple

import numpy as np

# Full-width ASCII and odd spaces fold to their plain forms one character for one, so offsets
# survive.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: 0x20,
        0x00A0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x200B: 0x20,
        0xFEFF: 0x20,
        0x2212: ord("-"),
        0x2013: ord("-"),
        0xFE63: ord("-"),
        0x3007: ord("0"),
        0x3001: 0x3001,
        0xFF64: 0x3001,
    }
)

BLANKS = frozenset({"", "/", "-", "--", "—", "——", "－", "无", "空", "\\", "／", "–", "×", "——/"})
LONG_TEXT = 200  # characters from which folding by numpy beats str.translate
UNITS = ("万元", "元", "件", "个", "项", "条", "次", "人", "家")
_NUMBER = {
    "count": re.compile(r"0|[1-9]\d*"),
    "signed": re.compile(r"[+-]?(?:0|[1-9]\d*)"),
    "amount": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
}
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_WHOLE = re.compile(r"\d+\.0+")
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
_LEADING_ZERO = re.compile(r"0\d+")
_VALUE = re.compile(r"[+-]?\d[\d.,\-/ ]*")


class Parsed(NamedTuple):
    value: float | None
    status: str  # 'number', 'blank' or 'invalid'


_PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")  # 區(qū): a converter's ruby


@lru_cache(maxsize=1)
def _table() -> array:
    """Code point -> folded code point, as a flat array (str.translate reads it faster than a
    dict)."""
    from toolkit import schema

    mapping = schema.t2s() | _FOLD
    table = array("I", range(max(mapping) + 1))  # a character beyond its end stays as it is
    for char, folded in mapping.items():
        table[char] = folded
    return table


@lru_cache(maxsize=1)
def _codes() -> np.ndarray:
    """:func:`_table` as a numpy array, to fold a long text in one lookup."""
    return np.array(_table(), dtype=np.uint32)


def fold(text: str) -> str:
    """Half-width digits and brackets, Simplified characters, no pinyin ruby — keeping every
    offset."""
    text = text.translate(_table()) if len(text) < LONG_TEXT else _fold_codes(text)
    if "(" in text:
        text = _PINYIN.sub(lambda m: " " * len(m.group()), text)
    return text


def _fold_codes(text: str) -> str:
    """str.translate by :func:`_table`, every code point looked up at once (a document: ten times
    faster)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _codes()
    inside = codes < len(table)  # a character beyond the table's end stays as it is
    folded = np.where(inside, table[np.where(inside, codes, 0)], codes)
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)  # meta, narrative and the pre-2019 reader each fold the document in hand
def fold_document(text: str) -> str:
    """:func:`fold` for a whole document's text, remembered for the last document."""
    return fold(text)


def strip_units(text: str) -> str:
    for unit in UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)].rstrip()  # '12 件' -> '12'
    return text


@lru_cache(maxsize=4096)  # readers and matching ask about the same short cell texts again and again
def clean(raw: str) -> str:
    """The cell text as a bare token: folded, trimmed, thousands separators and units removed."""
    text = strip_units(fold(raw or "").strip())  # inner spaces stay: '3 4' is two numbers, not 34
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    return text


def is_blank(raw: str) -> bool:
    return clean(raw) in BLANKS


def is_valid(token: str, kind: str) -> bool:
    """Whether a bare token is a well-formed number of this kind (no leading zeros, decimals only
    for money)."""
    return bool(_NUMBER[kind].fullmatch(token))


# the same few cell texts recur in every table; a bounded cache keeps memory flat
@lru_cache(maxsize=4096)
def parse_cell(raw: str, kind: str = "count") -> Parsed:
    """Printed cell text -> number, or NA for a blank marker ('', '/', '-', '—', '无') or text that
    is no number."""
    text = clean(raw)
    if text in BLANKS:
        return Parsed(None, "blank")
    if kind == "count" and _WHOLE.fullmatch(text):
        text = text.split(".")[0]
    loose = "amount" if kind == "amount" else "signed" if kind == "signed" else "count"
    if _DECIMAL.fullmatch(text) and (is_valid(text, loose) or _LEADING_ZERO.fullmatch(text)):
        return Parsed(float(text), "number")
    return Parsed(None, "invalid")


def looks_like_value(raw: str) -> bool:
    """A cell that holds a number or a blank marker rather than label text."""
    text = clean(raw)
    return text in BLANKS or bool(_VALUE.fullmatch(text))
