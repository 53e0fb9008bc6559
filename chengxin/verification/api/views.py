"""/api/v1/verifications/, /certificates/, /signing-keys/ and /verifications/import/.

Reads start from ``visible`` (outside the jurisdiction: 404); the one write of a verification
goes through ``services.verification_record`` (refused by a rule: 400 with the reason; by role:
403). A certificate's log leaf is found through its "create" change record; its tlog-proof is
built from the stored tree hashes and the latest checkpoint, like the log API's bundles.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from chengxin.core.api.exceptions import ServiceErrorSerializer
from chengxin.core.api.viewsets import ReadOnlyViewSet, RestrictedViewSetMixin
from chengxin.core.choices import ChangeAction
from chengxin.core.permissions import get_visible_or_404
from chengxin.instruments import codes
from chengxin.instruments.models import Scale
from chengxin.ledger import merkle
from chengxin.ledger.checkpoint import tlog_proof_create
from chengxin.ledger.models import Checkpoint, LogEntry
from chengxin.ledger.services import DatabaseHashReader
from chengxin.organizations.models import SigningKey
from chengxin.verification import imports, services
from chengxin.verification.filtersets import (
    CertificateFilterSet,
    SigningKeyFilterSet,
    VerificationFilterSet,
)
from chengxin.verification.models import Certificate, ImportJob, Verification

from .serializers import (
    CertificateSerializer,
    ImportJobSerializer,
    ImportUploadSerializer,
    SigningKeySerializer,
    TestPointSerializer,
    VerificationDetailSerializer,
    VerificationListSerializer,
    VerificationRecordSerializer,
)

_REFUSED = {400: ServiceErrorSerializer, 403: None, 404: None}


class LeafPending(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "leaf_pending"


# --- verifications ----------------------------------------------------------------------------


class VerificationViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    queryset = Verification.objects.select_related("scale", "certificate")
    filterset_class = VerificationFilterSet
    ordering_fields = ("id",)
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> models.QuerySet[Verification]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("points")
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return VerificationDetailSerializer
        if self.action == "create":
            return VerificationRecordSerializer
        return VerificationListSerializer

    @extend_schema(
        request=VerificationRecordSerializer,
        responses={201: VerificationDetailSerializer, **_REFUSED},
        description="Record one verification (or in-service inspection) of one scale: the "
        "engine judges it, a passed one gets a signed certificate, the scale moves on. The same "
        "checks as the console: 400 with the reason when a rule refuses it, 403 for the wrong "
        "role, 404 for a scale outside your jurisdiction.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = VerificationRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw = dict(data.validated_data)
        scale = get_visible_or_404(Scale, request.user, code=codes.normalise(raw.pop("scale")))
        verification = services.verification_record(user=request.user, scale=scale, raw=raw)
        verification = (
            Verification.objects.select_related("scale", "certificate")
            .prefetch_related("points")
            .get(pk=verification.pk)
        )
        return Response(
            VerificationDetailSerializer(verification).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=TestPointSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def points(self, request: Request, pk: str | None = None) -> Response:
        """The verification's test points, by test and position (read-only)."""
        verification = self.get_object()
        return Response(TestPointSerializer(verification.points.all(), many=True).data)


# --- certificates and signing keys ------------------------------------------------------------


def _with_leaf_index(queryset: models.QuerySet[Certificate]) -> models.QuerySet[Certificate]:
    """Annotate each certificate with the log index of its "create" change record's leaf."""
    content_type = ContentType.objects.get_for_model(Certificate)
    leaf = LogEntry.objects.filter(
        record__content_type_id=content_type.pk,
        record__object_id=Cast(OuterRef("pk"), CharField()),
        record__action=ChangeAction.CREATE,
    ).values("index")[:1]
    return queryset.annotate(leaf_index=Subquery(leaf))


class CertificateViewSet(ReadOnlyViewSet):
    queryset = Certificate.objects.select_related("verification__scale", "signing_key")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    ordering_fields = ("id",)
    lookup_field = "number"
    lookup_value_regex = "[0-9A-Za-z-]{1,64}"

    def get_queryset(self) -> models.QuerySet[Certificate]:
        return _with_leaf_index(super().get_queryset())

    @extend_schema(
        responses={(200, "text/plain"): OpenApiTypes.STR, 404: None, 409: None},
        filters=False,
        description="C2SP tlog-proof of the certificate's log leaf against the latest "
        "checkpoint (a download). 409 while the leaf is pending (not yet in the tree).",
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def bundle(self, request: Request, number: str | None = None) -> HttpResponse:
        certificate = self.get_object()
        index = certificate.leaf_index
        checkpoint = Checkpoint.objects.order_by("-size").first()
        if index is None or checkpoint is None or index >= checkpoint.size:
            raise LeafPending(
                _("证书 %s 的日志叶子尚未纳入日志树（等待排序器处理），请稍后再试")
                % certificate.number
            )
        proof = merkle.prove_record(checkpoint.size, index, DatabaseHashReader())
        text = tlog_proof_create(
            index=index, inclusion_proof=proof, signed_checkpoint=checkpoint.note
        )
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        filename = f"chengxin-certificate-{certificate.number}.tlog-proof"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-cache"
        return response


class SigningKeyViewSet(ReadOnlyViewSet):
    """Every organisation's certificate-signing keys, public half only (published)."""

    queryset = SigningKey.objects.all()
    serializer_class = SigningKeySerializer
    filterset_class = SigningKeyFilterSet
    ordering_fields = ("id",)


# --- bulk import ------------------------------------------------------------------------------


class ImportJobViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Upload a batch (multipart ``file``) → a job; poll the job for progress and the report."""

    queryset = ImportJob.objects.defer("content")
    serializer_class = ImportJobSerializer
    filterset_fields: tuple[str, ...] = ("status",)
    ordering_fields = ("id",)
    lookup_value_regex = "[0-9]+"
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **_REFUSED},
        description=f"Import up to {imports.MAX_ROWS:,} verifications from a CSV or XLSX file "
        "filled from the template, all or nothing, in the background. Poll the job: status "
        "`done`, or `rejected` with one error per bad row and column.",
    )
    def create(self, request: Request) -> Response:
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = imports.import_job_start(
            user=request.user, filename=upload.name or "", content=upload.read()
        )
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("file_format", OpenApiTypes.STR, enum=["csv", "xlsx"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        filters=False,
        description="The empty import template with its Chinese column headers.",
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def template(self, request: Request) -> HttpResponse:
        file_format = request.query_params.get("file_format", "xlsx")
        content, filename, content_type = imports.import_template(file_format=file_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = _attachment(filename)
        return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "chengxin-verification-import" + filename[filename.rfind(".") :]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
