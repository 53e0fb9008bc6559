"""Serializer building blocks for every app, and change records as the API shows them."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from chengxin.core.models import ChangeRecord
from chengxin.core.permissions import visible


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable foreign key that accepts only objects the requesting user may see.

    An id outside the user's jurisdiction is "does not exist", exactly like an unknown id.
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None  # writable: declared with a queryset
        if not hasattr(queryset.model, "jurisdiction_q"):
            return queryset
        request = self.context.get("request")
        return visible(queryset, getattr(request, "user", None))


class RestrictedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose foreign-key inputs are limited to what the user may see."""

    serializer_related_field = VisiblePrimaryKeyRelatedField


# --- change records (read-only: they are facts) -----------------------------------------------


class ChangeRecordSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRecord
        fields = (
            "id",
            "time",
            "user",
            "user_name",
            "request_id",
            "source",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
        )

    def get_object_type(self, obj: ChangeRecord) -> str:
        """``app_label.model``, e.g. ``instruments.scale`` (the ``object_type`` filter)."""
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
