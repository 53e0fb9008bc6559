"""The console pages for organisations: the directory and one organisation's authorisations."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chengxin.organizations.choices import OrganisationKind
from chengxin.testing import factories as f


def test_organisation_list_and_filter(world, client):
    client.force_login(world.u_xihu)
    url = reverse("organizations:organisation_list")
    response = client.get(url)
    assert response.status_code == 200
    assert world.maker.name in response.content.decode()
    rows = client.get(url, {"kind": OrganisationKind.VERIFICATION}).context["rows"]
    assert {r["obj"] for r in rows} == {world.lab, world.other_lab}


def test_organisation_detail_shows_its_authorisations(world, client):
    client.force_login(world.u_zhejiang)
    response = client.get(reverse("organizations:organisation", args=[world.lab.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.lab.uscc in html
    assert world.lab.authorisations.get().certificate_no in html
    assert "杭州市（330100）" in html


def test_authorisations_outside_the_jurisdiction_are_not_listed(world, client):
    client.force_login(world.u_ningbo)
    response = client.get(reverse("organizations:organisation", args=[world.other_lab.pk]))
    assert response.status_code == 200  # the directory is public ...
    assert response.context["authorisations"] == []  # ... a Jiangsu authorisation is not


def test_organisation_history_renders(world, client):
    client.force_login(world.u_xihu)
    response = client.get(reverse("organizations:organisation_history", args=[world.maker.pk]))
    assert response.status_code == 200
    assert response.context["entries"][0]["record"].action == "create"


def test_unknown_organisation_is_not_found(world, client):
    client.force_login(world.u_xihu)
    assert client.get(reverse("organizations:organisation", args=[999999])).status_code == 404


def test_organisation_csv_export(world, client):
    client.force_login(world.u_xihu)
    response = client.get(
        reverse("organizations:organisation_list"), {"export": "csv", "kind": "manufacturer"}
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert world.maker.name in text
    assert world.lab.name not in text


def test_list_query_count_does_not_depend_on_page_size(world, client):
    for _ in range(50):
        f.organisation(OrganisationKind.MANUFACTURER, "330102")
    client.force_login(world.u_xihu)
    url = reverse("organizations:organisation_list")
    client.get(url, {"page_size": 5})
    counts = []
    for page_size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": page_size})
        assert len(response.context["rows"]) == page_size
        counts.append(len(queries))
    assert counts[0] == counts[1]
