"""Background work of events (Huey): the deadline sweep every minute."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from grassroots.events.sweep import sweep


@db_periodic_task(crontab())
def sweep_deadlines() -> dict[str, Any]:
    """Every minute: remind, lapse and escalate what fell due since the last sweep."""
    return sweep().as_dict()
