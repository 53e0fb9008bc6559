"""The platform code of a scale (一秤一码): short, unambiguous, self-checking.

Pure module, no Django. A code is 10 characters from a 31-symbol alphabet without the look-alikes
I, L, O, U and Z; the last character is a check character chosen so that
Σ (position+1) × value ≡ 0 (mod 31). Because 31 is prime and every weight is below 31, any
single wrong character and any swap of two neighbouring characters is detected, and a code with
one wrong character can be repaired by trying every replacement.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
LENGTH = 10
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)  # 31, prime
# What people type for a character that is not in the alphabet.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V", "Z": "2"})


class CodeError(ValueError):
    """Text that is not a well-formed platform code."""


def _weighted_sum(chars: str) -> int:
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(chars))


def check_character(payload: str) -> str:
    """The character that makes ``payload`` (9 characters) a valid code."""
    if len(payload) != LENGTH - 1 or any(ch not in _VALUE for ch in payload):
        raise CodeError(f"a code payload is {LENGTH - 1} characters of {ALPHABET}")
    inverse_of_weight = pow(LENGTH, -1, _MODULUS)
    return ALPHABET[(-_weighted_sum(payload) * inverse_of_weight) % _MODULUS]


def make(payload: str) -> str:
    return payload + check_character(payload)


def generate(rng: object | None = None) -> str:
    """A new random code (``rng`` a ``random.Random`` for reproducible demo data)."""
    choice = getattr(rng, "choice", None) or secrets.choice
    return make("".join(choice(ALPHABET) for _ in range(LENGTH - 1)))


def normalise(text: str) -> str:
    """Upper-case, drop spaces and hyphens, and map look-alike letters to what they mean."""
    return "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)


def is_valid(code: str) -> bool:
    return (
        len(code) == LENGTH
        and all(ch in _VALUE for ch in code)
        and _weighted_sum(code) % _MODULUS == 0
    )


def validate(text: str) -> str:
    """The normalised code, or ``CodeError`` saying what is wrong with it."""
    code = normalise(text)
    if len(code) != LENGTH:
        raise CodeError(f"a scale code has {LENGTH} characters, not {len(code)}")
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise CodeError(f"characters not used in scale codes: {''.join(bad)}")
    if not is_valid(code):
        raise CodeError("the check character does not match: a character is mistyped")
    return code


def single_character_repairs(text: str) -> Iterator[str]:
    """Every valid code that differs from ``text`` in exactly one position."""
    code = normalise(text)
    if len(code) != LENGTH:
        return
    for i in range(LENGTH):
        for ch in ALPHABET:
            if ch != code[i]:
                candidate = code[:i] + ch + code[i + 1 :]
                if is_valid(candidate):
                    yield candidate


def display(code: str) -> str:
    """Grouped for reading aloud and printing: ``ABCD-EFG-HJK``."""
    return f"{code[:4]}-{code[4:7]}-{code[7:]}"
