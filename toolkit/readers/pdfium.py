"""The one place a PDF is opened: PDFium (pypdfium2) with errors a person can act on, and shared
page helpers.

The text-layer reader, the OCR reader, the page inspector and the simulated scans all open PDFs
through :func:`open_pdf`, so a damaged, encrypted or empty file gives the same `ReadError` whichever
path meets it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pypdfium2 as pdfium

from toolkit.readers.base import ReadError
from toolkit.readers.sniff import sniff

MIN_TEXT_CHARS = 20  # fewer letters or digits than this: the page has no usable text layer


def open_pdf(raw: bytes, password: str | None = None) -> pdfium.PdfDocument:
    """Open the bytes with PDFium, turning its error codes into reasons a person can act on."""
    if not raw.strip():
        raise ReadError("the file is empty", stage="open")
    if b"%PDF-" not in raw[:1024]:
        raise ReadError(
            f"not a PDF: no %PDF- header; the bytes look like {sniff(raw)} data", stage="open"
        )
    try:
        pdf = pdfium.PdfDocument(raw, password=password)
    except pdfium.PdfiumError as exc:
        reason = {
            4: "encrypted: the PDF needs a password"
            + (" (the one given is wrong)" if password else ""),
            5: "encrypted with a security scheme PDFium does not support",
            3: "damaged or truncated (PDFium cannot parse its structure)",
        }
        raise ReadError(
            reason.get(exc.err_code, f"PDFium cannot open it ({exc})"), stage="open"
        ) from None
    if len(pdf) == 0:
        pdf.close()
        raise ReadError("the PDF has no pages (damaged or truncated?)", stage="open")
    return pdf


def page_numbers(count: int, pages: Sequence[int] | None) -> list[int]:
    """The 1-based page numbers to read: all of them, or `pages` checked against the document's
    length.
    """
    if pages is None:
        return list(range(1, count + 1))
    bad = [p for p in pages if not isinstance(p, int) or not 1 <= p <= count]
    if bad:
        raise ValueError(f"pages {bad} out of range: this PDF has pages 1..{count}")
    return sorted(set(pages))


def has_text_layer(text: str) -> bool:
    """Whether a page's text layer is usable; False means the page needs OCR (a scan, or glyphs
    without Unicode).
    """
    useful = sum(ch.isalnum() for ch in text)
    return useful >= MIN_TEXT_CHARS and useful >= 0.5 * sum(not ch.isspace() for ch in text)


def page_has_text_layer(page: pdfium.PdfPage) -> bool:
    """Whether a pypdfium2 page has a usable text layer; False means it is a scan that needs OCR."""
    return has_text_layer(page.get_textpage().get_text_bounded())


def page_image(pdf: pdfium.PdfDocument, number: int, dpi: float) -> np.ndarray:
    """One page rendered grey at `dpi`, as a contiguous uint8 array."""
    bitmap = pdf[number - 1].render(scale=dpi / 72, grayscale=True)
    arr = bitmap.to_numpy()
    return np.ascontiguousarray(arr[..., 0] if arr.ndim == 3 else arr)
