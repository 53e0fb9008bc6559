"""The platform code: every single-character error and neighbour swap is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengxin.instruments import codes

payloads = st.text(alphabet=codes.ALPHABET, min_size=9, max_size=9)


@given(payloads)
def test_a_made_code_is_valid(payload):
    assert codes.is_valid(codes.make(payload))


@given(payloads, st.integers(0, 9), st.sampled_from(codes.ALPHABET))
def test_any_single_wrong_character_is_detected(payload, position, replacement):
    code = codes.make(payload)
    typo = code[:position] + replacement + code[position + 1 :]
    assert codes.is_valid(typo) is (typo == code)


@given(payloads, st.integers(0, 8))
def test_any_swap_of_neighbours_is_detected(payload, position):
    code = codes.make(payload)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert codes.is_valid(swapped) is (swapped == code)


@given(payloads, st.integers(0, 9), st.sampled_from(codes.ALPHABET))
def test_a_single_typo_can_be_repaired_to_the_original(payload, position, replacement):
    code = codes.make(payload)
    typo = code[:position] + replacement + code[position + 1 :]
    if typo != code:
        assert code in set(codes.single_character_repairs(typo))


def test_lookalikes_and_grouping_are_normalised():
    code = codes.make("0A1B2C3D4")
    typed = codes.display(code).lower().replace("0", "o").replace("1", "l")
    assert codes.validate(typed) == code


@pytest.mark.parametrize(
    ("text", "message"),
    [("ABC", "10 characters"), ("ABCDEFGH!J", "not used"), ("0000000001", "check character")],
)
def test_bad_codes_say_what_is_wrong(text, message):
    with pytest.raises(codes.CodeError, match=message):
        codes.validate(text)
