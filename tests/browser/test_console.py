"""A verifier's day in the console, in a real browser: log in, filter, open a passport, pass a
scale, and read it all again in English."""

from __future__ import annotations

import datetime as dt

import pytest

from chengxin.instruments.choices import ScaleState
from chengxin.instruments.models import Scale
from chengxin.testing import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_verifier_logs_in_filters_opens_a_passport_passes_the_scale_and_switches_language(
    divisions, world, live_server, desktop_page
):
    page = desktop_page
    waiting = f.scale(
        world.approval, state=ScaleState.REGISTERED, m=world.market, stall=world.stall
    )
    f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market, stall=world.stall)
    world.u_verifier.set_password("verifier-pass-1")
    world.u_verifier.save()

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", world.u_verifier.username)
    page.fill("input[name=password]", "verifier-pass-1")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert world.lab.name in page.inner_text("header")

    page.goto(f"{live_server.url}/scales/")
    page.click("details.filters summary")
    page.select_option("select[name=state]", ScaleState.REGISTERED)
    page.click(".filter-actions button[type=submit]")
    page.wait_for_url("**state=registered**")
    table = page.inner_text("#results")
    assert waiting.display_code in table
    assert table.count("-") >= 1
    assert Scale.objects.filter(state=ScaleState.IN_SERVICE).get().display_code not in table

    page.click(f"text={waiting.display_code}")
    page.wait_for_url(f"**/scales/{waiting.code}/")
    assert "已登记" in page.inner_text("main")

    page.click("summary:has-text('检定合格')")
    until = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    page.fill("input[name='pass_verification-valid_until']", until)
    page.fill("input[name='pass_verification-verification_code']", "JD-2026-0001")
    page.fill("input[name='pass_verification-document']", "ZS-2026-0001")
    page.click("button:has-text('确认检定合格')")
    page.wait_for_function("document.querySelector('main').innerText.includes('ZS-2026-0001')")
    waiting.refresh_from_db()
    assert waiting.state == ScaleState.IN_SERVICE
    assert "在用" in page.inner_text("main")

    page.click("form.lang-switch button[value=en]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "In service" in main
    assert "在用" not in main
