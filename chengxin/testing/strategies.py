"""Hypothesis strategies shared by tests that hold two encoders of the same JSON byte-equal."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

json_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
"""Any text an encoder must write (no lone surrogates: those are refused, not encoded)."""

_awkward = st.sampled_from(
    ["", "\x00\x1f\x7f", '"\\/', "\u2028", "a\u2029b", "杭州市", "\U0001f600", "é"]
)


def json_values(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """JSON values without floats, integers within 64 bits, text with control characters,
    quotes, backslashes, CJK, astral planes and U+2028/2029 in values and in keys."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**64 - 1)
        | json_text
        | _awkward
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_text, inner, max_size=5),
        max_leaves=max_leaves,
    )
