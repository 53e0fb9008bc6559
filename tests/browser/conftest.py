"""Browser tests: the machine's Chromium driven by Playwright against pytest-django's live server.

Chromium is launched by path (no downloaded browser). Without it the tests are skipped, unless
CHENGXIN_REQUIRE_SERVICES is set (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CHENGXIN_REQUIRE_SERVICES"):
            pytest.fail("chromium not installed (CHENGXIN_REQUIRE_SERVICES is set)")
        pytest.skip(reason="chromium not installed (apt-get install chromium fonts-wqy-microhei)")
    return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (own cookies and cache) per test, phone-sized, Chinese first."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def divisions(transactional_db: None) -> None:
    """The GB/T 2260 divisions, reloaded when an earlier live-server test flushed them.

    ``live_server`` tests run on a transactional database that is flushed afterwards, which also
    removes the rows the data migration loaded.
    """
    from django.contrib.contenttypes.models import ContentType

    from chengxin.regions.loader import division_rows
    from chengxin.regions.models import Division

    # A flush re-creates content types under new ids; drop the ids cached before it.
    ContentType.objects.clear_cache()
    if Division.objects.exists():
        return
    Division.objects.bulk_create(
        [
            Division(
                code=row.code,
                name=row.name,
                level=row.level,
                parent_id=row.parent,
                valid_until=row.valid_until,
            )
            for row in division_rows()
        ],
        batch_size=1000,
    )
