"""/api/v1/organisations/, /api/v1/authorisations/ and the ``token`` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from chengxin.core.models import ChangeRecord
from chengxin.organizations.choices import OrganisationKind
from chengxin.organizations.models import Authorisation, Organisation
from chengxin.organizations.uscc import make as make_uscc
from chengxin.testing import factories as f
from chengxin.testing.api import baselines, client_for, count_queries, results

BASELINES = baselines(__file__)
ORGS = "/api/v1/organisations/"
AUTHS = "/api/v1/authorisations/"


def _new_org(division: str = "330106", **kw):
    return {
        "kind": OrganisationKind.MANUFACTURER,
        "name": "新衡器厂",
        "uscc": make_uscc("9", "1", division, "77777777X"),
        "division": division,
        **kw,
    }


def _new_auth(world, **kw):
    today = dt.date.today()
    return {
        "organisation": world.lab.pk,
        "kind": "verification",
        "certificate_no": "AUTH-NEW-1",
        "instrument_kinds": ["price_computing_scale"],
        "division_codes": ["330106"],
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
        **kw,
    }


# --- organisations ----------------------------------------------------------------------------


def test_anonymous_requests_are_refused(world):
    assert APIClient().get(ORGS).status_code in (401, 403)


def test_organisation_list_is_the_whole_directory(world):
    rows = results(client_for(world.u_operator).get(ORGS, {"page_size": 100}))
    assert len(rows) == Organisation.objects.count()


def test_organisation_list_filters_by_kind(world):
    rows = results(client_for(world.u_xihu).get(ORGS, {"kind": "manufacturer"}))
    assert {r["id"] for r in rows} == {world.maker.pk, world.other_maker.pk}


def test_organisation_list_filters_by_division_prefix(world):
    rows = results(client_for(world.u_xihu).get(ORGS, {"division": "320000"}))
    assert {r["division"][:2] for r in rows} == {"32"}
    assert world.jiangsu.pk in {r["id"] for r in rows}


def test_organisation_list_orders_by_uscc(world):
    rows = results(client_for(world.u_xihu).get(ORGS, {"ordering": "uscc", "page_size": 100}))
    assert [r["uscc"] for r in rows] == sorted(r["uscc"] for r in rows)


def test_organisation_list_pages_with_a_cursor(world):
    client = client_for(world.u_xihu)
    first = client.get(ORGS, {"page_size": 5}).json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == 10
    assert ids == sorted(ids, reverse=True)


def test_organisation_detail(world):
    response = client_for(world.u_maker).get(f"{ORGS}{world.xihu.pk}/")
    assert response.json()["name"] == world.xihu.name


def test_regulator_creates_an_organisation_inside_its_division(world):
    response = client_for(world.u_xihu).post(ORGS, _new_org(), format="json")
    assert response.status_code == 201, response.content
    org = Organisation.objects.get(pk=response.json()["id"])
    record = ChangeRecord.objects.get(content_type__model="organisation", object_id=str(org.pk))
    assert (record.action, record.user, record.source) == ("create", world.u_xihu, "api")


def test_regulator_may_not_create_an_organisation_outside_its_division(world):
    response = client_for(world.u_ningbo).post(ORGS, _new_org("330106"), format="json")
    assert response.status_code == 403


def test_manufacturer_may_not_create_organisations(world):
    response = client_for(world.u_maker).post(ORGS, _new_org(), format="json")
    assert response.status_code == 403


def test_organisation_with_a_bad_credit_code_is_rejected(world):
    response = client_for(world.u_xihu).post(ORGS, _new_org(uscc="123"), format="json")
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_regulator_updates_an_organisation_in_its_division(world):
    url = f"{ORGS}{world.maker.pk}/"
    response = client_for(world.u_xihu).patch(url, {"address": "文三路 1 号"}, format="json")
    assert response.status_code == 200, response.content
    world.maker.refresh_from_db()
    assert world.maker.address == "文三路 1 号"


def test_regulator_may_not_update_an_organisation_outside_its_division(world):
    url = f"{ORGS}{world.maker.pk}/"
    response = client_for(world.u_ningbo).patch(url, {"address": "x"}, format="json")
    assert response.status_code == 403


def test_regulator_may_not_move_an_organisation_out_of_its_division(world):
    url = f"{ORGS}{world.maker.pk}/"
    response = client_for(world.u_xihu).patch(url, {"division": "320102"}, format="json")
    assert response.status_code == 403


def test_organisations_are_not_deleted_through_the_api(world):
    response = client_for(world.u_nation).delete(f"{ORGS}{world.maker.pk}/")
    assert response.status_code == 405


# --- authorisations ---------------------------------------------------------------------------


def test_regulator_lists_authorisations_in_its_jurisdiction(world):
    rows = results(client_for(world.u_zhejiang).get(AUTHS))
    assert {r["organisation"] for r in rows} == {world.lab.pk, world.repairer.pk}


def test_institution_lists_only_its_own_authorisations(world):
    rows = results(client_for(world.u_verifier).get(AUTHS))
    assert {r["organisation"] for r in rows} == {world.lab.pk}


def test_authorisation_list_filters_by_organisation(world):
    rows = results(client_for(world.u_nation).get(AUTHS, {"organisation": world.other_lab.pk}))
    assert [r["organisation"] for r in rows] == [world.other_lab.pk]


def test_authorisation_list_orders_by_id(world):
    rows = results(client_for(world.u_nation).get(AUTHS, {"ordering": "id"}))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_authorisation_list_pages_with_a_cursor(world):
    client = client_for(world.u_nation)
    first = client.get(AUTHS, {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert len(client.get(first["next"]).json()["results"]) == 1


def test_authorisation_outside_jurisdiction_is_not_found(world):
    auth = Authorisation.objects.get(organisation=world.other_lab)
    assert client_for(world.u_zhejiang).get(f"{AUTHS}{auth.pk}/").status_code == 404


def test_regulator_grants_an_authorisation(world):
    response = client_for(world.u_zhejiang).post(AUTHS, _new_auth(world), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["issued_by"] == world.zhejiang.pk


def test_authorisation_for_divisions_outside_jurisdiction_is_rejected(world):
    data = _new_auth(world, division_codes=["320100"])
    response = client_for(world.u_zhejiang).post(AUTHS, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "division_codes" in response.json()["errors"]


def test_market_operator_may_not_grant_authorisations(world):
    response = client_for(world.u_operator).post(AUTHS, _new_auth(world), format="json")
    assert response.status_code == 403


def test_regulator_may_not_authorise_an_institution_outside_its_jurisdiction(world):
    data = _new_auth(world, organisation=world.other_lab.pk)
    response = client_for(world.u_zhejiang).post(AUTHS, data, format="json")
    assert response.status_code == 403


def test_regulator_extends_an_authorisation(world):
    auth = Authorisation.objects.get(organisation=world.lab)
    until = (auth.valid_until + dt.timedelta(days=30)).isoformat()
    response = client_for(world.u_zhejiang).patch(
        f"{AUTHS}{auth.pk}/", {"valid_until": until}, format="json"
    )
    assert response.status_code == 200, response.content
    auth.refresh_from_db()
    assert auth.valid_until.isoformat() == until


def test_institution_may_not_change_its_own_authorisation(world):
    auth = Authorisation.objects.get(organisation=world.lab)
    response = client_for(world.u_verifier).patch(
        f"{AUTHS}{auth.pk}/", {"division_codes": ["330000"]}, format="json"
    )
    assert response.status_code == 403


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "url"), [("organisations", ORGS), ("authorisations", AUTHS)])
def test_list_query_count_does_not_grow_with_page_size(world, name, url):
    for _ in range(8):
        f.authorisation(f.organisation(OrganisationKind.VERIFICATION, "330102"), world.zhejiang)
    client = client_for(world.u_zhejiang)
    small = count_queries(client, f"{url}?page_size=5")
    large = count_queries(client, f"{url}?page_size=50")
    assert small == large == BASELINES[name]


# --- tokens -----------------------------------------------------------------------------------


def test_token_command_prints_a_token_that_authenticates(world):
    out = StringIO()
    call_command("token", world.u_maker.username, stdout=out)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    response = client.get(f"{ORGS}{world.maker.pk}/")
    assert response.status_code == 200


def test_token_command_prints_the_same_token_twice(world):
    first, second = StringIO(), StringIO()
    call_command("token", world.u_maker.username, stdout=first)
    call_command("token", world.u_maker.username, stdout=second)
    assert first.getvalue() == second.getvalue()


def test_token_command_rejects_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("token", "nobody")


def test_a_wrong_token_is_refused(world):
    client = APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert client.get(ORGS).status_code in (401, 403)
