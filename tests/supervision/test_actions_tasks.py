"""Deploying and keeping tasks: create, update, milestones, feasibility, close, cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.supervision import actions
from grassroots.supervision.errors import IllegalTransition, SupervisionConflict, SupervisionError
from grassroots.supervision.models import Milestone, Task, TaskCoUnit
from tests.events.photos import image_bytes, upload
from tests.supervision.conftest import END, START, audits, fresh, lines

pytestmark = pytest.mark.django_db


def test_city_office_deploys_a_task_with_milestones_and_co_units(
    deploy: Callable[..., Any], units: dict[str, Any], city_admin: Any
) -> None:
    task = deploy(
        co_units=[units["department"]],
        milestones=[
            ("方案制定", dt.date(2026, 9, 30)),
            {"title": "中期", "due_date": "2026-10-31"},
        ],
        level="key",
    )
    assert task.issuer == units["city"] and task.unit == units["lizhou"]
    assert (task.state, task.level, task.version) == ("open", "key", 1)
    assert task.tree_path == str(task.pk).zfill(12)
    assert [m.title for m in Milestone.objects.filter(task=task)] == ["方案制定", "中期"]
    assert list(TaskCoUnit.objects.filter(task=task).values_list("unit", flat=True)) == [
        units["department"].pk
    ]
    [line] = lines(task)
    assert (line.kind, line.actor, line.actor_unit) == ("create", city_admin, units["city"])
    [entry] = audits("supervision.task.created", task)
    assert entry.after["deadline"] == "2026-12-31" and entry.unit_path == units["lizhou"].path


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"deadline": dt.date(2026, 8, 31)}, "deadline", "before_start"),
        ({"title": "  "}, "title", "required"),
        ({"kind": "party"}, "kind", "invalid_choice"),
        ({"target_value": "-5"}, "target_value", "out_of_range"),
        ({"target_value": "0"}, "target_value", "out_of_range"),
        ({"target_value": "1.23456"}, "target_value", "too_precise"),
        ({"milestones": [("过晚", dt.date(2027, 1, 5))]}, "milestones", "outside_task"),
        ({"budget": "20"}, "kind", "not_livelihood"),
        ({"deadline": "31/12/2026"}, "deadline", "invalid_date"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    deploy: Callable[..., Any], overrides: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(SupervisionError) as caught:
        deploy(**overrides)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.as_dict() == {field: caught.value.message}
    assert Task.objects.count() == 0


def test_only_the_city_office_deploys_and_only_below_itself(
    deploy: Callable[..., Any], xc_secretary: Any, supervisor: Any, units: dict[str, Any]
) -> None:
    for actor in (xc_secretary, supervisor):
        with pytest.raises(PermissionDenied):
            deploy(actor=actor)
    # the township leader is not allowed to issue as the city either
    with pytest.raises(PermissionDenied):
        deploy(actor=xc_secretary, issuer=units["city"])
    # a unit outside the issuer's subtree
    with pytest.raises(SupervisionError) as caught:
        deploy(issuer=units["lizhou"], unit=units["anning"])
    assert caught.value.field == "unit"
    assert Task.objects.count() == 0


def test_update_changes_details_with_a_new_version(
    township_task: Any, city_admin: Any, xc_secretary: Any
) -> None:
    task = actions.update_task(
        township_task,
        actor=city_admin,
        changes={"title": "新增村集体经济收入（调整）", "deadline": dt.date(2026, 12, 20)},
        version=1,
    )
    assert (task.title, task.deadline, task.version) == (
        "新增村集体经济收入（调整）",
        dt.date(2026, 12, 20),
        2,
    )
    [entry] = audits("supervision.task.updated", task)
    assert (entry.before["deadline"], entry.after["deadline"]) == ("2026-12-31", "2026-12-20")
    # a form opened on version 1 is stale now
    with pytest.raises(SupervisionConflict):
        actions.update_task(task, actor=city_admin, changes={"title": "x"}, version=1)
    # the responsible unit does not edit what it was given
    with pytest.raises(PermissionDenied):
        actions.update_task(task, actor=xc_secretary, changes={"title": "x"})
    with pytest.raises(SupervisionError) as caught:
        actions.update_task(task, actor=city_admin, changes={"state": "closed"})
    assert (caught.value.field, caught.value.code) == ("state", "not_editable")
    assert fresh(task).version == 2


def test_update_keeps_the_tree_consistent(
    village_tasks: dict[str, Any], township_task: Any, city_admin: Any, xc_secretary: Any
) -> None:
    child = village_tasks["village"]
    with pytest.raises(SupervisionError) as caught:
        actions.update_task(child, actor=xc_secretary, changes={"deadline": dt.date(2027, 1, 31)})
    assert caught.value.code == "after_parent"
    actions.update_task(child, actor=xc_secretary, changes={"deadline": dt.date(2026, 12, 1)})
    with pytest.raises(SupervisionError) as caught:
        actions.update_task(
            township_task, actor=city_admin, changes={"deadline": dt.date(2026, 11, 30)}
        )
    assert caught.value.code == "before_children"
    with pytest.raises(SupervisionError) as caught:
        actions.update_task(township_task, actor=city_admin, changes={"target_value": 90})
    assert (caught.value.field, caught.value.code) == ("target_value", "below_children")


def test_milestones_are_added_by_the_issuer_and_done_by_the_unit(
    village_task: Any, xc_secretary: Any, village_cadre: Any, neighbour_cadre: Any
) -> None:
    png = image_bytes("PNG")
    milestone = actions.add_milestone(
        village_task, actor=xc_secretary, title="完成选址", due_date=dt.date(2026, 10, 15)
    )
    with pytest.raises(SupervisionError) as caught:
        actions.add_milestone(
            village_task, actor=xc_secretary, title="x", due_date=dt.date(2026, 8, 1)
        )
    assert caught.value.field == "due_date"
    with pytest.raises(PermissionDenied):
        actions.complete_milestone(milestone, actor=neighbour_cadre)
    with pytest.raises(PermissionDenied):  # the township is not the responsible unit
        actions.complete_milestone(milestone, actor=xc_secretary)
    done = actions.complete_milestone(
        milestone, actor=village_cadre, note="选址已定", evidence=[upload("选址.png", png)]
    )
    assert done.done_at is not None and done.done_by == village_cadre
    assert list(done.evidence.values_list("content_type", flat=True)) == ["image/png"]
    # the dates cannot move away from a milestone
    with pytest.raises(SupervisionError) as caught:
        actions.update_task(
            village_task, actor=xc_secretary, changes={"start_date": dt.date(2026, 10, 20)}
        )
    assert (caught.value.field, caught.value.code) == ("start_date", "milestone_outside")
    with pytest.raises(IllegalTransition):
        actions.complete_milestone(milestone, actor=village_cadre)
    assert [x.kind for x in lines(village_task)][-2:] == ["add_milestone", "complete_milestone"]
    assert len(audits("supervision.task.milestone_completed", village_task)) == 1


def test_feasibility_of_a_livelihood_project(
    deploy: Callable[..., Any], city_admin: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    project = deploy(
        kind="livelihood",
        title="文化院坝建设",
        target_value=None,
        budget="35.5",
        location="礼州镇礼州村",
        beneficiaries="全村 320 户",
    )
    with pytest.raises(SupervisionError) as caught:
        actions.decide_feasibility(project, actor=xc_secretary, feasible=False)
    assert (caught.value.field, caught.value.code) == ("explanation", "required")
    with pytest.raises(SupervisionError) as caught:
        actions.decide_feasibility(
            project, actor=xc_secretary, feasible=False, explanation="请联系 13812345678 了解"
        )
    assert caught.value.code == "personal_data"
    with pytest.raises(PermissionDenied):
        actions.decide_feasibility(project, actor=village_cadre, feasible=True)
    decided = actions.decide_feasibility(
        project,
        actor=xc_secretary,
        feasible=False,
        explanation="选址涉及基本农田，调规后明年实施。",
    )
    assert decided.feasibility == "infeasible" and decided.explained_at is not None
    assert list(Task.objects.public_projects()) == [decided]
    again = actions.decide_feasibility(project, actor=city_admin, feasible=True)
    assert (again.feasibility, again.public_explanation, again.explained_at) == (
        "feasible",
        "",
        None,
    )
    ordinary = deploy()
    with pytest.raises(SupervisionError) as caught:
        actions.decide_feasibility(ordinary, actor=city_admin, feasible=True)
    assert caught.value.code == "not_livelihood"


def test_close_only_after_completion_and_only_by_the_issuer(
    village_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    with pytest.raises(IllegalTransition):
        actions.close_task(village_task, actor=xc_secretary)
    report = actions.report_progress(village_task, actor=village_cadre, value=60)
    actions.verify_progress(report, actor=xc_secretary, accepted=True)
    assert fresh(village_task).state == "completed"
    with pytest.raises(PermissionDenied):
        actions.close_task(village_task, actor=village_cadre)
    closed = actions.close_task(village_task, actor=xc_secretary, note="验收合格")
    assert closed.state == "closed" and closed.closed_at is not None
    assert len(audits("supervision.task.closed", village_task)) == 1
    with pytest.raises(IllegalTransition):
        actions.cancel_task(village_task, actor=xc_secretary, reason="x")


def test_cancel_takes_the_sub_tasks_along(
    township_task: Any,
    village_tasks: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
) -> None:
    child = village_tasks["village"]
    actions.update_task(child, actor=xc_secretary, changes={"deadline": dt.date(2026, 12, 1)})
    request = actions.request_extension(
        child, actor=village_cadre, requested_deadline=dt.date(2026, 12, 31), reason="雨季"
    )
    with pytest.raises(SupervisionError) as caught:
        actions.cancel_task(township_task, actor=city_admin, reason="")
    assert caught.value.field == "reason"
    actions.cancel_task(township_task, actor=city_admin, reason="上级调整部署")
    states = dict(Task.objects.values_list("unit__code", "state"))
    assert set(states.values()) == {"cancelled"}
    assert len(audits("supervision.task.cancelled")) == 3
    request.refresh_from_db()
    assert request.state == "refused"
    assert fresh(child).cancel_reason == "上级调整部署"


def test_start_and_deadline_defaults(deploy: Callable[..., Any]) -> None:
    task = deploy(start_date=None)
    assert task.start_date == START and task.deadline == END
    assert task.target_value == Decimal(100)
