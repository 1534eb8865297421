"""`python -m toolkit` / `ogi`: cells, check and show for one report; exit 0 verified, 1 not verified, 2 unreadable."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from .readers import ReadError
from .report import Report, read_report

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNREADABLE = 0, 1, 2


def format_value(v) -> str:
    """Numbers as printed: integers without '.0', decimals in their shortest exact form, NA as ''."""
    if v is None or pd.isna(v):
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


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
    with pd.option_context("display.max_rows", 200, "display.max_columns", 20, "display.width", 250):
        for name in ("proactive", "applications", "appeals"):
            wide = report.table(name, lang=args.lang)
            if len(wide):
                print(f"\n[{name}] format {report.meta['formats'][name]}")
                print(wide.to_string(na_rep="·"))
        bad = report.checks[report.checks.status != "ok"]
        print(f"\nchecks: {int((report.checks.status == 'ok').sum())} identities hold" + (", not all:" if len(bad) else ""))
        if len(bad):
            print(bad[["check", "table", "scope", "status", "detail"]].to_string(index=False))
    return _code(report)


def _code(report: Report) -> int:
    return EXIT_VERIFIED if report.status in ("verified",) else EXIT_NOT_VERIFIED


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, fn, text in (("cells", cmd_cells, "print the tidy cells as CSV"),
                           ("check", cmd_check, "print a summary; exit 0 verified, 1 not verified, 2 unreadable"),
                           ("show", cmd_show, "print the tables as printed, with the checks")):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("file")
        sp.set_defaults(fn=fn)
        if name == "check":
            sp.add_argument("-v", "--verbose", action="store_true")
        if name == "show":
            sp.add_argument("--lang", choices=("zh", "en"), default="zh")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # a closed pager is not an error
        return EXIT_VERIFIED
    except ReadError as exc:
        print(f"{args.file}: cannot read ({exc.stage}): {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback, whatever the file did
        print(f"{args.file}: cannot read: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
