"""End to end, in Chromium on a phone-sized screen: a grid worker logs in, reports an event
with the form (category, title, photo, a tap on the grid map, then "use my position"),
and finds it in their list. Skipped when Playwright or /usr/bin/chromium is missing."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.e2e.browsing import CHROMIUM, LAUNCH_ARGS, wait_until
from tests.pages_support import POINT, World, build_world, png_bytes

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() and shutil.which("chromium") is None,
        reason="Chromium is not installed at /usr/bin/chromium",
    ),
]


def _console_error(msg: Any, errors: list[str]) -> None:
    # The site has no favicon yet; the browser's request for it is not our error.
    if msg.type == "error" and not str(msg.location.get("url", "")).endswith("/favicon.ico"):
        errors.append(f"{msg.text} {msg.location}")


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None, tmp_path: Any, settings: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(tree)


def test_grid_worker_reports_from_the_phone(
    world: World, grid_worker: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.events.models import Event

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # live server's thread are unaffected, ours happen before and after the browser.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lat, lon = POINT
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                geolocation={"latitude": lat, "longitude": lon},
                permissions=["geolocation"],
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: _console_error(msg, errors))
            page.goto(f"{live_server.url}/accounts/login/?next=/m/report/")
            page.fill("input[name=username]", grid_worker.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{live_server.url}/m/report/")

            # the browser replaced the server's key with its own
            key = page.input_value("input[name=idempotency_key]")
            assert re.fullmatch(r"[0-9a-f-]{36}", key)

            page.select_option("select[name=category]", "SRHJ01")
            page.fill("input[name=title]", "路边堆放建筑垃圾")
            page.fill("textarea[name=description]", "礼州村委会门口，影响通行")
            page.set_input_files(
                "input[name=photos]",
                files=[{"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes()}],
            )
            # a tap in the middle of the grid map sets a position inside the grid
            page.locator("#gridmap").tap()
            tapped = (
                float(page.input_value("input[name=lat]")),
                float(page.input_value("input[name=lon]")),
            )
            assert 27.8 < tapped[0] < 27.9 and 102.0 < tapped[1] < 102.1
            # "use my position" takes the phone's position
            page.click("#locate")
            wait_until(
                page, "() => document.querySelector('input[name=lat]').value === '27.850000'"
            )
            assert page.input_value("input[name=lon]") == "102.050000"
            # nothing wider than the phone
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390

            page.click("form.report-form button[type=submit]")
            page.wait_for_url(re.compile(r"^http://[^/?]+/m/e/\d+/$"))
            number = page.locator(".facts dd").first.inner_text().strip()
            assert re.fullmatch(r"XC\d{14}", number)

            page.goto(f"{live_server.url}/m/")
            card = page.locator(".event-cards li a", has_text="路边堆放建筑垃圾")
            assert card.count() == 1
            assert number in card.inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert errors == []
        finally:
            browser.close()

    event = Event.objects.get()
    assert event.number == number
    assert event.grid_id == world.grid.pk
    assert (event.lat, event.lon) == pytest.approx(POINT)
    assert event.idempotency_key == key
    assert event.attachments.count() == 1
