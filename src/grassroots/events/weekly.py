"""每周一件事 (the weekly "one thing"): did each village solve at least one problem a week?

For every village or community (村/社区) and ISO week (Monday 00:00 to the next Monday,
local time), the events *of the village* (placed in it by their position) that were
resolved that week: ``resolved_at``, or ``closed_at`` for an event closed on the spot
(就地解决), falls in the week; rejected events never count.

* ``tally(unit, mondays)``: for all villages under a township or city and a range of
  weeks, how many events each resolved each week and one of them — one query for the
  events (and one for the villages).
* ``village_weeks(village, weeks)``: the last weeks of one village with the events
  resolved in each, for the village page — one query.
* the metric ``events.weekly_one_thing_coverage``: the share of the period's weeks with
  at least one resolved event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateTimeField, Min, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.events.models import Event
from grassroots.events.states import EventStatus
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

WEEK = dt.timedelta(days=7)
HANDLED_AT = Coalesce("resolved_at", "closed_at", output_field=DateTimeField())


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Mondays of the ISO weeks from the one containing ``first`` to the one
    containing ``last``."""
    start, stop = monday_of(first), monday_of(last)
    return [start + WEEK * i for i in range((stop - start).days // 7 + 1)]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=_zone())


def weeks_of(period: Period, now: dt.datetime | None = None) -> list[dt.date]:
    """The weeks of a period: ISO weeks whose Thursday falls in it (the ISO rule that
    gives each week to one year, applied to any period) and that have ended by ``now``."""
    now = now or timezone.now()
    first, last = period.local_dates()
    result = []
    for monday in mondays(first, last):
        thursday = _midnight(monday + dt.timedelta(days=3))
        if thursday in period and _midnight(monday + WEEK) <= now:
            result.append(monday)
    return result


def resolved_between(start: dt.date, stop: dt.date) -> QuerySet[Event]:
    """Events resolved from local midnight of ``start`` to local midnight of ``stop``,
    with ``handled_at`` (annotate ``week=week_of()`` to group them by week)."""
    return (
        Event.objects.annotate(handled_at=HANDLED_AT)
        .filter(handled_at__gte=_midnight(start), handled_at__lt=_midnight(stop))
        .exclude(status=EventStatus.REJECTED)
    )


def week_of() -> TruncWeek:
    """The local Monday 00:00 of ``handled_at``."""
    return TruncWeek("handled_at", tzinfo=_zone())


@dataclass(frozen=True, slots=True)
class WeekTally:
    """One village's week: how many events it resolved, and one of them."""

    monday: dt.date
    resolved: int = 0
    example_id: int | None = None

    @property
    def done(self) -> bool:
        return self.resolved > 0

    @property
    def label(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def tally(
    unit: Unit, weeks: Sequence[dt.date], villages: Sequence[int] | None = None
) -> dict[int, list[WeekTally]]:
    """For every active village or community in ``unit``'s subtree (the unit itself if it
    is one) — or only ``villages`` (ids, e.g. one page of them) — its weeks ``weeks``
    (Mondays, ascending) in order: one query for the events (and one for the villages
    when they are not given)."""
    if villages is None:
        villages = list(
            Unit.objects.active()
            .within(unit)
            .filter(kind__in=VILLAGE_LEVEL)
            .order_by("path")
            .values_list("pk", flat=True)
        )
    result: dict[int, list[WeekTally]] = {}
    if not villages or not weeks:
        return {v: [WeekTally(m) for m in weeks] for v in villages}
    # Each week counted with a FILTER on its range rather than grouped by a truncated date,
    # which SQLite computes by calling Python once per row (a city's 8 weeks: 150 ms → a few).
    aggregates: dict[str, Any] = {}
    for i, monday in enumerate(weeks):
        in_week = Q(handled_at__gte=_midnight(monday), handled_at__lt=_midnight(monday) + WEEK)
        aggregates[f"n{i}"] = Count("pk", filter=in_week)
        aggregates[f"first{i}"] = Min("pk", filter=in_week)
    rows = (
        resolved_between(min(weeks), max(weeks) + WEEK)
        .filter(subtree_q("area_path", unit.path), village_id__in=villages)
        .values("village_id")
        .annotate(**aggregates)
        .order_by()
    )
    found = {row["village_id"]: row for row in rows}
    for village_id in villages:
        row = found.get(village_id, {})
        result[village_id] = [
            WeekTally(m, int(row.get(f"n{i}") or 0), row.get(f"first{i}"))
            for i, m in enumerate(weeks)
        ]
    return result


def _local_date(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(_zone()).date() if moment.tzinfo else moment.date()
    return moment


@dataclass
class VillageWeek:
    """One week of one village, with the events it resolved (for the village page)."""

    monday: dt.date
    events: list[Event] = field(default_factory=list)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def done(self) -> bool:
        return bool(self.events)

    @property
    def label(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def village_weeks(
    village: Unit, weeks: int = 8, *, today: dt.date | None = None
) -> list[VillageWeek]:
    """The last ``weeks`` ISO weeks of ``village`` (the current one first, running or
    not), each with the events resolved in it, in one query."""
    today = today or timezone.localdate()
    current = monday_of(today)
    result = [VillageWeek(current - WEEK * i) for i in range(weeks)]
    by_monday = {w.monday: w for w in result}
    if not result:
        return result
    events = (
        resolved_between(result[-1].monday, current + WEEK)
        .filter(village=village)
        .select_related("category")
        .order_by("handled_at", "pk")
    )
    for event in events:
        handled: dt.datetime = getattr(event, "handled_at")  # noqa: B009 (annotation)
        week = by_monday.get(monday_of(_local_date(handled)))
        if week is not None:
            week.events.append(event)
    return result


# --- the metric ---------------------------------------------------------------------------


def _coverage_evidence(unit_id: int, period: Period) -> QuerySet[Event]:
    weeks = weeks_of(period)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not weeks:
        return Event.objects.none()
    return (
        resolved_between(weeks[0], weeks[-1] + WEEK)
        .filter(subtree_q("area_path", unit.path), village__isnull=False)
        .order_by("handled_at", "pk")
    )


@metric(
    "events.weekly_one_thing_coverage",
    label=_("Weekly one-thing coverage"),
    unit="%",
    direction="higher",
    evidence=_coverage_evidence,
)
def weekly_one_thing_coverage(period: Period, units: Units) -> list[MetricValue]:
    """每周一件事覆盖率 = weeks with at least one resolved event / weeks of the period.

    Weeks of the period: ISO weeks (Monday to Sunday, local time) whose Thursday falls in
    the period and that have ended when the figure is computed. A week is covered for a
    village when at least one event placed in the village was resolved in it
    (``resolved_at``, or ``closed_at`` when closed on the spot; rejected events never).
    Village or community: numerator = covered weeks, denominator = weeks of the period.
    Township or street: numerator = covered (village, week) pairs over its active
    villages and communities, denominator = their number × weeks of the period. Other
    kinds: no value. One query for the events of all units, one for the villages of the
    townships.
    """
    from grassroots.events.metrics import UnitsByLevel

    asked = UnitsByLevel.of(units)
    weeks = weeks_of(period)
    week_keys = {_midnight(m) for m in weeks}
    covered: dict[int, set[tuple[int, dt.date]]] = defaultdict(set)
    villages_of: dict[int, int] = {}
    levels = {lvl: ids for lvl, ids in asked.levels.items() if lvl != "grid_id"}
    if weeks and levels:
        group = [lvl for lvl in ("village_id", "township_id") if lvl in levels]
        condition = Q()
        for level in group:
            condition |= asked.restrict(level)
        rows = (
            resolved_between(weeks[0], weeks[-1] + WEEK)
            .filter(condition, village__isnull=False)
            .annotate(week=week_of())
            .values("village_id", "township_id", "week")
            .distinct()
            .order_by()
            .values_list("village_id", "township_id", "week")
        )
        for village_id, township_id, week in rows:
            monday = _local_date(week)
            if _midnight(monday) not in week_keys:
                continue
            covered[village_id].add((village_id, monday))
            if township_id is not None:
                covered[township_id].add((village_id, monday))
        if "township_id" in levels:
            villages_of = dict(
                Unit.objects.active()
                .filter(kind__in=VILLAGE_LEVEL, parent_id__in=levels["township_id"])
                .values("parent_id")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("parent_id", "n")
            )
    result = []
    village_ids = set(levels.get("village_id", ()))
    township_ids = set(levels.get("township_id", ()))
    for unit_id in asked.order:
        if unit_id in village_ids:
            hits, total = len(covered.get(unit_id, ())), len(weeks)
        elif unit_id in township_ids:
            hits, total = len(covered.get(unit_id, ())), len(weeks) * villages_of.get(unit_id, 0)
        else:
            result.append(MetricValue(unit_id, None, None, None))
            continue
        value: Decimal | None = percent(hits, total)
        result.append(MetricValue(unit_id, value, hits, total))
    return result
