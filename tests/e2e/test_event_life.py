"""End to end, in Chromium, in Chinese: the whole life of a resident's report, every step
taken on the real pages by the person whose job it is.

resident reports on /public/ (phone) → gets a number → village dispatcher accepts it from
the queue's 待受理 tab and dispatches it to the department with a deadline → department
staff finds it through the inbox, starts, reports it resolved with a photo → dispatcher
verifies (pass) and closes → resident looks it up by number + last four phone digits
(no login), rates 不满意 → reopened → department resolves again → verified, closed →
rated 满意. The timeline shows each step; the inbox badge counts what each one was told.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.captcha_support import fix_captcha
from tests.e2e.browsing import (
    Browse,
    act,
    deadline_in,
    event_id_from,
    images_loaded,
    inbox_badge,
    open_from_inbox,
    png_file,
    status_badge,
    timeline_heads,
    wait_until,
)
from tests.pages_support import PHONE, POINT, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def captcha_answer(monkeypatch: pytest.MonkeyPatch) -> str:
    """The live server runs in this process: its captcha draws the seeded challenge."""
    return fix_captcha(monkeypatch)


FIRST_STEPS = ["已上报", "已受理", "已派遣", "开始处置", "已处置", "已核查", "已结案"]


def resident_reports(browse: Browse, captcha_answer: str) -> tuple[Any, str]:
    """The resident's phone after sending the public form, and the event number shown."""
    lat, lon = POINT
    page = browse.open(
        "resident",
        phone=True,
        geolocation={"latitude": lat, "longitude": lon},
        permissions=["geolocation"],
    )
    page.goto("/public/")
    page.click("a[href='/public/report/']")
    page.select_option("select[name=category]", "SRHJ01")
    page.fill("textarea[name=description]", "小区门口堆了一车建筑垃圾，挡住了人行道")
    page.click("#locate")
    wait_until(page, "() => document.querySelector('input[name=lat]').value !== ''")
    page.fill("input[name=address]", "礼州村委会门口")
    page.fill("input[name=contact_phone]", PHONE)
    page.fill("input[name=contact_name]", "刘女士")
    page.set_input_files("input[name=photos]", files=[png_file("scene.png")])
    # the captcha: a picture (换一张 draws another in place), typed in small letters
    assert images_loaded(page, "#captcha-image") == [180]
    first = page.evaluate("document.getElementById('captcha-image').src")
    page.click("#captcha-new")
    wait_until(
        page,
        "(s) => { const i = document.getElementById('captcha-image');"
        " return i.src !== s && i.complete && i.naturalWidth > 0; }",
        arg=first,
    )
    assert page.url.endswith("/public/report/")  # still the same page, nothing lost
    assert page.input_value("input[name=contact_phone]") == PHONE
    page.fill("input[name=captcha]", captcha_answer.lower())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("form.report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/public/report/done/$"))
    number: str = page.locator("#event-number").inner_text().strip()
    assert re.fullmatch(r"XC\d{14}", number)
    return page, number


def test_the_whole_life_of_a_residents_report(
    browse: Browse, world: World, village_cadre: Any, dept_staff: Any, captcha_answer: str
) -> None:
    from grassroots.events.models import Event

    # 1. the resident reports on the public form and is given the number
    resident, number = resident_reports(browse, captcha_answer)
    resident.click(f"a[href='/public/track/{number}/']")
    resident.wait_for_url(re.compile(rf"/public/track/{number}/$"))
    assert resident.locator("main .badge").first.inner_text() == "已上报"
    assert resident.locator("#rate").count() == 0

    # 2. the village dispatcher finds it in the 待受理 tab of the queue
    cadre = browse.login(village_cadre, next_url="/events/queue/")
    assert cadre.locator(".tab-new[aria-current=page] .count").inner_text() == "1"
    row = cadre.locator("table.events tbody tr", has_text=number)
    assert "已上报" in row.inner_text()
    row.locator("a", has_text=number).click()
    cadre.wait_for_url(re.compile(r"/events/\d+/$"))
    pk = event_id_from(cadre.url)
    # the dispatcher must call back: the resident's phone is shown in full
    assert PHONE in cadre.locator("dl.facts").inner_text()

    assert act(cadre, "accept", fill={"note": "属实，予以受理"}) == 200
    assert status_badge(cadre) == "已受理"
    field_value, shown = deadline_in(5)
    assert (
        act(
            cadre,
            "dispatch",
            choose={"to_unit": world.tree["department"].code},
            fill={"resolve_by": field_value, "note": "请三日内清运"},
        )
        == 200
    )
    assert status_badge(cadre) == "已派遣"
    assert "已完成：派遣。" in cadre.locator("#event-main .messages").inner_text()
    assert shown in cadre.locator("dl.facts").inner_text()

    # 3. the department hears of it in the inbox, opens it from there and handles it
    staff = browse.login(dept_staff, next_url="/")
    assert inbox_badge(staff) == 1
    open_from_inbox(staff, number)
    assert event_id_from(staff.url) == pk
    assert inbox_badge(staff) == 0
    assert act(staff, "start") == 200
    assert status_badge(staff) == "处置中"
    status = act(
        staff,
        "resolve",
        fill={"note": "已清运完毕，路面冲洗干净"},
        files={"photos": [png_file("after.png", (200, 60, 30))]},
    )
    assert status == 200
    assert status_badge(staff) == "已处置"
    assert [w > 0 for w in images_loaded(staff, "ol.timeline li.tl-resolve img")] == [True]

    # 4. the dispatcher is told, checks the result (pass) and closes
    cadre.goto("/events/queue/?tab=verify")
    assert inbox_badge(cadre) == 1
    assert cadre.locator(".tab-verify .count").inner_text() == "1"
    cadre.locator("table.events tbody a", has_text=number).click()
    cadre.wait_for_url(re.compile(rf"/events/{pk}/$"))
    assert act(cadre, "verify", outcome="pass", fill={"note": "现场核实已清理"}) == 200
    assert status_badge(cadre) == "已核查"
    assert act(cadre, "close", fill={"note": "办结"}) == 200
    assert status_badge(cadre) == "已结案"
    assert timeline_heads(cadre) == FIRST_STEPS
    assert "现场核实已清理" in cadre.locator("ol.timeline li.tl-verify").inner_text()

    # 5. the resident, on another phone without logging in, looks it up and is not satisfied
    phone = browse.open("resident-lookup", phone=True)
    phone.goto("/public/lookup/")
    phone.fill("input[name=number]", number.lower())  # typed as it comes
    phone.fill("input[name=phone_last4]", PHONE[-4:])
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(rf"/public/track/{number}/$"))
    assert phone.locator("main .badge").first.inner_text() == "已结案"
    page_text = phone.locator("main").inner_text()
    assert "已清运完毕" in page_text  # the handling note is public
    assert village_cadre.full_name not in page_text  # people's names are not
    phone.check("input[name=satisfaction][value=unsatisfied]")
    phone.fill("textarea[name=note]", "垃圾又堆回来了")
    phone.click("#rate button[type=submit]")
    phone.wait_for_url(re.compile(rf"/public/track/{number}/$"))
    assert "感谢您的评价，已记录。" in phone.locator(".messages").inner_text()
    assert phone.locator("main .badge").first.inner_text() == "重新办理"
    assert phone.locator("#rate").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # 6. both the department and the dispatcher are told; the department handles it again
    staff.reload()
    assert inbox_badge(staff) == 1
    assert status_badge(staff) == "重新办理"
    assert act(staff, "resolve", fill={"note": "已二次清运，并设置禁倒警示牌"}) == 200
    assert status_badge(staff) == "已处置"
    cadre.reload()
    assert inbox_badge(cadre) == 3  # resolved, reopened, resolved again
    assert act(cadre, "verify", outcome="pass") == 200
    assert act(cadre, "close") == 200
    assert status_badge(cadre) == "已结案"

    # 7. the resident rates the second result: satisfied
    phone.reload()
    phone.check("input[name=satisfaction][value=satisfied]")
    phone.click("#rate button[type=submit]")
    phone.wait_for_url(re.compile(rf"/public/track/{number}/$"))
    assert phone.locator("main .badge").first.inner_text() == "已结案"
    assert "满意" in phone.locator("dl.facts").inner_text()
    assert phone.locator("#rate").count() == 0
    public_steps = [
        s.strip() for s in phone.locator("ol.timeline .tl-head strong").all_inner_texts()
    ]
    assert public_steps == [*FIRST_STEPS, "群众评价", "重新办理", *FIRST_STEPS[4:], "群众评价"]

    # the staff page tells the whole story, with the rating
    cadre.reload()
    assert timeline_heads(cadre) == [
        *FIRST_STEPS,
        "群众评价",
        "重新办理",
        "已处置",
        "已核查",
        "已结案",
        "群众评价",
    ]
    assert "不满意" not in cadre.locator("dl.facts").inner_text()
    assert "满意" in cadre.locator("dl.facts").inner_text()
    assert "垃圾又堆回来了" in cadre.locator("ol.timeline li.tl-reopen").inner_text()
    assert browse.errors == []

    event = Event.objects.get(pk=pk)
    assert (event.number, event.status, event.satisfaction) == (number, "closed", "satisfied")
    assert event.reopen_count == 1
    assert event.assignee_id == world.tree["department"].pk
    assert event.attachments.count() == 2  # the resident's and the department's photo
    assert list(event.actions.order_by("created_at", "id").values_list("kind", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "start",
        "resolve",
        "verify",
        "close",
        "rate",
        "reopen",
        "resolve",
        "verify",
        "close",
        "rate",
    ]
