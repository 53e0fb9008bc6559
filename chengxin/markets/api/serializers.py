"""Markets, stalls and vendors as the API shows and accepts them.

A stall shows its vendor only by id: stalls are visible to verification institutions, vendors'
personal data is not.
"""

from __future__ import annotations

from chengxin.core.api.serializers import RestrictedModelSerializer
from chengxin.markets.models import Market, Stall, Vendor


class MarketSerializer(RestrictedModelSerializer):
    class Meta:
        model = Market
        fields = ("id", "name", "operator", "division", "address")


class StallSerializer(RestrictedModelSerializer):
    class Meta:
        model = Stall
        fields = ("id", "market", "number", "vendor", "is_fair_scale_point")


class StallUpdateSerializer(StallSerializer):
    class Meta(StallSerializer.Meta):
        read_only_fields = ("market",)


class VendorSerializer(RestrictedModelSerializer):
    class Meta:
        model = Vendor
        fields = ("id", "market", "name", "phone", "id_number", "uscc")


class VendorUpdateSerializer(VendorSerializer):
    class Meta(VendorSerializer.Meta):
        read_only_fields = ("market",)
