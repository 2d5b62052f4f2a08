"""Named reads of events; scope comes from the place (area) and the assigned unit."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.utils import timezone

from grassroots.events.states import DISPATCH_QUEUE, OPEN_STATUSES, EventStatus
from grassroots.org.queries import ScopedQuerySet


class EventQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path", "assignee_path")
    view_action = "events.view"

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime | None = None) -> Self:
        """Open and past the handling deadline (derived, never stored)."""
        return self.open().filter(resolve_by__lt=now or timezone.now())

    def due_between(self, start: dt.datetime, end: dt.datetime) -> Self:
        return self.open().filter(resolve_by__gte=start, resolve_by__lt=end)

    def awaiting_dispatch(self) -> Self:
        return self.filter(status__in=DISPATCH_QUEUE)

    def awaiting_verification(self) -> Self:
        return self.filter(status=EventStatus.RESOLVED)

    def assigned_to(self, unit: Any) -> Self:
        return self.filter(assignee=unit)
