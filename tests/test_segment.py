"""segment: cells whose separators were lost, read back only as the identities allow."""

from toolkit.extract.segment import segmentations

COUNT7 = ["count"] * 7
ROW = [(list(range(6)), 6)]


def test_unique_row_reading():
    assert segmentations("801000081", COUNT7, ROW) == [("80", "1", "0", "0", "0", "0", "81")]


def test_spaces_are_real_boundaries():
    assert segmentations("200 000121", COUNT7, ROW) == [("20", "0", "0", "0", "0", "1", "21")]


def test_no_leading_zeros():
    assert segmentations("007", ["count"] * 3) == [("0", "0", "7")]


def test_ambiguous_without_identity():
    readings = segmentations("7777166", ["count"] * 3)
    assert ("77", "77", "166") in readings and len(readings) > 1


def test_minus_is_a_sign_only_where_the_column_may_be_negative():
    assert segmentations("35-15", ["count", "signed"]) == [("35", "-15"), ("35", "15")]
    assert sorted(segmentations("35-15", ["count", "count"])) == [("35", "15")]


def test_a_dash_between_digits_may_be_a_blank_cell():
    readings = segmentations("1-23", ["count"] * 3)
    assert ("1", "", "23") in readings and (
        "1",
        "2",
        "3",
    ) in readings  # ambiguous, so never taken as fact
    assert segmentations("1—23", ["count"] * 2) == []
    assert ("1", "", "23") in segmentations("1—23", ["count"] * 3)


def test_decimals_only_in_money_columns():
    assert segmentations("24252.311082", ["amount"]) == [("24252.311082",)]
    assert segmentations("12.5", ["count"]) == []
    assert all("." not in r[0] for r in segmentations("39573802895.90", ["count", "amount"]))


def test_blank_markers_take_one_cell():
    assert segmentations("3 — 3", ["count"] * 3) == [("3", "", "3")]


def test_appeals_groups_of_five():
    prune = [(list(range(0, 4)), 4), (list(range(5, 9)), 9), (list(range(10, 14)), 14)]
    readings = segmentations("95813281443211110544620856", ["count"] * 15, prune)
    assert (
        "95",
        "8",
        "13",
        "28",
        "144",
        "32",
        "11",
        "1",
        "10",
        "54",
        "46",
        "2",
        "0",
        "8",
        "56",
    ) in readings
