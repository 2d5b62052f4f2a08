"""Background work of the dashboards (Huey): counting ahead the figures of the units
above township level, so that nobody waits while a province's year of events is counted."""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from grassroots.common.routers import reading_replica
from grassroots.dashboards import caching, maps, snapshot
from grassroots.org.models import Unit


def units_ahead() -> list[Unit]:
    """The active units whose figures are counted ahead, the largest (shallowest) first."""
    return sorted(
        Unit.objects.active()
        .filter(kind__in=caching.AHEAD_KINDS)
        .defer("geometry")
        .order_by("path"),
        key=lambda u: (u.depth, u.path),
    )


def count_all() -> dict[str, Any]:
    """Count every unit above township level once (its dashboard's figures, and its map's
    when the map is drawn by areas); what was done and how long it took."""
    if not caching.shared() or not caching.snapshot_seconds():
        # One process's memory: the web processes would never see the worker's figures.
        return {"skipped": "the cache is not shared between processes, or is off"}
    began = time.perf_counter()
    units = units_ahead()
    maps_counted = 0
    for unit in units:
        # Figures of a whole city or province: read on the replica when there is one.
        with reading_replica():
            snapshot.count_ahead(unit, timezone.now())
            if maps.count_ahead(unit):
                maps_counted += 1
    return {
        "units": len(units),
        "maps": maps_counted,
        "seconds": round(time.perf_counter() - began, 1),
    }


# A province (四川: 205 units above township level) takes about 7 minutes on PostgreSQL the
# first time and about 5 once the closed months are in the cache; its figures are kept for
# 20 minutes (``caching.SNAPSHOT_SECONDS``).
@db_periodic_task(crontab(minute="*/10"))
@HUEY.lock_task("grassroots.dashboards.count-boards")
def count_boards() -> dict[str, Any]:
    """Every ten minutes (one run at a time): the figures of the units above township
    level, for their dashboards and staff homes."""
    return count_all()
