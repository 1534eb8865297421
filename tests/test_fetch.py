"""fetch: a manifest's files downloaded from a local server
(127.0.0.1 only), verified, retried, never half-written."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.dataset.fetch import fetch

FILES = {
    "/good.txt": "2022年度政府信息公开工作年度报告\n".encode(),
    "/flaky.html": b"<html><p>flaky</p></html>",
    "/corrupt.pdf": b"%PDF-1.4 served",
    "/gone.docx": b"",
}


class Handler(BaseHTTPRequestHandler):
    """good: 200; flaky: 503 twice, then 200; corrupt:
    different bytes than the manifest's hash; gone: 404."""

    hits: Counter = Counter()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.hits[self.path] += 1
        if self.path == "/flaky.html" and Handler.hits[self.path] <= 2:
            return self._send(503, b"busy")
        if self.path == "/gone.docx" or self.path not in FILES:
            return self._send(404, b"not here")
        body = FILES[self.path] + (b" (tampered)" if self.path == "/corrupt.pdf" else b"")
        self._send(200, body)

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.hits.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def manifest(base: str) -> pd.DataFrame:
    rows = [
        (name.lstrip("/"), f"{base}{name}", hashlib.sha256(data).hexdigest())
        for name, data in FILES.items()
    ]
    rows.append(("offline.txt", "", hashlib.sha256(b"x").hexdigest()))
    return pd.DataFrame(rows, columns=["file", "download_url", "sha256"]).assign(
        url="https://example.gov.cn/page.html"
    )


def test_fetch_verifies_retries_and_reports_each_file(server, tmp_path):
    out = tmp_path / "raw"
    res = fetch(manifest(server), out, retries=2, backoff=0.01).set_index("file")
    assert res.status.to_dict() == {
        "good.txt": "fetched",
        "flaky.html": "fetched",
        "corrupt.pdf": "failed",
        "gone.docx": "failed",
        "offline.txt": "skipped",
    }
    assert res.attempts.to_dict() == {
        "good.txt": 1,
        "flaky.html": 3,
        "corrupt.pdf": 3,
        "gone.docx": 1,
        "offline.txt": 0,
    }
    assert res.loc["corrupt.pdf", "message"].startswith(
        f"checksum mismatch: expected {hashlib.sha256(b'%PDF-1.4 served').hexdigest()}"
    )
    assert res.loc["gone.docx", "message"] == "HTTP 404 Not Found"
    assert (out / "good.txt").read_bytes() == FILES["/good.txt"]
    assert (out / "flaky.html").read_bytes() == FILES["/flaky.html"]
    assert sorted(p.name for p in out.iterdir()) == [
        "flaky.html",
        "good.txt",
    ]  # nothing half-written, no temp files
    again = fetch(manifest(server), out, retries=0).set_index("file")
    assert again.loc[["good.txt", "flaky.html"], "status"].tolist() == ["present", "present"]
    assert Handler.hits["/good.txt"] == 1


def test_fetch_command_exits_1_when_a_file_failed(server, tmp_path, capsys):
    path = tmp_path / "manifest.csv"
    m = manifest(server)
    m[m.file.isin(["good.txt", "offline.txt"])].to_csv(path, index=False)
    assert main(["fetch", "--manifest", str(path), "--out", str(tmp_path / "raw")]) == 0
    assert "1 fetched, 0 present, 1 skipped, 0 failed" in capsys.readouterr().out
    m.to_csv(path, index=False)
    assert (
        main(["fetch", "--manifest", str(path), "--out", str(tmp_path / "raw"), "--retries", "0"])
        == 1
    )
    assert "failed   gone.docx: HTTP 404 Not Found" in capsys.readouterr().out


def test_fetch_names_missing_columns(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        fetch(pd.DataFrame({"file": ["a"]}), tmp_path)


def test_fetch_refuses_other_schemes(tmp_path):
    m = pd.DataFrame(
        {"file": ["a.txt"], "download_url": [Path("/etc/hostname").as_uri()], "sha256": [""]}
    )
    assert fetch(m, tmp_path).status.tolist() == ["failed"]
