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
# # 05 · Appeals: how often are disclosure decisions challenged, and how often corrected?
#
# **Question.** Requesters who are refused can ask for 行政复议 (administrative reconsideration) or
# sue (行政诉讼, directly or after reconsideration). How many cases per 100 requests does an agency
# face, and how often does the reviewing body correct it (结果纠正)?
#
# **Data.** `data/processed`: the 四、政府信息公开行政复议、行政诉讼情况 table (`appeals`: 3 rows ×
# 5 outcome columns) and the applications total, through `toolkit.indicators.appeals_per_100` and
# `toolkit.indicators.correction_rate` (结果纠正 / (维持 + 纠正 + 其他结果); pending cases
# excluded).
#
# **Caveats.**
# * Headline numbers use `verified` reports only; the
#   cross-section table shows the flagged ones too.
# * Appeals decided in a year are not the appeals of that year's requests: cases lag, and 尚未审结
#   (pending) cases are excluded from the correction rate. Per-100 rates are a workload ratio, not a
#   probability that a request is appealed.
# * Counts are small outside the large agencies (平潭综合实验区: 0–36 reconsiderations a year): a
#   correction rate of 50 % can be 1 case of 2. The tables print the counts beside the rates.
# * Prose about appeals (e.g. “均获维持”, every case upheld) is checked against this table in
#   `04-data-quality` where the dataset carries narrative checks.

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

import toolkit
from toolkit import indicators, plots, replication

DATA = Path("../data/processed")  # notebooks run from notebooks/
FIGURES = Path(os.environ.get("OGI_FIGURES", "figures"))
pd.set_option("display.max_colwidth", 80)

plots.use_cjk()  # your own matplotlib / pandas figures render Chinese too
print(replication.provenance(DATA).to_string())  # cite these with any result

ds = toolkit.load_dataset(DATA)
reports = plots.labelled(ds.reports)  # + short agency names and "name year" labels
verified = reports[
    (reports.status == "verified") & reports.format_applications.notna()
]  # national tables
vcells = ds.cells[ds.cells.report_id.isin(verified.report_id)]
print(ds.summary())

# %% [markdown]
# ## The appeals table of every verified report

# %%
appeals = (
    vcells[vcells.table == "appeals"]
    .merge(verified[["report_id", "label"]], on="report_id")
    .sort_values("label", kind="stable")
)
appeals.pivot_table(index=["label", "row"], columns="col", values="value", sort=False)[
    ["upheld", "corrected", "other", "pending", "total"]
]

# %% [markdown]
# ## Cases per 100 handled requests

# %%
per100 = (
    indicators.appeals_per_100(ds.cells)
    .merge(
        reports[reports.format_applications.notna()][
            ["report_id", "label", "status", "year", "agency"]
        ],
        on="report_id",
    )
    .sort_values(["label", "category"])
)
per100[per100.denominator.notna()].pivot_table(
    index=["status", "label"], columns="category", values=["numerator", "value"], sort=False
).round(2)

# %%
pooled = indicators.appeals_per_100(vcells, by="status", reports=verified)
pooled[["category", "numerator", "denominator", "value", "n_reports"]]

# %% [markdown]
# ## Correction rates

# %%
correction = (
    indicators.correction_rate(vcells)
    .merge(verified[["report_id", "label", "year", "agency"]], on="report_id")
    .sort_values(["label", "category"])
)
correction.pivot_table(
    index="label", columns="category", values=["numerator", "denominator", "value"], sort=False
).round(1)

# %%
indicators.correction_rate(vcells, by="agency", reports=verified.assign(agency=verified.region))[
    ["agency", "category", "numerator", "denominator", "value", "n_reports"]
]

# %% [markdown]
# ## Figures

# %%
pingtan = per100[per100.agency == "平潭综合实验区"]
pingtan = pingtan.assign(
    value=pingtan.value.where(pingtan.status == "verified"),  # a flagged year is a gap
)  # categories are codes: trend labels them in the figure's language
fig = plots.trend(
    pingtan, group="category", title="平潭综合实验区：每百件已办结申请的行政复议与行政诉讼"
)
plots.save(fig, FIGURES / "05-appeals-per-100-pingtan", formats=("png", "svg"))
fig

# %% [markdown]
# Outcomes of the reconsideration cases, in counts (维持 / 纠正 / 其他结果 / 尚未审结), one bar per
# verified report:

# %%
recon = appeals[(appeals.row == "reconsideration") & (appeals["col"] != "total")]
recon = recon.assign(
    agency=recon.label, category=recon["col"].map(lambda c: plots.name(c, table="appeals"))
)
fig = plots.reason_bars(recon, x="agency", title="行政复议案件的结果（件数，已核验报告）")
plots.save(fig, FIGURES / "05-reconsideration-outcomes", formats=("png", "svg"))
fig

# %% [markdown]
# Correction rates for 平潭综合实验区 by year; read them with the counts above (a point can rest on
# one or two cases, and a year with no decided case is a gap):

# %%
pingtan_correction = correction[correction.agency == "平潭综合实验区"]
fig = plots.trend(
    pingtan_correction, group="category", title="平潭综合实验区：纠错率（结果纠正／已审结）"
)
plots.save(fig, FIGURES / "05-correction-rate-pingtan", formats=("png", "svg"))
fig
