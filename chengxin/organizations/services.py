"""Every write to organisations and authorisations.

The console, the API and commands call these functions to create or change an organisation or
an authorisation, so the jurisdiction check cannot be skipped: a regulator creates and changes
only what lies inside its division prefix (the national bureau and superusers anything).
Each function validates before it writes and raises ``ServiceError`` / ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chengxin.core.errors import ServiceError
from chengxin.core.permissions import can_write, require_write, scope_for

from .choices import AuthorisationKind, InstrumentKind, OrganisationKind
from .models import Authorisation, Organisation

ORGANISATION_FIELDS = frozenset(
    {"kind", "name", "uscc", "division", "address", "contact_name", "contact_phone", "is_active"}
)
AUTHORISATION_FIELDS = frozenset(
    {"kind", "certificate_no", "instrument_kinds", "division_codes", "valid_from", "valid_until"}
)
_AUTHORISATION_KIND_FOR: dict[str, str] = {
    OrganisationKind.VERIFICATION: AuthorisationKind.VERIFICATION,
    OrganisationKind.REPAIRER: AuthorisationKind.REPAIR,
}


def full_clean_or_error(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's validation; a failure becomes a ``ServiceError`` listing each field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ServiceError(_("数据有误"), code="invalid", details=exc.message_dict) from exc


def apply_changes(obj: models.Model, changes: dict[str, Any], allowed: frozenset[str]) -> None:
    """Set ``changes`` on ``obj``; a field that may not be changed this way is an error."""
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ServiceError(
            _("不能修改的字段：%s") % ", ".join(unknown), code="unknown_field", details=unknown
        )
    for name, value in changes.items():
        setattr(obj, name, value)


def _require_writable(user: Any, obj: models.Model, message: str) -> None:
    if not can_write(user, obj):
        raise PermissionDenied(message)


# --- organisations ----------------------------------------------------------------------------


def organisation_create(*, user: Any, **fields: Any) -> Organisation:
    """Register an organisation inside the user's jurisdiction (regulators only)."""
    organisation = Organisation()
    apply_changes(organisation, fields, ORGANISATION_FIELDS)
    _require_writable(user, organisation, _("只能在本辖区内登记机构"))
    full_clean_or_error(organisation)
    with transaction.atomic():
        organisation.save()
    return organisation


def organisation_update(*, user: Any, organisation: Organisation, **changes: Any) -> Organisation:
    """Change an organisation's particulars; it must stay inside the user's jurisdiction."""
    require_write(user, organisation)
    apply_changes(organisation, changes, ORGANISATION_FIELDS)
    _require_writable(user, organisation, _("不能把机构移出本辖区"))
    full_clean_or_error(organisation)
    with transaction.atomic():
        organisation.save()
    return organisation


# --- authorisations ---------------------------------------------------------------------------


def _check_authorisation(user: Any, authorisation: Authorisation) -> None:
    from chengxin.regions.models import Division

    errors: dict[str, str] = {}
    expected = _AUTHORISATION_KIND_FOR.get(authorisation.organisation.kind)
    if expected is None:
        errors["organisation"] = _("只有计量检定机构和修理单位需要授权")
    elif authorisation.kind != expected:
        errors["kind"] = _("授权类型与机构类型不符")
    kinds = authorisation.instrument_kinds
    if not kinds or not isinstance(kinds, list) or set(kinds) - set(InstrumentKind.values):
        errors["instrument_kinds"] = _("应为计量器具种类的列表：%s") % ", ".join(
            InstrumentKind.values
        )
    codes = authorisation.division_codes
    if not codes or not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors["division_codes"] = _("应为区划代码的列表")
    else:
        known = set(Division.objects.filter(code__in=codes).values_list("code", flat=True))
        scope = scope_for(user)
        bad = [c for c in codes if c not in known or not scope.covers_division(c)]
        if bad:
            errors["division_codes"] = _("区划代码不存在或不在本辖区内：%s") % ", ".join(bad)
    if authorisation.valid_from > authorisation.valid_until:
        errors["valid_until"] = _("有效期至不能早于有效期起")
    if errors:
        raise ServiceError(_("授权数据有误"), code="invalid", details=errors)


def authorisation_create(
    *,
    user: Any,
    organisation: Organisation,
    kind: str,
    certificate_no: str,
    instrument_kinds: list[str],
    division_codes: list[str],
    valid_from: dt.date,
    valid_until: dt.date,
    issued_by: Organisation | None = None,
) -> Authorisation:
    """Authorise a verification institution or repairer in the user's jurisdiction.

    The issuing department is the user's own bureau unless a superuser names one.
    """
    scope = scope_for(user)
    if issued_by is None:
        issued_by = getattr(user, "organisation", None)
    elif not scope.everything and issued_by.pk != scope.organisation_id:
        raise PermissionDenied(_("授权部门只能是本单位"))
    authorisation = Authorisation(
        organisation=organisation,
        kind=kind,
        certificate_no=certificate_no,
        issued_by=issued_by,
        instrument_kinds=instrument_kinds,
        division_codes=division_codes,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _require_writable(user, authorisation, _("只能授权本辖区内的机构"))
    if issued_by is None or issued_by.kind != OrganisationKind.REGULATOR:
        raise ServiceError(_("授权部门必须是市场监管部门"), code="not_regulator")
    _check_authorisation(user, authorisation)
    full_clean_or_error(authorisation)
    with transaction.atomic():
        authorisation.save()
    return authorisation


def authorisation_update(
    *, user: Any, authorisation: Authorisation, **changes: Any
) -> Authorisation:
    """Change an authorisation's scope or dates (e.g. renew it, or end it early)."""
    require_write(user, authorisation)
    apply_changes(authorisation, changes, AUTHORISATION_FIELDS)
    _check_authorisation(user, authorisation)
    full_clean_or_error(authorisation)
    with transaction.atomic():
        authorisation.save()
    return authorisation
