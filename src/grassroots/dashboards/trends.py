"""The last 12 months of a unit: events reported, on-time closing rate and satisfaction
rate, by the definitions of ``events.metrics`` (the same ``Ratio`` populations and hits),
and their charts.

One query per series for all 12 months: the events of the ratio's population over the
whole span, grouped by the month of the date that places them in a month (reported for
"received", the handling deadline for "due", the rating for "rated"). A month of that
count holds exactly the events the metric counts for that month: the span's cutoff
(``Period.cutoff(now)``) is the current month's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from grassroots.common import charts
from grassroots.common.metrics import Period, percent
from grassroots.events import metrics as event_metrics
from grassroots.events.metrics import LEVEL_FIELD, ON_TIME_CLOSING, SATISFACTION, Ratio
from grassroots.events.models import Event
from grassroots.org.models import Unit
from grassroots.org.queries import subtree_q

MONTHS = 12
#: How long a unit's closed months are kept (seconds), unless settings say otherwise.
MONTHS_SECONDS = 3600

#: The column whose month places an event of each population in a month.
MONTH_OF: dict[Callable[[Period, dt.datetime], Q], str] = {
    event_metrics.received: "reported_at",
    event_metrics.due: "resolve_by",
    event_metrics.rated: "rated_at",
}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def last_months(today: dt.date, count: int = MONTHS) -> list[Period]:
    """The ``count`` calendar months up to and including ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    result = []
    for i in range(index - count + 1, index + 1):
        year, month = divmod(i, 12)
        result.append(Period.parse(f"{year:04d}-{month + 1:02d}"))
    return result


def area_of(unit: Unit) -> Q:
    """The events placed in ``unit``: its level's column as the metrics group them
    (township, village, grid), else (a county, a prefecture) the place's path."""
    column = LEVEL_FIELD.get(unit.kind)
    if column is not None:
        return Q(**{column: unit.pk})
    return subtree_q("area_path", unit.path)


def month_index(column: str, months: list[Period]) -> Case:
    """Which of ``months`` (0 …) the date ``column`` falls in, as a SQL ``CASE`` on the
    months' bounds (none before the first or after the last)."""
    whens = [When(**{f"{column}__lt": m.end}, then=Value(i)) for i, m in enumerate(months)]
    return Case(
        When(**{f"{column}__lt": months[0].start}, then=Value(None)),
        *whens,
        default=Value(None),
        output_field=IntegerField(),
    )


def ratio_by_month(
    ratio: Ratio, area: Q, months: list[Period], now: dt.datetime
) -> list[Decimal | None]:
    """``ratio``'s value in each month (``None`` with nothing to measure): one query,
    grouped by the month index of the date that places an event in a month (a ``CASE`` on
    the months' bounds: no per-row date function, which SQLite would call in Python)."""
    span = Period(months[0].start, months[-1].end)
    column = MONTH_OF[ratio.population]
    rows = (
        ratio.events(span, now)
        .filter(area)
        .annotate(month=month_index(column, months))
        .values("month")
        .annotate(total=Count("pk"), hits=Count("pk", filter=ratio.hit))
        .order_by()
        .values_list("month", "total", "hits")
    )
    found = {month: (total, hits) for month, total, hits in rows if month is not None}
    values: list[Decimal | None] = []
    for i in range(len(months)):
        total, hits = found.get(i, (0, 0))
        if ratio.value == "count":
            values.append(Decimal(hits))
            continue
        if ratio.value == "complement":
            hits = total - hits
        values.append(percent(hits, total))
    return values


def reported_by_month(area: Q, months: list[Period], now: dt.datetime) -> list[int]:
    """Events reported (received, any source) in each month: one query."""
    span = Period(months[0].start, months[-1].end)
    rows = (
        Event.objects.filter(event_metrics.received(span, now), area)
        .annotate(month=month_index("reported_at", months))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    found = {month: n for month, n in rows if month is not None}
    return [int(found.get(i, 0)) for i in range(len(months))]


@dataclass(frozen=True)
class Trends:
    months: list[Period]
    reported: list[int]
    on_time: list[Decimal | None]
    satisfaction: list[Decimal | None]
    #: When the closed months were counted (the current one is always counted live).
    counted_at: dt.datetime | None = None

    @property
    def labels(self) -> list[str]:
        return [month_label(m) for m in self.months]

    @property
    def empty(self) -> bool:
        return not any(self.reported) and all(
            v is None for v in [*self.on_time, *self.satisfaction]
        )

    def reported_chart(self) -> SafeString:
        return mark_safe(  # noqa: S308 - charts escape every text they draw
            charts.line_chart(
                self.labels,
                [charts.Series(_("Events reported"), self.reported)],
                title=_("Events reported per month"),
                y_min=0,
                empty=_("No events in the last 12 months."),
            )
        )

    def rates_chart(self) -> SafeString:
        return mark_safe(  # noqa: S308 - charts escape every text they draw
            charts.line_chart(
                self.labels,
                [
                    charts.Series(_("On-time closing rate"), self.on_time),
                    charts.Series(_("Satisfaction rate"), self.satisfaction),
                ],
                title=_("On-time closing and satisfaction per month"),
                unit="%",
                y_min=0,
                y_max=100,
                empty=_("Nothing was due or rated in the last 12 months."),
            )
        )


def month_label(period: Period) -> str:
    """A month on the charts' axis, without its year (the 12 months are in order)."""
    local = period.start.astimezone(_zone())
    return pgettext("a month on a chart axis", "Month %(month)d") % {"month": local.month}


def months_seconds() -> int:
    value = getattr(settings, "DASHBOARD_MONTHS_SECONDS", MONTHS_SECONDS)
    return max(0, int(value))


Series = tuple[list[int], list[Decimal | None], list[Decimal | None]]


def series(area: Q, months: list[Period], now: dt.datetime) -> Series:
    """Reported, on-time closing and satisfaction of ``months`` (consecutive): three
    queries over the months' dates."""
    return (
        reported_by_month(area, months, now),
        ratio_by_month(ON_TIME_CLOSING, area, months, now),
        ratio_by_month(SATISFACTION, area, months, now),
    )


def closed_months(
    unit: Unit, area: Q, months: list[Period], now: dt.datetime
) -> tuple[Series, dt.datetime]:
    """The series of the closed ``months`` with the moment they were counted: from the
    cache when counted within ``months_seconds()``, else counted now and kept."""
    ttl = months_seconds()
    key = f"dashboards:months:{unit.pk}:{unit.path}:{months[0].start:%Y%m}:{len(months)}"
    if ttl:
        found = cache.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    result = (series(area, months, now), now)
    if ttl:
        cache.set(key, result, ttl)
    return result


def trends(unit: Unit, now: dt.datetime | None = None) -> Trends:
    """The unit's 12 months: the 11 closed ones from the cache (else three queries over
    them), the current one live (three queries over its dates)."""
    now = now or timezone.now()
    months = last_months(timezone.localdate(now))
    area = area_of(unit)
    (reported, on_time, satisfied), counted_at = closed_months(unit, area, months[:-1], now)
    now_reported, now_on_time, now_satisfied = series(area, months[-1:], now)
    return Trends(
        months=months,
        reported=[*reported, *now_reported],
        on_time=[*on_time, *now_on_time],
        satisfaction=[*satisfied, *now_satisfied],
        counted_at=counted_at,
    )
