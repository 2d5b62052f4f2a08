"""Small helpers of the event templates: deadline badges and status colours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from grassroots.events.states import CLOSED_STATUSES, OPEN_STATUSES, EventStatus

register = template.Library()

#: How close a deadline must be to be drawn as "due soon".
DUE_SOON = dt.timedelta(hours=24)


@register.filter
def deadline_state(event: Any, now: dt.datetime | None = None) -> str:
    """``overdue``, ``due-soon`` or ``""`` for an event (only open events can be late)."""
    resolve_by = getattr(event, "resolve_by", None)
    if resolve_by is None or getattr(event, "status", None) not in OPEN_STATUSES:
        return ""
    now = now or timezone.now()
    if resolve_by < now:
        return "overdue"
    if resolve_by - now <= DUE_SOON:
        return "due-soon"
    return ""


@register.filter
def status_class(status: str) -> str:
    """A CSS class per family of statuses, so the badges read at a glance."""
    if status in CLOSED_STATUSES:
        return "st-done"
    if status in (EventStatus.RETURNED, EventStatus.REWORKED, EventStatus.REOPENED):
        return "st-back"
    if status in (EventStatus.RESOLVED, EventStatus.VERIFIED):
        return "st-check"
    if status == EventStatus.ESCALATED:
        return "st-up"
    return "st-open"


@register.filter
def status_label(status: str) -> str:
    try:
        return str(EventStatus(status).label)
    except ValueError:
        return status
