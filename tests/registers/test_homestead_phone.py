"""The homestead pages on a narrow phone (375 px, Chromium): nothing pushes the page wider
than the screen — the register, a parcel, the cases, a case with its forms open, the
import and the policy page."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.registers.actions import homesteads as actions
from grassroots.registers.models import HomesteadCase
from tests.conftest import PASSWORD
from tests.registers.homesteads_support import parcel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}


def test_the_homestead_pages_fit_a_narrow_phone(
    browser: Any,
    live_server: Any,
    village_cadre: Any,
    make_household: Any,
    official_calendar: None,
) -> None:
    household = make_household(address="礼州村三组一百二十三号附近的一条很长很长的巷子里")
    big = parcel(
        household,
        "188.5",
        parcel_number="513401101201JC000000001",
        approval_document="西府土批〔2012〕第0000035号关于同意农村村民建房用地的批复",
    )
    parcel(household, "90.25", parcel_number="513401101201JC000000002")
    actions.run_homestead_check(big.unit, actor=village_cadre)
    case = HomesteadCase.objects.filter(kind="multiple").get()
    urls = [
        "/registers/homesteads/",
        f"/registers/homesteads/{big.pk}/",
        "/registers/homesteads/cases/",
        f"/registers/homesteads/cases/{case.pk}/",
        "/registers/homesteads/new/",
        "/registers/homesteads/import/",
        "/registers/policy/",
    ]
    context = browser.new_context(**NARROW, locale="zh-CN", base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", village_cadre.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        widths = {}
        for url in urls:
            answer = page.goto(url)
            assert answer is not None and answer.status == 200, url
            page.evaluate(
                "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
            )
            widths[url] = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        context.close()
    assert {url: w for url, w in widths.items() if w > 375} == {}
