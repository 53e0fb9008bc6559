"""Unified social credit code (统一社会信用代码, GB 32100-2015) with its GB/T 17710 check character.

Pure module, no Django: the check is a published algorithm anyone can re-implement.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class UsccError(ValueError):
    """A unified social credit code that is malformed or fails its check character."""


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code, or raise ``UsccError`` saying what is wrong."""
    code = code.strip().upper()
    if len(code) != 18:
        raise UsccError(f"a unified social credit code has 18 characters, not {len(code)}")
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise UsccError(f"characters not allowed in a unified social credit code: {''.join(bad)}")
    if not code[2:8].isdigit():
        raise UsccError("characters 3–8 must be a GB/T 2260 division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(f"check character is {code[17]}, expected {expected}")
    return code


def make(registering_authority: str, category: str, division: str, organisation: str) -> str:
    """Compose a valid code from its parts (used by demo data and tests)."""
    first17 = f"{registering_authority}{category}{division}{organisation}"
    if len(first17) != 17:
        raise UsccError("parts must add up to 17 characters")
    return first17 + check_character(first17)
