"""Shared fixtures: the real corpus lives beside the
repository in ../shared/corpus (never copied in)."""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("OGI_CORPUS", ROOT.parent / "shared" / "corpus"))


def pytest_configure(config) -> None:
    """Every toolkit module, imported up front. Hypothesis draws some values from the constants of
    the project modules loaded so far; loading them all before any test makes each property test
    draw the same examples whichever tests pytest-xdist ran before it, so a CI failure reproduces
    here. (A hook, not module code: the worker processes of the pool tests import this file and must
    stay light.)"""
    import toolkit

    for mod in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if mod.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(mod.name)
        except ImportError:  # an optional extra that is not installed: its tests skip anyway
            pass


def corpus_path() -> Path:
    if not (CORPUS / "raw").is_dir():
        pytest.skip(f"the real-report corpus is not at {CORPUS} (set OGI_CORPUS); CI has it")
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    """Path to ../shared/corpus, or a skip that says where it was looked for."""
    return corpus_path()


def truth(stem: str) -> pd.DataFrame:
    """Ground truth cells of one real report: table,row,col,value (value '' is a blank cell)."""
    return pd.read_csv(corpus_path() / "truth" / f"{stem}.csv", dtype=str, keep_default_na=False)


def raw_file(stem: str) -> Path:
    hits = [p for p in (corpus_path() / "raw").iterdir() if p.stem == stem]
    assert hits, f"no raw file for {stem}"
    return hits[0]


def truth_stems() -> list[str]:
    folder = CORPUS / "truth"
    return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []
