"""Verifications, test points, certificates, signing keys and import jobs as the API shows them.

Output serializers read only the rows their view selects in the same query (no N+1); the input
serializer only checks shapes — every rule lives in ``services.verification_record``. The
private half of a signing key is never a field of anything here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from chengxin.organizations.models import SigningKey
from chengxin.verification.choices import VerificationKind
from chengxin.verification.models import Certificate, ImportJob, TestPoint, Verification

# --- verifications ----------------------------------------------------------------------------


class TestPointSerializer(serializers.ModelSerializer):
    __test__ = False  # a domain name, not a pytest test class

    class Meta:
        model = TestPoint
        fields = (
            "test",
            "position",
            "load_g",
            "indication_g",
            "added_g",
            "error_g",
            "corrected_error_g",
            "mpe_g",
            "passed",
            "details",
        )
        read_only_fields = fields


_LIST_FIELDS: tuple[str, ...] = (
    "id",
    "document_no",
    "scale",
    "institution",
    "kind",
    "performed_on",
    "result",
    "as_found",
    "reasons",
    "valid_until",
    "verification_code",
    "certificate",
)


class VerificationListSerializer(serializers.ModelSerializer):
    """One row of a list: own columns, the scale's code and the certificate number (joined)."""

    scale = serializers.CharField(source="scale.code", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Verification
        fields = _LIST_FIELDS
        read_only_fields = fields

    def get_certificate(self, obj: Verification) -> str | None:
        """The certificate number of a passed verification, else null (a result notice)."""
        try:
            return obj.certificate.number
        except Certificate.DoesNotExist:
            return None


class VerificationDetailSerializer(VerificationListSerializer):
    points = TestPointSerializer(many=True, read_only=True)

    class Meta(VerificationListSerializer.Meta):
        fields = (
            *_LIST_FIELDS,
            "place",
            "temperature_c",
            "standards",
            "verifier",
            "checker",
            "approver",
            "identity_matches",
            "software_version",
            "software_checksum",
            "software_approved",
            "seals_intact",
            "codes_present",
            "seal_ids",
            "created_at",
            "points",
        )
        read_only_fields = fields


def _grams(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=4, **kwargs)


class ReadingSerializer(serializers.Serializer):
    load = _grams(required=False, default=Decimal(0))
    indication = _grams()
    added = _grams(required=False, default=Decimal(0))


class PriceCheckSerializer(serializers.Serializer):
    net_weight = _grams()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    displayed_amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class VerificationRecordSerializer(serializers.Serializer):
    """What a verifier records (the console form's fields); readings in grams."""

    scale = serializers.CharField(max_length=16, help_text="the scale's platform code")
    kind = serializers.ChoiceField(choices=VerificationKind.choices)
    performed_on = serializers.DateField()
    place = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    temperature_c = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
    )
    identity_matches = serializers.BooleanField()
    software_version = serializers.CharField(max_length=64)
    software_checksum = serializers.CharField(max_length=128)
    seals_intact = serializers.BooleanField()
    codes_present = serializers.BooleanField()
    zero = ReadingSerializer()
    increasing = ReadingSerializer(many=True, allow_empty=False)
    decreasing = ReadingSerializer(many=True, required=False, default=list)
    eccentricity = ReadingSerializer(many=True, required=False, default=list)
    repeatability = ReadingSerializer(many=True, required=False, default=list)
    price = PriceCheckSerializer(many=True, required=False, default=list)
    standards = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), required=False, default=list
    )
    checker = serializers.IntegerField(required=False, allow_null=True, default=None)
    approver = serializers.IntegerField(required=False, allow_null=True, default=None)
    seal_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )
    calibration_counter = serializers.IntegerField(required=False, allow_null=True, default=None)
    configuration_counter = serializers.IntegerField(required=False, allow_null=True, default=None)

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        # Nested serializers hand back OrderedDicts; the service reads plain data.
        return {key: _plain(value) for key, value in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- signing keys and certificates ------------------------------------------------------------


class SigningKeySerializer(serializers.ModelSerializer):
    """The public half only: name, verifier key (vkey), when it was created and retired."""

    vkey = serializers.CharField(source="verifier_key", read_only=True)

    class Meta:
        model = SigningKey
        fields = ("id", "organisation", "name", "vkey", "created_on", "retired_on")
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    scale = serializers.CharField(source="verification.scale.code", read_only=True)
    institution = serializers.IntegerField(source="verification.institution_id", read_only=True)
    verified_on = serializers.DateField(source="verification.performed_on", read_only=True)
    valid_until = serializers.DateField(source="verification.valid_until", read_only=True)
    signing_key = SigningKeySerializer(read_only=True)
    leaf_index = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="index of the certificate's leaf in the transparency log; null while pending",
    )

    class Meta:
        model = Certificate
        fields = (
            "number",
            "verification",
            "scale",
            "institution",
            "verified_on",
            "valid_until",
            "issued_at",
            "note",
            "signing_key",
            "leaf_index",
        )
        read_only_fields = fields


# --- imports ----------------------------------------------------------------------------------


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX filled from the template")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="spreadsheet row number (the header is row 1)")
    column = serializers.CharField(help_text="the template's column header")
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "filename",
            "status",
            "total_rows",
            "checked_rows",
            "written_rows",
            "percent",
            "detail",
            "errors",
            "verification_ids",
            "created_at",
            "finished_at",
        )
        read_only_fields = fields
