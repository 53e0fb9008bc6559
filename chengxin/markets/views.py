"""Console pages for markets: the list, one market with its stalls and scales."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from chengxin.core.permissions import visible
from chengxin.core.views import Column, ObjectDetailView, ObjectHistoryView, ObjectListView
from chengxin.instruments.models import Scale
from chengxin.instruments.views import may_see_vendors, vendor_name_subquery

from .filtersets import MarketFilterSet
from .models import Market, Stall

SCALES_SHOWN = 100


def _visible_scale_count(user: Any) -> Coalesce:
    """Visible scales per market as a correlated subquery: counted only for the rows shown."""
    per_market = (
        visible(Scale, user)
        .filter(market_id=OuterRef("pk"))
        .order_by()
        .values("market_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_market, output_field=IntegerField()), 0)


class MarketListView(ObjectListView):
    model = Market
    filterset_class = MarketFilterSet
    title = _("市场")
    columns = (
        Column("name", _("市场名称"), order_by="name", link=True),
        Column("operator", _("市场开办者"), "operator.name"),
        Column("division", _("所在区划"), "division.name", order_by="division_id"),
        Column("address", _("地址")),
        Column("scales", _("计价秤数量"), "scale_count", css="num"),
    )
    default_ordering = ("division_id", "name", "pk")
    select_related = ("operator", "division")
    csv_filename = "markets"

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super().get_queryset(request).annotate(scale_count=_visible_scale_count(request.user))
        )


class MarketDetailView(ObjectDetailView):
    model = Market
    template_name = "markets/market_detail.html"
    select_related = ("operator", "division")

    def get_context(self, request: HttpRequest, market: Market) -> dict[str, Any]:
        user = request.user
        stalls = (
            visible(Stall, user)
            .filter(market=market)
            .annotate(vendor_name_visible=vendor_name_subquery(user))
            .order_by("number")
        )
        scales = (
            visible(Scale, user)
            .filter(market=market)
            .select_related("type_approval", "stall")
            .order_by("stall__number", "pk")
        )
        return {
            "stalls": list(stalls),
            "show_vendors": may_see_vendors(user),
            "scales": list(scales[:SCALES_SHOWN]),
            "scales_shown": SCALES_SHOWN,
            "scales_url": reverse("instruments:scale_list")
            + "?"
            + urlencode({"market": market.pk}),
        }


class MarketHistoryView(ObjectHistoryView):
    model = Market
