"""End to end, in Chromium, in Chinese: the ways off the straight road.

- the department returns an event (退回, with a reason) → it is back in the village
  dispatcher's 待受理 tab, who rejects it (不予受理, with a reason) → the grid worker who
  reported it is told on the phone;
- a result fails verification (返工) → the department does it again → it passes;
- a village escalates an event (上报上级), and the sweep escalates another that is overdue →
  the township leader sees both in the township's queue, dispatches one to the department
  and urges (催办) → the department is told.

The events are set up through the actions; every step under test is a click on a page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.browsing import (
    Browse,
    act,
    deadline_in,
    inbox_badge,
    open_from_inbox,
    status_badge,
    timeline_heads,
    timeline_line,
)
from tests.pages_support import World, advance, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_returned_then_rejected_and_a_result_reworked(
    browse: Browse, world: World, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    cast = {"world": world, "cadre": village_cadre, "staff": dept_staff}
    not_ours = advance(report(world, grid_worker, title="村道边电线杆倾斜"), "dispatched", **cast)
    redo = advance(report(world, grid_worker, title="排水沟堵塞"), "resolved", **cast)

    # the department: not theirs, returned with the reason; it leaves their queue
    staff = browse.login(dept_staff, next_url="/events/queue/?tab=in_progress")
    assert staff.locator(".tab-in_progress .count").inner_text() == "1"  # the other is resolved
    staff.locator("table.events a", has_text="村道边电线杆倾斜").click()
    staff.wait_for_url(re.compile(rf"/events/{not_ours.pk}/$"))
    status = act(staff, "return", fill={"reason": "电力设施归供电公司管理，请转派"}, leaves=True)
    assert status == 204
    assert "已完成：退回（非本单位职责）。" in staff.locator(".messages").inner_text()
    staff.goto("/events/queue/?tab=in_progress")
    assert "村道边电线杆倾斜" not in staff.locator("table.events").inner_text()

    # the dispatcher is told and finds it back in 待受理, with the reason on the timeline
    cadre = browse.login(village_cadre, next_url="/events/queue/")
    assert inbox_badge(cadre) == 2  # the other one resolved; this one returned
    row = cadre.locator("table.events tbody tr", has_text="村道边电线杆倾斜")
    assert "已退回" in row.inner_text()
    row.locator("a").first.click()
    cadre.wait_for_url(re.compile(rf"/events/{not_ours.pk}/$"))
    assert "电力设施归供电公司管理" in timeline_line(cadre, "return").inner_text()

    # … and refuses it, with a reason: nothing more can be done with it
    assert act(cadre, "reject", fill={"reason": "已告知群众拨打供电服务热线"}) == 200
    assert status_badge(cadre) == "不予受理"
    assert cadre.locator("details.verb-dispatch, details.verb-accept").count() == 0
    assert timeline_heads(cadre)[-2:] == ["已退回", "不予受理"]

    # the grid worker who reported it reads why on the phone
    worker = browse.login(grid_worker, phone=True, next_url="/m/")
    assert inbox_badge(worker) == 1
    open_from_inbox(worker, not_ours.number)
    assert "已告知群众拨打供电服务热线" in timeline_line(worker, "reject").inner_text()
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390

    # rework: the dispatcher's check fails, the department is told and does it again
    cadre.goto("/events/queue/?tab=verify")
    cadre.locator("table.events a", has_text="排水沟堵塞").click()
    cadre.wait_for_url(re.compile(rf"/events/{redo.pk}/$"))
    status = act(cadre, "verify", outcome="rework", fill={"note": "沟内淤泥未清，仍有积水"})
    assert status == 200
    assert status_badge(cadre) == "返工"

    staff.reload()
    before = inbox_badge(staff)
    open_from_inbox(staff, redo.number)
    assert inbox_badge(staff) == before - 1
    assert "沟内淤泥未清" in timeline_line(staff, "rework").inner_text()
    assert act(staff, "resolve", fill={"note": "淤泥已全部清出"}) == 200
    assert status_badge(staff) == "已处置"

    cadre.reload()
    assert act(cadre, "verify", outcome="pass") == 200
    assert status_badge(cadre) == "已核查"
    assert timeline_heads(cadre)[-4:] == ["已处置", "返工", "已处置", "已核查"]
    assert browse.errors == []

    not_ours.refresh_from_db()
    redo.refresh_from_db()
    assert (not_ours.status, not_ours.assignee_id) == ("rejected", world.tree["village"].pk)
    assert redo.status == "verified"
    assert redo.actions.filter(kind="rework").count() == 1


def overdue_and_swept(event: Any) -> None:
    """Set-up: the event's deadline passed a minute ago, then the every-minute sweep ran."""
    from grassroots.events.models import Event, SweepState
    from grassroots.events.sweep import sweep

    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(resolve_by=now - dt.timedelta(minutes=1))
    SweepState.objects.update_or_create(
        name="default", defaults={"swept_until": now - dt.timedelta(minutes=2)}
    )
    assert sweep(now=now).escalated == 1


def test_township_leader_takes_escalated_events_and_urges(
    browse: Browse,
    world: World,
    grid_worker: Any,
    village_cadre: Any,
    xc_secretary: Any,
    dept_staff: Any,
    settings: Any,
) -> None:
    settings.EVENT_ESCALATE_AFTER_HOURS = 0  # escalated by the sweep as soon as overdue
    cast = {"world": world, "cadre": village_cadre, "staff": dept_staff}
    late = advance(report(world, grid_worker, title="河道护栏缺失"), "accepted", **cast)
    overdue_and_swept(late)
    event = report(world, grid_worker, title="两村交界处非法倾倒")

    # the village cannot settle it alone and hands it up
    cadre = browse.login(village_cadre, next_url=f"/events/{event.pk}/")
    assert act(cadre, "escalate", fill={"note": "涉及两个村，需镇上协调"}) == 200
    assert status_badge(cadre) == "已上报上级"
    assert "已上报上级 ×1" in cadre.locator(".event-head").inner_text()

    # the township leader is told of both and finds them in the township's 待受理, marked ↑1
    leader = browse.login(xc_secretary, next_url="/events/queue/")
    assert inbox_badge(leader) == 2
    assert world.tree["lizhou"].name in leader.locator("h1").inner_text()
    assert leader.locator(".tab-new .count").inner_text() == "2"
    assert leader.locator(".tab-overdue .count").inner_text() == "1"
    swept = leader.locator("table.events tbody tr", has_text="河道护栏缺失")
    assert "↑1" in swept.inner_text() and "已超期" in swept.inner_text()
    swept.locator("a").first.click()
    leader.wait_for_url(re.compile(rf"/events/{late.pk}/$"))
    assert timeline_heads(leader)[-2:] == ["已超期", "已上报上级"]
    assert "系统" in timeline_line(leader, "escalate").inner_text()
    leader.go_back()
    row = leader.locator("table.events tbody tr", has_text="两村交界处非法倾倒")
    assert "↑1" in row.inner_text()
    row.locator("a").first.click()
    leader.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    field_value, shown = deadline_in(3)
    status = act(
        leader,
        "dispatch",
        choose={"to_unit": world.tree["department"].code},
        fill={"resolve_by": field_value, "note": "住建局牵头清理"},
    )
    assert status == 200
    assert status_badge(leader) == "已派遣"
    assert shown in leader.locator("dl.facts").inner_text()

    # … and urges the department
    assert act(leader, "urge", fill={"note": "请今日内到现场"}) == 200
    assert "已完成：催办。" in leader.locator("#event-main .messages").inner_text()
    assert timeline_heads(leader) == ["已上报", "已上报上级", "已派遣", "催办"]

    # the department heard of the dispatch and of the urging
    staff = browse.login(dept_staff, next_url="/")
    assert inbox_badge(staff) == 2
    open_from_inbox(staff, event.number)
    assert "请今日内到现场" in timeline_line(staff, "urge").inner_text()
    facts = staff.locator("dl.facts").inner_text()
    assert world.tree["lizhou"].name in facts  # dispatched by the township
    assert browse.errors == []

    event.refresh_from_db()
    assert event.status == "dispatched"
    assert event.escalation_level == 1
    assert event.dispatcher_id == world.tree["lizhou"].pk
    assert event.assignee_id == world.tree["department"].pk
