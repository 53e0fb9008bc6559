"""Reads of scales that need more than a filterset: the look-up by code."""

from __future__ import annotations

from typing import Any

from chengxin.core.compiled import fetch_one, marker
from chengxin.core.permissions import scope_for, visible_in_scope

from . import codes
from .models import Scale

LOOKUP_FIELDS = (
    "code",
    "serial",
    "state",
    "state_changed_at",
    "valid_until",
    "division_id",
    "manufacturer_id",
    "manufacturer__name",
    "type_approval_id",
    "type_approval__certificate_no",
    "type_approval__model_name",
    "type_approval__status",
    "accuracy_class",
    "max_capacity_g",
    "min_capacity_g",
    "e_g",
    "d_g",
    "software_version",
    "software_checksum",
    "production_code",
    "repair_code",
    "verification_code",
    "seal_ids",
    "device_public_key",
    "manufactured_on",
    "operator_id",
    "market_id",
    "stall_id",
    "vendor_id",
    "calibration_counter",
    "configuration_counter",
)


def scale_lookup(*, user: Any, code: str) -> dict[str, Any] | None:
    """The scale with ``code`` as a dict of ``LOOKUP_FIELDS`` if ``user`` may see it, else None.

    The query is the jurisdiction-restricted queryset of ``core.permissions``, compiled once per
    scope (see ``core.compiled``): the platform's hottest read pays for SQL, not for building it.
    """
    scope = scope_for(user)
    if not scope.authenticated:
        return None

    def build() -> Any:
        # A code is unique: no ordering (the model's default would add a sort to the plan).
        return (
            visible_in_scope(Scale.objects.filter(code=marker()), scope)
            .order_by()
            .values_list(*LOOKUP_FIELDS)
        )

    return fetch_one(("scale_lookup", scope), build, codes.normalise(code), LOOKUP_FIELDS)
