"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction
from .models import ChangeRecord


def content_type_for(label: str) -> ContentType | None:
    """The content type named ``app_label.model`` (e.g. ``instruments.scale``), if any."""
    app_label, _sep, model = label.strip().lower().partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None


class ChangeRecordFilterSet(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="of_type", label=_("记录类型（如 instruments.scale）")
    )
    object_id = django_filters.CharFilter(label=_("记录编号"))
    request_id = django_filters.CharFilter(label=_("请求编号"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("操作"))
    user = django_filters.NumberFilter(field_name="user_id", label=_("操作人"))
    time_after = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="gte", label=_("时间（晚于）")
    )
    time_before = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="lt", label=_("时间（早于）")
    )

    class Meta:
        model = ChangeRecord
        fields = ("object_id", "request_id", "action", "user")

    def of_type(
        self, queryset: QuerySet[ChangeRecord], name: str, value: str
    ) -> QuerySet[ChangeRecord]:
        content_type = content_type_for(value)
        return (
            queryset.none() if content_type is None else queryset.filter(content_type=content_type)
        )
