"""Urging by hand, and the daily reminders: before the deadline once, after it daily,
escalation once — in working days, safe to run twice."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from grassroots.supervision import actions
from grassroots.supervision.errors import IllegalTransition
from grassroots.supervision.models import Urge
from tests.supervision.conftest import at, audits, fresh, inbox, lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_calendar")]


@pytest.fixture(autouse=True)
def _margins(settings: Any) -> None:
    settings.SUPERVISION_REMIND_DAYS = 3
    settings.SUPERVISION_ESCALATE_DAYS = 5


def test_the_unit_above_urges(
    village_task: Any,
    xc_secretary: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with pytest.raises(PermissionDenied):
        actions.urge_task(village_task, actor=village_cadre)
    with pytest.raises(PermissionDenied):
        actions.urge_task(village_task, actor=neighbour_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        urge = actions.urge_task(village_task, actor=xc_secretary, note="请加快进度")
    assert (urge.kind, urge.by, urge.unit) == ("manual", xc_secretary, village_task.issuer)
    [message] = inbox(village_cadre)
    assert message.sms != "none"  # urging is also texted
    assert "请加快进度" in message.body
    assert len(audits("supervision.task.urged", village_task)) == 1
    # several manual urges a day are fine
    actions.urge_task(village_task, actor=xc_secretary)
    assert Urge.objects.filter(kind="manual").count() == 2


def test_no_urging_a_finished_task(
    village_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    report = actions.report_progress(village_task, actor=village_cadre, value=60)
    actions.verify_progress(report, actor=xc_secretary, accepted=True)
    with pytest.raises(IllegalTransition):
        actions.urge_task(village_task, actor=xc_secretary)


@pytest.fixture
def due_oct_9(village_task: Any, xc_secretary: Any) -> Any:
    """礼州村's share due on Friday 2026-10-09, just after the National Day holiday."""
    return actions.update_task(
        village_task, actor=xc_secretary, changes={"deadline": dt.date(2026, 10, 9)}
    )


def run(day: dt.date) -> actions.ReminderReport:
    return actions.send_reminders(day)


def test_reminder_before_the_deadline_counts_working_days_and_goes_out_once(
    due_oct_9: Any, travel: Callable[[dt.datetime], None], village_cadre: Any
) -> None:
    # Sep 29: working days after it up to Oct 9 are 9-30, 10-8, 10-9 = 3 → remind
    # (Sep 28: 9-29, 9-30, 10-8, 10-9 = 4 → not yet)
    travel(at(2026, 9, 28, 9))
    assert run(dt.date(2026, 9, 28)).reminded == 0
    travel(at(2026, 9, 29, 9))
    report = run(dt.date(2026, 9, 29))
    assert (report.reminded, report.lapsed, report.escalated) == (1, 0, 0)
    assert run(dt.date(2026, 9, 29)).reminded == 0  # the same day again
    travel(at(2026, 9, 30, 9))
    assert run(dt.date(2026, 9, 30)).reminded == 0  # once per deadline
    assert [u.kind for u in Urge.objects.all()] == ["before_deadline"]
    assert [x.kind for x in lines(due_oct_9, "remind")] == ["remind"]
    assert len(inbox(village_cadre)) == 1


def test_nothing_is_sent_on_a_holiday(
    due_oct_9: Any, travel: Callable[[dt.datetime], None]
) -> None:
    travel(at(2026, 10, 5, 9))
    report = run(dt.date(2026, 10, 5))
    assert not report.workday and report.reminded == 0
    assert Urge.objects.count() == 0


def test_after_the_deadline_daily_and_escalation_once(
    due_oct_9: Any,
    travel: Callable[[dt.datetime], None],
    village_cadre: Any,
    xc_secretary: Any,
) -> None:
    # Oct 10 is a make-up Saturday: one working day late
    travel(at(2026, 10, 10, 9))
    report = run(dt.date(2026, 10, 10))
    assert (report.lapsed, report.escalated) == (1, 0)
    # a Sunday: nothing; Monday Oct 12: the second daily reminder
    assert not run(dt.date(2026, 10, 11)).workday
    travel(at(2026, 10, 12, 9))
    assert run(dt.date(2026, 10, 12)).lapsed == 1
    assert run(dt.date(2026, 10, 12)).lapsed == 0
    # late by 10-10, 10-12, 10-13, 10-14, 10-15 = 5 working days on Oct 15: not more than 5
    travel(at(2026, 10, 15, 9))
    assert run(dt.date(2026, 10, 15)).escalated == 0
    travel(at(2026, 10, 16, 9))
    report = run(dt.date(2026, 10, 16))
    assert (report.lapsed, report.escalated) == (1, 1)
    task = fresh(due_oct_9)
    assert (task.level, task.escalation_level) == ("key", 1)
    [entry] = audits("supervision.task.escalated", task)
    assert (entry.before["level"], entry.after["level"]) == ("normal", "key")
    travel(at(2026, 10, 19, 9))
    report = run(dt.date(2026, 10, 19))
    assert (report.lapsed, report.escalated) == (1, 0)  # escalation once per deadline
    assert fresh(due_oct_9).level == "key"
    kinds = sorted(Urge.objects.values_list("kind", flat=True))
    assert kinds.count("after_deadline") == 5 and kinds.count("escalation") == 1
    # the issuer hears of the escalation, the unit of every reminder
    assert any("重点" in m.subject or "Key" in m.subject for m in inbox(xc_secretary))
    assert len(inbox(village_cadre)) == 6


def test_extension_gives_a_new_reminder_and_done_tasks_get_none(
    due_oct_9: Any,
    travel: Callable[[dt.datetime], None],
    village_cadre: Any,
    neighbour_cadre: Any,
    xc_secretary: Any,
    village_tasks: dict[str, Any],
) -> None:
    # the neighbour's share, moved to the same deadline, is finished: never reminded
    other = actions.update_task(
        village_tasks["neighbour"], actor=xc_secretary, changes={"deadline": dt.date(2026, 10, 9)}
    )
    report = actions.report_progress(other, actor=neighbour_cadre, value=40)
    actions.verify_progress(report, actor=xc_secretary, accepted=True)
    travel(at(2026, 9, 29, 9))
    assert run(dt.date(2026, 9, 29)).reminded == 1
    request = actions.request_extension(
        due_oct_9, actor=village_cadre, requested_deadline=dt.date(2026, 10, 14), reason="x"
    )
    actions.approve_extension(request, actor=xc_secretary)
    # Oct 9 → Oct 14: 10-10, 10-12, 10-13, 10-14 = 4 working days; Oct 12: 2 left
    travel(at(2026, 10, 9, 9))
    assert run(dt.date(2026, 10, 9)).reminded == 0
    travel(at(2026, 10, 12, 9))
    assert run(dt.date(2026, 10, 12)).reminded == 1
    assert list(Urge.objects.values_list("task", "kind", "deadline")) == [
        (due_oct_9.pk, "before_deadline", dt.date(2026, 10, 9)),
        (due_oct_9.pk, "before_deadline", dt.date(2026, 10, 14)),
    ]


def test_the_command_runs_once_a_day(due_oct_9: Any, travel: Callable[[dt.datetime], None]) -> None:
    travel(at(2026, 10, 12, 9))
    out = StringIO()
    call_command("remind", "--json", stdout=out)
    assert json.loads(out.getvalue())["lapsed"] == 1
    out = StringIO()
    call_command("remind", "--date", "2026-10-12", stdout=out)
    assert "0 reminded after it" in out.getvalue()


def test_the_worker_job_waits_for_the_reminder_hour(
    due_oct_9: Any, travel: Callable[[dt.datetime], None]
) -> None:
    from grassroots.supervision.jobs import send_daily_reminders

    travel(at(2026, 10, 12, 7, 7))
    assert send_daily_reminders.call_local()["skipped"]
    assert Urge.objects.count() == 0
    travel(at(2026, 10, 12, 8, 7))
    assert send_daily_reminders.call_local()["lapsed"] == 1
    travel(at(2026, 10, 12, 9, 7))
    assert send_daily_reminders.call_local()["lapsed"] == 0


def test_a_task_completed_after_the_job_picked_it_is_not_escalated(
    due_oct_9: Any, travel: Callable[[dt.datetime], None]
) -> None:
    """The job picks the late tasks, then locks each: one that changed in between (here
    completed) is checked again under the lock and left alone."""
    from django.db import transaction

    from grassroots.supervision.actions.urging import escalate_task
    from grassroots.supervision.models import Task, TaskState

    travel(at(2026, 10, 16, 9))
    Task.objects.filter(pk=due_oct_9.pk).update(state=TaskState.COMPLETED)
    with transaction.atomic():
        done = escalate_task(
            due_oct_9.pk, today=dt.date(2026, 10, 16), late_before=dt.date(2026, 10, 10)
        )
    assert done is None
    assert fresh(due_oct_9).escalation_level == 0
    assert not Urge.objects.filter(kind="escalation").exists()
    assert not audits("supervision.task.escalated")
