# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Quickstart: one report as tidy tables and checks
#
# **Question.** What does one 政府信息公开工作年度报告 look like once the toolkit has read it, and
# how far can its numbers be trusted?
#
# **Data.** The committed dataset in `data/processed` (`reports`, `cells`, `checks`, `errors`; see
# its `datapackage.json` for the data dictionary). The example is the report this project started
# from: 北京市朝阳区人民政府 2022 (`chaoyang-district-2022.txt`).
#
# **Caveats.** A blank cell is NA, never 0. A report's `status` says how far it can be trusted: only
# `verified` reports (complete applications and appeals tables, every identity holds) should carry
# headline numbers; the other statuses say why not (`inconsistent`, `partial`, `repaired`,
# `failed`).

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

import toolkit
from toolkit import indicators, plots, replication

DATA = Path("../data/processed")  # notebooks run from notebooks/
FIGURES = Path(os.environ.get("OGI_FIGURES", "figures"))
CORPUS = Path(os.environ.get("OGI_CORPUS", "../../shared/corpus"))
pd.set_option("display.max_colwidth", 100)
pd.set_option("display.max_rows", 100)

plots.use_cjk()  # your own matplotlib / pandas figures render Chinese too
print(replication.provenance(DATA).to_string())  # cite these with any result

ds = toolkit.load_dataset(DATA)
ds  # a summary, not the frames: ds.reports, ds.cells, ds.checks, ds.errors

# %% [markdown]
# ## The four tables
#
# `reports` has one row per source document, `cells` one row per table cell, `checks` one row per
# identity evaluated, `errors` one row per file that could not be read.

# %%
ds.reports.status.value_counts()

# %%
seed = ds.reports.loc[ds.reports.file == "chaoyang-district-2022.txt"].iloc[0]
seed[
    [
        "report_id",
        "file",
        "agency",
        "region",
        "level",
        "year",
        "format_applications",
        "reader",
        "status",
        "n_cells",
    ]
]

# %% [markdown]
# ## The seed report's cells
#
# Every cell is keyed by (`report_id`, `table`, `row`, `col`) with the canonical codes of
# `spec/codes.csv`; `value` is the number, `raw` the text as printed.

# %%
cells = ds.cells[ds.cells.report_id == seed.report_id]
cells.groupby("table").size()

# %%
cells[cells.table == "applications"].head(10)

# %% [markdown]
# The familiar wide layout of the 三、收到和处理政府信息公开申请情况
# table (rows and columns in printed order):

# %%
apps = cells[cells.table == "applications"]
apps.pivot(index="row", columns="col", values="value").reindex(
    index=apps.row.unique(), columns=apps["col"].unique()
)

# %%
appeals = cells[cells.table == "appeals"]
appeals.pivot(index="row", columns="col", values="value").reindex(
    index=appeals.row.unique(), columns=appeals["col"].unique()
)

# %% [markdown]
# ## Its checks
#
# The printed identity 一 + 二 = 三(七)总计 + 四 (`balance`), the applicant columns against 总计
# (`applicant_sum`), the result rows against （七）总计 (`results_sum`), the appeal outcomes against
# their totals (`outcome_sum`) and, across years, last year's carry-forward against this year's
# carry-over.

# %%
checks = ds.checks[ds.checks.report_id == seed.report_id]
checks.groupby(["check", "status"]).size()

# %%
checks[checks.check == "balance"][["check", "scope", "lhs", "rhs", "diff", "status"]]

# %% [markdown]
# ## Research measures for this report
#
# `toolkit.indicators` turns cells into measures with numerator, denominator and unit. The headline:
# 779 of 2,178 handled requests were answered 本机关不掌握相关政府信息 (information not held).

# %%
indicators.not_held_share(cells)

# %%
shares = pd.concat(
    [
        indicators.disclosure_rate(cells),
        indicators.withholding_rate(cells),
        indicators.unavailable_share(cells),
        indicators.rejected_share(cells),
        indicators.other_share(cells),
    ],
    ignore_index=True,
)
shares[["indicator", "numerator", "denominator", "value", "unit"]]

# %% [markdown]
# ## The same report read from its source file
#
# `toolkit.read_report` reads one file of any supported format (text, HTML, PDF, Word) into a
# `Report` with `meta`, `cells`, `checks` and `status`. The raw corpus is not part of the
# repository: this cell reads it only where `../shared/corpus/raw` exists beside the repository (or
# `$OGI_CORPUS` points to it).

# %%
raw = CORPUS / "raw" / "chaoyang-district-2022.txt"
if raw.exists():
    report = toolkit.read_report(raw)
    print(report.summary())
    same = report.cells.merge(cells, on=["table", "row", "col"], suffixes=("_file", "_dataset"))
    print(
        f"{len(same)} cells in both; values identical: {same.value_file.equals(same.value_dataset)}"
    )
    display(report.table("applications"))
else:
    print(f"{raw} is not on this machine: the dataset above is all this notebook needs.")

# %% [markdown]
# A report from before 2019 prints Fujian's own 统计表 instead of the national tables;
# `report.tables()` lists what a report holds, and `report.table()` shows any of them:

# %%
old = CORPUS / "raw" / "pingtan-zone-2014.txt"
if old.exists():
    legacy = toolkit.read_report(old)
    display(legacy)  # a short summary, not the frames
    print(legacy.tables())
    display(legacy.table("legacy_applications"))
else:
    print(f"{old} is not on this machine.")

# %% [markdown]
# ## Figure: how every verified report's handled requests ended
#
# Each bar is one `verified` report in the national (2019 or 2021) format; segments are the shares
# of （七）总计 granted (in full or in part), withheld, answered 无法提供, not processed and closed
# otherwise. They sum to 100 % because every identity holds in a verified report. (Verified pre-2019
# reports follow Fujian's own table, which has no such breakdown: see `02-not-held-share`.)

# %%
reports = plots.labelled(ds.reports)  # + short agency names and "name year" labels
verified = reports[(reports.status == "verified") & reports.format_applications.notna()].assign(
    agency=lambda r: r.label
)
vcells = ds.cells[ds.cells.report_id.isin(verified.report_id)]
outcomes = pd.concat(
    [
        indicators.disclosure_rate(vcells),
        indicators.withholding_rate(vcells),
        indicators.unavailable_share(vcells),
        indicators.rejected_share(vcells),
        indicators.other_share(vcells),
    ],
    ignore_index=True,
)
outcomes = outcomes.merge(verified[["report_id", "agency", "year"]], on="report_id").sort_values(
    ["agency"]
)
outcomes = outcomes.assign(category=outcomes.indicator)
fig = plots.reason_bars(outcomes, x="agency", title="已核验报告：已办结申请的处理结果构成")
plots.save(fig, FIGURES / "01-outcomes-verified", formats=("png", "svg"))
fig
