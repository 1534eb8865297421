"""Property: tables printed with every separator lost are
recovered exactly, or flagged — never wrong and verified."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import schema
from toolkit.extract.report import build_report
from toolkit.readers.base import RawDocument, RawRow

APPEALS_HEADER = (
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    + "结果维持结果纠正其他结果尚未审结总计" * 2
)
counts = st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(0, 3000))


@st.composite
def valid_tables(draw, fmt: str) -> dict[tuple[str, str, str], int]:
    """Random applications + appeals cells in which every printed identity holds."""
    rows, cols = schema.rows("applications", fmt), schema.cols("applications", fmt)[:-1]
    results = [
        r
        for r in rows
        if r not in ("new_received", "carried_over", "total_handled", "carried_forward")
    ]
    cells = {("applications", r, c): draw(counts) for r in results for c in cols}
    for c in cols:
        handled = sum(cells["applications", r, c] for r in results)
        forward, carried = draw(counts), draw(counts)
        carried = min(carried, handled + forward)
        cells |= {
            ("applications", "total_handled", c): handled,
            ("applications", "carried_forward", c): forward,
            ("applications", "carried_over", c): carried,
            ("applications", "new_received", c): handled + forward - carried,
        }
    for r in rows:
        cells["applications", r, "total"] = sum(cells["applications", r, c] for c in cols)
    for r in schema.rows("appeals", fmt):
        parts = {c: draw(counts) for c in ("upheld", "corrected", "other", "pending")}
        cells |= {("appeals", r, c): v for c, v in parts.items()} | {
            ("appeals", r, "total"): sum(parts.values())
        }
    return cells


def run_together(cells: dict, fmt: str) -> str:
    """The report as a web page's text extraction prints it when every cell separator is lost."""
    labels = schema.labels_zh("applications")
    out = [
        "某某县人民政府2020年政府信息公开工作年度报告。本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。",
        "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
    ]
    for r in schema.rows("applications", fmt):
        out.append(
            labels[("row", r)].replace(" ", "")
            + "".join(str(cells["applications", r, c]) for c in schema.cols("applications", fmt))
        )
    out.append(
        APPEALS_HEADER
        + "".join(
            str(cells["appeals", r, c])
            for r in schema.rows("appeals", fmt)
            for c in schema.cols("appeals", fmt)
        )
    )
    out.append("五、存在的主要问题及改进情况无。六、其他需要报告的事项无。")
    return "".join(out)


def check_recovery(cells: dict, fmt: str) -> None:
    report = build_report(
        RawDocument("generated.txt", "text", (RawRow((run_together(cells, fmt),)),))
    )
    got = {
        (t, r, c): v
        for t, r, c, v in zip(
            report.cells.table, report.cells.row, report.cells["col"], report.cells.value
        )
    }
    for key, value in cells.items():
        assert key in got, key
        if not pd.isna(got[key]):
            assert got[key] == value, (key, got[key], value)  # never a wrong number, flagged or not
    if report.status == "verified":
        assert all(got[k] == v for k, v in cells.items())
    else:
        assert report.status == "inconsistent"
        assert (report.checks.status == "ambiguous").any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["2019", "2021"]).flatmap(lambda f: st.tuples(st.just(f), valid_tables(f))))
def test_run_together_tables_recovered_or_flagged(case):
    fmt, cells = case
    check_recovery(cells, fmt)


def test_all_zero_table_is_recovered_exactly():
    keys = [
        ("applications", r, c)
        for r in schema.rows("applications", "2021")
        for c in schema.cols("applications", "2021")
    ]
    keys += [
        ("appeals", r, c)
        for r in schema.rows("appeals", "2021")
        for c in schema.cols("appeals", "2021")
    ]
    cells = dict.fromkeys(keys, 0)
    report = build_report(
        RawDocument("zeros.txt", "text", (RawRow((run_together(cells, "2021"),)),))
    )
    assert report.status == "verified"
    assert (report.cells[report.cells.table != "proactive"].value == 0).all()
