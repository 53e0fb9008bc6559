from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengxin.organizations import uscc

# Published example codes (national enterprise credit information publicity system).
KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B", "91330000742906207U"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_validate(code):
    assert uscc.validate(code.lower()) == code


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_any_single_substitution_is_caught(first17):
    code = first17 + uscc.check_character(first17)
    for replacement in uscc.ALPHABET:
        forged = replacement + code[1:]
        assert (uscc.validate(forged) == forged) if forged == code else _rejects(forged)


def _rejects(code: str) -> bool:
    with pytest.raises(uscc.UsccError):
        uscc.validate(code)
    return True


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9135", "18 characters"),
        ("91350100M000100YI3", "not allowed"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_malformed_codes_say_why(code, message):
    with pytest.raises(uscc.UsccError, match=message):
        uscc.validate(code)
