"""Named reads: scope, the status in SQL agreeing with the rule, urgency, the tree."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period
from grassroots.org.permissions import can
from grassroots.supervision import actions
from grassroots.supervision.models import ProgressReport, Task
from grassroots.supervision.queries import status_of, weekly_board

pytestmark = pytest.mark.django_db


def test_each_role_sees_its_subtree_and_what_it_issued(
    village_tasks: dict[str, Any],
    township_task: Any,
    deploy: Callable[..., Any],
    units: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    supervisor: Any,
    outsider: Any,
    grid_worker: Any,
    dept_staff: Any,
) -> None:
    anning = deploy(unit=units["anning"], co_units=[units["lizhou"]])
    mine, neighbours = village_tasks["village"], village_tasks["neighbour"]

    def seen(user: Any) -> set[int]:
        return set(Task.objects.visible_to(user).values_list("pk", flat=True))

    every = {township_task.pk, mine.pk, neighbours.pk, anning.pk}
    assert seen(city_admin) == every
    # the township: its own, its villages', and 安宁镇's task where it is a co-unit
    assert seen(xc_secretary) == every
    assert seen(supervisor) == every
    assert seen(village_cadre) == {mine.pk}
    assert seen(outsider) == {anning.pk}
    assert seen(grid_worker) == set() and seen(dept_staff) == set()
    # one rule for a list and for one record
    assert can(xc_secretary, "supervision.view", Task.objects.get(pk=anning.pk))
    assert not can(outsider, "supervision.view", mine)
    assert not can(village_cadre, "supervision.view", township_task)


def test_status_in_sql_agrees_with_the_rule(
    official_calendar: None, deploy: Callable[..., Any], units: dict[str, Any]
) -> None:
    starts = [dt.date(2026, 9, 1), dt.date(2026, 9, 28)]
    deadlines = [dt.date(2026, 10, 9), dt.date(2026, 10, 16), dt.date(2026, 12, 31)]
    verified = [Decimal(0), Decimal("12.27"), Decimal("12.26"), Decimal(50), Decimal(100)]
    states = ["open", "open", "completed", "closed", "cancelled"]
    made = []
    for start, deadline, percent, state in itertools.product(starts, deadlines, verified, states):
        task = deploy(start_date=start, deadline=deadline)
        Task.objects.filter(pk=task.pk).update(verified_percent=percent, state=state)
        made.append(task.pk)
    days = [dt.date(2026, 9, d) for d in (1, 27, 28, 30)] + [
        dt.date(2026, 10, d) for d in (3, 8, 9, 10, 12, 16, 17)
    ]
    for today in days:
        annotated = {t.pk: (t.display_status, t.urgency) for t in Task.objects.with_status(today)}
        for task in Task.objects.filter(pk__in=made):
            assert annotated[task.pk][0] == status_of(task, today), (
                today,
                task.start_date,
                task.deadline,
                task.verified_percent,
            )
    lagging = Task.objects.at_risk(dt.date(2026, 10, 8))
    assert lagging.exists()
    assert all(status_of(t, dt.date(2026, 10, 8)) == "lagging" for t in lagging)


def test_for_unit_sorts_overdue_then_lagging_then_by_deadline(
    official_calendar: None, deploy: Callable[..., Any], units: dict[str, Any]
) -> None:
    today = dt.date(2026, 10, 20)
    late = deploy(title="逾期", deadline=dt.date(2026, 10, 15))
    behind = deploy(title="滞后", deadline=dt.date(2026, 12, 31))  # plan ~ 36 %, nothing done
    soon = deploy(title="临期", deadline=dt.date(2026, 10, 22))
    Task.objects.filter(pk=soon.pk).update(verified_percent=95)
    ahead = deploy(title="正常", deadline=dt.date(2026, 11, 30))
    Task.objects.filter(pk=ahead.pk).update(verified_percent=80)
    done = deploy(title="已完成", deadline=dt.date(2026, 10, 1))
    Task.objects.filter(pk=done.pk).update(state="completed", verified_percent=100)
    deploy(title="别的乡镇", unit=units["anning"])
    rows = list(Task.objects.for_unit(units["lizhou"], today))
    assert [(t.title, t.display_status) for t in rows] == [
        ("逾期", "overdue"),
        ("滞后", "lagging"),
        ("临期", "on_track"),
        ("正常", "on_track"),
        ("已完成", "completed"),
    ]
    assert rows[0].plan_percent == 100 and rows[-1].plan_percent is None
    assert list(Task.objects.overdue(today)) == [late]
    assert behind in Task.objects.at_risk(today)


def test_a_tree_is_one_query(
    village_tasks: dict[str, Any],
    township_task: Any,
    units: dict[str, Any],
    city_admin: Any,
    deploy: Callable[..., Any],
) -> None:
    deploy()  # another tree
    child = village_tasks["village"]
    with CaptureQueriesContext(connection) as queries:
        tree = list(Task.objects.tree_of(child))
    assert len(queries) == 1
    assert tree == [township_task, child]
    whole = list(Task.objects.tree_of(township_task))
    assert whole[0] == township_task and set(whole[1:]) == set(village_tasks.values())
    assert list(Task.objects.descendants_of(township_task).values_list("depth", flat=True)) == [
        1,
        1,
    ]


def test_verification_and_weekly_queues(
    village_task: Any,
    village_cadre: Any,
    units: dict[str, Any],
    xc_secretary: Any,
    supervisor: Any,
    official_calendar: None,
) -> None:
    report = actions.report_progress(village_task, actor=village_cadre, value=5)
    assert list(ProgressReport.objects.to_verify_by(units["lizhou"])) == [report]
    assert list(ProgressReport.objects.to_verify_by(units["village"])) == []
    assert list(ProgressReport.objects.visible_to(supervisor)) == [report]
    board = weekly_board(units["lizhou"], Period.parse("2026-W36"), user=xc_secretary)
    assert village_task in board.moved and not board.due.exists() and not board.late.exists()


def test_status_follows_the_official_calendar(
    official_calendar: None, deploy: Callable[..., Any]
) -> None:
    """Sep 28 → Oct 16, 2026: 11 working days on the official calendar (National Day off,
    Saturday Oct 10 worked), 15 on Monday–Friday. On Oct 8 the plan stands at 3/11 =
    27.27 %: 12.27 % verified is exactly the margin behind (on track), 12.26 % lags."""
    task = deploy(start_date=dt.date(2026, 9, 28), deadline=dt.date(2026, 10, 16))
    from grassroots.supervision.queries import plan_of

    assert plan_of(task, dt.date(2026, 10, 8)) == Decimal("27.27")
    task.verified_percent = Decimal("12.27")
    assert status_of(task, dt.date(2026, 10, 8)) == "on_track"
    task.verified_percent = Decimal("12.26")
    assert status_of(task, dt.date(2026, 10, 8)) == "lagging"
    # the holiday week does not move the plan: still on track on Oct 7 with 12.27 %
    task.verified_percent = Decimal("12.27")
    assert status_of(task, dt.date(2026, 10, 7)) == "on_track"
    assert status_of(task, dt.date(2026, 10, 17)) == "overdue"
