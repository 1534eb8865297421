"""The agency-year panel and the exports for Stata and R, on the committed dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.cli import main
from toolkit.dataset.export import stata_names
from toolkit.research.panel import panel

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "processed"


@pytest.fixture(scope="module")
def ds():
    return toolkit.load_dataset(DATA)


def test_panel_is_one_row_per_agency_year_with_values_weights_status_and_identity(ds):
    p = panel(ds, ["not_held_share", "appeals_per_100"])
    assert not p.duplicated(["adcode", "agency", "year"]).any()
    row = p.set_index(["agency", "year"]).loc[("北京市朝阳区人民政府", 2022)]
    assert (row.adcode, row.province, row.county, row.level) == (
        "110105",
        "北京市",
        "朝阳区",
        "county",
    )
    assert (row.not_held_share_num, row.not_held_share_den) == (779, 2178)
    assert round(row.not_held_share, 2) == 35.77 and row.verified and row.status == "verified"
    assert {"appeals_per_100_litigation", "appeals_per_100_reconsideration_den"} <= set(p.columns)
    # NA stays NA: Shanghai 2019 prints 不掌握 blank, so its share is NA (not 0)
    sh = p.set_index("agency").loc["上海市人民政府办公厅"]
    assert pd.isna(sh.not_held_share) and sh.not_held_share_den == 805 and not sh.verified
    # the inconsistent Pingtan 2020 report keeps its value, flagged by status
    z20 = p[(p.adcode == "350128") & (p.year == 2020) & (p.agency == "平潭综合实验区")].iloc[0]
    assert (z20.status, bool(z20.verified)) == ("inconsistent", False)
    # reports without an agency cannot be placed; the panel says which
    assert "partial-spamdomain-subdistrict-2019.txt" in p.attrs["unplaced"]


def test_panel_dedups_the_same_report_and_flags_conflicting_ones(ds):
    rid = ds.reports.set_index("file").loc["chaoyang-district-2022.txt", "report_id"]
    cells = ds.cells[ds.cells.report_id == rid]
    rep = ds.reports[ds.reports.report_id == rid]
    copy = rep.assign(report_id="copy0000000000000", file="copy.html", status="partial")
    other = rep.assign(report_id="zzzz000000000000", file="other.pdf", status="inconsistent")
    changed = cells.assign(report_id="zzzz000000000000")
    changed.loc[changed.row == "unavailable_not_held", "value"] = 1.0
    both = type(ds)(
        reports=pd.concat([rep, copy], ignore_index=True),
        cells=pd.concat([cells, cells.assign(report_id="copy0000000000000")], ignore_index=True),
        checks=ds.checks,
        errors=ds.errors,
    )
    p = panel(both, ["not_held_share"])
    assert len(p) == 1 and p.report_id.iloc[0] == rid and not p.conflict.iloc[0]
    clash = type(ds)(
        reports=pd.concat([rep, other], ignore_index=True),
        cells=pd.concat([cells, changed], ignore_index=True),
        checks=ds.checks,
        errors=ds.errors,
    )
    p = panel(clash, ["not_held_share"])
    assert len(p) == 1 and p.report_id.iloc[0] == rid  # the verified one is kept
    assert p.conflict.iloc[0] and p.n_reports.iloc[0] == 2


def test_an_unknown_measure_is_refused_naming_the_choices(ds):
    with pytest.raises(ValueError, match="unknown measure.*not_held_share"):
        panel(ds, ["not_a_measure"])


def test_export_to_stata_writes_labelled_dta_that_read_stata_reads_back(tmp_path, capsys):
    assert main(["export", str(DATA), "--to", "stata", "--out", str(tmp_path)]) == 0
    names = {Path(line).name for line in capsys.readouterr().out.split()}
    assert {"reports.dta", "cells.dta", "checks.dta", "panel.dta", "stata_names.csv"} <= names
    p = pd.read_stata(tmp_path / "panel.dta")
    assert {"adcode", "year", "not_held_share"} <= set(p.columns)
    cy = p[(p.adcode == "110105") & (p.year == 2022)].iloc[0]
    assert round(cy.not_held_share, 2) == 35.77 and cy.not_held_share_num == 779
    assert cy.status == "verified" and cy.level == "county 县级"
    for name in ("panel", "reports", "cells", "checks"):
        with pd.io.stata.StataReader(tmp_path / f"{name}.dta") as reader:
            var_labels = reader.variable_labels()
            value_labels = reader.value_labels()
        assert sum(bool(v) for v in var_labels.values()) >= 0.8 * len(var_labels), name
        assert all(len(v) <= 80 for v in var_labels.values())
    cells = pd.read_stata(tmp_path / "cells.dta")
    assert "unavailable_not_held （四）无法提供 1.本机关不掌握相关政府信息" in set(cells.row)
    assert set(value_labels) and "status" in pd.read_stata(tmp_path / "checks.dta")
    mapping = pd.read_csv(tmp_path / "stata_names.csv")
    assert (mapping.stata_name.str.len() <= 32).all()


def test_stata_names_are_short_valid_and_unique():
    long = "appeals_per_100_reconsideration_numerator_of_something_long"
    out = stata_names([long, long + "_x", "2021_total", "in", "a-b"])
    assert all(len(v) <= 32 for v in out.values()) and len(set(out.values())) == 5
    assert out["2021_total"] == "v_2021_total" and out["in"] == "v_in" and out["a-b"] == "a_b"


def test_export_to_parquet_and_csv_has_a_frictionless_descriptor(ds, tmp_path):
    written = ds.export("csv", tmp_path, panel=panel(ds, ["not_held_share"]))
    assert tmp_path / "panel.csv" in written
    desc = json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    fields = {f["name"]: f for f in desc["resources"][-1]["schema"]["fields"]}
    assert fields["not_held_share"]["type"] == "number"
    assert "Not held" in fields["not_held_share"]["description"]
    back = pd.read_csv(tmp_path / "panel.csv", dtype={"adcode": str})
    assert "110105" in set(back.adcode)
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:5]
    ds.to_parquet(tmp_path / "pq")
    assert pd.read_parquet(tmp_path / "pq" / "reports.parquet").adcode.notna().any()
