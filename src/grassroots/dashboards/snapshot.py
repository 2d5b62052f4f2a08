"""The figures of a dashboard that do not depend on the viewer, counted in one go.

For a unit above township level (``caching.counted_ahead``) they are counted ahead by the
``dashboards.jobs.count_boards`` job and kept for ``DASHBOARD_SNAPSHOT_SECONDS``; the page
reads them and says when they were counted, and counts them itself (and keeps them) when
they are absent or too old. Below, they are counted per view, each piece kept by
``BoardCache`` until the next change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from grassroots.dashboards import caching, figures, panels, trends
from grassroots.dashboards.caching import BoardCache
from grassroots.events.models import Event
from grassroots.org.models import Unit


@dataclass
class BoardFigures:
    at: dt.datetime
    children: list[Unit]
    mine: figures.Today
    theirs: dict[int, figures.Today]
    weekly: panels.Weekly | None
    trends: trends.Trends
    overdue: list[Event]
    #: Counted ahead (the page says when), not for this view.
    ahead: bool = False


def count(unit: Unit, now: dt.datetime, cached: BoardCache | None = None) -> BoardFigures:
    """Every shared figure of ``unit``'s dashboard at ``now`` (each piece from ``cached``
    when given)."""

    def get(name: str, compute: Any) -> Any:
        return cached.get(name, compute) if cached is not None else compute()

    children = figures.children_of(unit)
    mine, theirs = figures.today(unit, children, now)
    rates = get("rates", lambda: figures.month_rates(children, now))
    figures.attach_rates(theirs, rates)
    today_date = timezone.localdate(now)
    return BoardFigures(
        at=now,
        children=children,
        mine=mine,
        theirs=theirs,
        weekly=get("weekly", lambda: panels.weekly(unit, children, today_date)),
        trends=get("trends", lambda: trends.trends(unit, now)),
        overdue=get("overdue", lambda: figures.most_overdue(unit, now)),
    )


def count_ahead(unit: Unit, now: dt.datetime | None = None) -> BoardFigures:
    """Count ``unit``'s figures now and keep them for the page (the job's work)."""
    found = count(unit, now or timezone.now())
    found.ahead = True
    caching.store_snapshot(unit, found)
    return found


def board_figures(unit: Unit, now: dt.datetime, cached: BoardCache) -> BoardFigures:
    """The figures the dashboard of ``unit`` shows at ``now``: counted ahead for a unit
    above township level (else counted now and kept for the next viewer), else counted
    now with ``BoardCache``."""
    if caching.counted_ahead(unit):
        found: BoardFigures | None = caching.read_snapshot(unit, now)
        if found is not None:
            return found
        if caching.snapshot_seconds():
            return count_ahead(unit, now)
    return count(unit, now, cached)
