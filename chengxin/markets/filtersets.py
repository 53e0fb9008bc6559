"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Market, Stall, Vendor


class MarketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("市场名称"))
    division = django_filters.CharFilter(method="in_division", label=_("区划代码"))
    operator = django_filters.NumberFilter(field_name="operator_id", label=_("市场开办者"))

    class Meta:
        model = Market
        fields = ["operator"]

    def in_division(self, queryset: QuerySet[Market], name: str, value: str) -> QuerySet[Market]:
        from chengxin.regions.codes import is_division_code, prefix_of

        value = value.strip()
        if not is_division_code(value):
            return queryset.none()
        return queryset.filter(division__code__startswith=prefix_of(value))


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
