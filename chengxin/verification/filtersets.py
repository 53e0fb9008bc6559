"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from chengxin.core.filtersets import ScaleCodeFilter
from chengxin.organizations.models import SigningKey

from .choices import VerificationKind, VerificationResult
from .models import Certificate, Verification


class VerificationFilterSet(django_filters.FilterSet):
    scale = ScaleCodeFilter()
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


class CertificateFilterSet(django_filters.FilterSet):
    scale = ScaleCodeFilter(field_name="verification__scale__code")
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


class SigningKeyFilterSet(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("机构"))
    current = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", label=_("在用")
    )

    class Meta:
        model = SigningKey
        fields = ("organisation",)
