"""Which jurisdiction an agency belongs to (GB/T 2260 code and names) and what kind of agency it is.

The divisions are data (``schema/divisions.csv``, derived from jionlp's and GB2260's published
division lists; see ``schema/README.md`` for the vintage), read once. A name is resolved by reading
division names off its start, each inside the one before (北京市 → 朝阳区), keeping only divisions
valid during the report's year, so a renamed or abolished division gives the code it had then. A
name that fits more than one division gives no code and says which codes it could be: never a guess.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from toolkit.extract.validate import check_row

LEVELS = ("province", "prefecture", "county", "township", "other")
ANNOTATION = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
UNKNOWN = re.compile(r"^(?:unknown|未知|不详|n/?a)\b", re.I)
TOWNSHIP = re.compile(r"(?:镇|乡|街道|街道办事处|苏木)(?:人民政府|政府|办事处)?$")


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: str  # province, prefecture or county
    parent: str
    valid_from: str  # ISO date or ""
    valid_to: str  # ISO date or "" (still valid)

    def valid_in(self, year: int | None) -> bool:
        """Whether the division existed at any time during `year` (any year when None)."""
        if year is None:
            return not self.valid_to
        return (not self.valid_from or self.valid_from <= f"{year}-12-31") and (
            not self.valid_to or self.valid_to > f"{year}-01-01"
        )


def _read(name: str) -> list[dict]:
    with resources.files("toolkit.schema").joinpath(name).open("r", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def divisions() -> tuple[Division, ...]:
    """Every province, prefecture and county, current and former (``schema/divisions.csv``)."""
    return tuple(Division(**row) for row in _read("divisions.csv"))


@cache
def _by_name() -> dict[str, tuple[Division, ...]]:
    out: dict[str, list[Division]] = {}
    for d in divisions():
        out.setdefault(d.name, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _by_code() -> dict[str, Division]:
    out: dict[str, Division] = {}
    for d in divisions():
        if d.adcode not in out or not d.valid_to:
            out[d.adcode] = d
    return out


@cache
def _zones() -> dict[str, dict]:
    return {row["name"]: row for row in _read("zones.csv")}


@cache
def agency_types() -> tuple[tuple[str, re.Pattern | None], ...]:
    """(code, pattern on the words after the jurisdiction's name), in the order they are tried."""
    return tuple(
        (row["code"], re.compile(row["pattern"]) if row["pattern"] else None)
        for row in _read("agency_types.csv")
    )


def clean_name(value: object) -> str | None:
    """A name without an annotation: '长春市退役军人事务局 (inferred from URL …)' → the name;
    'unknown …' → None."""
    if value is None or not isinstance(value, str):
        return None
    text = value.strip()
    while ANNOTATION.search(text):
        text = ANNOTATION.sub("", text).strip()
    if not text or UNKNOWN.match(text) or "某" in text:
        return None
    return text


def resolve(agency: str | None, year: int | None = None, *, province: str | None = None) -> dict:
    """The jurisdiction and kind of an agency, from its name.

    Parameters
    ----------
    agency : str or None
        The agency's name as printed (e.g. ``北京市朝阳区人民政府``).
    year : int, optional
        The year the report covers: divisions renamed or abolished are matched as they were then.
    province : str, optional
        A province named elsewhere (the manifest, the text), used only to choose between divisions
        of the same name.

    Returns
    -------
    dict
        ``adcode`` (6 digits or None), ``province``, ``prefecture``, ``county`` (names, None where
        the agency sits above that level or the name does not say), ``level``, ``agency_type`` and
        ``reasons`` (a list of sentences: why a field is None, or what was ambiguous).
    """
    out = dict.fromkeys(("adcode", "province", "prefecture", "county", "level", "agency_type"))
    out["reasons"] = []
    name = clean_name(agency)
    if name is None:
        out["reasons"].append("the agency is not named")
        return out
    chain, rest, reason = _chain(name, year, _province_prefix(province))
    zone = next((z for z in _zones().values() if rest.startswith(z["name"])), None)
    if zone is not None and not chain:
        chain = _ancestry(_by_code()[zone["adcode"]])
        rest = rest[len(zone["name"]) :]
    if reason:
        out["reasons"].append(reason)
    out["agency_type"] = (
        _agency_type(rest, zone is not None) if rest or not chain or zone else "government"
    )
    if chain:
        deepest = chain[-1]
        out["adcode"] = deepest.adcode
        for d in chain:
            out[d.level] = d.name
        out["level"] = deepest.level
    elif not reason:
        former = _longest_any(rest)
        if former:
            out["agency_type"] = _agency_type(rest[former[1] :], False)
        out["reasons"].append(_unnamed(name, year, out["agency_type"]))
    if out["agency_type"] == "township" and TOWNSHIP.search(rest):
        out["level"] = "township"
    if zone is not None:
        out["level"] = zone["level"]
    return out


def province_named(text: str, *, head: int = 3000) -> str | None:
    """The one province the start of a document names in full (北京市, 福建省 …), else None: a
    hint to choose between divisions of the same name, never a code by itself."""
    window = text[:head]
    named = {name for name in _provinces() if name in window}
    return named.pop() if len(named) == 1 else None


@cache
def _provinces() -> tuple[str, ...]:
    return tuple(dict.fromkeys(d.name for d in divisions() if d.level == "province"))


def _province_prefix(province: str | None) -> str | None:
    """The 2-digit code of a province given by name ('北京', '福建省'), None when unknown."""
    province = clean_name(province)
    if not province:
        return None
    for d in divisions():
        if d.level == "province" and (d.name == province or d.name.startswith(province)):
            return d.adcode[:2]
    return None


def _chain(name: str, year: int | None, prefix: str | None) -> tuple[list[Division], str, str]:
    """The divisions named at the start of `name`, each inside the one before; the words left; and
    why the chain stopped short (an ambiguous name), or ''."""
    chain: list[Division] = []
    pos = 0
    while pos < len(name):
        found = _longest(name, pos, year, chain[-1] if chain else None, prefix)
        if found is None:
            break
        cands, length = found
        if len(cands) > 1:
            codes = ", ".join(sorted(c.adcode for c in cands))
            reason = f"{name[pos : pos + length]!r} names more than one division ({codes})"
            return [], name[pos + length :], reason
        chain = _ancestry(cands[0]) if not chain else [*chain, cands[0]]
        pos += length
    return chain, name[pos:], ""


def _longest(
    name: str, pos: int, year: int | None, parent: Division | None, prefix: str | None
) -> tuple[list[Division], int] | None:
    """The divisions whose name is the longest one starting at `pos` and fitting the chain; a
    province named elsewhere (`prefix`) only chooses between several, never rules out the one."""
    for end in range(min(len(name), pos + 20), pos + 1, -1):
        cands = [
            d
            for d in _by_name().get(name[pos:end], ())
            if d.valid_in(year) and (parent is None or _inside(d, parent))
        ]
        if len(cands) > 1 and parent is None and prefix is not None:
            cands = [d for d in cands if d.adcode.startswith(prefix)] or cands
        if cands:
            return cands, end - pos
    return None


def _unnamed(name: str, year: int | None, kind: str) -> str:
    """Why no division was found in `name`: one valid in another year, a township, or none."""
    found = _longest(name, 0, None, None, None) or _longest_any(name)
    if found:
        d = found[0][0]
        span = f"{d.valid_from or '…'} to {d.valid_to or 'now'}"
        return f"{d.name} ({d.adcode}) was not a division in {year} (valid {span})"
    if kind == "township":
        return f"{name!r} is a township whose county the name does not give"
    return f"no division of GB/T 2260 is named in {name!r}"


def _longest_any(name: str) -> tuple[list[Division], int] | None:
    """Divisions named at the start of `name` in any year."""
    for end in range(min(len(name), 20), 1, -1):
        if name[:end] in _by_name():
            return list(_by_name()[name[:end]]), end
    return None


def _inside(child: Division, parent: Division) -> bool:
    return child.parent == parent.adcode or (
        parent.level == "province" and child.adcode[:2] == parent.adcode[:2]
    )


def _ancestry(d: Division) -> list[Division]:
    """The division and every division above it, top first."""
    out = [d]
    while out[0].parent and out[0].parent in _by_code():
        out.insert(0, _by_code()[out[0].parent])
    return out


def _agency_type(rest: str, zone: bool) -> str:
    """The vocabulary code (schema/agency_types.csv) of the words after the jurisdiction's name."""
    if zone and not rest:
        return "zone"
    for code, pattern in agency_types():
        if pattern is None or pattern.search(rest):
            return code
    return "other"


def identity(document: dict, manifest: dict | None = None) -> tuple[dict, list[str]]:
    """The identity columns of a report from the document's own agency and year, the manifest's
    where given, and the notes a contradiction between the two gives.

    Parameters
    ----------
    document : dict
        ``agency`` and ``year`` as the document states them, and ``province_named``: the province
        its text names (:func:`province_named`), used only where the manifest gives none.
    manifest : dict, optional
        The manifest row (``agency``, ``province``, ``level``, ``year`` …), annotations allowed.

    Returns
    -------
    (dict, list of str)
        ``agency`` (a name only) and the fields of :func:`resolve`; the notes for ``checks``.
    """
    manifest = manifest or {}
    notes: list[str] = []
    stated = clean_name(document.get("agency"))
    given = clean_name(manifest.get("agency"))
    year = manifest.get("year") if manifest.get("year") is not None else document.get("year")
    hint = clean_name(manifest.get("province"))
    agency = given or stated
    out = resolve(agency, year, province=hint or document.get("province_named"))
    if given and stated and given != stated:
        other = resolve(stated, year, province=hint)
        if other["adcode"] and out["adcode"] and other["adcode"] != out["adcode"]:
            notes.append(
                f"the manifest's agency {given} ({out['adcode']}) is not the document's "
                f"{stated} ({other['adcode']})"
            )
        elif not out["adcode"] and other["adcode"]:
            out = other | {"reasons": out["reasons"] + other["reasons"]}
    if out["level"] is None and clean_name(manifest.get("level")):
        level = clean_name(manifest["level"])
        level = MANIFEST_LEVELS.get(level, level)
        out["level"] = level if level in LEVELS else None
    if hint and out["province"] and not out["province"].startswith(hint):
        notes.append(f"the manifest's province {hint} is not the agency's {out['province']}")
    return {"agency": agency} | out, notes


MANIFEST_LEVELS = {"city": "prefecture", "district": "county", "department": None}


def identity_checks(ident: dict, notes: list[str]) -> list[dict]:
    """The checks rows of a report's identity: why it has no code, and where the manifest and the
    document disagree (one row per scope, so the checks key stays unique)."""
    rows = []
    if ident.get("reasons"):
        why = "; ".join(ident["reasons"])
        status = "ambiguous" if "more than one division" in why else "note"
        rows.append(check_row("identity", "report", "adcode", status, why))
    if notes:
        rows.append(check_row("identity", "report", "manifest", "note", "; ".join(notes)))
    return rows
