"""The dispatcher's actions: accept, reject, dispatch, escalate, set a deadline, urge,
verify (pass or rework) and close.

Scope (``events.dispatch``):

* accept, reject, escalate: over the event's **assignee** (the unit that must act now);
* dispatch, set_deadline, urge: over the assignee or the **dispatcher** (a dispatcher
  re-dispatches what was reopened with another unit, extends and urges what it sent out);
* verify, close: over the **dispatcher** (the unit that sent the work out checks it).

The automatic escalation of the sweep passes ``actor=None, automatic=True`` and needs no
grant.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.events import deadlines
from grassroots.events.actions._base import (
    EventRef,
    audit,
    authorize,
    clean_text,
    iso,
    lock_event,
    mark_responded,
    move,
    record_action,
    require_open,
    save,
    set_assignee,
    snapshot,
    transition,
)
from grassroots.events.errors import EventError, IllegalTransition
from grassroots.events.models import ActionKind, Event
from grassroots.events.states import EventStatus
from grassroots.org.models import Unit, UnitKind, is_within

if TYPE_CHECKING:
    from grassroots.org.models import User

S = EventStatus
DISPATCH = "events.dispatch"


@transaction.atomic
def accept_event(event_id: EventRef, *, actor: User, note: str = "") -> Event:
    """Accept (受理) a reported event: *reported* → *accepted*; the assignee keeps it."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.assignee)
    note = clean_text(note, field="note")
    before = snapshot(event)
    move(event, S.ACCEPTED)
    now = timezone.now()
    fields = mark_responded(event, now)
    if event.accepted_at is None:
        event.accepted_at = now
        fields.append("accepted_at")
    transition(
        event,
        S.ACCEPTED,
        ActionKind.ACCEPT,
        actor=actor,
        actor_unit_id=unit_id,
        verb="accepted",
        now=now,
        before=before,
        note=note,
        fields=fields,
    )
    return event


@transaction.atomic
def reject_event(event_id: EventRef, *, actor: User, reason: str) -> Event:
    """Refuse (不予受理) an event, with a reason the reporter will read: → *rejected*."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.assignee)
    reason = clean_text(reason, field="reason", required=True)
    before = snapshot(event)
    move(event, S.REJECTED)
    now = timezone.now()
    fields = mark_responded(event, now)
    transition(
        event,
        S.REJECTED,
        ActionKind.REJECT,
        actor=actor,
        actor_unit_id=unit_id,
        verb="rejected",
        now=now,
        before=before,
        note=reason,
        fields=fields,
    )
    return event


def _check_target(event: Event, to_unit: object) -> Unit:
    """A dispatch goes to a department, or to a unit below the unit in charge."""
    if not isinstance(to_unit, Unit) or to_unit.pk is None:
        raise EventError(_("Choose the unit to send the event to."), field="to_unit")
    fresh: Unit | None = Unit.objects.filter(pk=to_unit.pk, active=True).first()
    if fresh is None:
        raise EventError(_("This unit does not exist or is inactive."), field="to_unit")
    if fresh.pk == event.assignee_id:
        raise EventError(
            _("The event is with this unit already."), field="to_unit", code="same_unit"
        )
    in_charge = event.assignee if event.status != S.REOPENED else event.dispatcher
    below = fresh.path != in_charge.path and is_within(fresh.path, in_charge.path)
    if fresh.kind != UnitKind.DEPARTMENT and not below:
        raise EventError(
            _("Send the event to a department or to a unit below %(unit)s.")
            % {"unit": in_charge.name},
            field="to_unit",
            code="out_of_reach",
        )
    return fresh


@transaction.atomic
def dispatch_event(
    event_id: EventRef,
    *,
    actor: User,
    to_unit: Unit,
    note: str = "",
    resolve_by: dt.datetime | None = None,
) -> Event:
    """Send an event to the unit that will handle it (派遣): a department, or a unit below.

    From *accepted*, *returned*, *escalated* or *reopened* → *dispatched*. The unit that
    dispatches becomes the dispatcher (it verifies the result and gets returns back).
    ``resolve_by``, when given, replaces the handling deadline and must be in the future.
    """
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.assignee, event.dispatcher)
    note = clean_text(note, field="note")
    target = _check_target(event, to_unit)
    now = timezone.now()
    new_deadline = (
        deadlines.check_new_deadline(resolve_by, now=now) if resolve_by is not None else None
    )
    before = snapshot(event)
    from_unit = event.assignee
    move(event, S.DISPATCHED)
    if before["status"] != S.REOPENED:
        event.dispatcher = from_unit
    set_assignee(event, target)
    event.dispatched_at = now
    fields = [
        "assignee",
        "assignee_path",
        "dispatcher",
        "dispatched_at",
        *mark_responded(event, now),
    ]
    if event.accepted_at is None:  # dispatching an escalated report accepts it (立案)
        event.accepted_at = now
        fields.append("accepted_at")
    data: dict[str, str | None] = {"from_unit": from_unit.code, "to_unit": target.code}
    if new_deadline is not None:
        data.update(old_resolve_by=iso(event.resolve_by), resolve_by=iso(new_deadline))
        event.resolve_by = new_deadline
        fields.append("resolve_by")
    transition(
        event,
        S.DISPATCHED,
        ActionKind.DISPATCH,
        actor=actor,
        actor_unit_id=unit_id,
        verb="dispatched",
        now=now,
        before=before,
        note=note,
        data=data,
        fields=fields,
    )
    return event


@transaction.atomic
def escalate_event(
    event_id: EventRef, *, actor: User | None, note: str = "", automatic: bool = False
) -> Event:
    """Hand an event up to the parent of its assignee (上报上级): → *escalated*.

    The parent becomes assignee and dispatcher (a department's parent is its county),
    the escalation level rises by one, the deadline stays. ``automatic=True`` with
    ``actor=None`` is the sweep escalating an overdue event; otherwise the actor needs
    ``events.dispatch`` over the assignee.
    """
    event = lock_event(event_id)
    if actor is None:
        if not automatic:
            raise PermissionDenied(_("You are not allowed to do this here."))
        unit_id = None
    else:
        unit_id = authorize(actor, DISPATCH, event.assignee)
    note = clean_text(note, field="note")
    parent: Unit | None = (
        Unit.objects.filter(pk=event.assignee.parent_id).first()
        if event.assignee.parent_id is not None
        else None
    )
    if parent is None:
        raise EventError(
            _("%(unit)s has no parent unit to escalate to.") % {"unit": event.assignee.name},
            code="no_parent",
        )
    before = snapshot(event)
    move(event, S.ESCALATED)
    now = timezone.now()
    from_unit = event.assignee
    set_assignee(event, parent)
    event.dispatcher = parent
    event.escalation_level += 1
    transition(
        event,
        S.ESCALATED,
        ActionKind.ESCALATE,
        actor=actor,
        actor_unit_id=unit_id,
        verb="escalated",
        now=now,
        before=before,
        note=note,
        data={
            "from_unit": from_unit.code,
            "to_unit": parent.code,
            "level": event.escalation_level,
            "automatic": automatic,
        },
        fields=["assignee", "assignee_path", "dispatcher", "escalation_level"],
    )
    return event


@transaction.atomic
def set_deadline(event_id: EventRef, *, actor: User, resolve_by: dt.datetime, reason: str) -> Event:
    """Change the handling deadline of an open event (with a reason); the old and the new
    deadline are kept on the timeline. The new one must be in the future."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.assignee, event.dispatcher)
    reason = clean_text(reason, field="reason", required=True)
    require_open(event, _("given a new deadline"))
    now = timezone.now()
    new = deadlines.check_new_deadline(resolve_by, now=now)
    before = snapshot(event)
    old = event.resolve_by
    event.resolve_by = new
    save(event, "resolve_by")
    record_action(
        event,
        ActionKind.SET_DEADLINE,
        actor=actor,
        actor_unit_id=unit_id,
        from_status=event.status,
        to_status=event.status,
        note=reason,
        data={"old": iso(old), "new": iso(new)},
        at=now,
    )
    audit("deadline_changed", event, actor=actor, before=before, after=snapshot(event), note=reason)
    return event


@transaction.atomic
def urge_event(event_id: EventRef, *, actor: User, note: str = "") -> Event:
    """Urge (催办) the unit handling an open event; no status change."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.assignee, event.dispatcher)
    note = clean_text(note, field="note")
    require_open(event, _("urged"))
    now = timezone.now()
    record_action(
        event,
        ActionKind.URGE,
        actor=actor,
        actor_unit_id=unit_id,
        from_status=event.status,
        to_status=event.status,
        note=note,
        data={"assignee": event.assignee.code},
        at=now,
    )
    audit("urged", event, actor=actor, after={"assignee": event.assignee.code}, note=note)
    return event


@transaction.atomic
def verify_event(event_id: EventRef, *, actor: User, passed: bool, note: str = "") -> Event:
    """Check a resolved event (核查): pass → *verified*; fail → *reworked* (返工, a note
    saying what is wrong is required) and back to the same assignee."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.dispatcher)
    if not isinstance(passed, bool):
        raise EventError(_("Say whether the result passes."), field="passed")
    note = clean_text(note, field="note", required=not passed)
    before = snapshot(event)
    now = timezone.now()
    if passed:
        move(event, S.VERIFIED)
        event.verified_at = now
        transition(
            event,
            S.VERIFIED,
            ActionKind.VERIFY,
            actor=actor,
            actor_unit_id=unit_id,
            verb="verified",
            now=now,
            before=before,
            note=note,
            fields=["verified_at"],
        )
    else:
        move(event, S.REWORKED)
        event.rework_count += 1
        transition(
            event,
            S.REWORKED,
            ActionKind.REWORK,
            actor=actor,
            actor_unit_id=unit_id,
            verb="reworked",
            now=now,
            before=before,
            note=note,
            data={"rework_count": event.rework_count},
            fields=["rework_count"],
        )
    return event


@transaction.atomic
def close_event(event_id: EventRef, *, actor: User, note: str = "") -> Event:
    """Close (结案) a verified event: *verified* → *closed*."""
    event = lock_event(event_id)
    unit_id = authorize(actor, DISPATCH, event.dispatcher)
    note = clean_text(note, field="note")
    if event.status != S.VERIFIED:  # reported → closed is only 就地解决 (resolve_on_spot)
        raise IllegalTransition(current=event.status, target=S.CLOSED)
    before = snapshot(event)
    move(event, S.CLOSED)
    now = timezone.now()
    event.closed_at = now
    transition(
        event,
        S.CLOSED,
        ActionKind.CLOSE,
        actor=actor,
        actor_unit_id=unit_id,
        verb="closed",
        now=now,
        before=before,
        note=note,
        fields=["closed_at"],
    )
    return event
