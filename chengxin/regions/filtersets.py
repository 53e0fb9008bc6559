"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import DivisionLevel
from .models import Division


class DivisionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    code = django_filters.CharFilter(method="code_prefix", label=_("代码前缀"))
    parent = django_filters.CharFilter(field_name="parent_id", label=_("上级区划代码"))
    level = django_filters.ChoiceFilter(choices=DivisionLevel.choices, label=_("级别"))
    current = django_filters.BooleanFilter(
        field_name="valid_until", lookup_expr="isnull", label=_("现行")
    )

    class Meta:
        model = Division
        fields = ("parent", "level")

    def code_prefix(
        self, queryset: QuerySet[Division], name: str, value: str
    ) -> QuerySet[Division]:
        value = value.strip()
        return queryset.filter(code__startswith=value) if value else queryset
