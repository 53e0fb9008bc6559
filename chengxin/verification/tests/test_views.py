"""Console pages for verifications: the record form and its preview, detail, lists, due dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from chengxin.instruments.choices import ScaleState
from chengxin.ledger import services as ledger
from chengxin.testing import factories as f
from chengxin.verification import services, tasks
from chengxin.verification.choices import VerificationResult
from chengxin.verification.models import Verification
from chengxin.verification.tests.test_services import readings

TODAY = dt.date.today()


def form_data(raw: dict) -> dict[str, list[str]]:
    """The record form's POST body for the service input ``raw`` (the shape of ``readings()``)."""
    data: dict[str, list[str]] = {
        "kind": [raw["kind"]],
        "performed_on": [raw["performed_on"]],
        "place": ["西湖农贸市场"],
        "temperature_c": ["21.5"],
        "standards": ["M1 砝码组；ZJ-2026-001；2027-01-01"],
        "software_version": [raw["software_version"]],
        "software_checksum": [raw["software_checksum"]],
        "seal_ids": ["; ".join(raw.get("seal_ids", []))],
    }
    for name in ("identity_matches", "seals_intact", "codes_present"):
        if raw[name]:
            data[name] = ["on"]
    zero = raw["zero"]
    data["zero-load"], data["zero-indication"], data["zero-added"] = (
        ["0"],
        [zero["indication"]],
        [zero["added"]],
    )
    for test in ("increasing", "decreasing", "eccentricity", "repeatability"):
        for column in ("load", "indication", "added"):
            data[f"{test}-{column}"] = [r[column] for r in raw.get(test, [])]
    for column in ("net_weight", "unit_price", "displayed_amount"):
        data[f"price-{column}"] = [p[column] for p in raw.get("price", [])]
    return data


@pytest.fixture
def registered(world):
    return f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)


def _client(client, user):
    client.force_login(user)
    return client


def record_url(scale) -> str:
    return reverse("verification:record", args=[scale.code])


# --- the form ---------------------------------------------------------------------------------


def test_the_form_renders_for_a_verifier_with_the_scales_software_prefilled(
    client, world, registered
):
    response = _client(client, world.u_verifier).get(record_url(registered))
    assert response.status_code == 200
    html = response.content.decode()
    assert "记录检定" in html and registered.display_code in html
    assert 'name="software_version"' in html and 'value="1.0.0"' in html
    assert 'name="increasing-load"' in html and 'value="15000"' in html  # Max pre-filled
    assert f'name="performed_on" value="{TODAY.isoformat()}"' in html
    assert "首次检定" in html and "使用中检查" not in html
    assert 'data-add-row="increasing"' in html


def test_the_passport_offers_the_form_to_a_verifier(client, world, registered):
    html = _client(client, world.u_verifier).get(registered.get_absolute_url()).content.decode()
    assert record_url(registered) in html


def test_the_preview_fills_in_e_ec_mpe_and_the_verdict_as_one_types(client, world, registered):
    raw = readings(error_g="10")
    response = _client(client, world.u_verifier).post(
        reverse("verification:preview", args=[registered.code]), form_data(raw)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="failed"' in html
    assert "称量测试超出最大允许误差" in html
    # Max 15 kg, e = 5 g, class III: 10 g at 100 g is beyond ±2.5 g; at Max the MPE is ±7.5 g.
    assert 'id="out-increasing-0-e" class="out out-e" hx-swap-oob="true">+10<' in html
    assert 'id="out-increasing-0-mpe" class="out out-mpe" hx-swap-oob="true">±2.5<' in html
    assert 'id="out-increasing-3-mpe" class="out out-mpe" hx-swap-oob="true">±7.5<' in html
    assert "out-increasing-0-ec" in html and "不合格" in html
    assert not Verification.objects.exists()


def test_the_preview_says_what_is_wrong_with_a_reading(client, world, registered):
    data = form_data(readings())
    data["increasing-indication"][0] = "十"
    response = _client(client, world.u_verifier).post(
        reverse("verification:preview", args=[registered.code]), data
    )
    assert "data-preview-error" in response.content.decode()


def test_a_passing_verification_issues_a_certificate_and_shows_it(client, world, registered):
    c = _client(client, world.u_verifier)
    response = c.post(record_url(registered), form_data(readings()))
    assert response.status_code == 302, response.content.decode()[:2000]
    v = Verification.objects.get()
    assert response["Location"] == v.get_absolute_url()
    assert v.result == VerificationResult.PASSED and v.temperature_c == Decimal("21.5")
    assert v.standards == [
        {"name": "M1 砝码组", "certificate": "ZJ-2026-001", "valid_until": "2027-01-01"}
    ]
    registered.refresh_from_db()
    assert registered.state == ScaleState.IN_SERVICE

    html = c.get(v.get_absolute_url()).content.decode()
    assert v.document_no in html and "检定证书" in html
    assert "待纳入日志" in html  # the sequencer has not run yet
    # Loads as written, never in exponent form ("1.5E+4"). Only the number cells are looked at:
    # the page also shows a signature in base64, which may hold "E+" by chance.
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert "15000" in cells and not any("e" in cell.lower() for cell in cells), cells
    assert reverse("verification:document", args=[v.pk]) in html
    assert reverse("verification:sticker", args=[v.pk]) in html

    ledger.log_integrate_all()
    html = c.get(v.get_absolute_url()).content.decode()
    assert "/api/v1/log/leaves/" in html and "/bundle" in html
    assert f"/s/{registered.code}?c=" in html


def test_a_failing_verification_issues_a_result_notice(client, world, registered):
    c = _client(client, world.u_verifier)
    response = c.post(record_url(registered), form_data(readings(error_g="10")))
    assert response.status_code == 302
    v = Verification.objects.get()
    assert v.result == VerificationResult.FAILED and v.document_no.startswith("TZ")
    html = c.get(v.get_absolute_url()).content.decode()
    assert "检定结果通知书" in html and "称量测试超出最大允许误差" in html
    assert reverse("verification:sticker", args=[v.pk]) not in html
    assert c.get(reverse("verification:sticker", args=[v.pk])).status_code == 404
    registered.refresh_from_db()
    assert registered.state == ScaleState.REJECTED


def test_outside_the_authorised_scope_is_refused_on_the_form_with_the_reason(client, world):
    ningbo_market = f.market(world.operator, division="330203")
    scale = f.scale(world.approval, state=ScaleState.REGISTERED, m=ningbo_market)
    f.authorisation(world.lab, world.zhejiang, "330203", instrument_kinds=["fair_scale"])
    response = _client(client, world.u_verifier).post(record_url(scale), form_data(readings()))
    assert response.status_code == 200
    assert "超出授权范围" in response.content.decode()
    assert not Verification.objects.exists()


def test_a_scale_in_the_wrong_state_is_refused_on_the_form(client, world):
    scale = f.scale(world.approval, state=ScaleState.LOCKED, m=world.market)
    response = _client(client, world.u_verifier).post(record_url(scale), form_data(readings()))
    assert response.status_code == 200
    assert "不能进行" in response.content.decode()


def test_people_who_do_not_verify_get_403(client, world, registered):
    c = _client(client, world.u_operator)
    assert c.get(record_url(registered)).status_code == 403
    assert c.post(record_url(registered), form_data(readings())).status_code == 403


def test_a_scale_out_of_sight_is_404(client, world, registered):
    c = _client(client, world.u_other_verifier)
    assert c.get(record_url(registered)).status_code == 404
    assert c.post(record_url(registered), form_data(readings())).status_code == 404


def test_an_inspector_records_an_in_service_inspection_with_doubled_limits(client, world):
    scale = f.scale(
        world.approval,
        state=ScaleState.IN_SERVICE,
        m=world.market,
        valid_until=TODAY + dt.timedelta(days=100),
    )
    c = _client(client, world.u_xihu)
    html = c.get(record_url(scale)).content.decode()
    assert "使用中检查" in html and "首次检定" not in html
    raw = readings(error_g="7.5", kind="in_service")
    raw["increasing"] = [{"load": "10000", "indication": "10010", "added": "5"}]
    raw["decreasing"] = raw["eccentricity"] = raw["repeatability"] = []
    data = form_data(raw)
    data.pop("seal_ids")
    assert c.post(record_url(scale), data).status_code == 302
    v = Verification.objects.get()
    assert v.result == VerificationResult.PASSED and v.kind == "in_service"


# --- lists ------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_verification_list_shows_own_records_and_exports_csv(client, world, registered):
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    url = reverse("verification:verification_list")
    assert v.document_no in _client(client, world.u_verifier).get(url).content.decode()
    rows = _csv(client.get(url, {"export": "csv"}))
    assert rows[0][0] == "证书或通知书编号" and rows[1][0] == v.document_no
    client.force_login(world.u_other_verifier)
    assert v.document_no not in client.get(url).content.decode()


def test_the_passport_lists_only_the_verifications_one_may_see(client, world, registered):
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    url = reverse("verification:scale_verifications", args=[registered.code])
    assert v.document_no in _client(client, world.u_xihu).get(url).content.decode()
    # Another institution authorised in Hangzhou sees the scale but not this lab's record.
    rival = f.organisation("verification", "330100")
    f.authorisation(rival, world.zhejiang, "330100")
    client.force_login(f.user(rival, "verifier"))
    response = client.get(url)
    assert response.status_code == 200 and v.document_no not in response.content.decode()


@pytest.fixture
def due(world):
    """In Xihu: one due in 10 days, one in 60, one lapsed; in Ningbo: one due in 10 days."""
    ningbo_market = f.market(world.other_operator, division="330203")

    def make(market, days: int, state=ScaleState.IN_SERVICE):
        return f.scale(
            world.approval, state=state, m=market, valid_until=TODAY + dt.timedelta(days=days)
        )

    return {
        "soon": make(world.market, 10),
        "later": make(world.market, 60),
        "lapsed": make(world.market, -3),
        "marked": make(world.market, -40, ScaleState.OVERDUE),
        "ningbo": make(ningbo_market, 10),
    }


def test_due_soon_lists_the_jurisdictions_scales_within_n_days(client, world, due):
    url = reverse("verification:due_soon")
    html = _client(client, world.u_xihu).get(url).content.decode()
    assert due["soon"].display_code in html
    assert due["later"].display_code not in html
    assert due["lapsed"].display_code not in html
    assert due["ningbo"].display_code not in html  # another district's bureau
    assert due["later"].display_code in client.get(url, {"days": "90"}).content.decode()
    client.force_login(world.u_zhejiang)
    html = client.get(url).content.decode()
    assert due["soon"].display_code in html and due["ningbo"].display_code in html


def test_overdue_lists_lapsed_scales_and_exports_csv(client, world, due):
    url = reverse("verification:overdue")
    c = _client(client, world.u_xihu)
    html = c.get(url).content.decode()
    assert due["lapsed"].display_code in html and due["marked"].display_code in html
    assert due["soon"].display_code not in html
    rows = _csv(c.get(url, {"export": "csv"}))
    codes = {row[0] for row in rows[1:]}
    assert codes == {due["lapsed"].display_code, due["marked"].display_code}
    assert rows[0][-1] == "剩余天数" and {row[-1] for row in rows[1:]} == {"-3", "-40"}


def test_the_daily_task_moves_lapsed_scales_to_overdue(world, due):
    result = tasks.scales_expire_daily.enqueue(reschedule=False)
    assert result.return_value == 1
    due["lapsed"].refresh_from_db()
    due["soon"].refresh_from_db()
    assert due["lapsed"].state == ScaleState.OVERDUE
    assert due["soon"].state == ScaleState.IN_SERVICE


# --- the public page ----------------------------------------------------------------------------


def test_the_public_page_shows_the_last_verification_and_the_stickers_certificate(
    client, world, registered
):
    v = services.verification_record(user=world.u_verifier, scale=registered, raw=readings())
    ledger.log_integrate_all()
    from chengxin.verification.selectors import certificate_leaf_index

    index = certificate_leaf_index(v.certificate)
    assert index is not None
    html = client.get(f"/s/{registered.code}?c={index}").content.decode()
    assert v.document_no in html and world.lab.name in html
    assert v.valid_until.isoformat() in html and f"（{v.get_kind_display()}）" in html
    assert 'data-sticker="current"' in html
    assert world.u_verifier.username not in html  # names are for the PDF, never the public
    html = client.get(f"/s/{registered.code}?c=0").content.decode()
    assert 'data-sticker="foreign"' in html


def test_due_lists_hide_only_the_filters_they_fix(client, world):
    client.force_login(world.u_xihu)
    due = client.get(reverse("verification:due_soon")).content.decode()
    assert 'name="days"' in due and 'name="q"' in due
    assert 'name="state"' not in due and 'name="valid_until_before"' not in due
    assert 'name="state"' in client.get(reverse("instruments:scale_list")).content.decode()
