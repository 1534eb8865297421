"""Fault injection: the dataset build as a transaction under the conditions a research group meets.

Each test does the fault for real (two `build` processes at once, SIGKILL inside the write phase and
at random instants, damaged cache entries of every kind, a memory cap, FIFOs, symlink loops, a
non-UTF-8 name, a typo) and checks the output folder against a clean build byte for byte. Bounded
for CI; benchmarks/bench_faults.py runs the long sweeps (20 concurrent pairs, 50 kills).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, raw_file

import toolkit
from toolkit.dataset import store
from toolkit.dataset.cache import Cache
from toolkit.dataset.run import CorpusRun
from toolkit.schema import fields

STEMS = ["chaoyang-district-2022", "pingtan-zone-2020", "pingtan-zone-2021", "pingtan-zone-2022"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
pytestmark = pytest.mark.corpus


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Staging or retired folders beside `out` (the lock file may stay: it is how locks work)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def cli(*args: str, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "toolkit", "build", *args, "-q", "--jobs", "1"]
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """(reports folder, clean dataset bytes, warm cache, an older dataset's bytes)."""
    tmp = tmp_path_factory.mktemp("faults")
    src = tmp / "reports"
    src.mkdir()
    for stem in STEMS:
        shutil.copy(raw_file(stem), src)
    store.build(src, tmp / "clean", cache=tmp / "cache", progress=False, workers=1)
    older = tmp / "older-reports"
    older.mkdir()
    shutil.copy(raw_file(STEMS[0]), older)
    store.build(older, tmp / "older", cache=tmp / "cache", progress=False, workers=1)
    return src, snapshot(tmp / "clean"), tmp / "cache", snapshot(tmp / "older")


def in_process_build(src: Path, out: Path, cache: Path) -> dict:
    with ThreadPoolExecutor(2) as ex:
        return store.build(src, out, cache=cache, progress=False, executor=ex)


# ---- 1. two builds into one folder -----------------------------------------------------------


def test_two_builds_at_once_into_one_folder_both_succeed_and_match_a_clean_build(clean, tmp_path):
    src, want, _, _ = clean
    for trial in range(2):  # a cold shared cache (both extract), then a warm one (both write)
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        procs = [cli(str(src), "--out", str(out), "--cache", str(tmp_path / "c")) for _ in "ab"]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], (trial, results)
        assert snapshot(out) == want, trial
        assert leftovers(out) == [f".{out.name}.lock"]


# ---- 2. killed in the write phase, or at any instant --------------------------------------------

KILL_AT = {  # where the write phase is cut: tables staged, verified, folders exchanged
    "staged": "store.verify",
    "verified": "publish._exchange",
    "exchanged": "publish.shutil.rmtree",
}


@pytest.mark.parametrize("point", sorted(KILL_AT))
def test_sigkill_in_the_write_phase_leaves_the_old_or_the_new_dataset(clean, tmp_path, point):
    src, want, cache, older = clean
    out = tmp_path / "out"
    out.mkdir()
    for name, data in older.items():
        (out / name).write_bytes(data)
    module, name = KILL_AT[point].rsplit(".", 1)
    script = textwrap.dedent(f"""
        import os, signal
        from toolkit.dataset import publish, store
        real = {module}.{name}
        def die(*a, **k):
            if {point!r} == "exchanged":
                real(*a, **k)  # the old version is now where the staging folder was
            os.kill(os.getpid(), signal.SIGKILL)
        {module}.{name} = die
        store.build({str(src)!r}, {str(out)!r}, cache={str(cache)!r}, progress=False, workers=1)
    """)
    done = subprocess.run([sys.executable, "-c", script], env=ENV, timeout=120)
    assert done.returncode == -signal.SIGKILL
    toolkit.load_dataset(out)
    assert snapshot(out) == (want if point == "exchanged" else older)
    in_process_build(src, out, cache)
    assert snapshot(out) == want
    assert leftovers(out) == [f".{out.name}.lock"]  # the dead build's staging folder is gone


def test_sigkill_at_random_instants_always_leaves_a_loadable_dataset(clean, tmp_path):
    src, want, _, older = clean
    out = tmp_path / "out"
    out.mkdir()
    for name, data in older.items():
        (out / name).write_bytes(data)
    rng = random.Random(15)
    for _ in range(3):
        proc = cli(str(src), "--out", str(out), "--no-cache", start_new_session=True)
        time.sleep(rng.uniform(0.5, 4.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        toolkit.load_dataset(out)
        assert snapshot(out) in (want, older)
    in_process_build(src, out, tmp_path / "c")
    assert snapshot(out) == want and leftovers(out) == [f".{out.name}.lock"]


# ---- 3. damaged cache entries --------------------------------------------------------------------


def _entry(cache: Path, stem: str) -> Path:
    return Cache(cache).path(hashlib.sha256(raw_file(stem).read_bytes()).hexdigest())


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(checksum line, head line, compressed body) of an entry."""
    first, _, rest = data.partition(b"\n")
    head, _, body = rest.partition(b"\n")
    return first, head, body


DAMAGE = {
    "truncated": lambda d, other: d[: len(d) // 2],
    "empty": lambda d, other: b"",
    "bit-flipped body": lambda d, other: d[:-20] + bytes([d[-20] ^ 0x10]) + d[-19:],
    "head {}": lambda d, other: b"\n".join(_split(d)[:1] + (b"{}", _split(d)[2])),
    "head a list": lambda d, other: b"\n".join(_split(d)[:1] + (b"[]", _split(d)[2])),
    "body of another entry": lambda d, other: b"\n".join(_split(d)[:2] + _split(other)[2:]),
    "another entry whole": lambda d, other: other,
    "not JSON, not zlib": lambda d, other: b"garbage\n" + zlib.compress(b"[1, 2")[:5],
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_cache_entry_is_discarded_and_its_file_read_again(clean, tmp_path, kind):
    src, want, cache, _ = clean
    mine = tmp_path / "cache"
    shutil.copytree(cache, mine)
    entry, other = _entry(mine, "pingtan-zone-2021"), _entry(mine, "pingtan-zone-2022")
    entry.write_bytes(DAMAGE[kind](entry.read_bytes(), other.read_bytes()))
    with pytest.warns(RuntimeWarning, match="pingtan-zone-2021.txt"):
        stats = in_process_build(src, tmp_path / "out", mine)
    assert (stats["cache_hits"], stats["extracted"]) == (3, 1)
    assert snapshot(tmp_path / "out") == want
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the entry was written again, whole
        assert in_process_build(src, tmp_path / "again", mine)["cache_hits"] == 4


def test_an_entry_damaged_between_the_two_passes_is_read_again(clean, tmp_path):
    src, want, cache, _ = clean
    mine = tmp_path / "cache"
    shutil.copytree(cache, mine)
    with (
        ThreadPoolExecutor(2) as ex,
        CorpusRun(src, cache=mine, progress=False, executor=ex) as run,
    ):
        entry = _entry(mine, "pingtan-zone-2020")
        entry.write_bytes(entry.read_bytes()[:-30])
        with pytest.warns(RuntimeWarning, match="pingtan-zone-2020.txt"):
            store.write(
                tmp_path / "out",
                run.chunks(),
                fields.rows_of(run.errors(), "errors"),
                run.stats,
                [(s.file, s.sha256) for s in run.kept],
            )
    assert snapshot(tmp_path / "out") == want


# ---- 4. a resource limit's failure is not a fact about the document -----------------------------


def test_a_failure_under_a_memory_cap_is_read_again_without_it(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    shutil.copy(raw_file("huaian-city-2024"), src)
    capped = toolkit.read_corpus(src, cache=tmp_path / "c", progress=False, memory_limit=50 << 20)
    assert capped.stats["failed"] == 1  # 50 MB is too little to open a PDF
    free = toolkit.read_corpus(src, cache=tmp_path / "c", progress=False, memory_limit=None)
    assert (free.stats["cache_hits"], free.stats["extracted"], free.stats["failed"]) == (0, 1, 0)
    again = toolkit.read_corpus(src, cache=tmp_path / "c", progress=False, memory_limit=None)
    assert (again.stats["cache_hits"], again.stats["failed"]) == (1, 0)


# ---- 5. hostile names and special files ---------------------------------------------------------


def test_fifos_loops_odd_names_and_folders_named_like_files_are_rows_not_hangs(clean, tmp_path):
    src, _, cache, _ = clean
    folder = tmp_path / "shared"
    folder.mkdir()
    shutil.copy(raw_file(STEMS[1]), folder)
    odd = os.fsencode(folder) + b"/caf\xe9-" + raw_file(STEMS[0]).name.encode()
    shutil.copy(raw_file(STEMS[0]), odd)  # a Latin-1 name on a UTF-8 system
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.pdf").symlink_to("loop.pdf")
    (folder / "x.pdf").mkdir()
    (folder / "x.pdf" / "inside.txt").write_text("not searched")
    os.mkfifo(tmp_path / "arg-pipe.txt")
    (tmp_path / "arg-loop.txt").symlink_to("arg-loop.txt")
    proc = cli(
        str(folder),
        str(tmp_path / "arg-pipe.txt"),
        str(tmp_path / "arg-loop.txt"),
        "--out",
        str(tmp_path / "out"),
        "--cache",
        str(tmp_path / "c"),
    )
    out, err = proc.communicate(timeout=120)  # before: blocked forever opening the FIFO
    assert proc.returncode == 0, err.decode()
    ds = toolkit.load_dataset(tmp_path / "out")
    rows = {r.file: (r.stage, r.error) for r in ds.errors.itertuples()}
    assert rows == {
        "arg-loop.txt": ("discover", "OSError"),
        "arg-pipe.txt": ("discover", "NotARegularFile"),
        "loop.pdf": ("discover", "OSError"),
        "pipe.txt": ("discover", "NotARegularFile"),
        "x.pdf": ("discover", "IsADirectoryError"),
    }
    assert "FIFO" in ds.errors.set_index("file").loc["pipe.txt", "message"]
    status = dict(zip(ds.reports.file, ds.reports.status))
    assert status[f"caf\\xe9-{STEMS[0]}.txt"] == "verified"  # stored escaped, read all the same
    assert status[f"{STEMS[1]}.txt"] == toolkit.read_report(raw_file(STEMS[1])).status


def test_a_path_that_does_not_exist_exits_2_naming_it_and_writes_nothing(tmp_path):
    proc = cli(str(tmp_path / "corpus" / "nope"), "--out", str(tmp_path / "X"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / "corpus" / "nope") in lines[0]
    assert not (tmp_path / "X").exists()


# ---- what a person put in or beside the output folder -------------------------------------------


def test_files_a_person_added_to_the_dataset_folder_survive_a_rebuild(clean, tmp_path):
    src, want, cache, older = clean
    out = tmp_path / "out"
    out.mkdir()
    for name, data in older.items():
        (out / name).write_bytes(data)
    (out / "README.md").write_text("notes on this dataset\n")
    (out / "figures").mkdir()
    (out / "figures" / "a.png").write_bytes(b"png")
    in_process_build(src, out, cache)
    now = snapshot(out)
    assert now.pop("README.md") == b"notes on this dataset\n"
    assert (out / "figures" / "a.png").read_bytes() == b"png"
    assert now == want


def test_a_folder_that_is_not_a_dataset_is_refused_not_replaced(clean, tmp_path):
    src, _, cache, _ = clean
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="not a dataset folder"):
        in_process_build(src, out, cache)
    assert snapshot(out) == {"chapter1.docx": b"mine"}
    assert leftovers(out) == [f".{out.name}.lock"]


def test_the_datapackage_names_the_version_commit_and_every_source(clean):
    import json

    src, want, _, _ = clean
    meta = json.loads(want["datapackage.json"])["x-toolkit"]
    assert meta["version"] == toolkit.__version__
    from toolkit._version import commit

    assert meta["commit"] == commit()  # the checkout's commit, "+dirty" with uncommitted changes
    assert meta["commit"] is None or re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", meta["commit"])
    assert meta["sources"] == [
        {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in sorted(src.iterdir())
    ]
