"""Reads for the verification pages: what a user may record, due dates, a certificate's leaf.

Every queryset starts from ``chengxin.core.permissions.visible``; nothing here writes, and
nothing here decides a verification's outcome (``services`` and ``mpe`` do).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from chengxin.core.permissions import scope_for, visible
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale
from chengxin.ledger.models import LogEntry
from chengxin.organizations.choices import OrganisationKind, Role
from chengxin.organizations.models import User

from .choices import VerificationKind
from .models import Certificate, Verification

DUE_SOON_DAYS = 30
MAX_DUE_SOON_DAYS = 366

_VERIFIER_KINDS = (
    VerificationKind.INITIAL,
    VerificationKind.SUBSEQUENT,
    VerificationKind.AFTER_REPAIR,
)


def verification_kinds_for(user: Any) -> list[VerificationKind]:
    """The kinds of record ``user`` may make at all: a verifier verifies, an inspector inspects.

    Only to shape the form (and refuse it to people who could never submit it); whether a
    record is allowed for one scale on one date is ``services.verification_record``'s decision.
    """
    scope = scope_for(user)
    if getattr(user, "is_superuser", False):
        return [*_VERIFIER_KINDS, VerificationKind.IN_SERVICE]
    if scope.is_kind(OrganisationKind.VERIFICATION) and scope.has_role(Role.VERIFIER):
        return list(_VERIFIER_KINDS)
    if scope.is_kind(OrganisationKind.REGULATOR) and scope.has_role(Role.INSPECTOR):
        return [VerificationKind.IN_SERVICE]
    return []


def verification_kind_for_state(state: str, kinds: list[VerificationKind]) -> str:
    """The kind a verifier most likely records for a scale in ``state`` (the form's default)."""
    by_state: dict[str, VerificationKind] = {
        ScaleState.REGISTERED: VerificationKind.INITIAL,
        ScaleState.REPAIRED: VerificationKind.AFTER_REPAIR,
        ScaleState.IN_SERVICE: VerificationKind.SUBSEQUENT,
        ScaleState.OVERDUE: VerificationKind.SUBSEQUENT,
    }
    preferred = by_state.get(state)
    if preferred in kinds:
        return str(preferred)
    return str(kinds[0]) if kinds else ""


def colleagues_of(user: Any) -> QuerySet[User]:
    """People of the user's own institution who may sign as checker or approver."""
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=org_id, is_active=True).order_by("username")


def verification_list_visible_to(user: Any) -> QuerySet[Verification]:
    return visible(Verification, user).select_related(
        "scale", "institution", "scale__type_approval", "certificate"
    )


def verification_points(verification: Verification) -> list[Any]:
    return list(verification.points.order_by("test", "position"))


def verification_certificate(verification: Verification) -> Certificate | None:
    try:
        return verification.certificate
    except Certificate.DoesNotExist:
        return None


def certificate_leaf(certificate: Certificate) -> LogEntry | None:
    """The log leaf that records the certificate's creation (its index is None until the
    sequencer has run)."""
    content_type = ContentType.objects.get_for_model(Certificate)
    return (
        LogEntry.objects.filter(
            record__content_type=content_type, record__object_id=str(certificate.pk)
        )
        .only("id", "index", "record")
        .order_by("id")
        .first()
    )


def certificate_leaf_index(certificate: Certificate | None) -> int | None:
    if certificate is None:
        return None
    leaf = certificate_leaf(certificate)
    return None if leaf is None else leaf.index


def certificate_leaf_indexes(certificate_ids: list[int]) -> dict[int, int | None]:
    """Leaf index of each certificate's creation (one query; None while pending)."""
    content_type = ContentType.objects.get_for_model(Certificate)
    rows = LogEntry.objects.filter(
        record__content_type=content_type,
        record__object_id__in=[str(pk) for pk in certificate_ids],
    ).values_list("record__object_id", "index")
    found = {int(object_id): index for object_id, index in rows}
    return {pk: found.get(pk) for pk in certificate_ids}


# --- due dates --------------------------------------------------------------------------------


def due_soon_days(value: Any) -> int:
    """The "due within N days" window from a request parameter (bounded, default 30)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DUE_SOON_DAYS
    return max(0, min(MAX_DUE_SOON_DAYS, days))


def scales_due_soon(
    *, user: Any, days: int = DUE_SOON_DAYS, today: dt.date | None = None
) -> QuerySet[Scale]:
    """In-service scales in the user's jurisdiction whose validity ends within ``days``."""
    today = today or timezone.localdate()
    return visible(Scale, user).filter(
        state=ScaleState.IN_SERVICE,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=days),
    )


def scales_overdue(*, user: Any, today: dt.date | None = None) -> QuerySet[Scale]:
    """Scales in the user's jurisdiction still in use (or marked overdue) past their validity."""
    today = today or timezone.localdate()
    return visible(Scale, user).filter(
        state__in=[ScaleState.IN_SERVICE, ScaleState.OVERDUE], valid_until__lt=today
    )


__all__ = [
    "DUE_SOON_DAYS",
    "certificate_leaf",
    "certificate_leaf_index",
    "certificate_leaf_indexes",
    "colleagues_of",
    "due_soon_days",
    "scales_due_soon",
    "scales_overdue",
    "verification_certificate",
    "verification_kind_for_state",
    "verification_kinds_for",
    "verification_list_visible_to",
    "verification_points",
]
