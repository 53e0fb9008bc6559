"""A verifier records a passing and a failing verification on a tablet, in a real browser; the
certificate PDF downloads, the sticker's QR decodes, and the public page it opens checks out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from chengxin.instruments.choices import ScaleState
from chengxin.ledger import services as ledger
from chengxin.testing import factories as f
from chengxin.verification.models import Verification
from chengxin.verification.tests.test_pdf import pdf_text

pytestmark = pytest.mark.browser

PASSWORD = "verifier-pass-1"


@pytest.fixture
def tablet(chromium: Any) -> Any:
    context = chromium.new_context(
        viewport={"width": 1024, "height": 1366}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _log_in(page: Any, base: str, user: Any) -> None:
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"{base}/")


def _read_all(page: Any, test: str, error_g: int) -> None:
    """Type an indication of load + error for every row of ``test``, ΔL = e/2 = 2.5 g."""
    loads = page.locator(f"input[name='{test}-load']")
    indications = page.locator(f"input[name='{test}-indication']")
    added = page.locator(f"input[name='{test}-added']")
    for i in range(indications.count()):
        load = int(loads.nth(i).input_value() or "0")
        indications.nth(i).fill(str(load + error_g))
        added.nth(i).fill("2.5")


def _record(page: Any, base: str, scale: Any, *, error_g: int) -> str:
    page.goto(f"{base}/scales/{scale.code}/")
    page.click("#record-verification")
    page.wait_for_url(f"**/scales/{scale.code}/verify/")
    assert page.input_value("input[name=software_version]") == "1.0.0"
    for name in ("identity_matches", "seals_intact", "codes_present"):
        page.check(f"input[name={name}]")
    page.fill("input[name=place]", "西湖农贸市场")
    page.fill("input[name=temperature_c]", "21")
    page.fill("input[name='zero-added']", "2.5")
    for test in ("increasing", "decreasing", "eccentricity"):
        _read_all(page, test, error_g)
    page.click("button[data-add-row=repeatability]")
    assert page.locator("input[name='repeatability-indication']").count() == 4
    _read_all(page, "repeatability", 0)
    page.fill("input[name='price-net_weight']", "1234")
    page.fill("input[name='price-unit_price']", "12.50")
    page.fill("input[name='price-displayed_amount']", "15.43")
    # The judged cells fill in as the verifier types, up to the row added last.
    page.wait_for_function(
        "document.querySelector('#out-price-0-ok').textContent.trim() !== ''"
        " && document.querySelector('#out-repeatability-3-ok').textContent.trim() !== ''"
    )
    page.wait_for_load_state("networkidle")
    verdict = "passed" if error_g == 0 else "failed"
    page.wait_for_selector(f"#judgement [data-verdict={verdict}]")
    assert page.inner_text("#out-increasing-0-mpe") == "±2.5"  # Min 100 g: ±0.5 e
    assert page.inner_text("#out-repeatability-3-ok") == "合格"
    page.click("form#verification-form button[type=submit]")
    page.wait_for_url("**/verifications/*/")
    return page.inner_text("main")


def test_a_verifier_passes_and_fails_scales_prints_the_certificate_and_the_sticker_checks_out(
    divisions, world, live_server, tablet, settings
):
    settings.CHENGXIN_PUBLIC_BASE_URL = live_server.url
    page, base = tablet, live_server.url
    good = f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)
    bad = f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall)
    _log_in(page, base, world.u_verifier)

    # A failing verification: a result notice, the scale rejected, no sticker.
    main = _record(page, base, bad, error_g=10)
    failed = Verification.objects.get(scale=bad)
    assert "检定结果通知书" in main and failed.document_no in main
    assert "称量测试超出最大允许误差" in main
    assert page.locator("#sticker-pdf").count() == 0

    # A passing one: a certificate, pending in the log until the sequencer runs.
    main = _record(page, base, good, error_g=0)
    passed = Verification.objects.get(scale=good)
    assert "检定证书" in main and passed.document_no in main
    assert "待纳入日志" in main
    ledger.log_integrate_all()
    page.reload()
    assert page.locator("#bundle-link").count() == 1

    with page.expect_download() as download_info:
        page.click("#document-pdf")
    body = Path(download_info.value.path()).read_bytes()
    flat = pdf_text(body).replace(" ", "")
    assert passed.document_no in flat and good.display_code in flat

    qr = page.request.get(f"{base}{page.get_attribute('#sticker-qr', 'src')}")
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.body())))
    assert result.text.startswith(f"{base}/s/{good.code}?c=")

    page.goto(result.text)
    page.wait_for_selector("#px-log-summary[data-status]")
    assert page.locator("#px-log-summary").get_attribute("data-status") == "ok"
    assert "已检定合格，有效期至" in page.inner_text("h1")
    assert page.locator("#px-sticker").get_attribute("data-sticker") == "current"
    assert passed.document_no in page.inner_text("#px-last-verification")
    assert world.u_verifier.username not in page.content()
