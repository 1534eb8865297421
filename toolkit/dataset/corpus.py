"""Many report files -> one Dataset (reports, cells, checks, errors): parallel, cached, and never
losing a file.

Two passes. The first reads every file not already in the cache (in worker processes, or on any
executor) and keeps only a few numbers per report; the second streams the cached results out in
report_id order, with the cross-report checks, in chunks whose size does not depend on the corpus.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
import traceback
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from toolkit.dataset import crosscheck, export
from toolkit.dataset.cache import Cache, default_dir
from toolkit.dataset.pool import MEMORY_LIMIT, TIMEOUT, Failure, robust_map
from toolkit.extract.jurisdiction import clean_name, identity, identity_checks
from toolkit.extract.report import read_report
from toolkit.readers import ReadError
from toolkit.schema import fields

CHUNK = 256  # reports per chunk in the second pass
# streamed in report_id order; errors are few and come at the end
TABLES = ("reports", "cells", "checks")
MANIFEST_NAMES = {"report_year": "year"}
FAILURE_NAMES = {
    "timeout": "Timeout",
    "memory": "MemoryError",
    "crash": "WorkerCrash",
    "error": "TaskError",
}
_NO_ROW: dict = {}  # shared by every file without a manifest row (never mutated)


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
        lines = [f"  {k}: {v}" for k, v in self._overview()]
        hint = "  .reports / .cells / .checks / .errors are the tidy frames"
        return "\n".join(["<Dataset>", *lines, hint])

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._overview()
        )
        return (
            f"<b>Dataset</b><table>{rows}</table><small><code>.reports</code>, "
            "<code>.cells</code>, <code>.checks</code>, <code>.errors</code></small>"
        )

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
        """:meth:`export` to labelled Stata ``.dta`` files (format 118, Unicode)."""
        return self.export("stata", out, panel=panel)

    def to_parquet(self, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """:meth:`export` to Parquet files with a Frictionless ``datapackage.json``."""
        return self.export("parquet", out, panel=panel)

    def to_csv(self, out: str | Path, *, panel: pd.DataFrame | None = None) -> list[Path]:
        """:meth:`export` to CSV files with a Frictionless ``datapackage.json``."""
        return self.export("csv", out, panel=panel)


@dataclass(slots=True)
class Source:
    """One input file: its name in the dataset, its content hash, its manifest row, and what pass 1
    kept of it.
    """

    file: str
    path: str
    sha256: str | None = None
    size: int | None = None
    error: tuple[str, str, str] | None = None  # stage, error type, message
    manifest: dict = field(default_factory=dict)
    agency: str | None = None  # the manifest's, else the document's: the key for consecutive years
    year: int | None = None
    cross: array | None = None  # crosscheck.pack of the values consecutive-year checks need

    @property
    def report_id(self) -> str | None:
        return self.sha256[:16] if self.sha256 else None


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


class CorpusRun:
    """One build: pass 1 (reading) on entering; then `chunks()` streams the rows of reports, cells
    and checks.
    """

    def __init__(
        self,
        paths,
        *,
        manifest=None,
        executor=None,
        cache=True,
        workers=None,
        timeout=TIMEOUT,
        memory_limit=MEMORY_LIMIT,
        progress=True,
    ) -> None:
        self.options = {
            "executor": executor,
            "workers": workers,
            "timeout": timeout,
            "memory_limit": memory_limit,
        }
        self.progress = progress
        self._spool = (
            None if cache not in (False, None) else tempfile.TemporaryDirectory(prefix="ogi-spool-")
        )
        root = default_dir() if cache is True else (self._spool.name if self._spool else cache)
        self.cache = Cache(root)
        self.sources = discover(paths, manifest)
        self.volatile: dict[
            str, dict
        ] = {}  # heads of failures that must not be cached (timeouts, crashes)
        self.error_rows: list[dict] = []
        self.counts = dict.fromkeys(("verified", "flagged", "failed", "duplicates"), 0)
        self.stats: dict = {}

    def __enter__(self) -> CorpusRun:
        self.kept = self._extract()
        self.pairs = crosscheck.pair_index(
            (s.agency, s.manifest.get("province"), s.year) for s in self.kept
        )
        self.stats = {
            "files": len(self.sources),
            "reports": len(self.kept),
            **self.counts,
            "cache_hits": self.cache.hits,
            "extracted": self.cache.misses,
        }
        return self

    def __exit__(self, *exc) -> None:
        if self._spool is not None:
            self._spool.cleanup()

    def _extract(self) -> list[Source]:
        """Pass 1: hash, dedupe, read what the cache lacks; keep each kept source's few cross-check
        values.
        """
        bar = _bar(len(self.sources), self.progress)
        kept, todo, seen = [], {}, {}
        for src in self.sources:
            if src.error:
                self._error_row(src, *src.error)
                self.counts["failed"] += 1
            elif src.sha256 in seen:
                self._error_row(
                    src,
                    "duplicate",
                    "Duplicate",
                    f"same content as {seen[src.sha256].file}, which is kept",
                )
                self.counts["duplicates"] += 1
            else:
                seen[src.sha256] = src
                kept.append(src)
                head = self.cache.head(src.sha256)
                if head is None:
                    todo[src.sha256] = src
                    continue
                self._accept(src, head)
            _tick(bar, self.counts, self.cache.hits)
        for sha, result in robust_map(
            extract, ((sha, s.path) for sha, s in todo.items()), **self.options
        ):
            self._accept(todo[sha], self._store(todo[sha], result))
            _tick(bar, self.counts, self.cache.hits)
        if bar is not None:
            bar.close()
        return sorted(kept, key=lambda s: (s.report_id, s.file))

    def _store(self, src: Source, result) -> dict:
        """Cache what a worker returned (unless it depends on this run's limits) and return its
        head.
        """
        if isinstance(result, Failure):
            stage = "extract" if result.kind == "error" else result.kind
            result = error_result(
                stage, FAILURE_NAMES[result.kind], result.message, cacheable=False
            )
        elif result["head"].get("sha256") not in (None, src.sha256):
            result = error_result(
                "open",
                "Changed",
                "the file changed while the corpus was being read",
                cacheable=False,
            )
        if result["cacheable"]:
            self.cache.put(src.sha256, result["head"], result.get("body"))
        else:
            self.volatile[src.sha256] = result["head"]
        return result["head"]

    def _accept(self, src: Source, head: dict) -> None:
        """Count the status, note an error row, and keep the consecutive-years key and values."""
        status = head["status"]
        if status == "failed":
            self._error_row(src, **head["error"])
        self.counts[status if status in ("verified", "failed") else "flagged"] += 1
        src.agency = clean_name(src.manifest.get("agency")) or clean_name(head.get("agency"))
        src.year = (
            src.manifest["year"] if src.manifest.get("year") is not None else head.get("year")
        )
        src.cross = crosscheck.pack(head.get("cross") or {})

    def _error_row(self, src: Source, stage: str, error: str, message: str) -> None:
        self.error_rows.append(
            {
                "file": src.file,
                "report_id": src.report_id,
                "stage": stage,
                "error": error,
                "message": message,
            }
        )

    def errors(self) -> pd.DataFrame:
        rows = sorted(self.error_rows, key=lambda r: r["file"])
        return fields.frame("errors", rows)

    def chunks(self, size: int = CHUNK) -> Iterator[dict[str, list[tuple]]]:
        """Pass 2: row tuples of reports, cells and checks for `size` reports at a time, in
        report_id order.
        """
        for start in range(0, len(self.kept), size):
            chunk: dict[str, list[tuple]] = {name: [] for name in TABLES}
            for pos in range(start, min(start + size, len(self.kept))):
                report, cells, checks = self._rows(pos)
                chunk["reports"].append(report)
                chunk["cells"] += cells
                chunk["checks"] += checks
            yield chunk

    def _rows(self, pos: int) -> tuple[tuple, list[tuple], list[tuple]]:
        """One report's rows: from its cache entry (or failure), its manifest row and its
        predecessor.
        """
        src = self.kept[pos]
        head, body = (
            (self.volatile[src.sha256], {})
            if src.sha256 in self.volatile
            else self.cache.entry(src.sha256)
        )
        if head is None:
            raise RuntimeError(
                f"the cache entry of {src.file} vanished during the build; run it again"
            )
        rid = src.report_id
        cells = fields.cell_rows(rid, body.get("cells", []))
        checks = [dict(zip(fields.CHECK_FIELDS, c)) for c in body.get("checks", [])]
        checks += crosscheck.manifest_checks(src.manifest, head.get("year"), src.sha256)
        ident, notes = identity(
            {"agency": head.get("agency"), "year": head.get("year")}, src.manifest
        )
        checks += identity_checks(ident, notes)
        checks += self._consecutive(src)
        return (
            fields.record("reports", report_row(src, head, len(cells), ident)),
            cells,
            fields.check_rows(rid, checks),
        )

    def _consecutive(self, src: Source) -> list[dict]:
        """carry_over and in_force rows against the same agency's report of the year before, if
        there is one.
        """
        if src.agency is None or src.year is None:
            return []
        prev = self.pairs.get((src.agency, src.manifest.get("province"), src.year - 1))
        if prev is None:
            return []
        before = self.kept[prev]
        return crosscheck.consecutive(
            crosscheck.unpack(before.cross),
            crosscheck.unpack(src.cross),
            before.report_id,
            src.year,
        )


def report_row(src: Source, head: dict, n_cells: int, ident: dict | None = None) -> dict:
    """The reports row: the manifest's agency and year where given, the document's alongside; the
    jurisdiction from the agency's name (`ident`, from extract.jurisdiction.identity)."""
    man, formats = src.manifest, head.get("formats") or {}
    ident = ident or identity(_stated(head), man)[0]
    reasons = head.get("reasons") or (
        [f"{head['error']['stage']}: {head['error']['message']}"] if "error" in head else []
    )
    return {
        "report_id": src.report_id,
        "file": src.file,
        "agency": src.agency,
        "agency_stated": head.get("agency"),
        **{k: ident.get(k) for k in ("adcode", "province", "prefecture", "county")},
        "region": clean_name(man.get("region")),
        "level": ident.get("level"),
        "agency_type": ident.get("agency_type"),
        "year": src.year,
        "year_stated": head.get("year"),
        "year_source": head.get("year_source"),
        **{
            f"format_{t}": formats.get(t)
            for t in ("proactive", "applications", "appeals", "legacy")
        },
        "reader": head.get("reader"),
        "encoding": head.get("encoding"),
        "bytes": src.size,
        "sha256": src.sha256,
        "status": head["status"],
        "reasons": "; ".join(reasons),
        "n_cells": n_cells,
        "toolkit_version": fields.TOOLKIT_VERSION,
    }


def _stated(head: dict) -> dict:
    """What the document says of its agency: name, year and the province its text names."""
    return {k: head.get(k) for k in ("agency", "year", "province_named")}


def extract(path: str) -> dict:
    """Worker: one file -> {'head', 'body', 'cacheable'}; every exception becomes an
    error result.
    """
    try:
        report = read_report(path)
    except ReadError as exc:
        return error_result(exc.stage, "ReadError", str(exc))
    except MemoryError:
        return error_result(
            "memory", "MemoryError", "the worker's memory cap was reached", cacheable=False
        )
    except RecursionError as exc:
        return error_result("extract", "RecursionError", str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not stop the batch; the row names where
        return error_result("extract", type(exc).__name__, f"{exc} (at {_where(exc)})")
    cells = [
        [_plain(v) for v in row] for row in report.cells[fields.CELL_SOURCE].itertuples(index=False)
    ]
    checks = [
        [_plain(v) for v in row]
        for row in report.checks[fields.CHECK_FIELDS].itertuples(index=False)
    ]
    m = report.meta
    head = {
        "status": report.status,
        "reasons": list(report.reasons),
        "agency": m.get("agency"),
        "year": _plain(m.get("year")),
        "year_source": m.get("year_source"),
        "province_named": m.get("province_named"),
        "formats": m.get("formats") or {},
        "reader": m.get("reader"),
        "encoding": m.get("encoding"),
        "sha256": m.get("sha256"),
        "cross": crosscheck.values(cells),
    }
    return {"head": head, "body": {"cells": cells, "checks": checks}, "cacheable": True}


def error_result(stage: str, error: str, message: str, *, cacheable: bool = True) -> dict:
    """A failed file as a result; failures that depend on this run's limits are not cached."""
    return {
        "head": {"status": "failed", "error": {"stage": stage, "error": error, "message": message}},
        "cacheable": cacheable,
    }


def _where(exc: BaseException) -> str:
    """file:line where the exception was raised, so an error row leads straight to the code."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


def _plain(v):
    """A cell of a DataFrame as a JSON value: NA -> None, numpy scalars -> Python, '' -> None."""
    if v is None or v is pd.NA or v == "":
        return None
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


def discover(paths, manifest=None) -> list[Source]:
    """Inputs -> Sources with hashes and manifest rows; a folder with manifest.csv and raw/ is a
    corpus.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found, manifests = [], []
    for p in map(Path, paths):
        root = p / "raw" if (p / "raw").is_dir() and (p / "manifest.csv").is_file() else p
        if root is not p:
            manifests.append(p / "manifest.csv")
        if root.is_dir():
            found += [
                (f.relative_to(root).as_posix(), f)
                for f in sorted(root.rglob("*"))
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(root).parts)
            ]
        else:
            found.append((p.name, p))
    clash = {name for name, n in Counter(name for name, _ in found).items() if n > 1}
    rows = {}
    for m in manifests + ([manifest] if manifest is not None else []):
        rows |= read_manifest(m)
    return [
        _source(str(path) if name in clash else name, path, rows.get(path.name, _NO_ROW))
        for name, path in found
    ]


def _source(name: str, path: Path, manifest: dict) -> Source:
    src = Source(name, str(path.resolve()), manifest=manifest)
    try:
        h = hashlib.sha256()
        with open(src.path, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        src.sha256, src.size = h.hexdigest(), Path(src.path).stat().st_size
    except OSError as exc:
        src.error = ("open", type(exc).__name__, exc.strerror or str(exc))
    return src


def read_manifest(manifest: str | Path | pd.DataFrame) -> dict[str, dict]:
    """A manifest CSV (file, agency, level, province, region, report_year, sha256 …) -> rows by file
    name.
    """
    df = (
        manifest
        if isinstance(manifest, pd.DataFrame)
        else pd.read_csv(manifest, dtype=str, keep_default_na=False)
    )
    if "file" not in df.columns:
        raise ValueError(
            f"a manifest needs a 'file' column; this one has {', '.join(map(str, df.columns))}"
        )
    df = df.rename(columns=MANIFEST_NAMES)
    out = {}
    for rec in df.astype(object).to_dict("records"):
        row = {
            k: (str(v).strip() or None) if v is not None and v == v else None
            for k, v in rec.items()
            if k in ("agency", "level", "province", "region", "year", "sha256")
        }
        if row.get("year"):
            if not row["year"].removesuffix(".0").isdigit():
                raise ValueError(
                    f"manifest row {rec['file']}: report_year {row['year']!r} is not a year"
                )
            row["year"] = int(row["year"].removesuffix(".0"))
        out[Path(str(rec["file"])).name] = row
    return out


def summary_line(stats: dict) -> str:
    s = stats
    return (
        f"{s.get('files', 0)} files, {s.get('reports', 0)} reports: "
        f"{s.get('verified', 0)} verified, "
        f"{s.get('flagged', 0)} flagged, {s.get('failed', 0)} failed"
        + (f", {s['duplicates']} duplicates" if s.get("duplicates") else "")
        + f"; cache {s.get('cache_hits', 0)} hits, {s.get('extracted', 0)} extracted"
    )


def _bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="file", desc="reading", dynamic_ncols=True)


def _tick(bar, counts: dict, cached: int) -> None:
    if bar is not None:
        bar.set_postfix(
            {k: v for k, v in counts.items() if v or k != "duplicates"} | {"cached": cached},
            refresh=False,
        )
        bar.update(1)
