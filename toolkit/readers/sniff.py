"""A file's real format, from its bytes: never from its name."""

from __future__ import annotations

import zipfile
from io import BytesIO

from toolkit.readers.base import ReadError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str:
    """'pdf', 'docx', 'doc', 'rtf', 'html', 'text' or 'image', from content, never from the file
    name.
    """
    head = data[:2048]
    if not data.strip():
        raise ReadError("the file is empty", stage="sniff")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE):
        return "doc"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"  # often published under a .doc name
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            # a damaged directory raises what zipfile's parsing meets (UnicodeDecodeError, ...)
            raise ReadError(f"a damaged zip archive ({exc})", stage="sniff") from None
        if "word/document.xml" in names:
            return "docx"
        raise ReadError("a zip archive that is not a Word document", stage="sniff")
    if (
        head[:4] in (b"\x89PNG", b"II*\x00", b"MM\x00*")
        or head[:3] == b"\xff\xd8\xff"
        or head[:6] in (b"GIF87a", b"GIF89a")
    ):
        return "image"
    low = head.lower()
    if (
        b"<html" in low
        or b"<!doctype html" in low
        or b"<table" in low
        or b"<body" in low
        or b"<meta" in low
        or b"<p" in low[:200]
    ):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary data that is no known document format", stage="sniff")
    return "text"
