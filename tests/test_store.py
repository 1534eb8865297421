"""The dataset on disk: Parquet + CSV + a Frictionless
datapackage that validates; atomic, deterministic, loadable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import raw_file

import toolkit
from toolkit import schema
from toolkit.cli import main
from toolkit.dataset import store

STEMS = ["chaoyang-district-2022", "pingtan-zone-2021", "pingtan-zone-2022", "pingtan-zone-2020"]
NAMES = [f"{t}.{ext}" for t in store.TABLES for ext in ("csv", "parquet")] + ["datapackage.json"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Four real text reports, an empty file and a page that is no report."""
    src = tmp_path_factory.mktemp("reports")
    for stem in STEMS:
        shutil.copy(raw_file(stem), src)
    (src / "empty.pdf").write_bytes(b"")
    (src / "news.html").write_text("<html><body><p>今日无事。</p></body></html>", encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def built(folder, tmp_path_factory) -> tuple[Path, Path, dict]:
    """(out, cache, stats) of one build with a fresh cache."""
    tmp = tmp_path_factory.mktemp("built")
    stats = store.build(
        [folder],
        tmp / "out",
        cache=tmp / "cache",
        progress=False,
        workers=2,
    )
    return tmp / "out", tmp / "cache", stats


@pytest.mark.corpus
def test_build_writes_every_table_twice_and_a_datapackage(built):
    out, _, stats = built
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)
    assert (
        stats["files"],
        stats["reports"],
        stats["verified"],
        stats["flagged"],
        stats["failed"],
    ) == (6, 6, 3, 1, 2)
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert errors.to_dict("records") == [
        {
            "file": "empty.pdf",
            "report_id": "e3b0c44298fc1c14",
            "stage": "sniff",
            "error": "ReadError",
            "message": "the file is empty",
        },  # e3b0c442…: the sha256 of no bytes
        {
            "file": "news.html",
            "report_id": errors.report_id[1],
            "stage": "match",
            "error": "ReadError",
            "message": errors.message[1],
        },
    ]
    assert errors.message[1].startswith(
        "no report here"
    )  # the reader's words; the stage and type are the corpus's


@pytest.mark.corpus
@pytest.mark.slow
def test_datapackage_validates_with_frictionless(built):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(built[0] / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]


@pytest.mark.corpus
def test_frictionless_sees_a_tampered_file(built, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    copy = tmp_path / "copy"
    shutil.copytree(built[0], copy)
    text = (copy / "checks.csv").read_text(encoding="utf-8")
    (copy / "checks.csv").write_text(text.replace(",ok,", ",okay,", 1), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {e[0] for e in report.flatten(["type"])}


@pytest.mark.corpus
def test_datapackage_documents_fields_keys_and_codes_in_both_languages(built):
    package = json.loads((built[0] / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in package["resources"]}
    assert list(res) == list(store.TABLES)
    for r in res.values():
        assert r["schema"]["missingValues"] == [""]
        assert r["hash"].startswith("sha256:") and r["x-parquet"]["path"] == f"{r['name']}.parquet"
        for f in r["schema"]["fields"]:
            zh, en = f["description"].split("\n")
            assert cjk(zh) and en and not cjk(en), f
    cells = res["cells"]["schema"]
    assert cells["primaryKey"] == ["report_id", "table", "row", "col"]
    assert {
        "fields": ["table", "row"],
        "reference": {"resource": "codes", "fields": ["table", "code"]},
    } in cells["foreignKeys"]
    assert [f["type"] for f in cells["fields"]] == ["string"] * 4 + [
        "number",  # value
        "string",  # raw
        "string",  # split
        "integer",  # page
        *["number"] * 4,  # x0, y0, x1, y1
        "string",  # box_unit
        *["integer"] * 3,  # line, char_start, char_end
        "string",  # element
        "string",  # na_reason
    ]
    codes = pd.read_csv(built[0] / "codes.csv", dtype=str, keep_default_na=False)
    national = codes[codes.table.isin(schema.TABLES)].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        national, schema.codes()[national.columns].reset_index(drop=True), check_dtype=False
    )
    legacy = codes[codes.table == "legacy_appeals"].set_index(["kind", "code"])
    assert legacy.loc[("col", "cumulative"), ["label_zh", "label_en", "formats"]].tolist() == [
        "历年累计",
        "All years to date",
        "pre2019",
    ]
    assert ("row", "reconsideration") in legacy.index
    row = codes[(codes.table == "applications") & (codes.code == "unavailable_not_held")].iloc[0]
    assert (row.label_zh, row.label_en) == (
        "（四）无法提供 1.本机关不掌握相关政府信息",
        "Cannot provide: information not held by this agency",
    )
    assert package["x-toolkit"]["summary"] == {
        "files": 6,
        "reports": 6,
        "verified": 3,
        "flagged": 1,
        "failed": 2,
        "duplicates": 0,
    }


@pytest.mark.corpus
def test_csv_numbers_have_one_fixed_form(built):
    cells = (built[0] / "cells.csv").read_text(encoding="utf-8").splitlines()
    assert cells[0] == (
        "report_id,table,row,col,value,raw,split,page,x0,y0,x1,y1,box_unit,line,char_start,"
        "char_end,element,na_reason"
    )
    chaoyang = next(
        r for r in csv_rows(built[0] / "reports.csv") if r["file"] == "chaoyang-district-2022.txt"
    )
    rid = chaoyang["report_id"]
    # 一、本年新收 by natural persons: 2209 in total, printed as an integer, never '2209.0'
    assert any(
        line.startswith(f"{rid},applications,new_received,total,2209,2209,,,,,,,,")
        for line in cells
    )
    checks = (built[0] / "checks.csv").read_text(encoding="utf-8")
    assert f"{rid},balance,applications,col:total,2348,2348,0,true,ok,\n" in checks


def cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def csv_rows(path: Path) -> list[dict]:
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


@pytest.mark.corpus
def test_rebuilds_are_byte_identical_with_and_without_the_cache(built, folder, tmp_path):
    out, cache, _ = built
    paths = [folder]
    again = store.build(paths, tmp_path / "again", cache=cache, progress=False)
    fresh = store.build(paths, tmp_path / "fresh", cache=False, progress=False, workers=2)
    assert (again["extracted"], again["cache_hits"]) == (0, 6)
    assert (fresh["extracted"], fresh["cache_hits"]) == (6, 0)
    for name in NAMES:
        data = (out / name).read_bytes()
        assert (
            data
            == (tmp_path / "again" / name).read_bytes()
            == (tmp_path / "fresh" / name).read_bytes()
        ), name


@pytest.mark.corpus
def test_load_dataset_gives_back_what_read_corpus_gives(built, folder, tmp_path):
    out, cache, _ = built
    ds = toolkit.read_corpus([folder], cache=cache, progress=False)
    for source in ("parquet", "csv"):
        back = toolkit.load_dataset(out)
        for name in ("reports", "cells", "checks", "errors"):
            pd.testing.assert_frame_equal(
                getattr(back, name), getattr(ds, name), obj=f"{source} {name}"
            )
        if source == "parquet":
            out = tmp_path / "csv-only"
            shutil.copytree(built[0], out)
            for p in out.glob("*.parquet"):
                p.unlink()
    assert back.stats["verified"] == 3


@pytest.mark.corpus
def test_an_in_memory_dataset_saves_to_the_same_bytes_as_a_streamed_build(built, folder, tmp_path):
    ds = toolkit.read_corpus([folder], cache=built[1], progress=False)
    store.save_dataset(ds, tmp_path / "saved")
    for name in NAMES:
        assert (tmp_path / "saved" / name).read_bytes() == (built[0] / name).read_bytes(), name


@pytest.mark.corpus
def test_a_crash_while_writing_leaves_the_previous_dataset_whole(
    built, folder, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(self, df):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(store._Writer, "add", crash)
    with pytest.raises(KeyboardInterrupt):
        store.build(folder, out, cache=built[1], progress=False)
    assert {
        p.name: p.read_bytes() for p in out.iterdir()
    } == before  # no temporary files left either
    toolkit.load_dataset(out)


@pytest.mark.corpus
def test_load_dataset_refuses_a_torn_folder(built, tmp_path):
    out = tmp_path / "torn"
    shutil.copytree(built[0], out)
    (out / "cells.parquet").write_bytes((out / "checks.parquet").read_bytes())
    with pytest.raises(ValueError, match="does not match its datapackage.json entry"):
        toolkit.load_dataset(out)


@pytest.mark.corpus
def test_build_command_exits_0_when_complete_and_1_with_strict(built, folder, tmp_path, capsys):
    args = ["build", str(folder), "--out", str(tmp_path / "cli"), "--cache", str(built[1]), "-q"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert (
        "6 files, 6 reports: 3 verified, 1 flagged, 2 failed; cache 6 hits, 0 extracted" in printed
    )
    assert main(args + ["--strict"]) == 1
    assert (
        main(
            [
                "build",
                str(tmp_path / "nowhere"),
                "--out",
                str(tmp_path / "x"),
                "--manifest",
                str(tmp_path / "missing.csv"),
                "-q",
            ]
        )
        == 2
    )


@pytest.mark.corpus
def test_a_reports_frames_have_the_dtypes_the_dataset_reads_back(built):
    """Report.checks was typed as pandas happened to infer each step (all object where a step had no
    rows): a column's dtype now does not depend on what was found, and matches the dataset's."""
    back = toolkit.load_dataset(built[0])
    for stem in STEMS:
        report = toolkit.read_report(raw_file(stem))
        for name in ("checks", "cells"):
            mine = getattr(report, name).dtypes.to_dict()
            theirs = getattr(back, name).dtypes.to_dict()
            assert mine == {c: theirs[c] for c in mine}, f"{stem} {name}"
