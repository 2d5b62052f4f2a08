"""Named reads of events; scope comes from the place (area) and the assigned unit."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.utils import timezone

from grassroots.events.states import DISPATCH_QUEUE, OPEN_STATUSES, EventStatus
from grassroots.org.queries import ScopedQuerySet


class EventQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path", "assignee_path", "dispatcher__path")
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

    def for_dispatcher(self, unit: Any) -> Self:
        """What the dispatchers of ``unit`` watch: events it must act on (assignee) and
        events it sent out and will verify (dispatcher)."""
        from django.db.models import Q

        return self.filter(Q(assignee=unit) | Q(dispatcher=unit))

    def public_lookup(self, number: str, phone_last4: str) -> Any:
        """The event with exactly this number whose contact phone ends in ``phone_last4``
        (four digits), or ``None`` — the same answer for a wrong number and a wrong
        phone. The digits are compared in constant time."""
        import hmac

        number = (number or "").strip().upper() if isinstance(number, str) else ""
        last4 = phone_last4.strip() if isinstance(phone_last4, str) else ""
        if not (0 < len(number) <= 32 and number.isascii() and number.isalnum()):
            return None
        if not (len(last4) == 4 and last4.isascii() and last4.isdigit()):
            return None
        event = self.filter(number=number).first()
        digits = "".join(ch for ch in (event.contact_phone if event else "") if ch.isdigit())
        expected = digits[-4:] if len(digits) >= 4 else "\x00" * 4
        if not hmac.compare_digest(expected.encode(), last4.encode()) or event is None:
            return None
        return event
