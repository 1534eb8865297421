"""The command line: exit 0 verified, 1 read but not
verified, 2 unreadable — one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, raw_file


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


BAD = {
    "empty.txt": b"",
    "blank.txt": b"   \n\n\t\n",
    "garbage.bin": bytes(range(256)) * 40,
    "not-a-report.txt": (
        "今天天气很好，我们去公园散步。\n这是一段与政府信息公开无关的文字。\n"
    ).encode(),
    "zip.docx": b"PK\x03\x04" + b"\x00" * 100,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2(name, tmp_path):
    path = tmp_path / name
    path.write_bytes(BAD[name])
    for command in ("cells", "check"):
        result = cli(command, str(path))
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(str(path)), result.stderr
        assert lines[0].count(name) == 1, result.stderr  # the file named once, not twice
        assert "Traceback" not in result.stderr


def test_missing_path_and_directory(tmp_path):
    for target, reason in ((tmp_path / "nope.txt", "no such file"), (tmp_path, "a directory")):
        result = cli("check", str(target))
        assert result.returncode == 2
        assert reason in result.stderr and "Traceback" not in result.stderr


def test_gbk_text_report_is_decoded(tmp_path, corpus):
    text = raw_file("chaoyang-district-2022").read_text(encoding="utf-8")
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gb18030"))
    result = cli("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "北京市朝阳区人民政府 2022 — verified" in result.stdout


def test_cells_csv_header_and_exit_codes(corpus):
    ok = cli("cells", str(raw_file("chaoyang-district-2022")))
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0] == (
        "table,row,col,value,raw,split,page,x0,y0,x1,y1,box_unit,line,char_start,char_end,"
        "element,na_reason"
    )
    assert "applications,unavailable_not_held,total,779,779,," in ok.stdout
    flagged = cli("cells", str(raw_file("pingtan-zone-2020")))
    assert flagged.returncode == 1


def test_show_prints_the_familiar_tables(corpus):
    result = cli("show", str(raw_file("chaoyang-district-2022")))
    assert result.returncode == 0
    assert "1.本机关不掌握相关政府信息" in result.stdout and "2178" in result.stdout
