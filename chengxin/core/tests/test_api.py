"""/api/v1/changes/, the error shape, and the OpenAPI schema and docs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from chengxin.core import context
from chengxin.core.errors import BatchRejected, ServiceError
from chengxin.core.models import ChangeRecord
from chengxin.markets.models import Market
from chengxin.testing import factories as f
from chengxin.testing.api import baselines, client_for, count_queries, results

BASELINES = baselines(__file__)
CHANGES = "/api/v1/changes/"


def _renamed(market: Market, user, name: str) -> ChangeRecord:
    with context.acting_as(user, source="test"):
        market.name = name
        market.save()
    return ChangeRecord.objects.filter(object_id=str(market.pk)).latest("id")


# --- change records ---------------------------------------------------------------------------


def test_national_regulator_reads_every_change_record(world):
    rows = results(client_for(world.u_nation).get(CHANGES, {"page_size": 1000}))
    assert len(rows) == ChangeRecord.objects.count()


def test_others_read_the_records_of_their_own_organisation(world):
    mine = _renamed(world.market, world.u_operator, "甲")
    _renamed(world.other_market, world.u_other_operator, "乙")
    rows = results(client_for(f.user(world.operator)).get(CHANGES))
    assert [r["id"] for r in rows] == [mine.pk]


def test_history_of_an_object_the_user_sees_is_readable_whoever_made_it(world):
    _renamed(world.market, world.u_operator, "甲")
    params = {"object_type": "markets.market", "object_id": world.market.pk}
    rows = results(client_for(world.u_xihu).get(CHANGES, params))
    assert [r["action"] for r in rows] == ["update", "create"]
    assert {r["object_type"] for r in rows} == {"markets.market"}


def test_history_of_an_object_outside_jurisdiction_is_empty(world):
    _renamed(world.other_market, world.u_other_operator, "乙")
    params = {"object_type": "markets.market", "object_id": world.other_market.pk}
    assert results(client_for(world.u_xihu).get(CHANGES, params)) == []


def test_change_record_list_filters_by_request_id(world):
    with context.acting_as(world.u_operator, source="test", request_id="req-filter-0001"):
        world.market.name = "丙"
        world.market.save()
    rows = results(client_for(world.u_nation).get(CHANGES, {"request_id": "req-filter-0001"}))
    assert [r["object_id"] for r in rows] == [str(world.market.pk)]


def test_change_record_list_orders_by_time_and_pages(world):
    client = client_for(world.u_nation)
    first = client.get(CHANGES, {"ordering": "time", "page_size": 3}).json()
    second = client.get(first["next"]).json()
    times = [r["time"] for r in first["results"] + second["results"]]
    assert len(times) == 6
    assert times == sorted(times)


def test_change_record_of_a_visible_object_is_readable(world):
    record = _renamed(world.market, world.u_operator, "甲")
    assert client_for(world.u_xihu).get(f"{CHANGES}{record.pk}/").status_code == 200


def test_change_record_of_an_object_outside_jurisdiction_is_not_found(world):
    record = _renamed(world.other_market, world.u_other_operator, "乙")
    assert client_for(world.u_xihu).get(f"{CHANGES}{record.pk}/").status_code == 404


def test_change_records_cannot_be_written_through_the_api(world):
    assert client_for(world.u_nation).post(CHANGES, {}, format="json").status_code == 405


def test_change_record_list_query_count_does_not_grow_with_page_size(world):
    for n in range(8):
        _renamed(world.market, world.u_operator, f"名{n}")
    client = client_for(world.u_operator)
    small = count_queries(client, f"{CHANGES}?page_size=5")
    large = count_queries(client, f"{CHANGES}?page_size=50")
    assert small == large == BASELINES["changes"]


# --- the error shape --------------------------------------------------------------------------


def test_service_error_becomes_a_400_with_code_detail_and_errors():
    from chengxin.core.api.exceptions import exception_handler

    response = exception_handler(ServiceError("bad", code="nope", details={"x": 1}), {})
    assert (response.status_code, response.data) == (
        400,
        {"code": "nope", "detail": "bad", "errors": {"x": 1}},
    )


def test_batch_rejected_becomes_a_400_listing_each_row():
    from chengxin.core.api.exceptions import exception_handler

    rows = [
        {"row": 1, "field": "serial", "message": "m"},
        {"row": 4, "field": "d_g", "message": "n"},
    ]
    response = exception_handler(BatchRejected(rows), {})
    assert response.status_code == 400
    assert response.data["errors"] == rows


# --- schema and docs --------------------------------------------------------------------------


def test_schema_endpoint_serves_the_openapi_document(world):
    response = client_for(world.u_xihu).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/scales/{code}/transition/" in response.json()["paths"]


def test_schema_validates_without_warnings(db, tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "s.yaml"),
        stderr=StringIO(),
    )


def test_docs_page_is_served_from_local_assets(world):
    response = client_for(world.u_xihu).get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200


def test_a_remembered_token_skips_the_database_and_expires(world, settings, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from chengxin.core.api.authentication import forget_tokens

    settings.CHENGXIN_API_TOKEN_CACHE_SECONDS = 30
    forget_tokens()
    token = Token.objects.create(user=world.u_nation)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/organisations/", **headers).status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/organisations/", **headers)
    token.delete()
    assert client.get("/api/v1/organisations/", **headers).status_code == 200  # within the TTL
    forget_tokens()
    assert client.get("/api/v1/organisations/", **headers).status_code in (401, 403)
    assert not any("authtoken_token" in q["sql"] for q in first.captured_queries)


def test_a_request_without_credentials_is_told_how_to_authenticate(world):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_browser_session_authenticates_and_must_carry_its_csrf_token(world):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(world.u_nation)
    assert browser.get("/api/v1/organisations/").status_code == 200
    refused = browser.post("/api/v1/scales/", {}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
