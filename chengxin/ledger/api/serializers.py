"""Shapes of the log API's answers (for the schema; the views build plain dicts for speed)."""

from __future__ import annotations

from rest_framework import serializers


class CheckpointSerializer(serializers.Serializer):
    origin = serializers.CharField()
    size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="base64")
    note = serializers.CharField(help_text="the signed checkpoint (C2SP signed-note)")


class InclusionProofSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    size = serializers.IntegerField()
    proof = serializers.ListField(child=serializers.CharField(), help_text="base64 hashes")


class LeafSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    leaf = serializers.JSONField(help_text="the chengxin.change v1 record")
    # Schema only (never .data-ed), so the field may shadow Serializer.data.
    data = serializers.CharField(help_text="base64 of the leaf bytes")  # type: ignore[assignment]
    leaf_hash = serializers.CharField(help_text="base64 RFC 9162 leaf hash")


class RecordsSerializer(serializers.Serializer):
    key = serializers.CharField()
    leaf_indexes = serializers.ListField(child=serializers.IntegerField())
    next = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
