"""Progress: reported by the responsible unit itself, verified by the unit above (its
issuer). Only verified progress counts.

* ``report_progress``: the cumulative value reached (a task with a target; beyond the
  target is an error) or a percentage (a task without one; above 100 is an error), a
  note, evidence files. The report waits for verification.
* ``verify_progress``: accepted → the task's ``verified_value`` becomes the highest value
  accepted so far (``verified_percent`` its share of the target, or the highest percent
  accepted), and the task is *completed* when that reaches the target (100 %); returned
  → with a reason, it never counts. A report verified already is a conflict
  (``SupervisionConflict``): of two people verifying one report at once, one wins.
* An umbrella task (its own unit's, ``Task.is_rollup``) takes no reports: when a sub-task's
  verified progress changes, the umbrella's becomes its sub-tasks' added up
  (``progress.rollup``), in the same transaction, under the umbrella's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.supervision import evidence as evidence_files
from grassroots.supervision.actions import _notify
from grassroots.supervision.actions._base import (
    TaskRef,
    audit,
    authorize,
    authorize_own_unit,
    clean_bool,
    clean_number,
    clean_text,
    line,
    lock_rollup_parent,
    lock_task,
    locked,
    move,
    num,
    pk_of,
    require_not_rollup,
    require_open,
    save_task,
    snapshot,
)
from grassroots.supervision.errors import (
    IllegalTransition,
    SupervisionConflict,
    SupervisionError,
    SupervisionNotFound,
)
from grassroots.supervision.models import ActionKind, ProgressReport, Task
from grassroots.supervision.permissions import REPORT, VERIFY
from grassroots.supervision.progress import HUNDRED, ratio_percent, rollup
from grassroots.supervision.states import ReportState, TaskState

if TYPE_CHECKING:
    from grassroots.org.models import User

ReportRef = int | ProgressReport


@transaction.atomic
def report_progress(
    task: TaskRef,
    *,
    actor: User,
    value: Decimal | int | str | None = None,
    percent: Decimal | int | str | None = None,
    note: str = "",
    evidence: Sequence[Any] = (),
) -> ProgressReport:
    """Report progress on an open task (报送进度), by the responsible unit itself.

    A task with a target takes ``value``: the cumulative amount reached so far, from 0 to
    the target (field ``value``). A task without one takes ``percent``, from 0 to 100
    (field ``percent``). ``evidence``: uploads checked by ``evidence.prepare_evidence``
    (field ``evidence``). The issuer's verifiers are told.
    """
    task = lock_task(task)
    actor_unit_id = authorize_own_unit(actor, REPORT, task.unit)
    require_open(task)
    require_not_rollup(task)
    note = clean_text(note, field="note")
    reached: Decimal | None = None
    share: Decimal | None = None
    if task.target_value is not None:
        if percent not in (None, ""):
            raise SupervisionError(
                _("This task has a target: report the amount reached, not a percentage."),
                field="percent",
                code="use_value",
            )
        if value is None or value == "":
            raise SupervisionError(
                _("Give the amount reached so far."), field="value", code="required"
            )
        reached = clean_number(value, field="value")
        if reached > task.target_value:
            raise SupervisionError(
                _("%(value)s is beyond the target %(target)s %(measure)s.")
                % {
                    "value": num(reached),
                    "target": num(task.target_value),
                    "measure": task.target_measure,
                },
                field="value",
                code="beyond_target",
            )
        ratio = ratio_percent(reached, task.target_value)
    else:
        if value not in (None, ""):
            raise SupervisionError(
                _("This task has no target: report a percentage."),
                field="value",
                code="use_percent",
            )
        if percent is None or percent == "":
            raise SupervisionError(
                _("Give the progress in percent."), field="percent", code="required"
            )
        share = clean_number(percent, field="percent", places=2, integer_digits=3)
        if share > HUNDRED:
            raise SupervisionError(
                _("Progress cannot be more than 100 %."), field="percent", code="above_100"
            )
        ratio = share
    files = evidence_files.prepare_all(evidence)
    now = timezone.now()
    report = ProgressReport.objects.create(
        task=task,
        value=reached,
        percent=share,
        ratio_percent=ratio,
        note=note,
        submitted_by=actor if actor.pk else None,
        submitted_at=now,
    )
    stored = evidence_files.store_evidence(task, files, report=report, uploaded_by=actor)
    save_task(task)
    data = {
        "report": report.pk,
        "value": num(reached),
        "percent": num(share),
        "evidence": [e.pk for e in stored],
    }
    line(
        task,
        ActionKind.REPORT,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data=data,
        at=now,
    )
    audit(
        "progress_reported",
        task,
        actor=actor,
        after={**data, "evidence": [e.sha256 for e in stored]},
        note=note,
    )
    _notify.notify_on_commit(
        [
            _notify.to_issuer(
                task.pk,
                ActionKind.REPORT,
                task.issuer_id,
                title=task.title,
                deadline=task.deadline,
                note=note,
            )
        ],
        actor_id=actor.pk,
    )
    return report


@transaction.atomic
def verify_progress(
    report: ReportRef,
    *,
    actor: User,
    accepted: bool,
    reason: str = "",
) -> ProgressReport:
    """Verify a progress report (核实), by the task's issuer — never by the unit that
    reported, never by the person who reported.

    ``accepted=True``: the report counts (see the module); ``False``: it is returned with a
    ``reason`` (required). A report verified already is a ``SupervisionConflict`` (409);
    a report of a closed or cancelled task is an ``IllegalTransition``.
    """
    report_pk = pk_of(report, ProgressReport)
    task_id = ProgressReport.objects.filter(pk=report_pk).values_list("task_id", flat=True).first()
    if task_id is None:
        raise SupervisionNotFound(report)
    rollup_parent = lock_rollup_parent(task_id)
    task = lock_task(task_id)
    row: ProgressReport = locked(ProgressReport.objects.all(), report_pk)
    actor_unit_id = authorize(actor, VERIFY, task.issuer)
    if row.submitted_by_id is not None and row.submitted_by_id == actor.pk:
        raise PermissionDenied(_("You cannot verify your own report."))
    accepted = clean_bool(accepted, field="accepted")
    reason = clean_text(reason, field="reason", required=not accepted)
    if row.state != ReportState.SUBMITTED:
        raise SupervisionConflict(
            _("This report was verified already (%(state)s); reload the task.")
            % {"state": ReportState(row.state).label}
        )
    if task.state in (TaskState.CLOSED, TaskState.CANCELLED):
        raise IllegalTransition(
            _("The task is “%(state)s”: its reports can no longer be verified.")
            % {"state": TaskState(task.state).label},
            current=task.state,
        )
    now = timezone.now()
    before = snapshot(task)
    row.state = ReportState.ACCEPTED if accepted else ReportState.RETURNED
    row.verified_by, row.verified_at = actor, now
    row.return_reason = "" if accepted else reason
    row.save(update_fields=["state", "verified_by", "verified_at", "return_reason", "updated_at"])
    data = {"report": row.pk, "value": num(row.value), "percent": num(row.percent)}
    if accepted:
        value = row.value
        if task.target_value is not None and value is not None:
            best = max(task.verified_value or Decimal(0), value)
            advance(task, best, ratio_percent(best, task.target_value))
        else:
            advance(
                task, task.verified_value, max(task.verified_percent, row.percent or Decimal(0))
            )
        save_task(task, "verified_value", "verified_percent")
        kind, verb = ActionKind.ACCEPT_REPORT, "progress_accepted"
    else:
        save_task(task)
        kind, verb = ActionKind.RETURN_REPORT, "progress_returned"
    line(task, kind, actor=actor, actor_unit_id=actor_unit_id, note=reason, data=data, at=now)
    if accepted and task.verified_percent >= HUNDRED and task.state == TaskState.OPEN:
        complete(task, now=now, actor=actor, actor_unit_id=actor_unit_id)
    audit(verb, task, actor=actor, before=before, after={**snapshot(task), **data}, note=reason)
    if accepted and rollup_parent is not None:
        refresh_rollup(rollup_parent, now=now, actor=actor)
    _notify.notify_on_commit(
        [
            _notify.to_unit(
                task.pk, kind, task.unit_id, title=task.title, deadline=task.deadline, note=reason
            )
        ],
        actor_id=actor.pk,
    )
    return row


def advance(task: Task, value: Decimal | None, percent: Decimal) -> None:
    """Set the verified progress (never lower than it was)."""
    if value is not None:
        task.verified_value = max(task.verified_value or Decimal(0), value)
    task.verified_percent = max(Decimal(task.verified_percent), Decimal(percent))


def complete(
    task: Task, *, now: dt.datetime, actor: User | None, actor_unit_id: int | None = None
) -> None:
    """Move a task whose verified progress reached its target to *completed*."""
    move(task, TaskState.COMPLETED)
    task.completed_at = now
    save_task(task, "state", "completed_at")
    line(
        task,
        ActionKind.COMPLETE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        data={
            "verified_value": num(task.verified_value),
            "verified_percent": num(task.verified_percent),
        },
        at=now,
    )
    audit("completed", task, actor=actor, after=snapshot(task))


def refresh_rollup(parent: Task, *, now: dt.datetime, actor: User | None) -> None:
    """Add up the verified progress of an umbrella task's (not cancelled) sub-tasks into
    its own; the caller holds the umbrella's row lock. Completes it at 100 %."""
    children = list(
        Task.objects.filter(parent=parent)
        .not_cancelled()
        .values_list("verified_value", "verified_percent")
    )
    value, percent = rollup(parent.target_value, children)
    if value == parent.verified_value and percent == parent.verified_percent:
        return
    parent.verified_value, parent.verified_percent = value, percent
    save_task(parent, "verified_value", "verified_percent")
    if percent >= HUNDRED and parent.state == TaskState.OPEN:
        complete(parent, now=now, actor=actor)
