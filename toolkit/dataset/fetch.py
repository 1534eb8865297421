"""Download the reports a manifest lists, each checked against its sha256, with retries; never a
half-written file.
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from toolkit.dataset.cache import write_atomic

USER_AGENT = "ogi-toolkit-fetch/0.1 (+research; open government information annual reports)"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
RESULT_COLUMNS = ["file", "url", "status", "attempts", "message"]


class FetchError(Exception):
    """A download that failed in a way worth retrying (network, server error, wrong checksum)."""


class PermanentError(Exception):
    """A failure retrying cannot fix (404, 403 …)."""


def fetch(
    manifest: str | Path | pd.DataFrame,
    out: str | Path,
    *,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
) -> pd.DataFrame:
    """Each manifest row -> out/<file> from its download_url (else url); one result row each:
    fetched/present/skipped/failed.
    """
    df = (
        manifest
        if isinstance(manifest, pd.DataFrame)
        else pd.read_csv(manifest, dtype=str, keep_default_na=False)
    )
    link = "download_url" if "download_url" in df.columns else "url"
    missing = {"file", link, "sha256"} - set(df.columns)
    if missing:
        raise ValueError(
            f"the manifest lacks column(s) {', '.join(sorted(missing))}; "
            f"it has {', '.join(df.columns)}"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df = df.fillna("")
    rows = [
        fetch_one(
            rec["file"],
            rec[link],
            rec["sha256"],
            out,
            retries=retries,
            timeout=timeout,
            backoff=backoff,
        )
        for rec in df.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def fetch_one(
    file: str, url: str, sha256: str, out: Path, *, retries: int, timeout: float, backoff: float
) -> dict:
    """One file: skip it if present with the right hash, else download with retries and verify
    before renaming.
    """
    row = {"file": file, "url": url or None, "attempts": 0}
    target = out / Path(file).name
    if target.is_file() and sha256 and _sha256(target.read_bytes()) == sha256.lower():
        return row | {"status": "present", "message": "already here with the right checksum"}
    if not url:
        return row | {"status": "skipped", "message": "no download URL in the manifest"}
    if not url.startswith(("http://", "https://")):
        return row | {"status": "failed", "message": f"not an http(s) URL: {url}"}
    for attempt in range(1, retries + 2):
        row["attempts"] = attempt
        try:
            data = _download(url, timeout)
            if sha256 and _sha256(data) != sha256.lower():
                raise FetchError(
                    f"checksum mismatch: expected {sha256.lower()}, got {_sha256(data)}"
                )
            write_atomic(target, data)
            return row | {
                "status": "fetched",
                "message": f"{len(data)} bytes" + ("" if sha256 else ", no checksum to verify"),
            }
        except FetchError as exc:
            message = str(exc)
        except PermanentError as exc:
            return row | {"status": "failed", "message": str(exc)}
        if attempt <= retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    return row | {"status": "failed", "message": message}


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in RETRY_STATUS:
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
        raise PermanentError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise FetchError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def summary(results: pd.DataFrame) -> str:
    counts = results.status.value_counts()
    return ", ".join(
        f"{int(counts.get(k, 0))} {k}" for k in ("fetched", "present", "skipped", "failed")
    )
