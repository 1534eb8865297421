"""How long each corpus document takes to become a Report, and for PDFs how that compares with
two baselines.

Run: python benchmarks/bench_readers.py [--repeat N] [--corpus DIR] [--only GLOB]
[--clock wall|cpu] [--markdown N]. Prints numbers; asserts nothing.

For every file in <corpus>/raw: the median wall time of `toolkit.read_report` (read + match + meta +
checks), after one warm-up call so imports are not counted. For PDFs also (a) merely reading every
page's text layer with pypdfium2 and (b) camelot's default lattice read,
`camelot.read_pdf(path, pages="all")`, of the same pages, and the ratios. Targets: a text-layer
PDF within 5x of (a) and at least 10x faster than (b); HTML, text and Markdown reports under 10 ms.
The corpus holds no Markdown: `--markdown N` also times N synthetic reports in each Markdown flavour
converters write (`toolkit.testing.quirks`: pipe tables, grid tables, HTML tables).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from functools import partial
from pathlib import Path

from toolkit import ReadError, read_report
from toolkit.readers import sniff

ROOT = Path(__file__).resolve().parents[1]

CLOCK = (
    time.perf_counter
)  # --clock cpu: time.process_time, steadier on a loaded machine (counts all threads)


def median_seconds(fn, repeat: int) -> float:
    """Median of `repeat` timed calls, after one untimed warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return statistics.median(times)


def text_layer(path: Path) -> None:
    """Baseline (a): every page's text through pypdfium2, nothing else."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        for page in pdf:
            page.get_textpage().get_text_bounded()
    finally:
        pdf.close()


def camelot_default(path: Path) -> None:
    """Baseline (b): camelot's default lattice read of every page (renders each page for OpenCV)."""
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        camelot.read_pdf(str(path), pages="all")


def stages(path: Path, repeat: int) -> str:
    """Where a PDF's time goes: the ruled grids of the
    table pages, the rest of the reader, the report."""
    from toolkit.extract.report import build_report
    from toolkit.readers import pdf as reader

    data = path.read_bytes()
    doc = reader.read_pdf(path)

    def lattice() -> list[int]:
        pdf = reader.open_pdf(data)
        try:
            texts = [reader._page(pdf, n) for n in range(1, len(pdf) + 1)]
            wanted = reader.table_pages(texts)
            reader._lattice([p for p in texts if p.number in wanted], data, None)
        finally:
            pdf.close()
        return wanted

    def pages() -> None:
        pdf = reader.open_pdf(data)
        try:
            reader.table_pages([reader._page(pdf, n) for n in range(1, len(pdf) + 1)])
        finally:
            pdf.close()

    wanted = lattice()
    grids = median_seconds(lattice, repeat) - median_seconds(pages, repeat)
    whole = median_seconds(lambda: reader.read_pdf(path), repeat)
    report = median_seconds(lambda: build_report(doc, data), repeat)
    return (
        f"stages: read_pdf {whole * 1000:.1f} ms, of which ruled grids "
        "(PDFium paths + camelot lattice geometry) "
        f"on pages {wanted} {grids * 1000:.1f} ms; match + checks + meta {report * 1000:.1f} ms"
    )


def bench_file(path: Path, repeat: int) -> str:
    kind = sniff(path.read_bytes())
    try:
        ours = median_seconds(lambda: read_report(path), repeat)
    except ReadError as exc:
        return f"{path.name:55s} {kind:5s} unreadable: {exc}"
    line = f"{path.name:55s} {kind:5s} {ours * 1000:8.1f} ms"
    if kind == "pdf":
        a = median_seconds(lambda: text_layer(path), repeat)
        b = median_seconds(lambda: camelot_default(path), max(1, repeat // 3))
        line += (
            f"   text layer {a * 1000:6.1f} ms (ours {ours / a:4.1f}x)"
            f"   camelot default {b * 1000:7.1f} ms ({b / ours:4.1f}x faster)"
        )
        line += "\n" + " " * 8 + stages(path, repeat)
    elif ours > 0.010:
        line += "   over the 10 ms target"
    return line


def bench_markdown(n: int, repeat: int) -> list[str]:
    """Median read_report time of `n` synthetic reports per Markdown flavour, and of its reader."""
    import tempfile

    from toolkit.readers import read_document
    from toolkit.testing.quirks import MARKDOWN, quirked, write
    from toolkit.testing.render import Style, random_cells

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for to in MARKDOWN:
            reports, readers = [], []
            for seed in range(n):
                style = Style(merged=True, seed=seed)
                cells = random_cells(seed, fmt=("2019", "2021")[seed % 2])
                path = Path(tmp) / f"{to}-{seed}.md"
                path.write_bytes(write(quirked(cells, [], seed=seed, style=style), to, style))
                reports.append(median_seconds(partial(read_report, path), repeat))
                readers.append(median_seconds(partial(read_document, path), repeat))
            out.append(
                f"{to:15s} read_report median {statistics.median(reports) * 1000:5.1f} ms "
                f"(max {max(reports) * 1000:5.1f}), the reader alone "
                f"{statistics.median(readers) * 1000:4.1f} ms, over {n} reports"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("OGI_CORPUS", ROOT.parent / "shared" / "corpus")),
    )
    p.add_argument("--only", default="*", help="glob of file names to time, e.g. '*.pdf'")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    p.add_argument("--markdown", type=int, default=0, help="synthetic Markdown reports per flavour")
    args = p.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    files = sorted(f for f in (args.corpus / "raw").glob(args.only) if f.is_file())
    print(f"{len(files)} files, median {args.clock} time of {args.repeat} runs after a warm-up\n")
    for path in files:
        print(bench_file(path, args.repeat), flush=True)
    if args.markdown:
        print("\nsynthetic Markdown, as converters write it:")
        print("\n".join(bench_markdown(args.markdown, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
