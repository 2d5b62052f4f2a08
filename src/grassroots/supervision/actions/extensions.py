"""Deadline extensions (延期): asked for by the responsible unit itself with a reason,
approved or refused by the task's issuer. Approval moves the task's deadline (audited,
before and after); a refusal needs a reason. One pending request per task."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.supervision.actions import _notify
from grassroots.supervision.actions._base import (
    TaskRef,
    audit,
    authorize,
    authorize_own_unit,
    clean_date,
    clean_text,
    iso,
    line,
    lock_task,
    locked,
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
from grassroots.supervision.models import ActionKind, ExtensionRequest, Task
from grassroots.supervision.permissions import REPORT, VERIFY
from grassroots.supervision.states import ExtensionState

if TYPE_CHECKING:
    from grassroots.org.models import User

ExtensionRef = int | ExtensionRequest


def _within_parent(task: Task, deadline: dt.date, field: str) -> None:
    if task.parent is not None and deadline > task.parent.deadline:
        raise SupervisionError(
            _("The deadline cannot be after the parent task's deadline %(date)s.")
            % {"date": task.parent.deadline.isoformat()},
            field=field,
            code="after_parent",
        )


@transaction.atomic
def request_extension(
    task: TaskRef, *, actor: User, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """Ask for a later deadline (申请延期), by the responsible unit itself, with a reason.

    The new deadline must be later than the current one and not after the parent task's
    (field ``requested_deadline``); a second request while one is pending is an
    ``IllegalTransition``. The issuer's verifiers are told.
    """
    task = lock_task(task)
    actor_unit_id = authorize_own_unit(actor, REPORT, task.unit)
    require_open(task)
    require_not_rollup(task)
    wanted = clean_date(requested_deadline, field="requested_deadline")
    reason = clean_text(reason, field="reason", required=True)
    if wanted <= task.deadline:
        raise SupervisionError(
            _("Ask for a deadline later than the current one (%(date)s).")
            % {"date": task.deadline.isoformat()},
            field="requested_deadline",
            code="not_later",
        )
    _within_parent(task, wanted, "requested_deadline")
    if ExtensionRequest.objects.filter(task=task, state=ExtensionState.PENDING).exists():
        raise IllegalTransition(
            _("An extension request of this task is waiting for a decision already."),
            current=ExtensionState.PENDING,
        )
    now = timezone.now()
    request = ExtensionRequest.objects.create(
        task=task,
        previous_deadline=task.deadline,
        requested_deadline=wanted,
        reason=reason,
        requested_by=actor if actor.pk else None,
        requested_at=now,
    )
    save_task(task)
    data = {"request": request.pk, "from": iso(task.deadline), "to": iso(wanted)}
    line(
        task,
        ActionKind.REQUEST_EXTENSION,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=reason,
        data=data,
        at=now,
    )
    audit("extension_requested", task, actor=actor, after=data, note=reason)
    _notify.notify_on_commit(
        [
            _notify.to_issuer(
                task.pk,
                ActionKind.REQUEST_EXTENSION,
                task.issuer_id,
                title=task.title,
                deadline=task.deadline,
                note=reason,
            )
        ],
        actor_id=actor.pk,
    )
    return request


def _lock(request: ExtensionRef) -> tuple[Task, ExtensionRequest]:
    pk = pk_of(request, ExtensionRequest)
    task_id = ExtensionRequest.objects.filter(pk=pk).values_list("task_id", flat=True).first()
    if task_id is None:
        raise SupervisionNotFound(request)
    task = lock_task(task_id)
    row: ExtensionRequest = locked(ExtensionRequest.objects.all(), pk)
    return task, row


def _pending(row: ExtensionRequest) -> None:
    if row.state != ExtensionState.PENDING:
        raise SupervisionConflict(
            _("This request was decided already (%(state)s); reload the task.")
            % {"state": ExtensionState(row.state).label}
        )


@transaction.atomic
def approve_extension(request: ExtensionRef, *, actor: User, note: str = "") -> ExtensionRequest:
    """Approve an extension, by the task's issuer: the task's deadline becomes the one
    asked for (audit entry ``supervision.task.extension_approved`` with the deadlines
    before and after). A request decided already is a ``SupervisionConflict``."""
    task, row = _lock(request)
    actor_unit_id = authorize(actor, VERIFY, task.issuer)
    note = clean_text(note, field="note")
    _pending(row)
    require_open(task)
    _within_parent(task, row.requested_deadline, "requested_deadline")
    if row.requested_deadline <= task.deadline:
        # The deadline was moved meanwhile to this date or later: approving would shorten it.
        raise SupervisionConflict(
            _(
                "The deadline is already %(date)s, not earlier than the date asked for; "
                "refuse or leave the request."
            )
            % {"date": task.deadline.isoformat()}
        )
    now = timezone.now()
    before = snapshot(task)
    previous = task.deadline
    task.deadline = row.requested_deadline
    save_task(task, "deadline")
    row.state, row.decided_by, row.decided_at, row.note = ExtensionState.APPROVED, actor, now, note
    row.save(update_fields=["state", "decided_by", "decided_at", "note", "updated_at"])
    data = {"request": row.pk, "from": iso(previous), "to": iso(task.deadline)}
    line(
        task,
        ActionKind.APPROVE_EXTENSION,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data=data,
        at=now,
    )
    audit("extension_approved", task, actor=actor, before=before, after=snapshot(task), note=note)
    _notify.notify_on_commit(
        [
            _notify.to_unit(
                task.pk,
                ActionKind.APPROVE_EXTENSION,
                task.unit_id,
                title=task.title,
                deadline=task.deadline,
                note=note,
            )
        ],
        actor_id=actor.pk,
    )
    return row


@transaction.atomic
def refuse_extension(request: ExtensionRef, *, actor: User, reason: str) -> ExtensionRequest:
    """Refuse an extension, by the task's issuer, with a reason (field ``reason``); the
    deadline stays. A request decided already is a ``SupervisionConflict``."""
    task, row = _lock(request)
    actor_unit_id = authorize(actor, VERIFY, task.issuer)
    reason = clean_text(reason, field="reason", required=True)
    _pending(row)
    now = timezone.now()
    row.state, row.decided_by, row.decided_at, row.note = ExtensionState.REFUSED, actor, now, reason
    row.save(update_fields=["state", "decided_by", "decided_at", "note", "updated_at"])
    save_task(task)
    data = {"request": row.pk, "requested": iso(row.requested_deadline)}
    line(
        task,
        ActionKind.REFUSE_EXTENSION,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=reason,
        data=data,
        at=now,
    )
    audit("extension_refused", task, actor=actor, after=data, note=reason)
    _notify.notify_on_commit(
        [
            _notify.to_unit(
                task.pk,
                ActionKind.REFUSE_EXTENSION,
                task.unit_id,
                title=task.title,
                deadline=task.deadline,
                note=reason,
            )
        ],
        actor_id=actor.pk,
    )
    return row
