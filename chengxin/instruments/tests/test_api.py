"""/api/v1/type-approvals/ and /api/v1/scales/ (look-up by code, transitions, bulk registration)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chengxin.core.api.authentication import forget_tokens
from chengxin.core.models import ChangeRecord
from chengxin.instruments import codes
from chengxin.instruments.api import views
from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import LifecycleEvent, Scale, TypeApproval
from chengxin.testing import factories as f
from chengxin.testing.api import baselines, client_for, count_queries, results

BASELINES = baselines(__file__)
APPROVALS = "/api/v1/type-approvals/"
SCALES = "/api/v1/scales/"
BULK = "/api/v1/scales/bulk/"


def _row(world, serial: str, **kw):
    return {
        "serial": serial,
        "type_approval": world.approval.certificate_no,
        "production_code": f"P-{serial}",
        "software_version": "1.0.0",
        "software_checksum": "A1B2",
        "manufactured_on": "2026-03-01",
        **kw,
    }


def _status(**kw):
    return {
        "status": "not_for_new",
        "effective_on": "2026-04-01",
        "decision_no": "浙市监 1 号",
        **kw,
    }


# --- type approvals ---------------------------------------------------------------------------


def test_type_approvals_are_public_to_signed_in_users(world):
    rows = results(client_for(world.u_operator).get(APPROVALS))
    assert {r["id"] for r in rows} == {world.approval.pk, world.other_approval.pk}


def test_type_approval_list_filters_by_manufacturer(world):
    rows = results(client_for(world.u_xihu).get(APPROVALS, {"manufacturer": world.maker.pk}))
    assert [r["id"] for r in rows] == [world.approval.pk]


def test_type_approval_list_orders_by_certificate_number_and_pages(world):
    client = client_for(world.u_xihu)
    first = client.get(APPROVALS, {"ordering": "certificate_no", "page_size": 1}).json()
    second = client.get(first["next"]).json()
    numbers = [r["certificate_no"] for r in first["results"] + second["results"]]
    assert numbers == sorted([world.approval.certificate_no, world.other_approval.certificate_no])


def test_type_approval_detail_nests_software_and_status_history(world):
    client_for(world.u_zhejiang).post(
        f"{APPROVALS}{world.approval.pk}/status/", _status(), format="json"
    )
    body = client_for(world.u_maker).get(f"{APPROVALS}{world.approval.pk}/").json()
    assert body["software"] == [{"version": "1.0.0", "checksum": "A1B2"}]
    assert [(h["from_status"], h["to_status"]) for h in body["status_history"]] == [
        ("valid", "not_for_new")
    ]


def test_provincial_regulator_changes_a_type_approvals_status(world):
    response = client_for(world.u_zhejiang).post(
        f"{APPROVALS}{world.approval.pk}/status/", _status(), format="json"
    )
    assert response.status_code == 201, response.content
    assert TypeApproval.objects.get(pk=world.approval.pk).status == "not_for_new"


def test_regulator_of_another_province_may_not_change_the_status(world):
    response = client_for(f.user(world.jiangsu, "inspector")).post(
        f"{APPROVALS}{world.approval.pk}/status/", _status(), format="json"
    )
    assert response.status_code == 403


def test_manufacturer_may_not_change_the_status(world):
    response = client_for(world.u_maker).post(
        f"{APPROVALS}{world.approval.pk}/status/", _status(), format="json"
    )
    assert response.status_code == 403


def test_unchanged_status_is_a_service_error(world):
    response = client_for(world.u_zhejiang).post(
        f"{APPROVALS}{world.approval.pk}/status/", _status(status="valid"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unchanged"
    assert set(response.json()) == {"code", "detail", "errors"}


# --- scales: reading --------------------------------------------------------------------------


def test_manufacturer_lists_only_its_scales(world):
    mine = f.scale(world.approval)
    f.scale(world.other_approval)
    rows = results(client_for(world.u_maker).get(SCALES))
    assert [r["code"] for r in rows] == [mine.code]


def test_scale_list_filters_by_state(world):
    f.scale(world.approval)
    stocked = f.scale(world.approval, state=ScaleState.IN_STOCK)
    rows = results(client_for(world.u_maker).get(SCALES, {"state": "in_stock"}))
    assert [r["code"] for r in rows] == [stocked.code]


def test_scale_list_filters_by_division(world):
    here = f.scale(world.approval)
    f.scale(world.approval, division="330203")
    rows = results(client_for(world.u_nation).get(SCALES, {"division": "330100"}))
    assert [r["code"] for r in rows] == [here.code]


def test_scale_list_orders_by_code_and_pages(world):
    made = [f.scale(world.approval) for _ in range(3)]
    client = client_for(world.u_maker)
    first = client.get(SCALES, {"ordering": "code", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    got = [r["code"] for r in first["results"] + second["results"]]
    assert got == sorted(s.code for s in made)


def test_scale_is_looked_up_by_its_code(world):
    scale = f.scale(world.approval)
    body = client_for(world.u_xihu).get(f"{SCALES}{scale.code}/").json()
    assert body["code"] == scale.code
    assert body["manufacturer"] == {"id": world.maker.pk, "name": world.maker.name}
    assert body["type_approval"]["certificate_no"] == world.approval.certificate_no


def test_scale_is_looked_up_by_its_printed_code(world):
    scale = f.scale(world.approval)
    response = client_for(world.u_maker).get(f"{SCALES}{codes.display(scale.code).lower()}/")
    assert response.json()["code"] == scale.code


def test_scale_outside_jurisdiction_is_not_found(world):
    scale = f.scale(world.approval)
    assert client_for(world.u_other_maker).get(f"{SCALES}{scale.code}/").status_code == 404
    assert client_for(world.u_ningbo).get(f"{SCALES}{scale.code}/").status_code == 404


def test_scale_look_up_costs_a_fixed_number_of_queries(world):
    scale = f.scale(world.approval)
    client = client_for(world.u_xihu)
    assert count_queries(client, f"{SCALES}{scale.code}/") == BASELINES["scale-detail"]


def _both_paths(request):
    """The look-up route's response to ``request``, with and without the fast path."""
    match = resolve(request.path)
    return match.func(request, **match.kwargs), match.func.__wrapped__(request, **match.kwargs)


def _same(fast, drf) -> None:
    for response in (fast, drf):
        if hasattr(response, "render"):
            response.render()
    assert fast.status_code == drf.status_code
    assert fast.content == drf.content
    assert dict(fast.items()) == dict(drf.items())


def test_a_token_look_up_is_answered_as_drf_answers_it(world):
    forget_tokens()
    token = Token.objects.create(user=world.u_xihu)
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market, seal_ids=["Q-1"])
    for code in (scale.code, codes.display(scale.code).lower()):
        request = RequestFactory().get(f"{SCALES}{code}/", HTTP_AUTHORIZATION=f"Token {token.key}")
        fast, drf = _both_paths(request)
        assert fast.status_code == 200 and json.loads(fast.content)["code"] == scale.code
        _same(fast, drf)


def test_every_role_gets_the_same_answer_from_both_paths(world):
    forget_tokens()
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    users = [getattr(world, name) for name in vars(world) if name.startswith("u_")]
    seen = set()
    for user in users:
        token = Token.objects.create(user=user)
        request = RequestFactory().get(
            f"{SCALES}{scale.code}/", HTTP_AUTHORIZATION=f"Token {token.key}"
        )
        fast, drf = _both_paths(request)
        _same(fast, drf)
        seen.add(fast.status_code)
    assert seen == {200, 404}  # the jurisdiction decides, on both paths alike


_OTHER_CASES = {  # what DRF answers each
    "session": 200,
    "no credentials": 401,
    "bad token": 401,
    "outside": 404,
    "unknown": 404,
    "head": 200,
    "query": 200,
}


@pytest.mark.parametrize("case", _OTHER_CASES)
def test_every_other_look_up_is_left_to_drf(world, case):
    forget_tokens()
    token = Token.objects.create(user=world.u_ningbo if case == "outside" else world.u_xihu)
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    code = codes.generate() if case == "unknown" else scale.code
    headers = {
        "session": {},
        "no credentials": {},
        "bad token": {"HTTP_AUTHORIZATION": "Token not-a-token"},
    }.get(case, {"HTTP_AUTHORIZATION": f"Token {token.key}"})
    method = RequestFactory().head if case == "head" else RequestFactory().get
    request = method(f"{SCALES}{code}/", {"x": "1"} if case == "query" else None, **headers)
    if case == "session":
        request.user = world.u_xihu  # as AuthenticationMiddleware sets it from the session
        request._dont_enforce_csrf_checks = True
    with mock.patch.object(
        views.ScaleViewSet, "dispatch", autospec=True, side_effect=views.ScaleViewSet.dispatch
    ) as dispatch:
        fast, drf = _both_paths(request)
    assert dispatch.call_count == 2  # the wrapped route went to DRF too
    assert fast.status_code == _OTHER_CASES[case]
    _same(fast, drf)


def test_the_common_look_up_does_not_go_through_drf(world, settings):
    settings.CHENGXIN_API_TOKEN_CACHE_SECONDS = 30
    forget_tokens()
    token = Token.objects.create(user=world.u_nation)
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.get(f"{SCALES}{scale.code}/")  # the token is remembered, the plan compiled
    with (
        mock.patch.object(views.ScaleViewSet, "dispatch", side_effect=AssertionError("DRF")),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(f"{SCALES}{scale.code}/")
    assert response.status_code == 200 and response.json()["code"] == scale.code
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_scale_events_list_the_life_oldest_first(world):
    scale = f.scale(world.approval)
    client_for(world.u_maker).post(
        f"{SCALES}{scale.code}/transition/", {"transition": "release"}, format="json"
    )
    rows = results(client_for(world.u_maker).get(f"{SCALES}{scale.code}/events/"))
    assert [r["transition"] for r in rows] == ["manufacture", "release"]


def test_scale_history_lists_its_change_records(world):
    scale = f.scale(world.approval)
    client_for(world.u_maker).post(
        f"{SCALES}{scale.code}/transition/", {"transition": "release"}, format="json"
    )
    rows = results(client_for(world.u_xihu).get(f"{SCALES}{scale.code}/history/"))
    assert [r["action"] for r in rows] == ["transition", "create"]


def test_scale_history_outside_jurisdiction_is_not_found(world):
    scale = f.scale(world.approval)
    response = client_for(world.u_other_maker).get(f"{SCALES}{scale.code}/history/")
    assert response.status_code == 404


# --- scales: writing --------------------------------------------------------------------------


def test_transition_records_an_event_and_a_change_with_the_request_id(world):
    scale = f.scale(world.approval)
    response = client_for(world.u_maker).post(
        f"{SCALES}{scale.code}/transition/",
        {"transition": "release", "note": "出厂", "values": {"seal_ids": ["S-1"]}},
        format="json",
        HTTP_X_REQUEST_ID="req-transition-0001",
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "req-transition-0001"
    event = LifecycleEvent.objects.get(pk=response.json()["id"])
    assert (event.transition, event.to_state, event.user) == ("release", "in_stock", world.u_maker)
    record = ChangeRecord.objects.get(request_id="req-transition-0001", content_type__model="scale")
    assert (record.action, record.object_id, record.user) == (
        "transition",
        str(scale.pk),
        world.u_maker,
    )
    assert record.after["seal_ids"] == ["S-1"]


def test_transition_not_allowed_for_the_actor_is_forbidden(world):
    scale = f.scale(world.approval, state=ScaleState.SOLD, m=world.market)
    response = client_for(world.u_maker).post(
        f"{SCALES}{scale.code}/transition/",
        {"transition": "register", "values": {"market": world.market.pk, "stall": world.stall.pk}},
        format="json",
    )
    assert response.status_code == 403
    assert Scale.objects.get(pk=scale.pk).state == ScaleState.SOLD


def test_illegal_transition_is_a_service_error(world):
    scale = f.scale(world.approval)
    response = client_for(world.u_maker).post(
        f"{SCALES}{scale.code}/transition/", {"transition": "sell"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"required", "illegal_transition"}


def test_transition_on_a_scale_outside_jurisdiction_is_not_found(world):
    scale = f.scale(world.approval)
    response = client_for(world.u_other_maker).post(
        f"{SCALES}{scale.code}/transition/", {"transition": "release"}, format="json"
    )
    assert response.status_code == 404


def test_manufacturer_registers_one_scale(world):
    response = client_for(world.u_maker).post(SCALES, _row(world, "ONE-1"), format="json")
    assert response.status_code == 201, response.content
    assert codes.is_valid(response.json()["code"])
    assert Scale.objects.get(code=response.json()["code"]).serial == "ONE-1"


def test_bulk_registration_of_a_thousand_rows_succeeds_in_one_request(world):
    rows = [_row(world, f"BULK-{n:04d}") for n in range(1000)]
    response = client_for(world.u_maker).post(BULK, {"rows": rows}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 1000
    assert len(set(body["codes"])) == 1000
    assert Scale.objects.filter(manufacturer=world.maker).count() == 1000
    assert LifecycleEvent.objects.filter(scale__manufacturer=world.maker).count() == 1000


def test_bulk_registration_takes_ten_thousand_rows_and_refuses_one_more(world):
    rows = [_row(world, f"BULK-{n:05d}") for n in range(10_001)]
    client = client_for(world.u_maker)
    refused = client.post(BULK, {"rows": rows}, format="json")
    assert refused.status_code == 400
    assert not Scale.objects.exists()
    response = client.post(BULK, {"rows": rows[:10_000]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 10_000
    assert Scale.objects.filter(manufacturer=world.maker).count() == 10_000


def test_bulk_registration_with_two_bad_rows_writes_nothing_and_names_both(world):
    rows = [_row(world, f"BULK-{n}") for n in range(10)]
    rows[2]["type_approval"] = "NO-SUCH-CERT"
    rows[6]["manufactured_on"] = "2026-13-45"
    response = client_for(world.u_maker).post(BULK, {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "batch_rejected"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "type_approval"),
        (7, "manufactured_on"),
    ]
    assert not Scale.objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="scale").exists()


def test_bulk_registration_is_for_manufacturers_only(world):
    response = client_for(world.u_operator).post(BULK, {"rows": [_row(world, "X")]}, format="json")
    assert response.status_code == 403


def test_bulk_registration_needs_rows(world):
    response = client_for(world.u_maker).post(BULK, {"rows": []}, format="json")
    assert response.status_code == 400


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["scales", "type-approvals", "scale-events", "scale-history"])
def test_list_query_count_does_not_grow_with_page_size(world, name):
    scale = f.scale(world.approval)
    for _ in range(8):
        f.scale(world.approval)
        f.type_approval(world.maker, world.zhejiang)
        LifecycleEvent.objects.create(scale=scale, transition="release", to_state="in_stock")
        scale.serial += "X"
        scale.save()
    url = {
        "scales": SCALES,
        "type-approvals": APPROVALS,
        "scale-events": f"{SCALES}{scale.code}/events/",
        "scale-history": f"{SCALES}{scale.code}/history/",
    }[name]
    client = client_for(world.u_xihu)
    small = count_queries(client, f"{url}?page_size=5")
    large = count_queries(client, f"{url}?page_size=50")
    assert small == large == BASELINES[name]


def test_scale_list_reads_one_page_in_one_query(world):
    for _ in range(6):
        f.scale(world.approval)
    client = client_for(world.u_maker)
    client.get(SCALES)
    with CaptureQueriesContext(connection) as ctx:
        client.get(SCALES)
    scale_queries = [q for q in ctx.captured_queries if '"instruments_scale"' in q["sql"]]
    assert len(scale_queries) == 1
