"""The care pages in a real browser (Playwright + Debian's Chromium; skipped without it):
a grid worker on a 375-px phone opens their overdue person, records a visit with a photo,
and no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from grassroots.residents.models import Visit
from tests.e2e.browsing import SMALL_PHONE, Browse, images_loaded
from tests.events.photos import image_bytes
from tests.residents.test_care_support import make_group, put_in_care

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def browse(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Browse]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    session = Browse(browser, live_server.url)
    try:
        yield session
    finally:
        session.close()


def test_a_grid_worker_records_a_visit_on_a_small_phone(
    browse: Browse, make_household: Any, grid_worker: Any, village_cadre: Any
) -> None:
    today = timezone.localdate()
    group = make_group()
    late = put_in_care(
        make_household(members=1).members.get(), group, grid_worker, today - dt.timedelta(days=40)
    )
    put_in_care(make_household(members=1).members.get(), group, grid_worker, today)

    page = browse.login(grid_worker, phone=True, next_url="/residents/m/visits/", **SMALL_PHONE)
    assert page.evaluate(NO_SIDEWAYS)
    first = page.locator("ul.care-cards li").first
    assert late.resident.name in first.inner_text()
    assert first.locator(".badge.overdue").count() == 1

    first.locator("a").click()
    page.wait_for_url(f"**/residents/m/visits/{late.pk}/")
    assert page.evaluate(NO_SIDEWAYS)
    page.locator("input[name=met][value=family]").check()
    page.fill("textarea[name=findings]", "女儿在家照看, 身体尚可")
    page.locator("input[name=photos]").set_input_files(
        files=[{"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(gps=True)}]
    )
    browse.step("the visit form filled", page)
    page.locator("form.visit-form button[type=submit]").click()
    page.wait_for_url("**/residents/m/visits/")
    assert "走访已登记" in page.inner_text("main")

    visit = Visit.objects.get()
    assert visit.met == "family" and visit.photos.count() == 1
    late.refresh_from_db()
    assert late.due_on == today + dt.timedelta(days=30)

    staff = browse.login(village_cadre, phone=True, next_url="/residents/care/", **SMALL_PHONE)
    for url in ("/residents/care/", f"/residents/care/{late.pk}/", "/residents/care/overdue/"):
        staff.goto(url)
        assert staff.evaluate(NO_SIDEWAYS), url
    staff.goto(f"/residents/care/{late.pk}/")
    # the photo is served to the village (loaded eagerly: it may be below the fold)
    widths = images_loaded(staff, "ul.thumbs img")
    assert len(widths) == 1 and widths[0] > 0
    assert browse.unexpected_errors() == []
