"""Every action refuses people outside its scope, and the supervisor only reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.supervision import actions
from grassroots.supervision.models import Task, TaskAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(village_task: Any, village_cadre: Any, xc_secretary: Any) -> dict[str, Any]:
    """A report, an extension request and a milestone waiting on 礼州村's share."""
    actions.update_task(
        village_task, actor=xc_secretary, changes={"deadline": dt.date(2026, 12, 1)}
    )
    return {
        "report": actions.report_progress(village_task, actor=village_cadre, value=5),
        "request": actions.request_extension(
            village_task, actor=village_cadre, requested_deadline=dt.date(2026, 12, 20), reason="r"
        ),
        "milestone": actions.add_milestone(
            village_task, actor=xc_secretary, title="m", due_date=dt.date(2026, 10, 1)
        ),
    }


def calls(task: Any, pending: dict[str, Any], units: dict[str, Any]) -> list[Callable[[Any], Any]]:
    return [
        lambda actor: actions.update_task(task, actor=actor, changes={"title": "x"}),
        lambda actor: actions.add_milestone(
            task, actor=actor, title="x", due_date=dt.date(2026, 10, 2)
        ),
        lambda actor: actions.complete_milestone(pending["milestone"], actor=actor),
        lambda actor: actions.cascade_task(task, actor=actor, units=[units["grid"]]),
        lambda actor: actions.report_progress(task, actor=actor, value=1),
        lambda actor: actions.verify_progress(pending["report"], actor=actor, accepted=True),
        lambda actor: actions.request_extension(
            task, actor=actor, requested_deadline=dt.date(2026, 12, 10), reason="r"
        ),
        lambda actor: actions.approve_extension(pending["request"], actor=actor),
        lambda actor: actions.refuse_extension(pending["request"], actor=actor, reason="r"),
        lambda actor: actions.urge_task(task, actor=actor),
        lambda actor: actions.decide_feasibility(task, actor=actor, feasible=True),
        lambda actor: actions.close_task(task, actor=actor),
        lambda actor: actions.cancel_task(task, actor=actor, reason="r"),
    ]


def test_outsiders_and_the_supervisor_are_refused_everything(
    village_task: Any,
    pending: dict[str, Any],
    units: dict[str, Any],
    outsider: Any,
    supervisor: Any,
    grid_worker: Any,
    dept_staff: Any,
) -> None:
    before = (TaskAction.objects.count(), Task.objects.get(pk=village_task.pk).version)
    for actor in (outsider, supervisor, grid_worker, dept_staff):
        for call in calls(village_task, pending, units):
            with pytest.raises(PermissionDenied):
                call(actor)
    with pytest.raises(PermissionDenied):
        actions.create_task(
            actor=supervisor,
            title="x",
            kind="key_task",
            unit=units["village"],
            deadline=dt.date(2026, 12, 1),
        )
    assert (TaskAction.objects.count(), Task.objects.get(pk=village_task.pk).version) == before
