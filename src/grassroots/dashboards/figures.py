"""Today's numbers of a unit and of each unit directly below it, by the event queue's own
definitions (``events.views.lists.tab_events`` with ``below``: every event placed in the
unit's area, whoever holds it), and the month's rates of the units below by the metrics'
own definitions (``events.metrics.ratios_together``).

Each figure is one grouped query for the unit and all its children at once: the unit's
number is the sum of every group (events placed in no child included), a child's is its
group. So a township's dashboard costs the same few queries with 5 villages or 50.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from grassroots.common.metrics import Period
from grassroots.events.metrics import LEVEL_FIELD, ON_TIME_CLOSING, SATISFACTION, ratios_together
from grassroots.events.models import Event
from grassroots.events.queries import BY_DEADLINE, EventQuerySet
from grassroots.events.views.lists import ROW_FIELDS, area_q, local_day_bounds, tab_events
from grassroots.org.models import Unit, UnitKind
from grassroots.org.queries import SEP

#: The queue tabs shown as today's numbers, in the queue's order.
TODAY_TABS = ("new", "due_today", "overdue", "verify")
#: Today's numbers: the events reported today, then the queue's tabs.
FIGURES = ("reported_today", *TODAY_TABS)
#: Kinds of units that have an area (and so a dashboard and a row in a children list).
AREA_KINDS = frozenset(UnitKind) - {UnitKind.DEPARTMENT}


@dataclass
class Today:
    """One unit's numbers of today (``FIGURES``), and its month's rates (children only)."""

    reported_today: int = 0
    new: int = 0
    due_today: int = 0
    overdue: int = 0
    verify: int = 0
    on_time_rate: Decimal | None = None
    satisfaction_rate: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        setattr(self, name, getattr(self, name) + n)


def children_of(unit: Unit) -> list[Unit]:
    """The active units directly below ``unit`` that have an area, in code order (one
    query, without their boundaries)."""
    return list(
        Unit.objects.active()
        .filter(parent=unit, kind__in=AREA_KINDS)
        .defer("geometry")
        .order_by("path")
    )


def figure_querysets(unit: Unit, now: dt.datetime) -> dict[str, QuerySet[Event]]:
    """The events behind each of today's numbers of ``unit`` (not evaluated)."""
    base: EventQuerySet = Event.objects.all()
    start, _end = local_day_bounds(timezone.localdate(now))
    found: dict[str, QuerySet[Event]] = {
        "reported_today": base.filter(area_q(unit), reported_at__gte=start, reported_at__lte=now)
    }
    for tab in TODAY_TABS:
        found[tab] = tab_events(base, unit, tab, now, below=True)
    return found


def _child_key(children: Sequence[Unit]) -> tuple[str, Any] | None:
    """How to group events by child: the events' own column of the children's level when
    they share one (``village_id`` …), else the prefix of the place's path; None without
    children."""
    if not children:
        return None
    fields = {LEVEL_FIELD.get(c.kind) for c in children}
    if len(fields) == 1:
        (column,) = fields
        if column is not None:
            return column, None
    lengths = {len(c.path) + 1 for c in children}
    if len(lengths) == 1:
        (length,) = lengths
        # "path." cut to the children's "path." length: a child's own prefix or none.
        expr = Substr(Concat("area_path", Value(SEP), output_field=CharField()), 1, length)
        return "child_prefix", expr
    return None


def today(unit: Unit, children: Sequence[Unit], now: dt.datetime) -> tuple[Today, dict[int, Today]]:
    """``unit``'s numbers of today and each child's: one grouped query per figure."""
    mine = Today()
    theirs = {c.pk: Today() for c in children}
    key = _child_key(children)
    by_prefix = {c.path + SEP: c.pk for c in children}
    for name, events in figure_querysets(unit, now).items():
        if key is None:
            mine.add(name, events.count())
            continue
        column, expr = key
        grouped = events.order_by()
        if expr is not None:
            grouped = grouped.annotate(**{column: expr})
        for group, n in grouped.values(column).annotate(n=Count("pk")).values_list(column, "n"):
            mine.add(name, n)
            child = by_prefix.get(group) if expr is not None else group
            if child in theirs:
                theirs[child].add(name, n)
    return mine, theirs


def month_rates(children: Sequence[Unit], now: dt.datetime) -> dict[int, tuple[Any, Any]]:
    """Each child's on-time closing rate and satisfaction rate of the current month so far
    (the metrics' definitions; one query per level of the children)."""
    if not children:
        return {}
    local = timezone.localdate(now)
    period = Period.parse(f"{local.year:04d}-{local.month:02d}")
    (on_time, satisfied), _median = ratios_together(
        [ON_TIME_CLOSING, SATISFACTION], period, children
    )
    return {a.unit_id: (a.value, b.value) for a, b in zip(on_time, satisfied, strict=True)}


def attach_rates(rows: dict[int, Today], rates: dict[int, tuple[Any, Any]]) -> None:
    """Put ``month_rates``' figures on the children's rows."""
    for unit_id, (on_time, satisfied) in rates.items():
        if unit_id in rows:
            rows[unit_id].on_time_rate = on_time
            rows[unit_id].satisfaction_rate = satisfied


def most_overdue(unit: Unit, now: dt.datetime, limit: int = 6) -> list[Event]:
    """The open events of ``unit``'s area longest past their deadline (the queue's overdue
    tab, its order reversed to oldest deadline first)."""
    events = tab_events(Event.objects.all(), unit, "overdue", now, below=True)
    return list(
        events.select_related("category", "grid", "village", "assignee")
        .only(*ROW_FIELDS)
        .order_by(*BY_DEADLINE)[:limit]
    )


def open_events(unit: Unit, now: dt.datetime, limit: int = 10) -> list[Event]:
    """The open events of a grid, soonest deadline first (a grid has no units below it,
    so its list is its records)."""
    return list(
        Event.objects.filter(area_q(unit))
        .open()
        .select_related("category", "grid", "village", "assignee")
        .only(*ROW_FIELDS)
        .order_by(*BY_DEADLINE)[:limit]
    )
