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
# # 02 · The headline measure: the share of requests answered “information not held”
#
# **Question.** What share of the information requests an agency handles does it answer
# 本机关不掌握相关政府信息 (“this agency does not hold the information”)? How has that share moved
# for 平潭综合实验区 from 2011 to 2025, and how does it vary across the reports in the dataset?
#
# **Data.** `data/processed`: the `applications` cells of every report. The measure is
# `toolkit.indicators.not_held_share`: （四）无法提供 1.本机关不掌握相关政府信息 / （七）总计, in
# percent (NA, never 0, when a cell is blank or the denominator is 0). The long series comes from
# `toolkit.harmonize.series`, which puts Fujian's pre-2019 tables, the 2019 format and the 2021
# format on one scale and marks every change of definition (`break_before`).
#
# **Caveats.**
# * Headline numbers use `verified` reports only; the second panel and the pooled table show what
#   the flagged reports would add. 平潭综合实验区 2020 is `inconsistent`: its result rows add up to
#   27 while its （七）总计 prints 21, so its share is 4/21 on the printed total (4/27 on the rows).
# * Before 2019 the not-held answer was not printed: it hides among refusals and other answers, so
#   `harmonize` gives bounds (whiskers), not a value, and 0 only where every answer granted
#   disclosure. The zone received almost no requests before 2019 (see `received` below), so most of
#   those years are 0 of 0: NA, not 0 %. Pre-2019 years appear only where the dataset holds their
#   legacy-table cells.
# * The 2019 → 2021 change split （六）其他处理 into three rows; the not-held row itself kept its
#   wording, but the break is marked so that no reader mistakes it for a continuous series.

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

import toolkit
from toolkit import harmonize, indicators, plots, replication

DATA = Path("../data/processed")  # notebooks run from notebooks/
FIGURES = Path(os.environ.get("OGI_FIGURES", "figures"))
pd.set_option("display.max_colwidth", 80)

plots.use_cjk()  # your own matplotlib / pandas figures render Chinese too
print(replication.provenance(DATA).to_string())  # cite these with any result

ds = toolkit.load_dataset(DATA)
reports = plots.labelled(ds.reports)  # + short agency names and "name year" labels
national = reports[
    reports.format_applications.notna()
]  # reports with the 2019/2021 national tables
print(ds.summary())

# %% [markdown]
# ## Pingtan 2011–2025: one agency over fifteen years

# %%
series = harmonize.series(ds.cells, reports)
pingtan = reports[reports.agency == "平潭综合实验区"][["report_id", "year", "status", "n_cells"]]
share = pingtan.merge(
    series[series.measure == "not_held_share"][
        ["report_id", "value", "lower", "upper", "unit", "definition", "break_before", "note"]
    ],
    on="report_id",
    how="left",
).sort_values("year")
share = share.merge(
    indicators.not_held_share(ds.cells)[["report_id", "numerator", "denominator"]],
    on="report_id",
    how="left",
)
share.assign(agency="平潭综合实验区")[
    [
        "year",
        "status",
        "definition",
        "break_before",
        "numerator",
        "denominator",
        "value",
        "lower",
        "upper",
        "note",
    ]
]

# %%
missing = share[share.definition.isna()]
print(
    "Pingtan reports without a harmonized value in this build of the dataset: "
    f"{missing.year.tolist() or 'none'}"
)

# %% [markdown]
# The share is only as meaningful as its denominator. Requests to the zone (harmonized `received`:
# 受理 before 2019, 一、本年新收 from 2019; `relation` says how close the two definitions are):

# %%
received = series[(series.agency == "平潭综合实验区") & (series.measure == "received")].sort_values(
    "year"
)
received[["year", "report_status", "value", "definition", "relation", "confidence", "break_before"]]

# %%
fig = plots.trend(received, title="平潭综合实验区：收到的政府信息公开申请（件）")
plots.save(fig, FIGURES / "02-requests-received-pingtan", formats=("png", "svg"))
fig

# %% [markdown]
# The headline series keeps `verified` reports only (a flagged year is a gap, not a guess); the
# second panel adds the flagged ones, so a reader sees exactly what they would change.

# %%
panels = pd.concat(
    [
        share.assign(
            agency="仅已核验报告",
            value=share.value.where(share.status == "verified"),
            lower=share.lower.where(share.status == "verified"),
            upper=share.upper.where(share.status == "verified"),
        ),
        share.assign(agency="全部可读报告"),
    ],
    ignore_index=True,
).assign(indicator="not_held_share", unit="percent of handled requests")
panels.pivot(index="year", columns="agency", values="value")

# %%
headline = panels[panels.agency.str.startswith("仅")].assign(agency="平潭综合实验区")
fig = plots.trend(headline, title="平潭综合实验区：答复“本机关不掌握相关政府信息”的占比")
plots.save(fig, FIGURES / "02-not-held-share-pingtan", formats=("png", "svg"))
fig

# %%
fig = plots.small_multiples(panels, by="agency", ncols=2)
plots.save(fig, FIGURES / "02-not-held-share-pingtan-by-status", formats=("png", "svg"))
fig

# %% [markdown]
# ## The cross-section: every report where the share can be computed

# %%
cross = indicators.not_held_share(ds.cells).merge(
    reports[["report_id", "short", "year", "status", "level", "file"]], on="report_id"
)
cross = cross.assign(agency=cross.short + " " + cross.year.astype("string"))
cross[["file", "level", "status", "numerator", "denominator", "value", "note"]].sort_values(
    "value", ascending=False
)

# %%
print(
    f"computable in {cross.value.notna().sum()} of {len(ds.reports)} reports; "
    "the rest lack the cells: "
    f"{cross.note.str.extract(r'(blank|not in the report)')[0].value_counts().to_dict()}"
)

# %% [markdown]
# Pooled across reports (a ratio of sums, not a mean of rates), by status: the `verified` row is the
# headline, the others show what the flagged reports would add.

# %%
indicators.not_held_share(ds.cells, by="status", reports=reports)[
    ["status", "numerator", "denominator", "value", "n_reports", "n_excluded", "note"]
]

# %%
verified_cells = ds.cells[
    ds.cells.report_id.isin(national.report_id[national.status == "verified"])
]
indicators.not_held_share(verified_cells, by="level", reports=reports)[
    ["level", "numerator", "denominator", "value", "n_reports"]
]

# %% [markdown]
# Within 无法提供 (cannot provide), “not held” is almost the whole category in the 2021 format:

# %%
mix = indicators.unavailable_mix(verified_cells).merge(
    reports[["report_id", "file"]], on="report_id"
)
mix.pivot(index="file", columns="category", values="value").round(1)

# %% [markdown]
# ## Figures: the cross-section, coloured by status

# %%
bars = (
    cross[cross.value.notna()]
    .sort_values("value", ascending=False)
    .assign(category=lambda f: f.status)
)
fig = plots.reason_bars(
    bars, x="agency", title="各报告：答复“本机关不掌握相关政府信息”的占比（按核验状态着色）"
)
plots.save(fig, FIGURES / "02-not-held-share-cross-section", formats=("png", "svg"))
fig

# %% [markdown]
# The same two figures with English labels, for papers in English:

# %%
fig = plots.trend(
    headline, lang="en", title="Pingtan Comprehensive Experimental Zone: share answered 'not held'"
)
plots.save(fig, FIGURES / "02-not-held-share-pingtan-en", formats=("png", "svg"), lang="en")
fig = plots.reason_bars(
    bars.assign(agency=bars.file.str.replace(r"\.\w+$", "", regex=True)),
    x="agency",
    lang="en",
    title="Share answered 'information not held', by report (colour: status)",
)
plots.save(fig, FIGURES / "02-not-held-share-cross-section-en", formats=("png", "svg"), lang="en")
fig
