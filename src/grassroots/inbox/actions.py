"""Every write to the inbox: deliver messages, mark them read.

Reading a message is not a governance record, so these writes leave no audit entry.
Text messages go out after the delivering transaction commits, through a Huey task
(``jobs.send_sms``) and the backend of ``grassroots.common.sms``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from grassroots.inbox.bulk import insert_rows
from grassroots.inbox.models import Notification, SmsState

if TYPE_CHECKING:
    from grassroots.org.models import User

FIELDS = (
    "recipient_id",
    "subject",
    "body",
    "link",
    "object_type",
    "object_id",
    "sms",
    "created_at",
)
SUBJECT_MAX = Notification._meta.get_field("subject").max_length or 200
LINK_MAX = Notification._meta.get_field("link").max_length or 500


@dataclass(frozen=True, slots=True)
class Message:
    """One message to one person (``deliver`` sends many in one INSERT)."""

    recipient_id: int
    subject: str
    body: str = ""
    url: str = ""
    object_type: str = ""
    object_id: str = ""


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def deliver(messages: Iterable[Message], *, sms: bool = False) -> int:
    """Put ``messages`` in their recipients' inboxes; returns how many.

    One ``COPY`` (PostgreSQL) or an INSERT per 500 messages, in the caller's transaction
    (a rolled-back change tells nobody). With ``sms``, each message is also texted to its
    recipient after commit: its ``sms`` state is *pending* until the backend answers
    (*sent*, *logged* only, *failed*, or *no_phone*).
    """
    now = timezone.now()
    state = SmsState.PENDING if sms else SmsState.NONE
    rows = [
        (
            m.recipient_id,
            _fit(m.subject, SUBJECT_MAX),
            m.body,
            m.url if len(m.url) <= LINK_MAX else "",
            m.object_type,
            m.object_id,
            str(state),
            now,
        )
        for m in messages
    ]
    if not rows:
        return 0
    ids = insert_rows(Notification, FIELDS, rows)
    if sms:

        def _schedule() -> None:
            from grassroots.inbox.jobs import send_sms

            send_sms(ids)

        transaction.on_commit(_schedule)
    return len(rows)


def notify(
    *,
    users: Iterable[User],
    subject: str,
    body: str,
    url: str = "",
    sms: bool = False,
    object_type: str = "",
    object_id: str = "",
) -> int:
    """Send the same message to each active user of ``users`` (once per person).

    Returns the number of notifications created. ``url`` is the local path of the record
    the message is about; with ``sms``, users with a phone are also texted (see
    ``deliver``).
    """
    seen: set[int] = set()
    messages = []
    for user in users:
        if user.pk is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        messages.append(
            Message(
                recipient_id=user.pk,
                subject=subject,
                body=body,
                url=url,
                object_type=object_type,
                object_id=object_id,
            )
        )
    return deliver(messages, sms=sms)


def mark_read(notification_id: int, *, actor: User) -> Notification:
    """Mark one of ``actor``'s own notifications read (again: no change).

    Raises ``Notification.DoesNotExist`` for a notification that is not the actor's, so
    that a view answers 404 without telling whether it exists.
    """
    Notification.objects.filter(
        pk=notification_id, recipient_id=actor.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    return Notification.objects.get(pk=notification_id, recipient_id=actor.pk)


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
