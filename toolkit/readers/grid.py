"""Ruled tables in a page image: deskew by the ruling lines, then cells as the regions the lines
enclose.

Only OpenCV and numpy: the grid comes from the lines a table is printed with, so merged cells,
split headers and uneven rows need no model. Pixel sizes scale with the image's resolution (dpi).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


@dataclass(frozen=True)
class Page:
    """A deskewed grey page image with its ruling lines found, ready to be cut into cells."""

    gray: np.ndarray  # uint8, white paper; ruling lines painted out (text only)
    ink: np.ndarray  # uint8 0/255, text pixels (lines removed)
    tables: tuple[tuple[Box, ...], ...]  # the cells of each ruled table, tables top to bottom
    frames: tuple[Box, ...]  # each table's outer box
    angle: float
    dpi: float


def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Ink as 255 on 0: darker than its surroundings (uneven scans) and than the page's Otsu level
    (cell shading).
    """
    block = max(15, int(dpi / 8) | 1)
    local = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
    )
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, dark = cv2.threshold(gray, max(level, 100), 255, cv2.THRESH_BINARY_INV)
    return cv2.bitwise_and(local, dark)


def line_masks(ink: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical strokes at least `length` pixels long: ruling lines, not letters."""
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, length), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, length)))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk), cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk)


def long_lines(
    gray: np.ndarray, dpi: float, min_frac: float = 0.25
) -> list[tuple[int, int, int, int]]:
    """Horizontal rules spanning at least `min_frac` of the page width, as component stats
    (x, y, w, h).
    """
    hmask, _ = line_masks(binarize(gray, dpi), int(dpi * 0.15))
    n, _, stats, _ = cv2.connectedComponentsWithStats(hmask)
    width = gray.shape[1]
    return [tuple(map(int, stats[k, :4])) for k in range(1, n) if stats[k, 2] >= width * min_frac]


def skew_angle(gray: np.ndarray, dpi: float) -> float:
    """Degrees to rotate by so the long horizontal rules lie flat (0.0 when there are none)."""
    hmask, _ = line_masks(binarize(gray, dpi), int(dpi * 0.15))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hmask)
    angles, weights = [], []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w < gray.shape[1] * 0.2 or h > w * 0.2:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == k)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(w))
    if not angles:
        return text_skew(gray, dpi)
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return angles[order[int(np.searchsorted(cum, cum[-1] / 2))]]  # weighted median


def text_skew(gray: np.ndarray, dpi: float, limit: float = 3.0) -> float:
    """Skew of a page without rules: the angle at which lines of text give the sharpest row
    profile.
    """
    small = cv2.resize(
        binarize(gray, dpi), None, fx=50 / dpi, fy=50 / dpi, interpolation=cv2.INTER_AREA
    )
    if not small.any():
        return 0.0
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + 1e-9, 0.1):
        h, w = small.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        score = float(np.var(cv2.warpAffine(small, m, (w, h)).sum(axis=1, dtype=np.float64)))
        if score > best_score:
            best, best_score = float(angle), score
    return round(best, 2)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """The image turned by `angle` degrees about its centre, same size, white where paper was
    missing.
    """
    if abs(angle) < 0.02:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def find_page(gray: np.ndarray, dpi: float) -> Page:
    """Deskew the page, find its ruled cells, and separate the text from the lines and the noise."""
    angle = skew_angle(gray, dpi)
    gray = rotate(gray, angle)
    ink = binarize(gray, dpi)
    hmask, vmask = line_masks(ink, int(dpi * 0.3))
    lines = cv2.dilate(hmask | vmask, np.ones((3, 3), np.uint8))
    tables = _tables(lines, dpi)
    text_ink, slivers = clean_ink(ink, lines, dpi)
    wide = max(3, int(dpi / 40) | 1)
    dropped = cv2.dilate(lines, np.ones((wide, wide), np.uint8)) | cv2.dilate(
        slivers, np.ones((3, 3), np.uint8)
    )
    text = gray.copy()
    text[dropped > 0] = 255  # rules and their slivers painted out; faint ink kept
    return Page(
        text,
        text_ink,
        tuple(cells for _, cells in tables),
        tuple(frame for frame, _ in tables),
        angle,
        dpi,
    )


def clean_ink(ink: np.ndarray, lines: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """(text pixels, sliver pixels): rules removed with the thin slivers they leave behind, and
    scanner specks.
    """
    wide = max(3, int(dpi / 40) | 1)
    near = cv2.dilate(lines, np.ones((wide + 2, wide + 2), np.uint8)) > 0
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(lines, np.ones((wide, wide), np.uint8))))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = (
        stats[:, cv2.CC_STAT_WIDTH],
        stats[:, cv2.CC_STAT_HEIGHT],
        stats[:, cv2.CC_STAT_AREA],
    )
    thin, long = dpi * 0.02, dpi * 0.04
    sliver = ((w <= thin) & (h >= long)) | ((h <= thin) & (w >= long)) | ((w <= thin) & (h <= thin))
    touching = np.bincount(labels[near & (ink > 0)], minlength=n) > 0
    cut = sliver & touching
    keep = (area >= max(2, int((dpi / 100) ** 2))) & ~cut
    keep[0] = cut[0] = False
    return (keep.astype(np.uint8) * 255)[labels], (cut.astype(np.uint8) * 255)[labels]


def _tables(lines: np.ndarray, dpi: float) -> list[tuple[Box, tuple[Box, ...]]]:
    """(outer box, cells) of every table-sized cluster of lines: the regions the lines enclose."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines)
    min_side = max(6, int(dpi * 0.05))
    out = []
    for k in range(1, n):
        x, y, w, h, _ = map(int, stats[k])
        if w < lines.shape[1] * 0.2 or h < dpi * 0.15:
            continue
        frame = lines[y : y + h, x : x + w].copy()
        cv2.rectangle(
            frame, (0, 0), (w - 1, h - 1), 255, 2
        )  # close tables printed without outer borders
        m, _, cst, _ = cv2.connectedComponentsWithStats(
            (frame == 0).astype(np.uint8), connectivity=4
        )
        cells = tuple(
            (x + cx, y + cy, x + cx + cw, y + cy + ch)
            for cx, cy, cw, ch, _ in (map(int, cst[j]) for j in range(1, m))
            if cw >= min_side and ch >= min_side
        )
        if cells:
            out.append(((x, y, x + w, y + h), cells))
    return sorted(out, key=lambda t: (t[0][1], t[0][0]))


def table_rows(cells: tuple[Box, ...] | list[Box], dpi: float) -> list[list[Box]]:
    """Cells grouped into rows by their top edge, left to right; a cell spanning rows sits in its
    first.
    """
    tol = max(3, int(dpi * 0.03))
    rows: list[list[Box]] = []
    for box in sorted(cells, key=lambda b: (b[1], b[0])):
        if rows and box[1] - rows[-1][0][1] <= tol:
            rows[-1].append(box)
        else:
            rows.append([box])
    return [sorted(r, key=lambda b: b[0]) for r in rows]


def text_lines(ink: np.ndarray, box: Box, dpi: float) -> list[Box]:
    """Boxes of the lines of text inside one cell, top to bottom (empty for a blank cell)."""
    margin = max(2, int(dpi * 0.012))
    x0, y0, x1, y1 = box[0] + margin, box[1] + margin, box[2] - margin, box[3] - margin
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    sub = ink[y0:y1, x0:x1]
    return [
        (x0 + a, y0 + top, x0 + b, y0 + bottom)
        for top, bottom in _bands(sub.any(axis=1), max(1, int(dpi * 0.012)))
        for a, b in [_extent(sub[top:bottom].any(axis=0))]
        if b - a > 0
    ]


def _despeckle(ink: np.ndarray, min_area: int) -> np.ndarray:
    """Drop isolated specks of scanner noise (a decimal point is larger than `min_area`)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _bands(on: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of True in a projection, joining runs separated by at most `gap` False entries."""
    bands: list[tuple[int, int]] = []
    padded = np.concatenate([[False], on, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    for start, stop in zip(edges[::2], edges[1::2]):
        if bands and start - bands[-1][1] <= gap:
            bands[-1] = (bands[-1][0], int(stop))
        else:
            bands.append((int(start), int(stop)))
    return bands


def _extent(on: np.ndarray) -> tuple[int, int]:
    idx = np.flatnonzero(on)
    return (int(idx[0]), int(idx[-1]) + 1) if len(idx) else (0, 0)


def prose_lines(ink: np.ndarray, dpi: float, skip: tuple[Box, ...] = ()) -> list[Box]:
    """Lines of text outside the tables, for pages read whole (titles, prose) without a detector."""
    ink = ink.copy()
    for x0, y0, x1, y1 in skip:
        ink[y0:y1, x0:x1] = 0
    clean = _despeckle(ink, max(3, int((dpi / 100) ** 2 * 2)))
    out = []
    for top, bottom in _bands(clean.any(axis=1), max(1, int(dpi * 0.01))):
        if bottom - top < dpi * 0.04:
            continue
        a, b = _extent(clean[top:bottom].any(axis=0))
        out.append((a, top, b, bottom))
    return out
