"""What every event action shares: the row lock, the status move, the scope check that
also names the granting unit, the timeline line, the audit entry and the notification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common import cleaning
from grassroots.events import notifications
from grassroots.events.attachments import PreparedPhoto, prepare_photos, store_photos
from grassroots.events.errors import EventConflict, EventError, EventNotFound, IllegalTransition
from grassroots.events.models import Event, EventAction
from grassroots.events.states import OPEN_STATUSES, TRANSITIONS, EventStatus
from grassroots.org.models import Unit, is_within
from grassroots.org.permissions import require, role_may
from grassroots.org.queries import active_grants

if TYPE_CHECKING:
    from grassroots.org.models import User


class Place(Protocol):
    """Anything placed in the unit tree: a Unit, or an :class:`Area`."""

    @property
    def path(self) -> str: ...

    @property
    def scope_paths(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Area:
    """A place known only by its path (an event's area), for scope checks without a query."""

    path: str

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return (self.path,)


#: An event given by id or as an instance (only its pk is used: the row is re-read locked).
EventRef = int | Event

NOTE_MAX = 2000
#: PostgreSQL: deadlock detected, serialization failure, lock not available.
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def event_pk(event_id: EventRef) -> int:
    pk = event_id.pk if isinstance(event_id, Event) else event_id
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise EventNotFound(event_id)
    return pk


def lock_event(event_id: EventRef) -> Event:
    """The event's row, locked for this transaction (FOR UPDATE of the event row only).

    Everything an action decides is read after the lock, so two actions on one event run
    one after the other and the second sees the first one's result. A lock the database
    gives up on (deadlock, lock timeout) is an :class:`EventConflict`.
    """
    try:
        event = cast(
            "Event | None",
            Event.objects.select_for_update(of=("self",))
            .select_related("category", "assignee", "dispatcher")
            .filter(pk=event_pk(event_id))
            .first(),
        )
    except OperationalError as exc:
        if _sqlstate(exc) in _CONFLICT_SQLSTATES or "locked" in str(exc).lower():
            raise EventConflict() from exc
        raise
    if event is None:
        raise EventNotFound(event_id)
    return event


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def move(event: Event, target: EventStatus) -> str:
    """Set ``event.status`` to ``target`` if ``states.TRANSITIONS`` allows it; return the
    status it had. The only place a status changes."""
    current = event.status
    if EventStatus(target) not in TRANSITIONS[EventStatus(current)]:
        raise IllegalTransition(current=current, target=str(target))
    event.status = target
    return current


def require_open(event: Event, verb: str) -> None:
    """Refuse an action that is only meaningful on an open event."""
    if event.status not in OPEN_STATUSES:
        raise IllegalTransition(
            _("An event in status “%(current)s” cannot be %(verb)s.")
            % {"current": EventStatus(event.status).label, "verb": verb},
            current=event.status,
        )


def granting_unit_id(actor: User | None, action: str, *targets: Place) -> int | None:
    """The unit of the actor's most specific membership granting ``action`` over one of
    ``targets`` (the timeline's "unit"); ``None`` when none does (superuser, resident)."""
    if actor is None:
        return None
    best: tuple[int, int] | None = None
    for g in active_grants(actor):
        if not role_may(g.role, action):
            continue
        if any(is_within(t.path, g.path) for t in targets):
            depth = g.path.count(".")
            if best is None or depth > best[0]:
                best = (depth, g.unit_id)
    return best[1] if best else None


def authorize(actor: User | None, action: str, *targets: Place) -> int | None:
    """Raise PermissionDenied unless a membership of ``actor`` grants ``action`` over one
    of ``targets``; return the granting unit's id (see :func:`granting_unit_id`)."""
    if actor is None:
        raise PermissionDenied(_("You are not allowed to do this here."))
    last: PermissionDenied | None = None
    for target in targets:
        try:
            require(actor, action, target)
        except PermissionDenied as exc:
            last = exc
            continue
        return granting_unit_id(actor, action, *targets)
    raise last or PermissionDenied(_("You are not allowed to do this here."))


def clean_text(
    value: object, *, field: str, required: bool = False, max_length: int = NOTE_MAX
) -> str:
    """A stripped note or reason; EventError when missing (if required) or too long.
    (``common.cleaning.clean_text``)."""
    return cleaning.clean_text(
        value, field=field, error=EventError, required=required, max_length=max_length
    )


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def record_action(
    event: Event,
    kind: str,
    *,
    actor: User | None,
    actor_unit_id: int | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    photos: Sequence[PreparedPhoto] = (),
    notify: bool = True,
) -> EventAction:
    """One timeline line (with its photos); the notification is sent after commit."""
    action = EventAction.objects.create(
        event=event,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_unit_id=actor_unit_id,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )
    # The line's photos, as the serializers read them (``api.serializers_events.photos_of``).
    action.photos = (  # type: ignore[attr-defined]
        store_photos(event, photos, action=action, uploaded_by=actor) if photos else []
    )
    if notify and kind in notifications.AUDIENCES:  # nobody hears of the others
        notify_on_commit(event.pk, action.pk)
    return action


def notify_on_commit(event_id: int, action_id: int) -> None:
    """``notifications.event_changed`` once the transaction commits (robust: a failing
    delivery is logged, it never undoes or fails the committed action)."""
    transaction.on_commit(lambda: notifications.event_changed(event_id, action_id), robust=True)


def audit(
    verb: str,
    event: Event,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """The audit entry ``events.event.<verb>``, placed in the tree by the event's area."""
    from grassroots.audit.actions import record

    record(f"events.event.{verb}", event, actor=actor, before=before, after=after, note=note)


def snapshot(event: Event) -> dict[str, Any]:
    """What the audit entry keeps of an event around a change."""
    return {
        "status": event.status,
        "assignee": event.assignee.code if event.assignee_id else None,
        "dispatcher": event.dispatcher.code if event.dispatcher_id else None,
        "resolve_by": iso(event.resolve_by),
        "escalation_level": event.escalation_level,
    }


def save(event: Event, *fields: str) -> None:
    event.save(update_fields=[*fields, "updated_at"])


def set_assignee(event: Event, unit: Unit) -> None:
    event.assignee = unit
    event.assignee_path = unit.path


def photos_for(uploads: Sequence[Any], *, required: bool = False) -> list[PreparedPhoto]:
    """Check the uploads of an action before anything is written."""
    photos = prepare_photos(uploads or ())
    if required and not photos:
        raise EventError(_("Attach at least one photo."), field="photos", code="required")
    return photos


def transition(
    event: Event,
    target: EventStatus,
    kind: str,
    *,
    actor: User | None,
    actor_unit_id: int | None,
    verb: str,
    now: dt.datetime,
    before: dict[str, Any],
    note: str = "",
    data: dict[str, Any] | None = None,
    photos: Sequence[PreparedPhoto] = (),
    fields: Sequence[str] = (),
) -> EventAction:
    """Save a move already applied with :func:`move` (``event.status`` is the target),
    with its timeline line and audit entry."""
    save(event, "status", *fields)
    action = record_action(
        event,
        kind,
        actor=actor,
        actor_unit_id=actor_unit_id,
        from_status=before["status"],
        to_status=str(target),
        note=note,
        data=data,
        at=now,
        photos=photos,
    )
    audit(verb, event, actor=actor, before=before, after=snapshot(event), note=note)
    return action


def mark_responded(event: Event, now: dt.datetime) -> list[str]:
    """``responded_at`` is the first answer (accept, reject, dispatch or start)."""
    if event.responded_at is None:
        event.responded_at = now
        return ["responded_at"]
    return []
