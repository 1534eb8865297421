"""Decode bytes whose encoding the publisher did not tell us (UTF-8, GB18030, Big5 …)."""
from __future__ import annotations

import re

from charset_normalizer import from_bytes

from .base import ReadError


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding): BOM, then a declared charset, then UTF-8, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return data.decode(_alias(enc)), _alias(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:200_000]).best()
    if best is None or not _mostly_text(str(best)):
        raise ReadError("not text in any known encoding", stage="sniff")
    enc = _alias(best.encoding)
    return data.decode(enc, errors="replace"), enc


def _alias(enc: str) -> str:
    """GBK and GB2312 declarations are read as their superset GB18030."""
    return "gb18030" if enc.lower().replace("-", "").replace("_", "") in {"gbk", "gb2312", "cp936", "gb18030"} else enc


def _mostly_text(text: str) -> bool:
    bad = len(re.findall(r"[\x00-\x08\x0e-\x1f\ufffd]", text))
    return bad <= max(2, len(text) // 100)
