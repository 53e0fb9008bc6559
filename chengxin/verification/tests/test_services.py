"""Recording verifications: scope, the engine's verdict, certificates and the scale's state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from chengxin.core.errors import ServiceError
from chengxin.instruments.choices import ScaleState
from chengxin.ledger.note import Ed25519Verifier, open_note
from chengxin.organizations.choices import OrganisationKind
from chengxin.testing import factories as f
from chengxin.testing.factories import verification_readings as readings
from chengxin.verification import services
from chengxin.verification.certificate import parse_certificate
from chengxin.verification.choices import VerificationResult
from chengxin.verification.models import Certificate, TestPoint


@pytest.fixture
def registered(world):
    return f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)


def test_a_passing_verification_issues_a_signed_certificate_and_puts_the_scale_in_service(
    world, registered
):
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    registered.refresh_from_db()
    assert v.result == VerificationResult.PASSED and v.as_found == "C"
    assert registered.state == ScaleState.IN_SERVICE
    assert registered.valid_until == v.valid_until == services.valid_until(v.performed_on)
    assert registered.verification_code == v.verification_code
    assert registered.seal_ids == ["QF-0001"]
    certificate = Certificate.objects.get(verification=v)
    note = open_note(
        certificate.note, [Ed25519Verifier.from_key(certificate.signing_key.verifier_key)]
    )
    body = parse_certificate(note.text)
    assert (body.scale, body.number, body.valid_until) == (
        registered.code,
        v.document_no,
        v.valid_until,
    )
    assert TestPoint.objects.filter(verification=v).count() == 1 + 4 + 4 + 5 + 3 + 1


def test_an_error_beyond_the_limit_fails_rejects_and_issues_a_notice(world, registered):
    v = services.verification_record(
        user=world.u_verifier, scale=registered, raw=readings(error_g="10")
    )
    registered.refresh_from_db()
    assert v.result == VerificationResult.FAILED
    assert v.as_found.startswith("R")  # reads heavy: against the buyer
    assert registered.state == ScaleState.REJECTED
    assert v.document_no.startswith("TZ")
    assert not Certificate.objects.filter(verification=v).exists()


def test_unapproved_software_fails_the_pre_check(world, registered):
    v = services.verification_record(
        user=world.u_verifier, scale=registered, raw=readings(software_version="6.6.6-cheat")
    )
    assert v.result == VerificationResult.FAILED
    assert any("软件" in r for r in v.reasons)


def test_outside_the_authorised_divisions_is_refused_with_the_reason(world):
    ningbo_market = f.market(world.operator, division="330203")
    scale = f.scale(world.approval, state=ScaleState.REGISTERED, m=ningbo_market)
    lab = world.lab
    lab_user = world.u_verifier
    f.authorisation(lab, world.zhejiang, "330203", instrument_kinds=["fair_scale"])
    with pytest.raises(ServiceError) as exc:
        services.verification_record(user=lab_user, scale=scale, raw=readings())
    assert exc.value.code == "outside_scope"
    scale.refresh_from_db()
    assert scale.state == ScaleState.REGISTERED


def test_an_expired_authorisation_does_not_cover_the_date(world, registered):
    lab = f.organisation(OrganisationKind.VERIFICATION, "330100")
    f.authorisation(
        lab,
        world.zhejiang,
        "330100",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    f.authorisation(
        lab,
        world.zhejiang,
        "339999",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2030, 1, 1),
    )
    verifier = f.user(lab, "verifier")
    with pytest.raises(Exception) as exc:  # noqa: PT011 - 404 (not visible) or out of scope
        services.verification_record(user=verifier, scale=registered, raw=readings())
    assert exc.type.__name__ in {"Http404", "ServiceError"}


def test_only_verifiers_record_verifications(world, registered):
    clerk = f.user(world.lab, "staff")
    with pytest.raises(PermissionDenied):
        services.verification_record(user=clerk, scale=registered, raw=readings())


def test_a_scale_in_the_wrong_state_is_refused(world):
    scale = f.scale(world.approval, state=ScaleState.LOCKED, m=world.market)
    with pytest.raises(ServiceError) as exc:
        services.verification_record(user=world.u_verifier, scale=scale, raw=readings())
    assert exc.value.code == "illegal_transition"


def test_in_service_inspection_doubles_the_limits(world):
    scale = f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        valid_until=dt.date.today() + dt.timedelta(days=100),
    )
    # 7.5 g at 10 kg: beyond 1.5 e (initial) but within 3 e (in service).
    raw = readings(error_g="7.5", kind="in_service")
    raw["increasing"] = [{"load": "10000", "indication": "10010", "added": "5"}]
    raw["decreasing"] = raw["eccentricity"] = raw["repeatability"] = []
    v = services.verification_record(user=world.u_xihu, scale=scale, raw=raw)
    assert v.result == VerificationResult.PASSED
    scale.refresh_from_db()
    assert scale.state == ScaleState.IN_SERVICE


def test_key_rotation_retires_the_old_key_and_keeps_old_certificates_verifiable(world, registered):
    first = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    old_key = first.certificate.signing_key
    services.signing_key_rotate(user=world.u_verifier, organisation=world.lab)
    old_key.refresh_from_db()
    assert old_key.retired_on is not None
    open_note(first.certificate.note, [Ed25519Verifier.from_key(old_key.verifier_key)])


@pytest.mark.parametrize(
    ("performed", "until"),
    [("2026-01-31", "2027-01-30"), ("2024-02-29", "2025-02-27"), ("2026-11-26", "2027-11-25")],
)
def test_validity_is_twelve_months_to_the_day_before(performed, until):
    assert services.valid_until(dt.date.fromisoformat(performed)) == dt.date.fromisoformat(until)
