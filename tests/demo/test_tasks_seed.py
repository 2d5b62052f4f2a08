"""The demo's year of supervised tasks: deployed and cascaded, targets that add up,
progress through the actions (some late, some waiting), dated through the year."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db.models import Sum

from grassroots.audit.models import AuditEntry
from grassroots.org.models import Membership
from grassroots.supervision.models import (
    ExtensionRequest,
    ProgressReport,
    Task,
    TaskAction,
    Urge,
)
from tests.conftest import seeded_town

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """礼州镇 with a month of events and the year's tasks, seeded once (rolled back)."""
    with seeded_town(django_db_blocker, months=1, now=NOW) as summary:
        yield summary


@pytest.fixture
def tasks(town: Any, db: Any) -> list[Task]:
    with time_machine.travel(NOW, tick=False):
        # the deployed tasks (not those the party-building seed's resolutions created)
        deployed = Task.objects.with_status(NOW.date()).filter(origin="")
        yield list(deployed.select_related("unit", "parent"))


def test_city_tasks_are_cascaded_to_the_township_and_its_villages(
    town: Any, tasks: list[Task]
) -> None:
    assert town.tasks == len(tasks) > 40
    roots = {t.title: t for t in tasks if t.parent_id is None}
    assert {"新增村集体经济收入", "违法建设专项整治", "文化院坝建设", "产业转型年重点项目完成投资",
            "礼州镇农贸市场改造"} <= set(roots)  # fmt: skip
    income = roots["新增村集体经济收入"]
    assert income.unit.code == "513401" and income.is_rollup and income.target_measure == "万元"
    share = next(t for t in tasks if t.parent_id == income.pk)
    villages = [t for t in tasks if t.parent_id == share.pk]
    assert share.unit.code == "513401101" and len(villages) == 13
    assert all(v.issuer_id == share.unit_id and v.deadline <= share.deadline for v in villages)


def test_sums_of_children_equal_their_parents(tasks: list[Task]) -> None:
    parents = [t for t in tasks if any(c.parent_id == t.pk for c in tasks)]
    assert len(parents) >= 6
    for parent in parents:
        total = Task.objects.filter(parent=parent).aggregate(s=Sum("target_value"))["s"]
        assert total == parent.target_value, parent.title


def test_progress_some_late_some_waiting(tasks: list[Task]) -> None:
    statuses = Counter(t.display_status for t in tasks)
    assert statuses["overdue"] >= 1 and statuses["completed"] + statuses["closed"] >= 5
    assert statuses["on_track"] + statuses["lagging"] >= 1
    reports = Counter(ProgressReport.objects.values_list("state", flat=True))
    assert reports["accepted"] > reports["returned"] >= 1
    # verified progress is what the accepted reports say
    for task in tasks:
        if task.verified_value is not None and not task.is_rollup:
            best = max(r.value for r in ProgressReport.objects.filter(task=task, state="accepted"))
            assert task.verified_value == best
    assert Urge.objects.exists()
    assert all(e.requested_deadline > e.previous_deadline for e in ExtensionRequest.objects.all())


def test_livelihood_projects_have_a_feasibility_decision(tasks: list[Task]) -> None:
    project = next(t for t in tasks if t.kind == "livelihood")
    assert project.feasibility == "feasible" and project.budget and project.location


def test_history_is_dated_through_the_year_with_audit_entries(tasks: list[Task]) -> None:
    moments = list(TaskAction.objects.values_list("created_at", flat=True))
    first, last = min(moments), max(moments)
    assert first.astimezone(TZ).month <= 3 and last <= NOW and (last - first).days > 200
    created = AuditEntry.objects.filter(action="supervision.task.created").count()
    assert created == len(tasks)
    assert AuditEntry.objects.filter(action="supervision.task.progress_reported").count() == (
        ProgressReport.objects.count()
    )
    # actors are demo logins acting where they are members (the city office above all)
    members = set(Membership.objects.values_list("user_id", "unit_id"))
    acting = TaskAction.objects.exclude(actor=None).exclude(actor_unit=None)
    assert acting.exists()
    for line in acting:
        assert (line.actor_id, line.actor_unit_id) in members, line.kind


def test_the_year_is_deterministic_for_a_seed(tasks: list[Task]) -> None:
    import random

    from grassroots.demo.tasks import seed_tasks
    from grassroots.supervision.models import Milestone, TaskCoUnit

    def dump() -> list[tuple[Any, ...]]:
        return list(
            Task.objects.filter(origin="")  # the deployed ones
            .order_by("tree_path")
            .values_list(
                "title", "unit__code", "target_value", "verified_value", "state", "deadline"
            )
        )

    first = dump()
    for model in (TaskAction, Urge, ExtensionRequest, ProgressReport, Milestone, TaskCoUnit):
        model.objects.all().delete()
    Task.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        seed_tasks(rng=random.Random("2026:tasks"))
    assert dump() == first
