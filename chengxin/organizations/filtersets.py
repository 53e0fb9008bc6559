"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chengxin.core.filtersets import DivisionFilter

from .choices import OrganisationKind
from .models import Authorisation, Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索（名称、信用代码）"))
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("机构类型"))
    division = DivisionFilter()

    class Meta:
        model = Organisation
        fields = ["kind"]

    def search(
        self, queryset: QuerySet[Organisation], name: str, value: str
    ) -> QuerySet[Organisation]:
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(uscc=value.upper())) if value else queryset
        )


class AuthorisationFilterSet(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = Authorisation
        fields = ["organisation", "kind"]
