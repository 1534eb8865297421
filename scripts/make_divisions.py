"""Derive toolkit/schema/divisions.csv from maintained administrative-division data (run by hand).

Sources (downloaded with ``pip download --no-deps``, unzipped beside this script's arguments):

- jionlp 1.5.31 (Apache-2.0): ``dictionary/china_location.zip`` (provinces, prefectures and counties
  with their GB/T 2260 codes, vintage 2025-11) and ``dictionary/china_location_change.txt`` (dated
  renames and abolitions since 2002).
- GB2260 0.4.1 (BSD): ``gb2260/data.py``, the codes as published by the NBS up to 2014, for the
  codes of divisions renamed or abolished since (jionlp's change list names them but has no codes).

Usage::

    python scripts/make_divisions.py JIONLP_DICTIONARY_DIR GB2260_PACKAGE_DIR \
        > toolkit/schema/divisions.csv
"""

from __future__ import annotations

import csv
import sys
import zipfile
from pathlib import Path

LEVELS = ("province", "prefecture", "county")


def current(jionlp: Path) -> list[dict]:
    """Every province, prefecture and county of jionlp's current vintage, with its parent's code."""
    with zipfile.ZipFile(jionlp / "china_location.zip") as zf:
        text = zf.read("china_location.txt").decode("utf-8")
    rows, parents = [], {}
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        if depth > 2 or len(parts) < 2 or not parts[1].isdigit():
            continue
        name, code = parts[0], parts[1]
        parents[depth] = code
        parent = parents.get(depth - 1, "") if depth else ""
        if depth == 1 and code == parent:  # a municipality repeats itself as its own prefecture
            continue
        rows.append({"adcode": code, "name": name, "level": LEVELS[depth], "parent": parent})
    return rows


def changes(jionlp: Path) -> list[tuple[str, list[str], list[str]]]:
    out = []
    for line in (jionlp / "china_location_change.txt").read_text("utf-8").splitlines():
        if "=>" not in line:
            continue
        left, right = line.split("=>")
        left = left.split("\t")
        date, old = left[0], left[2::2]  # full names: province, prefecture, county
        out.append((date, [n for n in old if n], [n for n in right.split("\t") if n]))
    return out


def main(jionlp: str, gb: str) -> None:
    sys.path.insert(0, gb)
    from gb2260.data import data

    gb_codes: dict[str, set[str]] = {}  # name -> every code it had in a GB2260 revision
    for rev in data.values():
        for code, name in rev.items():
            gb_codes.setdefault(name, set()).add(str(code))
    rows = current(Path(jionlp))
    for r in rows:
        r["valid_from"] = r["valid_to"] = ""
    for date, old, new in changes(Path(jionlp)):
        old_row = _locate(rows, old, gb_codes)
        new_row = _locate(rows, new, gb_codes, current_only=True)
        if old_row is None or old_row["name"] == new[-1]:
            continue
        if new_row is not None:
            new_row["valid_from"] = max(new_row["valid_from"], date)
        if old_row in rows:
            old_row["valid_to"] = date
        else:
            rows.append(old_row | {"valid_from": "", "valid_to": date})
    seen, w = set(), csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["adcode", "name", "level", "parent", "valid_from", "valid_to"])
    for r in sorted(rows, key=lambda r: (r["adcode"], r["valid_to"] or "9999")):
        key = (r["adcode"], r["name"])
        if key in seen:
            continue
        seen.add(key)
        w.writerow([r[k] for k in ("adcode", "name", "level", "parent", "valid_from", "valid_to")])


def _locate(rows, names, gb_codes, *, current_only=False):
    """The row of a division named by its chain of names (province[, prefecture[, county]])."""
    code = ""
    found = None
    for depth, name in enumerate(names):
        parent = code
        match = [
            r
            for r in rows
            if r["name"] == name and r["level"] == LEVELS[depth] and r["parent"] == parent
        ]
        if match:
            found, code = match[0], match[0]["adcode"]
            continue
        if current_only:
            return None
        prefix = parent[: 2 * depth]
        codes = sorted(c for c in gb_codes.get(name, ()) if c.startswith(prefix))
        if len(codes) != 1:
            return None
        code = codes[0]
        found = {"adcode": code, "name": name, "level": LEVELS[depth], "parent": parent}
    return found


if __name__ == "__main__":
    main(*sys.argv[1:3])
