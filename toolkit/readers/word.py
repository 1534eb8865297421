"""Word files: DOCX body in order (paragraphs and tables interleaved); legacy .doc/.wps through
LibreOffice.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from toolkit.readers.base import RawDocument, RawRow, ReadError, Where
from toolkit.readers.html import carried_down, norm_text, spread_blanks

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ANCHOR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}anchor"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_RATIO = 100  # deflated XML of a real report is ~5-20x; a bomb is 1000x
RATIO_FLOOR = 5 * 1024 * 1024  # small parts may compress as well as they like
SKIPPED = frozenset(
    {f"{W}del", f"{W}moveFrom", MC_FALLBACK}
)  # deleted text; the duplicate of a textbox
CONVERT_TIMEOUT = 120.0
MANY_BOXES = 10  # floating text boxes that, holding most of the text, make a page drawn box by box


def read_docx(path: str | Path, *, data: bytes | None = None) -> RawDocument:
    """Read a DOCX into rows: each paragraph line one row, each table row its cells."""
    raw = Path(path).read_bytes() if data is None else data
    check_archive(raw)
    body = _open_body(raw)
    check_flowing(body)
    walker = _Body()
    walker.blocks(body)
    return RawDocument(str(path), "docx", tuple(walker.rows))


def read_doc(
    path: str | Path, *, data: bytes | None = None, timeout: float = CONVERT_TIMEOUT
) -> RawDocument:
    """Read a legacy .doc or Kingsoft .wps (OLE2) by converting it to DOCX with LibreOffice."""
    raw = Path(path).read_bytes() if data is None else data
    docx = convert_to_docx(raw, timeout=timeout)
    doc = read_docx(path, data=docx)
    return dataclasses.replace(
        doc, reader="doc", notes=doc.notes + ("converted to DOCX by LibreOffice",)
    )


def read_rtf(
    path: str | Path, *, data: bytes | None = None, timeout: float = CONVERT_TIMEOUT
) -> RawDocument:
    """Read an RTF file (sites often publish one under a .doc name) by converting it to DOCX with
    LibreOffice.
    """
    raw = Path(path).read_bytes() if data is None else data
    doc = read_docx(path, data=convert_to_docx(raw, timeout=timeout, suffix=".rtf"))
    return dataclasses.replace(
        doc, reader="rtf", notes=doc.notes + ("converted to DOCX by LibreOffice",)
    )


def check_archive(data: bytes) -> None:
    """Refuse what is not a DOCX zip, and zip bombs, before any part is decompressed."""
    try:
        infos = zipfile.ZipFile(BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise ReadError(
            "not a zip archive, so not a DOCX (a .docx is a zip of XML parts)"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise ReadError(
            f"a zip archive of {len(infos)} members (more than {MAX_MEMBERS}): not a report"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED:
        raise ReadError(
            f"a zip bomb: {total} bytes uncompressed (more than {MAX_UNZIPPED // 2**20} MiB)"
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise ReadError(
                f"a zip bomb: {info.filename} expands {ratio}x to {info.file_size} bytes"
            )
    if "word/document.xml" not in {i.filename for i in infos}:
        raise ReadError("a zip archive without word/document.xml: not a Word document")


def check_flowing(body) -> None:
    """Refuse a document drawn as floating text boxes (what a PDF-to-Word converter makes of each
    page).

    Each box is placed by coordinates on its page, and the file keeps them in drawing order: numbers
    may come before their labels, and several pages share one anchor, so no reading order can be
    had.
    """
    boxes = [
        a
        for a in body.iter(ANCHOR)
        if a.find(f".//{W}txbxContent") is not None and not _skipped(a, body)
    ]
    if len(boxes) < MANY_BOXES:
        return
    inside = sum(len(t.text or "") for a in boxes for t in a.iter(f"{W}t"))
    total = sum(len(t.text or "") for t in body.iter(f"{W}t") if not _skipped(t, body))
    if inside > total / 2:
        raise ReadError(
            f"the text is laid out in {len(boxes)} floating text boxes (a PDF converted to Word?): "
            "their order in the file is not the reading order, so the tables cannot be read; "
            "read the original PDF instead"
        )


def _open_body(data: bytes):
    """The document's <w:body>, parsed by python-docx (which resolves no external entities)."""
    import docx
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        return docx.Document(BytesIO(data)).element.body
    except (
        KeyError,
        ValueError,
        EOFError,
        zlib.error,
        LxmlError,
        zipfile.BadZipFile,
        OpcError,
    ) as exc:
        raise ReadError(f"a damaged DOCX ({type(exc).__name__}: {exc})") from None


class _Body:
    """Walks block content (body, cell, content control) emitting prose and table rows in order."""

    def __init__(self) -> None:
        self.rows: list[RawRow] = []
        self.tables = 0

    def blocks(self, parent) -> None:
        for child in parent:
            tag = child.tag
            if tag == f"{W}p":
                self.rows += [RawRow((line,)) for line in paragraph_text(child).split("\n") if line]
            elif tag == f"{W}tbl":
                self.table(child)
            elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}moveTo"):
                self.blocks(child)

    def table(self, tbl) -> None:
        """Data rows become RawRows; a row whose cells hold tables is layout: its cells are walked
        as blocks.
        """
        index: int | None = None
        carry: dict[int, str] = {}
        origins: dict[int, object] = {}  # the <w:tc> a vertically merged cell's text is in
        for tr in _children(tbl, "tr"):
            cells = _children(tr, "tc")
            if any(tc.find(f".//{W}tbl") is not None for tc in cells):
                for tc in cells:
                    self.blocks(tc)
                continue
            if index is None:
                index, self.tables = self.tables, self.tables + 1
            sources: list = []
            texts = tuple(grid_row(tr, cells, carry, sources, origins))
            paths = tuple(Where(path=tc.getroottree().getpath(tc)) for tc in sources)
            self.rows.append(RawRow(texts, table=index, where=paths))


def grid_row(
    tr, cells: list, carry: dict[int, str], sources: list | None = None, origins=None
) -> list[str]:
    """One <w:tr> -> cell strings: gridSpan expanded only for blanks, vMerge continuations carry
    labels down. `sources`, where given, receives the <w:tc> of each string (`origins` remembers
    where a vertical merge began).
    """
    out: list[str] = []
    origins = {} if origins is None else origins
    col = _int(tr.find(f"{W}trPr/{W}gridBefore"), low=0)
    for tc in cells:
        span = _int(tc.find(f"{W}tcPr/{W}gridSpan"), low=1)
        merge = _vmerge(tc)
        text = carry.get(col, "") if merge == "continue" else cell_text(tc)
        el = origins.get(col, tc) if merge == "continue" else tc
        if merge == "restart":
            carry[col], origins[col] = carried_down(text), tc
        elif merge is None:
            carry.pop(col, None)
        spread = spread_blanks(text, span)
        out.extend(spread)
        if sources is not None:
            sources.extend([el] * len(spread))
        col += span
    return out


def cell_text(tc) -> str:
    """A cell's paragraphs (and line breaks), one line each."""
    lines = [paragraph_text(p) for p in _children(tc, "p")]
    return "\n".join(line for text in lines for line in text.split("\n") if line)


def paragraph_text(p) -> str:
    """Runs' text with tabs as spaces and breaks as newlines; deleted text and textbox fallbacks
    left out.
    """
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen", f"{W}p"):
        if el is p or _skipped(el, p):
            continue
        tag = el.tag
        if tag == f"{W}t":
            parts.append(el.text or "")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        elif tag in (f"{W}tab",):
            parts.append(" ")
        else:
            parts.append("\n")  # a break, or a paragraph nested in a textbox
    return "\n".join(norm_text(line) for line in "".join(parts).split("\n")).strip("\n")


def _skipped(el, stop) -> bool:
    """Whether an element lies in deleted text or a compatibility fallback below `stop`."""
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag in SKIPPED:
            return True
    return False


def _children(el, name: str) -> list:
    """Direct <w:name> children, looking through content controls and custom XML wrappers."""
    out = []
    for child in el:
        if child.tag == f"{W}{name}":
            out.append(child)
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            out += _children(child, name)
    return out


def _vmerge(tc) -> str | None:
    """'restart', 'continue' (a w:vMerge without a value continues) or None."""
    el = tc.find(f"{W}tcPr/{W}vMerge")
    if el is None:
        return None
    return "restart" if el.get(f"{W}val") == "restart" else "continue"


def _int(el, *, low: int) -> int:
    """A w:val count, bounded (a huge span is a typo or an attack); `low` when absent or
    unreadable.
    """
    try:
        return max(low, min(int(el.get(f"{W}val")), 1000)) if el is not None else low
    except (TypeError, ValueError):
        return low


def convert_to_docx(
    data: bytes, *, timeout: float = CONVERT_TIMEOUT, suffix: str = ".doc"
) -> bytes:
    """OLE2 Word/WPS (or RTF) bytes -> DOCX bytes via `soffice --headless` in a private profile;
    killed on timeout.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReadError(
            "reading .doc/.wps/.rtf needs LibreOffice (the `soffice` program), "
            "which is not installed; "
            "install it with `apt-get install libreoffice-writer`",
            stage="convert",
        )
    with tempfile.TemporaryDirectory(prefix="ogi-doc-") as tmp:
        src, out = Path(tmp, "source" + suffix), Path(tmp, "out")
        src.write_bytes(
            data
        )  # named .doc: LibreOffice would try the MS Works filter on a .wps name
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ]
        code, err = _run(cmd, timeout, env=os.environ | {"HOME": tmp})
        result = out / "source.docx"
        if not result.exists():
            raise ReadError(_why_not(data, code, err, suffix), stage="convert")
        return result.read_bytes()


def _run(cmd: list[str], timeout: float, env: dict) -> tuple[int, str]:
    """Run in a new process group so that a timeout kills soffice and every child it started."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ReadError(
            f"LibreOffice did not convert the file within {timeout:g} s", stage="convert"
        ) from None
    return proc.returncode, err.decode("utf-8", "replace").strip()


def _why_not(data: bytes, code: int, err: str, suffix: str = ".doc") -> str:
    if suffix == ".rtf":
        return (
            f"LibreOffice could not convert this RTF file to DOCX (exit {code}: {_last_line(err)})"
        )
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "a password-protected Office document: LibreOffice cannot convert it"
    if "WordDocument".encode("utf-16-le") not in data:
        return (
            "an OLE2 file with no WordDocument stream (an Excel/PowerPoint file?): "
            "not a Word report"
        )
    return f"LibreOffice could not convert it to DOCX (exit {code}: {_last_line(err)})"


def _last_line(err: str) -> str:
    return err.splitlines()[-1] if err else "no message"
