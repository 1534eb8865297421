"""A CJK TrueType font for PDFs and plots, built once from the OFL Noto Sans CJK shipped on PyPI.

The `manimgx-fonts-cjk` package ships Noto Sans CJK (SIL Open Font License 1.1) as a variable
OpenType collection with CFF2 outlines. Neither reportlab (TrueType outlines only) nor matplotlib
(one face of a static font) can use that file as it is, so the Simplified Chinese face is drawn at
Regular weight, converted to quadratic (glyf) outlines and cached as a small static .ttf.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
FACE = 2  # index of the Simplified Chinese face in NotoSansCJK-VF.otf.ttc
WEIGHT = 400.0
VERSION = "1"  # bump to rebuild cached fonts after a change to the conversion


def source_path() -> Path:
    """The OFL font collection as the PyPI package installed it."""
    try:
        root = resources.files("manimgx_fonts_cjk")
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the CJK font needs the 'manimgx-fonts-cjk' package: pip install manimgx-fonts-cjk"
        ) from None
    return Path(str(root.joinpath("NotoSansCJK-VF.otf.ttc")))


def cache_dir() -> Path:
    """Where converted fonts live: $OGI_CACHE, else the XDG cache (never inside the repository)."""
    base = os.environ.get("OGI_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "ogi-toolkit"
    )
    return Path(base) / "fonts"


def base_repertoire() -> frozenset[int]:
    """ASCII, CJK punctuation, full-width forms and every GB2312 character: what reports print."""
    chars = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3020)) | set(range(0xFF01, 0xFF5F))
    chars |= {
        0x2018,
        0x2019,
        0x201C,
        0x201D,
        0x2014,
        0x2026,
        0x2460,
        0x2461,
        0x2462,
        0x2463,
        0x2464,
        0x2465,
        0x2466,
        0x2467,
        0x2468,
        0x00B7,
        0x2212,
    }
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@cache
def _source_cmap() -> dict[int, str]:
    from fontTools.ttLib import TTFont

    return TTFont(str(source_path()), fontNumber=FACE, lazy=True).getBestCmap()


def cjk_font_path(chars: str = "") -> Path:
    """A static TrueType Noto Sans CJK SC covering GB2312 plus `chars` (built on first use, then
    cached).
    """
    wanted = base_repertoire() | {ord(c) for c in chars}
    extra = sorted(c for c in wanted - base_repertoire() if c in _source_cmap())
    tag = hashlib.sha256(",".join(map(str, extra)).encode()).hexdigest()[:12] if extra else "gb2312"
    # each repertoire is its own face, named by its tag: reportlab keeps one face per PostScript
    # name, so two builds that shared a name drew the second document with the first one's glyphs
    path = cache_dir() / f"NotoSansCJKsc-Faces-{VERSION}-{tag}.ttf"
    if not path.exists():
        _build(sorted(base_repertoire() | set(extra)), path)
    return path


def _build(codepoints: list[int], path: Path) -> None:
    """Draw each glyph at Regular weight into TrueType outlines; write atomically (tests run in
    parallel).
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(str(source_path()), fontNumber=FACE, lazy=True)
    keep = set(codepoints)
    cmap = {c: g for c, g in src.getBestCmap().items() if c in keep}
    names = [".notdef"] + sorted(set(cmap.values()) - {".notdef"})
    shapes = src.getGlyphSet(location={"wght": WEIGHT})
    glyphs, widths = {}, {}
    for name in names:
        pen = TTGlyphPen(None)
        shapes[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name], widths[name] = pen.glyph(), round(shapes[name].width)
    fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics(
        {n: (widths[n], getattr(fb.font["glyf"][n], "xMin", 0)) for n in names}
    )
    fb.setupHorizontalHeader(ascent=src["hhea"].ascent, descent=src["hhea"].descent)
    os2 = src["OS/2"]
    fb.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        usWeightClass=400,
    )
    fb.setupNameTable(
        {
            "familyName": FAMILY,
            "styleName": "Regular",
            "psName": f"NotoSansCJKsc-Regular-{path.stem.rsplit('-', 1)[-1]}",
            "copyright": (
                "Copyright 2014-2021 Adobe (http://www.adobe.com/). SIL Open Font License 1.1"
            ),
        }
    )
    fb.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        fb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
