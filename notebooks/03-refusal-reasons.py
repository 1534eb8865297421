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
# # 03 · Refusal reasons: which grounds do agencies lean on?
#
# **Question.** When a request does not get the information, why not? The national table prints
# eight 不予公开 (withholding) grounds, three 无法提供 (cannot provide) grounds and five 不予处理
# (not processed) grounds. Which of them carry the weight, and do agencies differ?
#
# **Data.** `data/processed`, `applications` cells, through `toolkit.indicators`:
# `withholding_rate`, `withholding_mix`, `unavailable_mix`, `rejected_share`, `rejected_mix` and
# `other_mix` (each ground as a percent of its group; pooled results are ratios of sums over the
# reports where both parts are known).
#
# **Caveats.**
# * Headline numbers use `verified` reports only; the last table shows the pooled mix with the
#   flagged reports added.
# * Counts are small outside the large agencies: 平潭综合实验区 withholds 0–39 requests a year, so
#   one case moves a ground's share by several points. Read the numerators, not only the
#   percentages.
# * A group with no case at all (e.g. no withholding in 2019) gives NA, not 0 %.
# * The 2019 format prints （六）其他处理 as one row; `other_mix` is NA for 2019-format reports.
#   Fujian's pre-2019 table prints one 不予公开 count without grounds, so the mixes start in 2019.

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
by_place = verified.assign(agency=verified.region)  # short names for pooled tables and bars
vcells = ds.cells[ds.cells.report_id.isin(verified.report_id)]
print(ds.summary())
print(f"verified reports: {sorted(verified.file)}")

# %% [markdown]
# ## How often are requests refused, and on which footing?

# %%
rates = pd.concat(
    [
        indicators.withholding_rate(vcells),
        indicators.unavailable_share(vcells),
        indicators.rejected_share(vcells),
        indicators.other_share(vcells),
    ],
    ignore_index=True,
)
rates.merge(verified[["report_id", "label"]], on="report_id").pivot(
    index="label", columns="indicator", values="value"
).round(1)

# %% [markdown]
# ## 不予公开: the eight withholding grounds

# %%
withheld = indicators.withholding_mix(vcells).merge(
    verified[["report_id", "label", "agency"]], on="report_id"
)
withheld.pivot(index="category", columns="label", values="numerator")

# %%
withheld.pivot(index="category", columns="label", values="value").round(1)

# %% [markdown]
# Pooled per agency (ratio of sums over its verified reports). In the committed dataset 北京市朝阳区
# leans on 行政执法案卷 (enforcement files, 44 %), 淮安市 on 行政查询事项 (administrative query
# matters, 59 %), 平潭综合实验区 on 三类内部事务信息 (internal affairs, 55 %), most of it in one
# year (32 of 39 withholdings in 2024).

# %%
pooled = indicators.withholding_mix(vcells, by="agency", reports=by_place)
pooled.pivot(index="category", columns="agency", values="value").round(1)

# %%
pooled[["agency", "n_reports"]].drop_duplicates()

# %% [markdown]
# ## 无法提供 and 不予处理

# %%
indicators.unavailable_mix(vcells, by="agency", reports=by_place).pivot(
    index="category", columns="agency", values="value"
).round(1)

# %%
rejected = indicators.rejected_mix(vcells, by="agency", reports=by_place)
rejected.pivot(index="category", columns="agency", values="value").round(1)

# %%
indicators.other_mix(vcells).merge(verified[["report_id", "label"]], on="report_id").pivot(
    index="category", columns="label", values="value"
).round(1)

# %% [markdown]
# ## What the flagged reports would change
#
# The same pooled withholding mix by status. Only reports whose eight withholding rows are all
# printed enter (`n_reports`); partial excerpts stop before the rows and drop out (`n_excluded`).

# %%
by_status = indicators.withholding_mix(ds.cells, by="status", reports=reports)
by_status.pivot(index="category", columns="status", values="value").round(1)

# %%
by_status[["status", "n_reports", "n_excluded"]].drop_duplicates()

# %% [markdown]
# ## Figures

# %%
fig = plots.reason_bars(pooled, x="agency", title="不予公开的理由构成（已核验报告，按机关合计）")
plots.save(fig, FIGURES / "03-withholding-mix-by-agency", formats=("png", "svg"))
fig

# %%
fig = plots.reason_bars(
    withheld.assign(agency=withheld.label), x="agency", title="不予公开的理由构成（每份已核验报告）"
)
plots.save(fig, FIGURES / "03-withholding-mix-by-report", formats=("png", "svg"))
fig

# %%
fig = plots.reason_bars(rejected, x="agency", title="不予处理的理由构成（已核验报告，按机关合计）")
plots.save(fig, FIGURES / "03-rejected-mix-by-agency", formats=("png", "svg"))
fig
