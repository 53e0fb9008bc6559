"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chengxin.core.filtersets import DivisionFilter

from . import codes
from .choices import AccuracyClass, ScaleState, TypeApprovalStatus
from .models import Scale, TypeApproval


class ScaleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索（码、出厂编号）"))
    state = django_filters.MultipleChoiceFilter(choices=ScaleState.choices, label=_("状态"))
    division = DivisionFilter()
    manufacturer = django_filters.NumberFilter(field_name="manufacturer_id", label=_("生产企业"))
    type_approval = django_filters.NumberFilter(field_name="type_approval_id", label=_("型式批准"))
    market = django_filters.NumberFilter(field_name="market_id", label=_("市场"))
    accuracy_class = django_filters.ChoiceFilter(
        choices=AccuracyClass.choices, label=_("准确度等级")
    )
    software_version = django_filters.CharFilter(label=_("软件版本"))
    valid_until_before = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label=_("有效期至（早于）")
    )
    valid_until_after = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label=_("有效期至（晚于）")
    )

    class Meta:
        model = Scale
        fields = ["state", "manufacturer", "type_approval", "market", "accuracy_class"]

    def search(self, queryset: QuerySet[Scale], name: str, value: str) -> QuerySet[Scale]:
        value = value.strip()
        if not value:
            return queryset
        code = codes.normalise(value)
        return queryset.filter(Q(code=code) | Q(serial=value) | Q(production_code=value))


class TypeApprovalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索（证书编号、型号）"))
    status = django_filters.ChoiceFilter(choices=TypeApprovalStatus.choices, label=_("状态"))
    manufacturer = django_filters.NumberFilter(field_name="manufacturer_id", label=_("生产企业"))
    accuracy_class = django_filters.ChoiceFilter(
        choices=AccuracyClass.choices, label=_("准确度等级")
    )

    class Meta:
        model = TypeApproval
        fields = ["status", "manufacturer", "accuracy_class"]

    def search(
        self, queryset: QuerySet[TypeApproval], name: str, value: str
    ) -> QuerySet[TypeApproval]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(certificate_no__icontains=value) | Q(model_name__icontains=value))
