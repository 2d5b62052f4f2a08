"""Who hears of an event's change (inbox, SMS): called by the actions after commit.

``event_changed`` is the one hook the event actions call (through
``transaction.on_commit``) for every timeline line that someone must hear of. Deciding who
and sending is done here, so the actions stay free of delivery concerns.

Who hears what (the "members" of a unit are the people with an active membership *on
that unit itself* whose role grants the action named; the actor never hears of their
own action; a person hears once per line):

========================  ====================================================
line                      recipients
========================  ====================================================
dispatch (派遣)            members of the new assignee with ``events.handle``
escalate (上报上级)         members of the new assignee with ``events.dispatch``
resolve (处置完成)          members of the dispatcher with ``events.dispatch`` (to verify)
return (退回)              members of the dispatcher with ``events.dispatch``
urge (催办)                members of the assignee with ``events.handle``
rework (返工)              members of the assignee with ``events.handle``
reopen (群众不满意)         the assignee (``events.handle``) and the dispatcher
                          (``events.dispatch``)
remind (临期提醒)           members of the assignee with ``events.handle``
lapse (超期)               the assignee (``events.handle``) and the dispatcher
                          (``events.dispatch``)
close (结案)               the reporter, when a user
reject (不予受理)           the reporter, when a user
========================  ====================================================

Every message also goes out as a text message (``common.sms``: by default only logged).
``deliver_changes`` does the same for many lines at once (the sweep): one query for the
memberships, one INSERT. A reporter without staff sight of the event (a resident) gets
the message without the link to the staff page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from grassroots.events.models import ActionKind, EventAction
from grassroots.inbox.actions import Message, deliver
from grassroots.org.models import Membership, is_within
from grassroots.org.permissions import roles_granting

HANDLE = "events.handle"
DISPATCH = "events.dispatch"
VIEW = "events.view"

#: Audiences: (whose members, the action their role must grant), or REPORTER.
ASSIGNEE_HANDLERS = ("assignee", HANDLE)
ASSIGNEE_DISPATCHERS = ("assignee", DISPATCH)
DISPATCHER_DISPATCHERS = ("dispatcher", DISPATCH)
REPORTER = ("reporter", "")

AUDIENCES: dict[str, tuple[tuple[str, str], ...]] = {
    ActionKind.DISPATCH: (ASSIGNEE_HANDLERS,),
    ActionKind.ESCALATE: (ASSIGNEE_DISPATCHERS,),
    ActionKind.RESOLVE: (DISPATCHER_DISPATCHERS,),
    ActionKind.RETURN: (DISPATCHER_DISPATCHERS,),
    ActionKind.URGE: (ASSIGNEE_HANDLERS,),
    ActionKind.REWORK: (ASSIGNEE_HANDLERS,),
    ActionKind.REOPEN: (ASSIGNEE_HANDLERS, DISPATCHER_DISPATCHERS),
    ActionKind.REMIND: (ASSIGNEE_HANDLERS,),
    ActionKind.LAPSE: (ASSIGNEE_HANDLERS, DISPATCHER_DISPATCHERS),
    ActionKind.CLOSE: (REPORTER,),
    ActionKind.REJECT: (REPORTER,),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One timeline line, reduced to what deciding and wording the message needs."""

    event_id: int
    action_id: int | None
    kind: str
    number: str
    title: str
    assignee_id: int
    dispatcher_id: int
    reporter_id: int | None = None
    actor_id: int | None = None
    note: str = ""
    #: For a lapse or a reminder: which deadline ("resolve_by" or "respond_by").
    deadline: str = "resolve_by"
    #: The event's two scope paths: a reporter gets the link only when they may see it.
    area_path: str = ""
    assignee_path: str = ""


def event_changed(event_id: int, action_id: int) -> None:
    """Tell the people concerned that action ``action_id`` happened on event ``event_id``.

    One query reads the line with its event, one the members of the units concerned, one
    INSERT fills the inboxes (text messages follow through a background task).
    """
    row = (
        EventAction.objects.filter(pk=action_id, event_id=event_id)
        .values(
            "kind",
            "note",
            "data",
            "actor_id",
            "event__number",
            "event__title",
            "event__assignee_id",
            "event__dispatcher_id",
            "event__reporter_id",
            "event__area_path",
            "event__assignee_path",
        )
        .first()
    )
    if row is None or row["kind"] not in AUDIENCES:
        return
    data = row["data"] if isinstance(row["data"], dict) else {}
    deliver_changes(
        [
            Change(
                event_id=event_id,
                action_id=action_id,
                kind=row["kind"],
                number=row["event__number"] or "",
                title=row["event__title"],
                assignee_id=row["event__assignee_id"],
                dispatcher_id=row["event__dispatcher_id"],
                reporter_id=row["event__reporter_id"],
                actor_id=row["actor_id"],
                note=row["note"],
                deadline=str(data.get("deadline", "resolve_by")),
                area_path=row["event__area_path"],
                assignee_path=row["event__assignee_path"],
            )
        ]
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    #: Whether the event's page is open to them (staff in scope); a resident reporter
    #: gets the message without the link.
    may_view: bool = True


def recipients(changes: Sequence[Change]) -> list[list[Recipient]]:
    """For each change (by position), who hears of it: one query, on the memberships of
    the units concerned and of the reporters concerned."""
    wanted_units: set[int] = set()
    reporters: set[int] = set()
    for change in changes:
        for whose, _action in AUDIENCES.get(change.kind, ()):
            if whose == "assignee":
                wanted_units.add(change.assignee_id)
            elif whose == "dispatcher":
                wanted_units.add(change.dispatcher_id)
            elif change.reporter_id is not None:
                reporters.add(change.reporter_id)
    handlers, dispatchers = roles_granting(HANDLE), roles_granting(DISPATCH)
    viewers = roles_granting(VIEW)
    # (unit, action) → user ids; reporter → the paths where they may see events.
    members: dict[tuple[int, str], set[int]] = defaultdict(set)
    sight: dict[int, list[str]] = defaultdict(list)
    if wanted_units or reporters:
        condition = Q(unit_id__in=wanted_units, role__in=handlers | dispatchers) | Q(
            user_id__in=reporters, role__in=viewers
        )
        rows = (
            Membership.objects.active()
            .filter(condition, user__is_active=True)
            .order_by()
            .values_list("user_id", "unit_id", "role", "unit__path")
        )
        for user_id, unit_id, role, path in rows:
            if unit_id in wanted_units:
                if role in handlers:
                    members[(unit_id, HANDLE)].add(user_id)
                if role in dispatchers:
                    members[(unit_id, DISPATCH)].add(user_id)
            if user_id in reporters and role in viewers:
                sight[user_id].append(path)
    result: list[list[Recipient]] = []
    for change in changes:
        found: dict[int, Recipient] = {}
        for whose, action in AUDIENCES.get(change.kind, ()):
            if whose == "reporter":
                if change.reporter_id is not None:
                    places = (change.area_path, change.assignee_path)
                    may_view = any(
                        is_within(place, path)
                        for path in sight.get(change.reporter_id, ())
                        for place in places
                        if place
                    )
                    found.setdefault(change.reporter_id, Recipient(change.reporter_id, may_view))
                continue
            unit_id = change.assignee_id if whose == "assignee" else change.dispatcher_id
            for user_id in members.get((unit_id, action), ()):
                found[user_id] = Recipient(user_id)
        if change.actor_id is not None:
            found.pop(change.actor_id, None)
        result.append([found[k] for k in sorted(found)])
    return result


def deliver_changes(changes: Sequence[Change]) -> int:
    """Put a message about each change in the inbox of everyone who must hear of it
    (``AUDIENCES``), texting them too; returns the number of messages."""
    if not changes:
        return 0
    who = recipients(changes)
    link = event_links()
    messages: list[Message] = []
    with translation.override(settings.LANGUAGE_CODE):
        for change, users in zip(changes, who, strict=True):
            if not users:
                continue
            subject, body = wording(change)
            url = link(change.event_id)
            messages.extend(
                Message(
                    recipient_id=user.user_id,
                    subject=subject,
                    body=body,
                    url=url if user.may_view else "",
                    object_type="events.event",
                    object_id=str(change.event_id),
                )
                for user in users
            )
    return deliver(messages, sms=True)


_SAMPLE_ID = 987_654_321


def event_links() -> Callable[[int], str]:
    """``event_url`` for many events: the URL is resolved once, the id put in its place."""
    sample = event_url(_SAMPLE_ID)
    if not sample:
        return lambda _event_id: ""
    head, _sep, tail = sample.rpartition(str(_SAMPLE_ID))
    return lambda event_id: f"{head}{event_id}{tail}"


def event_url(event_id: int) -> str:
    """The event's page (empty while the events pages are not routed)."""
    try:
        return reverse("events:detail", args=[event_id])
    except NoReverseMatch:
        return ""


#: The subject of the message for each kind of timeline line (``%(number)s`` is the event).
SUBJECTS: dict[str, Promise] = {
    ActionKind.DISPATCH: gettext_lazy("Event %(number)s was dispatched to your unit"),
    ActionKind.ESCALATE: gettext_lazy("Event %(number)s was escalated to your unit"),
    ActionKind.RESOLVE: gettext_lazy("Event %(number)s is resolved and awaits verification"),
    ActionKind.RETURN: gettext_lazy("Event %(number)s was returned to your unit"),
    ActionKind.URGE: gettext_lazy("Event %(number)s: you are urged to act"),
    ActionKind.REWORK: gettext_lazy("Event %(number)s failed verification and must be reworked"),
    ActionKind.REOPEN: gettext_lazy("Event %(number)s was reopened: the resident is not satisfied"),
    ActionKind.REMIND: gettext_lazy("Event %(number)s is due soon"),
    ActionKind.LAPSE: gettext_lazy("Event %(number)s passed its handling deadline"),
    ActionKind.CLOSE: gettext_lazy("Your report %(number)s was closed"),
    ActionKind.REJECT: gettext_lazy("Your report %(number)s was not accepted"),
}
RESPONSE_LAPSE = gettext_lazy("Event %(number)s passed its response deadline")
OTHER_CHANGE = gettext_lazy("Event %(number)s changed")


def wording(change: Change) -> tuple[str, str]:
    """The subject and text of the message about ``change`` (in the active language)."""
    params = {"number": change.number or f"#{change.event_id}", "title": change.title}
    response_lapse = change.kind == ActionKind.LAPSE and change.deadline == "respond_by"
    template = RESPONSE_LAPSE if response_lapse else SUBJECTS.get(change.kind, OTHER_CHANGE)
    subject = str(template) % params
    body = change.title if not change.note else f"{change.title}\n{change.note}"
    return subject, body
