"""The grid-basics pages on a narrow phone (375 px, Chromium): nothing pushes the page wider
than the screen — the staff pages (their tables become cards, the move forms open) and the
grid worker's phone pages, in Chinese and in English (the longer of the two)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}


def widths(
    browser: Any, base_url: str, user: Any, urls: list[str], language: str
) -> dict[str, int]:
    """The page width of each url, logged in as ``user`` on a 375-px phone."""
    context = browser.new_context(**NARROW, locale="zh-CN", base_url=base_url)
    context.set_default_timeout(20_000)
    try:
        context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        found = {}
        for url in urls:
            answer = page.goto(url)
            assert answer is not None and answer.status == 200, url
            page.evaluate(
                "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
            )
            found[url] = int(page.evaluate("() => document.documentElement.scrollWidth"))
        return found
    finally:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_fit_a_narrow_phone(
    browser: Any, live_server: Any, grid_worker: Any, tree: dict[str, Any], language: str
) -> None:
    from grassroots.residents.actions.households import add_resident, create_household
    from grassroots.residents.actions.places import create_place
    from tests.conftest import valid_id_number

    place = create_place(
        actor=grid_worker,
        grid=tree["grid"],
        kind="rental",
        name="礼州镇礼州村第一组出租大院（东侧）",
        address="礼州镇礼州村一组二十八号附一号",
        manager_name="王房东",
        manager_phone="13812345678",
    )
    household = create_household(
        actor=grid_worker,
        grid=tree["grid"],
        number="0101-0001-0002",
        address="礼州镇礼州村一组二十八号附一号东侧二单元三楼",
        place=place,
    )
    add_resident(
        household,
        actor=grid_worker,
        name="吉克阿依木呷拉且",
        relationship="head",
        id_number=valid_id_number("19800101", 990),
        phone="0834-32212345-123",
    )
    add_resident(
        household, actor=grid_worker, name="吉克拉且", relationship="grandchild", gender="m"
    )
    urls = [
        "/residents/",
        "/residents/households/",
        f"/residents/households/{household.pk}/",
        "/residents/places/",
        f"/residents/places/{place.pk}/",
        "/residents/households/new/",
        f"/residents/households/{household.pk}/members/new/",
        "/residents/m/",
        f"/residents/m/households/{household.pk}/",
        "/residents/m/households/new/",
        "/residents/m/places/new/",
    ]

    found = widths(browser, live_server.url, grid_worker, urls, language)

    assert {url: w for url, w in found.items() if w > 375} == {}
