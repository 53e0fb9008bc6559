"""Every write to type approvals and scales.

Views, the API, commands and tasks call these functions and nothing else to change a scale, so
the lifecycle rules, the permission check, the lifecycle event and the change record can never be
skipped. Each function is all-or-nothing: it runs in one transaction and raises before writing
anything when a rule is broken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.core.changes import change_records_for_bulk_create
from chengxin.core.context import change_action, service_actor
from chengxin.core.errors import BatchRejected, ServiceError
from chengxin.core.fields import split_list
from chengxin.core.permissions import get_visible_or_404, scope_for
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations.choices import OrganisationKind
from chengxin.organizations.models import Organisation

from . import codes
from .choices import ScaleState, TypeApprovalStatus
from .lifecycle import SYSTEM, TRANSITIONS, refusal
from .models import LifecycleEvent, Scale, TypeApproval, TypeApprovalStatusChange

MAX_BATCH = 10_000
MANUFACTURE = "manufacture"


# --- type approvals ---------------------------------------------------------------------------


def type_approval_status_change(
    *,
    user: Any,
    type_approval: TypeApproval,
    status: str,
    effective_on: dt.date,
    decision_no: str,
    reason: str = "",
) -> TypeApprovalStatusChange:
    """Move a type approval to ``status`` with the decision behind it (history kept)."""
    if status not in TypeApprovalStatus.values:
        raise ServiceError(_("未知状态：%s") % status, code="unknown_status")
    if not decision_no.strip():
        raise ServiceError(_("须填写决定文号"), code="document_required")
    with transaction.atomic(), service_actor(user):
        approval = get_visible_or_404(TypeApproval, user, pk=type_approval.pk)
        if not approval.writable_by(scope_for(user)):
            raise PermissionDenied(_("仅制造商所在省的市场监管部门可变更型式批准状态"))
        if approval.status == status:
            raise ServiceError(_("状态未改变"), code="unchanged")
        if approval.status == TypeApprovalStatus.WITHDRAWN:
            raise ServiceError(_("已撤销的型式批准不能恢复"), code="withdrawn_is_final")
        change = TypeApprovalStatusChange.objects.create(
            type_approval=approval,
            from_status=approval.status,
            to_status=status,
            effective_on=effective_on,
            decision_no=decision_no.strip(),
            reason=reason,
            user=user,
        )
        approval.status = status
        with change_action("transition"):
            approval.save(update_fields=["status", "updated_at"])
    return change


# --- scales: registration by the manufacturer -------------------------------------------------

_ROW_FIELDS = {
    "serial",
    "type_approval",
    "production_code",
    "software_version",
    "software_checksum",
    "manufactured_on",
    "d_g",
    "seal_ids",
    "device_public_key",
}


def _manufacturer_of(user: Any) -> Organisation:
    scope = scope_for(user)
    if not scope.is_kind(OrganisationKind.MANUFACTURER):
        raise PermissionDenied(_("只有生产企业可以登记新生产的计价秤"))
    return user.organisation


def _row_errors(
    row: Mapping[str, Any],
    *,
    approvals: Mapping[str, TypeApproval],
    software: Mapping[int, set[tuple[str, str]]],
) -> tuple[dict[str, str], dict[str, Any]]:
    """Validate one registration row; return (errors by field, cleaned values)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    unknown = set(row) - _ROW_FIELDS
    for name in sorted(unknown):
        errors[name] = _("未知字段")
    for name in (
        "serial",
        "type_approval",
        "production_code",
        "software_version",
        "software_checksum",
        "manufactured_on",
    ):
        value = row.get(name)
        if value is None or str(value).strip() == "":
            errors[name] = _("必填")
    if errors:
        return errors, clean
    clean["serial"] = str(row["serial"]).strip()
    clean["production_code"] = str(row["production_code"]).strip()
    approval = approvals.get(str(row["type_approval"]).strip())
    if approval is None:
        errors["type_approval"] = _("没有本企业的此型式批准证书")
    elif not approval.allows_new_units:
        errors["type_approval"] = _("该型式批准已不能用于新生产的器具")
    else:
        clean["type_approval"] = approval
        sw = (str(row["software_version"]).strip(), str(row["software_checksum"]).strip())
        if sw not in software.get(approval.pk, set()):
            errors["software_version"] = _("软件标识不在型式批准的允许列表中")
        clean["software_version"], clean["software_checksum"] = sw
    try:
        made = row["manufactured_on"]
        clean["manufactured_on"] = (
            made if isinstance(made, dt.date) else dt.date.fromisoformat(str(made).strip())
        )
        if clean["manufactured_on"] > timezone.localdate():
            errors["manufactured_on"] = _("生产日期不能晚于今天")
    except ValueError:
        errors["manufactured_on"] = _("日期格式应为 YYYY-MM-DD")
    if row.get("d_g") not in (None, ""):
        try:
            clean["d_g"] = Decimal(str(row["d_g"]))
            if clean["d_g"] <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["d_g"] = _("应为正数（克）")
    seals = row.get("seal_ids") or []
    if isinstance(seals, str):
        seals = split_list(seals)
    if not isinstance(seals, list) or not all(isinstance(s, str) for s in seals):
        errors["seal_ids"] = _("应为封印编号列表")
    else:
        clean["seal_ids"] = [s.strip() for s in seals]
    clean["device_public_key"] = str(row.get("device_public_key") or "").strip()
    return errors, clean


def scale_register_bulk(
    *, user: Any, rows: Sequence[Mapping[str, Any]], rng: Any = None
) -> list[Scale]:
    """Register newly made units, all or nothing (up to 10,000 rows).

    Every row is checked before anything is written; one bad row rejects the batch with the
    reason for every bad row (``BatchRejected.details``: row number, field, message).
    """
    manufacturer = _manufacturer_of(user)
    if not rows:
        raise ServiceError(_("没有要登记的器具"), code="empty")
    if len(rows) > MAX_BATCH:
        raise ServiceError(_("一次最多登记 %d 台") % MAX_BATCH, code="too_many")
    approvals = {
        a.certificate_no: a for a in TypeApproval.objects.filter(manufacturer=manufacturer)
    }
    software: dict[int, set[tuple[str, str]]] = {}
    for approval in approvals.values():
        software[approval.pk] = {(s.version, s.checksum) for s in approval.software.all()}

    errors: list[dict[str, Any]] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        row_errors, clean = _row_errors(row, approvals=approvals, software=software)
        serial = clean.get("serial")
        if serial is not None:
            if serial in seen:
                row_errors["serial"] = _("与第 %d 行的出厂编号重复") % seen[serial]
            seen.setdefault(serial, number)
        errors.extend({"row": number, "field": f, "message": m} for f, m in row_errors.items())
        cleaned.append(clean)
    taken = set(
        Scale.objects.filter(manufacturer=manufacturer, serial__in=list(seen)).values_list(
            "serial", flat=True
        )
    )
    errors.extend(
        {"row": seen[s], "field": "serial", "message": _("出厂编号已登记")} for s in sorted(taken)
    )
    if errors:
        raise BatchRejected(sorted(errors, key=lambda e: (e["row"], e["field"])))

    now = timezone.now()
    scales = []
    for clean in cleaned:
        approval = clean["type_approval"]
        scales.append(
            Scale(
                code=codes.generate(rng),
                serial=clean["serial"],
                manufacturer=manufacturer,
                type_approval=approval,
                accuracy_class=approval.accuracy_class,
                max_capacity_g=approval.max_capacity_g,
                min_capacity_g=approval.min_capacity_g,
                e_g=approval.e_g,
                d_g=clean.get("d_g", approval.e_g),
                software_version=clean["software_version"],
                software_checksum=clean["software_checksum"],
                production_code=clean["production_code"],
                seal_ids=clean["seal_ids"],
                device_public_key=clean["device_public_key"],
                manufactured_on=clean["manufactured_on"],
                division_id=manufacturer.division_id,
                state=ScaleState.MANUFACTURED,
                state_changed_at=now,
                created_at=now,
            )
        )
    for attempt in range(3):
        try:
            with transaction.atomic(), service_actor(user):
                created = Scale.objects.bulk_create(scales, batch_size=1000)
                if created and created[0].pk is None:  # backends that do not return ids
                    by_code = dict(
                        Scale.objects.filter(code__in=[s.code for s in scales]).values_list(
                            "code", "pk"
                        )
                    )
                    for s in scales:
                        s.pk = by_code[s.code]
                events = LifecycleEvent.objects.bulk_create(
                    [
                        LifecycleEvent(
                            scale_id=s.pk,
                            transition=MANUFACTURE,
                            from_state="",
                            to_state=ScaleState.MANUFACTURED,
                            at=now,
                            user=user,
                            organisation=manufacturer,
                            document=s.production_code,
                        )
                        for s in scales
                    ],
                    batch_size=1000,
                )
                change_records_for_bulk_create(scales)
                change_records_for_bulk_create(events)
            return scales
        except IntegrityError:
            # A generated code collided with an existing one (31^9 codes: rare). Draw again.
            if attempt == 2:
                raise
            for s in scales:
                s.pk = None
                s.code = codes.generate(rng)
    raise AssertionError("unreachable")


def scale_register(*, user: Any, **row: Any) -> Scale:
    """Register one newly made unit (the bulk rules, for a batch of one)."""
    try:
        return scale_register_bulk(user=user, rows=[row])[0]
    except BatchRejected as exc:
        first = exc.details[0]
        raise ServiceError(
            f"{first['field']}: {first['message']}", code="invalid", details=exc.details
        ) from exc


# --- scales: the lifecycle --------------------------------------------------------------------


def _resolve(model: Any, user: Any, value: Any, label: str) -> Any:
    pk = getattr(value, "pk", value)
    try:
        return (
            get_visible_or_404(model, user, pk=pk) if user is not None else model.objects.get(pk=pk)
        )
    except (Http404, model.DoesNotExist) as exc:
        raise ServiceError(_("%s不存在或不在您的管辖范围内") % label, code="not_found") from exc


def _apply_values(
    scale: Scale, transition: str, user: Any, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Set the fields a transition carries; returns what changed, for the lifecycle event."""
    details: dict[str, Any] = {}
    scope = scope_for(user)
    if "operator" in values:
        operator = _resolve(Organisation, user, values["operator"], _("市场开办者"))
        if operator.kind != OrganisationKind.MARKET_OPERATOR:
            raise ServiceError(_("购买方必须是市场开办者"), code="not_market_operator")
        scale.operator = operator
        scale.division_id = operator.division_id
        details["operator"] = operator.pk
    if "market" in values:
        market = _resolve(Market, user, values["market"], _("市场"))
        if user is not None and not market.writable_by(scope):
            raise ServiceError(_("只能登记到本单位开办的市场"), code="not_your_market")
        if scale.operator_id is not None and market.operator_id != scale.operator_id:
            raise ServiceError(_("该秤不属于此市场的开办者"), code="not_your_scale")
        stall = _resolve(Stall, user, values["stall"], _("摊位"))
        if stall.market_id != market.pk:
            raise ServiceError(_("摊位不属于该市场"), code="stall_not_in_market")
        vendor = None
        if values.get("vendor") not in (None, ""):
            vendor = _resolve(Vendor, user, values["vendor"], _("经营者"))
            if vendor.market_id != market.pk:
                raise ServiceError(_("经营者不属于该市场"), code="vendor_not_in_market")
        scale.market, scale.stall, scale.vendor = market, stall, vendor
        scale.operator_id = market.operator_id
        scale.division_id = market.division_id
        details.update(market=market.pk, stall=stall.pk, vendor=vendor.pk if vendor else None)
    if "valid_until" in values:
        until = values["valid_until"]
        if not isinstance(until, dt.date):
            try:
                until = dt.date.fromisoformat(str(until))
            except ValueError as exc:
                raise ServiceError(_("有效期格式应为 YYYY-MM-DD"), code="bad_date") from exc
        if until <= timezone.localdate():
            raise ServiceError(_("有效期必须晚于今天"), code="bad_date")
        scale.valid_until = until
        details["valid_until"] = until.isoformat()
    for name in ("verification_code", "repair_code", "software_version", "software_checksum"):
        if name in values:
            text = str(values[name]).strip()
            if not text:
                raise ServiceError(_("%s不能为空") % name, code="required")
            setattr(scale, name, text)
            details[name] = text
    if "seal_ids" in values:
        seals = values["seal_ids"]
        if isinstance(seals, str):
            seals = split_list(seals)
        if not isinstance(seals, list | tuple) or not all(isinstance(s, str) for s in seals):
            raise ServiceError(_("封印编号应为列表"), code="bad_seals")
        scale.seal_ids = list(seals)
        details["seal_ids"] = list(seals)
    for name in ("calibration_counter", "configuration_counter"):
        if values.get(name) not in (None, ""):
            try:
                number = int(values[name])
                if number < 0:
                    raise ValueError
            except (TypeError, ValueError) as exc:
                raise ServiceError(_("计数器应为非负整数"), code="bad_counter") from exc
            setattr(scale, name, number)
            details[name] = number
    if transition in ("fail_verification", "fail_inspection", "seize"):
        scale.valid_until = None
    return details


def scale_transition(
    *,
    user: Any,
    scale: Scale,
    transition: str,
    document: str = "",
    note: str = "",
    values: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    verification: Any = None,
) -> LifecycleEvent:
    """Move ``scale`` through ``transition``; ``user`` None means the platform itself acts.

    Raises Http404 if the user cannot see the scale, PermissionDenied if their organisation or
    role may not perform the transition, ServiceError for an illegal transition or bad values.
    """
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise ServiceError(_("未知的状态变更：%s") % transition, code="unknown_transition")
    if spec.via_verification and verification is None:
        raise ServiceError(
            _("“%s”只能通过记录检定或检查产生") % spec.label, code="verification_required"
        )
    values = dict(values or {})
    unknown = set(values) - set(spec.fields)
    missing = [f for f in spec.required if values.get(f) in (None, "")]
    if unknown:
        raise ServiceError(
            _("“%(t)s”不接受字段：%(f)s") % {"t": spec.label, "f": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    if missing:
        raise ServiceError(
            _("“%(t)s”缺少字段：%(f)s") % {"t": spec.label, "f": ", ".join(missing)},
            code="required",
        )
    if spec.needs_document and not document.strip():
        raise ServiceError(_("须填写%s") % spec.document_label, code="document_required")

    with transaction.atomic(), service_actor(user):
        base = Scale.objects.select_for_update()
        current = (
            get_visible_or_404(base, user, pk=scale.pk)
            if user is not None
            else base.get(pk=scale.pk)
        )
        scope = scope_for(user)
        reason = refusal(
            spec,
            state=current.state,
            actor_kind=SYSTEM if user is None else (scope.organisation_kind or ""),
            roles=None if user is None else scope.roles,
            superuser=scope.everything and user is not None and user.is_superuser,
        )
        if reason is not None:
            if reason.code == "illegal_transition":
                raise ServiceError(reason.message, code=reason.code)
            raise PermissionDenied(reason.message)
        from_state = current.state
        details = _apply_values(current, transition, user, values)
        current.state = spec.target
        current.state_changed_at = at or timezone.now()
        with change_action("transition"):
            current.save()
        event = LifecycleEvent.objects.create(
            scale=current,
            transition=transition,
            from_state=from_state,
            to_state=spec.target,
            at=current.state_changed_at,
            user=user,
            organisation=getattr(user, "organisation", None) if user is not None else None,
            document=document.strip(),
            note=note,
            details=details,
        )
    scale.refresh_from_db()
    return event


def scales_expire_overdue(*, today: dt.date | None = None) -> int:
    """Move every in-service scale whose verification has lapsed to overdue (the daily task)."""
    today = today or timezone.localdate()
    moved = 0
    lapsed = Scale.objects.filter(state=ScaleState.IN_SERVICE, valid_until__lt=today)
    for pk in list(lapsed.values_list("pk", flat=True)):
        scale_transition(user=None, scale=Scale(pk=pk), transition="expire")
        moved += 1
    return moved
