"""The dispatcher queue (/events/queue/) and the event list (/events/): tabs, filters,
sort by deadline, pagination, scope and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.pages_support import World, advance, build_world, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def codes(response: Any) -> list[str]:
    return [e.number for e in response.context["page"]]


def test_new_tab_lists_what_waits_for_the_village(
    login: Any, world: World, village_cadre: Any, grid_worker: Any, neighbour_cadre: Any
) -> None:
    from tests.pages_support import POINT_NEIGHBOUR

    event = report(world, grid_worker)
    report(world, neighbour_cadre, point=POINT_NEIGHBOUR)  # not this village's business
    response = login(village_cadre).get("/events/queue/")
    assert response.status_code == 200
    assert response.context["unit"].code == "513401101201"  # the cadre's village by default
    assert response.context["tab"].key == "new"
    assert codes(response) == [event.number]
    counts = {t.key: n for t, n in response.context["tabs"]}
    assert counts == {"new": 1, "due_today": 0, "overdue": 0, "verify": 0, "in_progress": 0}
    body = response.content.decode()
    assert f'href="/events/{event.pk}/"' in body
    assert 'name="viewport"' in body


def test_tabs_follow_the_event(
    login: Any, world: World, village_cadre: Any, grid_worker: Any, dept_staff: Any
) -> None:
    event = report(world, grid_worker)
    advance(event, "dispatched", world=world, cadre=village_cadre, staff=dept_staff)
    cadre = login(village_cadre)
    assert codes(cadre.get("/events/queue/", {"tab": "new"})) == []
    assert codes(cadre.get("/events/queue/", {"tab": "in_progress"})) == [event.number]
    # the department sees it in its own queue, as the unit that must act
    staff = login(dept_staff)
    response = staff.get("/events/queue/", {"tab": "in_progress"})
    assert response.context["unit"].code == "513401D01"
    assert codes(response) == [event.number]
    advance(event, "resolved", world=world, cadre=village_cadre, staff=dept_staff)
    assert codes(cadre.get("/events/queue/", {"tab": "verify"})) == [event.number]
    assert codes(staff.get("/events/queue/", {"tab": "verify"})) == []


def test_due_today_and_overdue(
    login: Any, world: World, village_cadre: Any, grid_worker: Any
) -> None:
    event = report(world, grid_worker)
    from grassroots.events.models import Event

    local = timezone.localtime(event.resolve_by)
    # on the morning of the deadline's day it is due today; the day after, overdue
    with time_machine.travel(local.replace(hour=7, minute=0), tick=False):
        client = login(village_cadre)
        assert codes(client.get("/events/queue/", {"tab": "due_today"})) == [event.number]
        assert codes(client.get("/events/queue/", {"tab": "overdue"})) == []
    with time_machine.travel(local + dt.timedelta(days=1), tick=False):
        response = login(village_cadre).get("/events/queue/", {"tab": "overdue"})
        assert codes(response) == [event.number]
        assert 'class="badge overdue"' in response.content.decode()
    Event.objects.filter(pk=event.pk).update(status="rejected")
    with time_machine.travel(local + dt.timedelta(days=1), tick=False):
        assert codes(login(village_cadre).get("/events/queue/", {"tab": "overdue"})) == []


def test_sorted_by_deadline_and_paginated(
    login: Any, world: World, village_cadre: Any, grid_worker: Any
) -> None:
    from grassroots.events.models import Event

    events = [report(world, grid_worker, title=f"事件{i}") for i in range(55)]
    base = timezone.now() + dt.timedelta(days=3)
    for i, event in enumerate(events):
        # the last reported is due first
        Event.objects.filter(pk=event.pk).update(resolve_by=base - dt.timedelta(hours=i))
    Event.objects.filter(pk=events[0].pk).update(resolve_by=None)  # no deadline: last
    client = login(village_cadre)
    first = client.get("/events/queue/")
    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"].object_list) == 50
    assert codes(first)[:3] == [events[54].number, events[53].number, events[52].number]
    second = client.get("/events/queue/", {"page": 2})
    assert codes(second)[-1] == events[0].number
    assert len(second.context["page"].object_list) == 5


def test_filters(
    login: Any, world: World, village_cadre: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    from grassroots.events.models import Category, Event

    other = Category.objects.create(code="JMFW01", name="民生服务", resolve_workdays=5)
    a = report(world, grid_worker, title="垃圾")
    b = report(world, grid_worker, title="路灯", category=other)
    c = report(world, village_cadre, title="无位置", point=(None, None), unit=tree["village"])
    Event.objects.filter(pk=c.pk).update(source="hotline")
    Event.objects.filter(pk=b.pk).update(reported_at=timezone.now() - dt.timedelta(days=10))
    client = login(village_cadre)
    by_parent = client.get("/events/queue/", {"category": "SRHJ"})  # the parent: its children too
    assert set(codes(by_parent)) == {a.number, c.number}
    assert codes(client.get("/events/queue/", {"category": "JMFW01"})) == [b.number]
    by_grid = client.get("/events/queue/", {"grid": "513401101201001"})
    assert set(codes(by_grid)) == {a.number, b.number}
    assert codes(client.get("/events/queue/", {"source": "hotline"})) == [c.number]
    today = timezone.localdate().isoformat()
    assert set(codes(client.get("/events/queue/", {"date_from": today}))) == {a.number, c.number}
    old = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert codes(client.get("/events/queue/", {"date_to": old})) == [b.number]
    assert codes(client.get("/events/queue/", {"status": "reported", "q": "路灯"})) == [b.number]


def test_a_bad_filter_is_shown_and_ignored(
    login: Any, world: World, village_cadre: Any, grid_worker: Any
) -> None:
    event = report(world, grid_worker)
    response = login(village_cadre).get(
        "/events/queue/", {"date_from": "2026-13-45", "date_to": "x", "category": "NOPE"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from", "date_to", "category"}
    assert codes(response) == [event.number]


def test_queue_of_another_unit_is_404(
    login: Any, world: World, neighbour_cadre: Any, outsider: Any, xc_secretary: Any
) -> None:
    assert login(neighbour_cadre).get("/events/queue/", {"unit": "513401101201"}).status_code == 404
    assert login(outsider).get("/events/queue/", {"unit": "513401101201"}).status_code == 404
    assert login(outsider).get("/events/queue/", {"unit": "nope"}).status_code == 404
    # the township leader may open the queue of a village below
    response = login(xc_secretary).get("/events/queue/", {"unit": "513401101201"})
    assert response.status_code == 200
    assert response.context["unit"].code == "513401101201"


def test_a_township_sees_its_villages_queues_with_the_units_below(
    login: Any,
    world: World,
    xc_secretary: Any,
    grid_worker: Any,
    neighbour_cadre: Any,
    village_cadre: Any,
    dept_staff: Any,
) -> None:
    from tests.pages_support import POINT_NEIGHBOUR

    here = report(world, grid_worker)
    there = report(world, neighbour_cadre, point=POINT_NEIGHBOUR)
    client = login(xc_secretary)
    own = client.get("/events/queue/")
    assert own.context["unit"].code == "513401101"
    assert codes(own) == []  # nothing waits for the township itself
    below = client.get("/events/queue/", {"below": "1"})
    assert set(codes(below)) == {here.number, there.number}
    assert {t.key: n for t, n in below.context["tabs"]}["new"] == 2
    by_grid = client.get("/events/queue/", {"below": "1", "grid": "513401101202001"})
    assert codes(by_grid) == [there.number]
    advance(here, "resolved", world=world, cadre=village_cadre, staff=dept_staff)
    assert codes(client.get("/events/queue/", {"below": "1", "tab": "verify"})) == [here.number]
    assert codes(client.get("/events/queue/", {"tab": "verify"})) == []
    # the department's queue with "below" is what was sent to it
    staff = login(dept_staff).get("/events/queue/", {"below": "1", "tab": "in_progress"})
    assert codes(staff) == []
    assert codes(login(dept_staff).get("/events/queue/", {"below": "1", "tab": "verify"})) == [
        here.number
    ]


def test_people_without_a_queue_get_the_list(
    login: Any, world: World, supervisor: Any, resident: Any
) -> None:
    response = login(supervisor).get("/events/queue/")
    assert response.status_code == 302
    assert response["Location"] == "/events/"
    assert login(resident).get("/events/queue/").status_code == 403
    assert login(resident).get("/events/").status_code == 403


def test_queue_needs_login(world: World, client: Any) -> None:
    response = client.get("/events/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _queries(client: Any, path: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    # not the calendar's revision check, which runs by the clock, not by the data
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def test_queue_queries_do_not_grow_with_rows(
    login: Any, world: World, village_cadre: Any, grid_worker: Any
) -> None:
    for i in range(3):
        report(world, grid_worker, title=f"少{i}")
    client = login(village_cadre)
    params = {"tab": "new", "category": "SRHJ01", "grid": "513401101201001"}
    client.get("/events/queue/", params)  # warm the session and caches
    few = _queries(client, "/events/queue/", params)
    for i in range(40):
        report(world, grid_worker, title=f"多{i}")
    many = _queries(client, "/events/queue/", params)
    assert few == many
    # session, user, grants, unit list, grids, 5 tab counts, category (+children),
    # category choices, page count, page rows
    assert many <= 16


def test_list_queries_do_not_grow_with_rows(
    login: Any, world: World, village_cadre: Any, grid_worker: Any
) -> None:
    report(world, grid_worker)
    client = login(village_cadre)
    client.get("/events/")
    few = _queries(client, "/events/", {})
    for i in range(30):
        report(world, grid_worker, title=f"多{i}")
    assert _queries(client, "/events/", {}) == few <= 8


def test_event_list_search_and_scope(
    login: Any, world: World, village_cadre: Any, neighbour_cadre: Any, grid_worker: Any
) -> None:
    a = report(world, grid_worker, title="垃圾成堆")
    b = report(world, grid_worker, title="路灯不亮")
    client = login(village_cadre)
    assert set(codes(client.get("/events/"))) == {a.number, b.number}
    assert codes(client.get("/events/", {"q": "路灯"})) == [b.number]
    assert codes(client.get("/events/", {"q": a.number.lower()})) == [a.number]
    assert codes(client.get("/events/", {"q": a.number[:-1]}))  # a prefix finds it
    assert codes(login(neighbour_cadre).get("/events/")) == []
