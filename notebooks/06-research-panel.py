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
# # 06 · From the dataset to a research panel: codes, a fixed-effects estimate, Stata, an audit
#
# **Question.** Does the share of requests answered 本机关不掌握相关政府信息 (“not held”) move over
# the years once each agency's own level is taken out? And can a reviewer trace one number of the
# panel back to the place on the page it was printed?
#
# **Data.** `data/processed`, turned into an agency × year panel by `toolkit.panel`: one row per
# (`adcode`, `agency`, `year`), the GB/T 2260 code of the agency's jurisdiction beside its names,
# level and kind, each indicator with its numerator and denominator, and the report's `status`.
#
# **Caveats.**
# * The sample is tiny: the committed dataset holds national-format reports of three agencies, and
#   only 平潭综合实验区 has more than one year. The estimate below shows the workflow; it says
#   nothing about Chinese agencies in general, and its standard errors mean little.
# * Only `verified` reports enter the estimate (`verified` column); Pingtan 2020 is `inconsistent`
#   (its result rows add to 27 while its total prints 21) and is left out, not repaired.
# * A share is NA, never 0, where its cells are blank: Shanghai 2019 prints no not-held number.

# %%
# %matplotlib inline
import os
import tempfile
from pathlib import Path

import pandas as pd
import statsmodels.formula.api as smf
from matplotlib.patches import Rectangle

import toolkit
from toolkit import plots, replication

DATA = Path("../data/processed")  # notebooks run from notebooks/
CORPUS = Path(os.environ.get("OGI_CORPUS", "../../shared/corpus"))
FIGURES = Path(os.environ.get("OGI_FIGURES", "figures"))
pd.set_option("display.max_colwidth", 60)

plots.use_cjk()  # your own matplotlib / pandas figures render Chinese too
print(replication.provenance(DATA).to_string())  # cite these with any result

ds = toolkit.load_dataset(DATA)
print(ds.summary())

# %% [markdown]
# ## The panel: one row per agency × year, keyed by the jurisdiction code
#
# `adcode` is the 6-digit GB/T 2260 code of the jurisdiction the agency belongs to (the code valid
# in the report's year), the key census, yearbook and fiscal data use; `agency_type` says what kind
# of agency it is. A name that fits no division, or more than one, has no code: the reason is in
# `checks` (check `identity`).

# %%
panel = toolkit.panel(ds)
panel[
    [
        "adcode",
        "agency",
        "year",
        "province",
        "county",
        "level",
        "agency_type",
        "status",
        "verified",
        "not_held_share",
        "not_held_share_num",
        "not_held_share_den",
    ]
]

# %%
identity_notes = ds.checks[ds.checks.check == "identity"].merge(
    ds.reports[["report_id", "file"]], on="report_id"
)
identity_notes[["file", "scope", "status", "detail"]]

# %% [markdown]
# ## A two-way fixed-effects estimate: agency effects and a linear year trend
#
# `not_held_share ~ year + C(agency)` (year centred on 2022), weighted by the number of requests
# handled (the share's denominator), on the verified national-format reports. Agency effects
# absorb each agency's own level; the year coefficient is the within-agency change per year,
# identified here by Pingtan alone.

# %%
sample = panel[panel.verified & panel.not_held_share.notna()].copy()
sample["share"] = sample.not_held_share.astype(float)
sample["handled"] = sample.not_held_share_den.astype(float)
sample["year"] = sample.year.astype(int)
sample["years_since_2022"] = sample.year - 2022  # centred, so the intercept is a 2022 level
print(f"{len(sample)} agency-years, {sample.agency.nunique()} agencies")
fe = smf.wls("share ~ years_since_2022 + C(agency)", data=sample, weights=sample.handled).fit()
print(fe.summary().tables[1])
trend = fe.params["years_since_2022"]
print(f"within-agency change: {trend:+.2f} percentage points a year (n = {fe.nobs:g}, tiny)")

# %%
fitted = sample.assign(value=fe.fittedvalues, agency=sample.agency + "（拟合）")
lines = pd.concat([sample.assign(value=sample.share), fitted], ignore_index=True)
fig = plots.trend(
    lines[["year", "value", "agency"]],
    title="不掌握相关政府信息占办理总数的比例（%）：观测值与固定效应拟合",
)
fig.axes[0].set_ylabel("%")
plots.save(fig, FIGURES / "06-not-held-share-fixed-effects", formats=("png", "svg"))
fig

# %% [markdown]
# ## Export for Stata (and R)
#
# `toolkit export data/processed --to stata --out DIR` on the command line, or `Dataset.export`
# here: `.dta` files (format 118, Unicode) for reports, cells, checks and the panel, with variable
# labels from the data dictionary (中文 | English) and value labels for the codes. Names longer
# than Stata's 32 characters are shortened by a documented mapping, written beside the files as
# `stata_names.csv`.

# %%
out = Path(tempfile.mkdtemp(prefix="ogi-stata-"))
written = ds.export("stata", out, panel=panel)
print("\n".join(p.name for p in written))
back = pd.read_stata(out / "panel.dta")
with pd.io.stata.StataReader(out / "panel.dta") as reader:
    labels = reader.variable_labels()
back[["adcode", "year", "agency", "level", "status", "not_held_share"]].head()

# %%
pd.Series(labels, name="variable label").head(12)

# %% [markdown]
# ## Audit: where does Huai'an's “769 not held” come from?
#
# Every cell read from a PDF carries its box on the page (PDF points, origin bottom-left as PDFium
# reports them). `Report.inspect` draws every box over the rendered page, coloured by what became
# of the cell; here the page is zoomed on the audited cell. This needs the original PDF, which is
# not committed: the cell runs where `../shared/corpus` (or `$OGI_CORPUS`) holds it.

# %%
huaian = ds.reports.set_index("file").loc["huaian-city-2024.pdf", "report_id"]
cell = ds.cells[
    (ds.cells.report_id == huaian)
    & (ds.cells.row == "unavailable_not_held")
    & (ds.cells["col"] == "total")
].iloc[0]
cell[["table", "row", "col", "value", "raw", "page", "x0", "y0", "x1", "y1", "box_unit"]]

# %%
pdf = CORPUS / "raw" / "huaian-city-2024.pdf"
if pdf.exists():
    report = toolkit.read_report(pdf)
    audit = report.inspect(int(cell.page))
    ax = audit.axes[0]
    ax.add_patch(
        Rectangle(
            (cell.x0, cell.y0), cell.x1 - cell.x0, cell.y1 - cell.y0, fill=False, lw=3, ec="#0072B2"
        )
    )
    ax.set_xlim(cell.x0 - 420, cell.x1 + 20)  # the row's label and its numbers
    ax.set_ylim(cell.y0 - 70, cell.y1 + 70)
    plots.save(audit, FIGURES / "06-audit-huaian-not-held", formats=("png", "svg"))
    display(audit)
else:
    print(f"{pdf} is not here: the audit figure needs the original report")
