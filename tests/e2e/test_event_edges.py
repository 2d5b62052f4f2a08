"""End to end, in Chromium, in Chinese: closing on the spot from the phone, bad input that
is answered next to its field and changes nothing, and an event out of someone's scope.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import (
    BAD_REQUEST_LOG,
    NOT_FOUND_LOG,
    Browse,
    act,
    images_loaded,
    png_file,
    status_badge,
    timeline_heads,
    timeline_line,
)
from tests.pages_support import PHONE, World, advance, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_grid_worker_closes_on_the_spot_with_a_photo(
    browse: Browse, world: World, grid_worker: Any
) -> None:
    event = report(world, grid_worker, title="井盖松动")

    phone = browse.login(grid_worker, phone=True, next_url="/m/")
    phone.locator(".event-cards a", has_text="井盖松动").click()
    phone.wait_for_url(re.compile(rf"/m/e/{event.pk}/$"))
    form = phone.locator(f"form[action='/m/e/{event.pk}/close/']")
    box = phone.locator("details", has=form)
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form.locator("textarea[name=spot-note]").fill("已叫来村里维修员当场固定")
    form.locator("input[name=spot-photos]").set_input_files(files=[png_file("fixed.png")])
    form.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(rf"/m/e/{event.pk}/$"))
    assert "已就地解决。" in phone.locator(".messages").inner_text()
    assert status_badge(phone) == "已结案"
    assert timeline_heads(phone) == ["已上报", "就地解决"]
    line = timeline_line(phone, "resolve_on_spot")
    assert "当场固定" in line.inner_text()
    assert [w > 0 for w in images_loaded(phone, "li.tl-resolve_on_spot img")] == [True]
    assert phone.locator(f"form[action='/m/e/{event.pk}/close/']").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # off the to-do list, still in the list of all
    phone.goto("/m/")
    assert "您的网格暂无待办事件。" in phone.locator(".event-cards").inner_text()
    phone.goto("/m/?show=all")
    assert "已结案" in phone.locator(".event-cards li", has_text="井盖松动").inner_text()
    assert browse.errors == []

    event.refresh_from_db()
    assert event.status == "closed"
    assert event.attachments.count() == 1


@pytest.mark.chinese
def test_bad_input_is_answered_in_chinese_next_to_the_field(
    browse: Browse, world: World, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    from grassroots.events.models import EventAction

    cast = {"world": world, "cadre": village_cadre, "staff": dept_staff}
    waiting = advance(report(world, grid_worker, title="广告牌松脱"), "accepted", **cast)
    done = advance(report(world, grid_worker, title="垃圾桶破损"), "resolved", **cast)
    lines = EventAction.objects.count()

    cadre = browse.login(village_cadre, next_url=f"/events/{waiting.pk}/")
    assert cadre.locator("html").get_attribute("lang") == "zh-hans"

    # a deadline in the past
    status = act(
        cadre,
        "dispatch",
        choose={"to_unit": world.tree["department"].code},
        fill={"resolve_by": "2020-01-01T09:00"},
    )
    assert status == 400
    field = cadre.locator("details.verb-dispatch[open] .field[data-field=resolve_by]")
    assert field.locator(".error").inner_text() == "期限必须晚于现在。"
    assert "has-error" in (field.get_attribute("class") or "")
    assert status_badge(cadre) == "已受理"

    # a rejection whose reason is only blanks (the browser's "required" lets it through)
    assert act(cadre, "reject", fill={"reason": "   "}) == 400
    error = cadre.locator("details.verb-reject[open] .field[data-field=reason] .error")
    assert error.inner_text() == "此项为必填项。"
    assert status_badge(cadre) == "已受理"

    # rework without saying what must be redone
    cadre.goto(f"/events/{done.pk}/")
    assert act(cadre, "verify", outcome="rework") == 400
    error = cadre.locator("details.verb-verify[open] .field[data-field=note] .error")
    assert error.inner_text() == "请说明需要返工的内容。"
    assert status_badge(cadre) == "已处置"

    # the resident types a wrong phone ending, then too few digits
    done.contact_phone = PHONE
    done.save(update_fields=["contact_phone"])
    resident = browse.open("resident", phone=True)
    resident.goto("/public/lookup/")
    resident.fill("input[name=number]", done.number)
    resident.fill("input[name=phone_last4]", "0000")
    resident.click("main form button[type=submit]")
    assert resident.locator("main .error").inner_text() == "没有与该编号和手机号相符的事件。"
    resident.fill("input[name=phone_last4]", "56")
    resident.click("main form button[type=submit]")
    error = resident.locator(".field[data-field=phone_last4] .error")
    assert error.inner_text() == "请输入手机号后四位。"
    assert resident.url.endswith("/public/lookup/")

    # the console is watched: the browser logged the refused sends, and nothing else
    assert any(BAD_REQUEST_LOG in e for e in browse.errors)
    assert browse.unexpected_errors(BAD_REQUEST_LOG, NOT_FOUND_LOG) == []
    assert EventAction.objects.count() == lines
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (waiting.status, done.status) == ("accepted", "resolved")


def test_an_event_out_of_scope_is_not_found(
    browse: Browse,
    world: World,
    grid_worker: Any,
    village_cadre: Any,
    dept_staff: Any,
    supervisor: Any,
    outsider: Any,
    neighbour_cadre: Any,
) -> None:
    from grassroots.events.models import Attachment

    cast = {"world": world, "cadre": village_cadre, "staff": dept_staff}
    event = advance(report(world, grid_worker, title="违章搭建彩钢棚"), "resolved", **cast)
    photo = Attachment.objects.get(event=event)

    # the township's supervisor sees the whole timeline, photo included, and may only comment
    watcher = browse.login(supervisor, next_url=f"/events/{event.pk}/")
    assert timeline_heads(watcher) == ["已上报", "已受理", "已派遣", "开始处置", "已处置"]
    assert [w > 0 for w in images_loaded(watcher, "li.tl-resolve img")] == [True]
    assert watcher.locator("details.verb summary").all_inner_texts() == ["留言"]

    # another township's leader and the neighbour village's cadre: "not found", everywhere
    for person in (outsider, neighbour_cadre):
        page = browse.login(person, next_url="/events/")
        assert "违章搭建彩钢棚" not in page.locator("main").inner_text()
        for url in (
            f"/events/{event.pk}/",
            f"/m/e/{event.pk}/",
            f"/events/photos/{photo.pk}/",
            f"/events/photos/{photo.pk}/thumb/",
        ):
            answer = page.goto(url)
            assert answer is not None and answer.status == 404, url
        page.goto(f"/events/{event.pk}/")
        assert page.locator("main h1").inner_text() == "页面不存在"
        assert "违章搭建彩钢棚" not in page.content()
        # nor can they act on it by sending the form themselves
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        response = page.request.post(
            f"/events/{event.pk}/verify/",
            form={"verify-outcome": "pass"},
            headers={"X-CSRFToken": token},
        )
        assert response.status == 404

    assert browse.unexpected_errors(NOT_FOUND_LOG) == []
    event.refresh_from_db()
    assert event.status == "resolved"
