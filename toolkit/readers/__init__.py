"""Readers: sniff a file's real format from its bytes and hand it to the reader for that format."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from toolkit.readers.base import RawDocument, RawRow, ReadError
from toolkit.readers.sniff import sniff

MAX_BYTES = 200 * 1024 * 1024


def read_document(path: str | Path) -> RawDocument:
    """Any supported file -> RawDocument.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    RawDocument

    Raises
    ------
    ReadError
        For any file that cannot be read, whatever a library raised inside; its message names
        the file. Only MemoryError (a resource limit, not a fact about the file) and ImportError
        (a bug of the toolkit) pass through.
    """
    path = Path(path)
    try:
        return _read(path)
    except ReadError as exc:
        raise exc.naming(path) from exc.__cause__
    except (MemoryError, ImportError):
        raise  # a resource limit, or the toolkit's own bug: not a fact about the file
    except Exception as exc:  # noqa: BLE001 - a library's error on a damaged file is a ReadError
        stage = "sniff" if isinstance(exc, UnicodeError) else "open"
        raise ReadError(f"damaged ({type(exc).__name__}: {exc})", stage=stage).naming(path) from exc


def _read(path: Path) -> RawDocument:
    """Open (regular files only: a FIFO or device is never read), sniff and hand to the reader."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ReadError("no such file", stage="open") from None
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc), stage="open") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError("a directory, not a file", stage="open")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("not a regular file (a FIFO, socket or device); not read", stage="open")
    if st.st_size > MAX_BYTES:
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
    "markdown": _lazy("markdown", "read_markdown"),
    "pdf": _lazy("pdf", "read_pdf"),
    "docx": _lazy("word", "read_docx"),
    "doc": _lazy("word", "read_doc"),
    "rtf": _lazy("word", "read_rtf"),
    "image": _lazy("ocr", "read_image"),
}


__all__ = ["RawDocument", "RawRow", "ReadError", "read_document", "sniff"]
