"""The maps' figures: each drawn area's value of a metric, set-based — one query per
metric for all the areas of a map, whatever their number.

An area is a grid (the map of a unit with few grids) or a unit one level down (the map of
a unit with too many grids to draw: a province's prefectures, a prefecture's counties).
The metrics' definitions are the registered ones of ``events.metrics`` — the same
population (denominator) and hit (numerator) ``Q`` objects, the same ``percent`` — only
the grouping differs:

* grids: the events placed in a grid under the unit, grouped by ``grid_id``;
* units at village or township level: the events placed in each (``village_id`` or
  ``township_id``), grouped by that column;
* units above township level (counties, prefectures): the events placed in the
  townships under the unit, grouped by ``township_id`` in the database, then each
  township's counts added to the area above it that contains it (its path's prefix). Sums
  of counts, not averages of rates: an area's rate is its hits over its population, so it
  equals the rate of its grids' counts added together.

An area's figures count every event placed in it (an event placed by hand at a village or
township without a grid too); a grid's, the events placed in that grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from grassroots.common.metrics import Period, percent
from grassroots.events.metrics import LEVEL_FIELD, ON_TIME_CLOSING, SATISFACTION, Ratio
from grassroots.events.models import Event
from grassroots.org.models import PATH_SEPARATOR, TOWNSHIP_LEVEL, Unit, UnitKind

#: The registered rate behind each periodic map metric (``MapMetric.metric``).
RATIOS: dict[str, Ratio] = {
    "events.on_time_close_rate": ON_TIME_CLOSING,
    "events.satisfaction_rate": SATISFACTION,
}


@dataclass(frozen=True, slots=True)
class Area:
    """A drawn area: a grid, or a unit one level down."""

    pk: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class AreaValue:
    area: Area
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None

    @property
    def grid(self) -> Area:
        """The area (the name of the grid maps' first version)."""
        return self.area


@dataclass(frozen=True)
class Placement:
    """How events are grouped into areas: the event column grouped by, the filter keeping
    the events of the map's unit, and (when the column is not the areas' own) which area
    each of the column's values adds to."""

    column: str
    where: Q
    area_of: Callable[[], dict[int, int]] | None = None


def placed_in(unit: Unit) -> Q:
    """Events placed in a grid under ``unit``, by the unit's own event column (a township,
    village or grid), or for a unit above by the townships below it — so that each reads
    the ``ev_*_queue`` indexes (unit, status, deadline) rather than every event."""
    level = LEVEL_FIELD.get(unit.kind)
    if level is not None:
        return Q(**{level: unit.pk}, grid__isnull=False)
    townships = Unit.objects.within(unit).filter(kind__in=TOWNSHIP_LEVEL).order_by().values("pk")
    return Q(township__in=townships, grid__isnull=False)


def grid_placement(unit: Unit) -> Placement:
    """The events of each grid at or below ``unit``: by the grids' ids, so that a count
    reads ``ev_grid_queue`` (grid, status, deadline) alone."""
    grids = Unit.objects.within(unit).filter(kind=UnitKind.GRID).order_by().values("pk")
    return Placement("grid_id", Q(grid__in=grids))


def child_placement(unit: Unit, children: list[tuple[Area, str, str]]) -> Placement:
    """The placement of ``children`` (area, kind, path) of ``unit``: their own column when
    they share one (villages, townships, grids), else through the townships below."""
    columns = {LEVEL_FIELD.get(kind) for _, kind, _ in children}
    if len(columns) == 1 and None not in columns:
        column = str(columns.pop())
        return Placement(column, Q(**{f"{column}__in": [a.pk for a, _, _ in children]}))
    townships = Unit.objects.within(unit).filter(kind__in=TOWNSHIP_LEVEL).order_by()
    depth = len(unit.path.split(PATH_SEPARATOR))
    by_code = {a.code: a.pk for a, kind, _ in children if kind != UnitKind.DEPARTMENT}

    def area_of() -> dict[int, int]:
        """Township id → the id of the child containing it (one query)."""
        found: dict[int, int] = {}
        for pk, path in townships.values_list("pk", "path"):
            parts = path.split(PATH_SEPARATOR)
            if len(parts) > depth and parts[depth] in by_code:
                found[pk] = by_code[parts[depth]]
        return found

    return Placement("township_id", Q(township__in=townships.values("pk")), area_of)


def _events(
    key: str, ratio: Ratio | None, period: Period | None, now: dt.datetime
) -> QuerySet[Event]:
    if key == "open":
        return Event.objects.open()
    if key == "overdue":
        return Event.objects.overdue()
    if ratio is None or period is None:
        raise ValueError(f"{key} needs a registered rate and a period")
    return ratio.events(period, now)


def tallies(
    key: str, ratio: Ratio | None, period: Period | None, placement: Placement
) -> dict[int, tuple[int, int]]:
    """``{area id: (population, hits)}`` of metric ``key`` (a count: both the count), one
    query; areas with no event are absent."""
    events = _events(key, ratio, period, timezone.now()).filter(placement.where)
    grouped = events.values(placement.column).order_by()
    if ratio is None:
        rows: Iterable[tuple[int, int, int]] = (
            (k, n, n) for k, n in grouped.annotate(n=Count("*")).values_list(placement.column, "n")
        )
    else:
        rows = grouped.annotate(total=Count("pk"), hits=Count("pk", filter=ratio.hit)).values_list(
            placement.column, "total", "hits"
        )
    if placement.area_of is None:
        return {k: (t, h) for k, t, h in rows if k is not None}
    into = placement.area_of()
    summed: dict[int, tuple[int, int]] = {}
    for k, t, h in rows:
        area = into.get(k)
        if area is not None:
            total, hits = summed.get(area, (0, 0))
            summed[area] = (total + t, hits + h)
    return summed


def area_values(
    areas: list[Area],
    key: str,
    metric: str,
    period: Period | None,
    placement: Placement,
) -> list[AreaValue]:
    """Every area's figure, in the order of ``areas``: a count (``open``, ``overdue``)
    or the registered rate ``metric`` over ``period`` (hits over population, none when
    nothing is in the population)."""
    if not areas:
        return []
    ratio = RATIOS.get(metric) if metric else None
    if metric and ratio is None:
        raise ValueError(f"no rate behind {metric}")
    found = tallies(key, ratio, period, placement)
    result = []
    for area in areas:
        total, hits = found.get(area.pk, (0, 0))
        if ratio is None:
            result.append(AreaValue(area, Decimal(hits), hits))
        else:
            result.append(AreaValue(area, percent(hits, total), hits, total))
    return result
