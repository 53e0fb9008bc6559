"""/api/v1/divisions/: the GB/T 2260 table, read-only."""

from __future__ import annotations

from chengxin.regions.models import Division
from chengxin.testing.api import baselines, client_for, count_queries, results

BASELINES = baselines(__file__)
DIVISIONS = "/api/v1/divisions/"


def test_division_list_is_ordered_by_code(world):
    rows = results(client_for(world.u_maker).get(DIVISIONS, {"page_size": 20}))
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    assert len(codes) == 20


def test_division_list_filters_by_parent(world):
    rows = results(client_for(world.u_maker).get(DIVISIONS, {"parent": "330100"}))
    assert "330106" in {r["code"] for r in rows}
    assert {r["parent"] for r in rows} == {"330100"}


def test_division_list_filters_by_level(world):
    rows = results(
        client_for(world.u_maker).get(DIVISIONS, {"level": "province", "page_size": 100})
    )
    assert {r["level"] for r in rows} == {"province"}
    assert "330000" in {r["code"] for r in rows}


def test_division_list_filters_by_code_prefix(world):
    rows = results(client_for(world.u_maker).get(DIVISIONS, {"code": "3301", "page_size": 100}))
    assert all(r["code"].startswith("3301") for r in rows)
    assert len(rows) == Division.objects.filter(code__startswith="3301").count()


def test_division_list_pages_with_a_cursor(world):
    client = client_for(world.u_maker)
    first = client.get(DIVISIONS, {"code": "33", "page_size": 5}).json()
    second = client.get(first["next"]).json()
    assert first["results"][-1]["code"] < second["results"][0]["code"]


def test_division_detail(world):
    body = client_for(world.u_maker).get(f"{DIVISIONS}330106/").json()
    assert (body["name"], body["parent"]) == ("西湖区", "330100")


def test_divisions_are_read_only(world):
    response = client_for(world.u_nation).post(DIVISIONS, {"code": "999999"}, format="json")
    assert response.status_code == 405


def test_division_list_query_count_does_not_grow_with_page_size(world):
    client = client_for(world.u_maker)
    small = count_queries(client, f"{DIVISIONS}?page_size=5")
    large = count_queries(client, f"{DIVISIONS}?page_size=50")
    assert small == large == BASELINES["divisions"]
