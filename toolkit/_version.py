"""The toolkit's version: the installed package's metadata, else the source tree's
pyproject.toml.
"""

from __future__ import annotations

import re
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
