"""Who may act on which event: scope by the event's assignee and dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.events import actions
from grassroots.events.models import EventAction
from grassroots.events.states import EventStatus as S
from tests.events.conftest import POINT_TIANBA
from tests.events.photos import upload

pytestmark = pytest.mark.django_db


def unchanged(event: Any, status: str, lines: int) -> None:
    event.refresh_from_db()
    assert event.status == status
    assert EventAction.objects.filter(event=event).count() == lines


def test_village_cadre_cannot_act_on_the_neighbours_event(
    report: Callable[..., Any], neighbour_cadre: Any, village_cadre: Any, city_admin: Any
) -> None:
    event = report(actor=city_admin, point=POINT_TIANBA)
    assert event.village.code == "513401101202"
    for call in (
        lambda: actions.accept_event(event.pk, actor=village_cadre),
        lambda: actions.reject_event(event.pk, actor=village_cadre, reason="r"),
        lambda: actions.escalate_event(event.pk, actor=village_cadre),
        lambda: actions.urge_event(event.pk, actor=village_cadre),
        lambda: actions.comment_event(event.pk, actor=village_cadre, note="n"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    unchanged(event, S.REPORTED, 1)
    assert actions.accept_event(event.pk, actor=neighbour_cadre).status == S.ACCEPTED


def test_grid_worker_reports_only_in_own_grid(report: Callable[..., Any], grid_worker: Any) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=grid_worker, point=POINT_TIANBA)
    event = report(actor=grid_worker)
    line = EventAction.objects.get(event=event)
    assert line.actor == grid_worker
    assert line.actor_unit == event.grid


def test_department_acts_only_on_what_was_dispatched_to_it(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any, dept_staff: Any
) -> None:
    event = report()
    for call in (
        lambda: actions.accept_event(event.pk, actor=dept_staff),
        lambda: actions.start_handling(event.pk, actor=dept_staff),
        lambda: actions.comment_event(event.pk, actor=dept_staff, note="n"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    actions.start_handling(event.pk, actor=dept_staff)
    actions.comment_event(event.pk, actor=dept_staff, note="现场查看")
    actions.resolve_event(event.pk, actor=dept_staff, note="done")
    # the department cannot verify or close its own work
    with pytest.raises(PermissionDenied):
        actions.verify_event(event.pk, actor=dept_staff, passed=True)
    actions.verify_event(event.pk, actor=village_cadre, passed=True)
    with pytest.raises(PermissionDenied):
        actions.close_event(event.pk, actor=dept_staff)
    assert actions.close_event(event.pk, actor=village_cadre).status == S.CLOSED


def test_department_cannot_dispatch_or_escalate(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any, dept_staff: Any
) -> None:
    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    with pytest.raises(PermissionDenied):
        actions.escalate_event(event.pk, actor=dept_staff)
    with pytest.raises(PermissionDenied):
        actions.set_deadline(event.pk, actor=dept_staff, resolve_by=event.resolve_by, reason="r")
    unchanged(event, S.DISPATCHED, 3)


def test_supervisor_is_read_only(
    report: Callable[..., Any], supervisor: Any, village_cadre: Any
) -> None:
    event = report()
    for call in (
        lambda: actions.accept_event(event.pk, actor=supervisor),
        lambda: actions.reject_event(event.pk, actor=supervisor, reason="r"),
        lambda: actions.escalate_event(event.pk, actor=supervisor),
        lambda: actions.urge_event(event.pk, actor=supervisor),
        lambda: actions.start_handling(event.pk, actor=supervisor),
        lambda: actions.resolve_on_spot(
            event.pk, actor=supervisor, note="n", photos=[upload("x.jpg")]
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    unchanged(event, S.REPORTED, 1)
    actions.accept_event(event.pk, actor=village_cadre)
    actions.start_handling(event.pk, actor=village_cadre)
    with pytest.raises(PermissionDenied):
        actions.resolve_event(event.pk, actor=supervisor, note="n")
    with pytest.raises(PermissionDenied):
        actions.return_event(event.pk, actor=supervisor, reason="r")
    # a supervisor may leave a remark on the timeline
    assert actions.comment_event(event.pk, actor=supervisor, note="请规范处置").kind == "comment"


def test_outsider_and_resident_cannot_act(
    report: Callable[..., Any], outsider: Any, resident: Any
) -> None:
    event = report()
    for who in (outsider, resident, None):
        with pytest.raises(PermissionDenied):
            actions.accept_event(event.pk, actor=who)
        with pytest.raises(PermissionDenied):
            actions.comment_event(event.pk, actor=who, note="n")
    unchanged(event, S.REPORTED, 1)


def test_township_leader_acts_in_the_villages_below(
    report: Callable[..., Any], tree: dict[str, Any], xc_secretary: Any
) -> None:
    event = report()
    event = actions.accept_event(event.pk, actor=xc_secretary)
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.actor_unit == tree["lizhou"]


def test_after_escalation_only_the_parent_acts(
    report: Callable[..., Any], village_cadre: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    event = report()
    actions.escalate_event(event.pk, actor=village_cadre)
    with pytest.raises(PermissionDenied):
        actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    actions.dispatch_event(event.pk, actor=xc_secretary, to_unit=tree["department"])


def test_the_reporter_may_comment(report: Callable[..., Any], resident: Any, category: Any) -> None:
    event = report(actor=resident, source="resident", contact_phone="13912345678")
    line = actions.comment_event(event.pk, actor=resident, note="补充: 垃圾越来越多")
    assert line.actor == resident
    assert line.actor_unit is None


def test_superuser_acts_everywhere_without_a_unit(
    report: Callable[..., Any], django_user_model: Any
) -> None:
    root = django_user_model.objects.create_superuser("root", password="x")
    event = report()
    actions.accept_event(event.pk, actor=root)
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.actor == root
    assert line.actor_unit is None
