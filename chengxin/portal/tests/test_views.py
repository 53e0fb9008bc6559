"""The public page of a scale and the code form, as a shopper's phone sees them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState, TypeApprovalStatus
from chengxin.instruments.models import LifecycleEvent, TypeApproval
from chengxin.ledger import keys, leaves
from chengxin.ledger import services as ledger
from chengxin.ledger.models import LogEntry, Subject
from chengxin.markets.models import Vendor
from chengxin.portal import selectors, services
from chengxin.testing import factories as f

TODAY = timezone.localdate()


@pytest.fixture
def verified(world):
    """An in-service scale at a stall, verified by the lab, with its records in the log."""
    scale = f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        stall=world.stall,
        vendor=world.vendor,
        valid_until=TODAY + dt.timedelta(days=200),
    )
    LifecycleEvent.objects.create(
        scale=scale,
        transition="fail_verification",
        from_state=ScaleState.REGISTERED,
        to_state=ScaleState.REJECTED,
        at=timezone.now() - dt.timedelta(days=40),
        organisation=world.other_lab,
        document="TZ-OLD",
    )
    LifecycleEvent.objects.create(
        scale=scale,
        transition="pass_verification",
        from_state=ScaleState.REPAIRED,
        to_state=ScaleState.IN_SERVICE,
        at=timezone.now() - dt.timedelta(days=2),
        organisation=world.lab,
        user=world.u_verifier,
        document="JD-2026-0042",
        note="检定员私人备注",
    )
    ledger.log_integrate_all()
    return scale


def _page(client, scale):
    return client.get(reverse("portal:scale", args=[scale.code]))


def _log_config(response) -> dict:
    """What verify.js reads: the page's log settings, the subject and the records' leaves."""
    html = response.content.decode()
    match = re.search(r'<script id="px-log-config" type="application/json">(.*?)</script>', html)
    assert match
    config = json.loads(match.group(1))
    subject = re.search(r'<section class="px-card" id="px-log" data-subject="([^"]*)">', html)
    assert subject
    config["subject"] = subject.group(1)
    config["leaves"] = [int(i) for i in re.findall(r'data-leaf-index="(\d+)"', html)]
    return config


def test_a_verified_scale_says_so_with_its_validity(client, verified, world):
    response = _page(client, verified)
    assert response.status_code == 200
    html = response.content.decode()
    until = verified.valid_until.isoformat()
    assert f"已检定合格，有效期至 {until}" in html
    assert 'data-tone="good"' in html
    for public in (
        world.approval.model_name,
        world.approval.certificate_no,
        "有效",
        world.maker.name,
        world.market.name,
        world.stall.number,
        codes.display(verified.code),
    ):
        assert public in html


def test_the_last_verification_is_shown_with_institution_and_document(client, verified, world):
    html = _page(client, verified).content.decode()
    assert "JD-2026-0042" in html
    assert world.lab.name in html
    assert "TZ-OLD" not in html  # an older verification is not "the last"
    assert (timezone.localdate() - dt.timedelta(days=2)).isoformat() in html


def test_an_overdue_scale_warns_the_shopper(client, world):
    scale = f.scale(
        world.approval,
        state=ScaleState.OVERDUE,
        m=world.market,
        stall=world.stall,
        valid_until=TODAY - dt.timedelta(days=3),
    )
    html = _page(client, scale).content.decode()
    assert "检定已过期" in html and (TODAY - dt.timedelta(days=3)).isoformat() in html
    assert 'data-tone="bad"' in html
    assert "请不要按它的读数付款" in html
    assert "已检定合格" not in html


def test_an_in_service_scale_past_its_date_is_treated_as_overdue(client, world):
    scale = f.scale(
        world.approval, state=ScaleState.IN_SERVICE, valid_until=TODAY - dt.timedelta(days=1)
    )
    html = _page(client, scale).content.decode()
    assert "检定已过期" in html and "已检定合格" not in html


@pytest.mark.parametrize(
    ("state", "headline"),
    [
        (ScaleState.REJECTED, "检定不合格，不得使用"),
        (ScaleState.LOCKED, "已锁机，不得使用"),
        (ScaleState.SEIZED, "已被市场监管部门查封扣押"),
        (ScaleState.REPAIRED, "修理后待检定"),
        (ScaleState.SCRAPPED, "已报废"),
        (ScaleState.SOLD, "尚未投入使用"),
    ],
)
def test_a_scale_that_may_not_be_used_says_what_that_means(client, world, state, headline):
    scale = f.scale(world.approval, state=state)
    html = _page(client, scale).content.decode()
    assert headline in html
    assert "请不要按它的读数付款" in html
    assert "已检定合格" not in html


def test_a_withdrawn_type_approval_is_pointed_out(client, world):
    TypeApproval.objects.filter(pk=world.approval.pk).update(status=TypeApprovalStatus.WITHDRAWN)
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, valid_until=TODAY)
    html = _page(client, scale).content.decode()
    assert "撤销（所有器具）" in html and "该型式批准已不再有效" in html


def test_vendor_and_user_data_never_reach_the_page(client, verified, world):
    vendor = Vendor.objects.get(pk=world.vendor.pk)
    html = _page(client, verified).content.decode()
    for secret in (
        vendor.name,
        vendor.phone,
        vendor.id_number,
        world.u_verifier.username,
        "检定员私人备注",
    ):
        assert secret not in html


def test_the_page_embeds_the_scales_leaves_and_the_log_key(client, verified):
    config = _log_config(_page(client, verified))
    expected = sorted(
        Subject.objects.filter(key=f"object:instruments.scale:{verified.pk}").values_list(
            "leaf_index", flat=True
        )
    )
    assert config["leaves"] == expected and len(expected) >= 4  # scale + three events
    assert config["vkey"] == keys.verifier_key()
    assert config["keyId"] == keys.verifier_key().split("+", 2)[1]
    assert config["origin"] == keys.origin()
    assert config["subject"] == f"object:instruments.scale:{verified.pk}"


def test_each_record_says_what_it_is_and_when_from_the_content_index_alone(client, verified):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, verified).content.decode()
    # The index says what each leaf is and when: listing the records reads no leaf.
    assert not any("ledger_logentry" in q["sql"] for q in queries.captured_queries)
    records = re.findall(
        r'data-leaf-index="(\d+)">\s*<span class="px-record-what">([^<]*)</span>\s*'
        r'<span class="px-record-meta">([^<]*)</span>',
        html,
    )
    labels = [label for _, label, _ in records]
    assert {"建立秤档案", "检定不合格", "检定合格"} <= set(labels)
    data = dict(LogEntry.objects.filter(index__isnull=False).values_list("index", "data"))
    for index, _, meta in records:
        at = leaves.parse_time(leaves.parse_leaf(bytes(data[int(index)]))["time"])
        assert at is not None
        local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
        assert meta == f"{local} · 第 {index} 条"


def test_records_not_yet_in_the_log_are_not_listed(client, world):
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, valid_until=TODAY)
    response = _page(client, scale)
    assert _log_config(response)["leaves"] == []
    assert "尚未纳入日志" in response.content.decode()


def test_a_scan_is_one_query_cached_or_not(client, verified, world, django_assert_num_queries):
    for _ in range(5):  # more events must not mean more queries
        LifecycleEvent.objects.create(scale=verified, transition="relocate", to_state="registered")
    ledger.log_integrate_all()
    cache.clear()
    # The scale, its version and (not cached yet) its last verification and records.
    with django_assert_num_queries(1):
        response = _page(client, verified)
    assert response.status_code == 200
    with django_assert_num_queries(1):  # a repeat scan: the version, the body from cache
        again = _page(client, verified)

    def main(r):  # the header's CSRF token is fresh on every response
        return r.content.decode().split("<main", 1)[1]

    assert main(again) == main(response)


def test_the_history_is_read_unless_the_callers_page_has_the_same_version(verified):
    first = selectors.scale_public_get(code=verified.code)
    assert first is not None and first.history is not None
    assert first.history.last_verification and first.history.records
    indexes = [record.index for record in first.history.records]
    assert indexes == sorted(indexes)  # oldest first, whatever order the aggregate gave
    held = selectors.scale_public_get(code=verified.code, cached_version=first.version)
    assert held is not None and held.history is None and held.version == first.version
    outdated = selectors.scale_public_get(code=verified.code, cached_version=first.version + "0")
    assert outdated == first


def test_the_records_listed_are_bounded_and_the_oldest(verified, monkeypatch):
    monkeypatch.setattr(services, "MAX_LOG_RECORDS", 2)
    services.histories_refresh([verified.pk])
    scale = selectors.scale_public_get(code=verified.code)
    assert scale is not None and scale.history is not None
    key = selectors.scale_subject_key(scale)
    every = sorted(Subject.objects.filter(key=key).values_list("leaf_index", flat=True))
    assert len(every) > 2
    assert [record.index for record in scale.history.records] == every[:2]


def test_the_version_moves_with_the_scale_its_links_and_its_leaves(verified, world):
    def version():
        scale = selectors.scale_public_get(code=verified.code)
        assert scale is not None
        return scale.version

    seen = {version()}
    for obj in (verified, world.maker, world.approval, world.market, world.stall):
        obj.save()
        seen.add(version())
    LifecycleEvent.objects.create(scale=verified, transition="relocate", to_state="registered")
    assert version() in seen  # not in the log yet: the page cannot show it
    ledger.log_integrate_all()
    seen.add(version())
    assert len(seen) == 7


def test_a_cached_page_follows_every_change_of_the_scale(client, verified, world):
    from chengxin.instruments import services as instrument_services

    cache.clear()
    assert 'data-state="in_service"' in _page(client, verified).content.decode()
    instrument_services.scale_transition(
        user=world.u_xihu, scale=verified, transition="seize", document="CF-9"
    )
    assert 'data-state="seized"' in _page(client, verified).content.decode()


def test_a_cached_page_follows_the_scales_leaves_not_the_whole_log(
    client, verified, world, django_assert_max_num_queries
):
    cache.clear()
    before = _log_config(_page(client, verified))["leaves"]
    other = f.scale(world.approval, state=ScaleState.IN_SERVICE, valid_until=TODAY)
    LifecycleEvent.objects.create(scale=other, transition="relocate", to_state="registered")
    ledger.log_integrate_all()  # the log grew, but not about this scale: the page stays cached
    with django_assert_max_num_queries(1):
        assert _log_config(_page(client, verified))["leaves"] == before
    LifecycleEvent.objects.create(scale=verified, transition="relocate", to_state="registered")
    ledger.log_integrate_all()
    after = _log_config(_page(client, verified))["leaves"]
    assert after[:-1] == before and after[-1] > before[-1]


def test_a_cached_page_turns_with_the_platforms_day(client, world, monkeypatch):
    """Validity ends on the platform's (Asia/Shanghai) day, which is not the server clock's."""
    scale = f.scale(world.approval, state=ScaleState.IN_SERVICE, valid_until=TODAY)
    cache.clear()
    assert 'data-tone="good"' in _page(client, scale).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY + dt.timedelta(days=1))
    assert 'data-tone="bad"' in _page(client, scale).content.decode()


def test_a_cached_page_follows_its_maker_approval_and_market(client, verified, world):
    cache.clear()
    _page(client, verified)
    for obj, field, value in (
        (world.maker, "name", "更名后的衡器厂"),
        (world.approval, "model_name", "ACS-NEW-9"),
        (world.market, "name", "更名后的农贸市场"),
    ):
        setattr(obj, field, value)
        obj.save()
        assert value in _page(client, verified).content.decode()


def test_a_cached_page_links_under_the_prefix_it_is_served_at(client, verified):
    """One process may serve the platform at the root and under a prefix (``SCRIPT_NAME``):
    a page cached for one is not served for the other."""
    cache.clear()
    path = reverse("portal:scale", args=[verified.code])
    try:
        for prefix in ("", "/chengxin", ""):
            set_script_prefix(prefix + "/")  # what Django's WSGI handler does per request
            html = client.get(path, SCRIPT_NAME=prefix).content.decode()
            assert f'action="{prefix}/s/"' in html and f'href="{prefix}/s/"' in html
    finally:
        set_script_prefix("/")


def test_an_unknown_code_says_so(client, world):
    code = codes.make("ZZZZZZZZZ".replace("Z", "9"))
    response = client.get(reverse("portal:scale", args=[code]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-problem="unknown"' in html and "没有登记这台秤" in html


def test_a_mistyped_code_suggests_the_registered_scale(client, world):
    scale = f.scale(world.approval)
    wrong = scale.code[:3] + ("A" if scale.code[3] != "A" else "B") + scale.code[4:]
    assert not codes.is_valid(wrong)
    response = client.get(reverse("portal:scale", args=[wrong]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-problem="check"' in html and "有输错的字符" in html
    assert reverse("portal:scale", args=[scale.code]) in html
    assert codes.display(scale.code) in html


@pytest.mark.parametrize(("typed", "problem"), [("ABC", "length"), ("ABCDEFGH!J", "characters")])
def test_text_that_is_no_code_says_why(client, db, typed, problem):
    response = client.get(reverse("portal:lookup"), {"code": typed})
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 404
    assert f'data-problem="{problem}"' in response.content.decode()


@pytest.mark.parametrize(
    "spelling",
    [
        lambda c: c.lower(),
        lambda c: codes.display(c),
        lambda c: codes.display(c).lower(),
        lambda c: f"{c}/",
    ],
)
def test_any_spelling_of_a_code_redirects_to_the_canonical_page(client, world, spelling):
    scale = f.scale(world.approval)
    scale.code = codes.make("ABCDEFGHJ")  # letters, so that case matters
    scale.save()
    response = client.get(f"/s/{spelling(scale.code)}")
    assert response.status_code == 301
    assert response["Location"] == f"/s/{scale.code}"


def test_look_alike_letters_are_read_as_the_digits_they_resemble(client, world):
    scale = f.scale(world.approval)  # factory codes start with zeros: 000…
    typed = "O" + scale.code[1:]
    assert client.get(f"/s/{typed}")["Location"] == f"/s/{scale.code}"


def test_the_form_takes_a_grouped_code_to_the_canonical_page(client, world):
    scale = f.scale(world.approval)
    response = client.get(reverse("portal:lookup"), {"code": f" {codes.display(scale.code)} "})
    assert response.status_code == 302
    assert response["Location"] == f"/s/{scale.code}"
    assert client.get(response["Location"]).status_code == 200


def test_the_form_page_needs_no_login(client, db):
    response = client.get(reverse("portal:lookup"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_the_page_is_available_in_english(client, verified):
    response = client.get(
        reverse("portal:scale", args=[verified.code]), headers={"accept-language": "en"}
    )
    html = response.content.decode()
    assert 'lang="en"' in html
    assert f"Verified, valid until {verified.valid_until.isoformat()}" in html
    assert _log_config(response)["messages"]["included"] == "In the log ✓"


def test_the_language_link_sets_a_cookie_and_returns_to_the_page(client, verified):
    page = reverse("portal:scale", args=[verified.code])
    response = client.get(reverse("portal:language"), {"lang": "en", "next": page})
    assert response.status_code == 302 and response.url == page
    assert client.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get(page).content.decode()


def test_the_language_link_never_redirects_elsewhere(client):
    response = client.get(
        reverse("portal:language"), {"lang": "en", "next": "https://evil.example/"}
    )
    assert response.url == reverse("portal:lookup")
