"""The leaf encoding (``ledger.leaves``): the bytes the log hashes must not depend on the encoder.

The format is defined by what Python's own ``json`` writes with sorted keys, no white space and
no ASCII escaping; the platform writes it with orjson. Plain pytest and hypothesis, no database.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.ledger import leaves
from chengxin.testing.strategies import json_text, json_values


def reference(value: Any) -> bytes:
    """The format's definition, spelled with the standard library."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# Every value a v1 leaf may hold (``json_values``): no floats, integers within 64 bits, any text.
_values = json_values()


@settings(max_examples=400)
@given(_values)
def test_the_platform_writes_exactly_the_reference_bytes(value: Any) -> None:
    assert leaves.canonical_json(value) == reference(value)


@given(st.dictionaries(json_text, _values, min_size=2, max_size=8))
def test_keys_sort_by_code_point_like_the_reference(value: dict[str, Any]) -> None:
    assert leaves.canonical_json(value) == reference(value)


def test_a_lone_surrogate_is_refused_as_the_reference_refuses_it() -> None:
    with pytest.raises(UnicodeEncodeError):
        reference({"name": "\ud800"})
    with pytest.raises(TypeError):  # orjson.JSONEncodeError is a TypeError
        leaves.canonical_json({"name": "\ud800"})


def _leaf(**fields: Any) -> bytes:
    body = {"type": leaves.LEAF_TYPE, "v": leaves.LEAF_VERSION, **fields}
    return reference(body)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"after": {"mass": 1.5}}, "decimals are strings"),
        ({"after": {"mass": 1e16}}, "decimals are strings"),
        ({"id": 2**64}, "not a v1 leaf"),
    ],
)
def test_a_leaf_with_a_float_or_a_huge_integer_is_refused(fields: Any, expected: str) -> None:
    with pytest.raises(leaves.LeafError, match=expected):
        leaves.parse_leaf(_leaf(**fields))


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_leaf_with_a_non_finite_number_is_refused(constant: bytes) -> None:
    data = _leaf(after={"mass": 0}).replace(b'"mass":0', b'"mass":' + constant)
    with pytest.raises(leaves.LeafError, match="decimals are strings"):
        leaves.parse_leaf(data)
