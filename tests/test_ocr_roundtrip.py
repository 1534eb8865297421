"""Scanned round trips: random valid reports rendered by
toolkit.testing.render, rasterized like a scanner, read by OCR."""

from __future__ import annotations

import importlib.util
import os

import pandas as pd
import pytest

from toolkit.extract.report import build_report

HAVE_OCR = all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))
needs_ocr = pytest.mark.skipif(
    not HAVE_OCR, reason="the OCR extra is not installed: pip install '.[ocr]'"
)


def _render_ready() -> bool:
    return (
        importlib.util.find_spec("toolkit.testing.render.pdf") is not None
        and importlib.util.find_spec("reportlab") is not None
    )


@needs_ocr
@pytest.mark.slow
@pytest.mark.skipif(
    not _render_ready(),
    reason="toolkit.testing.render cannot write PDFs here (reportlab or render.pdf missing)",
)
def test_rendered_reports_scanned_at_several_resolutions_round_trip_or_are_flagged():
    """Random valid reports, rendered, scanned at 100-300 dpi
    with noise, skew and JPEG: exact or flagged, never wrong."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from strategies import report_cells, styles

    from toolkit.readers.ocr import read_scanned_pdf
    from toolkit.testing.render import render
    from toolkit.testing.scansim import scan_pdf

    examples = int(os.environ.get("OGI_OCR_EXAMPLES", "6"))  # each is a 3-page OCR: a few seconds

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=examples <= 6,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        cells=report_cells(),
        style=styles("pdf"),
        dpi=st.sampled_from([100, 150, 200, 300]),
        noise=st.sampled_from([2.0, 6.0, 10.0]),
        angle=st.floats(-1.2, 1.2),
        seed=st.integers(0, 99),
    )
    def check(cells, style, dpi, noise, angle, seed):
        scan = scan_pdf(
            render(cells, to="pdf", style=style),
            dpi=dpi,
            angle=angle,
            noise=noise,
            quality=60,
            seed=seed,
        )
        doc = read_scanned_pdf("rendered-scan.pdf", data=scan)
        report = build_report(doc)
        want = {
            (t, r, c): v for t, r, c, v in zip(cells.table, cells.row, cells["col"], cells.value)
        }
        got = {
            (t, r, c): v
            for t, r, c, v in zip(
                report.cells.table, report.cells.row, report.cells["col"], report.cells.value
            )
        }
        wrong = {
            k: (want.get(k), v)
            for k, v in got.items()
            if not pd.isna(v) and (pd.isna(want.get(k, pd.NA)) or want[k] != v)
        }
        where = (
            f"dpi={dpi} noise={noise} angle={angle:.2f} style={style}: "
            f"{report.status} {report.reasons[:3]}"
        )
        if report.status in ("verified", "repaired"):
            assert not wrong, (
                f"wrong cells in a {report.status} report: {list(wrong.items())[:5]}; {where}"
            )
            missing = [
                k
                for k, v in want.items()
                if k[0] != "proactive" and not pd.isna(v) and pd.isna(got.get(k, pd.NA))
            ]
            assert not missing, (
                f"cells missing from a {report.status} report: {missing[:5]}; {where}"
            )
        else:
            assert report.status in ("partial", "inconsistent"), where  # flagged, with its reasons
        if dpi >= 150 and noise <= 6.0:
            assert report.status in ("verified", "repaired", "partial"), (
                f"a clean scan should read: {where}"
            )

    check()
