"""Viewsets every app's API builds on: querysets cut down to the user's jurisdiction.

Nothing here decides who sees what by itself: that is ``chengxin.core.permissions``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from chengxin.core.permissions import visible


class RestrictedViewSetMixin:
    """Starts every queryset from ``visible(queryset, user)``.

    ``get_object`` then answers 404 for anything outside the jurisdiction, whether it exists or
    not; writes answer 403 when the service refuses (``PermissionDenied``).
    """

    request: Any

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return visible(queryset, getattr(self.request, "user", None))


class ReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read what the user may see."""


class WritableViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change; nothing is deleted through the API (records retire).

    Subclasses write through their app's service functions in ``perform_create`` /
    ``perform_update``, never through ``serializer.save()``.
    """

    @staticmethod
    def instance_of(serializer: BaseSerializer[Any]) -> Any:
        """The object being updated (``get_object`` put it on the serializer: visible)."""
        return serializer.instance
