"""The printed words of the national tables, and how near a printed text is to one of them.

One lexicon (row, column and header words of ``codes.csv`` and ``markers.csv``) and one normal
form for comparing label text, whatever reader printed it: NFKC, no whitespace at all (a PDF text
layer puts spaces inside words), dash and punctuation variants folded, Traditional to Simplified,
look-alike glyphs (``look_alikes.csv``) to the character they stand for. The ordered alignment of
labels to rows (``toolkit.extract.align``) and the readers' own questions ("does this page hold
the tables?") both ask here, so no reader carries a matcher of its own.

Similarity is rapidfuzz's normalized Levenshtein similarity (1 − edits / length): one misread
character in a five-character label is 0.8, while a sentence that shares most of a label's
characters in another order (prose about the tables) stays far below it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from toolkit import schema

MIN_CHARS = 4  # shorter text is too little to tell one template phrase from another
SURE = 0.8  # a misprinted label this near its phrase is read as it (one character in five)
NEAR = 0.7  # nearer than this it is read as it only where the table's identities then hold
MARGIN = 0.05  # and it must beat the next nearest phrase by this much
NUMBERING = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|\d{1,2}\s*[.、．,，](?!\d)|[①-⑳])\s*"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DROP = re.compile(r"[\s\u3000*※:：;；,，、.。\"'“”‘’]+")
_DASHES = str.maketrans({c: "-" for c in "—–－―‐‑﹣−"})


@cache
def _alike_table() -> dict[int, str]:
    """Look-alike glyph -> the character it stands for (one-to-one only: 己/已 stay as printed)."""
    pairs = schema.look_alikes()
    back: dict[str, set[str]] = {}
    for ch, alikes in pairs.items():
        for a in alikes:
            back.setdefault(unicodedata.normalize("NFKC", a), set()).add(ch)
    return {
        ord(a): next(iter(chs))
        for a, chs in back.items()
        if len(a) == 1 and len(chs) == 1 and a not in pairs and not a.isascii()
    }


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """The label text as compared: NFKC, Simplified, no whitespace or punctuation, no numbering.

    Examples
    --------
    >>> normal("（一） 予以 公開")
    '予以公开'
    """
    text = unicodedata.normalize("NFKC", text or "").translate(schema.t2s())
    text = text.translate(_alike_table()).translate(_DASHES)
    numbered = NUMBERING.match(text)
    if numbered and _HAN.search(text, numbered.end()):
        text = text[numbered.end() :]
    return _DROP.sub("", _footnote().sub("", text.rstrip()))


@cache
def _footnote() -> re.Pattern:
    return re.compile(f"[ \t]*{schema.footnote_regex()}$")


@cache
def lexicon() -> dict[str, str]:
    """Normal form of every phrase the tables print (row, column and header words) -> the phrase
    as the template prints it, without numbering."""
    out: dict[str, str] = {}
    for label in schema.codes().label_zh:
        for part in re.split(r"\s+\(2019:\s*|\)$|\s+", label):
            phrase = normal(part)
            if len(phrase) >= 2 and _HAN.search(phrase):
                out.setdefault(phrase, NUMBERING.sub("", part))
    for pattern in schema.markers().pattern:
        for word in pattern.split("|"):
            if re.fullmatch(r"[\u4e00-\u9fff]+", word):
                out.setdefault(word, word)
    return out


def _part_of_phrase(core: str) -> bool:
    """The start or end of a template phrase: a label wrapped into two cells, read whole by the
    label regexes across the break, never to be restored on its own."""
    return any(p.startswith(core) or p.endswith(core) for p in lexicon())


@cache
def _choices() -> tuple[str, ...]:
    return tuple(p for p in lexicon() if len(p) >= MIN_CHARS)


def similarity(a: str, b: str) -> float:
    """Normalized Levenshtein similarity of two label texts' normal forms, 0 to 1."""
    return Levenshtein.normalized_similarity(normal(a), normal(b))


@lru_cache(maxsize=8192)
def nearest(text: str) -> tuple[str, float] | None:
    """The template phrase a printed text misprints, and how near it is; None when it is a phrase
    already, too short, no label at all, or not clearly nearer one phrase than every other.

    Examples
    --------
    >>> nearest("（一）予以公开")  # exact: nothing to restore
    >>> nearest("本机关不掌屋相关政府信息")
    ('本机关不掌握相关政府信息', 0.917)
    """
    core = normal(text)
    if not MIN_CHARS <= len(core) <= 80 or core in lexicon() or not _HAN.search(core):
        return None
    if re.search(r"\d", core) or _part_of_phrase(core):
        return None  # a number or a note mark in it, or one part of a wrapped label
    scorer = Levenshtein.normalized_similarity
    found = process.extract(core, _choices(), scorer=scorer, limit=2)
    if not found or found[0][1] < NEAR:
        return None
    if len(found) == 2 and found[0][1] - found[1][1] < MARGIN:
        return None
    return found[0][0], round(found[0][1], 3)


def snap(text: str) -> tuple[str, float] | None:
    """A misprinted label restored to the template's words, its numbering kept, and the
    similarity; None where the label regexes read it whole as printed or :func:`nearest` finds
    nothing to restore."""
    if not _HAN.search(text):
        return None
    near = nearest(text)  # fast (rapidfuzz, remembered); the regexes only where it finds one
    if near is None or row_label_kind(unicodedata.normalize("NFKC", text)) == "whole":
        return None
    numbered = NUMBERING.match(text)
    return (numbered.group(0).strip() if numbered else "") + lexicon()[near[0]], near[1]


@cache
def _row_regexes() -> tuple[re.Pattern, ...]:
    tables = ("proactive", "applications")
    return tuple(
        schema.label_regex(t, code, fmt) for t in tables for code, fmt in schema.label_plan(t)
    )


def row_label_kind(text: str) -> str:
    """'whole' when a cell's text is one of the tables' row labels, 'starts' when it begins with
    one, else ''. `text` is folded (half-width brackets, Simplified)."""
    full = text.strip()
    numbered = NUMBERING.match(full)  # not every alias spells its '（二）', and some need it
    kinds = {_kind(flat) for flat in (full, full[numbered.end() :] if numbered else "") if flat}
    return "whole" if "whole" in kinds else "starts" if "starts" in kinds else ""


def _kind(flat: str) -> str:
    found = [rx.match(flat) for rx in _row_regexes()]
    if any(m and m.end() == len(flat) for m in found):
        return "whole"
    return "starts" if any(found) else ""


def count_row_labels(text: str) -> int:
    """How many of the tables' row labels a (folded) text holds."""
    return sum(bool(rx.search(text)) for rx in _row_regexes())


@cache
def row_labels(table: str) -> dict[str, str]:
    """Row code -> its printed label (the current wording) for one table."""
    df = schema.codes()
    sel = df[(df.table == table) & (df.kind == "row")]
    return {c: re.sub(r"\s+\(2019:.*\)$", "", lab) for c, lab in zip(sel.code, sel.label_zh)}
