"""A dataset (and its panel) for Stata, R and everything else: ``.dta`` files with variable and
value labels, or Parquet/CSV with a Frictionless descriptor.

Stata's limits are met by a documented mapping, written beside the files as ``stata_names.csv``:

* names: at most 32 characters of ``[A-Za-z0-9_]``; long words are shortened by :data:`SHORT`, then
  the name is cut to 32 characters and made unique with a numeric suffix;
* variable labels: at most 80 characters, ``中文 | English`` from the data dictionary
  (``schema/fields.csv``), cut with ``…``;
* categorical codes (``table, row, col, status, na_reason, level, agency_type``) become integers
  with value labels ``code 中文标签`` (the official wording from ``codes.csv``, the vocabularies of
  ``levels.csv`` and ``agency_types.csv``); ``pandas.read_stata`` gives the labels back;
* NA: numbers and booleans become Stata's missing ``.``, a string NA the empty string (Stata has
  no other missing string); ``adcode`` stays a 6-character string, so leading digits are kept.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from toolkit.schema import fields

FORMATS = ("stata", "parquet", "csv")
CATEGORICAL = ("table", "row", "col", "status", "na_reason", "level", "agency_type")
SHORT = {
    "appeals_per_100": "appeals100",
    "reconsideration": "recon",
    "litigation": "litig",
    "unavailable": "unavail",
    "withholding": "withhold",
    "disclosure": "discl",
    "applications": "apps",
    "format_": "fmt_",
}
LABEL_MAX = 80
NAME_MAX = 32
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int"}
STATA_RESERVED |= {"long", "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}


def export(
    frames: Mapping[str, pd.DataFrame], to: str, out: str | Path, *, version: int = 118
) -> list[Path]:
    """Write named tables (``reports``, ``cells``, ``checks``, ``errors``, ``panel``) for Stata, R
    or any tool.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        The tables to write, by resource name; the data dictionary (``schema/fields.csv``) labels
        their columns (a panel's ``<measure>_num``/``_den`` are labelled from their measure's).
    to : {'stata', 'parquet', 'csv'}
        ``stata``: one ``.dta`` per table (format `version`, Unicode) and ``stata_names.csv``;
        ``parquet``/``csv``: one file per table and a Frictionless ``datapackage.json``.
    out : str or Path
        The folder to write into (created).
    version : int, default 118
        The ``.dta`` format (118 and 119 are Unicode).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        If `to` is not one of :data:`FORMATS`.
    """
    if to not in FORMATS:
        raise ValueError(f"to={to!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if to == "stata":
        return _stata(frames, out, version)
    written = []
    for name, df in frames.items():
        path = out / f"{name}.{'parquet' if to == 'parquet' else 'csv'}"
        if to == "parquet":
            df.to_parquet(path, index=False)
        else:
            df.to_csv(path, index=False, na_rep="", lineterminator="\n")
        written.append(path)
    desc = out / "datapackage.json"
    desc.write_text(json.dumps(descriptor(frames, to), ensure_ascii=False, indent=1), "utf-8")
    return [*written, desc]


def labels(resource: str, column: str) -> tuple[str, str]:
    """(中文, English) description of a column: the dictionary's, else the reports' (identity
    columns on the panel), else derived from its measure (``x_num``: numerator of x)."""
    for res in (resource, "reports"):
        found = fields.descriptions(res).get(column)
        if found:
            return found[0], found[1]
    for suffix, zh, en in (("_num", "分子", "numerator"), ("_den", "分母", "denominator")):
        if column.endswith(suffix):
            base = labels(resource, column.removesuffix(suffix))
            return f"{zh}：{base[0]}", f"{en.capitalize()} of: {base[1]}"
    return column, column


def stata_label(resource: str, column: str) -> str:
    """The variable label: '中文 | English', at most 80 characters."""
    zh, en = labels(resource, column)
    zh = re.split(r"[：:；;（(]", zh)[0]
    text = f"{zh} | {en}" if zh != en else en
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def stata_names(columns) -> dict[str, str]:
    """Column name -> a valid, unique Stata name (the documented mapping)."""
    out, used = {}, set()
    for col in columns:
        name = col
        for long, short in SHORT.items():
            name = name.replace(long, short)
        name = re.sub(r"\W", "_", name, flags=re.ASCII)
        if not re.match(r"[A-Za-z_]", name) or name in STATA_RESERVED:
            name = f"v_{name}"
        name = name[:NAME_MAX]
        k = 1
        while name in used:
            k += 1
            name = f"{name[: NAME_MAX - len(str(k)) - 1]}_{k}"
        used.add(name)
        out[col] = name
    return out


@cache
def value_labels(column: str) -> dict[str, str]:
    """code -> 'code 中文标签' for a categorical column (the labels Stata shows)."""
    if column in ("row", "col", "table"):
        codes = fields.codes()
        if column == "table":
            return {t: t for t in fields.tables()} | {"report": "report"}
        sel = codes[codes.kind == column]
        out: dict[str, str] = {}
        for c, z in zip(sel.code, sel.label_zh):
            out.setdefault(c, f"{c} {z}")
        return out
    vocab = {"level": "levels.csv", "agency_type": "agency_types.csv"}.get(column)
    if vocab:
        path = resources.files("toolkit.schema").joinpath(vocab)
        with path.open("r", encoding="utf-8") as fh:
            return {r["code"]: f"{r['code']} {r['label_zh']}" for r in csv.DictReader(fh)}
    return {}


def _stata(frames: Mapping[str, pd.DataFrame], out: Path, version: int) -> list[Path]:
    written, mapping = [], []
    for name, df in frames.items():
        names = stata_names(df.columns)
        data = pd.DataFrame({names[c]: _stata_column(df[c], c) for c in df.columns})
        var_labels = {names[c]: stata_label(name, c) for c in df.columns}
        strl = [c for c in data if data[c].dtype == object and data[c].str.len().max() > 2045]
        path = out / f"{name}.dta"
        data.to_stata(
            path,
            write_index=False,
            version=version,
            variable_labels=var_labels,
            convert_strl=strl,
            data_label=f"OGI annual reports: {name} (toolkit {fields.TOOLKIT_VERSION})"[:80],
        )
        written.append(path)
        mapping += [(name, c, names[c], var_labels[names[c]]) for c in df.columns]
    path = out / "stata_names.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["table", "column", "stata_name", "label"])
        w.writerows(mapping)
    return [*written, path]


def _stata_column(s: pd.Series, column: str) -> pd.Series:
    """One column as Stata can hold it: labelled integers, floats with missing, or strings."""
    if column in CATEGORICAL:
        known = value_labels(column)
        values = s.astype("string")
        cats = list(dict.fromkeys([*known, *sorted(set(values.dropna()) - set(known))]))
        cat = pd.Categorical(values.to_numpy(dtype=object, na_value=None), categories=cats)
        return pd.Series(cat.rename_categories([known.get(c, c) for c in cats]), index=s.index)
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s):
        if not s.isna().any():  # a whole column of integers stays one (Stata byte/int/long)
            return s.astype("int64").to_numpy()
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("Float64").to_numpy(dtype="float64", na_value=float("nan"))
    return s.astype("string").fillna("").to_numpy(dtype=object)


FRICTIONLESS = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def descriptor(frames: Mapping[str, pd.DataFrame], to: str) -> dict:
    """A Frictionless data package describing the written tables, with bilingual descriptions."""
    res = []
    for name, df in frames.items():
        schema = {"fields": [_field(name, c, df[c]) for c in df.columns], "missingValues": [""]}
        if name in fields.PRIMARY_KEYS and name != "checks":
            schema["primaryKey"] = fields.PRIMARY_KEYS[name]
        item = {"name": name, "path": f"{name}.{to}", "profile": "tabular-data-resource"}
        if to == "csv":
            item |= {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
        else:
            item |= {"format": "parquet", "mediatype": "application/vnd.apache.parquet"}
        res.append(item | {"schema": schema})
    return {
        "name": "ogi-annual-reports-export",
        "profile": "tabular-data-package",
        "description": f"Exported by ogi-toolkit {fields.TOOLKIT_VERSION}",
        "resources": res,
    }


def _field(resource: str, column: str, s: pd.Series) -> dict:
    zh, en = labels(resource, column)
    if pd.api.types.is_bool_dtype(s):
        kind = "boolean"
    elif pd.api.types.is_integer_dtype(s):
        kind = "integer"
    elif pd.api.types.is_numeric_dtype(s):
        kind = "number"
    else:
        kind = "string"
    return {"name": column, "type": kind, "description": f"{zh} / {en}"}
