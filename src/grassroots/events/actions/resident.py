"""The resident's rating of a closed event (满意 / 基本满意 / 不满意).

Who: the event's reporter (``actor`` is the reporter; not for patrol reports, which grid
workers file themselves), or anyone through the public portal with ``actor=None`` — the
portal checks the event number and the last four digits of the contact phone before
calling (``Event.objects.public_lookup``).

When: on a *closed* event, once per closing. An *unsatisfied* rating reopens the event
the first time (→ *reopened*, ``reopen_count`` 1, back to the unit that handled it, with
a new handling deadline counted from now); a later unsatisfied rating is recorded and
leaves the event closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.events import deadlines
from grassroots.events.actions._base import (
    EventRef,
    audit,
    clean_text,
    iso,
    lock_event,
    move,
    record_action,
    save,
    snapshot,
)
from grassroots.events.errors import EventError, IllegalTransition
from grassroots.events.models import ActionKind, Event, EventSource, Satisfaction
from grassroots.events.states import EventStatus

if TYPE_CHECKING:
    from grassroots.org.models import User

#: How many times an unsatisfied rating reopens an event.
MAX_REOPENS = 1


@transaction.atomic
def rate_event(
    event_id: EventRef, *, satisfaction: str, note: str = "", actor: User | None = None
) -> Event:
    """Record the resident's satisfaction with a closed event; see the module for the rules."""
    event = lock_event(event_id)
    if actor is not None and actor.pk is not None:
        if actor.pk != event.reporter_id:
            raise PermissionDenied(_("Only the person who reported the event may rate it."))
        if event.source == EventSource.PATROL:
            # A grid worker does not rate their own patrol find; the resident concerned
            # rates it through the public lookup (number and phone).
            raise PermissionDenied(_("A patrol report is rated by the resident concerned."))
    if not isinstance(satisfaction, str) or satisfaction not in Satisfaction.values:
        raise EventError(_("Choose how satisfied you are."), field="satisfaction")
    note = clean_text(note, field="note")
    if event.status != EventStatus.CLOSED:
        raise IllegalTransition(
            _("Only a closed event can be rated; this one is “%(current)s”.")
            % {"current": EventStatus(event.status).label},
            current=event.status,
        )
    if (
        event.rated_at is not None
        and event.closed_at is not None
        and event.rated_at >= event.closed_at
    ):
        raise EventError(
            _("This result has been rated already."), field="satisfaction", code="already_rated"
        )
    rater = actor if actor is not None and actor.pk is not None else None
    before = snapshot(event)
    before["satisfaction"] = event.satisfaction
    now = timezone.now()
    event.satisfaction = satisfaction
    event.rated_at = now
    reopen = satisfaction == Satisfaction.UNSATISFIED and event.reopen_count < MAX_REOPENS
    record_action(
        event,
        ActionKind.RATE,
        actor=rater,
        from_status=event.status,
        to_status=event.status,
        note=note,
        data={"satisfaction": satisfaction, "reopens": reopen},
        at=now,
    )
    fields = ["satisfaction", "rated_at"]
    if reopen:
        move(event, EventStatus.REOPENED)
        event.reopen_count += 1
        old_deadline = event.resolve_by
        event.resolve_by = deadlines.reopen_deadline(event.category, now)
        # The previous handler (the assignee that resolved it) keeps it; it is open again.
        event.closed_at = None
        event.verified_at = None
        fields += ["status", "reopen_count", "resolve_by", "closed_at", "verified_at"]
        save(event, *fields)
        record_action(
            event,
            ActionKind.REOPEN,
            actor=rater,
            from_status=EventStatus.CLOSED,
            to_status=EventStatus.REOPENED,
            note=note,
            data={
                "assignee": event.assignee.code,
                "old_resolve_by": iso(old_deadline),
                "resolve_by": iso(event.resolve_by),
            },
            at=now,
        )
    else:
        save(event, *fields)
    audit(
        "rated",
        event,
        actor=rater,
        before={"satisfaction": before["satisfaction"]},
        after={"satisfaction": satisfaction},
        note=note,
    )
    if reopen:
        audit("reopened", event, actor=rater, before=before, after=snapshot(event), note=note)
    return event
