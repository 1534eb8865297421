"""A scanner in software: any PDF -> an image-only PDF, grey, slightly rotated, noisy and
JPEG-compressed.

Tests and benchmarks build their scanned reports from real or rendered PDFs with this, so no scan
is committed and every property (resolution, skew, noise, compression) can be varied on purpose.
"""

from __future__ import annotations

import io

import numpy as np


def scan_pdf(
    pdf: bytes,
    *,
    dpi: float = 150,
    angle: float = 0.5,
    quality: int = 60,
    noise: float = 4.0,
    blur: float = 0.0,
    seed: int = 0,
    pages: list[int] | None = None,
) -> bytes:
    """Rasterize `pdf` (all or the 1-based `pages`) the way a desk scanner would; returns the new
    PDF's bytes.

    Pages alternate in skew direction (`angle` degrees, then -0.7 * angle ...); `noise` is the
    standard deviation of grey-level noise; `quality` the JPEG quality; `blur` a Gaussian radius in
    pixels.
    """
    from PIL import Image, ImageFilter

    from toolkit.readers.pdfium import open_pdf

    rng = np.random.default_rng(seed)
    doc = open_pdf(pdf)
    try:
        numbers = pages or list(range(1, len(doc) + 1))
        images = []
        for i, n in enumerate(numbers):
            image = doc[n - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            image = image.rotate(
                angle if i % 2 == 0 else -0.7 * angle, resample=Image.BICUBIC, fillcolor=255
            )
            if blur:
                image = image.filter(ImageFilter.GaussianBlur(blur))
            images.append(_jpeg(_noisy(image, noise, rng), quality))
    finally:
        doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _noisy(image, sigma: float, rng: np.random.Generator):
    from PIL import Image

    if sigma <= 0:
        return image
    arr = np.asarray(image, dtype=np.float32) + rng.normal(0.0, sigma, (image.height, image.width))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _jpeg(image, quality: int):
    """The image after a round trip through JPEG at `quality` (the blocks and ringing of a real
    scan).
    """
    from PIL import Image

    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("L")
