"""The work done on one file, in a worker process: read it, and turn the Report (or the reason it
could not be read) into the small, plain result the cache stores and the build streams."""

from __future__ import annotations

import errno
import traceback
from pathlib import Path

import pandas as pd

from toolkit.dataset import crosscheck
from toolkit.dataset.discover import display_name
from toolkit.extract.report import read_report
from toolkit.readers import ReadError
from toolkit.schema import fields


def extract(path: str) -> dict:
    """Worker: one file -> {'head', 'body', 'cacheable'}; every exception becomes an
    error result.
    """
    try:
        report = read_report(path)
    except MemoryError:
        return error_result(
            "memory", "MemoryError", "the worker's memory cap was reached", cacheable=False
        )
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not stop the batch; the row names where
        return _error(exc)
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


def _error(exc: Exception) -> dict:
    """An exception from reading one file as its error result: cached unless memory ran out."""
    cacheable = not _out_of_memory(exc)
    if isinstance(exc, ReadError):
        cause = exc.__cause__
        if exc.stage == "extract" and cause is not None:  # a bug the document tripped: say where
            message = f"{cause} (at {_where(cause)})"
            return error_result("extract", type(cause).__name__, message, cacheable=cacheable)
        return error_result(exc.stage, "ReadError", exc.reason, cacheable=cacheable)
    if isinstance(exc, RecursionError):
        return error_result("extract", "RecursionError", str(exc))
    return error_result(
        "extract", type(exc).__name__, f"{exc} (at {_where(exc)})", cacheable=cacheable
    )


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether an exception was (or was caused by) running out of memory: the limit's doing."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def error_result(stage: str, error: str, message: str, *, cacheable: bool = True) -> dict:
    """A failed file as a result; failures that depend on this run's limits are not cached."""
    message = display_name(message)  # a file name in the message may hold undecodable bytes
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
