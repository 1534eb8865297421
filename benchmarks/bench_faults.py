"""The long fault sweeps behind tests/test_faults.py: concurrent builds into one folder, and SIGKILL
at random instants of a build. Prints its numbers; exits 1 if any trial broke a promise.

Run: python benchmarks/bench_faults.py [--pairs 20] [--kills 50] [--files 12] [--workdir DIR]

Inputs are the first --files text reports of the real corpus ($OGI_CORPUS or ../shared/corpus).
Every build runs `python -m toolkit build` of this checkout in its own process (one worker).

- pairs: two builds start at once into one folder (half the trials with an empty shared cache,
  half with a warm one); both must exit 0 and leave the folder byte-identical to a clean build.
- kills: a build into a folder holding an older dataset is SIGKILLed (with its workers) at a
  random instant of its run, or (every other pair of trials) a random instant up to 0.1 s after its
  staging folder appears, i.e. inside the write phase (cold or warm cache, alternately);
  `load_dataset` must succeed and the folder be the old dataset or the new one, byte for byte;
  after the sweep one more build must leave no staging folder behind.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("OGI_CORPUS", ROOT.parent / "shared" / "corpus"))
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def build(src: Path, out: Path, *extra: str, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "toolkit", "build", str(src), "--out", str(out), "-q"]
    return subprocess.Popen(
        [*cmd, "--jobs", "1", *extra],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def staging(work: Path) -> set[str]:
    return {p.name for p in work.iterdir() if p.name.startswith(".kill-out.staging-")}


def loads(out: Path) -> bool:
    code = f"import toolkit; toolkit.load_dataset({str(out)!r})"
    return (
        subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True).returncode == 0
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ogi-faults-"))
    src, older_src = work / "reports", work / "older"
    for folder in (src, older_src):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    files = sorted((CORPUS / "raw").glob("*.txt"))[: args.files]
    for f in files:
        shutil.copy(f, src)
    shutil.copy(files[0], older_src)
    t0 = time.monotonic()
    assert build(src, work / "clean", "--no-cache").wait() == 0
    took = time.monotonic() - t0
    assert build(older_src, work / "older-out", "--no-cache").wait() == 0
    clean, older = snapshot(work / "clean"), snapshot(work / "older-out")
    print(f"{len(files)} reports; a clean build takes {took:.1f} s")
    bad = 0

    ok = 0
    for trial in range(args.pairs):
        out, cache = work / "pair-out", work / ("pair-cache" if trial % 2 else f"cold-{trial}")
        shutil.rmtree(out, ignore_errors=True)
        procs = [build(src, out, "--cache", str(cache)) for _ in range(2)]
        codes = [p.wait() for p in procs]
        same = snapshot(out) == clean
        ok += codes == [0, 0] and same
        if codes != [0, 0] or not same:
            print(f"  pair {trial}: exit codes {codes}, identical {same}")
    print(f"concurrent pairs: {ok}/{args.pairs} both exit 0 and byte-identical to a clean build")
    bad += args.pairs - ok

    rng = random.Random(15)
    out = work / "kill-out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(work / "older-out", out)
    outcomes = {"old": 0, "new": 0, "neither": 0, "unloadable": 0}
    warm = work / "kill-cache"
    in_write, seen = 0, set()  # kills that left a staging folder: cut inside the write phase
    for k in range(args.kills):
        if snapshot(out) == clean:  # start from the old dataset again so both outcomes can show
            shutil.rmtree(out)
            shutil.copytree(work / "older-out", out)
        extra = ("--no-cache",) if k % 2 else ("--cache", str(warm))
        proc = build(src, out, *extra, start_new_session=True)
        if k % 4 < 2:  # anywhere in the run
            time.sleep(rng.uniform(0.0, took * 1.5))
        else:  # inside the write phase: once the staging folder appears, a random instant later
            until = time.monotonic() + 3 * took
            while time.monotonic() < until and proc.poll() is None and not staging(work):
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.1))
        cut = bool(staging(work) - seen)  # this build's staging folder exists as it is killed
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        in_write += cut
        seen |= staging(work)
        now = snapshot(out)
        key = "old" if now == older else "new" if now == clean else "neither"
        if not loads(out):
            key = "unloadable"
        outcomes[key] += 1
    left_before = sorted(p.name for p in work.iterdir() if p.name.startswith(".kill-out."))
    assert build(src, out, "--cache", str(warm)).wait() == 0
    left = sorted(p.name for p in work.iterdir() if p.name.startswith(".kill-out."))
    print(
        f"SIGKILL at {args.kills} random instants: load_dataset succeeded "
        f"{args.kills - outcomes['unloadable']}/{args.kills}; old dataset {outcomes['old']}, "
        f"new {outcomes['new']}, anything else {outcomes['neither'] + outcomes['unloadable']}"
    )
    print(f"  {in_write} of the kills cut the write phase (a staging folder existed when killed)")
    print(f"  beside the folder after the kills: {left_before}; after the next build: {left}")
    bad += outcomes["neither"] + outcomes["unloadable"] + (left != [".kill-out.lock"])
    print("all promises held" if not bad else f"{bad} broken promise(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
