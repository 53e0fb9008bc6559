"""GB/T 2260 code arithmetic: levels, parents and jurisdiction prefixes.

Pure functions, no Django: a jurisdiction is a code prefix (county 330106 ⊂ city 3301 ⊂
province 33), and every permission check in the platform relies on these few lines.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^\d{6}$")
NATION = "000000"  # not a GB/T 2260 code: the whole country, home of the national bureau


def is_division_code(code: str) -> bool:
    return bool(_CODE.match(code))


def level_of(code: str) -> str:
    """``nation``, ``province`` (xx0000), ``city`` (xxxx00) or ``county`` (anything else)."""
    if code == NATION:
        return "nation"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def prefix_of(code: str) -> str:
    """The prefix every code inside this division starts with."""
    level = level_of(code)
    if level == "nation":
        return ""
    if level == "province":
        return code[:2]
    if level == "city":
        return code[:4]
    return code


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str:
    return code[:4] + "00"


def contains(outer: str, inner: str) -> bool:
    """Whether division ``inner`` lies inside division ``outer`` (or is it)."""
    return inner.startswith(prefix_of(outer))
