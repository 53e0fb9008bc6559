"""The look-up's hand-built response matches the serializer fields it documents."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chengxin.instruments.api.serializers import ScaleDetailSerializer, _grams

_MASS = ScaleDetailSerializer().fields["max_capacity_g"]


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.9999"), places=6))
def test_a_mass_is_written_as_its_declared_decimal_field_writes_it(value: Decimal) -> None:
    # Up to six places in: the rounding to four must agree too, not only the formatting.
    assert _grams(value) == _MASS.to_representation(value)


def test_masses_keep_four_places() -> None:
    assert _grams(Decimal("15000")) == "15000.0000"
    assert _grams(Decimal("0.0000")) == "0.0000"
    assert _grams(Decimal("2.00005")) == "2.0000"  # half to even, as the field rounds
    assert _grams(Decimal("2.00015")) == "2.0002"
