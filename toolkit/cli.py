"""`python -m toolkit` / `ogi`: cells, check and show for one report; exit 0 verified, 1 not
verified, 2 unreadable.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

import pandas as pd

from toolkit.extract.report import Report, read_report
from toolkit.readers import ReadError
from toolkit.schema.fields import format_value

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNREADABLE = 0, 1, 2


def cells_csv(report: Report) -> str:
    df = report.cells.copy()
    df["value"] = [format_value(v) for v in df.value]
    return df.to_csv(index=False, lineterminator="\n")


def _load(path: str) -> Report:
    return read_report(path)


def cmd_cells(args) -> int:
    report = _load(args.file)
    sys.stdout.write(cells_csv(report))
    return _code(report)


def cmd_check(args) -> int:
    report = _load(args.file)
    print(report.summary())
    bad = report.checks[report.checks.status.isin(["failed", "ambiguous", "not_evaluable"])]
    if args.verbose and len(bad):
        print(bad.to_string(index=False))
    counts = report.checks.status.value_counts().to_dict()
    print("  checks: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return _code(report)


def cmd_show(args) -> int:
    report = _load(args.file)
    print(report.summary())
    formats = report.meta.get("formats") or {}
    with pd.option_context(
        "display.max_rows", 200, "display.max_columns", 20, "display.width", 250
    ):
        for name in report.tables():  # the national tables, or a pre-2019 report's own
            wide = report.table(name, lang=args.lang)
            print(f"\n[{name}] format {formats.get(name) or formats.get('legacy')}")
            print(wide.to_string(na_rep="·"))
        print("\n" + checks_line(report.checks))
        shown = report.checks[report.checks.status != "ok"]
        if len(shown):
            print(shown[["check", "table", "scope", "status", "detail"]].to_string(index=False))
    return _code(report)


def checks_line(checks: pd.DataFrame) -> str:
    """'checks: 45 hold, 1 note:' -- counts by outcome, so a note is never read as a failure."""
    ok = int((checks.status == "ok").sum())
    rest = checks.status[checks.status != "ok"].value_counts()
    words = {"failed": "fail", "not_evaluable": "not evaluable"}
    parts = [f"{ok} hold"] + [f"{int(n)} {words.get(s, s)}" for s, n in sorted(rest.items())]
    return "checks: " + ", ".join(parts) + (":" if len(rest) else "")


def cmd_build(args) -> int:
    """Corpus -> dataset folder; exit 0 when the build completed (1 with --strict and any error), 2
    if it could not run.
    """
    from toolkit.dataset.corpus import summary_line
    from toolkit.dataset.store import build

    try:
        with contextlib.ExitStack() as stack:
            executor = _dask_executor(args.dask, stack) if args.dask else None
            stats = build(
                args.paths,
                args.out,
                manifest=args.manifest,
                executor=executor,
                workers=args.jobs,
                cache=False if args.no_cache else (args.cache or True),
                timeout=args.timeout or None,
                memory_limit=(args.memory_limit << 20) or None,
                progress=not args.quiet,
            )
    except (ValueError, OSError, ImportError) as exc:
        print(f"build: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(summary_line(stats))
    print(
        f"wrote {args.out}: reports, cells, checks, errors, codes (.parquet, .csv) "
        "and datapackage.json"
    )
    if args.prune_cache and not args.no_cache:
        from toolkit.dataset.cache import default_dir, prune

        removed, freed = prune(args.cache or default_dir())
        print(f"cache: removed {removed} folder(s) of other code versions ({freed / 2**20:.1f} MB)")
    return (
        EXIT_NOT_VERIFIED
        if args.strict and stats["failed"] + stats["duplicates"]
        else EXIT_VERIFIED
    )


def _dask_executor(address: str, stack: contextlib.ExitStack):
    """'local' starts a LocalCluster on this machine; anything else is a scheduler address. Closed
    with the stack.
    """
    from dask.distributed import Client, LocalCluster

    target = (
        stack.enter_context(LocalCluster(dashboard_address=None)) if address == "local" else address
    )
    return stack.enter_context(Client(target)).get_executor()


def cmd_fetch(args) -> int:
    """Download what a manifest lists into a folder; exit 0 when nothing failed, 1 otherwise."""
    from toolkit.dataset.fetch import fetch, summary

    try:
        results = fetch(args.manifest, args.out, retries=args.retries, timeout=args.timeout)
    except (ValueError, OSError) as exc:
        print(f"fetch: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for rec in results.itertuples():
        if rec.status in ("fetched", "failed") or args.verbose:
            print(f"{rec.status:8} {rec.file}: {rec.message}")
    print(summary(results))
    return EXIT_NOT_VERIFIED if (results.status == "failed").any() else EXIT_VERIFIED


def _add_corpus_commands(sub) -> None:
    """The corpus-level subcommands: build (many reports -> a dataset) and fetch
    (a manifest -> files).
    """
    b = sub.add_parser(
        "build", help="read many reports into a dataset: Parquet + CSV + datapackage.json"
    )
    b.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="report files, folders, or corpus folders (manifest.csv + raw/)",
    )
    b.add_argument("--out", required=True, metavar="DIR", help="the dataset folder to write")
    b.add_argument(
        "--manifest",
        metavar="CSV",
        help="agency, level, province, region, report_year … by file name",
    )
    b.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    b.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="per-file time limit in seconds (0: none)",
    )
    b.add_argument(
        "--memory-limit",
        type=int,
        default=4096,
        metavar="MB",
        help="memory a worker may add per file (0: none)",
    )
    b.add_argument(
        "--cache", metavar="DIR", help="cache folder (default: $OGI_CACHE or ~/.cache/ogi-toolkit)"
    )
    b.add_argument("--no-cache", action="store_true", help="read every file again and keep nothing")
    b.add_argument(
        "--prune-cache",
        action="store_true",
        help="after the build, delete cache entries of other code versions",
    )
    b.add_argument(
        "--dask", metavar="ADDRESS", help="run on a Dask cluster (a scheduler address, or 'local')"
    )
    b.add_argument("--strict", action="store_true", help="exit 1 if any file could not be read")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(fn=cmd_build)
    f = sub.add_parser(
        "fetch", help="download the reports a manifest lists, verifying their sha256"
    )
    f.add_argument("--manifest", default="data/manifest.csv", metavar="CSV")
    f.add_argument("--out", default="data/raw", metavar="DIR")
    f.add_argument("--retries", type=int, default=3)
    f.add_argument("--timeout", type=float, default=30.0, metavar="S")
    f.add_argument(
        "-v", "--verbose", action="store_true", help="also list files present or skipped"
    )
    f.set_defaults(fn=cmd_fetch)
    e = sub.add_parser(
        "export",
        help="a built dataset and its agency-year panel as Stata .dta (labelled), Parquet or CSV",
    )
    e.add_argument("dataset", metavar="DATASET", help="a dataset folder written by `build`")
    e.add_argument("--to", required=True, choices=("stata", "parquet", "csv"))
    e.add_argument("--out", required=True, metavar="DIR", help="the folder to write")
    e.set_defaults(fn=cmd_export)


def cmd_export(args) -> int:
    """reports, cells, checks and the panel, for Stata (labelled .dta) or R (Parquet/CSV)."""
    from toolkit.dataset.store import load_dataset
    from toolkit.research.panel import panel

    ds = load_dataset(args.dataset)
    written = ds.export(args.to, args.out, panel=panel(ds))
    for path in written:
        print(path)
    return 0


def _code(report: Report) -> int:
    return EXIT_VERIFIED if report.status in ("verified",) else EXIT_NOT_VERIFIED


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, fn, text in (
        ("cells", cmd_cells, "print the tidy cells as CSV"),
        ("check", cmd_check, "print a summary; exit 0 verified, 1 not verified, 2 unreadable"),
        ("show", cmd_show, "print the tables as printed, with the checks"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("file")
        sp.set_defaults(fn=fn)
        if name == "check":
            sp.add_argument("-v", "--verbose", action="store_true")
        if name == "show":
            sp.add_argument("--lang", choices=("zh", "en"), default="zh")
    _add_corpus_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # a closed pager is not an error
        return EXIT_VERIFIED
    except ReadError as exc:
        print(f"{args.file}: cannot read ({exc.stage}): {exc.reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback, whatever the file did
        print(
            f"{getattr(args, 'file', args.command)}: cannot read: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
