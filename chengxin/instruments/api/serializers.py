"""Type approvals, scales and lifecycle events as the API shows and accepts them.

Output serializers show foreign keys by id unless the view selects the related row in the same
query; input serializers only check shapes — the rules live in ``services``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from chengxin.instruments import codes
from chengxin.instruments.choices import TypeApprovalStatus
from chengxin.instruments.lifecycle import TRANSITIONS
from chengxin.instruments.models import (
    LifecycleEvent,
    Scale,
    SoftwareIdentification,
    TypeApproval,
    TypeApprovalStatusChange,
)
from chengxin.instruments.selectors import LOOKUP_FIELDS
from chengxin.instruments.services import MAX_BATCH

# --- type approvals ---------------------------------------------------------------------------


class SoftwareIdentificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SoftwareIdentification
        fields = ("version", "checksum")


class TypeApprovalStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TypeApprovalStatusChange
        fields = (
            "id",
            "from_status",
            "to_status",
            "effective_on",
            "decision_no",
            "reason",
            "user",
            "recorded_at",
        )


class TypeApprovalSerializer(serializers.ModelSerializer):
    software = SoftwareIdentificationSerializer(many=True, read_only=True)
    status_history = TypeApprovalStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = TypeApproval
        fields = (
            "id",
            "certificate_no",
            "manufacturer",
            "model_name",
            "instrument_kind",
            "accuracy_class",
            "max_capacity_g",
            "min_capacity_g",
            "e_g",
            "issued_by",
            "evaluation_institution",
            "evaluation_report_no",
            "issued_on",
            "spec_version",
            "status",
            "software",
            "status_history",
        )


class TypeApprovalStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TypeApprovalStatus.choices)
    effective_on = serializers.DateField()
    decision_no = serializers.CharField(max_length=64)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- scales -----------------------------------------------------------------------------------


class ScaleListSerializer(serializers.ModelSerializer):
    """One row of a scale list: own columns and ids only, so a page costs one query."""

    class Meta:
        model = Scale
        fields = (
            "code",
            "serial",
            "state",
            "state_changed_at",
            "valid_until",
            "division",
            "manufacturer",
            "type_approval",
            "accuracy_class",
            "software_version",
            "operator",
            "market",
            "stall",
        )
        read_only_fields = fields


_DATETIME = serializers.DateTimeField()
_FOUR_PLACES = Decimal("0.0001")


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _grams(value: Decimal) -> str:
    """What the declared ``DecimalField(max_digits=14, decimal_places=4)`` writes, without the
    context it copies and the exponent it computes on every call: a look-up writes four."""
    return f"{value.quantize(_FOUR_PLACES):f}"


class _Named(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class _ApprovalSummary(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    certificate_no = serializers.CharField(read_only=True)
    model_name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=TypeApprovalStatus.choices, read_only=True)


class ScaleDetailSerializer(serializers.Serializer):
    """One scale looked up by its code — the platform's hottest read.

    The declared fields document the shape (for the schema); ``to_representation`` builds the
    same dict directly, without copying and binding some thirty field objects per request. The
    view selects exactly ``manufacturer`` and ``type_approval`` with the scale.
    """

    code = serializers.CharField(read_only=True)
    display_code = serializers.CharField(read_only=True)
    serial = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    state_changed_at = serializers.DateTimeField(read_only=True)
    valid_until = serializers.DateField(read_only=True, allow_null=True)
    division = serializers.CharField(source="division_id", read_only=True)
    manufacturer = _Named(read_only=True)
    type_approval = _ApprovalSummary(read_only=True)
    accuracy_class = serializers.CharField(read_only=True)
    max_capacity_g = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    min_capacity_g = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    e_g = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    d_g = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    software_version = serializers.CharField(read_only=True)
    software_checksum = serializers.CharField(read_only=True)
    production_code = serializers.CharField(read_only=True)
    repair_code = serializers.CharField(read_only=True)
    verification_code = serializers.CharField(read_only=True)
    seal_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    device_public_key = serializers.CharField(read_only=True)
    manufactured_on = serializers.DateField(read_only=True)
    operator = serializers.IntegerField(source="operator_id", read_only=True, allow_null=True)
    market = serializers.IntegerField(source="market_id", read_only=True, allow_null=True)
    stall = serializers.IntegerField(source="stall_id", read_only=True, allow_null=True)
    vendor = serializers.IntegerField(source="vendor_id", read_only=True, allow_null=True)
    calibration_counter = serializers.IntegerField(read_only=True, allow_null=True)
    configuration_counter = serializers.IntegerField(read_only=True, allow_null=True)

    def to_representation(self, instance: Scale) -> dict[str, Any]:
        approval = instance.type_approval
        row = {name: getattr(instance, name) for name in LOOKUP_FIELDS if "__" not in name}
        row.update(
            manufacturer__name=instance.manufacturer.name,
            type_approval__certificate_no=approval.certificate_no,
            type_approval__model_name=approval.model_name,
            type_approval__status=approval.status,
        )
        return self.represent(row)

    @staticmethod
    def represent(s: dict[str, Any]) -> dict[str, Any]:
        """The response for one ``instruments.selectors.scale_lookup`` row."""
        return {
            "code": s["code"],
            "display_code": codes.display(s["code"]),
            "serial": s["serial"],
            "state": s["state"],
            "state_changed_at": _DATETIME.to_representation(s["state_changed_at"]),
            "valid_until": _date(s["valid_until"]),
            "division": s["division_id"],
            "manufacturer": {"id": s["manufacturer_id"], "name": s["manufacturer__name"]},
            "type_approval": {
                "id": s["type_approval_id"],
                "certificate_no": s["type_approval__certificate_no"],
                "model_name": s["type_approval__model_name"],
                "status": s["type_approval__status"],
            },
            "accuracy_class": s["accuracy_class"],
            "max_capacity_g": _grams(s["max_capacity_g"]),
            "min_capacity_g": _grams(s["min_capacity_g"]),
            "e_g": _grams(s["e_g"]),
            "d_g": _grams(s["d_g"]),
            "software_version": s["software_version"],
            "software_checksum": s["software_checksum"],
            "production_code": s["production_code"],
            "repair_code": s["repair_code"],
            "verification_code": s["verification_code"],
            "seal_ids": list(s["seal_ids"] or ()),
            "device_public_key": s["device_public_key"],
            "manufactured_on": _date(s["manufactured_on"]),
            "operator": s["operator_id"],
            "market": s["market_id"],
            "stall": s["stall_id"],
            "vendor": s["vendor_id"],
            "calibration_counter": s["calibration_counter"],
            "configuration_counter": s["configuration_counter"],
        }


class ScaleRegisterSerializer(serializers.Serializer):
    """One newly made unit, as a manufacturer registers it (``type_approval``: certificate no.)."""

    serial = serializers.CharField(max_length=64)
    type_approval = serializers.CharField(max_length=64)
    production_code = serializers.CharField(max_length=64)
    software_version = serializers.CharField(max_length=64)
    software_checksum = serializers.CharField(max_length=128)
    manufactured_on = serializers.DateField()
    d_g = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    seal_ids = serializers.ListField(child=serializers.CharField(), required=False)
    device_public_key = serializers.CharField(max_length=128, required=False, allow_blank=True)


class ScaleBulkRegisterSerializer(serializers.Serializer):
    """Rows as in ``ScaleRegisterSerializer``; checked row by row by the service."""

    rows = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_BATCH
    )


class ScaleBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())


class ScaleTransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    document = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    values = serializers.DictField(required=False, default=dict)


class LifecycleEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = LifecycleEvent
        fields = (
            "id",
            "transition",
            "from_state",
            "to_state",
            "at",
            "user",
            "organisation",
            "document",
            "note",
            "details",
        )
