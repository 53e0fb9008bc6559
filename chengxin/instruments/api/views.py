"""/api/v1/type-approvals/ and /api/v1/scales/: reads restricted, every write via ``services``.

A scale is addressed by its platform code (``/scales/<code>/``); the look-up is the hottest
read of the platform, so it skips the list machinery (filters, ordering) and selects exactly
the related rows its serializer shows, and its common case (a token, a visible scale) is
answered in front of DRF's dispatch by ``with_lookup_fast_path`` (decision 0006).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from chengxin.core.api.authentication import TokenAuthentication
from chengxin.core.api.exceptions import ServiceErrorSerializer
from chengxin.core.api.pagination import ChronologicalPagination, CursorPagination
from chengxin.core.api.renderers import JSONRenderer
from chengxin.core.api.serializers import ChangeRecordSerializer
from chengxin.core.api.views import records_of
from chengxin.core.api.viewsets import ReadOnlyViewSet
from chengxin.core.permissions import get_visible_or_404
from chengxin.instruments import codes, selectors, services
from chengxin.instruments.filtersets import ScaleFilterSet, TypeApprovalFilterSet
from chengxin.instruments.models import Scale, TypeApproval

from .serializers import (
    LifecycleEventSerializer,
    ScaleBulkRegisterSerializer,
    ScaleBulkResultSerializer,
    ScaleDetailSerializer,
    ScaleListSerializer,
    ScaleRegisterSerializer,
    ScaleTransitionSerializer,
    TypeApprovalSerializer,
    TypeApprovalStatusChangeSerializer,
    TypeApprovalStatusInputSerializer,
)

_REFUSED = {400: ServiceErrorSerializer, 403: None, 404: None}


class TypeApprovalViewSet(ReadOnlyViewSet):
    queryset = TypeApproval.objects.prefetch_related("software", "status_history")
    serializer_class = TypeApprovalSerializer
    filterset_class = TypeApprovalFilterSet
    ordering_fields = ("id", "certificate_no")

    @extend_schema(
        request=TypeApprovalStatusInputSerializer,
        responses={201: TypeApprovalStatusChangeSerializer, **_REFUSED},
        description="Change the approval's status (the decision is kept in its history).",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        approval = self.get_object()
        data = TypeApprovalStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.type_approval_status_change(
            user=request.user, type_approval=approval, **data.validated_data
        )
        return Response(
            TypeApprovalStatusChangeSerializer(change).data, status=status.HTTP_201_CREATED
        )


_JSON = JSONRenderer()


class ScaleViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    queryset = Scale.objects.all()
    filterset_class = ScaleFilterSet
    ordering_fields = ("id", "code")
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z-]{10,12}"

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return ScaleDetailSerializer
        if self.action == "create":
            return ScaleRegisterSerializer
        return ScaleListSerializer

    def get_object(self) -> Scale:
        # No list filters on a look-up; the code is accepted as printed (ABCD-EFG-HJK).
        base = Scale.objects.all()
        if self.action == "retrieve":
            base = base.select_related("manufacturer", "type_approval")
        scale = get_visible_or_404(
            base, self.request.user, code=codes.normalise(self.kwargs["code"])
        )
        self.check_object_permissions(self.request, scale)
        return scale

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The look-up answers JSON only; skipping negotiation is measurable on the hottest read.
        if self.action == "retrieve":
            return (_JSON, _JSON.media_type)
        return super().perform_content_negotiation(request, force)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = selectors.scale_lookup(user=request.user, code=self.kwargs["code"])
        if row is None:
            raise Http404("not found")
        return Response(ScaleDetailSerializer.represent(row))

    @extend_schema(
        request=ScaleRegisterSerializer,
        responses={201: ScaleDetailSerializer, **_REFUSED},
        description="Register one newly made unit (manufacturers only).",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ScaleRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scale = services.scale_register(user=request.user, **data.validated_data)
        scale = Scale.objects.select_related("manufacturer", "type_approval").get(pk=scale.pk)
        return Response(ScaleDetailSerializer(scale).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScaleBulkRegisterSerializer,
        responses={201: ScaleBulkResultSerializer, **_REFUSED},
        description="Register up to 10,000 newly made units, all or nothing. A rejected batch "
        "answers 400 with code `batch_rejected` and one error per bad row and field.",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = ScaleBulkRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scales = services.scale_register_bulk(user=request.user, rows=data.validated_data["rows"])
        result = {"count": len(scales), "codes": [s.code for s in scales]}
        return Response(ScaleBulkResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScaleTransitionSerializer,
        responses={201: LifecycleEventSerializer, **_REFUSED},
        description="Move the scale through one lifecycle transition.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, code: str | None = None) -> Response:
        scale = self.get_object()
        data = ScaleTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.scale_transition(user=request.user, scale=scale, **data.validated_data)
        return Response(LifecycleEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=LifecycleEventSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[], pagination_class=ChronologicalPagination)
    def events(self, request: Request, code: str | None = None) -> Response:
        """The scale's lifecycle events, oldest first."""
        scale = self.get_object()
        page = self.paginate_queryset(scale.events.all())
        return self.get_paginated_response(LifecycleEventSerializer(page, many=True).data)

    @extend_schema(responses=ChangeRecordSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[], pagination_class=CursorPagination)
    def history(self, request: Request, code: str | None = None) -> Response:
        """Every change record of the scale, newest first."""
        scale = self.get_object()
        page = self.paginate_queryset(records_of(scale))
        return self.get_paginated_response(ChangeRecordSerializer(page, many=True).data)


# What DRF adds to a look-up's response (its renderers make it vary by Accept; the detail route
# answers GET, HEAD and OPTIONS). ``test_api`` compares the two paths' responses whole.
_LOOKUP_HEADERS = {"Vary": "Accept", "Allow": "GET, HEAD, OPTIONS"}


def with_lookup_fast_path(
    retrieve: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """``retrieve`` (the viewset's detail view) with the look-up's common case answered first.

    Almost every request on this route is a machine's ``GET /scales/<code>/`` with an API token,
    for a scale it may see. That case takes the pieces DRF's ``retrieve`` takes — the token
    authentication, the jurisdiction-restricted ``selectors.scale_lookup``, the serializer's
    representation, the JSON renderer — without DRF's dispatch around them, which cost a
    look-up 70–100 µs of a worker's CPU under load (decision 0006). Everything else (a session,
    a bad or missing token, an unknown or invisible code, a query string, any other method, an
    error) goes to ``retrieve`` untouched, so it is answered, refused and documented by DRF as
    before. A code that is not found, or not visible, is therefore looked up twice; such a miss
    is rare next to the look-ups that find their scale, and answering its 404 here would mean a
    second copy of DRF's error response.
    """
    authenticator = TokenAuthentication()

    @functools.wraps(retrieve)  # keeps ``cls``/``actions``: the schema still sees the viewset
    def view(request: HttpRequest, code: str) -> HttpResponse:
        if request.method == "GET" and not request.META.get("QUERY_STRING"):
            try:
                credentials = authenticator.authenticate(request)  # type: ignore[arg-type]
            except AuthenticationFailed:
                credentials = None  # DRF answers it, with its 401
            if credentials is not None:
                user = credentials[0]
                row = selectors.scale_lookup(user=user, code=code)
                if row is not None:
                    request.user = user  # as DRF's Request sets it
                    return HttpResponse(
                        _JSON.render(ScaleDetailSerializer.represent(row)),
                        content_type=_JSON.media_type,
                        headers=_LOOKUP_HEADERS,
                    )
        return retrieve(request, code=code)

    return view
