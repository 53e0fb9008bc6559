"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chengxin.instruments import codes
from chengxin.organizations.models import SigningKey

from .choices import VerificationKind, VerificationResult
from .models import Certificate, Verification


class VerificationFilterSet(django_filters.FilterSet):
    scale = django_filters.CharFilter(method="of_scale", label=_("器具码"))
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("检定机构"))
    kind = django_filters.ChoiceFilter(choices=VerificationKind.choices, label=_("检定类别"))
    result = django_filters.ChoiceFilter(choices=VerificationResult.choices, label=_("检定结论"))
    performed_after = django_filters.DateFilter(
        field_name="performed_on", lookup_expr="gte", label=_("检定日期（起）")
    )
    performed_before = django_filters.DateFilter(
        field_name="performed_on", lookup_expr="lte", label=_("检定日期（止）")
    )

    class Meta:
        model = Verification
        fields = ("kind", "result")

    def of_scale(
        self, queryset: QuerySet[Verification], name: str, value: str
    ) -> QuerySet[Verification]:
        return queryset.filter(scale__code=codes.normalise(value)) if value.strip() else queryset


class CertificateFilterSet(django_filters.FilterSet):
    scale = django_filters.CharFilter(method="of_scale", label=_("器具码"))
    institution = django_filters.NumberFilter(
        field_name="verification__institution_id", label=_("检定机构")
    )
    signing_key = django_filters.NumberFilter(field_name="signing_key_id", label=_("签名密钥"))
    issued_after = django_filters.IsoDateTimeFilter(
        field_name="issued_at", lookup_expr="gte", label=_("签发时间（晚于）")
    )
    issued_before = django_filters.IsoDateTimeFilter(
        field_name="issued_at", lookup_expr="lt", label=_("签发时间（早于）")
    )

    class Meta:
        model = Certificate
        fields = ("signing_key",)

    def of_scale(
        self, queryset: QuerySet[Certificate], name: str, value: str
    ) -> QuerySet[Certificate]:
        if not value.strip():
            return queryset
        return queryset.filter(verification__scale__code=codes.normalise(value))


class SigningKeyFilterSet(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("机构"))
    current = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", label=_("在用")
    )

    class Meta:
        model = SigningKey
        fields = ("organisation",)
