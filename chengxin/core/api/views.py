"""/api/v1/changes/: the change records a user may read.

Nationwide users (superusers, the national bureau) read every record. Anyone else reads the
records made by people of their own organisation, plus — when they ask for one object with
``object_type`` and ``object_id`` — every record of that object, provided they can see the
object itself. A record of an object outside their jurisdiction answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from chengxin.core.filtersets import ChangeRecordFilterSet, content_type_for
from chengxin.core.models import ChangeRecord
from chengxin.core.permissions import scope_for, visible

from .serializers import ChangeRecordSerializer
from .viewsets import ReadOnlyViewSet


def object_is_visible(content_type: ContentType, object_id: str, user: Any) -> bool:
    """Whether ``user`` may see the object a change record is about (restricted models only)."""
    model = content_type.model_class()
    if model is None or not hasattr(model, "jurisdiction_q"):
        return False
    try:
        return visible(model, user).filter(pk=object_id).exists()
    except (ValueError, TypeError):
        return False


def records_of(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    """Every change record of ``obj`` (the caller has checked that the user may see it)."""
    return ChangeRecord.objects.select_related("content_type").filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "object_type",
                OpenApiTypes.STR,
                description="app_label.model; with object_id: the whole history of one object "
                "you can see",
            ),
        ]
    )
)
class ChangeRecordViewSet(ReadOnlyViewSet):
    queryset = ChangeRecord.objects.select_related("content_type")
    serializer_class = ChangeRecordSerializer
    filterset_class = ChangeRecordFilterSet
    ordering_fields = ("id", "time")

    def get_queryset(self) -> models.QuerySet[ChangeRecord]:
        queryset = super().get_queryset()  # the user's organisation's records (all, nationwide)
        user = getattr(self.request, "user", None)
        if self.action != "list" or scope_for(user).everything:
            return queryset
        object_type = self.request.query_params.get("object_type", "")
        object_id = self.request.query_params.get("object_id", "")
        if not (object_type and object_id):
            return queryset
        content_type = content_type_for(object_type)
        if content_type is not None and object_is_visible(content_type, object_id, user):
            return self.queryset.filter(content_type=content_type, object_id=object_id)
        return queryset

    def get_object(self) -> ChangeRecord:
        user = self.request.user
        pk = str(self.kwargs["pk"])
        record = self.queryset.filter(pk=pk).first() if pk.isdigit() else None
        if record is None or not (
            visible(ChangeRecord.objects.filter(pk=record.pk), user).exists()
            or object_is_visible(record.content_type, record.object_id, user)
        ):
            raise Http404("not found")
        return record
