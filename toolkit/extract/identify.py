"""Agency and the year the statistics cover, from the document's own words."""

from __future__ import annotations

import re

from toolkit.normalize import fold, fold_document

HEAD = 20000  # characters in which the title is looked for
_CJK_NAME = r"[\u4e00-\u9fff（）()·]{2,40}?"
_OGI = r"(?:政府|政务)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报\s*告|年报)"
_YEAR_OGI = rf"(?P<year>(?:19|20)\d\d)\s*年(?:度)?\s*(?:的)?\s*{_OGI}"
TITLE = re.compile(rf"(?P<agency>{_CJK_NAME})?\s*{_YEAR_OGI}")
# how every TITLE match ends: cheap to look for, where TITLE is slow to fail
TITLE_TAIL = re.compile(_YEAR_OGI)
TITLE_YEAR_FIRST = re.compile(
    rf"(?P<year>(?:19|20)\d\d)\s*年(?:度)?\s*(?P<agency>{_CJK_NAME})(?=政府信息公开|信息公开|政务公开){_OGI}"
)
NOISE = re.compile(r"^(?:现将|现予|现公布|现|特编制|编制|特此|发布|公布|关于|本|我)+")
PERIOD = re.compile(
    r"(?:统计期限|统计时限|统计期间|统计区间|数据统计)[^。]{0,12}?自?\s*(?P<year>(?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日"
)
STATS_YEAR = re.compile(
    r"(?P<year>(?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|-|—)\s*(?P=year)\s*年\s*12\s*月\s*31\s*日"
)
LEADING = re.compile(r"^(?:标题|title)\s*[:：]\s*", re.I)
AGENCY_TAIL = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|局|厅|部|署|院|委|办|街道办事处|街道|镇|乡|区|县|市|中心|实验区|新区)$"
)


def extract(text: str) -> dict:
    """{'agency', 'year', 'year_source', 'title'}: the statistics period wins over the title's
    year."""
    whole = fold_document(text)
    folded = whole if len(text) <= HEAD else fold(text[:HEAD])
    title = (TITLE_TAIL.search(folded) and TITLE.search(folded)) or TITLE_YEAR_FIRST.search(folded)
    out = {
        "agency": _agency(folded, title),
        "year": None,
        "year_source": None,
        "title": title.group(0).strip() if title else None,
    }
    for rx in (PERIOD, STATS_YEAR):
        m = rx.search(whole)
        if m:
            return out | {"year": int(m.group("year")), "year_source": "period"}
    if title:
        return out | {"year": int(title.group("year")), "year_source": "title"}
    return out


def _agency(text: str, title: re.Match | None) -> str | None:
    if title and title.group("agency"):
        name = NOISE.sub("", LEADING.sub("", title.group("agency")).strip())
        if len(name) >= 2 and AGENCY_TAIL.search(name):
            return name
    if title:
        before = text[: title.start()].strip().splitlines()
        for line in reversed(before[-3:]):
            line = LEADING.sub("", line.strip())
            if 2 <= len(line) <= 40 and AGENCY_TAIL.search(line) and not re.search(r"\d", line):
                return line
    return None
