"""How fast `python -m toolkit build` turns many reports into a dataset, and whether its memory
stays flat.

Run: python benchmarks/bench_corpus.py [--sizes 1000 10000] [--jobs 2] [--workdir DIR].
Prints numbers; asserts nothing.

Reports are synthetic, made by `toolkit.testing.render` from random valid cells in a mix of formats
(--mix), with agencies that recur over consecutive years; they are generated once into DIR/reports
and reused. For each size the build runs in a subprocess on a snapshot of toolkit/ (so edits made
meanwhile do not change what is measured), cold (an empty cache) and then warm (the same cache); the
whole process tree (build, forkserver, workers) is sampled every 0.2 s from /proc for resident
memory (RSS, and PSS, which counts pages shared between the workers once) and CPU time, so a loaded
machine can be told from a slow build. Target: 10,000 reports in ≤ 10 minutes on 2 cores, with peak
memory that does not grow with the number of reports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

MIX = "html:30,pdf:25,text-lines:20,text-pipe:20,docx:5"
CITIES = (
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "武汉",
    "成都",
    "西安",
    "长沙",
    "郑州",
    "济南",
    "福州",
    "合肥",
    "南昌",
    "昆明",
    "贵阳",
    "南宁",
    "太原",
    "石家庄",
    "沈阳",
    "长春",
    "哈尔滨",
    "兰州",
    "银川",
    "西宁",
    "拉萨",
    "乌鲁木齐",
    "呼和浩特",
    "海口",
    "天津",
)
DISTRICTS = (
    "东城区",
    "西城区",
    "南山区",
    "北湖区",
    "新华区",
    "城关区",
    "开发区",
    "高新区",
    "江北区",
    "河西区",
)
OFFICES = (
    "人民政府",
    "司法局",
    "民政局",
    "财政局",
    "教育局",
    "公安局",
    "交通运输局",
    "生态环境局",
    "市场监督管理局",
    "卫生健康委员会",
)


def plan(i: int, mix: list[str]) -> dict:
    """Report i: its format, table version, agency and year
    (2019-2023: five consecutive years per agency)."""
    k, year_no = divmod(i, 5)
    agency = f"{CITIES[k % 31]}市{DISTRICTS[k // 31 % 10]}{OFFICES[k // 310 % 10]}"
    year = 2019 + year_no
    return {
        "i": i,
        "target": mix[(i + k) % len(mix)],
        "fmt": "2019" if year < 2021 else "2021",
        "agency": agency,
        "year": year,
    }


def mix_list(spec: str) -> list[str]:
    """'html:30,pdf:25' -> a list of 100 targets in an interleaved order."""
    weights = {k: int(v) for k, v in (part.split(":") for part in spec.split(","))}
    out, acc = [], dict.fromkeys(weights, 0.0)
    total = sum(weights.values())
    for _ in range(total):
        for k in acc:
            acc[k] += weights[k] / total
        best = max(acc, key=acc.get)
        acc[best] -= 1
        out.append(best)
    return out


def render_one(job: dict, folder: str) -> pd.DataFrame:
    """Render report job['i'] if it is not there yet; return its true cells."""
    from toolkit.testing.render import SUFFIX, Style, random_cells, render

    cells = random_cells(job["i"], fmt=job["fmt"])
    name = f"{job['i']:05d}-{job['target']}{SUFFIX[job['target']]}"
    path = Path(folder) / name
    if not path.exists():
        tmp = path.with_name(f".{name}.part")
        render(
            cells,
            tmp,
            to=job["target"],
            fmt=job["fmt"],
            agency=job["agency"],
            year=job["year"],
            style=Style(seed=job["i"], blank="mixed" if job["i"] % 4 == 0 else ""),
        )
        os.replace(tmp, path)
    return cells.assign(file=name)


def generate(workdir: Path, n: int, mix: list[str], jobs: int) -> Path:
    """workdir/reports holds reports 0..n-1 (made once); workdir/truth.parquet their cells."""
    folder = workdir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    truth_file = workdir / "truth.parquet"
    if (
        truth_file.exists()
        and len(pd.read_parquet(truth_file, columns=["file"]).file.unique()) >= n
    ):
        return truth_file
    t0 = time.monotonic()
    with ProcessPoolExecutor(jobs) as pool:
        parts = list(
            pool.map(render_one, [plan(i, mix) for i in range(n)], [str(folder)] * n, chunksize=20)
        )
    pd.concat(parts, ignore_index=True).to_parquet(truth_file)
    print(f"generated {n} reports in {time.monotonic() - t0:.0f} s", flush=True)
    return truth_file


def subset(workdir: Path, n: int) -> Path:
    """A folder of hard links to the first n reports."""
    folder = workdir / f"first-{n}"
    folder.mkdir(exist_ok=True)
    for p in sorted(p for p in (workdir / "reports").iterdir() if not p.name.startswith("."))[:n]:
        if not (folder / p.name).exists():
            os.link(p, folder / p.name)
    return folder


def snapshot(workdir: Path) -> Path:
    """A copy of toolkit/ as it is now: edits made while the
    benchmark runs change neither its code nor its cache key."""
    dest = workdir / "snapshot"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(
        ROOT / "toolkit", dest / "toolkit", ignore=shutil.ignore_patterns("__pycache__")
    )
    return dest


def _tree(root: int) -> list[int]:
    """root and all its descendants, from /proc/*/stat parent ids."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, frontier = [root], [root]
    while frontier:
        frontier = [p for p, pp in parent.items() if pp in frontier]
        out += frontier
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of one process, 0 where it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            fields = dict(line.split(":", 1) for line in fh if line.startswith(("Rss:", "Pss:")))
        return int(fields["Rss"].split()[0]) << 10, int(fields["Pss"].split()[0]) << 10
    except (OSError, KeyError, ValueError):
        return 0, 0


def _cpu_seconds(pid: int) -> float:
    """user + system CPU time of one process so far (0 where it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run cmd; wall time, CPU time of the whole tree, peak
    tree RSS and PSS, the build process's own peak RSS."""
    t0 = time.monotonic()
    load = os.getloadavg()[0]
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": str(cwd)}
    )
    peak = {"rss": 0, "pss": 0, "parent_rss": 0}
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        pids = _tree(proc.pid)
        mem = {pid: _memory(pid) for pid in pids}
        cpu |= {pid: max(cpu.get(pid, 0.0), _cpu_seconds(pid)) for pid in pids}
        peak["rss"] = max(peak["rss"], sum(r for r, _ in mem.values()))
        peak["pss"] = max(peak["pss"], sum(p for _, p in mem.values()))
        peak["parent_rss"] = max(peak["parent_rss"], mem.get(proc.pid, (0, 0))[0])
        time.sleep(0.2)
    out = proc.stdout.read()
    return peak | {
        "seconds": time.monotonic() - t0,
        "cpu": sum(cpu.values()),
        "output": out.strip(),
        "code": proc.returncode,
        "load": (load + os.getloadavg()[0]) / 2,
    }


def exact_share(out: Path, truth: pd.DataFrame) -> tuple[int, int]:
    """(reports whose every cell equals the rendered one, reports read)."""
    from toolkit import load_dataset

    ds = load_dataset(out, verify=False)
    cells = ds.cells.merge(ds.reports[["report_id", "file"]], on="report_id")
    m = truth.merge(
        cells[["file", "table", "row", "col", "value"]],
        on=["file", "table", "row", "col"],
        how="left",
        suffixes=("", "_read"),
    )
    same = (m.value == m.value_read).fillna(False) | (m.value.isna() & m.value_read.isna())
    per_file = same.groupby(m.file).all()
    return int(per_file.sum()), int((ds.reports.status != "failed").sum())


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument(
        "--mix",
        default=MIX,
        help=f"format:weight,… (default {MIX}); targets as in toolkit.testing.render.TARGETS",
    )
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ogi-bench-corpus"
    )
    args = ap.parse_args()
    truth = pd.read_parquet(generate(args.workdir, max(args.sizes), mix_list(args.mix), args.jobs))
    code = snapshot(args.workdir)
    print(f"mix {args.mix}; {args.jobs} workers; {os.cpu_count()} cores")
    print(
        f"{'reports':>8} {'run':>5} {'seconds':>8} {'reports/s':>9} {'CPU s':>7} "
        f"{'idle est. s':>11} {'load':>5} "
        f"{'peak RSS MB':>11} {'peak PSS MB':>11} {'build proc MB':>13}  exact/read  summary"
    )
    for n in args.sizes:
        folder = subset(args.workdir, n)
        cache = args.workdir / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        for run in ("cold", "warm"):
            out = args.workdir / f"out-{n}-{run}"
            cmd = [
                sys.executable,
                "-m",
                "toolkit",
                "build",
                str(folder),
                "--out",
                str(out),
                "--cache",
                str(cache),
                "--jobs",
                str(args.jobs),
                "-q",
            ]
            r = measure(cmd, code)
            exact, read = exact_share(out, truth[truth.file.isin(os.listdir(folder))])
            print(
                f"{n:>8} {run:>5} {r['seconds']:>8.1f} {n / r['seconds']:>9.1f} {r['cpu']:>7.0f} "
                f"{r['cpu'] / args.jobs:>11.0f} {r['load']:>5.1f} {r['rss'] / 2**20:>11.0f} "
                f"{r['pss'] / 2**20:>11.0f} {r['parent_rss'] / 2**20:>13.0f}  {exact:>5}/{read:<5} "
                f"{r['output'].splitlines()[0] if r['output'] else r['code']}",
                flush=True,
            )
        same = all(
            (args.workdir / f"out-{n}-cold" / f).read_bytes()
            == (args.workdir / f"out-{n}-warm" / f).read_bytes()
            for f in os.listdir(args.workdir / f"out-{n}-cold")
        )
        print(f"{'':>8} cold and warm outputs byte-identical: {same}")
    print(
        "CPU s: user+system time of the whole process tree; idle est. s = CPU s / workers, "
        "the wall time on an otherwise idle machine; load: the 1-minute load average while it ran "
        "(other work competes for the cores). "
        "RSS counts pages the workers share once per process; PSS splits them."
    )


if __name__ == "__main__":
    main()
