"""Periodic work of the construction register (Huey): the sweep for 违法建设 events whose
case the receiver did not open."""

from __future__ import annotations

import datetime as dt
from typing import Final

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: How far back the sweep looks for events without a case.
SWEEP_DAYS: Final = 30


@db_periodic_task(crontab(minute="*/10"))
def open_missed_construction_cases() -> dict[str, int]:
    """Every 10 minutes: open the case of every 违法建设 event of the last 30 days that has
    none (``actions.construction.open_missed_cases``; idempotent)."""
    from django.utils import timezone

    from grassroots.registers.actions.construction import open_missed_cases

    since = timezone.now() - dt.timedelta(days=SWEEP_DAYS)
    return open_missed_cases(since).as_dict()
