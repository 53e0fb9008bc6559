"""/api/v1/verifications/, /certificates/ (with log bundles) and /signing-keys/."""

from __future__ import annotations

import datetime as dt

import pytest

from chengxin.instruments.choices import ScaleState
from chengxin.ledger import keys
from chengxin.ledger import services as ledger_services
from chengxin.ledger.checkpoint import verify_tlog_proof
from chengxin.ledger.models import LogEntry
from chengxin.ledger.note import Ed25519Verifier
from chengxin.organizations.models import SigningKey
from chengxin.testing import factories as f
from chengxin.testing.api import baselines, client_for, count_queries, results
from chengxin.verification import services
from chengxin.verification.models import Certificate, Verification
from chengxin.verification.tests.test_services import readings

BASELINES = baselines(__file__)
VERIFICATIONS = "/api/v1/verifications/"
CERTIFICATES = "/api/v1/certificates/"
KEYS = "/api/v1/signing-keys/"


@pytest.fixture
def registered(world):
    return f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)


def _record(world, scale=None, **kw):
    scale = scale or f.scale(
        world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall
    )
    return services.verification_record(user=world.u_verifier, scale=scale, raw=readings(**kw))


def _post(user, scale, **kw):
    return client_for(user).post(
        VERIFICATIONS, {"scale": scale.code, **readings(**kw)}, format="json"
    )


# --- recording --------------------------------------------------------------------------------


def test_a_verifier_records_a_verification_and_gets_its_certificate(world, registered):
    response = _post(world.u_verifier, registered)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["result"] == "passed" and body["scale"] == registered.code
    assert body["certificate"] == body["document_no"]
    assert len(body["points"]) == 1 + 4 + 4 + 5 + 3 + 1
    registered.refresh_from_db()
    assert registered.state == ScaleState.IN_SERVICE


def test_a_failed_verification_is_recorded_with_a_notice_not_a_certificate(world, registered):
    response = _post(world.u_verifier, registered, error_g="10")
    assert response.status_code == 201, response.content
    assert response.json()["result"] == "failed"
    assert response.json()["certificate"] is None


def test_a_scale_in_the_wrong_state_is_a_400_with_the_reason(world):
    locked = f.scale(world.approval, state=ScaleState.LOCKED, m=world.market)
    response = _post(world.u_verifier, locked)
    assert response.status_code == 400
    assert response.json()["code"] == "illegal_transition"
    assert "不能进行" in response.json()["detail"]
    assert not Verification.objects.exists()


def test_a_date_in_the_future_is_refused(world, registered):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = _post(world.u_verifier, registered, performed_on=tomorrow)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_date"


def test_a_malformed_body_is_a_400_naming_the_field(world, registered):
    response = client_for(world.u_verifier).post(
        VERIFICATIONS, {"scale": registered.code, "kind": "initial"}, format="json"
    )
    assert response.status_code == 400
    assert "increasing" in response.json()


def test_someone_who_is_not_a_verifier_gets_403(world, registered):
    response = _post(f.user(world.lab, "staff"), registered)
    assert response.status_code == 403
    assert not Verification.objects.exists()


def test_a_scale_outside_the_jurisdiction_is_404(world):
    nanjing = f.scale(world.other_approval, state=ScaleState.REGISTERED)
    response = _post(world.u_verifier, nanjing)
    assert response.status_code == 404


# --- reading ----------------------------------------------------------------------------------


def test_verifications_are_scoped_to_the_jurisdiction(world):
    mine = _record(world)
    assert [r["id"] for r in results(client_for(world.u_verifier).get(VERIFICATIONS))] == [mine.pk]
    assert [r["id"] for r in results(client_for(world.u_xihu).get(VERIFICATIONS))] == [mine.pk]
    assert results(client_for(world.u_other_verifier).get(VERIFICATIONS)) == []
    assert results(client_for(world.u_ningbo).get(VERIFICATIONS)) == []


def test_a_verification_outside_the_jurisdiction_is_404(world):
    mine = _record(world)
    assert client_for(world.u_ningbo).get(f"{VERIFICATIONS}{mine.pk}/").status_code == 404
    assert client_for(world.u_ningbo).get(f"{VERIFICATIONS}{mine.pk}/points/").status_code == 404
    assert client_for(world.u_xihu).get(f"{VERIFICATIONS}{mine.pk}/").status_code == 200


def test_anonymous_requests_are_refused(world, client):
    assert client.get(VERIFICATIONS).status_code in (401, 403)
    assert client.get(CERTIFICATES).status_code in (401, 403)


def test_verification_detail_nests_its_test_points(world):
    v = _record(world)
    body = client_for(world.u_xihu).get(f"{VERIFICATIONS}{v.pk}/").json()
    assert len(body["points"]) == 1 + 4 + 4 + 5 + 3 + 1
    points = client_for(world.u_xihu).get(f"{VERIFICATIONS}{v.pk}/points/").json()
    assert points == body["points"]
    assert {p["test"] for p in points} == {
        "zero",
        "increasing",
        "decreasing",
        "eccentricity",
        "repeatability",
        "price",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"result": "failed"}, "failed"),
        ({"result": "passed"}, "passed"),
        ({"kind": "initial"}, "both"),
        ({"kind": "subsequent"}, "none"),
        ({"performed_after": "2000-01-01", "performed_before": "2000-12-31"}, "none"),
        ({"performed_after": dt.date.today().isoformat()}, "both"),
    ],
)
def test_verification_list_filters(world, params, expected):
    passed = _record(world)
    failed = _record(world, error_g="10")
    ids = {r["id"] for r in results(client_for(world.u_xihu).get(VERIFICATIONS, params))}
    assert (
        ids
        == {
            "passed": {passed.pk},
            "failed": {failed.pk},
            "both": {passed.pk, failed.pk},
            "none": set(),
        }[expected]
    )


def test_verification_list_filters_by_scale_code_and_institution(world):
    first = _record(world)
    _record(world)
    client = client_for(world.u_xihu)
    rows = results(client.get(VERIFICATIONS, {"scale": first.scale.code.lower()}))
    assert [r["id"] for r in rows] == [first.pk]
    assert len(results(client.get(VERIFICATIONS, {"institution": world.lab.pk}))) == 2
    assert results(client.get(VERIFICATIONS, {"institution": world.other_lab.pk})) == []


# --- certificates, keys and the log -----------------------------------------------------------


def test_certificate_shows_the_signed_note_and_the_public_key(world):
    v = _record(world)
    body = client_for(world.u_xihu).get(f"{CERTIFICATES}{v.document_no}/").json()
    key = SigningKey.objects.get(organisation=world.lab)
    assert body["note"] == v.certificate.note
    assert body["signing_key"]["vkey"] == key.verifier_key
    assert body["scale"] == v.scale.code
    assert body["leaf_index"] is None  # pending until the sequencer runs


def test_certificate_outside_the_jurisdiction_is_404(world):
    v = _record(world)
    assert client_for(world.u_ningbo).get(f"{CERTIFICATES}{v.document_no}/").status_code == 404
    assert (
        client_for(world.u_ningbo).get(f"{CERTIFICATES}{v.document_no}/bundle/").status_code == 404
    )


def test_certificate_bundle_is_409_while_the_leaf_is_pending(world):
    v = _record(world)
    response = client_for(world.u_xihu).get(f"{CERTIFICATES}{v.document_no}/bundle/")
    assert response.status_code == 409
    assert v.document_no in response.json()["detail"]


def test_certificate_bundle_verifies_against_the_log_key(world):
    v = _record(world)
    ledger_services.log_integrate_all()
    client = client_for(world.u_xihu)
    body = client.get(f"{CERTIFICATES}{v.document_no}/").json()
    leaf = LogEntry.objects.get(index=body["leaf_index"])
    assert leaf.record.object_id == str(v.certificate.pk)
    response = client.get(f"{CERTIFICATES}{v.document_no}/bundle/")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment;")
    verified = verify_tlog_proof(
        response.content,
        leaf_hash=bytes(leaf.leaf_hash),
        origin=keys.origin(),
        log_verifiers=[Ed25519Verifier.from_key(keys.verifier_key())],
    )
    assert verified.index == body["leaf_index"]


def test_signing_keys_are_listed_per_organisation_with_retirement(world):
    first = _record(world)
    services.signing_key_rotate(user=world.u_verifier, organisation=world.lab)
    rows = results(client_for(world.u_operator).get(KEYS, {"organisation": world.lab.pk}))
    assert len(rows) == 2
    assert {r["retired_on"] is None for r in rows} == {True, False}
    old = next(r for r in rows if r["retired_on"])
    assert old["vkey"] == first.certificate.signing_key.verifier_key
    current = results(client_for(world.u_operator).get(KEYS, {"current": "true"}))
    assert [r["id"] for r in current] == [next(r["id"] for r in rows if not r["retired_on"])]


def test_the_private_key_never_appears_in_any_response(world):
    v = _record(world)
    ledger_services.log_integrate_all()
    key = SigningKey.objects.get(organisation=world.lab)
    secret = key.private_key
    secret_part = secret.split("+", 4)[4]  # PRIVATE+KEY+<name>+<id>+<base64, may hold "+">
    client = client_for(world.u_nation)
    urls = [
        KEYS,
        f"{KEYS}{key.pk}/",
        CERTIFICATES,
        f"{CERTIFICATES}{v.document_no}/",
        f"{CERTIFICATES}{v.document_no}/bundle/",
        VERIFICATIONS,
        f"{VERIFICATIONS}{v.pk}/",
        "/api/v1/changes/?object_type=organizations.signingkey",
        "/api/v1/schema/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = response.content.decode()
        assert secret not in text and secret_part not in text, url
        assert "private_key" not in text, url


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["verifications", "certificates", "signing-keys"])
def test_list_query_counts_do_not_grow_with_page_size(world, name):
    for _ in range(6):
        _record(world)
    for org in (world.other_lab, world.repairer):
        services.signing_key_rotate(user=f.user(org, "verifier"), organisation=org)
    ledger_services.log_integrate_all()
    url = {"verifications": VERIFICATIONS, "certificates": CERTIFICATES, "signing-keys": KEYS}[name]
    client = client_for(world.u_xihu)
    small = count_queries(client, f"{url}?page_size=2")
    large = count_queries(client, f"{url}?page_size=50")
    assert small == large == BASELINES[name]


def test_detail_query_counts_are_fixed(world):
    v = _record(world)
    client = client_for(world.u_xihu)
    assert count_queries(client, f"{VERIFICATIONS}{v.pk}/") == BASELINES["verification-detail"]
    assert (
        count_queries(client, f"{CERTIFICATES}{v.document_no}/") == BASELINES["certificate-detail"]
    )
    assert Certificate.objects.count() == 1
