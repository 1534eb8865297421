"""read_corpus: many files in, one Dataset out; bad
files are rows of `errors`; the cache does the rerun."""

from __future__ import annotations

import functools
import hashlib
import os
import random
import re
import shutil
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from conftest import raw_file, truth, truth_stems

import toolkit
from toolkit.dataset import crosscheck, store
from toolkit.dataset.pool import Failure, robust_map
from toolkit.schema.fields import format_value

TEXT_STEMS = [
    "chaoyang-district-2022",
    "pingtan-zone-2021",
    "pingtan-zone-2022",
    "pingtan-zone-2020",
]


# ---- hostile files, made here (nothing is committed) ---------------------------------------------


def _png() -> bytes:
    """A valid 8x8 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def _pdf(path: Path, *, password: str | None = None) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption(password, canPrint=0) if password else None
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(100, 700, "hello")
    c.save()
    return path.read_bytes()


def make_hostile(folder: Path) -> dict[str, str]:
    """Empty, truncated, encrypted, an image named .pdf, random
    bytes, a non-report, a page with no tables -> stage."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.pdf").write_bytes(b"")
    whole = _pdf(folder / "truncated.pdf")
    (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    _pdf(folder / "encrypted.pdf", password="secret")
    (folder / "image-renamed.pdf").write_bytes(_png())
    (folder / "random.docx").write_bytes(random.Random(0).randbytes(4096))
    (folder / "shopping-list.txt").write_text("购物清单\n苹果 3 个\n香蕉 2 根\n", encoding="utf-8")
    (folder / "no-tables.html").write_text(
        "<!doctype html><html><head><title>新闻</title></head>"
        "<body><p>今天天气晴。</p></body></html>",
        encoding="utf-8",
    )
    return {
        "empty.pdf": "sniff",
        "truncated.pdf": "open",
        "encrypted.pdf": "open",
        "image-renamed.pdf": "match",
        "random.docx": "sniff",
        "shopping-list.txt": "match",
        "no-tables.html": "match",
    }


def cell_strings(ds: toolkit.Dataset, report_id: str) -> dict[tuple, str]:
    c = ds.cells[ds.cells.report_id == report_id]
    return {(t, r, k): format_value(v) for t, r, k, v in zip(c.table, c.row, c["col"], c.value)}


def truth_strings(stem: str) -> dict[tuple, str]:
    t = truth(stem)
    return {(a, b, c): v for a, b, c, v in zip(t.table, t.row, t["col"], t.value)}


# ---- the whole corpus plus hostile files, built once ---------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """build(raw + hostile) twice with one cache: (first
    stats, second stats, out1, out2, hostile stages)."""
    from conftest import corpus_path

    corpus = corpus_path()
    tmp = tmp_path_factory.mktemp("corpus")
    stages = make_hostile(tmp / "hostile")
    paths = [corpus / "raw", tmp / "hostile"]
    opts = {"manifest": corpus / "manifest.csv", "cache": tmp / "cache", "progress": False}
    first = store.build(paths, tmp / "out1", **opts)
    second = store.build(paths, tmp / "out2", **opts)
    return first, second, tmp / "out1", tmp / "out2", stages


@pytest.mark.corpus
@pytest.mark.slow
def test_every_hostile_file_is_one_error_row_and_the_batch_completes(built):
    first, _, out, _, stages = built
    ds = toolkit.load_dataset(out)
    assert sorted(ds.errors.file) == sorted(stages)
    assert dict(zip(ds.errors.file, ds.errors.stage)) == stages
    assert ds.errors.set_index("file").loc["empty.pdf", "message"] == "the file is empty"
    assert first["files"] == 40 + len(stages) and first["reports"] == 40 + len(stages)
    assert first["failed"] == len(stages)
    failed = ds.reports[ds.reports.status == "failed"]
    assert sorted(failed.file) == sorted(stages) and (failed.n_cells == 0).all()


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("stem", truth_stems())
def test_good_reports_cells_equal_their_truth(built, stem):
    ds = toolkit.load_dataset(built[2])
    rep = ds.reports[ds.reports.file == raw_file(stem).name]
    assert len(rep) == 1
    if rep.status.iloc[0] == "failed":
        pytest.skip(f"{stem}: {rep.reasons.iloc[0]} (its reader is not in this checkout)")
    assert cell_strings(ds, rep.report_id.iloc[0]) == truth_strings(stem)


@pytest.mark.corpus
@pytest.mark.slow
def test_second_build_reads_nothing_and_writes_identical_bytes(built):
    first, second, out1, out2, stages = built
    assert first["extracted"] == 40 + len(stages) and first["cache_hits"] == 0
    assert second["extracted"] == 0 and second["cache_hits"] == 40 + len(stages)
    names = sorted(p.name for p in out1.iterdir())
    assert names == sorted(p.name for p in out2.iterdir())
    assert {
        "reports.parquet",
        "cells.csv",
        "checks.parquet",
        "errors.csv",
        "datapackage.json",
    } <= set(names)
    for name in names:
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes(), name


@pytest.mark.corpus
@pytest.mark.slow
def test_the_whole_corpus_package_validates_with_frictionless(built):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(built[2] / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]


@pytest.mark.corpus
@pytest.mark.slow
def test_manifest_fields_and_consecutive_year_checks(built):
    ds = toolkit.load_dataset(built[2])
    rep = ds.reports.set_index("file")
    zone22 = rep.loc["pingtan-zone-2022.txt"]
    assert (zone22.agency, zone22.province, zone22.level, zone22.year) == (
        "平潭综合实验区",
        "福建省",  # the division data's name, whatever the manifest's spelling
        "other",
        2022,
    )
    assert (zone22.adcode, zone22.county, zone22.agency_type) == ("350128", "平潭县", "zone")
    assert pd.isna(zone22.region)  # the shared manifest has no region column
    checks = ds.checks[ds.checks.report_id == zone22.report_id].set_index(["check", "scope"])
    # 2021 carried 1 request forward (natural person); 2022 says 1 was carried over
    assert checks.loc[("carry_over", "col:total"), ["lhs", "rhs", "status"]].tolist() == [
        1.0,
        1.0,
        "ok",
    ]
    assert checks.loc[("carry_over", "col:natural_person"), "status"] == "ok"
    assert len(checks.loc["carry_over"]) == 7
    # Pingtan's run-together proactive table leaves
    # 行政规范性文件 NA: continuity cannot be evaluated
    assert checks.loc[("in_force", "row:normative_documents"), "status"] == "not_evaluable"
    assert checks.loc[("year", "year"), ["lhs", "rhs", "status"]].tolist() == [2022.0, 2022.0, "ok"]
    # 2019 has no 2018 report in the national format to pair
    # with, but 2018 exists: carry_over needs both tables
    zone19 = rep.loc["pingtan-zone-2019.txt"].report_id
    assert "carry_over" not in set(ds.checks[ds.checks.report_id == zone19].check)


# ---- smaller, faster runs ------------------------------------------------------------------------


@pytest.fixture
def small(corpus, tmp_path) -> Path:
    """Four text reports and two hostile files in one folder."""
    folder = tmp_path / "small"
    folder.mkdir()
    for stem in TEXT_STEMS:
        shutil.copy(raw_file(stem), folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.txt").write_text("会议纪要：无。\n", encoding="utf-8")
    return folder


def _frames(ds: toolkit.Dataset) -> list[pd.DataFrame]:
    return [ds.reports, ds.cells, ds.checks, ds.errors]


@pytest.mark.corpus
@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_dataset_as_the_default_pool(small):
    distributed = pytest.importorskip("dask.distributed")
    local = toolkit.read_corpus(small, cache=False, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = toolkit.read_corpus(
            small, cache=False, progress=False, executor=client.get_executor()
        )
    assert len(local.reports) == 6 and len(local.errors) == 2
    for a, b in zip(_frames(local), _frames(remote)):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.corpus
def test_cache_skips_unchanged_files_rereads_changed_ones_and_may_be_deleted(small, tmp_path):
    cache = tmp_path / "cache"
    ex = ThreadPoolExecutor(2)
    first = toolkit.read_corpus(small, cache=cache, progress=False, executor=ex)
    assert (first.stats["extracted"], first.stats["cache_hits"]) == (6, 0)
    again = toolkit.read_corpus(small, cache=cache, progress=False, executor=ex)
    assert (again.stats["extracted"], again.stats["cache_hits"]) == (0, 6)
    for a, b in zip(_frames(first), _frames(again)):
        pd.testing.assert_frame_equal(a, b)
    changed = small / "pingtan-zone-2021.txt"
    changed.write_bytes(changed.read_bytes() + b"\n")
    third = toolkit.read_corpus(small, cache=cache, progress=False, executor=ex)
    assert (third.stats["extracted"], third.stats["cache_hits"]) == (1, 5)
    rid = third.reports.set_index("file").loc["pingtan-zone-2021.txt", "report_id"]
    assert rid != first.reports.set_index("file").loc["pingtan-zone-2021.txt", "report_id"]
    # a damaged entry is a miss (with a warning naming the file), and so is a deleted cache
    entry = next(p for p in cache.rglob("*") if p.is_file() and p.name.startswith(rid))
    entry.write_bytes(entry.read_bytes()[:10])
    with pytest.warns(RuntimeWarning, match="pingtan-zone-2021.txt"):
        damaged = toolkit.read_corpus(small, cache=cache, progress=False, executor=ex)
    assert damaged.stats["extracted"] == 1
    shutil.rmtree(cache)
    fresh = toolkit.read_corpus(small, cache=cache, progress=False, executor=ex)
    assert fresh.stats["extracted"] == 6
    pd.testing.assert_frame_equal(fresh.cells, third.cells)
    ex.shutdown()


@pytest.mark.corpus
def test_an_exception_in_one_file_is_an_error_row(small, monkeypatch, tmp_path):
    real = toolkit.dataset.worker.read_report

    def flaky(path):
        if Path(path).name == "pingtan-zone-2022.txt":
            raise ZeroDivisionError("boom")
        return real(path)

    monkeypatch.setattr(toolkit.dataset.worker, "read_report", flaky)
    with ThreadPoolExecutor(2) as ex:
        ds = toolkit.read_corpus(small, cache=tmp_path / "c", progress=False, executor=ex)
    err = ds.errors.set_index("file").loc["pingtan-zone-2022.txt"]
    assert (err.stage, err.error) == ("extract", "ZeroDivisionError")
    assert re.match(r"boom \(at test_corpus\.py:\d+\)", err.message)
    assert ds.stats["verified"] == 2 and ds.stats["failed"] == 3


@pytest.mark.corpus
def test_duplicates_and_manifest_year_disagreement(small, tmp_path):
    shutil.copy(small / "pingtan-zone-2022.txt", small / "zz-copy-of-2022.txt")
    manifest = pd.DataFrame(
        {
            "file": ["pingtan-zone-2021.txt", "chaoyang-district-2022.txt"],
            "agency": ["平潭综合实验区", "北京市朝阳区人民政府"],
            "region": ["平潭", "北京市朝阳区"],
            "report_year": ["2020", "2022"],
            "province": ["福建", "北京"],
            "level": ["other", "district"],
        }
    )
    with ThreadPoolExecutor(2) as ex:
        ds = toolkit.read_corpus(
            small, manifest=manifest, cache=tmp_path / "c", progress=False, executor=ex
        )
    dup = ds.errors.set_index("file").loc["zz-copy-of-2022.txt"]
    assert (dup.stage, dup.message) == (
        "duplicate",
        "same content as pingtan-zone-2022.txt, which is kept",
    )
    assert ds.stats["duplicates"] == 1 and len(ds.reports) == 6
    rep = ds.reports.set_index("file")
    z21 = rep.loc["pingtan-zone-2021.txt"]
    assert (z21.year, z21.year_stated, z21.region) == (2020, 2021, "平潭")
    year = ds.checks[(ds.checks.report_id == z21.report_id) & (ds.checks.check == "year")].iloc[0]
    assert (year.lhs, year.rhs, year["diff"], year.ok, year.status) == (
        2020.0,
        2021.0,
        -1.0,
        False,
        "failed",
    )
    assert pd.isna(rep.loc["pingtan-zone-2022.txt", "region"])
    # without a manifest row the level comes from the agency's name
    assert rep.loc["pingtan-zone-2022.txt", "level"] == "other"
    # the 2021 report now claims to be 2020, so the 2020
    # report has no predecessor and the 2022 one none either
    assert not ds.checks.check.isin(["carry_over"]).any()


# ---- the pool: crashes and time limits -----------------------------------------------------------


def misbehave(arg: str):
    """Test task: 'ok', 'crash' (the process dies), 'sleep'
    (an alarm can stop it), 'spin' (only a kill can)."""
    if arg == "crash":
        os._exit(3)
    if arg == "sleep":
        time.sleep(60)
    if arg == "nap":
        time.sleep(4)
    if arg == "hog":
        return len(bytearray(1 << 30))  # 1 GiB, over a 256 MiB cap
    if arg == "spin":
        hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10**9)  # minutes inside one C call: signals wait
    return f"done {arg}"


@pytest.mark.slow
def test_a_crash_or_a_timeout_on_one_file_does_not_take_the_batch_down():
    items = [(i, a) for i, a in enumerate(["ok", "crash", "ok", "sleep", "ok", "spin", "ok", "ok"])]
    t0 = time.monotonic()
    out = dict(
        robust_map(misbehave, items, workers=2, timeout=1.0, grace=4.0)
    )  # grace: room for a loaded machine
    assert time.monotonic() - t0 < 30
    assert sorted(out) == list(range(8))
    assert [out[i] for i in (0, 2, 4, 6, 7)] == ["done ok"] * 5
    assert out[1] == Failure("crash", out[1].message) and "died" in out[1].message
    assert out[3] == Failure("timeout", "stopped after the per-file time limit of 1 s")
    assert out[5] == Failure("timeout", "killed after 5 s (the per-file limit is 1 s)")


def test_a_file_that_needs_too_much_memory_is_stopped_by_the_cap():
    out = dict(robust_map(misbehave, [(0, "hog"), (1, "ok")], workers=1, memory_limit=256 << 20))
    assert out == {0: Failure("memory", "the worker's memory cap was reached"), 1: "done ok"}


@pytest.mark.corpus
def test_a_timeout_in_read_corpus_is_an_error_row_and_is_tried_again_next_time(
    small, monkeypatch, tmp_path
):
    real = toolkit.dataset.worker.read_report

    def slow(path):
        if Path(path).name == "pingtan-zone-2020.txt":
            time.sleep(5)
        return real(path)

    monkeypatch.setattr(toolkit.dataset.worker, "read_report", slow)
    monkeypatch.setattr(toolkit.dataset.run, "robust_map", functools.partial(robust_map, grace=0.2))
    with ThreadPoolExecutor(2) as ex:
        ds = toolkit.read_corpus(
            small, cache=tmp_path / "c", progress=False, executor=ex, timeout=1.5
        )
        err = ds.errors.set_index("file").loc["pingtan-zone-2020.txt"]
        assert (err.stage, err.error, err.message) == (
            "timeout",
            "Timeout",
            "killed after 3.2 s (the per-file limit is 1.5 s)",
        )
        assert ds.reports.set_index("file").loc["pingtan-zone-2020.txt", "status"] == "failed"
        again = toolkit.read_corpus(
            small, cache=tmp_path / "c", progress=False, executor=ex, timeout=10
        )
    assert (again.stats["extracted"], again.stats["cache_hits"]) == (
        1,
        5,
    )  # a timeout is not cached
    assert again.reports.set_index("file").loc["pingtan-zone-2020.txt", "status"] == "inconsistent"


def test_a_foreign_executor_gets_caller_side_time_limits():
    with ThreadPoolExecutor(
        2
    ) as ex:  # threads: no alarm reaches them, so the caller's clock decides
        out = dict(
            robust_map(
                misbehave, [(0, "ok"), (1, "nap"), (2, "ok")], executor=ex, timeout=1.0, grace=0.5
            )
        )
    assert out == {
        0: "done ok",
        1: Failure("timeout", "killed after 2.5 s (the per-file limit is 1 s)"),
        2: "done ok",
    }


# ---- cross-report checks as pure functions -------------------------------------------------------


def test_consecutive_checks_compare_carry_forward_and_in_force():
    prev = {"applications.carried_forward.total": 5.0, "proactive.rules.in_force": 10.0}
    cur = {
        "applications.carried_over.total": 4.0,
        "proactive.rules.issued": 2.0,
        "proactive.rules.repealed": 1.0,
        "proactive.rules.in_force": 11.0,
    }
    rows = {r["check"]: r for r in crosscheck.consecutive(prev, cur, "abc", 2023)}
    assert rows["carry_over"] | {"detail": None} == {
        "check": "carry_over",
        "table": "applications",
        "scope": "col:total",
        "lhs": 5.0,
        "rhs": 4.0,
        "diff": 1.0,
        "ok": False,
        "status": "failed",
        "detail": None,
    }
    assert (
        rows["carry_over"]["detail"]
        == "四、结转下年度继续办理 2022 (report abc) = 5 but 二、上年结转 2023 = 4"
    )
    assert (rows["in_force"]["lhs"], rows["in_force"]["rhs"], rows["in_force"]["ok"]) == (
        11.0,
        11.0,
        True,
    )
    blank = crosscheck.consecutive(
        {"applications.carried_forward.total": None},
        {"applications.carried_over.total": 0.0},
        "abc",
        2023,
    )
    assert [r["status"] for r in blank] == ["not_evaluable"]
    assert crosscheck.unpack(crosscheck.pack(cur)) == cur


def test_pair_index_leaves_out_agency_years_with_two_reports():
    idx = crosscheck.pair_index(
        [("A", None, 2020), ("A", None, 2021), ("A", None, 2021), (None, None, 2021)]
    )
    assert idx == {("A", None, 2020): 0}


def test_prune_cache_removes_only_other_code_versions(tmp_path, capsys):
    from toolkit.cli import main
    from toolkit.dataset import cache as cache_mod
    from toolkit.testing.render import random_cells, render

    root = tmp_path / "cache"
    old = root / "0.0.9-0123456789ab" / "aa"
    old.mkdir(parents=True)
    (old / "aa11").write_bytes(b"x" * 2048)
    (root / "notes").mkdir()  # not named like a code key: left alone
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "one.txt").write_bytes(render(random_cells(3), to="text-pipe"))
    code = main(
        [
            "build",
            str(reports),
            "--out",
            str(tmp_path / "out"),
            "--cache",
            str(root),
            "-q",
            "--jobs",
            "1",
            "--prune-cache",
        ]
    )
    assert code == 0
    assert "removed 1 folder(s)" in capsys.readouterr().out
    assert sorted(p.name for p in root.iterdir()) == sorted([cache_mod.code_key(), "notes"])
    assert any((root / cache_mod.code_key()).rglob("*")), "this build's own entries are kept"
