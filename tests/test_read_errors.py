"""The error contract of the Python API: `read_report` on a damaged document raises `ReadError`
(naming the file) and nothing else, whatever the library underneath met.

Hypothesis damages real-format files of every reader (DOCX, DOC/WPS through LibreOffice, PDF,
HTML, text): truncated, bytes flipped, a span overwritten or cut out.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from conftest import raw_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import ReadError, read_report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@st.composite
def damage(draw, data: bytes) -> bytes:
    """`data` truncated, with bytes flipped, a span overwritten with noise, or a span cut out."""
    n = len(data)
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "cut"]))
    if kind == "truncate":
        return data[: draw(st.integers(1, n - 1))]
    out = bytearray(data)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            pos = draw(st.integers(0, n - 1))
            out[pos] ^= 1 << draw(st.integers(0, 7))
        return bytes(out)
    start = draw(st.integers(0, n - 2))
    end = draw(st.integers(start + 1, min(n, start + 4096)))
    if kind == "overwrite":
        out[start:end] = draw(st.binary(min_size=end - start, max_size=end - start))
        return bytes(out)
    return bytes(out[:start] + out[end:])


def assert_only_read_error(path: Path) -> None:
    """A Report, or a ReadError whose message names the file: never another exception."""
    try:
        read_report(path)
    except ReadError as exc:
        assert path.name in str(exc), str(exc)
        assert exc.reason and exc.reason in str(exc)


def docx_bytes() -> bytes:
    from toolkit.testing.render import random_cells, render

    return render(random_cells(3), to="docx")


SAMPLES = {
    "txt": lambda: raw_file("chaoyang-district-2022").read_bytes(),
    "html": lambda: next(
        p for p in raw_file("chaoyang-district-2022").parent.glob("*.html")
    ).read_bytes(),
    "pdf": lambda: raw_file("huaian-city-2024").read_bytes(),
    "docx": docx_bytes,
}


@pytest.mark.corpus
@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_a_damaged_document_raises_read_error_or_reads(suffix, tmp_path_factory):
    data = SAMPLES[suffix]()
    folder = tmp_path_factory.mktemp(f"damaged-{suffix}")

    @settings(
        max_examples=12 if suffix in ("txt", "html", "docx") else 6,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(damage(data))
    def check(bad: bytes) -> None:
        path = folder / f"damaged report.{suffix}"
        path.write_bytes(bad)
        assert_only_read_error(path)

    check()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("target", ["doc", "wps"])
def test_a_damaged_doc_or_wps_raises_read_error_or_reads(target, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"damaged-{target}")
    (folder / "report.docx").write_bytes(docx_bytes())
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(folder / 'lo').as_uri()}", "--headless"]
        + ["--convert-to", "doc", "--outdir", str(folder), str(folder / "report.docx")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    data = (folder / "report.doc").read_bytes()

    @settings(max_examples=2, deadline=None, derandomize=True, database=None)
    @given(damage(data))
    def check(bad: bytes) -> None:
        path = folder / f"damaged.{target}"  # a WPS file is an OLE file like a .doc
        path.write_bytes(bad)
        assert_only_read_error(path)

    check()


def test_the_zip_errors_that_escaped_are_read_errors(tmp_path):
    """The two exceptions that escaped before: zlib.error from a damaged deflate stream and a
    UnicodeDecodeError from a damaged zip directory."""
    data = docx_bytes()
    info = zipfile.ZipFile(BytesIO(data)).getinfo("word/document.xml")
    body = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + 60):
        body[k] ^= 0xFF  # the deflated XML, not its CRC: zlib fails first
    (tmp_path / "deflate.docx").write_bytes(bytes(body))
    names = bytearray(data)
    at = data.rindex(b"word/document.xml")  # the name in the central directory
    names[at : at + 4] = b"\xff\xfe\xfd\xfc"
    (tmp_path / "names.docx").write_bytes(bytes(names))
    for name in ("deflate.docx", "names.docx"):
        with pytest.raises(ReadError, match=name.replace(".", r"\.")):
            read_report(tmp_path / name)
