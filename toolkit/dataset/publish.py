"""Publishing a dataset folder as one transaction: one writer at a time, staged, verified, swapped.

A build writes every table into a fresh staging folder beside ``out`` (``.NAME.staging-<id>``),
checks every file against the ``datapackage.json`` it wrote, and only then swaps the staging folder
and ``out`` in one atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames,
with the old folder kept beside until the new one is in place). A build killed at any instant leaves
either the old complete dataset or the new one. An advisory lock (``.NAME.lock`` beside ``out``,
through `filelock`) makes concurrent builds of one folder take turns; whoever holds it removes the
staging folders of builds that died.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

LOCK_WAIT = 3600.0  # seconds a build waits for another one writing the same folder
NOTICE_AFTER = 1.0  # seconds of waiting before saying so on stderr
STAGING = ".{name}.staging-"
RETIRED = ".{name}.old-"


@contextlib.contextmanager
def locked(out: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the advisory lock of the dataset folder `out` (waiting, with a message, if taken).

    Parameters
    ----------
    out : Path
        The dataset folder (it need not exist; the lock file lives beside it).
    wait : float
        Seconds to wait for another build before giving up.

    Raises
    ------
    TimeoutError
        If another build holds the folder for longer than `wait`.
    """
    from filelock import FileLock, Timeout

    out.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out.parent / f".{out.name}.lock")
    try:
        lock.acquire(timeout=NOTICE_AFTER)
    except Timeout:
        print(f"waiting for another build writing {out} to finish …", file=sys.stderr, flush=True)
        try:
            lock.acquire(timeout=max(0.0, wait - NOTICE_AFTER))
        except Timeout:
            raise TimeoutError(f"another build has held {out} for over {wait:g} s") from None
    try:
        yield
    finally:
        lock.release()


def staging(out: Path) -> Path:
    """A new, uniquely named, empty folder beside `out` to write the next version into.

    Call it with the lock held: staging folders left by builds that died are removed first.
    """
    clean_stale(out)
    folder = out.parent / (STAGING.format(name=out.name) + uuid.uuid4().hex[:12])
    folder.mkdir()
    return folder


def clean_stale(out: Path) -> list[Path]:
    """Remove the staging and retired folders beside `out` (only a dead build leaves them, since a
    live one holds the lock); restore a retired version if a fallback swap died half-way.
    """
    prefixes = (STAGING.format(name=out.name), RETIRED.format(name=out.name))
    beside = out.parent.iterdir() if out.parent.is_dir() else []
    stale = sorted(p for p in beside if p.name.startswith(prefixes))
    retired = [p for p in stale if p.name.startswith(prefixes[1])]
    if retired and not out.exists():
        os.rename(retired[-1], out)  # the old version, put back where it was
        stale.remove(retired[-1])
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return stale


def swap(new: Path, out: Path, keep: frozenset[str] = frozenset()) -> None:
    """Put the verified folder `new` in place of `out` atomically, then remove the old version.

    Entries of `out` that no build writes (a README a person put there) are carried over first; a
    folder that holds other things but no ``datapackage.json`` is refused rather than replaced.

    Parameters
    ----------
    new : Path
        The staged, verified folder (beside `out`, on the same file system).
    out : Path
        The dataset folder to replace (or create).
    keep : frozenset of str
        The names a build writes: not carried over from the old version.

    Raises
    ------
    FileExistsError
        If `out` is not a folder, or holds files but no ``datapackage.json``.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise FileExistsError(f"{out} is not a folder; refusing to replace it with a dataset")
    if out.is_dir():
        entries = list(out.iterdir())
        if entries and not (out / "datapackage.json").is_file():
            raise FileExistsError(
                f"{out} holds files but no datapackage.json: not a dataset folder; "
                "refusing to replace it (choose an empty or new --out)"
            )
        for p in entries:  # whatever a person added: carried over, never lost with the old version
            if p.name not in keep:
                if p.is_dir() and not p.is_symlink():
                    shutil.copytree(p, new / p.name, symlinks=True)
                else:
                    shutil.copy2(p, new / p.name, follow_symlinks=False)
        _fsync_dir(new)
        if _exchange(new, out):
            shutil.rmtree(new)  # `new` now names the old version
            return
        retired = out.parent / (RETIRED.format(name=out.name) + new.name.rsplit("-", 1)[-1])
        os.rename(out, retired)  # killed here: clean_stale puts the old version back
        os.rename(new, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        _fsync_dir(new)
        os.rename(new, out)
    _fsync_dir(out.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    """Make a folder's entries durable (a rename survives a power cut)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
