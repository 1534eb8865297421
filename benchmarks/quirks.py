"""How often a report with a real-world layout quirk still reads back exactly, per quirk and format.

Run: python benchmarks/quirks.py [--per-cell N] [--formats a,b] [--quirks a,b] [--workers N]

For every quirk of `toolkit.testing.quirks` (and `none`, the clean baseline) and every format, N
random valid reports are rendered with that quirk, read back with `toolkit.read_report`, and
compared with the cells they were made from. Prints the share of documents read exactly (every cell
equal, NA where blank) per quirk × format, the overall share, and the count of reports called
`verified` (or `repaired`) that hold a wrong number, which must be 0. Asserts nothing.

Formats: by default every one the quirk generator writes itself (text, HTML, DOCX, text-layer PDF,
three Markdown flavours). Also: `markitdown-docx`, `markitdown-html`, `markitdown-pdf` (the
rendered file converted by markitdown, a real converter) and `scan` (the PDF printed, scanned and
read by OCR: seconds per report); `--formats all` takes every one.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from toolkit import ReadError, read_report
from toolkit.testing.quirks import CONVERTED, FORMATS, QUIRKS, SCANNED, quirked, suffix, write
from toolkit.testing.render import Style, as_values, random_cells

TRUSTED = ("verified", "repaired")


def one(job: tuple[str, str, int]) -> tuple[str, str, bool, bool, bool, str]:
    """(quirk, format, exact, core exact, verified-but-wrong, status) for one random report."""
    quirk, to, seed = job
    rng = random.Random(f"{quirk}:{to}:{seed}")
    fmt = rng.choice(("2019", "2021"))
    cells = random_cells(seed, fmt=fmt, blanks=rng.choice((0.0, 0.1)))
    style = Style(
        blank=rng.choice(("", "/", "-", "mixed")),
        numbering=rng.choice(("1.", "（1）", "mixed")),
        merged=rng.random() < 0.7,
        seed=seed,
    )
    data = write(quirked(cells, [quirk], seed=seed, style=style, fmt=fmt), to, style)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"q{suffix(to)}"
        path.write_bytes(data)
        try:
            report = read_report(path)
        except ReadError as exc:  # counted as failed; the first reason of each kind is printed
            return quirk, to, False, False, False, f"failed ({exc.stage}: {exc.reason[:80]})"
    want, got = as_values(cells), as_values(report.cells)
    exact = all(k in got and got[k] == v for k, v in want.items()) and all(
        v is None for k, v in got.items() if k not in want
    )
    core = all(got.get(k, "missing") == v for k, v in want.items() if k[0] != "proactive")
    wrong = any(v is not None and want.get(k) != v for k, v in got.items())
    return quirk, to, exact, core, report.status in TRUSTED and wrong, report.status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-cell", type=int, default=20, help="reports per quirk x format")
    ap.add_argument("--formats", default=",".join(f for f in FORMATS if f != "text-run"))
    ap.add_argument("--quirks", default=",".join(QUIRKS))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    every = (*FORMATS, *CONVERTED, SCANNED)
    formats = every if args.formats == "all" else args.formats.split(",")
    quirks = args.quirks.split(",")
    jobs = [(q, f, s) for q in quirks for f in formats for s in range(args.per_cell)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(one, jobs, chunksize=4))
    columns = ["quirk", "format", "exact", "core", "verified_wrong", "status"]
    df = pd.DataFrame(rows, columns=columns)
    print(f"{len(df)} reports in {time.perf_counter() - t0:.0f} s")
    for value, what in (("exact", "every cell"), ("core", "the applications and appeals tables")):
        table = df.pivot_table(index="quirk", columns="format", values=value, aggfunc="mean")
        print(f"\npercent of documents read exactly ({what}):\n")
        print((100 * table).reindex(quirks).round(1).to_string())
    print(f"\noverall exact: {100 * df.exact.mean():.1f}%")
    print(f"verified (or repaired) but wrong: {int(df.verified_wrong.sum())}")
    print("\nstatus counts:", df.status.value_counts().to_dict())


if __name__ == "__main__":
    main()
