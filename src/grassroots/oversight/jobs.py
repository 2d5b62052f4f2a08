"""Periodic work of the oversight cases (Huey): every morning, each village's cadres hear
of the cases of their village past the rectification deadline (one inbox message per
person and day, listing the case numbers; run twice, it sends nothing more)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Final

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The inbox's object type of the daily message (its object id is the day).
REMINDER: Final = "oversight.overdue"
#: Case numbers named in one message at most.
LISTED: Final = 20


def send_overdue_reminders(today: dt.date) -> int:
    """Tell the cadres of every village with cases past their deadline on ``today``;
    the number of messages. A fixed number of queries: the overdue cases, the
    memberships, the messages already sent today, one INSERT."""
    from django.conf import settings
    from django.db import transaction
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from grassroots.inbox.actions import Message, deliver
    from grassroots.inbox.models import Notification
    from grassroots.oversight.models import Case
    from grassroots.oversight.notify import responders
    from grassroots.oversight.queries import overdue_q

    overdue: dict[int, list[str]] = defaultdict(list)
    for unit_id, number in (
        Case.objects.filter(overdue_q(today))
        .order_by("deadline", "pk")
        .values_list("unit_id", "number")
    ):
        overdue[unit_id].append(number)
    if not overdue:
        return 0
    people = responders(overdue)
    day = today.isoformat()
    with transaction.atomic():
        sent = set(
            Notification.objects.filter(object_type=REMINDER, object_id=day).values_list(
                "recipient_id", flat=True
            )
        )
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            url = reverse("oversight:home") + "?overdue=on"
            for unit_id, numbers in sorted(overdue.items()):
                subject = _("%(n)d oversight cases of your village are past the deadline") % {
                    "n": len(numbers)
                }
                body = "、".join(numbers[:LISTED]) + ("…" if len(numbers) > LISTED else "")
                for user_id in sorted(people.get(unit_id, set()) - sent):
                    sent.add(user_id)
                    messages.append(
                        Message(user_id, subject, body, url, object_type=REMINDER, object_id=day)
                    )
        return deliver(messages)


@db_periodic_task(crontab(hour="8", minute="40"))
def remind_overdue_cases() -> int:
    """Every day at 08:40: the overdue cases' reminder (``send_overdue_reminders``)."""
    from django.utils import timezone

    return send_overdue_reminders(timezone.localdate())
