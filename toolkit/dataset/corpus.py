"""Many report files -> one Dataset (reports, cells, checks, errors): parallel, cached, and never
losing a file.

Discovery lives in `discover`, the two passes of a build in `run`. The first reads every file not
already in the cache (in worker processes, or on any executor) and keeps only a few numbers per
report; the second streams the cached results out in report_id order, with the cross-report
checks, in chunks whose size does not depend on the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from toolkit import _repr
from toolkit.dataset import export
from toolkit.dataset.discover import Source, discover, read_manifest
from toolkit.dataset.pool import MEMORY_LIMIT, TIMEOUT
from toolkit.dataset.run import TABLES, CorpusRun, error_result, extract, report_row
from toolkit.schema import fields

# the build's parts, importable from here as before the split into discover and run
__all__ = [
    "CorpusRun",
    "Dataset",
    "Source",
    "discover",
    "error_result",
    "extract",
    "read_corpus",
    "read_manifest",
    "report_row",
    "summary_line",
]


@dataclass
class Dataset:
    """The tidy dataset of many reports, as :func:`read_corpus` or :func:`load_dataset` gives it.

    Attributes
    ----------
    reports : pandas.DataFrame
        One row per source document (key ``report_id``): agency, year, formats, sha256, status.
    cells : pandas.DataFrame
        One row per printed cell (key ``report_id, table, row, col``): value (NA where blank or
        unreadable), raw text as printed, page, na_reason.
    checks : pandas.DataFrame
        One row per identity or note: check, table, scope, lhs, rhs, diff (= lhs - rhs), ok,
        status, detail.
    errors : pandas.DataFrame
        One row per file that could not be read: file, stage, error, message.
    stats : dict
        How the run went (files, cache hits, extracted), for :meth:`summary`.

    Examples
    --------
    >>> ds = toolkit.load_dataset("data/processed")  # doctest: +SKIP
    >>> ds.reports.query("status == 'verified'").shape[0]  # doctest: +SKIP
    """

    reports: pd.DataFrame
    cells: pd.DataFrame
    checks: pd.DataFrame
    errors: pd.DataFrame
    stats: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One line a person can read: how many files, how trustworthy, what came from the cache.

        Returns
        -------
        str
            After :func:`read_corpus`: files, statuses and what came from the cache; after
            :func:`load_dataset`: the statuses and the folder the data was loaded from.
        """
        s = self.stats
        if "loaded_from" not in s:
            return summary_line(s)
        counts = self.reports.status.value_counts() if "status" in self.reports else {}
        statuses = ", ".join(f"{int(n)} {k}" for k, n in sorted(dict(counts).items()))
        return (
            f"{len(self.reports)} reports ({statuses or 'no status'}), {len(self.errors)} "
            f"unreadable file(s); loaded from {s['loaded_from']} (built from {s.get('files', '?')} "
            "files; no file was read now)"
        )

    def _overview(self) -> list[tuple[str, str]]:
        """(label, text) pairs that describe the dataset in a few words, for the two reprs."""
        years = self.reports.year.dropna() if "year" in self.reports else pd.Series([])
        span = f"{int(years.min())}–{int(years.max())}" if len(years) else "?"
        agencies = self.reports.agency.nunique() if "agency" in self.reports else 0
        return [
            ("summary", self.summary()),
            ("reports", f"{len(self.reports)} ({agencies} agencies, years {span})"),
            ("cells", f"{len(self.cells)} rows"),
            ("checks", f"{len(self.checks)} rows"),
            ("errors", f"{len(self.errors)} rows"),
        ]

    def __repr__(self) -> str:
        hint = ".reports / .cells / .checks / .errors are the tidy frames"
        return _repr.text("Dataset", self._overview(), hint)

    def _repr_html_(self) -> str:
        attributes = [".reports", ".cells", ".checks", ".errors"]
        return _repr.table("Dataset", self._overview(), attributes)

    def export(self, to: str, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """Write reports, cells, checks (and a panel from :func:`toolkit.panel`) for Stata or R.

        Parameters
        ----------
        to : {'stata', 'parquet', 'csv'}
            Labelled ``.dta`` files (format 118), or Parquet/CSV with a Frictionless descriptor.
        out : str or Path
            The folder to write into.
        panel : DataFrame, optional
            An agency-year panel to write beside the tables.

        Returns
        -------
        list of Path
            The files written (see :func:`toolkit.dataset.export.export`).
        """
        frames = {"reports": self.reports, "cells": self.cells, "checks": self.checks}
        return export.export(frames | ({"panel": panel} if panel is not None else {}), to, out)

    def to_stata(self, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """:meth:`export` to labelled Stata ``.dta`` files (format 118, Unicode).

        Parameters
        ----------
        out : str or Path
            The folder to write into.
        panel : DataFrame, optional
            An agency-year panel (:func:`toolkit.panel`) to write beside the tables.

        Returns
        -------
        list of Path
            The files written.
        """
        return self.export("stata", out, panel=panel)

    def to_parquet(self, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """:meth:`export` to Parquet files with a Frictionless ``datapackage.json``.

        Parameters
        ----------
        out : str or Path
            The folder to write into.
        panel : DataFrame, optional
            An agency-year panel (:func:`toolkit.panel`) to write beside the tables.

        Returns
        -------
        list of Path
            The files written.
        """
        return self.export("parquet", out, panel=panel)

    def to_csv(self, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """:meth:`export` to CSV files with a Frictionless ``datapackage.json``.

        Parameters
        ----------
        out : str or Path
            The folder to write into.
        panel : DataFrame, optional
            An agency-year panel (:func:`toolkit.panel`) to write beside the tables.

        Returns
        -------
        list of Path
            The files written.
        """
        return self.export("csv", out, panel=panel)


def read_corpus(
    paths: str | Path | Iterable[str | Path],
    *,
    manifest: str | Path | pd.DataFrame | None = None,
    executor: Executor | None = None,
    cache: str | Path | bool = True,
    workers: int | None = None,
    timeout: float | None = TIMEOUT,
    memory_limit: int | None = MEMORY_LIMIT,
    progress: bool = True,
) -> Dataset:
    """Read many report files in parallel into one tidy :class:`Dataset`.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files, folders (searched recursively), or corpus folders holding ``manifest.csv`` and
        ``raw/``.
    manifest : str, Path or DataFrame, optional
        Rows describing the files (``file`` or ``sha256``, and e.g. ``agency``, ``year``); checked
        against what each document says.
    executor : concurrent.futures.Executor, optional
        Where to run the per-file work (e.g. a Dask client's executor); by default a local pool of
        processes with per-file time and memory limits.
    cache : str, Path or bool, default True
        Reuse results of files already read by this extraction code: True for the default cache
        folder, a path for another one, False to read everything again.
    workers : int, optional
        Worker processes of the local pool (default: the number of cores).
    timeout : float, optional
        Seconds one file may take before it is stopped and recorded in ``errors``.
    memory_limit : int, optional
        Megabytes one worker may use before it is stopped and the file recorded in ``errors``.
    progress : bool, default True
        Show a progress bar (tqdm).

    Returns
    -------
    Dataset
        ``reports``, ``cells``, ``checks`` and ``errors``. A file that cannot be read becomes a row
        of ``errors``; it never stops the batch.

    Examples
    --------
    >>> ds = toolkit.read_corpus("../shared/corpus/raw", progress=False)  # doctest: +SKIP
    >>> ds.summary()  # doctest: +SKIP
    """
    run = CorpusRun(
        paths,
        manifest=manifest,
        executor=executor,
        cache=cache,
        workers=workers,
        timeout=timeout,
        memory_limit=memory_limit,
        progress=progress,
    )
    parts: dict[str, list] = {name: [] for name in TABLES}
    with run:
        for chunk in run.chunks():
            for name in TABLES:
                parts[name].append(fields.to_arrow(name, chunk[name]))
    frames = [
        fields.to_pandas(
            pa.concat_tables(parts[name]) if parts[name] else fields.to_arrow(name, [])
        )
        for name in TABLES
    ]
    return Dataset(*frames, run.errors(), run.stats)


def summary_line(stats: dict) -> str:
    s = stats
    return (
        f"{s.get('files', 0)} files, {s.get('reports', 0)} reports: "
        f"{s.get('verified', 0)} verified, "
        f"{s.get('flagged', 0)} flagged, {s.get('failed', 0)} failed"
        + (f", {s['duplicates']} duplicates" if s.get("duplicates") else "")
        + f"; cache {s.get('cache_hits', 0)} hits, {s.get('extracted', 0)} extracted"
    )
