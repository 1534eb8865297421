"""The package's shape: layers that import only downwards, no cycles, a light `import toolkit`,
a cache key that only extraction code moves, and one constructor behind every checks row."""

from __future__ import annotations

import ast
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.dataset.cache import source_hash
from toolkit.schema import fields

PACKAGE = Path(toolkit.__file__).resolve().parent

# lower number = lower layer; a module may import its own layer or any lower one
LAYERS = {
    "toolkit._version": 0,
    "toolkit._repr": 0,
    "toolkit.schema": 0,
    "toolkit.normalize": 1,
    "toolkit.readers": 2,
    "toolkit.extract": 3,
    "toolkit.dataset": 4,
    "toolkit.research": 5,
    "toolkit.testing": 6,
    "toolkit.cli": 7,
    "toolkit.__main__": 7,
    "toolkit": 7,  # the package itself: the public API facade
}


def _modules(package: Path) -> dict[str, Path]:
    out = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _layer(module: str) -> int:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return LAYERS[best]


def import_graph(package: Path) -> tuple[dict[str, set[str]], list[str]]:
    """module -> the toolkit modules it imports (at any depth of the AST), and private-name uses."""
    modules = _modules(package)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    private: list[str] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        bound: set[str] = set()  # local names bound to toolkit modules
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "toolkit":
                        graph[name].add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_pkg, node)
                if base is None:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        graph[name].add(sub)
                        bound.add(alias.asname or alias.name)
                    else:
                        graph[name].add(base)
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            private.append(f"{name} imports {base}.{alias.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append(f"{name} uses {node.value.id}.{node.attr}")
    return graph, private


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str | None:
    if node.level:
        parts = module.split(".") if is_pkg else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        return ".".join(parts + ([node.module] if node.module else []))
    if node.module and node.module.split(".")[0] == "toolkit":
        return node.module
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (or a self-loop)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_acyclic_and_only_goes_down():
    graph, private = import_graph(PACKAGE)
    assert len(graph) > 40  # the whole package was read
    assert _cycles(graph) == []
    upward = [
        f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)})"
        for m, targets in graph.items()
        for t in targets
        if _layer(t) > _layer(m)
    ]
    assert upward == []
    cli_users = [m for m, targets in graph.items() if "toolkit.cli" in targets]
    assert cli_users == ["toolkit.__main__"]
    assert private == []


def test_the_graph_checker_sees_what_it_must_refuse(tmp_path):
    """The checker itself: a cycle, an upward import inside a function and a private name are
    found."""
    pkg = tmp_path / "toolkit"
    for sub in ("extract", "research"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "extract" / "a.py").write_text(
        "def f():\n    from toolkit.research.b import g\n    return g\n"
    )
    (pkg / "research" / "b.py").write_text(
        "from toolkit.extract.a import f, _hidden\ndef g():\n    return f\n"
    )
    graph, private = import_graph(pkg)
    assert _cycles(graph) == [["toolkit.extract.a", "toolkit.research.b"]]
    assert "toolkit.research.b" in graph["toolkit.extract.a"]  # found inside the function
    assert _layer("toolkit.research.b") > _layer("toolkit.extract.a")
    assert private == ["toolkit.research.b imports toolkit.extract.a._hidden"]


def test_import_toolkit_stays_light():
    code = (
        "import sys, toolkit\n"
        "heavy = ('matplotlib', 'camelot', 'dask', 'toolkit.cli', 'toolkit.research')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
        "toolkit.indicators\n"  # the lazy re-export works ...
        "print('matplotlib' in sys.modules or 'toolkit.research.indicators' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, after = out.stdout.splitlines()
    assert loaded == ""
    assert after == "True"  # ... and loads the research module only then


def _tree(tmp_path: Path) -> Path:
    copy = tmp_path / "toolkit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_cache_key_moves_with_extraction_code_only(tmp_path):
    copy = _tree(tmp_path)
    before = source_hash(copy)
    assert before == source_hash(PACKAGE)
    for edited in ("research/plots.py", "cli.py", "dataset/store.py"):
        (copy / edited).write_text((copy / edited).read_text() + "\n# a colour changed\n")
    assert source_hash(copy) == before
    (copy / "extract" / "validate.py").write_text(
        (copy / "extract" / "validate.py").read_text() + "\n# a rule changed\n"
    )
    after_extract = source_hash(copy)
    assert after_extract != before
    with (copy / "schema" / "aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert source_hash(copy) != after_extract


# --- every producer of checks, through the one constructor ----------------------------------


def _assert_dictionary_rows(checks: pd.DataFrame) -> None:
    names = fields.enumerated("checks", "check")
    statuses = set(fields.enumerated("checks", "status"))
    exact = {n for n in names if "*" not in n}
    prefixes = tuple(n[:-1] for n in names if n.endswith("*"))
    unknown = {c for c in checks.check if c not in exact and not c.startswith(prefixes)}
    assert unknown == set()
    assert set(checks.status) <= statuses
    both = checks.lhs.notna() & checks.rhs.notna()
    for lhs, rhs, diff in zip(checks.lhs[both], checks.rhs[both], checks["diff"][both]):
        assert math.isclose(diff, lhs - rhs, abs_tol=1e-9), (lhs, rhs, diff)
    assert checks["diff"][~both].isna().all()


@pytest.mark.corpus
def test_every_corpus_check_row_is_in_the_dictionary_with_diff_lhs_minus_rhs(corpus, tmp_path):
    manifest = PACKAGE.parent / "data" / "manifest.csv"  # with sha256: the manifest checks run too
    ds = toolkit.read_corpus(
        corpus / "raw", manifest=manifest, cache=tmp_path / "cache", progress=False, workers=2
    )
    checks = ds.checks
    assert {"applicant_sum", "carry_over", "year", "source_hash"} <= set(checks.check)
    assert checks.check.str.startswith("narrative_").any()
    assert {"ok", "failed", "not_evaluable", "ambiguous", "note"} <= set(checks.status)
    _assert_dictionary_rows(checks)


def test_repair_rows_follow_the_constructor():
    """OCR repair rows: lhs as read, rhs as corrected, diff = lhs − rhs (it was rhs − lhs)."""
    from test_ocr import OcrCell, build_report, cell, ocr_doc, valid_cells

    key = ("applications", "unavailable_not_held", "natural_person")  # truly 6
    doc = ocr_doc(valid_cells(), {key: ("9", OcrCell((5, 6, 7, 8), 0.97, (), 150))})
    report = build_report(doc)
    assert report.status == "repaired"
    assert cell(report, key).value == 6
    row = report.checks[report.checks.status == "repaired"].iloc[0]
    assert (row.lhs, row.rhs, row["diff"]) == (9, 6, 3)
    _assert_dictionary_rows(report.checks)


def test_synthetic_reports_check_rows_follow_the_dictionary(tmp_path):
    """Random valid reports in the text renderer, with identities, notes and narrative rows."""
    from toolkit.extract.report import read_report
    from toolkit.testing.render import Style, random_cells, render

    targets = ("text-lines", "text-pipe", "text-run", "html", "text-lines", "html")
    for seed, to in enumerate(targets):
        cells = random_cells(seed=seed, fmt="2019" if seed % 2 else "2021")
        path = render(cells, tmp_path / f"r{seed}.{to}", to=to, style=Style(seed=seed))
        report = read_report(path)
        assert len(report.checks) > 10
        _assert_dictionary_rows(report.checks)


def test_an_unlisted_check_name_or_status_is_refused():
    from toolkit.extract.validate import check_row

    with pytest.raises(ValueError, match="not in the data dictionary"):
        check_row("made_up", "applications", "table", "note")
    with pytest.raises(ValueError, match="not in the data dictionary"):
        check_row("format", "applications", "table", "maybe")
    row = check_row("carry_over", "applications", "col:total", "failed", "x", lhs=5.0, rhs=7.0)
    assert row["diff"] == -2.0
