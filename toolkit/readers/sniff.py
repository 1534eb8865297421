"""A file's real format, from its bytes: never from its name."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from toolkit.readers.base import ReadError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SCAN = 1 << 20  # bytes searched for Markdown tables (a report's first table is far nearer)
# a pipe table's header row (a line with a '|') and its delimiter row: |---|:---:| ...
# (lookaheads find the pipes: they never backtrack, so a long line is scanned once)
DELIMITER = re.compile(
    rb"^(?=[^\n]*\|)[^\n]*\n[ \t]*(?=[^\n]*\|)"
    rb"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\r?$",
    re.M,
)
BORDER = re.compile(rb"^[ \t]{0,3}\+(?:[-=:]+\+)+[ \t]*\r?\n[ \t]*\|", re.M)  # a grid table's top
HEADING = re.compile(rb"^#{1,6}[ \t]+\S", re.M)


def sniff(data: bytes) -> str:
    """'pdf', 'docx', 'doc', 'rtf', 'html', 'markdown', 'text' or 'image', from content, never from
    the file name.
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
        or b"<body" in low
        or b"<meta" in low
        or b"<p" in low[:200]
    ):
        return "html"
    if b"\x00" not in head and markdown_tables(data[:SCAN]):
        return "markdown"
    if b"<table" in low:
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary data that is no known document format", stage="sniff")
    return "text"


def markdown_tables(data: bytes) -> bool:
    """Whether text shows a Markdown table: a pipe table's delimiter row under its header row, a
    grid table's border over a '|' line, or an HTML <table> below a Markdown heading (converters
    embed tables with merged cells as HTML). Pipe-separated lines alone are a plain text dump.
    """
    if DELIMITER.search(data) or BORDER.search(data):
        return True
    table = data.lower().find(b"<table")
    return table >= 0 and HEADING.search(data, 0, table) is not None
