"""Urging (催办): by a person of the issuing unit, and by the daily reminder job.

``send_reminders(today)`` (the worker, hourly from ``conf.remind_hour()``, and
``grassroots remind``) acts on working days only — on a weekend or a holiday it does
nothing, and the next working day's run catches up, since every rule below is a range,
not an exact day. For each open task (umbrella tasks and livelihood projects found not
feasible excepted), with ``N`` = ``GRASSROOTS_SUPERVISION_REMIND_DAYS`` (3) and ``E`` =
``GRASSROOTS_SUPERVISION_ESCALATE_DAYS`` (5):

* **before the deadline** (临期提醒), once per deadline: when at most ``N`` working days
  are left (``workdays_between(today, deadline) <= N``, the deadline day included);
  none when ``N`` is 0. A deadline moved by an extension gets its own reminder.
* **after the deadline** (逾期提醒), once a day: every working day after the deadline.
* **escalation** (升级督办), once per deadline: when the task is late by more than ``E``
  working days (``workdays_between(deadline, today) > E``), its supervision level goes up
  one step (一般 → 重点 → 挂牌督办; at the top it stays) and ``escalation_level`` grows by
  one; the unit's reporters and the issuer's verifiers are told.

Each is an ``Urge`` row (kinds ``before_deadline``, ``after_deadline``, ``escalation``)
and a timeline line. Running twice is safe: a run holds the ``ReminderRun`` row lock
(``select_for_update``), so runs never overlap, skips what the database already holds,
and the unique constraints on ``Urge`` (task, kind, day) and (task, kind, deadline) are
the last guard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.common.workdays import current_calendar
from grassroots.supervision import conf
from grassroots.supervision.actions import _notify
from grassroots.supervision.actions._base import (
    TaskRef,
    audit,
    authorize,
    clean_text,
    iso,
    line,
    lock_task,
    require_not_rollup,
    require_open,
    save_task,
    snapshot,
)
from grassroots.supervision.models import (
    ActionKind,
    Feasibility,
    ReminderRun,
    Task,
    TaskAction,
    TaskLevel,
    Urge,
    UrgeKind,
)
from grassroots.supervision.permissions import URGE
from grassroots.supervision.states import TaskState, next_level

if TYPE_CHECKING:
    from grassroots.org.models import User

RUN_NAME = "default"


@transaction.atomic
def urge_task(task: TaskRef, *, actor: User, note: str = "") -> Urge:
    """Urge (催办) the responsible unit of an open task, by its issuer (the unit above):
    an ``Urge`` of kind *manual*, a timeline line, an audit entry and a message (also
    texted) to the unit's reporters."""
    task = lock_task(task)
    actor_unit_id = authorize(actor, URGE, task.issuer)
    require_open(task)
    require_not_rollup(task)
    note = clean_text(note, field="note")
    now = timezone.now()
    urge = Urge.objects.create(
        task=task,
        kind=UrgeKind.MANUAL,
        by=actor if actor.pk else None,
        unit_id=actor_unit_id,
        note=note,
        day=timezone.localdate(now),
        deadline=task.deadline,
        created_at=now,
    )
    save_task(task)
    line(
        task,
        ActionKind.URGE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data={"urge": urge.pk},
        at=now,
    )
    audit("urged", task, actor=actor, after={"urge": urge.pk, "deadline": task.deadline}, note=note)
    _notify.notify_on_commit(
        [
            _notify.to_unit(
                task.pk,
                ActionKind.URGE,
                task.unit_id,
                title=task.title,
                deadline=task.deadline,
                note=note,
            )
        ],
        actor_id=actor.pk,
    )
    return urge


@dataclass
class ReminderReport:
    """What one run of ``send_reminders`` did."""

    day: dt.date
    workday: bool = True
    reminded: int = 0
    lapsed: int = 0
    escalated: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data


_FIELDS = ("pk", "title", "unit_id", "issuer_id", "deadline", "level")


def _candidates() -> QuerySet[Task]:
    return (
        Task.objects.filter(state=TaskState.OPEN)
        .exclude(unit_id=F("issuer_id"))
        .exclude(feasibility=Feasibility.INFEASIBLE)
    )


def _without(qs: QuerySet[Task], kind: str, **match: Any) -> QuerySet[Task]:
    done = Urge.objects.filter(task_id=OuterRef("pk"), kind=kind, **match)
    return qs.exclude(Exists(done))


def send_reminders(today: dt.date | None = None) -> ReminderReport:
    """Send the reminders and escalations due on ``today`` (default: the local date), in
    one transaction (see the module for the rules)."""
    today = today or timezone.localdate()
    report = ReminderReport(day=today)
    calendar = current_calendar()
    if not calendar.is_workday(today):
        report.workday = False
        return report
    remind_days, escalate_days = conf.remind_days(), conf.escalate_days()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        ReminderRun.objects.get_or_create(name=RUN_NAME)
        run = ReminderRun.objects.select_for_update().get(name=RUN_NAME)
        now = timezone.now()
        notices: list[_notify.Notice] = []
        if remind_days > 0:
            before = calendar.add_workdays(today, remind_days + 1)
            rows = list(
                _without(
                    _candidates().filter(deadline__gte=today, deadline__lt=before),
                    UrgeKind.BEFORE_DEADLINE,
                    deadline=OuterRef("deadline"),
                )
                .order_by("pk")
                .values(*_FIELDS)
            )
            report.reminded = _write(
                rows, UrgeKind.BEFORE_DEADLINE, ActionKind.REMIND, today, now, notices
            )
        rows = list(
            _without(_candidates().filter(deadline__lt=today), UrgeKind.AFTER_DEADLINE, day=today)
            .order_by("pk")
            .values(*_FIELDS)
        )
        report.lapsed = _write(rows, UrgeKind.AFTER_DEADLINE, ActionKind.LAPSE, today, now, notices)
        threshold = calendar.workday_with_index(calendar.index(today) - escalate_days, today)
        late = list(
            _without(
                _candidates().filter(deadline__lt=threshold),
                UrgeKind.ESCALATION,
                deadline=OuterRef("deadline"),
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for task_id in late:
            task = escalate_task(task_id, today=today, now=now, late_before=threshold)
            if task is None:  # changed since it was picked
                continue
            report.escalated += 1
            notices.append(
                _notify.to_unit(
                    task.pk,
                    ActionKind.ESCALATE,
                    task.unit_id,
                    title=task.title,
                    deadline=task.deadline,
                    level=task.level,
                )
            )
            notices.append(
                _notify.to_issuer(
                    task.pk,
                    ActionKind.ESCALATE,
                    task.issuer_id,
                    title=task.title,
                    deadline=task.deadline,
                    level=task.level,
                )
            )
        report.messages = _notify.deliver_notices(notices)
        run.last_day = today
        run.save(update_fields=["last_day", "updated_at"])
    return report


def _write(
    rows: list[dict[str, Any]],
    kind: str,
    line_kind: str,
    today: dt.date,
    now: dt.datetime,
    notices: list[_notify.Notice],
) -> int:
    """One ``Urge`` and one timeline line per task, in two INSERTs."""
    if not rows:
        return 0
    Urge.objects.bulk_create(
        [
            Urge(task_id=r["pk"], kind=kind, day=today, deadline=r["deadline"], created_at=now)
            for r in rows
        ]
    )
    TaskAction.objects.bulk_create(
        [
            TaskAction(
                task_id=r["pk"],
                kind=line_kind,
                note=_("Deadline %(date)s") % {"date": r["deadline"].isoformat()},
                data={"deadline": iso(r["deadline"]), "automatic": True},
                created_at=now,
            )
            for r in rows
        ]
    )
    notices.extend(
        _notify.to_unit(r["pk"], line_kind, r["unit_id"], title=r["title"], deadline=r["deadline"])
        for r in rows
    )
    return len(rows)


def escalate_task(
    task_id: int,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    late_before: dt.date | None = None,
) -> Task | None:
    """Raise the supervision level of a late task one step (the daily job's action, no
    actor): locks the task, writes the ``Urge`` of kind *escalation* for its deadline, a
    timeline line and the audit entry ``supervision.task.escalated``. Call inside a
    transaction.

    With ``late_before`` (the job's threshold), the task is checked again once locked: if
    it was completed, closed, cancelled or given a deadline on or after ``late_before``
    meanwhile, or its current deadline was already escalated, nothing is done (``None``).
    """
    now = now or timezone.now()
    task = lock_task(task_id)
    if late_before is not None and (
        task.state != TaskState.OPEN
        or task.deadline >= late_before
        or Urge.objects.filter(task=task, kind=UrgeKind.ESCALATION, deadline=task.deadline).exists()
    ):
        return None
    before = snapshot(task)
    late = current_calendar().workdays_between(task.deadline, today)
    higher = next_level(task.level)
    if higher is not None:
        task.level = higher
    task.escalation_level += 1
    save_task(task, "level", "escalation_level")
    Urge.objects.create(
        task=task, kind=UrgeKind.ESCALATION, day=today, deadline=task.deadline, created_at=now
    )
    note = _("%(days)d working days past the deadline %(date)s: supervision level %(level)s.") % {
        "days": late,
        "date": task.deadline.isoformat(),
        "level": TaskLevel(task.level).label,
    }
    line(
        task,
        ActionKind.ESCALATE,
        actor=None,
        note=note,
        data={"from": before["level"], "to": task.level, "late_workdays": late, "automatic": True},
        at=now,
    )
    audit("escalated", task, actor=None, before=before, after=snapshot(task), note=note)
    return task
