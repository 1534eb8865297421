"""Per-file results keyed by content hash and extraction code: an unchanged corpus is read once.

An entry is one file: a line with the sha256 of the rest and of the source document, a JSON line
(the head: status, meta, the few values cross-report checks need), then the zlib-compressed JSON
body (cells and checks). Writes are atomic and locked; an entry that is missing, partial or fails
its checks is a miss (the file is read again), so the cache can never change a dataset and is safe
to delete at any time.
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


# an entry: MAGIC, the sha256 of the payload, the sha256 of the source, a newline, the payload
MAGIC = b"OGI2"
STATUSES = frozenset({"verified", "repaired", "partial", "inconsistent", "failed"})
LOCK_TIMEOUT = 600.0  # seconds to wait for another build writing the same entry


class Cache:
    """Verified head/body entries under root/<code key>/<sha[:2]>/<sha>; counts hits, misses,
    stores and the entries it discarded.

    An entry is ``OGI2 <sha256 of payload> <sha256 of source>\n`` and the payload: the head as one
    JSON line, then the zlib-compressed JSON body. Reading checks both hashes and the head's shape;
    an entry that fails is discarded (a miss, listed in `discarded`), never trusted.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.dir = self.root / code_key()
        self.hits = self.misses = self.stores = 0
        self.discarded: list[tuple[str, str]] = []  # (sha256, why) of entries that failed to verify

    def path(self, sha256: str) -> Path:
        return self.dir / sha256[:2] / sha256

    def head(self, sha256: str) -> dict | None:
        """The verified head of an entry, or None (missing or damaged); counts a hit or a miss."""
        head, _ = self._read(sha256, body=False)
        if head is None:
            self.misses += 1
            return None
        self.hits += 1
        return head

    def entry(self, sha256: str) -> tuple[dict | None, dict | None]:
        """(head, body) of a verified entry, or (None, None) where it is missing or damaged."""
        return self._read(sha256, body=True)

    def _read(self, sha256: str, *, body: bool) -> tuple[dict | None, dict | None]:
        try:
            data = self.path(sha256).read_bytes()
        except OSError:
            return None, None
        try:
            return parse_entry(data, sha256, body=body)
        except ValueError as exc:
            self.discarded.append((sha256, str(exc)))
            return None, None

    def put(self, sha256: str, head: dict, body: dict | None) -> None:
        """Write an entry atomically (unique temporary file, fsync, rename) under its lock."""
        from filelock import FileLock

        path = self.path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        # one lock per shard folder (not per entry: that would double the cache's files)
        with FileLock(path.parent / ".lock", timeout=LOCK_TIMEOUT):
            write_atomic(path, make_entry(sha256, head, body))
        self.stores += 1


def make_entry(sha256: str, head: dict, body: dict | None) -> bytes:
    """The bytes of an entry: a line naming its payload's and its source's sha256, the payload."""
    payload = _dumps(head) + b"\n" + zlib.compress(_dumps(body or {}), 1)
    digest = hashlib.sha256(payload).hexdigest()
    return MAGIC + f" {digest} {sha256}\n".encode() + payload


def parse_entry(data: bytes, sha256: str, *, body: bool = True) -> tuple[dict, dict | None]:
    """(head, body or None) of an entry's bytes, checked; ValueError saying what is wrong."""
    first, sep, payload = data.partition(b"\n")
    parts = first.split(b" ")
    if not sep or len(parts) != 3 or parts[0] != MAGIC:
        raise ValueError("not an entry of this format (truncated, or written by an older toolkit)")
    if parts[2].decode("ascii", "replace") != sha256:
        raise ValueError("the entry was made from another file")
    if hashlib.sha256(payload).hexdigest() != parts[1].decode("ascii", "replace"):
        raise ValueError("the entry's bytes do not match its checksum (damaged)")
    line, _, packed = payload.partition(b"\n")
    try:
        head = json.loads(line)
        decoded = json.loads(zlib.decompress(packed)) if body else None
    except (ValueError, zlib.error) as exc:  # a checksum of bad bytes: written by a bug
        raise ValueError(f"the entry does not parse ({type(exc).__name__})") from None
    if not isinstance(head, dict) or head.get("status") not in STATUSES:
        raise ValueError("the entry's head is not a result")
    if head["status"] == "failed" and not isinstance(head.get("error"), dict):
        raise ValueError("the entry's failure names no error")
    if body and not isinstance(decoded, dict):
        raise ValueError("the entry's body is not a result")
    return head, decoded


def write_atomic(path: Path, data: bytes) -> None:
    """A uniquely named temporary file beside `path`, fsynced, then a rename: readers see the old
    file or the new one, and two writers never share a temporary file.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
