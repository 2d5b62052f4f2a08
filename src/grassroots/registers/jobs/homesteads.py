"""The nightly 一户一宅 check (Huey periodic task)."""

from __future__ import annotations

from typing import Any, Final

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The local hour of the night when the check runs.
CHECK_HOUR: Final = 3


def check_everywhere() -> list[dict[str, Any]]:
    """The check over every root unit's subtree, as the system (no actor): one summary
    per root."""
    from grassroots.org.models import Unit
    from grassroots.registers.actions.homesteads import run_homestead_check

    roots = Unit.objects.filter(parent__isnull=True, active=True).defer("geometry").order_by("path")
    return [run_homestead_check(root, actor=None).as_dict() for root in roots]


@db_periodic_task(crontab(minute="40"))
def nightly_homestead_check() -> dict[str, Any]:
    """Every night at 03:40 local time: the 一户一宅 check of the whole tree
    (``actions.homesteads.run_homestead_check``, idempotent: a finding with an open case
    opens nothing). Scheduled hourly and acting only in the local hour ``CHECK_HOUR``:
    Huey's crontab reads UTC here, the night is the city's."""
    from django.utils import timezone

    now = timezone.localtime()
    if now.hour != CHECK_HOUR:
        return {"skipped": f"not {CHECK_HOUR:02d}:40 local time", "at": now.isoformat()}
    return {"runs": check_everywhere()}
