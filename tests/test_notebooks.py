"""The curated notebooks run headless on the committed dataset,
draw their figures, and stay paired with their .py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'"
)
jupytext = pytest.importorskip(
    "jupytext", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'"
)
nbclient = pytest.importorskip(
    "nbclient", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'"
)
kernelspec = pytest.importorskip(
    "ipykernel.kernelspec", reason="the notebooks extra is not installed"
)

from jupytext.compare import compare_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
PAIRED = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.py"))
CELL_TIMEOUT = 600  # seconds per cell; a whole notebook takes about 10 s on an idle machine
NAMES = (
    "01-quickstart",
    "02-not-held-share",
    "03-refusal-reasons",
    "04-data-quality",
    "05-appeals",
    "06-research-panel",
)


def stem(path: Path) -> str:
    return path.stem


def test_every_curated_notebook_is_there_as_a_pair():
    assert [p.stem for p in IPYNB] == [p.stem for p in PAIRED], (
        "each notebook needs both its .ipynb and its .py"
    )
    assert set(NAMES) <= {p.stem for p in IPYNB}


@pytest.mark.parametrize("path", PAIRED, ids=stem)
def test_py_and_ipynb_hold_the_same_cells(path):
    """Edit either half, then `jupytext --sync notebooks/*.ipynb` to bring the other along."""
    ipynb = jupytext.read(path.with_suffix(".ipynb"))
    assert ipynb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", (
        f"{path.name} is not paired"
    )
    compare_notebooks(
        jupytext.read(path), ipynb, fmt="py:percent"
    )  # raises, naming the first differing cell


@pytest.mark.parametrize("path", IPYNB, ids=stem)
def test_ipynb_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} hold outputs; "
        "clear them (jupyter nbconvert --clear-output --inplace)"
    )


@pytest.mark.parametrize("path", PAIRED, ids=stem)
def test_notebook_starts_with_a_provenance_cell(path):
    """Replication: the first code cell prints the toolkit version, commit, dataset hash and
    library versions, and makes the reader's own figures render Chinese."""
    first = next(c for c in jupytext.read(path).cells if c.cell_type == "code")
    assert "replication.provenance(DATA)" in first.source, path.name
    assert "plots.use_cjk()" in first.source, path.name


def test_make_demo_keeps_the_executed_notebooks_beside_the_html():
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "--to notebook --execute" in recipe and "--output-dir build/notebooks" in recipe
    assert "--to html" in recipe and "$(addprefix build/,$(NOTEBOOKS))" in recipe


@pytest.fixture
def kernel_env(tmp_path, monkeypatch) -> Path:
    """A python3 kernelspec for this very interpreter, found
    first; the repository's toolkit; figures to tmp."""
    kernelspec.write_kernel_spec(
        tmp_path / "jupyter" / "kernels" / "python3"
    )  # argv: sys.executable
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    monkeypatch.setenv("OGI_FIGURES", str(tmp_path / "figures"))
    return tmp_path / "figures"


@pytest.mark.slow
@pytest.mark.parametrize("path", IPYNB, ids=stem)
def test_notebook_runs_headless_and_draws_its_figures(path, kernel_env):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("import sys; print(sys.executable, end='')")
    )  # which interpreter ran it
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # a failing cell raises CellExecutionError with its traceback

    assert nb.cells[-1].outputs[0]["text"] == sys.executable, "the kernel is not this interpreter"
    first = next(c for c in nb.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs)
    for field in ("toolkit", "commit", "dataset_sha256", "python", "pandas", "matplotlib"):
        assert field in printed, f"{path.name}: the provenance cell does not print {field}"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no figure"
    written = sorted(p.name for p in kernel_env.glob("*"))
    assert any(n.endswith(".png") for n in written) and any(n.endswith(".svg") for n in written), (
        written
    )
    assert all(n.startswith(path.stem[:3]) for n in written), (
        f"figures should be named after the notebook: {written}"
    )
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "missing from font" not in stderr, (
        f"{path.name}: a glyph had no font (Chinese would show as boxes)"
    )
    assert "Traceback" not in stderr
