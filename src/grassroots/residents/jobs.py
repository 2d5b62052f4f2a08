"""Periodic work of the residents app (Huey): the nightly notice of overdue care visits.

Huey's crontab reads UTC here (``HUEY["utc"]``) while the night is the city's
(``TIME_ZONE``): the task is scheduled hourly and acts only in the local hour
``NOTICE_HOUR``; ``send_overdue_notices`` sends at most one notice per worker and day, so
a second run the same day changes nothing.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The local hour when grid workers are told of their overdue visits (before the day's
#: rounds).
NOTICE_HOUR = 6


@db_periodic_task(crontab(minute="40"))
def notify_overdue_visits() -> dict[str, Any]:
    """Every morning at 06:40 local time: each grid worker whose grid(s) have overdue care
    visits gets an inbox notice with their number (``actions.care.send_overdue_notices``)."""
    from django.utils import timezone

    from grassroots.residents.actions.care import send_overdue_notices

    now = timezone.localtime()
    if now.hour != NOTICE_HOUR:
        return {"skipped": f"not {NOTICE_HOUR:02d}:40 local time", "at": now.isoformat()}
    return send_overdue_notices(now.date()).as_dict()
