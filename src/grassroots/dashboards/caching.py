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
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import translation

from grassroots.events.models import Event, EventAction
from grassroots.org.models import Unit

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
