"""Per-file results keyed by content hash and extraction code: an unchanged corpus is read once.

An entry is one file: a JSON line (the head: status, meta, the few values cross-report checks need),
then the zlib-compressed JSON body (cells and checks). Writes are atomic; a missing, partial or
unreadable entry is a miss, so the whole cache is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

# third-party libraries whose version can change what a reader extracts
DEPENDENCIES = (
    "pandas",
    "charset-normalizer",
    "lxml",
    "python-docx",
    "camelot-py",
    "pypdfium2",
    "pdfplumber",
    "rapidocr",
    "onnxruntime",
)


def default_dir() -> Path:
    """$OGI_CACHE, else the user's cache folder: outside the repository, shared by every build."""
    if os.environ.get("OGI_CACHE"):
        return Path(os.environ["OGI_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ogi-toolkit"


# the parts of the package whose code or data decide what a document reads as; research, the
# CLI and the dataset layer only arrange results, so editing them keeps every cache entry
EXTRACTION = ("schema", "normalize.py", "readers", "extract")


def extraction_files(package: Path) -> list[Path]:
    """The source and data files of the extraction layers under `package` (the toolkit folder)."""
    files = []
    for part in EXTRACTION:
        top = package / part
        found = [top] if top.is_file() else top.rglob("*")
        files += [p for p in found if p.suffix in (".py", ".csv") and "__pycache__" not in p.parts]
    return sorted(files)


def source_hash(package: Path) -> str:
    """sha256 of the extraction layers' files (names and bytes) under `package`."""
    h = hashlib.sha256()
    for path in extraction_files(package):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """Toolkit version + a hash of the extraction code and the reader libraries' versions.

    Only what can change a document's reading counts: `schema/`, `normalize.py`, `readers/`,
    `extract/`, the libraries in DEPENDENCIES and the LibreOffice binary used for .doc/.wps.
    """
    from toolkit._version import __version__

    h = hashlib.sha256(source_hash(Path(__file__).resolve().parents[1]).encode())
    for dist in DEPENDENCIES:
        h.update(f"{dist}={_version(dist)}\0".encode())
    h.update(f"soffice={_soffice()}".encode())
    return f"{__version__}-{h.hexdigest()[:12]}"


def _soffice() -> str:
    """Which LibreOffice converts .doc/.wps: its binary's size and time stand for its version."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        return "none"
    st = Path(found).resolve().stat()
    return f"{st.st_size}:{int(st.st_mtime)}"


KEY_NAME = re.compile(r"^\d+\.\d+\.\d+\S*-[0-9a-f]{12}$")  # what code_key() names a folder


def prune(root: str | Path) -> tuple[int, int]:
    """Delete the entries other versions of the code left under `root`.

    Returns (folders removed, bytes freed).

    Only folders named like a code key are touched, never the current one; run it when no build
    of another checkout is using the same cache (its entries would be read again, not corrupted).
    """
    root, removed, freed = Path(root), 0, 0
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir() and KEY_NAME.match(folder.name) and folder.name != code_key():
            freed += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed, freed


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


class Cache:
    """Head/body entries under root/<code key>/<sha[:2]>/<sha>; counts hits, misses and stores."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.dir = self.root / code_key()
        self.hits = self.misses = self.stores = 0

    def path(self, sha256: str) -> Path:
        return self.dir / sha256[:2] / sha256

    def head(self, sha256: str) -> dict | None:
        """The head of an entry (no body decoded), or None; counts a hit or a miss."""
        try:
            with self.path(sha256).open("rb") as fh:
                head = json.loads(fh.readline())
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return head

    def entry(self, sha256: str) -> tuple[dict | None, dict | None]:
        """(head, body) of an entry in one read, or (None, None) where it is missing or damaged."""
        try:
            data = self.path(sha256).read_bytes()
            cut = data.index(b"\n")
            return json.loads(data[:cut]), json.loads(zlib.decompress(data[cut + 1 :]))
        except (OSError, ValueError, zlib.error):
            return None, None

    def put(self, sha256: str, head: dict, body: dict | None) -> None:
        """Write an entry atomically (temporary file + rename): a crash leaves no partial entry."""
        path = self.path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(
            path, _dumps(head) + b"\n" + zlib.compress(_dumps(body or {}), 1), durable=False
        )
        self.stores += 1


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """A temporary file beside `path`, then a rename: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if (
                durable
            ):  # survives a power cut too (a cache entry need not: it is checked on reading)
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
