"""The console pages for scales and type approvals: sight, export, transitions, language, cost."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.testing import factories as f

TODAY = dt.date.today()


@pytest.fixture
def xihu_scale(world):
    """An in-service scale at a Xihu stall, used by the vendor 张三."""
    return f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        stall=world.stall,
        vendor=world.vendor,
        valid_until=TODAY + dt.timedelta(days=10),
    )


@pytest.fixture
def ningbo_scale(world):
    return f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.other_market)


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- sign-in and home -------------------------------------------------------------------------


def test_pages_need_a_signed_in_user(world, client):
    response = client.get(reverse("instruments:scale_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_renders_and_signs_in(world, client):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": world.u_xihu.username, "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_a_post(world, client):
    client.force_login(world.u_xihu)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_home_counts_scales_of_the_jurisdiction_by_state(world, client, xihu_scale, ningbo_scale):
    f.scale(
        world.approval,
        state=ScaleState.OVERDUE,
        m=world.market,
        valid_until=TODAY - dt.timedelta(days=3),
    )
    client.force_login(world.u_xihu)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    states = {s["value"]: s["count"] for s in response.context["states"]}
    assert states[ScaleState.IN_SERVICE] == 1  # the Ningbo scale is not counted
    assert states[ScaleState.OVERDUE] == 1
    assert response.context["due_soon"] == 1
    assert response.context["overdue"] == 1
    assert world.xihu.name in response.content.decode()  # the header names the organisation


def test_home_due_soon_link_lists_the_due_scale(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    url = client.get(reverse("home")).context["due_soon_url"]
    response = client.get(url)
    assert [r["obj"] for r in response.context["rows"]] == [xihu_scale]


# --- lists ------------------------------------------------------------------------------------


def test_scale_list_shows_only_visible_scales(world, client, xihu_scale, ningbo_scale):
    client.force_login(world.u_ningbo)
    response = client.get(reverse("instruments:scale_list"))
    assert response.status_code == 200
    shown = [r["obj"] for r in response.context["rows"]]
    assert shown == [ningbo_scale]
    assert xihu_scale.display_code not in response.content.decode()


def test_scale_list_filters_and_sorts_by_whitelisted_columns(world, client, xihu_scale):
    other = f.scale(world.approval, state=ScaleState.IN_STOCK)
    client.force_login(world.u_zhejiang)
    url = reverse("instruments:scale_list")
    rows = client.get(url, {"state": ScaleState.IN_STOCK}).context["rows"]
    assert [r["obj"] for r in rows] == [other]
    by_serial = client.get(url, {"sort": "serial"}).context["rows"]
    assert [r["obj"].serial for r in by_serial] == sorted([xihu_scale.serial, other.serial])
    desc = client.get(url, {"sort": "-serial"}).context["rows"]
    assert [r["obj"].serial for r in desc] == sorted(
        [xihu_scale.serial, other.serial], reverse=True
    )
    # A column that is not sortable is ignored, not passed to the database.
    response = client.get(url, {"sort": "vendor__id_number"})
    assert response.status_code == 200
    assert response.context["sort"] == ""


def test_scale_list_pages_without_counting_the_whole_table(world, client):
    for _ in range(7):
        f.scale(world.approval)
    client.force_login(world.u_maker)
    url = reverse("instruments:scale_list")
    first = client.get(url, {"page_size": 5}).context["page"]
    assert (len(first.rows), first.has_next, first.count) == (5, True, 7)
    second = client.get(url, {"page_size": 5, "page": 2}).context["page"]
    assert (len(second.rows), second.has_next) == (2, False)


def test_htmx_request_gets_only_the_table(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    response = client.get(reverse("instruments:scale_list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="results"' in html
    assert "<html" not in html
    assert xihu_scale.display_code in html


def test_scale_csv_export_holds_only_visible_rows(world, client, xihu_scale, ningbo_scale):
    client.force_login(world.u_ningbo)
    response = client.get(reverse("instruments:scale_list"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][0] == "一秤一码"
    assert [r[0] for r in rows[1:]] == [ningbo_scale.display_code]


def test_vendor_names_reach_only_those_who_may_see_vendors(world, client, xihu_scale):
    # A verification institution sees the scale (its authorisation covers Hangzhou) ...
    client.force_login(world.u_verifier)
    url = reverse("instruments:scale_list")
    assert [r["obj"] for r in client.get(url).context["rows"]] == [xihu_scale]
    for response in (
        client.get(url),
        client.get(xihu_scale.get_absolute_url()),
    ):
        assert "张三" not in response.content.decode()
    body = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert xihu_scale.display_code in body
    assert "张三" not in body
    assert "330106199001011234" not in body
    # ... while the regulator of the place and the market operator see who uses it.
    for user in (world.u_xihu, world.u_operator):
        client.force_login(user)
        assert "张三" in client.get(xihu_scale.get_absolute_url()).content.decode()
        body = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode("utf-8-sig")
        assert "张三" in body
        assert "330106199001011234" not in body  # ID numbers are never listed


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        (
            "instruments:scale_list",
            lambda w: f.scale(w.approval, m=w.market, stall=w.stall, vendor=w.vendor),
        ),
        ("instruments:type_approval_list", lambda w: f.type_approval(w.maker, w.zhejiang)),
    ],
)
def test_list_query_count_does_not_depend_on_page_size(world, client, url_name, make):
    for _ in range(55):
        make(world)
    client.force_login(world.u_xihu)
    url = reverse(url_name)
    client.get(url, {"page_size": 5})  # warm caches (content types, session)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert len(response.context["rows"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the scale's passport ---------------------------------------------------------------------


def test_passport_shows_identity_place_and_life(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    response = client.get(reverse("instruments:scale", args=[xihu_scale.code]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        xihu_scale.display_code,
        xihu_scale.serial,
        world.approval.certificate_no,
        world.maker.name,
        "15 kg",
        world.market.name,
        world.stall.number,
        "生产登记",
    ):
        assert text in html


def test_passport_accepts_the_grouped_code(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    response = client.get(reverse("instruments:scale", args=[xihu_scale.display_code]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "user", ["u_ningbo", "u_other_maker", "u_other_verifier", "u_other_operator"]
)
def test_passport_outside_the_jurisdiction_is_not_found(world, client, xihu_scale, user):
    client.force_login(getattr(world, user))
    assert client.get(reverse("instruments:scale", args=[xihu_scale.code])).status_code == 404
    assert (
        client.get(reverse("instruments:scale_history", args=[xihu_scale.code])).status_code == 404
    )


def test_passport_offers_only_the_transitions_the_user_may_perform(world, client, xihu_scale):
    client.force_login(world.u_verifier)
    offered = {
        form.transition.name
        for form in client.get(xihu_scale.get_absolute_url()).context["transition_forms"]
    }
    assert offered == set()  # verifiers record verifications instead (their own form)
    client.force_login(world.u_xihu)
    offered = {
        form.transition.name
        for form in client.get(xihu_scale.get_absolute_url()).context["transition_forms"]
    }
    assert offered == {"expire", "lock", "seize"}
    client.force_login(world.u_operator)
    offered = {
        form.transition.name
        for form in client.get(xihu_scale.get_absolute_url()).context["transition_forms"]
    }
    assert offered == {"relocate", "retire"}


def test_transition_from_the_passport_records_a_lifecycle_event(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    response = client.post(
        reverse("instruments:scale_transition", args=[xihu_scale.code, "seize"]),
        {"seize-document": "CF-2026-0001", "seize-note": "疑似作弊"},
    )
    assert response.status_code == 302
    xihu_scale.refresh_from_db()
    assert xihu_scale.state == ScaleState.SEIZED
    event = xihu_scale.events.latest("id")
    assert (event.transition, event.document, event.user) == (
        "seize",
        "CF-2026-0001",
        world.u_xihu,
    )
    page = client.get(response.url).content.decode()
    assert "CF-2026-0001" in page
    assert world.xihu.name in page


def test_registering_a_sold_scale_from_the_passport(world, client):
    scale = f.scale(world.approval, state=ScaleState.SOLD, operator=world.operator)
    client.force_login(world.u_operator)
    response = client.post(
        reverse("instruments:scale_transition", args=[scale.code, "register"]),
        {"register-market": world.market.pk, "register-stall": world.stall.pk},
        headers={"HX-Request": "true"},
        follow=True,
    )
    assert response.status_code == 200
    scale.refresh_from_db()
    assert (scale.state, scale.market, scale.stall) == (
        ScaleState.REGISTERED,
        world.market,
        world.stall,
    )


def test_illegal_transition_shows_the_error_and_changes_nothing(world, client, xihu_scale):
    client.force_login(world.u_operator)
    events = LifecycleEvent.objects.count()
    response = client.post(
        reverse("instruments:scale_transition", args=[xihu_scale.code, "scrap"]), {}
    )
    assert response.status_code == 200
    assert response.context["transition_errors"]
    assert "不能执行" in response.content.decode()
    xihu_scale.refresh_from_db()
    assert xihu_scale.state == ScaleState.IN_SERVICE
    assert LifecycleEvent.objects.count() == events


def test_service_error_is_shown_on_the_form(world, client):
    scale = f.scale(world.approval, state=ScaleState.SOLD, operator=world.operator)
    client.force_login(world.u_operator)
    response = client.post(
        reverse("instruments:scale_transition", args=[scale.code, "register"]),
        {"register-market": world.market.pk, "register-stall": world.other_stall.pk},
    )
    assert response.status_code == 200
    failed = next(
        form for form in response.context["transition_forms"] if form.transition.name == "register"
    )
    assert failed.errors
    assert Scale.objects.get(pk=scale.pk).state == ScaleState.SOLD


def test_transition_the_organisation_may_not_perform_is_forbidden(world, client, xihu_scale):
    client.force_login(world.u_verifier)
    response = client.post(
        reverse("instruments:scale_transition", args=[xihu_scale.code, "retire"]), {}
    )
    assert response.status_code == 403
    assert Scale.objects.get(pk=xihu_scale.pk).state == ScaleState.IN_SERVICE


def test_transition_outside_the_jurisdiction_is_not_found(world, client, xihu_scale):
    client.force_login(world.u_other_verifier)
    response = client.post(
        reverse("instruments:scale_transition", args=[xihu_scale.code, "fail_verification"]),
        {"fail_verification-document": "X"},
    )
    assert response.status_code == 404


def test_scale_history_lists_change_records_with_a_diff(world, client, xihu_scale):
    client.force_login(world.u_operator)
    client.post(reverse("instruments:scale_transition", args=[xihu_scale.code, "retire"]), {})
    response = client.get(reverse("instruments:scale_history", args=[xihu_scale.code]))
    assert response.status_code == 200
    changes = response.context["entries"][0]["changes"]
    state = next(c for c in changes if c["field"] == "状态")
    assert (state["before"], state["after"]) == ("in_service", "retired")


# --- type approvals ---------------------------------------------------------------------------


def test_type_approval_pages_render(world, client, xihu_scale):
    client.force_login(world.u_maker)
    response = client.get(reverse("instruments:type_approval_list"))
    assert response.status_code == 200
    assert world.approval.certificate_no in response.content.decode()
    detail = client.get(reverse("instruments:type_approval", args=[world.approval.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "A1B2" in html  # the approved software checksum
    assert detail.context["scale_count"] == 1
    assert (
        client.get(
            reverse("instruments:type_approval_history", args=[world.approval.pk])
        ).status_code
        == 200
    )
    rows = _csv_rows(client.get(reverse("instruments:type_approval_list"), {"export": "csv"}))
    assert {r[0] for r in rows[1:]} == {
        world.approval.certificate_no,
        world.other_approval.certificate_no,
    }


# --- language ---------------------------------------------------------------------------------


def test_language_switch_turns_the_page_english(world, client, xihu_scale):
    client.force_login(world.u_xihu)
    url = reverse("instruments:scale_list")
    assert "电子计价秤" in client.get(url).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": url}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Price-computing scales" in html
    assert "In service" in html
    assert "在用" not in html
