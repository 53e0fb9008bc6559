"""The API's error shape for broken domain rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from chengxin.core.errors import ServiceError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a broken domain rule (``ServiceError``) is a 400 with its reasons.

    The body is ``{"code", "detail", "errors"}``; for ``BatchRejected`` ``errors`` lists every
    rejected row (row number, field, message). Http404 and PermissionDenied stay DRF's 404/403.
    """
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(
            {"code": exc.code, "detail": exc.message, "errors": exc.details}, status=400
        )
    return drf_exception_handler(exc, context)


class ServiceErrorSerializer(serializers.Serializer):
    """The body of a 400 raised by a service (documented in the schema)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    # A field, not Serializer.errors: the metaclass moves declared fields off the class.
    errors = serializers.JSONField(allow_null=True)  # type: ignore[assignment]
