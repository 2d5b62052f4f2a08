"""Background work of the cadres app (Huey periodic tasks)."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

#: The local hour of the night when the key moments are derived.
KEY_MOMENTS_HOUR = 2


@db_periodic_task(crontab(minute="30"))
def sync_all_key_moments() -> dict[str, Any]:
    """Every night at 02:30 local time: the key moments of every cadre in office who has
    a login, derived from the supervision and events data (``actions.key_moments``), in
    one run with one audit entry. Scheduled hourly and acting only in the local hour
    ``KEY_MOMENTS_HOUR``: Huey's crontab reads UTC here (``HUEY["utc"]``), the night is
    the city's (``TIME_ZONE``)."""
    from django.utils import timezone

    from grassroots.cadres.actions.key_moments import sync_key_moments
    from grassroots.cadres.models import Cadre
    from grassroots.cadres.states import CadreStatus

    now = timezone.localtime()
    if now.hour != KEY_MOMENTS_HOUR:
        return {"skipped": f"not {KEY_MOMENTS_HOUR:02d}:30 local time", "at": now.isoformat()}
    ids = list(
        Cadre.objects.filter(status=CadreStatus.ACTIVE, user__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sync_key_moments(ids).as_dict()


@db_periodic_task(crontab(minute="*/15"))
def close_tolerance_notices() -> dict[str, Any]:
    """Every 15 minutes: the error-tolerance cases whose public notice is over take effect
    when no objection is pending; those with one wait for its answer
    (``actions.tolerance.close_notices``, idempotent)."""
    from django.utils import timezone

    from grassroots.cadres.actions.tolerance import close_notices

    return close_notices(timezone.now()).as_dict()
