"""Who hears of a task's change (inbox, and a text message for urging): the members of a
unit — people with an active membership *on that unit itself* whose role grants the
action named — except the person who acted.

==========================  =============================================================
line                        recipients
==========================  =============================================================
create (a new sub-task)     the responsible unit's reporters (``supervision.report``)
report                      the issuer's verifiers (``supervision.verify``)
accept / return report      the responsible unit's reporters
request extension           the issuer's verifiers
approve / refuse extension  the responsible unit's reporters
urge, remind, lapse         the responsible unit's reporters (also texted)
escalate                    the responsible unit's reporters and the issuer's verifiers
                            (also texted)
close, cancel               the responsible unit's reporters
==========================  =============================================================

Actions call ``notify_on_commit``: the messages are written after the action's
transaction commits (a failing delivery is logged and never undoes the action). The daily
reminders call ``deliver_notices`` inside their own transaction, for many tasks at once:
one query for the memberships, one INSERT for the messages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from grassroots.inbox.actions import Message, deliver
from grassroots.org.models import Membership
from grassroots.org.permissions import roles_granting
from grassroots.supervision.models import ActionKind, TaskLevel
from grassroots.supervision.permissions import REPORT, VERIFY

#: Lines whose message is also texted.
TEXTED = frozenset({ActionKind.URGE, ActionKind.REMIND, ActionKind.LAPSE, ActionKind.ESCALATE})

SUBJECTS: dict[str, Promise] = {
    ActionKind.CREATE: gettext_lazy("New task for your unit: %(title)s"),
    ActionKind.REPORT: gettext_lazy("Progress on “%(title)s” awaits your verification"),
    ActionKind.ACCEPT_REPORT: gettext_lazy("Your progress report on “%(title)s” was accepted"),
    ActionKind.RETURN_REPORT: gettext_lazy("Your progress report on “%(title)s” was returned"),
    ActionKind.REQUEST_EXTENSION: gettext_lazy("An extension of “%(title)s” awaits your decision"),
    ActionKind.APPROVE_EXTENSION: gettext_lazy("The extension of “%(title)s” was approved"),
    ActionKind.REFUSE_EXTENSION: gettext_lazy("The extension of “%(title)s” was refused"),
    ActionKind.URGE: gettext_lazy("You are urged to act on “%(title)s”"),
    ActionKind.REMIND: gettext_lazy("“%(title)s” is due on %(deadline)s"),
    ActionKind.LAPSE: gettext_lazy("“%(title)s” is overdue: the deadline was %(deadline)s"),
    ActionKind.ESCALATE: gettext_lazy("“%(title)s” is now under %(level)s"),
    ActionKind.CLOSE: gettext_lazy("“%(title)s” was struck off"),
    ActionKind.CANCEL: gettext_lazy("“%(title)s” was cancelled"),
}
OTHER = gettext_lazy("“%(title)s” changed")


@dataclass(frozen=True, slots=True)
class Notice:
    """One message about one line of one task, to the members of one unit whose role
    grants ``action``."""

    task_id: int
    kind: str
    unit_id: int
    action: str
    title: str
    deadline: dt.date
    level: str = ""
    note: str = ""


def to_unit(
    task_id: int,
    kind: str,
    unit_id: int,
    *,
    title: str,
    deadline: dt.date,
    level: str = "",
    note: str = "",
) -> Notice:
    """A notice to the reporters of the responsible unit."""
    return Notice(task_id, kind, unit_id, REPORT, title, deadline, level, note)


def to_issuer(
    task_id: int,
    kind: str,
    unit_id: int,
    *,
    title: str,
    deadline: dt.date,
    level: str = "",
    note: str = "",
) -> Notice:
    """A notice to the verifiers of the issuing unit."""
    return Notice(task_id, kind, unit_id, VERIFY, title, deadline, level, note)


def task_url(task_id: int) -> str:
    """The task's page (empty while the supervision pages are not routed)."""
    try:
        return reverse("supervision:detail", args=[task_id])
    except NoReverseMatch:
        return ""


def wording(notice: Notice) -> tuple[str, str]:
    """The subject and text of the message (in the active language)."""
    level = str(TaskLevel(notice.level).label) if notice.level in TaskLevel.values else ""
    params = {"title": notice.title, "deadline": notice.deadline.isoformat(), "level": level}
    subject = str(SUBJECTS.get(notice.kind, OTHER)) % params
    body = notice.title if not notice.note else f"{notice.title}\n{notice.note}"
    return subject, body


def deliver_notices(notices: Sequence[Notice], *, actor_id: int | None = None) -> int:
    """Put each notice in the inbox of its recipients (texting the urging kinds); the
    number of messages. One query for the memberships, one INSERT per kind of delivery."""
    if not notices:
        return 0
    actions = {n.action for n in notices}
    roles = {action: roles_granting(action) for action in actions}
    every_role = set().union(*roles.values())
    members: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = (
        Membership.objects.active()
        .filter(unit_id__in={n.unit_id for n in notices}, role__in=every_role, user__is_active=True)
        .order_by()
        .values_list("user_id", "unit_id", "role")
    )
    for user_id, unit_id, role in rows:
        for action in actions:
            if role in roles[action]:
                members[(unit_id, action)].add(user_id)
    texted: list[Message] = []
    plain: list[Message] = []
    sent: set[tuple[int, int, str]] = set()
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            users = members.get((notice.unit_id, notice.action), set()) - {actor_id}
            if not users:
                continue
            subject, body = wording(notice)
            url = task_url(notice.task_id)
            target = texted if notice.kind in TEXTED else plain
            for user_id in sorted(users):
                if (user_id, notice.task_id, notice.kind) in sent:
                    continue  # a person hears once per line
                sent.add((user_id, notice.task_id, notice.kind))
                target.append(
                    Message(
                        recipient_id=user_id,
                        subject=subject,
                        body=body,
                        url=url,
                        object_type="supervision.task",
                        object_id=str(notice.task_id),
                    )
                )
    return deliver(texted, sms=True) + deliver(plain)


def notify_on_commit(notices: Sequence[Notice], *, actor_id: int | None = None) -> None:
    """``deliver_notices`` once the action's transaction commits (robust)."""
    if not notices:
        return
    frozen = tuple(notices)
    transaction.on_commit(lambda: _deliver_now(frozen, actor_id), robust=True)


def _deliver_now(notices: Sequence[Notice], actor_id: int | None) -> None:
    with transaction.atomic():
        deliver_notices(notices, actor_id=actor_id)
