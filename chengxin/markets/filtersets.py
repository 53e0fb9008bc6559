"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from chengxin.core.filtersets import DivisionFilter

from .models import Market, Stall, Vendor


class MarketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("市场名称"))
    division = DivisionFilter()
    operator = django_filters.NumberFilter(field_name="operator_id", label=_("市场开办者"))

    class Meta:
        model = Market
        fields = ["operator"]


class StallFilterSet(django_filters.FilterSet):
    market = django_filters.NumberFilter(field_name="market_id")

    class Meta:
        model = Stall
        fields = ["market"]


class VendorFilterSet(django_filters.FilterSet):
    market = django_filters.NumberFilter(field_name="market_id")

    class Meta:
        model = Vendor
        fields = ("market",)
