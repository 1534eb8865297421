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
# # 04 · Data quality: which reports can be trusted, and how much?
#
# **Question.** Agencies make arithmetic errors, excerpts stop part-way through a table, digits run
# together, and the prose of a report can contradict its own tables. Before any number goes into a
# paper: which reports hold up, which do not, and does it change the conclusions?
#
# **Data.** `data/processed`: `reports.status` and `reports.reasons`, and the `checks` table (one
# row per identity evaluated: `ok`, `failed`, `ambiguous`, `not_evaluable` or `note`). Three kinds
# of evidence:
# 1. **identities inside a report**: 一 + 二 = 三(七)总计 + 四 (`balance`), applicant columns
#    against 总计 (`applicant_sum`), result rows against （七）总计 (`results_sum`), appeal outcomes
#    (`outcome_sum`); digit runs that cannot be split unambiguously (`ambiguous_digits`, left NA
#    with the candidates);
# 2. **prose against tables** (`narrative_*` checks, from `toolkit.narrative`);
# 3. **across years**: 四、结转下年度 in year t−1 against 二、上年结转 in year t (`carry_over`) and
#    the stock of normative documents (`in_force`).
#
# `toolkit.quality` turns these into a per-report and per-agency scorecard: `score` is the percent
# of arithmetic checks that could be evaluated and hold; `narrative_agreement` the percent of prose
# figures that agree with the tables.
#
# **Caveats.** A check that cannot be evaluated (a blank cell) is not a pass: it lowers `score`. The
# manifest checks (`year`, `source_hash`) are left out of the score: they say nothing about the
# numbers. A report with no table cells at all is left out of the scorecard figure. A `verified`
# status is about the tables; a report whose prose contradicts its tables keeps its status, and the
# conflict is a `narrative_*` row (the table, not the prose, is what the dataset holds).

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

import toolkit
from toolkit import indicators, plots, quality, replication

DATA = Path("../data/processed")  # notebooks run from notebooks/
FIGURES = Path(os.environ.get("OGI_FIGURES", "figures"))
pd.set_option("display.max_colwidth", 160)
pd.set_option("display.max_rows", 100)

plots.use_cjk()  # your own matplotlib / pandas figures render Chinese too
print(replication.provenance(DATA).to_string())  # cite these with any result

ds = toolkit.load_dataset(DATA)
reports = plots.labelled(ds.reports)  # + short agency names and "name year" labels
checks = ds.checks.merge(reports[["report_id", "file"]], on="report_id")
prose_check = checks.check.str.startswith("narrative_")
print(ds.summary())

# %% [markdown]
# ## Status of every report, and why

# %%
reports.status.value_counts()

# %%
reports[reports.status != "verified"][["file", "status", "n_cells", "reasons"]].sort_values(
    ["status", "file"]
)

# %% [markdown]
# ## Every check in the dataset, by outcome (the prose checks together as `narrative_*`)

# %%
grouped = checks.assign(check=checks.check.where(~prose_check, "narrative_*"))
grouped.groupby(["check", "status"]).size().unstack(fill_value=0)

# %% [markdown]
# ### 1. Identity violations inside a report
#
# A `failed` identity is the agency's own arithmetic: the numbers are kept exactly as printed and
# the failure is recorded. 平潭综合实验区 2020 is the example: its result rows sum to 27 (natural
# persons 26) against a printed （七）总计 of 21 (20), while 一 + 二 = （七） + 四 still holds.

# %%
checks[(checks.status == "failed") & ~prose_check][
    ["file", "check", "table", "scope", "lhs", "rhs", "diff", "detail"]
]

# %% [markdown]
# Digit runs that could be split in more than one way are `ambiguous`: the cell is NA and the check
# names the candidate readings. The table below says where they are; a report whose applications or
# appeals table holds one cannot be `verified`.

# %%
ambiguous = checks[checks.status == "ambiguous"]
ambiguous.groupby(["table", "file"]).size().unstack("table", fill_value=0)

# %%
ambiguous[["file", "scope", "detail"]].head(5)

# %% [markdown]
# ### 2. Prose against tables
#
# `toolkit.narrative` finds the figures a report states in prose (收到申请75件, 均获维持, fees) and
# compares each with the cells it describes. Known cases: 平潭综合实验区 2022 says 75 requests, its
# table 74; 上海市人民政府办公厅 2019 says every reconsideration was upheld while its table shows 5
# of 7 upheld. Fees are in prose only (`note` rows).

# %%
narrative = checks[prose_check]
if narrative.empty:
    print(
        "This build of the dataset carries no narrative_* checks: "
        "the prose of each report has not been "
        "compared with its tables here (see toolkit.narrative.checks on a report's text)."
    )
narrative.groupby("status").size()

# %%
narrative[narrative.status == "failed"][["file", "check", "lhs", "rhs", "detail"]]

# %% [markdown]
# ### 3. Consecutive years of the same agency

# %%
across = checks[checks.check.isin(["carry_over", "in_force"])]
across.groupby(["file", "check", "status"]).size().unstack(["check", "status"], fill_value=0)

# %%
mismatch = across[across.status == "failed"]
print(
    f"{len(across)} cross-year checks, {len(mismatch)} mismatches, "
    f"{(across.status == 'not_evaluable').sum()} not evaluable (a term is blank or ambiguous)."
)
mismatch[["file", "check", "scope", "lhs", "rhs", "detail"]]

# %% [markdown]
# ## How much can each report be trusted?

# %%
# quality leaves the manifest checks (year, source_hash) out of the score: they say nothing about
# the numbers, so a report whose tables could not be checked at all scores NA rather than 100.
per_report = quality.report_quality(ds.checks, reports[["report_id", "file", "status", "n_cells"]])
per_report.sort_values(["score", "file"])[
    [
        "file",
        "status",
        "n_cells",
        "checks",
        "failed",
        "ambiguous",
        "not_evaluable",
        "score",
        "narrative_checks",
        "narrative_agreement",
    ]
]

# %%
card = quality.scorecard(ds.checks, reports.assign(agency=reports.short))
card[
    [
        "agency",
        "reports",
        "reports_verified",
        "reports_inconsistent",
        "reports_partial",
        "checks",
        "failed",
        "ambiguous",
        "not_evaluable",
        "score",
        "narrative_agreement",
        "worst_report",
        "worst_score",
    ]
].sort_values("reports", ascending=False)

# %% [markdown]
# ## Does it change the conclusions?
#
# The headline not-held share pooled over the `verified` reports, and with the `inconsistent` one
# added (平潭综合实验区 2020: its （七）总计 is the number that fails, so it enters on the printed
# total, 4 of 21).

# %%
national = reports[reports.format_applications.notna()]
verified = national[national.status == "verified"].assign(sample="verified only")
readable = national[national.status.isin(["verified", "inconsistent"])].assign(
    sample="verified + inconsistent"
)
pd.concat(
    [
        indicators.not_held_share(
            ds.cells[ds.cells.report_id.isin(verified.report_id)], by="sample", reports=verified
        ),
        indicators.not_held_share(
            ds.cells[ds.cells.report_id.isin(readable.report_id)], by="sample", reports=readable
        ),
    ],
    ignore_index=True,
)[["sample", "numerator", "denominator", "value", "n_reports"]]

# %%
print(
    f"verified: {len(verified)} national-format reports "
    f"(+ {((reports.status == 'verified') & reports.format_applications.isna()).sum()} "
    "pre-2019 ones); "
    f"inconsistent: {(reports.status == 'inconsistent').sum()}; "
    f"partial: {(reports.status == 'partial').sum()}; "
    "reports whose prose contradicts a table: "
    f"{narrative[narrative.status == 'failed'].file.nunique()}"
)

# %% [markdown]
# **Reading.** The `verified` national-format reports carry the headline numbers. 平潭综合实验区
# 2020 is usable for its 一/二/四 rows (they balance and agree with the neighbouring years'
# carry-over) but not for shares of （七）总计; adding it moves the pooled not-held share by a few
# hundredths of a point, because it is small. Where prose and table disagree, the table is
# internally consistent and is what the dataset holds; the conflict is a reason to quote the table,
# not the text. The partial reports are excerpts or reports without the national tables: they say
# nothing about the national measures and are never imputed.

# %% [markdown]
# ## Figures
#
# The first figure counts every check by outcome, the prose checks together as `narrative_*` (the
# failures are listed above: at this scale they are a sliver). The second shows, per report, how
# many of its prose figures agree with its tables and how many do not. The third is the scorecard:
# verified 平潭综合实验区 reports score below 100 because the run-together digits of their 主动公开
# tables are `ambiguous`, which is the honest answer for those cells.

# %%
outcome_zh = {
    "ambiguous": "有歧义",
    "not_evaluable": "无法核对",
    "ok": "通过",
    "failed": "不成立",
    "note": "说明",
}  # stacked (and coloured) in this order
counts = grouped.groupby(["check", "status"]).size().rename("value").reset_index()
counts = counts.assign(category=counts.status.map(outcome_zh)).sort_values(
    "status", key=lambda s: s.map(list(outcome_zh).index)
)
fig = plots.reason_bars(counts, x="check", title="数据集中的全部核对，按结果分类（件数）")
plots.save(fig, FIGURES / "04-checks-by-outcome", formats=("png", "svg"))
fig

# %%
prose = narrative[narrative.status.isin(["ok", "failed"])].merge(
    reports[["report_id", "short", "year"]], on="report_id"
)
prose = prose.assign(
    agency=prose.short + " " + prose.year.astype("string"), category=prose.status.map(outcome_zh)
)
prose = prose.groupby(["agency", "category"]).size().rename("value").reset_index()
if len(prose):
    fig = plots.reason_bars(
        prose, x="agency", title="正文数字与表格的核对：可核对的数字，按报告（件数）"
    )
    plots.save(fig, FIGURES / "04-narrative-checks", formats=("png", "svg"))
    display(fig)

# %%
with_cells = per_report.merge(reports[["report_id", "short", "year"]], on="report_id")
with_cells = with_cells[with_cells.n_cells > 0].rename(columns={"short": "agency"})
fig = plots.quality_heatmap(
    with_cells, title="数据质量得分：可核对且成立的算术核对占比（有表格的报告）"
)
plots.save(fig, FIGURES / "04-quality-heatmap", formats=("png", "svg"))
fig
