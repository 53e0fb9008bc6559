"""Console pages for organisations: the directory, one organisation with its authorisations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from chengxin.core.permissions import visible
from chengxin.core.views import (
    Column,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    choice_label,
)
from chengxin.regions.models import Division

from .choices import InstrumentKind, OrganisationKind
from .filtersets import OrganisationFilterSet
from .models import Authorisation, Organisation


class OrganisationListView(ObjectListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    title = _("机构")
    columns = (
        Column("name", _("名称"), order_by="name", link=True),
        Column("kind", _("机构类型"), choice_label("kind"), order_by="kind"),
        Column("uscc", _("统一社会信用代码"), order_by="uscc", css="code"),
        Column("division", _("所在区划"), "division.name", order_by="division_id"),
        Column("is_active", _("有效"), order_by="is_active"),
    )
    default_ordering = ("kind", "division_id", "name", "pk")
    select_related = ("division",)
    csv_filename = "organisations"


class OrganisationDetailView(ObjectDetailView):
    model = Organisation
    template_name = "organizations/organisation_detail.html"
    select_related = ("division",)

    def get_context(self, request: HttpRequest, org: Organisation) -> dict[str, Any]:
        authorisations = list(
            visible(Authorisation, request.user)
            .filter(organisation=org)
            .select_related("issued_by")
            .order_by("-valid_until")
        )
        codes = {c for a in authorisations for c in a.division_codes}
        names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
        kinds = dict(InstrumentKind.choices)
        links = []
        if org.kind == OrganisationKind.MANUFACTURER:
            query = urlencode({"manufacturer": org.pk})
            links = [
                (_("型式批准"), reverse("instruments:type_approval_list") + "?" + query),
                (_("电子计价秤"), reverse("instruments:scale_list") + "?" + query),
            ]
        elif org.kind == OrganisationKind.MARKET_OPERATOR:
            links = [
                (
                    _("市场"),
                    reverse("markets:market_list") + "?" + urlencode({"operator": org.pk}),
                )
            ]
        return {
            "authorisations": [
                {
                    "auth": a,
                    "kinds": [str(kinds.get(k, k)) for k in a.instrument_kinds],
                    "divisions": [f"{names.get(c, '')}（{c}）" for c in a.division_codes],
                }
                for a in authorisations
            ],
            "links": links,
        }


class OrganisationHistoryView(ObjectHistoryView):
    model = Organisation
