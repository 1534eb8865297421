"""One build's reading: discover the files, read what the cache lacks (in workers), keep a few
numbers per report, then stream the rows out in report_id order with the cross-report checks.

The cache is a memo that is checked on every read: an entry that fails to verify is discarded with a
warning and its file read again, even between the two passes. A failure that depends on this run's
limits (time, memory, a killed worker) is never memoised as a fact about the document.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator

import pandas as pd

from toolkit.dataset import crosscheck
from toolkit.dataset.cache import Cache, default_dir
from toolkit.dataset.discover import Source, discover
from toolkit.dataset.pool import MEMORY_LIMIT, TIMEOUT, Failure, robust_map
from toolkit.dataset.worker import error_result, extract
from toolkit.extract.jurisdiction import clean_name, identity, identity_checks
from toolkit.schema import fields

CHUNK = 256  # reports per chunk in the second pass
# streamed in report_id order; errors are few and come at the end
TABLES = ("reports", "cells", "checks")
FAILURE_NAMES = {
    "timeout": "Timeout",
    "memory": "MemoryError",
    "crash": "WorkerCrash",
    "error": "TaskError",
}


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
        # a memory cap can turn into any failure (a library that cannot allocate, a converter that
        # cannot start); a time limit only ever into a Timeout, which is not cached
        self.limits = {"memory": memory_limit or None}
        self.progress = progress
        self._spool = (
            None if cache not in (False, None) else tempfile.TemporaryDirectory(prefix="ogi-spool-")
        )
        root = default_dir() if cache is True else (self._spool.name if self._spool else cache)
        self.cache = Cache(root)
        self.sources = discover(paths, manifest)
        # heads of failures that must not be cached (timeouts, crashes), and re-read bodies
        self.volatile: dict[str, tuple[dict, dict]] = {}
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
                if head is None or not self._honoured(head):
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
        self._warn_discarded({s.sha256: s for s in kept})
        return sorted(kept, key=lambda s: (s.report_id, s.file))

    def _honoured(self, head: dict) -> bool:
        """Whether a cached failure holds in this run: one made under a tighter memory limit than
        this run's is tried again (it may be the limit's doing, not the document's).
        """
        then = head.get("limits") or {}
        for key, limit in then.items():
            now = self.limits.get(key)
            if limit is not None and (now is None or now > limit):
                self.cache.hits -= 1
                self.cache.misses += 1
                return False
        return True

    def _warn_discarded(self, by_sha: dict[str, Source]) -> None:
        """One warning naming the files whose cache entries failed their checks (re-read)."""
        if not self.cache.discarded:
            return
        named = [
            f"{by_sha[sha].file} ({why})" for sha, why in self.cache.discarded if sha in by_sha
        ]
        warnings.warn(
            f"{len(named)} damaged cache entr{'y' if len(named) == 1 else 'ies'} discarded and the "
            f"file{'' if len(named) == 1 else 's'} read again: "
            + "; ".join(named[:5])
            + (" …" if len(named) > 5 else ""),
            RuntimeWarning,
            stacklevel=3,
        )
        self.cache.discarded.clear()

    def _store(self, src: Source, result) -> dict:
        """Cache what a worker returned (unless it depends on this run's limits) and return its
        head.
        """
        if isinstance(result, Failure) or result["head"].get("sha256") not in (None, src.sha256):
            result = self._failure(src, result)
        head = result["head"]
        if head["status"] == "failed" and any(self.limits.values()):
            head["limits"] = dict(self.limits)  # honoured later only under limits as tight
        if result["cacheable"]:
            self.cache.put(src.sha256, head, result.get("body"))
        else:
            self.volatile[src.sha256] = (head, {})
        return head

    @staticmethod
    def _failure(src: Source, result) -> dict:
        """A worker's Failure, or a file changed under the build: an error result, never cached."""
        if isinstance(result, Failure):
            stage = "extract" if result.kind == "error" else result.kind
            return error_result(stage, FAILURE_NAMES[result.kind], result.message, cacheable=False)
        return error_result(
            "open", "Changed", "the file changed while the corpus was being read", cacheable=False
        )

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
        head, body = self.volatile.get(src.sha256) or self.cache.entry(src.sha256)
        if head is None:  # deleted or damaged since pass 1: read the file again
            head, body = self._reread(src)
        rid = src.report_id
        cells = fields.cell_rows(rid, body.get("cells", []))
        checks = [dict(zip(fields.CHECK_FIELDS, c)) for c in body.get("checks", [])]
        checks += crosscheck.manifest_checks(src.manifest, head.get("year"), src.sha256)
        ident, notes = identity(_stated(head), src.manifest)
        checks += identity_checks(ident, notes)
        checks += self._consecutive(src)
        return (
            fields.record("reports", report_row(src, head, len(cells), ident)),
            cells,
            fields.check_rows(rid, checks),
        )

    def _reread(self, src: Source) -> tuple[dict, dict]:
        """A file whose cache entry went bad between the passes, read again, same limits."""
        self._warn_discarded({src.sha256: src})
        ((_, result),) = robust_map(extract, [(src.sha256, src.path)], **self.options)
        if isinstance(result, Failure) or result["head"].get("sha256") not in (None, src.sha256):
            result = self._failure(src, result)
        if result["cacheable"]:
            self.cache.put(src.sha256, result["head"], result.get("body"))
        self.volatile[src.sha256] = (result["head"], result.get("body") or {})
        return self.volatile[src.sha256]

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
