"""/api/v1/log/: public, read-only JSON views of the transparency log.

Proofs are built from the stored tree hashes (``services.DatabaseHashReader``): one
``SELECT … WHERE index IN (…)`` of O(log n) rows per proof, so this is the hot path of every
verifier. The views build plain dicts and skip authentication (the log is public) to stay lean.
Bad parameters answer 400 with a one-line ``detail``; nothing here writes.
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chengxin.ledger import leaves, merkle, services
from chengxin.ledger.checkpoint import tlog_proof_create
from chengxin.ledger.models import Checkpoint, LogEntry, Subject
from chengxin.ledger.verify import record_bundle_create

from .serializers import (
    CheckpointSerializer,
    ErrorSerializer,
    InclusionProofSerializer,
    LeafSerializer,
    RecordsSerializer,
)

MAX_RECORDS_PAGE = 1000
_MAX_DECIMAL_DIGITS = 20  # 2**64 - 1 has 20 digits; bounds int() on hostile input.
_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class BadParameter(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameter"


class LogAPIView(APIView):
    """Public: no authentication (no session or token look-up), no throttled writes."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _count(value: str | None, name: str, *, required: bool = True) -> int | None:
    """A non-negative decimal integer parameter; 400 with a clear message otherwise."""
    if value is None or value == "":
        if required:
            raise BadParameter(f"parameter {name!r} is required")
        return None
    if len(value) > _MAX_DECIMAL_DIGITS or not value.isascii() or not value.isdecimal():
        raise BadParameter(f"parameter {name!r} must be a non-negative integer, not {value[:30]!r}")
    number = int(value)
    if number > merkle.MAX_TREE_SIZE:
        raise BadParameter(f"parameter {name!r} is larger than 2**64 - 1")
    return number


def _latest_checkpoint() -> Checkpoint:
    checkpoint = Checkpoint.objects.published().first()
    if checkpoint is None:
        raise NotFound("the log has no checkpoint yet")
    return checkpoint


def _tree_size(requested: int | None) -> int:
    """The requested tree size, or the latest checkpoint's when none was asked for."""
    if requested is not None:
        return requested
    return _latest_checkpoint().size


class CheckpointView(LogAPIView):
    @extend_schema(
        responses={200: CheckpointSerializer, 404: ErrorSerializer},
        description="The latest signed checkpoint (C2SP tlog-checkpoint), parsed and as a note.",
    )
    def get(self, request: Request) -> Response:
        checkpoint = _latest_checkpoint()
        origin = checkpoint.note.split("\n", 1)[0]
        return Response(
            {
                "origin": origin,
                "size": checkpoint.size,
                "root_hash": _b64(bytes(checkpoint.root_hash)),
                "note": checkpoint.note,
            }
        )


class InclusionProofView(LogAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("index", OpenApiTypes.INT, required=True),
            OpenApiParameter("size", OpenApiTypes.INT, description="default: latest checkpoint"),
        ],
        responses={200: InclusionProofSerializer, **_ERRORS},
        description="RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves.",
    )
    def get(self, request: Request) -> Response:
        index = _count(request.query_params.get("index"), "index")
        size = _tree_size(_count(request.query_params.get("size"), "size", required=False))
        assert index is not None
        if index >= size:
            raise BadParameter(f"index {index} is not in a tree of size {size}")
        try:
            proof = merkle.prove_record(size, index, services.DatabaseHashReader())
        except merkle.ProofError as exc:
            raise BadParameter(f"size {size} is beyond the log's tree") from exc
        return Response({"index": index, "size": size, "proof": [_b64(h) for h in proof]})


class ConsistencyProofView(LogAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True),
            OpenApiParameter("to", OpenApiTypes.INT, description="default: latest checkpoint"),
        ],
        responses={
            200: inline_serializer(
                "ConsistencyProof",
                {
                    "from": serializers.IntegerField(),
                    "to": serializers.IntegerField(),
                    "proof": serializers.ListField(child=serializers.CharField()),
                },
            ),
            **_ERRORS,
        },
        description="RFC 9162 consistency proof from the tree of `from` to the tree of `to`.",
    )
    def get(self, request: Request) -> Response:
        old = _count(request.query_params.get("from"), "from")
        new = _tree_size(_count(request.query_params.get("to"), "to", required=False))
        assert old is not None
        if not 0 < old <= new:
            raise BadParameter(
                f"no consistency proof from size {old} to size {new} (need 0 < from ≤ to)"
            )
        try:
            proof = merkle.prove_tree(new, old, services.DatabaseHashReader())
        except merkle.ProofError as exc:
            raise BadParameter(f"size {new} is beyond the log's tree") from exc
        return Response({"from": old, "to": new, "proof": [_b64(h) for h in proof]})


def _integrated_leaf(index_text: str) -> tuple[int, bytes, bytes]:
    index = _count(index_text, "index")
    assert index is not None
    row = LogEntry.objects.filter(index=index).values_list("data", "leaf_hash").first()
    if row is None:
        raise NotFound(f"leaf {index} is not in the log (yet)")
    return index, bytes(row[0]), bytes(row[1])


class LeafView(LogAPIView):
    @extend_schema(responses={200: LeafSerializer, **_ERRORS}, description="One leaf and its hash.")
    def get(self, request: Request, index: str) -> Response:
        number, data, leaf_hash = _integrated_leaf(index)
        try:
            leaf: dict[str, Any] | None = leaves.parse_leaf(data)
        except leaves.LeafError:
            leaf = None  # Not ours to judge here: `chengxin log audit` names such a leaf.
        return Response(
            {
                "index": number,
                "leaf": leaf,
                "data": _b64(data),
                "leaf_hash": _b64(leaf_hash),
            }
        )


def _proof_text(index: int) -> str:
    """tlog-proof of leaf ``index`` against the latest checkpoint."""
    checkpoint = _latest_checkpoint()
    if index >= checkpoint.size:
        raise NotFound(f"leaf {index} is not in the latest checkpoint yet")
    proof = merkle.prove_record(checkpoint.size, index, services.DatabaseHashReader())
    return tlog_proof_create(index=index, inclusion_proof=proof, signed_checkpoint=checkpoint.note)


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-cache"
    return response


class LeafBundleView(LogAPIView):
    @extend_schema(
        responses={(200, "text/plain"): OpenApiTypes.STR, **_ERRORS},
        description="C2SP tlog-proof of the leaf against the latest checkpoint (a download).",
    )
    def get(self, request: Request, index: str) -> HttpResponse:
        number, _, _ = _integrated_leaf(index)
        return _download(
            _proof_text(number), f"chengxin-leaf-{number}.tlog-proof", "text/plain; charset=utf-8"
        )


class RecordBundleView(LogAPIView):
    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT, **_ERRORS},
        description="Record bundle (chengxin.record-bundle v1: leaf and tlog-proof) for "
        "`chengxin verify FILE --policy POLICY`; a download.",
    )
    def get(self, request: Request, index: str) -> HttpResponse:
        number, data, _ = _integrated_leaf(index)
        bundle = record_bundle_create(leaf=data, proof=_proof_text(number))
        return _download(bundle, f"chengxin-record-{number}.json", "application/json")


class RecordsView(LogAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "key",
                OpenApiTypes.STR,
                required=True,
                description="`scale:<code>` or `object:<app.model>:<id>`",
            ),
            OpenApiParameter("after", OpenApiTypes.INT, description="leaf index to continue after"),
        ],
        responses={200: RecordsSerializer, **_ERRORS},
        description="The content index: leaf indexes filed under a key, ascending, "
        f"at most {MAX_RECORDS_PAGE} per page.",
    )
    def get(self, request: Request) -> Response:
        key = request.query_params.get("key", "")
        if not key or len(key) > 96 or not key.isprintable():
            raise BadParameter("parameter 'key' is required: scale:<code> or object:<model>:<id>")
        after = _count(request.query_params.get("after"), "after", required=False)
        rows = Subject.objects.filter(key=key)
        if after is not None:
            rows = rows.filter(leaf_index__gt=after)
        indexes = list(
            rows.order_by("leaf_index").values_list("leaf_index", flat=True)[: MAX_RECORDS_PAGE + 1]
        )
        next_url = None
        if len(indexes) > MAX_RECORDS_PAGE:
            indexes = indexes[:MAX_RECORDS_PAGE]
            query = request.query_params.copy()
            query["after"] = str(indexes[-1])
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"key": key, "leaf_indexes": indexes, "next": next_url})
