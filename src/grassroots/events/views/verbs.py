"""The actions a person can take on an event from its page: one form and one action each.

``available_verbs(event, user)`` answers which buttons to show: the status must allow the
move (``states.TRANSITIONS``) and the user must hold the role for it over the unit that
must act (the assignee for handling, the dispatcher for checking). It only decides what is
*offered*; the action itself checks again and has the last word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.events import actions
from grassroots.events.forms import (
    CommentForm,
    DeadlineForm,
    DispatchForm,
    NoteForm,
    ReasonForm,
    ResolveForm,
    VerifyForm,
)
from grassroots.events.models import Event
from grassroots.events.states import OPEN_STATUSES, EventStatus, allowed
from grassroots.org.models import Unit, UnitKind, User
from grassroots.org.permissions import can

S = EventStatus


@dataclass(frozen=True)
class Verb:
    """One button on the event page."""

    name: str  # the URL slug
    label: str | Promise  # the button
    form_class: type[forms.Form]
    #: calls ONE action with the cleaned form data
    perform: Callable[[Event, User, dict[str, Any]], object]
    #: whether to offer it to this user in the event's current status
    offered: Callable[[Event, User], bool]
    danger: bool = False  # drawn as a secondary button (reject, return, rework)

    def form(self, event: Event, data: Any = None, files: Any = None) -> forms.Form:
        kwargs: dict[str, Any] = {"prefix": self.name}
        if self.form_class is DispatchForm:
            kwargs["targets"] = dispatch_targets(event)
        return self.form_class(data, files, **kwargs)


def _dispatches(user: User, unit: Unit) -> bool:
    return can(user, "events.dispatch", unit)


def _handles(user: User, unit: Unit) -> bool:
    return can(user, "events.handle", unit)


def _moves_to(event: Event, target: EventStatus) -> bool:
    return allowed(event.status, target)


def _in_charge(event: Event) -> Unit:
    """The unit that dispatches now: the assignee, or for a reopened event its dispatcher."""
    return event.dispatcher if event.status == S.REOPENED else event.assignee


def dispatch_targets(event: Event) -> list[Unit]:
    """Where the unit in charge may send the event: any department, or a unit below it."""
    holder = _in_charge(event)
    return list(
        Unit.objects.active()
        .filter(Q(kind=UnitKind.DEPARTMENT) | Q(path__startswith=holder.path + "."))
        .exclude(pk__in={holder.pk, event.assignee_id})
        .defer("geometry")
        .order_by("kind", "path")[:500]
    )


def _deadline(data: dict[str, Any]) -> Any:
    return data.get("resolve_by")


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb(
            "accept",
            _("Accept"),
            NoteForm,
            lambda e, u, d: actions.accept_event(e.pk, actor=u, note=d["note"]),
            lambda e, u: _moves_to(e, S.ACCEPTED) and _dispatches(u, e.assignee),
        ),
        Verb(
            "dispatch",
            _("Dispatch"),
            DispatchForm,
            lambda e, u, d: actions.dispatch_event(
                e.pk, actor=u, to_unit=d["to_unit"], note=d["note"], resolve_by=_deadline(d)
            ),
            lambda e, u: _moves_to(e, S.DISPATCHED) and _dispatches(u, _in_charge(e)),
        ),
        Verb(
            "start",
            _("Start handling"),
            NoteForm,
            lambda e, u, d: actions.start_handling(e.pk, actor=u, note=d["note"]),
            lambda e, u: _moves_to(e, S.IN_PROGRESS) and _handles(u, e.assignee),
        ),
        Verb(
            "resolve",
            _("Report resolved"),
            ResolveForm,
            lambda e, u, d: actions.resolve_event(
                e.pk, actor=u, note=d["note"], photos=d["photos"]
            ),
            lambda e, u: _moves_to(e, S.RESOLVED) and _handles(u, e.assignee),
        ),
        Verb(
            "verify",
            _("Verify"),
            VerifyForm,
            lambda e, u, d: actions.verify_event(
                e.pk, actor=u, passed=d["outcome"] == VerifyForm.PASS, note=d["note"]
            ),
            lambda e, u: e.status == S.RESOLVED and _dispatches(u, e.dispatcher),
        ),
        Verb(
            "close",
            _("Close"),
            NoteForm,
            lambda e, u, d: actions.close_event(e.pk, actor=u, note=d["note"]),
            lambda e, u: e.status == S.VERIFIED and _dispatches(u, e.dispatcher),
        ),
        Verb(
            "urge",
            _("Urge"),
            NoteForm,
            lambda e, u, d: actions.urge_event(e.pk, actor=u, note=d["note"]),
            lambda e, u: (
                e.status in OPEN_STATUSES
                and e.assignee_id != e.dispatcher_id
                and (_dispatches(u, e.dispatcher) or _dispatches(u, e.assignee))
            ),
        ),
        Verb(
            "deadline",
            _("Set the deadline"),
            DeadlineForm,
            lambda e, u, d: actions.set_deadline(
                e.pk, actor=u, resolve_by=d["resolve_by"], reason=d["reason"]
            ),
            lambda e, u: (
                e.status in OPEN_STATUSES
                and (_dispatches(u, e.dispatcher) or _dispatches(u, e.assignee))
            ),
        ),
        Verb(
            "escalate",
            _("Escalate to the unit above"),
            NoteForm,
            lambda e, u, d: actions.escalate_event(e.pk, actor=u, note=d["note"]),
            lambda e, u: (
                _moves_to(e, S.ESCALATED)
                and e.assignee.parent_id is not None
                and e.assignee.kind != UnitKind.DEPARTMENT
                and (_dispatches(u, e.assignee) or _handles(u, e.assignee))
            ),
        ),
        Verb(
            "return",
            _("Return (not ours)"),
            ReasonForm,
            lambda e, u, d: actions.return_event(e.pk, actor=u, reason=d["reason"]),
            lambda e, u: (
                _moves_to(e, S.RETURNED)
                and e.assignee_id != e.dispatcher_id
                and _handles(u, e.assignee)
            ),
            danger=True,
        ),
        Verb(
            "reject",
            _("Reject"),
            ReasonForm,
            lambda e, u, d: actions.reject_event(e.pk, actor=u, reason=d["reason"]),
            lambda e, u: _moves_to(e, S.REJECTED) and _dispatches(u, e.assignee),
            danger=True,
        ),
        Verb(
            "comment",
            _("Comment"),
            CommentForm,
            lambda e, u, d: actions.comment_event(
                e.pk, actor=u, note=d["note"], photos=d["photos"]
            ),
            lambda e, u: can(u, "events.comment", e),
        ),
    )
}


def available_verbs(event: Event, user: User) -> Sequence[Verb]:
    """The verbs to offer ``user`` on ``event`` now, in the order of the page."""
    return [v for v in VERBS.values() if v.offered(event, user)]
