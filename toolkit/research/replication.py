"""What a reader needs to replicate a result: which toolkit, which commit, which data, which
libraries. Notebooks print it in their first cell."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from toolkit import _version
from toolkit._version import __version__

LIBRARIES = ("pandas", "numpy", "pyarrow", "matplotlib")


def commit() -> str | None:
    """The git commit of the toolkit's source checkout ("<sha>+dirty" with uncommitted changes).

    Returns
    -------
    str or None
        None when the toolkit is not imported from a git checkout (e.g. installed from a wheel).

    Examples
    --------
    >>> commit()
    """
    return _version.commit()


def dataset_sha256(path: str | Path) -> str:
    """sha256 of a dataset folder's ``datapackage.json``, which holds the sha256 of every file of
    the dataset: one hash that pins the whole dataset.

    Parameters
    ----------
    path : str or Path
        The dataset folder (e.g. ``data/processed``).

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``datapackage.json``.

    Examples
    --------
    >>> dataset_sha256("data/processed")[:12]
    """
    package = Path(path) / "datapackage.json"
    if not package.is_file():
        raise FileNotFoundError(f"no datapackage.json in {path}: not a dataset folder")
    return hashlib.sha256(package.read_bytes()).hexdigest()


def provenance(data: str | Path | None = None) -> pd.Series:
    """Toolkit version, commit, the dataset's hash and the versions of Python and the libraries.

    Parameters
    ----------
    data : str or Path, optional
        The dataset folder the analysis reads; its ``datapackage.json`` is hashed.

    Returns
    -------
    pandas.Series
        ``toolkit``, ``commit`` (None outside a git checkout), ``dataset``, ``dataset_sha256``,
        ``python``, ``platform`` and one entry per library of :data:`LIBRARIES`.

    Raises
    ------
    FileNotFoundError
        If `data` is given and holds no ``datapackage.json``.

    Examples
    --------
    >>> from toolkit import replication
    >>> replication.provenance("data/processed")
    """
    out = {"toolkit": __version__, "commit": commit()}
    if data is not None:
        out |= {"dataset": str(data), "dataset_sha256": dataset_sha256(data)}
    out |= {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return pd.Series(out, name="provenance", dtype=object)
