"""The 天窗, monitoring and collective economy pages on a narrow phone (375 px, Chromium):
nothing pushes the page wider than the screen — lists with their filters open, a record
with its forms, the map, the late reviews, the income table and form, the imports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.registers.actions import poverty
from grassroots.registers.models import CollectiveIncome, IncomeTarget, Window
from tests.conftest import PASSWORD
from tests.pages_support import square

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}


def test_the_pages_fit_a_narrow_phone(
    browser: Any,
    live_server: Any,
    village_cadre: Any,
    make_household: Any,
    tree: dict[str, Any],
) -> None:
    village = tree["village"]
    village.name = "礼州镇礼州村村民委员会第一村民小组联合体"
    village.save(update_fields=["name"])
    tree["grid"].geometry = square(102.0, 27.8, 102.1, 27.9)
    tree["grid"].save(update_fields=["geometry"])
    window = Window.objects.create(
        unit=village,
        code="QH-XC-2024-000000000001",
        name="邛海国家湿地公园海河入湖口东岸退塘还湖补齐地块",
        area=Decimal("123456789.25"),
        restored_area=Decimal("23456789.5"),
        status="underway",
        plan_year=2026,
        lat=27.85,
        lon=102.05,
        note="需协调鱼塘承包户退出并完成清淤和植被恢复的长说明文字",
    )
    today = dt.date.today()  # noqa: DTZ011 -- the live server runs on the real clock
    monitored = poverty.put_under_monitoring(
        actor=village_cadre,
        household=make_household(),
        kind="sudden",
        risks=["illness", "disability", "schooling", "disaster", "labour"],
        since=today - dt.timedelta(days=200),
        members=6,
        income_per_capita="123456.78",
        note="家庭主要劳动力突发重病住院治疗, 医疗支出较大",
    )
    for source in ("operating", "contracting", "investment", "subsidy", "other"):
        CollectiveIncome.objects.create(
            unit=village, year=today.year, source=source, amount=Decimal("123456789.12")
        )
    IncomeTarget.objects.create(unit=village, year=today.year, amount=Decimal("987654321"))
    urls = [
        "/registers/windows/",
        f"/registers/windows/{window.pk}/",
        f"/registers/windows/{window.pk}/edit/",
        "/registers/windows/new/",
        "/registers/windows/map/",
        "/registers/windows/import/",
        "/registers/monitoring/",
        f"/registers/monitoring/{monitored.pk}/",
        "/registers/monitoring/late/",
        "/registers/monitoring/new/",
        "/registers/monitoring/import/",
        "/registers/income/",
        f"/registers/income/{village.code}/{today.year}/",
        "/registers/income/import/",
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
