"""The monthly planning of the 党建月会 (Huey periodic task)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The local day of the month and hour when next month's meetings are planned.
PLAN_DAY: Final = 20
PLAN_HOUR: Final = 2


def next_month(today: dt.date) -> str:
    """``YYYY-MM`` of the month after ``today``'s."""
    first_next = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return f"{first_next:%Y-%m}"


def plan_next_month(today: dt.date | None = None) -> dict[str, Any]:
    """Plan next month's 党建月会 for every active township and village, as the system
    (``actions.meetings.plan_monthly``: idempotent, a unit that has one keeps it)."""
    from django.utils import timezone

    from grassroots.partybuilding.actions.meetings import plan_monthly

    plan = plan_monthly(next_month(today or timezone.localdate()), actor=None)
    return {"period": plan.period, "units": plan.units, "created": plan.created}


@db_periodic_task(crontab(minute="15"))
def monthly_meeting_plan() -> dict[str, Any]:
    """From the 20th of each month, at 02:15 local time, next month's 党建月会 are planned
    for every township and village (scheduled hourly and acting only in the local hour
    ``PLAN_HOUR`` on days from ``PLAN_DAY``: Huey's crontab reads UTC here; a day missed
    is caught up the next day, and a second run creates nothing)."""
    from django.utils import timezone

    now = timezone.localtime()
    if now.hour != PLAN_HOUR or now.day < PLAN_DAY:
        return {"skipped": f"not 02:15 local time from day {PLAN_DAY}", "at": now.isoformat()}
    return plan_next_month(now.date())
