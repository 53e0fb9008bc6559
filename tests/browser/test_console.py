"""A market operator's errand in the console, in a real browser: log in, filter the list, open a
passport, retire a scale, and read it all again in English."""

from __future__ import annotations

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


def test_operator_logs_in_filters_opens_a_passport_retires_the_scale_and_switches_language(
    divisions, world, live_server, desktop_page
):
    page = desktop_page
    worn = f.scale(world.approval, state=ScaleState.IN_SERVICE, m=world.market, stall=world.stall)
    waiting = f.scale(world.approval, state=ScaleState.REGISTERED, m=world.market)
    world.u_operator.set_password("operator-pass-1")
    world.u_operator.save()

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", world.u_operator.username)
    page.fill("input[name=password]", "operator-pass-1")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert world.operator.name in page.inner_text("header")

    page.goto(f"{live_server.url}/scales/")
    page.click("details.filters summary")
    page.select_option("select[name=state]", ScaleState.IN_SERVICE)
    page.click(".filter-actions button[type=submit]")
    page.wait_for_url("**state=in_service**")
    table = page.inner_text("#results")
    assert worn.display_code in table
    assert waiting.display_code not in table

    page.click(f"text={worn.display_code}")
    page.wait_for_url(f"**/scales/{worn.code}/")
    assert "在用" in page.inner_text("main")

    page.click("summary:has-text('停止使用')")
    page.fill("textarea[name='retire-note']", "秤盘变形，停止使用")
    page.click("button:has-text('确认停止使用')")
    page.wait_for_function("document.querySelector('main').innerText.includes('秤盘变形')")
    worn.refresh_from_db()
    assert worn.state == ScaleState.RETIRED
    assert Scale.objects.get(pk=waiting.pk).state == ScaleState.REGISTERED
    assert "停用" in page.inner_text("main")

    page.click("form.lang-switch button[value=en]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Retired" in main
    assert "停用" not in main
