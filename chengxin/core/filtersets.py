"""One filterset per model, serving both the console lists and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction
from .models import ChangeRecord


class ScaleCodeFilter(django_filters.CharFilter):
    """Rows of the scale with a platform code as people type it (any case, with separators).

    ``field_name`` is the path to the scale's ``code`` (default ``scale__code``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "scale__code")
        kwargs.setdefault("label", _("器具码"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        from chengxin.instruments.codes import normalise

        return super().filter(qs, normalise(value) if value and value.strip() else "")


class DivisionFilter(django_filters.CharFilter):
    """Rows inside a GB/T 2260 division (its code prefix); a malformed code matches nothing.

    ``field_name`` is the path to the division foreign key (default ``division``); the filter
    compares its code, which is the key itself, so no join is made.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "division")
        kwargs.setdefault("label", _("区划代码"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        from chengxin.regions.codes import is_division_code, prefix_of

        value = (value or "").strip()
        if not value:
            return qs
        if not is_division_code(value):
            return qs.none()
        return qs.filter(**{f"{self.field_name}__code__startswith": prefix_of(value)})


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
