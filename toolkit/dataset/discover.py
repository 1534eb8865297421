"""Which files a build reads: paths and folders -> Sources (name, content hash, manifest row).

Discovery survives any folder. Only regular files are opened, and each is opened without blocking
and checked again once open, so a FIFO, socket or device is never read; anything else (a symlink
loop, a dangling link, an unreadable file, a folder named like a document) is one error row of
stage ``discover``. File names that are not UTF-8 are kept for opening and stored in the dataset in
an escaped form (:func:`display_name`). A path argument that does not exist is the caller's mistake:
it raises at once.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MANIFEST_NAMES = {"report_year": "year"}
_NO_ROW: dict = {}  # shared by every file without a manifest row (never mutated)
# a folder with one of these suffixes was meant to be a report: say so instead of searching it
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".htm", ".html", ".txt")
DISCOVER_TIMEOUT = 600.0  # seconds the walk over the inputs may take (a hung network mount)
KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(slots=True)
class Source:
    """One input file: its name in the dataset, its content hash, its manifest row, and what pass 1
    kept of it.
    """

    file: str
    path: str
    sha256: str | None = None
    size: int | None = None
    error: tuple[str, str, str] | None = None  # stage, error type, message
    manifest: dict = field(default_factory=dict)
    agency: str | None = None  # the manifest's, else the document's: the key for consecutive years
    year: int | None = None
    cross: array | None = None  # crosscheck.pack of the values consecutive-year checks need

    @property
    def report_id(self) -> str | None:
        return self.sha256[:16] if self.sha256 else None


def display_name(name: str) -> str:
    """A file name as the dataset stores it: bytes that are not UTF-8 written as ``\\xNN``.

    Parameters
    ----------
    name : str
        A name as the OS gave it (undecodable bytes as surrogate escapes).

    Returns
    -------
    str
        Valid UTF-8 text; the same as `name` for every UTF-8 name.
    """
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file system produced
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def discover(paths, manifest=None, *, timeout: float = DISCOVER_TIMEOUT) -> list[Source]:
    """Inputs -> Sources with hashes and manifest rows; a folder with manifest.csv and raw/ is a
    corpus.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files and folders (searched recursively; hidden names skipped).
    manifest : str, Path or DataFrame, optional
        Extra manifest rows, by file name.
    timeout : float
        Seconds the walk may take.

    Returns
    -------
    list of Source
        In the order found; a file that cannot be read carries its error instead of a hash.

    Raises
    ------
    FileNotFoundError
        If a path argument does not exist (a typo must not build an empty dataset).
    TimeoutError
        If the walk takes longer than `timeout`.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    deadline = time.monotonic() + timeout
    found: list[tuple[str, Path, tuple | None]] = []
    manifests = []
    for p in map(Path, paths):
        try:
            os.lstat(p)
        except FileNotFoundError:
            raise FileNotFoundError(f"no such file or folder: {display_name(str(p))}") from None
        root = p / "raw" if (p / "raw").is_dir() and (p / "manifest.csv").is_file() else p
        if root is not p:
            manifests.append(p / "manifest.csv")
        if _is_dir(root):
            found += _walk(root, deadline)
        else:
            found.append((display_name(p.name), p, _refusal(p)))
    clash = {name for name, n in Counter(name for name, _, _ in found).items() if n > 1}
    rows = {}
    for m in manifests + ([manifest] if manifest is not None else []):
        rows |= read_manifest(m)
    sources = []
    for name, path, why in found:
        shown = display_name(str(path)) if name in clash else name
        row = rows.get(display_name(path.name), _NO_ROW)
        src = Source(shown, os.path.abspath(path), manifest=row)
        if why is None:
            _hash(src)
        else:
            src.error = why
        sources.append(src)
    return sources


def _is_dir(p: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(p).st_mode)
    except OSError:
        return False


def _walk(root: Path, deadline: float) -> list[tuple[str, Path, tuple | None]]:
    """Every entry under `root` that is meant as a report: (name relative to root, path, refusal).

    Symlinked folders are not followed (no loops); symlinked files are, when they lead to one.
    """
    out, stack = [], [root]
    while stack:
        if time.monotonic() > deadline:
            raise TimeoutError(f"discovery under {display_name(str(root))} took too long")
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            rel = display_name(folder.relative_to(root).as_posix())
            out.append((rel, folder, ("discover", type(exc).__name__, _why(exc))))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            rel = display_name(path.relative_to(root).as_posix())
            if entry.is_dir(follow_symlinks=False):
                if entry.name.lower().endswith(DOCUMENT_SUFFIXES):
                    why = "a folder named like a document; not searched"
                    out.append((rel, path, ("discover", "IsADirectoryError", why)))
                else:
                    subfolders.append(path)
            elif not (entry.is_symlink() and _is_dir(path)):
                out.append((rel, path, _refusal(path)))
        stack += reversed(subfolders)
    return sorted(out, key=lambda t: t[0])


def _refusal(path: Path) -> tuple[str, str, str] | None:
    """None for a regular file (after symlinks); else (stage, error type, message) saying why."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return ("discover", type(exc).__name__, _why(exc))
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return ("discover", "IsADirectoryError", "a folder given where a file was expected")
    kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return ("discover", "NotARegularFile", f"{kind}, not a regular file; not read")


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _hash(src: Source) -> None:
    """The content hash, read without blocking: a file swapped for a FIFO is refused."""
    try:
        fd = os.open(src.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:  # unreadable (permissions), or gone since the walk
        src.error = ("discover", type(exc).__name__, _why(exc))
        return
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            src.error = _refusal(Path(src.path)) or ("discover", "NotARegularFile", "not a file")
            return
        h = hashlib.sha256()
        try:
            while block := fh.read(1 << 20):
                h.update(block)
        except OSError as exc:
            src.error = ("open", type(exc).__name__, _why(exc))
            return
        src.sha256, src.size = h.hexdigest(), st.st_size


def read_manifest(manifest: str | Path | pd.DataFrame) -> dict[str, dict]:
    """A manifest CSV (file, agency, level, province, region, report_year, sha256 …) -> rows by file
    name.
    """
    df = (
        manifest
        if isinstance(manifest, pd.DataFrame)
        else pd.read_csv(manifest, dtype=str, keep_default_na=False)
    )
    if "file" not in df.columns:
        raise ValueError(
            f"a manifest needs a 'file' column; this one has {', '.join(map(str, df.columns))}"
        )
    df = df.rename(columns=MANIFEST_NAMES)
    out = {}
    for rec in df.astype(object).to_dict("records"):
        row = {
            k: (str(v).strip() or None) if v is not None and v == v else None
            for k, v in rec.items()
            if k in ("agency", "level", "province", "region", "year", "sha256")
        }
        if row.get("year"):
            if not row["year"].removesuffix(".0").isdigit():
                raise ValueError(
                    f"manifest row {rec['file']}: report_year {row['year']!r} is not a year"
                )
            row["year"] = int(row["year"].removesuffix(".0"))
        out[Path(str(rec["file"])).name] = row
    return out
