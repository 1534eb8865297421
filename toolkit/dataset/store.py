"""The dataset on disk: Parquet and CSV per table plus a Frictionless datapackage.json; atomic,
deterministic, streamed.

A build publishes a folder whole or not at all (see `publish`): every file is written into a fresh
staging folder, checked against the datapackage.json that records its sha256, and the folder is
swapped in; one build at a time holds the output folder's lock. The package also records the
toolkit version, the git commit it ran from (null outside a git checkout) and the sha256 of every
source document. Rows arrive sorted (reports by report_id, cells in schema order), numbers are
printed in their shortest exact form, and Parquet carries no timestamps: the same inputs give
byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from toolkit._version import commit
from toolkit.dataset.corpus import Dataset
from toolkit.dataset.publish import locked, staging, swap
from toolkit.dataset.run import CorpusRun
from toolkit.schema import fields
from toolkit.schema.fields import format_value

TABLES = ("reports", "cells", "checks", "errors", "codes")
ROW_GROUP = 65_536  # rows per Parquet row group, whatever the chunking upstream
SUMMARY_KEYS = ("files", "reports", "verified", "flagged", "failed", "duplicates")
FOREIGN_KEYS = {
    "cells": [
        (["report_id"], "reports", ["report_id"]),
        (["table", "row"], "codes", ["table", "code"]),
        (["table", "col"], "codes", ["table", "code"]),
    ],
    "checks": [(["report_id"], "reports", ["report_id"])],
    "errors": [(["report_id"], "reports", ["report_id"])],
}
TITLES = {
    "reports": ("报告：每个源文件一行", "Reports: one row per source document"),
    "cells": ("单元格：每份报告每个表格单元一行", "Cells: one row per table cell of each report"),
    "checks": ("核对：每个被核对的恒等式一行", "Checks: one row per identity evaluated"),
    "errors": ("错误：每个无法读取的文件一行", "Errors: one row per file that could not be read"),
    "codes": (
        "代码表：表、行、列代码及中英文标签",
        "Codes: table, row and column codes with their Chinese and English labels",
    ),
}


def build(paths, out: str | Path, **options) -> dict:
    """Read a corpus and publish it as the dataset folder `out`, without holding it in memory.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files and folders, as :func:`toolkit.read_corpus` takes them.
    out : str or Path
        The dataset folder: replaced whole, or left as it was if the build fails or is killed.
    **options
        manifest, executor, cache, workers, timeout, memory_limit, progress.

    Returns
    -------
    dict
        The run's stats (files, reports, verified, flagged, failed, duplicates, cache hits).

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    FileExistsError
        If `out` holds files but is not a dataset folder.
    OSError
        If the folder cannot be written (read-only, full); the old dataset stays.
    """
    with CorpusRun(paths, **options) as run:
        sources = [(s.file, s.sha256) for s in run.kept]
        write(out, run.chunks(), fields.rows_of(run.errors(), "errors"), run.stats, sources)
    return run.stats


def save_dataset(dataset: Dataset, out: str | Path) -> None:
    """Write an in-memory Dataset in the same layout as `build`."""
    chunk = {
        name: fields.rows_of(getattr(dataset, name), name)
        for name in ("reports", "cells", "checks")
    }
    sources = list(zip(dataset.reports.file, dataset.reports.sha256))
    write(out, [chunk], fields.rows_of(dataset.errors, "errors"), dataset.stats, sources)


def write(
    out: str | Path,
    chunks: Iterable[dict[str, list[tuple]]],
    errors: list[tuple],
    stats: dict,
    sources: Iterable[tuple[str, str]] = (),
) -> None:
    """Stream chunks of row tuples and the error rows into a staging folder, verify it against its
    datapackage, and swap it in as `out`: the folder is the old dataset or the new one, never torn.
    """
    out = Path(out)
    with locked(out):
        stage = staging(out)
        try:
            files = _write_tables(stage, chunks, errors)
            package = descriptor(files, stats, sources)
            text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
            _write_bytes(stage / "datapackage.json", text.encode())
            verify(stage)
            swap(stage, out, keep=frozenset(NAMES))
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise


NAMES = [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["datapackage.json"]


def _write_tables(folder: Path, chunks, errors: list[tuple]) -> dict:
    """Every table's Parquet and CSV into `folder`; their sizes, hashes and row counts."""
    writers = {name: _Writer(folder, name) for name in TABLES}
    try:
        for chunk in chunks:
            for name, rows in chunk.items():
                writers[name].add(rows)
        writers["errors"].add(errors)
        writers["codes"].add([fields.record("codes", r) for r in fields.codes().to_dict("records")])
        return {name: w.close() for name, w in writers.items()}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise


def verify(folder: str | Path) -> None:
    """Check every file of a dataset folder against its datapackage.json (size and sha256).

    Parameters
    ----------
    folder : str or Path

    Raises
    ------
    ValueError
        Naming the first file that does not match.
    """
    folder = Path(folder)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        for entry in (res, res.get("x-parquet")):
            if entry and _digest(folder / entry["path"]) != {
                "hash": entry["hash"],
                "bytes": entry["bytes"],
            }:
                raise ValueError(f"{folder / entry['path']} does not match its datapackage.json")


class _Writer:
    """One resource: a Parquet file in fixed-size row groups and a CSV file, in the staging
    folder.
    """

    def __init__(self, out: Path, name: str) -> None:
        self.out, self.name = out, name
        self.schema = fields.arrow_schema(name)
        self.format = [CSV_FORMAT[t] for _, t in fields.columns(name)]
        self.tmp = {ext: out / f"{name}.{ext}" for ext in ("parquet", "csv")}
        self.parquet = pq.ParquetWriter(
            self.tmp["parquet"], self.schema, compression="zstd", version="2.6"
        )
        self.csv_file = open(self.tmp["csv"], "w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.csv_file, lineterminator="\n")
        self.csv.writerow(fields.names(name))
        self.pending: list[pa.Table] = []
        self.rows = 0

    def add(self, rows: list[tuple]) -> None:
        """Row tuples in column order: to CSV now, to Parquet in whole row groups."""
        if not rows:
            return
        fmt = self.format
        self.csv.writerows([f(v) for f, v in zip(fmt, row)] for row in rows)
        self.pending.append(fields.to_arrow(self.name, rows))
        self.rows += len(rows)
        if sum(t.num_rows for t in self.pending) >= ROW_GROUP:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        """Write whole row groups of ROW_GROUP rows (the remainder only at the end): chunking leaves
        no trace.
        """
        table = pa.concat_tables(self.pending) if self.pending else self.schema.empty_table()
        while table.num_rows >= ROW_GROUP or (final and table.num_rows):
            self.parquet.write_table(table.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
            table = table.slice(ROW_GROUP)
        self.pending = [table] if table.num_rows else []

    def close(self) -> dict:
        """Finish both files (fsynced) and return their sizes and hashes for the datapackage."""
        self._flush(final=True)
        if self.rows == 0:
            self.parquet.write_table(self.schema.empty_table())
        self.parquet.close()
        self.csv_file.flush()
        os.fsync(self.csv_file.fileno())
        self.csv_file.close()
        with open(self.tmp["parquet"], "rb+") as fh:
            os.fsync(fh.fileno())
        return {ext: _digest(path) for ext, path in self.tmp.items()} | {"rows": self.rows}

    def abort(self) -> None:
        """Close both files (the staging folder they are in is removed by the caller)."""
        try:
            self.parquet.close()
        finally:
            self.csv_file.close()


@lru_cache(maxsize=4096)  # small counts repeat a great deal; a bounded cache keeps memory flat
def _number(v: float) -> str:
    return format_value(v)


CSV_FORMAT = {
    "string": lambda v: "" if v is None else v,
    "integer": lambda v: "" if v is None else str(v),
    "number": lambda v: "" if v is None else _number(v),  # shortest exact form: 12, 0.5, never 12.0
    "boolean": lambda v: "" if v is None else ("true" if v else "false"),
}


def _digest(path: Path) -> dict:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return {"hash": f"sha256:{h.hexdigest()}", "bytes": path.stat().st_size}


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def descriptor(files: dict, stats: dict, sources: Iterable[tuple[str, str]] = ()) -> dict:
    """The Frictionless data package: CSV resources with typed schemas, keys and bilingual
    descriptions; under ``x-toolkit`` the version, commit, summary and every source's sha256.
    """
    summary = {k: stats.get(k, 0) for k in SUMMARY_KEYS}
    provenance = {
        "name": "ogi-toolkit",
        "version": fields.TOOLKIT_VERSION,
        "commit": commit(),
        "summary": summary,
        "sources": [{"file": f, "sha256": h} for f, h in sorted(sources)],
    }
    return {
        "name": "ogi-annual-reports",
        "title": (
            "政府信息公开工作年度报告数据 / "
            "Open government information annual reports, as tidy data"
        ),
        "description": (
            "由 ogi-toolkit 从政府信息公开工作年度报告中提取并核对的数据。"
            "空字段表示缺失（NA），从不以 0 代替。 / "
            "Numbers extracted and checked by ogi-toolkit from Chinese government "
            "open-information annual "
            "reports. An empty field is NA (missing), never 0 in disguise."
        ),
        "version": fields.TOOLKIT_VERSION,
        "x-toolkit": provenance,
        "resources": [_resource(name, files[name]) for name in TABLES],
    }


def _resource(name: str, info: dict) -> dict:
    zh, en = TITLES[name]
    desc = fields.descriptions(name)
    schema_ = {
        "fields": [_field(name, n, t, *desc[n]) for n, t in fields.columns(name)],
        "primaryKey": fields.PRIMARY_KEYS[name],
        "missingValues": [""],
    }
    if name in FOREIGN_KEYS:
        schema_["foreignKeys"] = [
            {"fields": f, "reference": {"resource": r, "fields": rf}}
            for f, r, rf in FOREIGN_KEYS[name]
        ]
    return {
        "name": name,
        "path": f"{name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": f"{zh} / {en}",
        "hash": info["csv"]["hash"],
        "bytes": info["csv"]["bytes"],
        "x-rows": info["rows"],
        "x-parquet": {"path": f"{name}.parquet", **info["parquet"]},
        "schema": schema_,
    }


def _field(resource: str, name: str, kind: str, zh: str, en: str, required: bool) -> dict:
    out = {"name": name, "type": kind, "description": f"{zh}\n{en}"}
    if kind == "boolean":
        out |= {"trueValues": ["true"], "falseValues": ["false"]}
    constraints = {"required": True} if required else {}
    if name == "table" and resource in ("cells", "checks"):
        constraints["enum"] = list(fields.tables()) + (["report"] if resource == "checks" else [])
    if constraints:
        out["constraints"] = constraints
    return out


def load_dataset(path: str | Path, *, verify: bool = True) -> Dataset:
    """Read a dataset folder written by ``toolkit build`` back into a :class:`Dataset`.

    Parameters
    ----------
    path : str or Path
        The folder holding ``datapackage.json`` and the tables (Parquet; CSV where Parquet is
        absent).
    verify : bool, default True
        Check every file's size and sha256 against ``datapackage.json`` before reading it.

    Returns
    -------
    Dataset
        With the nullable dtypes the data dictionary gives each field.

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``datapackage.json``.
    ValueError
        If a file does not match its ``datapackage.json`` entry (a damaged or half-written folder).

    Examples
    --------
    >>> ds = toolkit.load_dataset("data/processed")  # doctest: +SKIP
    >>> ds.cells.query("row == 'unavailable_not_held'")  # doctest: +SKIP
    """
    path = Path(path)
    package_file = path / "datapackage.json"
    if not package_file.is_file():
        raise FileNotFoundError(
            f"no datapackage.json in {path}: not a dataset written by `python -m toolkit build`"
        )
    package = json.loads(package_file.read_text(encoding="utf-8"))
    frames = {}
    for res in package["resources"]:
        frames[res["name"]] = _load_resource(path, res, verify)
    stats = {**package.get("x-toolkit", {}).get("summary", {}), "loaded_from": str(path)}
    return Dataset(frames["reports"], frames["cells"], frames["checks"], frames["errors"], stats)


def _load_resource(path: Path, res: dict, verify: bool) -> pd.DataFrame:
    name, parquet = res["name"], res.get("x-parquet")
    source = (
        path / parquet["path"]
        if parquet and (path / parquet["path"]).is_file()
        else path / res["path"]
    )
    if verify:
        expected = parquet if source.suffix == ".parquet" else res
        if _digest(source)["hash"] != expected["hash"]:
            raise ValueError(
                f"{source} does not match its datapackage.json entry "
                "(a build was interrupted?); rebuild"
            )
    if source.suffix == ".parquet":
        return fields.to_pandas(pq.read_table(source, schema=fields.arrow_schema(name)))
    sch = fields.arrow_schema(name)
    options = pacsv.ConvertOptions(
        column_types=sch,
        null_values=[""],
        strings_can_be_null=True,
        true_values=["true"],
        false_values=["false"],
    )
    return fields.to_pandas(pacsv.read_csv(source, convert_options=options).select(sch.names))
