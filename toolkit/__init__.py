"""OGI annual reports (政府信息公开工作年度报告) -> exact, validated, tidy pandas data.

Reading
-------
read_report(path)          one report file of any format -> Report (meta, cells, checks, status)
read_corpus(paths)         many files in parallel, with a cache -> Dataset
load_dataset(folder)       a built dataset (Parquet + datapackage.json) -> Dataset

Analysis (loaded on first use; each function has a docstring with an example)
-----------------------------------------------------------------------------
toolkit.indicators         not_held_share, disclosure_rate, withholding_rate, withholding_mix,
                           unavailable_share, unavailable_mix, rejected_share, rejected_mix,
                           other_share, other_mix, applicant_mix, appeals_per_100,
                           correction_rate, carry_over, all_indicators: one row per report
                           (with reports=: agency, year, report_status beside it) or pooled
                           with by="year" / "agency" / "status" (ratios of sums, sorted)
toolkit.harmonize.series   one series across the 2019, 2021 and pre-2019 definitions, with
                           bounds, confidence and definition breaks (break_before)
toolkit.quality            report_quality, scorecard: how far each report can be trusted
toolkit.plots              trend, reason_bars, small_multiples, quality_heatmap, save; and
                           use_cjk(), which makes your own matplotlib figures render Chinese
toolkit.replication        provenance(): toolkit version, commit, dataset sha256, versions
toolkit.panel(dataset)     one row per agency × year: indicators, status, adcode and identity

Example::

    import toolkit
    from toolkit import indicators, plots

    ds = toolkit.load_dataset("data/processed")
    share = indicators.not_held_share(ds.cells, reports=ds.reports)
    verified = share[share.report_status == "verified"]
    fig = plots.trend(verified.dropna(subset=["value"]))

Layers (imports only go down): schema, normalize -> readers -> extract -> dataset -> research;
the CLI on top.
"""

from __future__ import annotations

import importlib

from toolkit._version import __version__
from toolkit.dataset.corpus import Dataset, read_corpus
from toolkit.dataset.store import load_dataset
from toolkit.extract.report import Report, read_report
from toolkit.readers import ReadError

# research modules, imported on first attribute access so `import toolkit` loads no matplotlib
_LAZY = {
    "indicators": "toolkit.research.indicators",
    "harmonize": "toolkit.research.harmonize",
    "quality": "toolkit.research.quality",
    "plots": "toolkit.research.plots",
    "similarity": "toolkit.research.similarity",
    "inspect": "toolkit.research.inspect",
    "replication": "toolkit.research.replication",
}
# research functions, the same way: name -> (module, attribute)
_LAZY_FUNCTIONS = {"panel": ("toolkit.research.panel", "panel")}

__all__ = [
    "Dataset",
    "Report",
    "ReadError",
    "load_dataset",
    "read_corpus",
    "read_report",
    "__version__",
]


def __getattr__(name: str):
    """Research modules on first use (PEP 562), so `import toolkit` stays light."""
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    if name in _LAZY_FUNCTIONS:
        module, attr = _LAZY_FUNCTIONS[name]
        fn = getattr(importlib.import_module(module), attr)
        globals()[name] = fn
        return fn
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, *_LAZY_FUNCTIONS])
