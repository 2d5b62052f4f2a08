"""Who sees which events in lists: the place, the assigned unit or the dispatching unit in
one of the user's subtrees — the rows and the list's total agree, however they are read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pages_support import World, build_world, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _placed(event: Any, *, area: Any, assignee: Any, dispatcher: Any, area_path: str = "") -> Any:
    from grassroots.events.models import Event

    Event.objects.filter(pk=event.pk).update(
        area_path=area_path or area.path,
        assignee=assignee,
        assignee_path=assignee.path,
        dispatcher=dispatcher,
    )
    return event


def test_place_assignee_and_dispatcher_each_make_an_event_visible(
    login: Any, world: World, tree: dict[str, Any], village_cadre: Any, grid_worker: Any
) -> None:
    from grassroots.events.models import Event

    village, neighbour, dept = tree["village"], tree["neighbour_village"], tree["department"]
    grid = tree["grid"]
    placed = _placed(report(world, grid_worker), area=grid, assignee=dept, dispatcher=neighbour)
    assigned = _placed(
        report(world, grid_worker), area=neighbour, assignee=grid, dispatcher=neighbour
    )
    # an address-only report the village dispatched to a department: it keeps sight of it
    dispatched = _placed(
        report(world, grid_worker), area=neighbour, assignee=dept, dispatcher=village
    )
    outside = _placed(
        report(world, grid_worker), area=neighbour, assignee=dept, dispatcher=neighbour
    )
    # a path that merely starts like the village's is not below it
    lookalike = _placed(
        report(world, grid_worker),
        area=neighbour,
        assignee=dept,
        dispatcher=neighbour,
        area_path=village.path + "9",
    )
    # the place is the village itself
    itself = _placed(report(world, grid_worker), area=village, assignee=dept, dispatcher=dept)

    seen = {placed.number, assigned.number, dispatched.number, itself.number}
    visible = Event.objects.visible_to(village_cadre)
    assert set(visible.values_list("number", flat=True)) == seen
    assert Event.objects.visible_count(village_cadre) == visible.count() == 4

    response = login(village_cadre).get("/events/")
    assert {e.number for e in response.context["page"]} == seen
    assert response.context["page"].paginator.count == 4
    assert outside.number not in response.content.decode()
    assert lookalike.number not in response.content.decode()


def test_the_total_of_a_wider_scope_counts_each_event_once(
    login: Any, world: World, xc_secretary: Any, grid_worker: Any, dept_staff: Any
) -> None:
    from grassroots.events.models import Event

    for i in range(3):
        report(world, grid_worker, title=f"事件{i}")  # placed, held and sent in the township
    response = login(xc_secretary).get("/events/")
    assert response.context["page"].paginator.count == 3
    assert Event.objects.visible_count(xc_secretary) == 3
    # a filter counts the filtered rows
    filtered = login(xc_secretary).get("/events/", {"q": "事件1"})
    assert filtered.context["page"].paginator.count == 1
    # several subtrees (a department and a township): still each event once
    assert Event.objects.visible_count(dept_staff) == Event.objects.visible_to(dept_staff).count()


def test_nobody_and_everybody(world: World, grid_worker: Any, outsider: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from grassroots.events.models import Event
    from grassroots.org.models import User

    report(world, grid_worker)
    assert Event.objects.visible_count(AnonymousUser()) == 0
    assert Event.objects.visible_count(outsider) == 0
    root = User.objects.create_superuser(username="root", password="x" * 12)
    assert Event.objects.visible_count(root) == 1
