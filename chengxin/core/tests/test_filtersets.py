"""The shared division filter: a code means everything inside it; a bad code means nothing."""

from __future__ import annotations

import pytest

from chengxin.instruments.choices import ScaleState
from chengxin.instruments.filtersets import ScaleFilterSet
from chengxin.instruments.models import Scale
from chengxin.testing import factories as f


@pytest.mark.parametrize(
    ("division", "expected"),
    [("330000", {"xihu", "haishu"}), ("330100", {"xihu"}), ("330203", {"haishu"}),
     ("320000", set()), ("33", set()), ("", {"xihu", "haishu"})],
)  # fmt: skip
def test_division_filter_is_a_code_prefix(world, division, expected):
    xihu = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    haishu = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.other_market)
    names = {xihu.pk: "xihu", haishu.pk: "haishu"}
    found = ScaleFilterSet({"division": division}, queryset=Scale.objects.all()).qs
    assert {names[pk] for pk in found.values_list("pk", flat=True)} == expected
