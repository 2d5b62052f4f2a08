"""Key moments derived from real work (关键时候检验): the supervised tasks a cadre carried
and the escalated events they resolved, through the two named interfaces
(``supervision.queries.tasks_reported_by``, ``events.queries.escalated_events_resolved_by``),
and ``sync_key_moments`` that writes them once per cadre and source."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date, hour: int = 4) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def make_task(
    tree: dict[str, Any],
    *,
    title: str = "秸秆禁烧",
    deadline: dt.date,
    state: str = "open",
    completed_on: dt.date | None = None,
    reporter: Any = None,
) -> Any:
    """A supervised task of 礼州村 issued by 礼州镇 (rows written directly: the interface
    only reads them), with a progress report by ``reporter`` when given."""
    from grassroots.supervision.models import ProgressReport, Task

    task = Task.objects.create(
        title=title,
        kind="key_task",
        unit=tree["village"],
        unit_path=tree["village"].path,
        issuer=tree["lizhou"],
        issuer_path=tree["lizhou"].path,
        start_date=deadline - dt.timedelta(days=60),
        deadline=deadline,
        state=state,
        completed_at=at(completed_on) if completed_on else None,
    )
    if reporter is not None:
        ProgressReport.objects.create(
            task=task,
            percent=50,
            submitted_by=reporter,
            submitted_at=at(deadline) - dt.timedelta(days=10),
        )
    return task


def make_event(
    tree: dict[str, Any],
    *,
    resolver: Any,
    escalation_level: int = 1,
    status: str = "closed",
    resolved_on: dt.date = dt.date(2026, 5, 20),
    title: str = "河道垃圾堆积",
) -> Any:
    """An event of 礼州村 with a resolving line by ``resolver``."""
    from grassroots.events.models import Category, Event, EventAction

    category = Category.objects.get_or_create(code="KM01", defaults={"name": "市容"})[0]
    n = next(_numbers)
    event = Event.objects.create(
        number=f"XC20260520{n:06d}",
        title=title,
        category=category,
        source="patrol",
        area_path=tree["village"].path,
        assignee=tree["lizhou"],
        assignee_path=tree["lizhou"].path,
        dispatcher=tree["lizhou"],
        reported_at=at(resolved_on) - dt.timedelta(days=5),
        status=status,
        escalation_level=escalation_level,
        resolved_at=at(resolved_on),
    )
    EventAction.objects.create(
        event=event, kind="resolve", actor=resolver, created_at=at(resolved_on)
    )
    return event


@pytest.fixture
def carrier(make_cadre: Any, village_cadre: Any, tree: dict[str, Any]) -> Any:
    """张村长's file, linked to their login."""
    return make_cadre(name="张村长", unit=tree["village"], level="village", user=village_cadre)


def moments(cadre: Any) -> dict[str, Any]:
    from grassroots.cadres.models import KeyMoment

    return {m.source: m for m in KeyMoment.objects.filter(cadre=cadre)}


def sync_audits() -> list[Any]:
    from grassroots.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(action="cadres.key_moment.synced").order_by("id"))


# --- the two named interfaces -----------------------------------------------------------


def test_tasks_reported_by_lists_each_task_once_per_reporter(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any
) -> None:
    from grassroots.supervision.models import ProgressReport
    from grassroots.supervision.queries import tasks_reported_by

    mine = make_task(tree, title="道路硬化", deadline=dt.date(2026, 5, 1), reporter=village_cadre)
    ProgressReport.objects.create(
        task=mine, percent=80, submitted_by=village_cadre, submitted_at=at(dt.date(2026, 4, 28))
    )
    make_task(tree, title="别人的", deadline=dt.date(2026, 5, 1), reporter=neighbour_cadre)
    make_task(tree, title="没人报", deadline=dt.date(2026, 5, 1))

    rows = tasks_reported_by([village_cadre.pk])

    assert rows == [
        {
            "user_id": village_cadre.pk,
            "task_id": mine.pk,
            "title": "道路硬化",
            "deadline": dt.date(2026, 5, 1),
            "completed_at": None,
            "state": "open",
        }
    ]
    assert tasks_reported_by([]) == []


def test_tasks_reported_by_is_one_query(
    tree: dict[str, Any], village_cadre: Any, django_assert_num_queries: Any
) -> None:
    from grassroots.supervision.queries import tasks_reported_by

    for i in range(3):
        make_task(tree, title=f"任务{i}", deadline=dt.date(2026, 5, 1), reporter=village_cadre)
    with django_assert_num_queries(1):
        assert len(tasks_reported_by([village_cadre.pk])) == 3


def test_escalated_events_resolved_by_counts_solved_escalated_events_of_the_last_resolver(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any, django_assert_num_queries: Any
) -> None:
    from grassroots.events.models import EventAction
    from grassroots.events.queries import escalated_events_resolved_by

    solved = make_event(tree, resolver=village_cadre, escalation_level=2)
    make_event(tree, resolver=village_cadre, escalation_level=0, title="未升级")
    make_event(tree, resolver=village_cadre, status="reworked", title="返工中")
    taken_over = make_event(tree, resolver=village_cadre, title="后来别人办结")
    EventAction.objects.create(
        event=taken_over, kind="resolve", actor=neighbour_cadre, created_at=at(dt.date(2026, 5, 25))
    )

    with django_assert_num_queries(1):
        rows = escalated_events_resolved_by([village_cadre.pk, neighbour_cadre.pk])

    by_event = {r["event_id"]: r for r in rows}
    assert set(by_event) == {solved.pk, taken_over.pk}
    assert by_event[solved.pk] == {
        "user_id": village_cadre.pk,
        "event_id": solved.pk,
        "number": solved.number,
        "title": "河道垃圾堆积",
        "escalation_level": 2,
        "resolved_at": at(dt.date(2026, 5, 20)),
    }
    assert by_event[taken_over.pk]["user_id"] == neighbour_cadre.pk
    assert escalated_events_resolved_by([village_cadre.pk]) == [by_event[solved.pk]]
    assert escalated_events_resolved_by([]) == []


# --- sync_key_moments --------------------------------------------------------------------


def test_sync_derives_credits_and_debits_from_tasks_and_events(
    tree: dict[str, Any], carrier: Any, village_cadre: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments

    on_time = make_task(
        tree,
        title="按期完成",
        deadline=dt.date(2026, 5, 1),
        state="completed",
        completed_on=dt.date(2026, 4, 30),
        reporter=village_cadre,
    )
    late = make_task(
        tree,
        title="逾期完成",
        deadline=dt.date(2026, 5, 1),
        state="closed",
        completed_on=dt.date(2026, 5, 8),
        reporter=village_cadre,
    )
    overdue = make_task(
        tree, title="逾期未完成", deadline=dt.date(2026, 6, 1), reporter=village_cadre
    )
    make_task(tree, title="未到期", deadline=dt.date(2026, 7, 1), reporter=village_cadre)
    make_task(
        tree,
        title="已撤销",
        deadline=dt.date(2026, 5, 1),
        state="cancelled",
        reporter=village_cadre,
    )
    event = make_event(tree, resolver=village_cadre)

    result = sync_key_moments([carrier.pk])

    found = moments(carrier)
    assert set(found) == {
        f"supervision.task:{on_time.pk}",
        f"supervision.task:{late.pk}",
        f"supervision.task:{overdue.pk}",
        f"events.event:{event.pk}",
    }
    assert (
        found[f"supervision.task:{on_time.pk}"].kind,
        found[f"supervision.task:{on_time.pk}"].outcome,
    ) == ("task", "credit")
    assert found[f"supervision.task:{on_time.pk}"].occurred_on == dt.date(2026, 4, 30)
    assert found[f"supervision.task:{late.pk}"].outcome == "debit"
    assert found[f"supervision.task:{overdue.pk}"].outcome == "debit"
    assert found[f"supervision.task:{overdue.pk}"].occurred_on == dt.date(2026, 6, 1)
    ev = found[f"events.event:{event.pk}"]
    assert (ev.kind, ev.outcome, ev.occurred_on) == ("event", "credit", dt.date(2026, 5, 20))
    assert event.number in ev.title
    assert result.as_dict() == {
        "cadres": 1,
        "created": 4,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
    }
    [entry] = sync_audits()
    assert entry.after == result.as_dict()
    assert entry.unit_path == tree["village"].path


def test_a_second_run_changes_nothing_and_writes_one_more_audit_entry(
    tree: dict[str, Any], carrier: Any, village_cadre: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments

    make_task(tree, deadline=dt.date(2026, 6, 1), reporter=village_cadre)
    make_event(tree, resolver=village_cadre)
    sync_key_moments([carrier.pk])
    before = {s: (m.pk, m.outcome, m.recorded_at, m.detail) for s, m in moments(carrier).items()}

    again = sync_key_moments([carrier.pk])

    assert again.as_dict() == {
        "cadres": 1,
        "created": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 2,
    }
    assert {
        s: (m.pk, m.outcome, m.recorded_at, m.detail) for s, m in moments(carrier).items()
    } == before
    assert len(sync_audits()) == 2


def test_a_changed_outcome_is_updated_and_a_cancelled_task_removed(
    tree: dict[str, Any], carrier: Any, village_cadre: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.supervision.models import Task

    moved = make_task(tree, title="延期获批", deadline=dt.date(2026, 6, 1), reporter=village_cadre)
    dropped = make_task(
        tree, title="后来撤销", deadline=dt.date(2026, 6, 2), reporter=village_cadre
    )
    sync_key_moments([carrier.pk])
    first = moments(carrier)[f"supervision.task:{moved.pk}"]
    assert first.outcome == "debit"

    # the deadline was extended and the task completed within it; the other one withdrawn
    Task.objects.filter(pk=moved.pk).update(
        deadline=dt.date(2026, 6, 30), state="completed", completed_at=at(dt.date(2026, 6, 10))
    )
    Task.objects.filter(pk=dropped.pk).update(state="cancelled")
    result = sync_key_moments([carrier.pk])

    found = moments(carrier)
    assert set(found) == {f"supervision.task:{moved.pk}"}
    now = found[f"supervision.task:{moved.pk}"]
    assert now.pk == first.pk
    assert (now.outcome, now.occurred_on) == ("credit", dt.date(2026, 6, 10))
    assert (result.updated, result.removed, result.created) == (1, 1, 0)


def test_hand_entered_moments_are_left_alone(
    tree: dict[str, Any], carrier: Any, village_cadre: Any, org_dept: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.cadres.models import KeyMoment

    KeyMoment.objects.create(
        cadre=carrier,
        kind="commendation",
        outcome="credit",
        occurred_on=dt.date(2026, 3, 1),
        title="防汛表彰",
        recorded_by=org_dept,
    )
    sync_key_moments([carrier.pk])
    assert KeyMoment.objects.filter(cadre=carrier, title="防汛表彰").exists()


def test_a_cadre_without_a_login_gets_nothing(
    tree: dict[str, Any], make_cadre: Any, village_cadre: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.cadres.models import KeyMoment

    nobody = make_cadre(name="无账号")
    make_task(tree, deadline=dt.date(2026, 6, 1), reporter=village_cadre)
    result = sync_key_moments([nobody.pk])
    assert result.cadres == 1 and result.created == 0
    assert not KeyMoment.objects.exists()


def test_from_the_page_the_actor_needs_the_organisation_departments_scope(
    tree: dict[str, Any], carrier: Any, village_cadre: Any, xc_secretary: Any, org_dept: Any
) -> None:
    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.cadres.models import KeyMoment

    make_task(tree, deadline=dt.date(2026, 6, 1), reporter=village_cadre)
    with pytest.raises(PermissionDenied):
        sync_key_moments([carrier.pk], actor=xc_secretary)
    assert not KeyMoment.objects.exists()
    assert sync_audits() == []

    result = sync_key_moments([carrier.pk], actor=org_dept)
    assert result.created == 1
    [entry] = sync_audits()
    assert entry.actor_id == org_dept.pk
    assert KeyMoment.objects.get().recorded_by_id == org_dept.pk


def test_the_nightly_job_covers_every_cadre_in_office_with_a_login(
    tree: dict[str, Any], carrier: Any, village_cadre: Any, make_cadre: Any, neighbour_cadre: Any
) -> None:
    from grassroots.cadres.jobs import sync_all_key_moments
    from grassroots.cadres.models import KeyMoment

    retired = make_cadre(name="退休者", user=neighbour_cadre, status="retired")
    make_task(tree, deadline=dt.date(2026, 6, 1), reporter=village_cadre)
    make_task(tree, deadline=dt.date(2026, 6, 1), reporter=neighbour_cadre)

    # hourly, but only at 02:30 in 西昌 (18:30 UTC the day before)
    assert "skipped" in sync_all_key_moments.call_local()  # 18:00 local
    assert not KeyMoment.objects.exists()
    with time_machine.travel(dt.datetime(2026, 6, 14, 18, 30, tzinfo=dt.UTC), tick=False):
        summary = sync_all_key_moments.call_local()

    assert summary["cadres"] == 1 and summary["created"] == 1
    assert KeyMoment.objects.filter(cadre=carrier).count() == 1
    assert not KeyMoment.objects.filter(cadre=retired).exists()
    assert len(sync_audits()) == 1
