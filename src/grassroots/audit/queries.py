"""Named reads of the audit log. Scope: the unit path recorded with each entry."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.utils import timezone

from grassroots.org.queries import ScopedQuerySet


class AuditEntryQuerySet(ScopedQuerySet):
    scope_path_fields = ("unit_path",)
    view_action = "audit.view"

    def sealed(self) -> Self:
        return self.filter(seq__isnull=False)

    def unsealed(self) -> Self:
        return self.filter(seq__isnull=True)

    def with_action_prefix(self, prefix: str) -> Self:
        """Entries whose action starts with ``prefix`` (``events`` or ``events.event``)."""
        prefix = prefix.strip()
        return self.filter(action__startswith=prefix) if prefix else self

    def on_or_after(self, day: dt.date) -> Self:
        """Entries from the start of ``day`` in the site's time zone."""
        return self.filter(created_at__gte=_start_of(day))

    def on_or_before(self, day: dt.date) -> Self:
        """Entries up to the end of ``day`` in the site's time zone."""
        return self.filter(created_at__lt=_start_of(day + dt.timedelta(days=1)))

    def for_object(self, object_type: str, object_id: str) -> Self:
        return self.filter(object_type=object_type, object_id=object_id)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
