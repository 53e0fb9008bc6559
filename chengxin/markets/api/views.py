"""/api/v1/markets/, /stalls/ and /vendors/: reads restricted, writes via services.

Vendors are listed only to those whose jurisdiction rule (``Vendor.jurisdiction_q``) allows it:
the market's operator and regulators.
"""

from __future__ import annotations

from typing import Any

from rest_framework.serializers import BaseSerializer

from chengxin.core.api.viewsets import WritableViewSet
from chengxin.markets import services
from chengxin.markets.filtersets import MarketFilterSet, StallFilterSet, VendorFilterSet
from chengxin.markets.models import Market, Stall, Vendor

from .serializers import (
    MarketSerializer,
    StallSerializer,
    StallUpdateSerializer,
    VendorSerializer,
    VendorUpdateSerializer,
)

_UPDATES = ("update", "partial_update")


class MarketViewSet(WritableViewSet):
    queryset = Market.objects.all()
    serializer_class = MarketSerializer
    filterset_class = MarketFilterSet
    ordering_fields = ("id",)

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.market_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.market_update(
            user=self.request.user, market=self.instance_of(serializer), **serializer.validated_data
        )


class StallViewSet(WritableViewSet):
    queryset = Stall.objects.all()
    filterset_class = StallFilterSet
    ordering_fields = ("id",)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return StallUpdateSerializer if self.action in _UPDATES else StallSerializer

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.stall_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.stall_update(
            user=self.request.user, stall=self.instance_of(serializer), **serializer.validated_data
        )


class VendorViewSet(WritableViewSet):
    queryset = Vendor.objects.all()
    filterset_class = VendorFilterSet
    ordering_fields = ("id",)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return VendorUpdateSerializer if self.action in _UPDATES else VendorSerializer

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.vendor_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.vendor_update(
            user=self.request.user, vendor=self.instance_of(serializer), **serializer.validated_data
        )
