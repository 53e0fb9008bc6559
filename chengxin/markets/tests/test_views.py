"""The console pages for markets: sight by jurisdiction, stalls, vendors' privacy, cost."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chengxin.instruments.choices import ScaleState
from chengxin.testing import factories as f


def test_market_list_shows_only_markets_in_the_jurisdiction(world, client):
    client.force_login(world.u_ningbo)
    response = client.get(reverse("markets:market_list"))
    assert response.status_code == 200
    assert [r["obj"] for r in response.context["rows"]] == [world.other_market]
    assert world.market.name not in response.content.decode()


def test_market_list_counts_visible_scales(world, client):
    f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market)
    client.force_login(world.u_xihu)
    rows = client.get(reverse("markets:market_list")).context["rows"]
    assert [(r["obj"], r["obj"].scale_count) for r in rows] == [(world.market, 1)]


def test_market_detail_lists_stalls_and_scales(world, client):
    world.stall.vendor = world.vendor
    world.stall.save()
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market, stall=world.stall)
    client.force_login(world.u_operator)
    response = client.get(reverse("markets:market", args=[world.market.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.stall.number in html
    assert scale.display_code in html
    assert "张三" in html


def test_market_detail_hides_vendors_from_verifiers(world, client):
    world.stall.vendor = world.vendor
    world.stall.save()
    client.force_login(world.u_verifier)
    response = client.get(reverse("markets:market", args=[world.market.pk]))
    assert response.status_code == 200
    assert "张三" not in response.content.decode()


def test_market_outside_the_jurisdiction_is_not_found(world, client):
    client.force_login(world.u_ningbo)
    assert client.get(reverse("markets:market", args=[world.market.pk])).status_code == 404
    assert client.get(reverse("markets:market_history", args=[world.market.pk])).status_code == 404
    client.force_login(world.u_other_operator)
    assert client.get(reverse("markets:market", args=[world.market.pk])).status_code == 404


def test_market_history_renders(world, client):
    client.force_login(world.u_operator)
    response = client.get(reverse("markets:market_history", args=[world.market.pk]))
    assert response.status_code == 200


def test_market_csv_export_holds_only_visible_rows(world, client):
    client.force_login(world.u_ningbo)
    response = client.get(reverse("markets:market_list"), {"export": "csv"})
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert world.other_market.name in text
    assert world.market.name not in text


def test_list_query_count_does_not_depend_on_page_size(world, client):
    for _ in range(50):
        m = f.market(world.operator)
        f.scale(world.approval, state=ScaleState.IN_SERVICE, m=m)
    client.force_login(world.u_xihu)
    url = reverse("markets:market_list")
    client.get(url, {"page_size": 5})
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert len(response.context["rows"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
