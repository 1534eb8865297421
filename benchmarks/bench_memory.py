"""Peak memory of a build over the whole process tree (build, forkserver, workers), and per worker.

Run: python benchmarks/bench_memory.py [--files 200] [--jobs 2] [--workdir DIR] [--roots A B ...]

Two measurements for each toolkit checkout in --roots (default: this one), so a change can be
quoted before and after (e.g. --roots /tmp/base-checkout .):

- a cold build (`--no-cache`) of --files synthetic reports in the mix of bench_corpus.py (HTML, PDF,
  text, DOCX), generated once into DIR/reports;
- `read_report` of one 50 MB text file alone (a real report followed by 50 MB of prose).

The tree is sampled every 0.1 s from /proc: the peak of the summed PSS (pages shared between
processes counted once) and the largest PSS of any one process. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_corpus import _memory, _tree, generate, mix_list, subset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("OGI_CORPUS", ROOT.parent / "shared" / "corpus"))
PROSE = "本机关按照政府信息公开条例的要求，认真做好政府信息公开工作，主动公开各类信息。\n"


def peaks(cmd: list[str], root: Path) -> dict:
    """Run cmd with `root` first on the path; peak tree PSS, peak single-process PSS, seconds."""
    t0 = time.monotonic()
    env = os.environ | {"PYTHONPATH": str(root)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = one = 0
    while proc.poll() is None:
        pss = [_memory(pid)[1] for pid in _tree(proc.pid)]
        tree, one = max(tree, sum(pss)), max(one, max(pss, default=0))
        time.sleep(0.1)
    err = proc.stderr.read().decode()
    assert proc.returncode == 0, err
    return {"tree": tree / 2**20, "one": one / 2**20, "seconds": time.monotonic() - t0}


def big_text(workdir: Path) -> Path:
    path = workdir / "big-50mb.txt"
    if not path.exists():
        head = (CORPUS / "raw" / "chaoyang-district-2022.txt").read_bytes()
        para = PROSE.encode()
        path.write_bytes(head + para * ((50 * 2**20 - len(head)) // len(para)))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--roots", type=Path, nargs="+", default=[ROOT])
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ogi-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    generate(work, args.files, mix_list("html:30,pdf:25,text-lines:20,text-pipe:20,docx:5"), 2)
    folder, big = subset(work, args.files), big_text(work)
    print(f"{'toolkit':<28} {'measure':<34} {'tree PSS MB':>11} {'max 1 proc MB':>13} {'s':>6}")
    for root in args.roots:
        out = work / "out"
        build = [sys.executable, "-m", "toolkit", "build", str(folder), "--out", str(out)]
        runs = {
            f"build of {args.files} files, {args.jobs} workers": [
                *build,
                "--no-cache",
                "-q",
                "--jobs",
                str(args.jobs),
            ],
            "read_report of a 50 MB text file": [
                sys.executable,
                "-c",
                f"import toolkit; toolkit.read_report({str(big)!r})",
            ],
        }
        for name, cmd in runs.items():
            r = peaks(cmd, root.resolve())
            print(
                f"{str(root)[-28:]:<28} {name:<34} {r['tree']:>11.0f} {r['one']:>13.0f} "
                f"{r['seconds']:>6.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
