"""The handler's actions (start, return, resolve), comments, and the sweep's lines.

Scope: start, return and resolve need ``events.handle`` over the event's assignee (the
department or unit it was sent to); a comment needs ``events.comment`` over the event's
place or assignee, or being its reporter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.events.actions._base import (
    Area,
    EventRef,
    audit,
    authorize,
    clean_text,
    event_pk,
    granting_unit_id,
    lock_event,
    mark_responded,
    move,
    photos_for,
    record_action,
    set_assignee,
    snapshot,
    transition,
)
from grassroots.events.attachments import PreparedPhoto
from grassroots.events.errors import EventError, EventNotFound
from grassroots.events.models import ActionKind, Event, EventAction
from grassroots.events.states import EventStatus
from grassroots.org.permissions import can

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from grassroots.org.models import User

S = EventStatus
HANDLE = "events.handle"
#: Timeline lines the sweep writes (no status change).
SYSTEM_KINDS = frozenset({ActionKind.REMIND, ActionKind.LAPSE})


@transaction.atomic
def start_handling(event_id: EventRef, *, actor: User, note: str = "") -> Event:
    """The assignee starts work (开始处置): → *in progress*."""
    event = lock_event(event_id)
    unit_id = authorize(actor, HANDLE, event.assignee)
    note = clean_text(note, field="note")
    before = snapshot(event)
    move(event, S.IN_PROGRESS)
    now = timezone.now()
    fields = mark_responded(event, now)
    if event.accepted_at is None:  # handling an escalated report accepts it (立案)
        event.accepted_at = now
        fields.append("accepted_at")
    transition(
        event,
        S.IN_PROGRESS,
        ActionKind.START,
        actor=actor,
        actor_unit_id=unit_id,
        verb="started",
        now=now,
        before=before,
        note=note,
        fields=fields,
    )
    return event


@transaction.atomic
def return_event(event_id: EventRef, *, actor: User, reason: str) -> Event:
    """Send an event back to its dispatcher (退回: "not ours"), with a reason.

    → *returned*; the dispatcher becomes the assignee again and the return is counted.
    An event already with its dispatcher cannot be returned (reject or escalate it).
    """
    event = lock_event(event_id)
    unit_id = authorize(actor, HANDLE, event.assignee)
    reason = clean_text(reason, field="reason", required=True)
    if event.assignee_id == event.dispatcher_id:
        raise EventError(
            _("The event is with its dispatching unit already: reject or escalate it instead."),
            code="return_to_self",
        )
    before = snapshot(event)
    move(event, S.RETURNED)
    now = timezone.now()
    from_unit = event.assignee
    set_assignee(event, event.dispatcher)
    event.return_count += 1
    transition(
        event,
        S.RETURNED,
        ActionKind.RETURN,
        actor=actor,
        actor_unit_id=unit_id,
        verb="returned",
        now=now,
        before=before,
        note=reason,
        data={"from_unit": from_unit.code, "to_unit": event.dispatcher.code},
        fields=["assignee", "assignee_path", "return_count"],
    )
    return event


@transaction.atomic
def resolve_event(
    event_id: EventRef,
    *,
    actor: User,
    note: str,
    photos: Sequence[UploadedFile | PreparedPhoto] = (),
) -> Event:
    """The assignee reports the problem solved (处置完毕), with a note and photos of the
    result: → *resolved*, waiting for the dispatcher's verification."""
    event = lock_event(event_id)
    unit_id = authorize(actor, HANDLE, event.assignee)
    note = clean_text(note, field="note", required=True)
    prepared = photos_for(photos)
    before = snapshot(event)
    move(event, S.RESOLVED)
    now = timezone.now()
    event.resolved_at = now
    fields = ["resolved_at", *mark_responded(event, now)]
    transition(
        event,
        S.RESOLVED,
        ActionKind.RESOLVE,
        actor=actor,
        actor_unit_id=unit_id,
        verb="resolved",
        now=now,
        before=before,
        note=note,
        photos=prepared,
        fields=fields,
    )
    return event


@transaction.atomic
def comment_event(
    event_id: EventRef,
    *,
    actor: User,
    note: str,
    photos: Sequence[UploadedFile | PreparedPhoto] = (),
) -> EventAction:
    """Add a comment (and photos) to an event's timeline, in any status.

    Allowed to whoever has ``events.comment`` over the event (its place or its assignee)
    and to its reporter.
    """
    event = lock_event(event_id)
    is_reporter = actor is not None and actor.pk is not None and actor.pk == event.reporter_id
    if not is_reporter and not can(actor, "events.comment", event):
        raise PermissionDenied(_("You are not allowed to do this here."))
    unit_id = granting_unit_id(actor, "events.comment", Area(event.area_path), event.assignee)
    note = clean_text(note, field="note", required=True)
    prepared = photos_for(photos)
    action = record_action(
        event,
        ActionKind.COMMENT,
        actor=actor,
        actor_unit_id=unit_id,
        from_status=event.status,
        to_status=event.status,
        note=note,
        photos=prepared,
    )
    audit("commented", event, actor=actor, note=note)
    return action


@transaction.atomic
def record_system_action(
    event_id: EventRef, *, kind: str, note: str = "", data: dict[str, Any] | None = None
) -> EventAction:
    """A line the deadline sweep writes on the timeline: a reminder (``remind``) or a
    lapse (``lapse``). No status change, no actor, no lock; the notification follows the
    commit like any other line. Not audited: nothing changed."""
    if kind not in SYSTEM_KINDS:
        raise ValueError(f"record_system_action: kind must be one of {sorted(SYSTEM_KINDS)}")
    status = Event.objects.filter(pk=event_pk(event_id)).values_list("status", flat=True).first()
    if status is None:
        raise EventNotFound(event_id)
    event = Event(pk=event_pk(event_id))
    return record_action(
        event,
        kind,
        actor=None,
        from_status=status,
        to_status=status,
        note=clean_text(note, field="note"),
        data=data,
    )
