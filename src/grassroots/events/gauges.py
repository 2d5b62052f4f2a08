"""The events' figures on ``/metrics`` (``common.prometheus``), read at scrape time."""

from __future__ import annotations

from grassroots.common.prometheus import state_gauge


def events_overdue() -> int:
    """Open events past their handling deadline: ``EventQuerySet.overdue``, the definition
    of the queue's "overdue" tab and the dashboards' overdue figure, over every unit."""
    from grassroots.events.models import Event

    return Event.objects.overdue().order_by().count()


def register() -> None:
    state_gauge(
        "grassroots_events_overdue",
        "Open events past their handling deadline (the queues' overdue tab, all units).",
        events_overdue,
        part="database",
    )
