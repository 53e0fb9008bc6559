from __future__ import annotations

import pytest

from chengxin.regions import codes
from chengxin.regions.models import Division


@pytest.mark.django_db
def test_current_divisions_are_loaded_with_their_hierarchy():
    xihu = Division.objects.get(code="330106")
    assert xihu.name == "西湖区" and xihu.level == "county" and xihu.is_current
    assert xihu.parent.code == "330100" and xihu.parent.parent.code == "330000"
    assert Division.objects.filter(level="province", valid_until__isnull=True).count() == 34


@pytest.mark.django_db
def test_retired_codes_are_kept_with_their_end_date():
    chaohu = Division.objects.get(code="341400")  # 巢湖市, split up in 2011
    assert chaohu.name == "巢湖市" and chaohu.valid_until is not None and not chaohu.is_current


@pytest.mark.django_db
def test_county_level_units_under_a_province_hang_from_the_province():
    xiantao = Division.objects.get(code="429004")
    assert xiantao.parent_id == "420000"


@pytest.mark.parametrize(
    ("outer", "inner", "inside"),
    [
        ("330000", "330106", True),
        ("330100", "330106", True),
        ("330106", "330106", True),
        ("330100", "330203", False),
        ("000000", "650102", True),
        ("330106", "330100", False),
    ],
)
def test_jurisdiction_is_a_code_prefix(outer, inner, inside):
    assert codes.contains(outer, inner) is inside
