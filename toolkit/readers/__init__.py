"""Readers: sniff a file's real format from its bytes and hand it to the reader for that format."""

from __future__ import annotations

from pathlib import Path

from toolkit.readers.base import RawDocument, RawRow, ReadError
from toolkit.readers.sniff import sniff

MAX_BYTES = 200 * 1024 * 1024


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
    """Import a reader only when a file of its format arrives (its library may be heavy or
    optional).
    """

    def call(path, data):
        from importlib import import_module

        try:
            reader = getattr(import_module(f"{__name__}.{module}"), name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").startswith("toolkit"):
                raise  # our own bug, not a missing optional package
            raise ReadError(
                f"the {module} reader is not available ({exc.name or exc}); "
                f"install the toolkit with its optional extras",
                stage="sniff",
            ) from None
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


__all__ = ["RawDocument", "RawRow", "ReadError", "read_document", "sniff"]
