"""The toolkit's version: the installed package's metadata, else the source tree's
pyproject.toml.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path


def _version() -> str:
    """Installed metadata first; a source checkout that was never installed reads pyproject.toml."""
    try:
        return metadata.version("ogi-toolkit")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
        return found.group(1) if found else "0+unknown"


__version__ = _version()


@cache
def commit() -> str | None:
    """The git commit of the toolkit's source checkout, ``<sha>+dirty`` with uncommitted changes.

    None when the toolkit is not imported from the top of a git checkout (an installed wheel, or a
    copy inside some other repository). Read once per process.
    """
    root = Path(__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        return None
    try:
        sha = _git(root, "rev-parse", "HEAD")
        top = Path(_git(root, "rev-parse", "--show-toplevel")).resolve()
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    if top != root or len(sha) != 40:
        return None
    return sha + ("+dirty" if dirty else "")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10
    )
    return done.stdout.strip()
