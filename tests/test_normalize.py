"""normalize: the one place printed text becomes a number."""

import pytest

from toolkit.normalize import fold, is_blank, looks_like_value, parse_cell


@pytest.mark.parametrize(
    "raw", ["", " ", "/", "-", "—", "——", "无", "\u00a0", "\u3000", "－", "／"]
)
def test_blank_markers_are_na_never_zero(raw):
    assert parse_cell(raw) == (None, "blank")
    assert is_blank(raw)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("0", "count", 0.0),
        ("2178", "count", 2178.0),
        ("２１７８", "count", 2178.0),  # full-width digits
        ("1,653", "count", 1653.0),  # thousands separator
        ("12,345,678", "count", 12345678.0),
        ("1653元", "count", 1653.0),
        ("16265.755", "amount", 16265.755),
        ("16265.755万元", "amount", 16265.755),
        ("24252.311082", "amount", 24252.311082),
        ("-15", "signed", -15.0),
        ("－15", "signed", -15.0),
        ("12件", "count", 12.0),
        (" 95 ", "count", 95.0),
        ("3.0", "count", 3.0),
    ],
)
def test_numbers(raw, kind, value):
    assert parse_cell(raw, kind) == (value, "number")


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "3 4", "总计", "1.5"])
def test_text_that_is_no_number_is_invalid(raw):
    assert parse_cell(raw, "count") == (None, "invalid")


def test_fold_keeps_offsets():
    text = "（一）予以公开　１２"
    assert len(fold(text)) == len(text)
    assert fold(text) == "(一)予以公开 12"


def test_fold_traditional_and_pinyin_ruby():
    text = "本年新收政府信息公開申請(qǐng)數(shù)量"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.replace(" ", "") == "本年新收政府信息公开申请数量"


def test_looks_like_value():
    assert looks_like_value("1,234")
    assert looks_like_value("")
    assert looks_like_value("—")
    assert not looks_like_value("（二）部分公开")
