"""A short-lived cache of the figures of a dashboard that every viewer of a unit shares.

A city's 12 months are three scans of a year of events (a few hundred milliseconds on
SQLite); they change slowly, so they are kept for a few minutes. The key holds the unit,
the language, the time slice (``DASHBOARD_CACHE_SECONDS``, default 300; 0 turns the cache
off), and the newest event and event action: any new event or transition (a report, a
dispatch, a closing, a rating) starts a fresh entry, so a number never lags behind a
change made since — only the passing of time (a deadline lapsing) waits for the next
slice. Only figures that do not depend on the viewer are cached (the unit is in the
viewer's scope, so all its area's events are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import translation

from grassroots.dashboards.figures import AREA_KINDS
from grassroots.events.models import Event, EventAction
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind

T = TypeVar("T")
DEFAULT_SECONDS = 300


def seconds() -> int:
    value = getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS)
    return max(0, int(value))


class BoardCache:
    """The cache entries of one unit's dashboard at ``now`` (two index reads to build)."""

    def __init__(self, unit: Unit, now: dt.datetime) -> None:
        self.ttl = seconds()
        self.prefix = ""
        if self.ttl:
            newest_event = Event.objects.aggregate(m=Max("pk"))["m"] or 0
            newest_action = EventAction.objects.aggregate(m=Max("pk"))["m"] or 0
            slice_ = int(now.timestamp()) // self.ttl
            self.prefix = (
                f"dashboards:{unit.pk}:{unit.path}:{translation.get_language()}:"
                f"{slice_}:{newest_event}:{newest_action}"
            )

    def get(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, or its value kept under ``name`` for this unit and moment."""
        if not self.ttl:
            return compute()
        key = f"{self.prefix}:{name}"
        found = cache.get(key)
        if found is None:
            found = compute()
            cache.set(key, found, self.ttl)
        return found  # type: ignore[no-any-return]


# --- the figures of the units above township level, counted ahead ------------------------

#: How old a unit's counted figures may be before the page counts them again (seconds).
SNAPSHOT_SECONDS = 1200


def snapshot_seconds() -> int:
    """0 when the dashboards' cache is off (``DASHBOARD_CACHE_SECONDS`` 0)."""
    if not seconds():
        return 0
    value = getattr(settings, "DASHBOARD_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS)
    return max(0, int(value))


#: The kinds of units whose figures are counted ahead: those above township level (a city, a
#: prefecture, a province), whose subtree is too large to count while someone waits.
AHEAD_KINDS = AREA_KINDS - {*TOWNSHIP_LEVEL, *VILLAGE_LEVEL, UnitKind.GRID}


def counted_ahead(unit: Unit) -> bool:
    """Whether ``unit``'s figures are counted ahead (``AHEAD_KINDS``)."""
    return unit.kind in AHEAD_KINDS


def snapshot_key(unit: Unit) -> str:
    return f"dashboards:snapshot:{unit.pk}:{unit.path}"


def read_snapshot(unit: Unit, now: dt.datetime) -> Any:
    """The figures last counted for ``unit`` (``store_snapshot``) if not older than
    ``snapshot_seconds()``; ``None`` otherwise."""
    ttl = snapshot_seconds()
    if not ttl:
        return None
    found = cache.get(snapshot_key(unit))
    if found is None:
        return None
    at: dt.datetime = found.at
    if at < now - dt.timedelta(seconds=ttl) or at > now + dt.timedelta(seconds=ttl):
        return None
    return found


def store_snapshot(unit: Unit, figures: object) -> None:
    """Keep ``figures`` (an object with ``at``, the moment they were counted)."""
    ttl = snapshot_seconds()
    if ttl:
        cache.set(snapshot_key(unit), figures, ttl * 2)


def shared() -> bool:
    """Whether the cache is shared between processes (a worker's figures reach the web
    processes): not one process's memory."""
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    return not backend.endswith("LocMemCache")
