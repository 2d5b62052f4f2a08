"""Background work of target supervision (Huey): the daily reminders.

The job runs every hour (at minute 7) and acts from ``conf.remind_hour()`` local time
(08:00 unless configured): the first run of a working day sends that day's reminders and
escalations, later runs find nothing new (``send_reminders`` is idempotent per day). An
hourly schedule rather than one fixed time, so that a worker started late in the morning
still sends the day's reminders.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from grassroots.supervision import conf


@db_periodic_task(crontab(minute="7"))
def send_daily_reminders() -> dict[str, Any]:
    """Every hour from the reminder hour: the day's reminders, overdue reminders and
    escalations (``actions.send_reminders``)."""
    from grassroots.supervision.actions import send_reminders

    now = timezone.localtime()
    if now.hour < conf.remind_hour():
        return {"day": now.date().isoformat(), "skipped": "before the reminder hour"}
    return send_reminders(now.date()).as_dict()
