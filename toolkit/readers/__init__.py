"""Readers: sniff a file's real format from its bytes and hand it to the reader for that format."""
from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from .base import RawDocument, RawRow, ReadError

MAX_BYTES = 200 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str:
    """'pdf', 'docx', 'doc', 'rtf', 'html', 'text' or 'image', from content, never from the file name."""
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
        except zipfile.BadZipFile as exc:
            raise ReadError(f"a damaged zip archive ({exc})", stage="sniff") from None
        if "word/document.xml" in names:
            return "docx"
        raise ReadError("a zip archive that is not a Word document", stage="sniff")
    if head[:4] in (b"\x89PNG", b"II*\x00", b"MM\x00*") or head[:3] == b"\xff\xd8\xff" or head[:6] in (b"GIF87a", b"GIF89a"):
        return "image"
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low or b"<table" in low or b"<body" in low or b"<meta" in low or b"<p" in low[:200]:
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary data that is no known document format", stage="sniff")
    return "text"


def read_document(path: str | Path) -> RawDocument:
    """Any supported file -> RawDocument, or ReadError naming why not."""
    path = Path(path)
    if not path.exists():
        raise ReadError("no such file", stage="open")
    if path.is_dir():
        raise ReadError("a directory, not a file", stage="open")
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(f"larger than {MAX_BYTES // 2**20} MiB", stage="open")
    data = path.read_bytes()
    kind = sniff(data)
    reader = _READERS.get(kind)
    if reader is None:
        raise ReadError(f"a {kind} file: no reader for this format yet", stage="sniff")
    return reader(path, data)


def _lazy(module: str, name: str):
    """Import a reader only when a file of its format arrives (its library may be heavy or optional)."""

    def call(path, data):
        from importlib import import_module
        try:
            reader = getattr(import_module(f"{__name__}.{module}"), name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").startswith("toolkit"):
                raise  # our own bug, not a missing optional package
            raise ReadError(f"the {module} reader is not available ({exc.name or exc}); "
                            f"install the toolkit with its optional extras", stage="sniff") from None
        return reader(path, data=data)

    return call


# kind -> reader(path, *, data) -> RawDocument; each lives in its own module
_READERS = {
    "text": _lazy("text", "read_text"),
    "html": _lazy("html", "read_html"),
    "pdf": _lazy("pdf", "read_pdf"),
    "docx": _lazy("word", "read_docx"),
    "doc": _lazy("word", "read_doc"),
    "rtf": _lazy("word", "read_rtf"),
    "image": _lazy("ocr", "read_image"),
}


def register(kind: str, fn) -> None:
    """Readers for optional formats register themselves here (html, pdf, docx, doc, rtf, ocr)."""
    _READERS[kind] = fn


__all__ = ["RawDocument", "RawRow", "ReadError", "read_document", "sniff", "register"]
