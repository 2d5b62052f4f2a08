"""The supervision metrics on a small hand-computed fixture (October 2026), computed on
2026-12-01 12:00. Dates are local; "Oct 9" = 2026-10-09. Every task starts on Sep 1
unless said otherwise.

礼州村 (v1)
  A  due Oct 9,  completed Oct 9 15:00                 due, on time
  B  due Oct 16, completed Oct 20 10:00                due, late by 2 working days (19, 20)
  C  due Oct 30, open                                  due, late by 22 working days to Dec 1
  D  due Oct 20, cancelled                             not counted
  E  due Nov 5,  completed Oct 25                      not due in October
  F  livelihood, due Oct 12, decided not feasible Oct 10 with an explanation: not counted as
     due; explanation coverage 1 / 1
  G  livelihood, due Dec 31, completed Oct 28          livelihood completed: 1
  urges of C: manual Oct 20, escalation Oct 28 (count); before-deadline Oct 27,
  after-deadline Oct 31 (automatic reminders: do not count); manual of A on Sep 30 (before)
田坝村 (v2)
  H  due Sat Oct 31, completed Mon Nov 2              due, late by 1 working day
  I  livelihood, decided not feasible Oct 15, no explanation: coverage 0 / 1
  J  livelihood, decided not feasible Sep 30 with an explanation: not in October
礼州镇 (township)
  K  due Thu Oct 1 (a holiday), completed Sep 30       due, on time; under way, nothing
     verified: progress against plan 0 / 100
安宁村 (other village)
  P1 Sep 1 → Dec 31: accepted 50 % on Oct 20, accepted 80 % on Nov 5 (after October):
     verified 50 against plan 40 / 84 working days = 47.62
  P2 Oct 12 → Oct 23, completed Oct 22 (accepted 100 % Oct 22): due, on time; verified
     100 against plan 100
     → progress against plan = 150 / 147.62 = 101.61 %
安宁镇: nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import MetricValue, Period, get
from grassroots.supervision.models import ProgressReport, Task, Urge, tree_path_of
from tests.supervision.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_calendar")]
OCTOBER = Period.parse("2026-10")
D = dt.date


def make_task(unit: Any, **fields: Any) -> Task:
    issuer = unit.parent
    values: dict[str, Any] = {
        "title": "任务",
        "kind": "key_task",
        "unit": unit,
        "unit_path": unit.path,
        "issuer": issuer,
        "issuer_path": issuer.path,
        "start_date": D(2026, 9, 1),
        "target_value": Decimal(100),
    }
    values.update(fields)
    task = Task.objects.create(**values)
    task.tree_path = tree_path_of(task.pk, None)
    task.save(update_fields=["tree_path"])
    return task


def completed(day: dt.datetime) -> dict[str, Any]:
    return {"state": "completed", "completed_at": day, "verified_percent": Decimal(100)}


def urge(task: Task, kind: str, moment: dt.datetime) -> None:
    Urge.objects.create(
        task=task, kind=kind, day=moment.date(), deadline=task.deadline, created_at=moment
    )


def accepted(task: Task, ratio: str, moment: dt.datetime) -> None:
    ProgressReport.objects.create(
        task=task,
        value=Decimal(ratio),
        ratio_percent=Decimal(ratio),
        state="accepted",
        submitted_at=moment,
        verified_at=moment,
    )


@pytest.fixture
def world(units: dict[str, Any], travel: Any) -> dict[str, Any]:
    v1, v2, town = units["village"], units["neighbour_village"], units["lizhou"]
    other = units["other_village"]
    make_task(v1, deadline=D(2026, 10, 9), **completed(at(2026, 10, 9, 15)))
    make_task(v1, deadline=D(2026, 10, 16), **completed(at(2026, 10, 20, 10)))
    c = make_task(v1, deadline=D(2026, 10, 30))
    make_task(v1, deadline=D(2026, 10, 20), state="cancelled")
    make_task(v1, deadline=D(2026, 11, 5), **completed(at(2026, 10, 25, 9)))
    make_task(
        v1,
        kind="livelihood",
        deadline=D(2026, 10, 12),
        feasibility="infeasible",
        feasibility_decided_at=at(2026, 10, 10, 9),
        public_explanation="资金明年安排",
        explained_at=at(2026, 10, 10, 9),
    )
    make_task(v1, kind="livelihood", deadline=D(2026, 12, 31), **completed(at(2026, 10, 28, 9)))
    a = Task.objects.filter(unit=v1, deadline=D(2026, 10, 9)).get()
    urge(c, "manual", at(2026, 10, 20, 9))
    urge(c, "escalation", at(2026, 10, 28, 9))
    urge(c, "before_deadline", at(2026, 10, 27, 9))
    urge(c, "after_deadline", at(2026, 10, 31, 9))
    urge(a, "manual", at(2026, 9, 30, 9))

    h = make_task(v2, deadline=D(2026, 10, 31), **completed(at(2026, 11, 2, 9)))
    urge(h, "manual", at(2026, 11, 3, 9))
    make_task(
        v2,
        kind="livelihood",
        deadline=D(2026, 12, 31),
        feasibility="infeasible",
        feasibility_decided_at=at(2026, 10, 15, 9),
    )
    make_task(
        v2,
        kind="livelihood",
        deadline=D(2026, 12, 31),
        feasibility="infeasible",
        feasibility_decided_at=at(2026, 9, 30, 9),
        public_explanation="已说明",
        explained_at=at(2026, 9, 30, 9),
    )
    make_task(town, deadline=D(2026, 10, 1), **completed(at(2026, 9, 30, 16)))

    p1 = make_task(other, deadline=D(2026, 12, 31))
    accepted(p1, "50", at(2026, 10, 20, 9))
    accepted(p1, "80", at(2026, 11, 5, 9))
    p2 = make_task(
        other,
        start_date=D(2026, 10, 12),
        deadline=D(2026, 10, 23),
        **completed(at(2026, 10, 22, 9)),
    )
    accepted(p2, "100", at(2026, 10, 22, 9))
    travel(at(2026, 12, 1, 12))
    return {
        "v1": v1,
        "v2": v2,
        "town": town,
        "anning": units["anning"],
        "other": other,
    }


def figures(name: str, world: dict[str, Any]) -> dict[str, tuple[Any, Any, Any]]:
    order = ["v1", "v2", "town", "anning", "other"]
    values = get(name)(OCTOBER, [world[k] for k in order])
    assert [v.unit_id for v in values] == [world[k].pk for k in order]
    return {k: (v.value, v.numerator, v.denominator) for k, v in zip(order, values, strict=True)}


def test_tasks_due_and_on_time(world: dict[str, Any]) -> None:
    assert figures("supervision.tasks_due", world) == {
        "v1": (3, 3, 3),
        "v2": (1, 1, 1),
        "town": (1, 1, 1),
        "anning": (0, 0, 0),
        "other": (1, 1, 1),
    }
    assert figures("supervision.completed_on_time_rate", world) == {
        "v1": (Decimal("33.33"), 1, 3),
        "v2": (Decimal("0.00"), 0, 1),
        "town": (Decimal("100.00"), 1, 1),
        "anning": (None, 0, 0),
        "other": (Decimal("100.00"), 1, 1),
    }


def test_overdue_count_and_days(world: dict[str, Any]) -> None:
    assert figures("supervision.overdue_count", world) == {
        "v1": (2, 2, 3),
        "v2": (1, 1, 1),
        "town": (0, 0, 1),
        "anning": (0, 0, 0),
        "other": (0, 0, 1),
    }
    assert figures("supervision.overdue_days", world) == {
        "v1": (24, 24, 2),
        "v2": (1, 1, 1),
        "town": (0, 0, 0),
        "anning": (0, 0, 0),
        "other": (0, 0, 0),
    }
    evidence = get("supervision.overdue_count").evidence(world["v1"].pk, OCTOBER)
    assert [(t.deadline.day, t.in_numerator) for t in evidence] == [
        (9, False),
        (16, True),
        (30, True),
    ]


def test_urges_livelihood_and_explanations(world: dict[str, Any]) -> None:
    urges = figures("supervision.urge_count", world)
    assert (urges["v1"], urges["v2"]) == ((2, 2, None), (0, 0, None))
    assert [u.kind for u in get("supervision.urge_count").evidence(world["v1"].pk, OCTOBER)] == [
        "manual",
        "escalation",
    ]
    done = figures("supervision.livelihood_completed", world)
    assert (done["v1"], done["v2"]) == ((1, 1, None), (0, 0, None))
    coverage = figures("supervision.explanation_coverage", world)
    assert coverage["v1"] == (Decimal("100.00"), 1, 1)
    assert coverage["v2"] == (Decimal("0.00"), 0, 1)
    assert coverage["town"] == (None, 0, 0)


def test_progress_against_plan(world: dict[str, Any]) -> None:
    result = figures("supervision.progress_vs_plan", world)
    assert result["other"] == (Decimal("101.61"), Decimal(150), Decimal("147.62"))
    assert result["town"] == (Decimal("0.00"), Decimal(0), Decimal(100))
    assert result["anning"] == (None, Decimal(0), Decimal(0))


def test_one_query_whatever_the_number_of_units(world: dict[str, Any]) -> None:
    from grassroots.common.metrics import registry

    names = [n for n in registry() if n.startswith("supervision.")]
    assert len(names) == 8
    for name in names:
        with CaptureQueriesContext(connection) as one:
            get(name)(OCTOBER, [world["v1"]])
        with CaptureQueriesContext(connection) as five:
            values = get(name)(OCTOBER, list(world.values()))
        assert len(five) == len(one) <= 2, name
        assert all(isinstance(v, MetricValue) for v in values)
        assert get(name).definition
