"""The one label aligner (extract/align.py over schema/labels.py): misprinted labels restored for
every reader, unreadable ones placed by their neighbours only under the identities, detached rows
read only where no other row can take them. Every document here is synthetic."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import read_report
from toolkit.schema import labels
from toolkit.testing.quirks import quirked, write
from toolkit.testing.render import as_values, random_cells


@pytest.mark.parametrize(
    "printed, phrase",
    [
        (
            "1、申请人无正当理由途期不补正、行政机关不再处理其政府信息公开申请",
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        ("四、结转卜年度继续办理", "结转下年度继续办理"),
        ("3. 要未提供公开出版物", "要求提供公开出版物"),
        ("本机关不掌屋相关政府信息", "本机关不掌握相关政府信息"),
        ("（一） 予以 公開", None),  # Traditional, spaces: the regexes read it as printed
        ("3985758", None),  # numbers are never touched: the identities check them
        ("法提供", None),  # a fragment of a label split by a page break: the regexes rejoin it
        ("部分公开（区分处理的，只计这一情形，", None),  # the first cell of a wrapped label
        ("其他对外管理服务事项（注）", None),  # a footnote mark is no misprint
        ("淮安市人民政府", None),
        ("本年度没有收到政府信息公开申请", None),  # prose sharing a label's characters
        ("其中：网上申请", None),  # an agency's own row
    ],
)
def test_a_misprinted_label_is_restored_and_nothing_else(printed, phrase):
    found = labels.snap(printed)
    if phrase is None:
        assert found is None
    else:
        assert labels.normal(found[0]) == labels.normal(phrase)
        assert labels.SURE <= found[1] < 1


def test_normal_form_folds_what_a_reader_may_print_differently():
    assert labels.normal("（四） 无法 提供") == "无法提供"
    assert labels.normal("危及“三安全—稳定”") == "危及三安全一稳定"
    assert labels.normal("本機關不掌握相關政府信息") == "本机关不掌握相关政府信息"


def _read(tmp_path, text: str):
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    return report, as_values(report.cells)


@pytest.fixture(scope="module")
def pipe_report():
    cells = random_cells(5, fmt="2021")
    return cells, write(quirked(cells, ["none"], seed=1), "text-pipe").decode()


def _label_notes(report) -> list[str]:
    return [d for c, d in zip(report.checks.check, report.checks.detail) if c == "label_match"]


@pytest.mark.parametrize(
    "printed, misprint",
    [
        ("本机关不掌握相关政府信息", "本机关不掌屋相关政府信息"),  # sure: one in twelve
        ("予以公开", "予以公廾"),  # near: kept because the identities then hold
    ],
)
def test_a_misprinted_label_keeps_its_row(tmp_path, pipe_report, printed, misprint):
    """Failure class 3 (small label noise): one character not in look_alikes.csv cost the row."""
    cells, text = pipe_report
    report, got = _read(tmp_path, text.replace(printed, misprint, 1))
    assert got == as_values(cells)
    assert report.status == "verified"
    (why,) = _label_notes(report)
    assert misprint in why


def test_a_near_misprint_the_order_confirms_is_read_in_a_table_without_identities(
    tmp_path, pipe_report
):
    """行政许叮 is 0.75 from 行政许可 (one in four), and stands in the one row the format leaves
    between two labels printed as the template prints them: order and words agree."""
    cells, text = pipe_report
    report, got = _read(tmp_path, text.replace("行政许可", "行政许叮", 1))
    assert got == as_values(cells)
    (why,) = _label_notes(report)
    assert "行政许叮" in why and "the one row the order leaves" in why


def test_a_near_misprint_the_order_cannot_confirm_is_na_with_a_reason(tmp_path, pipe_report):
    cells, text = pipe_report
    text = text.replace("行政许可", "行政许叮", 1).replace("行政处罚", "■■■■", 1)
    report, got = _read(tmp_path, text)
    assert got[("proactive", "licensing", "decisions")] is None
    assert got[("proactive", "penalty", "decisions")] is None
    assert {k: v for k, v in got.items() if k[1] not in ("licensing", "penalty")} == {
        k: v for k, v in as_values(cells).items() if k[1] not in ("licensing", "penalty")
    }
    notes = _label_notes(report)
    assert any("行政许叮" in d and "no identity checks them" in d for d in notes)
    cell = report.cells.set_index(["table", "row", "col"]).loc[
        ("proactive", "licensing", "decisions")
    ]
    assert cell.na_reason == "ambiguous"


@pytest.mark.parametrize("garbled", ["■■■■■■", "\ufffd\ufffd\ufffd", ""])
def test_an_unreadable_label_is_placed_by_its_neighbours_under_the_identities(
    tmp_path, pipe_report, garbled
):
    cells, text = pipe_report
    report, got = _read(tmp_path, text.replace("属于行政执法案卷", garbled, 1))
    assert got == as_values(cells)
    assert report.status == "verified"
    (why,) = _label_notes(report)
    assert "withheld_enforcement_file" in why and "identities hold" in why


def test_words_that_name_no_row_are_placed_only_with_values_the_identities_prove(
    tmp_path, pipe_report
):
    """Noise that happens to be Chinese (满最效) reads like an agency's own row; placed by its
    neighbours only where the identities hold on values that are not all zero."""
    cells, text = pipe_report
    report, got = _read(tmp_path, text.replace("6.属于四类过程性信息", "满最效", 1))
    assert got == as_values(cells)  # 0 | 48107 | 0 | ... : the totals prove it
    (why,) = _label_notes(report)
    assert "'满最效', which names no row" in why and "identities hold" in why


def test_an_agencys_own_row_in_the_place_of_an_omitted_one_is_never_read_as_it(
    tmp_path, pipe_report
):
    cells, text = pipe_report
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if "属于四类过程性信息" in line)
    lines[i] = "| 其中：网上申请 | 0 | 5 | 0 | 0 | 0 | 0 | 5 | "
    report, got = _read(tmp_path, "\n".join(lines))
    assert all(got.get(k) is None for k in as_values(cells) if k[1] == "withheld_process_info")
    assert report.status != "verified"
    # all zero, the identities cannot tell an agency's row from the omitted one: NA as well
    report, got = _read(tmp_path, text.replace("7.属于行政执法案卷", "其中：网上申请", 1))
    assert all(got.get(k) is None for k in as_values(cells) if k[1] == "withheld_enforcement_file")
    (why,) = _label_notes(report)
    assert "all zero" in why


def test_placed_values_that_break_an_identity_are_na(tmp_path, pipe_report):
    cells, text = pipe_report
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if "属于行政执法案卷" in line)
    parts = lines[i].split("|")
    parts[-3] = " 777 "  # one value changed: the row no longer adds up
    lines[i] = "|".join(parts).replace("属于行政执法案卷", "■■■■")
    report, got = _read(tmp_path, "\n".join(lines))
    assert all(got.get(k) is None for k in got if k[1] == "withheld_enforcement_file")
    (why,) = _label_notes(report)
    assert "left NA" in why


MD_HEAD = "二、主动公开政府信息情况\n\n| 第二十条第（五）项 |  |  |  |\n|---|---|---|---|\n"
MD_BLOCK = "| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"


def _proactive(tmp_path, body: str):
    apps = write(quirked(random_cells(5, fmt="2019"), ["none"], seed=1), "markdown").decode()
    text = MD_HEAD + MD_BLOCK + body + apps[apps.index("## 三、") :]
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    cells = report.cells[report.cells.table == "proactive"].set_index(["row", "col"]).value
    return report, cells


def test_a_detached_row_is_its_labels_when_the_next_label_holds_its_own(tmp_path):
    """Failure class 2 (converter Markdown): the numbers stand on the row below their label."""
    body = "| 行政许可 |  |  |  |\n|  | 5 | -2 | 30 |\n| 其他对外管理服务事项 | 1 | 0 | 4 |\n"
    report, cells = _proactive(tmp_path, body)
    assert list(cells.loc["licensing"]) == [5, -2, 30]
    assert list(cells.loc["other_admin_services"]) == [1, 0, 4]


def test_a_detached_row_the_next_label_could_take_is_na(tmp_path):
    """Below 行政许可 and above an empty 其他对外管理服务事项: either row's, so neither's."""
    body = "| 行政许可 |  |  |  |\n|  | 5 | -2 | 30 |\n| 其他对外管理服务事项 |  |  |  |\n"
    report, cells = _proactive(tmp_path, body)
    assert cells.loc["licensing"].isna().all()
    assert any("licensing" in d and "left NA" in d for d in report.checks.detail)


def test_a_detached_row_with_a_blank_printed_as_nothing_is_placed_by_its_cells(tmp_path):
    body = (
        "| 行政许可 |  |  |  |\n|  | 5 |  | 30 |\n"
        "| 第二十条第（六）项 |  |  |  |\n" + MD_BLOCK + "| 行政处罚 | 1 | 0 | 4 |\n"
    )
    report, cells = _proactive(tmp_path, body)
    assert cells.loc[("licensing", "prev_year_items")] == 5
    assert pd.isna(cells.loc[("licensing", "change")])
    assert cells.loc[("licensing", "decisions")] == 30
