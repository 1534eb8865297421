"""Issue 14: the research API can be found from `toolkit`, every public function documents itself
with an example that runs, results carry their report's quality, counts are integers, and the
README's analysis example runs."""

from __future__ import annotations

import doctest
import inspect
import re
import subprocess
import sys

import matplotlib
import pandas as pd
import pytest
from conftest import ROOT

import toolkit

matplotlib.use("Agg")
RESEARCH = ("indicators", "harmonize", "quality", "plots", "replication")
DATA = ROOT / "data" / "processed"


@pytest.fixture(scope="module")
def ds():
    return toolkit.load_dataset(DATA)


def public_functions(module_name: str):
    module = getattr(toolkit, module_name)
    names = getattr(module, "__all__", None) or dir(module)
    for n in names:
        obj = getattr(module, n)
        if n.startswith("_") or not inspect.isfunction(obj):
            continue
        if obj.__module__.startswith("toolkit.research"):
            yield f"{module_name}.{n}", obj


FUNCTIONS = dict(f for m in RESEARCH for f in public_functions(m))


def test_help_toolkit_names_the_research_api():
    doc = toolkit.__doc__
    for word in ("toolkit.indicators", "toolkit.harmonize.series", "toolkit.quality"):
        assert word in doc
    assert "use_cjk" in doc and "not_held_share" in doc and "provenance" in doc
    assert set(RESEARCH) <= set(dir(toolkit))


def test_import_toolkit_stays_light():
    code = "import sys, toolkit; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


def test_every_public_research_function_has_numpydoc_and_an_example():
    assert len(FUNCTIONS) >= 30, sorted(FUNCTIONS)
    lacking = {}
    for name, fn in FUNCTIONS.items():
        wanted = ["Examples", "Yields" if "Yields" in fn.__doc__ else "Returns"]
        if inspect.signature(fn).parameters:
            wanted.append("Parameters")
        lacking[name] = [s for s in wanted if f"\n    {s}\n" not in fn.__doc__]
    assert not {k: v for k, v in lacking.items() if v}


def test_every_docstring_example_runs(ds, tmp_path, monkeypatch):
    """Examples are executed, not compared: they must run on the committed dataset."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").symlink_to(ROOT / "data")
    saved = matplotlib.rcParams.copy()
    try:
        for name, fn in FUNCTIONS.items():
            space = dict(vars(sys.modules[fn.__module__]))
            space |= {"toolkit": toolkit, "ds": ds, "plots": toolkit.plots, "pd": pd}
            examples = doctest.DocTestParser().get_examples(fn.__doc__)
            assert examples, name
            for ex in examples:
                try:
                    exec(compile(ex.source, f"<{name} example>", "exec"), space)
                except Exception as exc:  # noqa: BLE001 - name the failing example
                    pytest.fail(f"{name}: {ex.source.strip()!r} raised {exc!r}")
    finally:
        matplotlib.rcParams.update(saved)


def test_indicator_rows_carry_agency_year_and_report_status(ds):
    out = toolkit.indicators.not_held_share(ds.cells, reports=ds.reports)
    assert list(out.columns[:4]) == ["report_id", "agency", "year", "report_status"]
    inconsistent = out[out.report_status == "inconsistent"]
    row = inconsistent[inconsistent.agency == "平潭综合实验区"].iloc[0]
    assert (row.year, row.numerator, row.denominator) == (2020, 4, 21)
    merged = out.merge(ds.reports, on="report_id")  # no status_x / status_y
    assert "status" in merged and "status_x" not in merged
    assert (merged.status == merged.report_status).all()


def test_series_rows_carry_report_status_without_colliding(ds):
    s = toolkit.harmonize.series(ds.cells, ds.reports)
    assert {"agency", "year", "report_status", "break_before"} <= set(s.columns)
    assert "status" not in s
    assert "status_x" not in s.merge(ds.reports[["report_id", "status"]], on="report_id")


def test_grouped_results_are_sorted_by_their_keys_and_counts_are_int64(ds):
    by_year = toolkit.indicators.not_held_share(ds.cells, by="year", reports=ds.reports)
    assert by_year.year.tolist() == sorted(by_year.year)
    for col in ("numerator", "denominator", "n_reports", "n_excluded"):
        assert str(by_year[col].dtype) == "Int64", col
    row = by_year.set_index("year").loc[2020]
    assert (row.numerator, row.denominator) == (4, 21)
    assert "4" in by_year.to_string() and "21.0" not in by_year.to_string()
    per = toolkit.indicators.disclosure_rate(ds.cells)
    assert str(per.numerator.dtype) == "Int64"
    card = toolkit.quality.scorecard(ds.checks, ds.reports)
    assert card.agency.tolist() == sorted(card.agency)
    assert str(card.reports_verified.dtype) == "Int64"


def test_readme_analysis_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Analysis", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 11
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").symlink_to(ROOT / "data")
    saved = matplotlib.rcParams.copy()
    try:
        exec(compile(code, "README Analysis", "exec"), {})
    finally:
        matplotlib.rcParams.update(saved)
    assert (tmp_path / "figures" / "received.png").stat().st_size > 10_000


def test_provenance_names_version_commit_and_dataset_hash():
    p = toolkit.replication.provenance(DATA)
    assert p["toolkit"] == toolkit.__version__
    assert re.fullmatch(r"[0-9a-f]{64}", p["dataset_sha256"])
    assert p["commit"] is None or re.match(r"[0-9a-f]{40}", p["commit"])
    assert p["pandas"] == pd.__version__ and p["matplotlib"] == matplotlib.__version__
    with pytest.raises(FileNotFoundError, match="datapackage.json"):
        toolkit.replication.provenance(ROOT / "notebooks")
