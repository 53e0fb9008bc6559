"""Recording verifications and issuing certificates.

``verification_record`` is the one way a verification enters the platform — from the console
form, the API or a bulk import — so the scope check, the error-limit engine, the certificate and
the lifecycle transition can never be skipped or disagree. All or nothing: one transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.core.changes import change_records_for_bulk_create
from chengxin.core.context import service_actor
from chengxin.core.errors import ServiceError
from chengxin.core.fields import split_list
from chengxin.core.permissions import get_visible_or_404, scope_for
from chengxin.instruments import services as instrument_services
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale
from chengxin.ledger.note import Ed25519Signer, sign_note
from chengxin.organizations.choices import OrganisationKind, Role
from chengxin.organizations.models import Organisation, SigningKey, User

from . import mpe
from .certificate import CertificateBody
from .choices import TestKind, VerificationKind, VerificationResult
from .models import Certificate, TestPoint, Verification

ALLOWED_STATES = {
    VerificationKind.INITIAL: {ScaleState.REGISTERED},
    VerificationKind.SUBSEQUENT: {ScaleState.IN_SERVICE, ScaleState.OVERDUE},
    VerificationKind.AFTER_REPAIR: {ScaleState.REPAIRED},
    VerificationKind.IN_SERVICE: {ScaleState.IN_SERVICE, ScaleState.OVERDUE},
}


# --- signing keys -----------------------------------------------------------------------------


def signing_key_rotate(*, user: Any, organisation: Organisation) -> SigningKey:
    """Give ``organisation`` a new certificate-signing key and retire the current one."""
    scope = scope_for(user)
    if not (scope.everything or scope.organisation_id == organisation.pk):
        raise PermissionDenied(_("只能为本机构更换签名密钥"))
    today = timezone.localdate()
    with transaction.atomic(), service_actor(user):
        for old in SigningKey.objects.select_for_update().filter(
            organisation=organisation, retired_on__isnull=True
        ):
            old.retired_on = today
            old.save()
        signer = Ed25519Signer.generate(f"cert.{organisation.uscc}.chengxin")
        return SigningKey.objects.create(
            organisation=organisation,
            name=signer.name,
            verifier_key=signer.verifier_key,
            private_key=signer.signer_key,
            created_on=today,
        )


def _current_key(organisation: Organisation, user: Any) -> SigningKey:
    key = SigningKey.objects.filter(organisation=organisation, retired_on__isnull=True).first()
    return key or signing_key_rotate(user=user, organisation=organisation)


# --- input ------------------------------------------------------------------------------------


@dataclass
class Reading:
    load: Decimal
    indication: Decimal
    added: Decimal

    def changeover(self) -> mpe.ChangeoverReading:
        return mpe.ChangeoverReading(self.load, self.indication, self.added)


@dataclass
class PriceCheck:
    net_weight_g: Decimal
    unit_price: Decimal
    displayed_amount: Decimal


@dataclass
class VerificationInput:
    """What a verifier records; parsed from a form, the API or an import row."""

    kind: str
    performed_on: dt.date
    identity_matches: bool
    software_version: str
    software_checksum: str
    seals_intact: bool
    codes_present: bool
    zero: Reading
    increasing: list[Reading]
    decreasing: list[Reading] = field(default_factory=list)
    eccentricity: list[Reading] = field(default_factory=list)
    repeatability: list[Reading] = field(default_factory=list)
    price: list[PriceCheck] = field(default_factory=list)
    place: str = ""
    temperature_c: Decimal | None = None
    standards: list[dict[str, str]] = field(default_factory=list)
    checker: int | None = None
    approver: int | None = None
    seal_ids: list[str] = field(default_factory=list)
    calibration_counter: int | None = None
    configuration_counter: int | None = None


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | float) or value is None:
        raise ServiceError(_("%s 应为十进制数") % name, code="bad_number")
    text = str(value).strip()
    try:
        return mpe.parse_mass(text) if text[-1:].isalpha() else Decimal(text)
    except (InvalidOperation, mpe.MpeError, IndexError) as exc:
        raise ServiceError(
            _("%(n)s 不是有效的数值：%(v)s") % {"n": name, "v": text}, code="bad_number"
        ) from exc


def _reading(raw: Any, name: str) -> Reading:
    if not isinstance(raw, Mapping):
        raise ServiceError(_("%s 应为一组读数") % name, code="bad_reading")
    return Reading(
        load=_decimal(raw.get("load", "0"), f"{name}.load"),
        indication=_decimal(raw.get("indication"), f"{name}.indication"),
        added=_decimal(raw.get("added", "0"), f"{name}.added"),
    )


def _bool(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name)
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("1", "true", "yes", "是", "y"):
        return True
    if str(value).strip().lower() in ("0", "false", "no", "否", "n"):
        return False
    raise ServiceError(_("%s 应为是或否") % name, code="bad_boolean")


def parse_input(raw: Mapping[str, Any]) -> VerificationInput:
    """Turn plain data (JSON, form, import row) into a ``VerificationInput``, or say why not."""
    kind = str(raw.get("kind", ""))
    if kind not in VerificationKind.values:
        raise ServiceError(_("检定类别无效：%s") % kind, code="bad_kind")
    try:
        performed = raw.get("performed_on")
        performed_on = (
            performed if isinstance(performed, dt.date) else dt.date.fromisoformat(str(performed))
        )
    except ValueError as exc:
        raise ServiceError(_("检定日期格式应为 YYYY-MM-DD"), code="bad_date") from exc

    def readings(name: str) -> list[Reading]:
        values = raw.get(name) or []
        if not isinstance(values, list):
            raise ServiceError(_("%s 应为读数列表") % name, code="bad_reading")
        return [_reading(v, f"{name}[{i}]") for i, v in enumerate(values)]

    prices = []
    for i, item in enumerate(raw.get("price") or []):
        prices.append(
            PriceCheck(
                net_weight_g=_decimal(item.get("net_weight"), f"price[{i}].net_weight"),
                unit_price=_decimal(item.get("unit_price"), f"price[{i}].unit_price"),
                displayed_amount=_decimal(item.get("displayed_amount"), f"price[{i}].amount"),
            )
        )
    increasing = readings("increasing")
    if not increasing:
        raise ServiceError(_("至少需要一组加载称量数据"), code="no_points")
    temperature = raw.get("temperature_c")
    seals = raw.get("seal_ids") or []
    if isinstance(seals, str):
        seals = split_list(seals)
    return VerificationInput(
        kind=kind,
        performed_on=performed_on,
        identity_matches=_bool(raw, "identity_matches"),
        software_version=str(raw.get("software_version", "")).strip(),
        software_checksum=str(raw.get("software_checksum", "")).strip(),
        seals_intact=_bool(raw, "seals_intact"),
        codes_present=_bool(raw, "codes_present"),
        zero=_reading(raw.get("zero") or {"load": "0", "indication": "0", "added": "0"}, "zero"),
        increasing=increasing,
        decreasing=readings("decreasing"),
        eccentricity=readings("eccentricity"),
        repeatability=readings("repeatability"),
        price=prices,
        place=str(raw.get("place", "")).strip(),
        temperature_c=None if temperature in (None, "") else _decimal(temperature, "temperature_c"),
        standards=list(raw.get("standards") or []),
        checker=raw.get("checker") or None,
        approver=raw.get("approver") or None,
        seal_ids=list(seals),
        calibration_counter=raw.get("calibration_counter"),
        configuration_counter=raw.get("configuration_counter"),
    )


# --- evaluation (pure: what the engine says about the readings) --------------------------------


@dataclass
class Evaluation:
    """Every test point judged, the reasons for failure, and the as-found code."""

    points: list[dict[str, Any]]
    reasons: list[str]
    as_found: str

    @property
    def passed(self) -> bool:
        return not self.reasons


def evaluate(scale: Scale, data: VerificationInput, approved: set[tuple[str, str]]) -> Evaluation:
    """Judge the pre-checks and tests of ``data`` for ``scale`` with the error-limit engine."""
    cls = mpe.AccuracyClass(scale.accuracy_class)
    e, top = scale.e_g, scale.max_capacity_g
    in_service = data.kind == VerificationKind.IN_SERVICE
    reasons: list[str] = []
    if not data.identity_matches:
        reasons.append(_("唯一性信息与器具不符"))
    if (data.software_version, data.software_checksum) not in approved:
        reasons.append(_("软件标识不在型式批准的允许列表中"))
    if not data.seals_intact:
        reasons.append(_("封印不完整"))
    if not data.codes_present:
        reasons.append(_("生产码或维修码缺失"))

    points: list[dict[str, Any]] = []
    errors_and_limits: list[tuple[Decimal, Decimal]] = []

    def add(test: str, i: int, result: mpe.WeighingPointResult) -> None:
        points.append(
            {
                "test": test,
                "position": i,
                "load_g": result.reading.load,
                "indication_g": result.reading.indication,
                "added_g": result.reading.added_weight,
                "error_g": result.error,
                "corrected_error_g": result.corrected_error,
                "mpe_g": result.mpe,
                "passed": result.passed,
            }
        )
        errors_and_limits.append((result.corrected_error, result.mpe))

    try:
        zero = mpe.zero_setting_check(e=e, reading=data.zero.changeover())
        points.append(
            {
                "test": TestKind.ZERO,
                "position": 1,
                "load_g": Decimal(0),
                "indication_g": data.zero.indication,
                "added_g": data.zero.added,
                "error_g": zero.zero_error,
                "corrected_error_g": None,
                "mpe_g": zero.limit,
                "passed": zero.passed,
            }
        )
        if not zero.passed:
            reasons.append(_("置零准确度超差"))
        weighing = mpe.weighing_test(
            accuracy_class=cls,
            e=e,
            zero_reading=data.zero.changeover(),
            increasing=[r.changeover() for r in data.increasing],
            decreasing=[r.changeover() for r in data.decreasing],
            max_capacity=top,
            in_service=in_service,
        )
        for i, point in enumerate(weighing.increasing, 1):
            add(TestKind.INCREASING, i, point)
        for i, point in enumerate(weighing.decreasing, 1):
            add(TestKind.DECREASING, i, point)
        if not weighing.passed:
            reasons.append(_("称量测试超出最大允许误差"))
        if data.eccentricity:
            ecc = mpe.eccentricity_test(
                accuracy_class=cls,
                e=e,
                positions=[r.changeover() for r in data.eccentricity],
                zero_error=zero.zero_error,
                max_capacity=top,
                in_service=in_service,
            )
            for i, point in enumerate(ecc.positions, 1):
                add(TestKind.ECCENTRICITY, i, point)
            if not ecc.passed:
                reasons.append(_("偏载测试超差"))
        if data.repeatability:
            rep = mpe.repeatability_test(
                accuracy_class=cls,
                e=e,
                readings=[r.changeover() for r in data.repeatability],
                max_capacity=top,
                in_service=in_service,
            )
            for i, (reading, error) in enumerate(zip(rep.readings, rep.errors, strict=True), 1):
                points.append(
                    {
                        "test": TestKind.REPEATABILITY,
                        "position": i,
                        "load_g": reading.load,
                        "indication_g": reading.indication,
                        "added_g": reading.added_weight,
                        "error_g": error,
                        "corrected_error_g": None,
                        "mpe_g": rep.mpe,
                        "passed": rep.passed,
                        "details": {"spread_g": str(rep.spread)},
                    }
                )
            if not rep.passed:
                reasons.append(_("重复性超差"))
        for i, check in enumerate(data.price, 1):
            result = mpe.price_computation_check(
                net_weight=check.net_weight_g,
                unit_price=check.unit_price,
                displayed_amount=check.displayed_amount,
            )
            points.append(
                {
                    "test": TestKind.PRICE,
                    "position": i,
                    "load_g": check.net_weight_g,
                    "indication_g": check.net_weight_g,
                    "added_g": Decimal(0),
                    "error_g": check.displayed_amount - result.computed_amount,
                    "corrected_error_g": None,
                    "mpe_g": Decimal(0),
                    "passed": result.passed,
                    "details": {
                        "unit_price": str(check.unit_price),
                        "displayed_amount": str(check.displayed_amount),
                        "computed_amount": str(result.computed_amount),
                    },
                }
            )
            if not result.passed:
                reasons.append(_("计价计算错误"))
    except mpe.MpeError as exc:
        raise ServiceError(_("检定数据无效：%s") % exc, code="bad_reading") from exc
    as_found = (
        mpe.as_found_code(errors_and_limits) if errors_and_limits else mpe.AsFoundCode.COMPLIANT
    )
    return Evaluation(points=points, reasons=reasons, as_found=str(as_found))


def valid_until(performed_on: dt.date) -> dt.date:
    """End of validity: the configured number of months later, the day before by convention."""
    months = settings.CHENGXIN_VERIFICATION_VALIDITY_MONTHS
    month_index = performed_on.month - 1 + months
    year, month = performed_on.year + month_index // 12, month_index % 12 + 1
    day = min(performed_on.day, calendar.monthrange(year, month)[1])
    end = dt.date(year, month, day)
    if getattr(settings, "CHENGXIN_VALID_UNTIL_DAY_BEFORE", True):
        end -= dt.timedelta(days=1)
    return end


# --- the service ------------------------------------------------------------------------------


def _check_scope(user: Any, scale: Scale, data: VerificationInput) -> Organisation:
    scope = scope_for(user)
    org = getattr(user, "organisation", None)
    if data.kind == VerificationKind.IN_SERVICE:
        if not scope.is_kind(OrganisationKind.REGULATOR) or not scope.has_role(Role.INSPECTOR):
            raise PermissionDenied(_("使用中检查由市场监管部门的检查员记录"))
        assert org is not None
        return org
    if not scope.is_kind(OrganisationKind.VERIFICATION) or not scope.has_role(Role.VERIFIER):
        raise PermissionDenied(_("只有计量检定机构的检定员可以记录检定"))
    assert org is not None
    kind = scale.type_approval.instrument_kind
    covering = [
        a
        for a in org.authorisations.all()
        if a.covers(instrument_kind=kind, division_code=scale.division_id, on=data.performed_on)
    ]
    if not covering:
        raise ServiceError(
            _("超出授权范围：%(org)s 在 %(date)s 未获授权检定 %(division)s 的此类器具")
            % {"org": org.name, "date": data.performed_on, "division": scale.division_id},
            code="outside_scope",
        )
    return org


def _next_number(org: Organisation, prefix: str, year: int) -> str:
    stem = f"{prefix}{org.uscc[8:14]}-{year}-"
    last = (
        # A range, not LIKE: SQLite's case-insensitive LIKE cannot use the unique index.
        Verification.objects.filter(document_no__gte=stem, document_no__lt=stem + "\uffff")
        .order_by("-document_no")
        .values_list("document_no", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:06d}"


def verification_record(*, user: Any, scale: Scale, raw: Mapping[str, Any]) -> Verification:
    """Record a verification of ``scale`` from plain data; issue its certificate or notice.

    Pass: a signed certificate, a new verification code, valid-until, seals applied, and the
    scale goes into service. Fail: a result notice and the scale is rejected. An in-service
    inspection that passes changes nothing but is recorded.
    """
    data = parse_input(raw)
    if data.performed_on > timezone.localdate():
        raise ServiceError(_("检定日期不能晚于今天"), code="bad_date")
    with transaction.atomic(), service_actor(user):
        scale = get_visible_or_404(
            Scale.objects.select_for_update().select_related("type_approval"), user, pk=scale.pk
        )
        org = _check_scope(user, scale, data)
        if scale.state not in ALLOWED_STATES[VerificationKind(data.kind)]:
            raise ServiceError(
                _("状态“%(s)s”的器具不能进行%(k)s")
                % {"s": ScaleState(scale.state).label, "k": VerificationKind(data.kind).label},
                code="illegal_transition",
            )
        approved = {(s.version, s.checksum) for s in scale.type_approval.software.all()}
        evaluation = evaluate(scale, data, approved)
        signers = {}
        for role_name in ("checker", "approver"):
            pk = getattr(data, role_name)
            if pk is not None:
                person = User.objects.filter(pk=pk, organisation=org).first()
                if person is None:
                    raise ServiceError(_("%s 必须是本机构人员") % role_name, code="bad_signer")
                signers[role_name] = person
        passed = evaluation.passed
        year = data.performed_on.year
        document_no = _next_number(org, "JD" if passed else "TZ", year)
        until = valid_until(data.performed_on) if passed and data.kind != "in_service" else None
        verification = Verification.objects.create(
            scale=scale,
            institution=org,
            kind=data.kind,
            performed_on=data.performed_on,
            place=data.place,
            temperature_c=data.temperature_c,
            standards=data.standards,
            verifier=user,
            checker=signers.get("checker"),
            approver=signers.get("approver"),
            identity_matches=data.identity_matches,
            software_version=data.software_version,
            software_checksum=data.software_checksum,
            software_approved=(data.software_version, data.software_checksum) in approved,
            seals_intact=data.seals_intact,
            codes_present=data.codes_present,
            result=VerificationResult.PASSED if passed else VerificationResult.FAILED,
            as_found=evaluation.as_found,
            reasons=evaluation.reasons,
            document_no=document_no,
            valid_until=until,
            verification_code=f"V{document_no}" if until else "",
            seal_ids=data.seal_ids,
        )
        points = TestPoint.objects.bulk_create(
            [TestPoint(verification=verification, **p) for p in evaluation.points]
        )
        change_records_for_bulk_create(points)
        _move_scale(user, scale, verification, data)
        if until is not None:
            certificate_issue(user=user, verification=verification)
    return verification


def _move_scale(
    user: Any, scale: Scale, verification: Verification, data: VerificationInput
) -> None:
    if verification.kind == VerificationKind.IN_SERVICE:
        if not verification.passed:
            instrument_services.scale_transition(
                user=user,
                scale=scale,
                transition="fail_inspection",
                document=verification.document_no,
                verification=verification,
                note="; ".join(verification.reasons),
            )
        return
    if verification.passed:
        values: dict[str, Any] = {
            "valid_until": verification.valid_until,
            "verification_code": verification.verification_code,
        }
        if data.seal_ids:
            values["seal_ids"] = data.seal_ids
        for name in ("calibration_counter", "configuration_counter"):
            if getattr(data, name) not in (None, ""):
                values[name] = getattr(data, name)
        instrument_services.scale_transition(
            user=user,
            scale=scale,
            transition="pass_verification",
            document=verification.document_no,
            verification=verification,
            values=values,
        )
    else:
        instrument_services.scale_transition(
            user=user,
            scale=scale,
            transition="fail_verification",
            document=verification.document_no,
            verification=verification,
            note="; ".join(verification.reasons),
        )


def certificate_issue(*, user: Any, verification: Verification) -> Certificate:
    """Sign the certificate of a passed verification with the institution's current key."""
    if not verification.passed or verification.valid_until is None:
        raise ServiceError(_("只有检定合格才能出具检定证书"), code="not_passed")
    key = _current_key(verification.institution, user)
    scale = verification.scale
    body = CertificateBody(
        number=verification.document_no,
        scale=scale.code,
        serial=scale.serial,
        type_approval=scale.type_approval.certificate_no,
        institution=verification.institution.uscc,
        kind=verification.kind,
        verified_on=verification.performed_on,
        valid_until=verification.valid_until,
        verification_code=verification.verification_code,
    )
    note = sign_note(body.text(), [Ed25519Signer.from_key(key.private_key)])
    with service_actor(user):
        return Certificate.objects.create(
            verification=verification,
            scale=scale,
            number=verification.document_no,
            signing_key=key,
            note=note,
            issued_at=timezone.now(),
        )


def points_preview(scale: Scale, raw: Mapping[str, Any]) -> Evaluation:
    """Judge readings without recording anything (the form fills in E, Ec, MPE as one types)."""
    data = parse_input(raw)
    approved = {(s.version, s.checksum) for s in scale.type_approval.software.all()}
    return evaluate(scale, data, approved)


__all__ = [
    "certificate_issue",
    "evaluate",
    "parse_input",
    "points_preview",
    "signing_key_rotate",
    "valid_until",
    "verification_record",
]
