"""/api/v1/markets/, /api/v1/stalls/ and /api/v1/vendors/."""

from __future__ import annotations

import pytest

from chengxin.markets.models import Market, Stall, Vendor
from chengxin.testing import factories as f
from chengxin.testing.api import baselines, client_for, count_queries, results

BASELINES = baselines(__file__)
MARKETS = "/api/v1/markets/"
STALLS = "/api/v1/stalls/"
VENDORS = "/api/v1/vendors/"


# --- markets ----------------------------------------------------------------------------------


def test_market_operator_lists_only_its_markets(world):
    rows = results(client_for(world.u_operator).get(MARKETS))
    assert [r["id"] for r in rows] == [world.market.pk]


def test_regulator_lists_markets_in_its_division(world):
    rows = results(client_for(world.u_zhejiang).get(MARKETS))
    assert {r["id"] for r in rows} == {world.market.pk, world.other_market.pk}
    rows = results(client_for(world.u_xihu).get(MARKETS))
    assert {r["id"] for r in rows} == {world.market.pk}


def test_market_list_filters_by_division(world):
    rows = results(client_for(world.u_zhejiang).get(MARKETS, {"division": "330200"}))
    assert [r["id"] for r in rows] == [world.other_market.pk]


def test_market_list_orders_by_id(world):
    rows = results(client_for(world.u_nation).get(MARKETS, {"ordering": "id"}))
    assert [r["id"] for r in rows] == [world.market.pk, world.other_market.pk]


def test_market_list_pages_with_a_cursor(world):
    client = client_for(world.u_nation)
    first = client.get(MARKETS, {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [
        world.other_market.pk,
        world.market.pk,
    ]


def test_market_outside_jurisdiction_is_not_found(world):
    response = client_for(world.u_other_operator).get(f"{MARKETS}{world.market.pk}/")
    assert response.status_code == 404


def test_market_operator_creates_a_market_of_its_own(world):
    data = {"name": "新市场", "operator": world.operator.pk, "division": "330106"}
    response = client_for(world.u_operator).post(MARKETS, data, format="json")
    assert response.status_code == 201, response.content
    assert Market.objects.get(pk=response.json()["id"]).operator == world.operator


def test_market_operator_may_not_create_a_market_for_another_operator(world):
    data = {"name": "新市场", "operator": world.other_operator.pk, "division": "330203"}
    response = client_for(world.u_operator).post(MARKETS, data, format="json")
    assert response.status_code == 403


def test_regulator_may_not_create_a_market_outside_its_division(world):
    data = {"name": "新市场", "operator": world.operator.pk, "division": "330106"}
    response = client_for(world.u_ningbo).post(MARKETS, data, format="json")
    assert response.status_code == 403


def test_market_operator_must_be_a_market_operator(world):
    data = {"name": "新市场", "operator": world.maker.pk, "division": "330106"}
    response = client_for(world.u_xihu).post(MARKETS, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_market_operator"


def test_market_operator_renames_its_market(world):
    url = f"{MARKETS}{world.market.pk}/"
    response = client_for(world.u_operator).patch(url, {"name": "西湖菜场"}, format="json")
    assert response.status_code == 200, response.content
    world.market.refresh_from_db()
    assert world.market.name == "西湖菜场"


def test_verification_institution_may_not_change_a_market_it_sees(world):
    url = f"{MARKETS}{world.market.pk}/"
    response = client_for(world.u_verifier).patch(url, {"name": "x"}, format="json")
    assert response.status_code == 403


# --- stalls -----------------------------------------------------------------------------------


def test_stall_list_filters_by_market(world):
    rows = results(client_for(world.u_zhejiang).get(STALLS, {"market": world.other_market.pk}))
    assert [r["id"] for r in rows] == [world.other_stall.pk]


def test_stall_list_orders_by_id_and_pages(world):
    f.stall(world.market)
    client = client_for(world.u_operator)
    first = client.get(STALLS, {"ordering": "id", "page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert first["results"][0]["id"] == world.stall.pk
    assert second["results"][0]["id"] > world.stall.pk


def test_stall_outside_jurisdiction_is_not_found(world):
    response = client_for(world.u_operator).get(f"{STALLS}{world.other_stall.pk}/")
    assert response.status_code == 404


def test_stall_shows_its_vendor_by_id_only(world):
    world.stall.vendor = world.vendor
    world.stall.save()
    row = client_for(world.u_verifier).get(f"{STALLS}{world.stall.pk}/").json()
    assert row["vendor"] == world.vendor.pk
    assert world.vendor.name not in str(row)


def test_market_operator_creates_a_stall_in_its_market(world):
    data = {"market": world.market.pk, "number": "B001", "vendor": world.vendor.pk}
    response = client_for(world.u_operator).post(STALLS, data, format="json")
    assert response.status_code == 201, response.content
    assert Stall.objects.get(pk=response.json()["id"]).vendor == world.vendor


def test_market_operator_may_not_create_a_stall_in_another_market(world):
    data = {"market": world.other_market.pk, "number": "B001"}
    response = client_for(world.u_operator).post(STALLS, data, format="json")
    assert response.status_code == 400  # the market does not exist, as far as they know
    assert not Stall.objects.filter(number="B001").exists()


def test_verification_institution_may_not_create_stalls(world):
    data = {"market": world.market.pk, "number": "B001"}
    response = client_for(world.u_verifier).post(STALLS, data, format="json")
    assert response.status_code == 403


def test_stall_vendor_must_trade_in_the_same_market(world):
    other_vendor = f.vendor(world.other_market)
    data = {"vendor": other_vendor.pk}
    response = client_for(world.u_nation).patch(f"{STALLS}{world.stall.pk}/", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "vendor_not_in_market"


def test_stall_number_is_unique_in_its_market(world):
    data = {"market": world.market.pk, "number": world.stall.number}
    response = client_for(world.u_operator).post(STALLS, data, format="json")
    assert response.status_code == 400


# --- vendors ----------------------------------------------------------------------------------


def test_market_operator_sees_its_vendors_personal_data(world):
    rows = results(client_for(world.u_operator).get(VENDORS))
    assert [(r["id"], r["phone"]) for r in rows] == [(world.vendor.pk, world.vendor.phone)]


def test_verification_institution_sees_no_vendors(world):
    assert results(client_for(world.u_verifier).get(VENDORS)) == []
    response = client_for(world.u_verifier).get(f"{VENDORS}{world.vendor.pk}/")
    assert response.status_code == 404


def test_manufacturer_sees_no_vendors(world):
    assert results(client_for(world.u_maker).get(VENDORS)) == []


def test_vendor_list_filters_by_market(world):
    f.vendor(world.other_market)
    rows = results(client_for(world.u_nation).get(VENDORS, {"market": world.market.pk}))
    assert [r["id"] for r in rows] == [world.vendor.pk]


def test_vendor_list_orders_by_id_and_pages(world):
    second_vendor = f.vendor(world.market)
    client = client_for(world.u_operator)
    first = client.get(VENDORS, {"ordering": "id", "page_size": 1}).json()
    assert first["results"][0]["id"] == world.vendor.pk
    assert client.get(first["next"]).json()["results"][0]["id"] == second_vendor.pk


def test_market_operator_records_a_vendor(world):
    data = {"market": world.market.pk, "name": "李四", "phone": "13900000000"}
    response = client_for(world.u_operator).post(VENDORS, data, format="json")
    assert response.status_code == 201, response.content
    assert Vendor.objects.get(pk=response.json()["id"]).name == "李四"


def test_market_operator_may_not_record_a_vendor_in_another_market(world):
    data = {"market": world.other_market.pk, "name": "李四"}
    response = client_for(world.u_operator).post(VENDORS, data, format="json")
    assert response.status_code == 400


def test_vendor_update_outside_jurisdiction_is_not_found(world):
    url = f"{VENDORS}{world.vendor.pk}/"
    response = client_for(world.u_other_operator).patch(url, {"name": "x"}, format="json")
    assert response.status_code == 404


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url"), [("markets", MARKETS), ("stalls", STALLS), ("vendors", VENDORS)]
)
def test_list_query_count_does_not_grow_with_page_size(world, name, url):
    for _ in range(8):
        m = f.market(world.operator)
        f.stall(m, vendor=f.vendor(m))
    client = client_for(world.u_xihu)
    small = count_queries(client, f"{url}?page_size=5")
    large = count_queries(client, f"{url}?page_size=50")
    assert small == large == BASELINES[name]
