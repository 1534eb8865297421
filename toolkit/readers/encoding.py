"""Decode bytes whose encoding the publisher did not tell us (UTF-8, GB18030, Big5 …)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from toolkit.readers.base import ReadError

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_WESTERN = {"ascii", "iso8859-1", "cp1252", "latin-1"}
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding): BOM, then a declared charset, then UTF-8, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), "utf-16"
    declared = codec_name(declared)
    if declared and declared != "utf-8" and _multibyte_utf8(data):
        declared = None  # valid multi-byte UTF-8 is never an accident: the declaration is stale
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    if declared and _mostly_text(text := data.decode(declared, errors="replace")):
        return text, declared  # a few bad bytes in a page that says what it is
    best = from_bytes(data[:200_000]).best()
    if best is None or not _mostly_text(str(best)):
        raise ReadError("not text in any known encoding", stage="sniff")
    enc = _alias(best.encoding)
    return data.decode(enc, errors="replace"), enc


def html_charset(data: bytes) -> str | None:
    """The charset an HTML/XML page declares in its first 4 KiB (<meta charset>, http-equiv,
    <?xml?>).
    """
    head = data[:4096]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii") if m else None


def codec_name(enc: str | None) -> str | None:
    """A declared charset as the Python codec to decode with; None where the claim cannot be true
    (UTF-16 without a BOM).
    """
    if not enc:
        return None
    try:
        name = codecs.lookup(_alias(enc)).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")) or name in _WESTERN:
        return None  # Chinese reports are never Latin-1: servers declare it by default
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


def _multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _alias(enc: str) -> str:
    """GBK and GB2312 declarations are read as their superset GB18030."""
    return (
        "gb18030"
        if enc.lower().replace("-", "").replace("_", "")
        in {"gbk", "gb2312", "cp936", "gb18030", "xgbk"}
        else enc
    )


def _mostly_text(text: str) -> bool:
    bad = len(re.findall(r"[\x00-\x08\x0e-\x1f\ufffd]", text))
    return bad <= max(2, len(text) // 100)
