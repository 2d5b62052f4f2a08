"""Metrics of grid events for the assessment (registered in ``common.metrics``).

Every metric is computed for all units of a level in one query: village-level units
(村/社区) group the events by ``village_id``, township-level units (乡镇/街道) by
``township_id``, grids by ``grid_id`` — the place of the event decides whose figure it is,
whoever handled it. Units of other kinds (county, department) get ``value=None``.
Asking for villages and townships together costs one query per level, plus one to read
the units when they are given as a queryset (none when given loaded). The ratio metrics
asked together (``common.metrics.compute_many``) share that one query per level: one pass
over the events of any of their populations, each figure counted with a ``FILTER`` clause
(``CASE`` on SQLite) — ``ratios_together``.

Conventions shared by the definitions (period ``P`` = ``[start, end)``):

* *received in P*: ``reported_at`` in P.
* *due in P*: the handling deadline ``resolve_by`` falls in P — and has passed when the
  figure is computed (a deadline still ahead is not yet due); rejected events
  (不予受理) are never due.
* *handled at*: ``resolved_at``, or ``closed_at`` for an event closed on the spot
  (就地解决) without a separate resolution.
* Statuses (closed, resolved) are read as they are when the figure is computed; an
  assessment freezes its figures when it publishes them.
* A ``%`` value is ``100 × numerator / denominator`` rounded half-up to 0.01 (``None``
  when the denominator is 0).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import TYPE_CHECKING, Any, Literal

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import (
    Metric,
    MetricValue,
    Period,
    batch,
    metric,
    percent,
    quantize,
)
from grassroots.events.models import Event, EventSource, Satisfaction
from grassroots.events.states import EventStatus
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    from grassroots.common.metrics import Units

S = EventStatus
#: Which event column places an event in a unit of each kind.
LEVEL_FIELD: dict[str, str] = {
    **{str(kind): "village_id" for kind in VILLAGE_LEVEL},
    **{str(kind): "township_id" for kind in TOWNSHIP_LEVEL},
    str(UnitKind.GRID): "grid_id",
}
#: Above this many units a level is read whole and filtered in Python, rather than sent
#: as a long ``IN (…)`` list (SQLite limits the number of parameters).
MAX_IN_LIST = 2000

HANDLED_AT = Coalesce("resolved_at", "closed_at", output_field=DateTimeField())
NOT_REJECTED = ~Q(status=S.REJECTED)


# --- units ------------------------------------------------------------------------------


@dataclass
class UnitsByLevel:
    """The units asked for, by the event column that places events in them."""

    order: list[int]
    levels: dict[str, list[int]]
    #: The same units as a subquery, when they were given as a queryset.
    subqueries: dict[str, QuerySet[Any]]

    @classmethod
    def of(cls, units: Units) -> UnitsByLevel:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*VILLAGE_LEVEL, *TOWNSHIP_LEVEL])
        order: list[int] = []
        levels: dict[str, list[int]] = {}
        subqueries: dict[str, QuerySet[Any]] = {}
        if isinstance(units, QuerySet):
            pairs: Iterable[tuple[int, str]] = units.order_by("path").values_list("pk", "kind")
        else:
            pairs = [(u.pk, u.kind) for u in units]
        for pk, kind in pairs:
            order.append(pk)
            level = LEVEL_FIELD.get(kind)
            if level is not None:
                levels.setdefault(level, []).append(pk)
        if isinstance(units, QuerySet):
            for level in levels:
                kinds = [k for k, f in LEVEL_FIELD.items() if f == level]
                subqueries[level] = units.filter(kind__in=kinds).order_by().values("pk")
        return cls(order, levels, subqueries)

    def restrict(self, level: str) -> Q:
        """The filter keeping the events of this level's units."""
        if level in self.subqueries:
            return Q(**{f"{level}__in": self.subqueries[level]})
        ids = self.levels[level]
        if len(ids) > MAX_IN_LIST:
            return Q(**{f"{level}__isnull": False})
        return Q(**{f"{level}__in": ids})


def level_of(unit_id: int) -> str | None:
    kind = Unit.objects.filter(pk=unit_id).values_list("kind", flat=True).first()
    return LEVEL_FIELD.get(kind) if kind is not None else None


# --- ratio metrics ----------------------------------------------------------------------

Value = Literal["percent", "complement", "count"]


@dataclass(frozen=True)
class Ratio:
    """A figure counted over events: ``population`` (the denominator) and ``hit`` (the
    events counted in the numerator, or against it for a ``complement``)."""

    population: Callable[[Period, dt.datetime], Q]
    hit: Q
    value: Value = "percent"

    def events(self, period: Period, now: dt.datetime) -> QuerySet[Event]:
        return Event.objects.alias(handled_at=HANDLED_AT).filter(self.population(period, now))

    def compute(self, period: Period, units: Units) -> list[MetricValue]:
        now = timezone.now()
        asked = UnitsByLevel.of(units)
        found: dict[int, tuple[int, int]] = {}
        for level, ids in asked.levels.items():
            rows = (
                self.events(period, now)
                .filter(asked.restrict(level))
                .values(level)
                .annotate(total=Count("pk"), hits=Count("pk", filter=self.hit))
                .order_by()
                .values_list(level, "total", "hits")
            )
            wanted = set(ids)
            found.update((u, (t, h)) for u, t, h in rows if u in wanted)
        return self.values(asked, found)

    def values(self, asked: UnitsByLevel, found: dict[int, tuple[int, int]]) -> list[MetricValue]:
        """Every asked unit's figure from ``{unit: (total, hits)}`` (absent: none)."""
        measured = {u for ids in asked.levels.values() for u in ids}
        result = []
        for unit_id in asked.order:
            total, hits = found.get(unit_id, (0, 0))
            if unit_id not in measured:
                result.append(MetricValue(unit_id, None, None, None))
            elif self.value == "count":
                result.append(MetricValue(unit_id, Decimal(hits), hits, total))
            elif self.value == "complement":
                result.append(
                    MetricValue(unit_id, percent(total - hits, total), total - hits, total)
                )
            else:
                result.append(MetricValue(unit_id, percent(hits, total), hits, total))
        return result

    def evidence(self, unit_id: int, period: Period) -> QuerySet[Event]:
        """The unit's events in the denominator; ``in_numerator`` says which count above."""
        level = level_of(unit_id)
        if level is None:
            return Event.objects.none()
        numerator = ~self.hit if self.value == "complement" else self.hit
        return (
            self.events(period, timezone.now())
            .filter(**{level: unit_id})
            .annotate(in_numerator=ExpressionWrapper(numerator, output_field=BooleanField()))
            .order_by("reported_at", "pk")
        )


RATIOS_BATCH = "events.ratios"


def received(period: Period, now: dt.datetime) -> Q:
    return Q(reported_at__gte=period.start, reported_at__lt=period.end)


def hotline_received(period: Period, now: dt.datetime) -> Q:
    return received(period, now) & Q(source=EventSource.HOTLINE)


def due(period: Period, now: dt.datetime) -> Q:
    return Q(resolve_by__gte=period.start, resolve_by__lt=period.cutoff(now)) & NOT_REJECTED


def dispatched(period: Period, now: dt.datetime) -> Q:
    return Q(dispatched_at__gte=period.start, dispatched_at__lt=period.end)


def rated(period: Period, now: dt.datetime) -> Q:
    return Q(rated_at__gte=period.start, rated_at__lt=period.end) & ~Q(satisfaction="")


def hotline_rated(period: Period, now: dt.datetime) -> Q:
    return rated(period, now) & Q(source=EventSource.HOTLINE)


def closed_in(period: Period, now: dt.datetime) -> Q:
    return Q(status=S.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)


TAKEN_ON = NOT_REJECTED & (
    Q(accepted_at__isnull=False)
    | Q(dispatched_at__isnull=False)
    | Q(resolved_at__isnull=False)
    | Q(closed_at__isnull=False)
)
HANDLED_ON_TIME = Q(handled_at__isnull=False, handled_at__lte=F("resolve_by"))
SATISFIED = Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])

ACCEPTANCE = Ratio(received, TAKEN_ON)
DISPATCH_ACCURACY = Ratio(dispatched, Q(return_count__gt=0), value="complement")
ON_TIME_HANDLING = Ratio(due, HANDLED_ON_TIME)
CLOSING = Ratio(due, Q(status=S.CLOSED))
ON_TIME_CLOSING = Ratio(due, Q(status=S.CLOSED, closed_at__lte=F("resolve_by")))
REWORK = Ratio(due, Q(rework_count__gt=0))
HOTLINE_RESPONSE = Ratio(
    hotline_received,
    Q(responded_at__isnull=False)
    & (Q(respond_by__isnull=True) | Q(responded_at__lte=F("respond_by"))),
)
HOTLINE_RESOLUTION = Ratio(hotline_received, Q(status__in=[S.RESOLVED, S.VERIFIED, S.CLOSED]))
SATISFACTION = Ratio(rated, SATISFIED)
HOTLINE_SATISFACTION = Ratio(hotline_rated, SATISFIED)
PATROL_SHARE = Ratio(received, Q(source=EventSource.PATROL))
OVERDUE = Ratio(due, ~HANDLED_ON_TIME, value="count")


def ratios_together(
    ratios: Sequence[Ratio], period: Period, units: Units, *, median: bool = False
) -> tuple[list[list[MetricValue]], list[MetricValue] | None]:
    """The figures of several ratios at once, one query per level: the events of any of
    their populations, each population's count and each numerator's count in a ``FILTER``
    clause (a population shared by several ratios is counted once). With ``median`` (on
    PostgreSQL only) ``events.median_close_hours`` is taken in the same pass
    (``percentile_cont … FILTER``). Equal, unit for unit, to each metric's own figures:
    (the ratios' values, the median's or None)."""
    now = timezone.now()
    asked = UnitsByLevel.of(units)
    populations: list[Q] = []
    for r in ratios:
        population = r.population(period, now)
        if population not in populations:
            populations.append(population)
    keys = [populations.index(r.population(period, now)) for r in ratios]
    counts: dict[str, Aggregate] = {
        f"p{i}": Count("pk", filter=p) for i, p in enumerate(populations)
    }
    counts.update(
        (f"h{j}", Count("pk", filter=populations[keys[j]] & r.hit)) for j, r in enumerate(ratios)
    )
    if median:
        closed = closed_in(period, now)
        populations.append(closed)
        counts["median"] = Median(CLOSE_SECONDS, filter=closed)
        counts["closed"] = Count("pk", filter=closed)
    where = reduce(operator.or_, populations)
    names = list(counts)
    found: list[dict[int, tuple[int, int]]] = [{} for _ in ratios]
    medians: dict[int, tuple[float, int]] = {}
    for level, ids in asked.levels.items():
        rows = (
            Event.objects.alias(handled_at=HANDLED_AT)
            .filter(where, asked.restrict(level))
            .values(level)
            .annotate(**counts)
            .order_by()
            .values_list(level, *names)
        )
        wanted = set(ids)
        for unit, *figures in rows:
            if unit not in wanted:
                continue
            by_name = dict(zip(names, figures, strict=True))
            for j, key in enumerate(keys):
                found[j][unit] = (by_name[f"p{key}"], by_name[f"h{j}"])
            if median and by_name["closed"]:
                medians[unit] = (by_name["median"], by_name["closed"])
    values = [r.values(asked, f) for r, f in zip(ratios, found, strict=True)]
    return values, _median_values(asked, medians) if median else None


@metric(
    "events.acceptance_rate",
    label=_("Acceptance rate"),
    unit="%",
    direction="higher",
    evidence=ACCEPTANCE.evidence,
    batch=RATIOS_BATCH,
)
def acceptance_rate(period: Period, units: Units) -> list[MetricValue]:
    """立案率 = accepted / received.

    Denominator: events received in the period (``reported_at`` in P), any source.
    Numerator: those of them taken on — accepted, dispatched, handled or closed (on the
    spot included) — and not rejected (不予受理). An event still waiting for acceptance
    counts in the denominator only.
    """
    return ACCEPTANCE.compute(period, units)


@metric(
    "events.dispatch_accuracy",
    label=_("Dispatch accuracy"),
    unit="%",
    direction="higher",
    evidence=DISPATCH_ACCURACY.evidence,
    batch=RATIOS_BATCH,
)
def dispatch_accuracy(period: Period, units: Units) -> list[MetricValue]:
    """派遣准确率 = 1 − returned / dispatched.

    Denominator: events dispatched in the period (their latest dispatch,
    ``dispatched_at``, in P). Returned: those of them returned (退回) by an assignee at
    least once (``return_count`` > 0). Numerator: dispatched − returned. Events handled by
    the accepting unit itself, never dispatched, do not count.
    """
    return DISPATCH_ACCURACY.compute(period, units)


@metric(
    "events.on_time_handling_rate",
    label=_("On-time handling rate"),
    unit="%",
    direction="higher",
    evidence=ON_TIME_HANDLING.evidence,
    batch=RATIOS_BATCH,
)
def on_time_handling_rate(period: Period, units: Units) -> list[MetricValue]:
    """按期处置率 = handled on time / due for handling.

    Denominator: events due in the period (``resolve_by`` in P and already passed; not
    rejected). Numerator: those of them handled (resolved, or closed on the spot) no later
    than ``resolve_by``.
    """
    return ON_TIME_HANDLING.compute(period, units)


@metric(
    "events.close_rate",
    label=_("Closing rate"),
    unit="%",
    direction="higher",
    evidence=CLOSING.evidence,
    batch=RATIOS_BATCH,
)
def close_rate(period: Period, units: Units) -> list[MetricValue]:
    """结案率 = closed / due for closing.

    Denominator: events due in the period (``resolve_by`` in P and already passed; not
    rejected). Numerator: those of them closed (结案) when the figure is computed.
    """
    return CLOSING.compute(period, units)


@metric(
    "events.on_time_close_rate",
    label=_("On-time closing rate"),
    unit="%",
    direction="higher",
    evidence=ON_TIME_CLOSING.evidence,
    batch=RATIOS_BATCH,
)
def on_time_close_rate(period: Period, units: Units) -> list[MetricValue]:
    """按期结案率 = closed on time / due for closing.

    Denominator: events due in the period (``resolve_by`` in P and already passed; not
    rejected). Numerator: those of them closed, with ``closed_at`` no later than
    ``resolve_by``.
    """
    return ON_TIME_CLOSING.compute(period, units)


@metric(
    "events.rework_rate",
    label=_("Rework rate"),
    unit="%",
    direction="lower",
    evidence=REWORK.evidence,
    batch=RATIOS_BATCH,
)
def rework_rate(period: Period, units: Units) -> list[MetricValue]:
    """返工率 = reworked / due for closing.

    Denominator: events due in the period (``resolve_by`` in P and already passed; not
    rejected). Numerator: those of them sent back for rework (返工) at least once
    (``rework_count`` > 0).
    """
    return REWORK.compute(period, units)


@metric(
    "events.hotline_response_rate",
    label=_("12345 response rate"),
    unit="%",
    direction="higher",
    evidence=HOTLINE_RESPONSE.evidence,
    batch=RATIOS_BATCH,
)
def hotline_response_rate(period: Period, units: Units) -> list[MetricValue]:
    """12345 响应率 = responded in time / received.

    Denominator: 12345 hotline events (``source`` = hotline) received in the period.
    Numerator: those of them answered (first accept, reject, dispatch or start:
    ``responded_at``) no later than their response deadline ``respond_by``.
    """
    return HOTLINE_RESPONSE.compute(period, units)


@metric(
    "events.hotline_resolution_rate",
    label=_("12345 resolution rate"),
    unit="%",
    direction="higher",
    evidence=HOTLINE_RESOLUTION.evidence,
    batch=RATIOS_BATCH,
)
def hotline_resolution_rate(period: Period, units: Units) -> list[MetricValue]:
    """12345 解决率 = resolved / received.

    Denominator: 12345 hotline events received in the period. Numerator: those of them
    resolved, verified or closed when the figure is computed (a reopened or rejected one
    is not).
    """
    return HOTLINE_RESOLUTION.compute(period, units)


@metric(
    "events.hotline_satisfaction_rate",
    label=_("12345 satisfaction rate"),
    unit="%",
    direction="higher",
    evidence=HOTLINE_SATISFACTION.evidence,
    batch=RATIOS_BATCH,
)
def hotline_satisfaction_rate(period: Period, units: Units) -> list[MetricValue]:
    """12345 满意率 = (satisfied + basically satisfied) / rated.

    Denominator: 12345 hotline events rated in the period (``rated_at`` in P). Numerator:
    those of them rated 满意 or 基本满意 (their latest rating).
    """
    return HOTLINE_SATISFACTION.compute(period, units)


@metric(
    "events.satisfaction_rate",
    label=_("Satisfaction rate"),
    unit="%",
    direction="higher",
    evidence=SATISFACTION.evidence,
    batch=RATIOS_BATCH,
)
def satisfaction_rate(period: Period, units: Units) -> list[MetricValue]:
    """满意率 = (satisfied + basically satisfied) / rated.

    Denominator: events of any source rated in the period (``rated_at`` in P).
    Numerator: those of them rated 满意 or 基本满意 (their latest rating).
    """
    return SATISFACTION.compute(period, units)


@metric(
    "events.patrol_share",
    label=_("Share found on patrol"),
    unit="%",
    direction="higher",
    evidence=PATROL_SHARE.evidence,
    batch=RATIOS_BATCH,
)
def patrol_share(period: Period, units: Units) -> list[MetricValue]:
    """主动发现率 = found on patrol / received.

    Denominator: events received in the period, any source. Numerator: those of them
    found on patrol by grid workers (``source`` = patrol).
    """
    return PATROL_SHARE.compute(period, units)


@metric(
    "events.overdue_count",
    label=_("Overdue events"),
    unit="",
    direction="lower",
    evidence=OVERDUE.evidence,
    batch=RATIOS_BATCH,
)
def overdue_count(period: Period, units: Units) -> list[MetricValue]:
    """超期件数 = due in the period and not handled by the deadline.

    Value and numerator: events due in the period (``resolve_by`` in P and already
    passed; not rejected) that were not handled (resolved, or closed on the spot) by
    ``resolve_by`` — handled late or not at all. Denominator: all events due in P.
    """
    return OVERDUE.compute(period, units)


#: The ratio behind each ratio metric (the members of the ``events.ratios`` batch).
RATIOS: dict[str, Ratio] = {
    "events.acceptance_rate": ACCEPTANCE,
    "events.dispatch_accuracy": DISPATCH_ACCURACY,
    "events.on_time_handling_rate": ON_TIME_HANDLING,
    "events.close_rate": CLOSING,
    "events.on_time_close_rate": ON_TIME_CLOSING,
    "events.rework_rate": REWORK,
    "events.hotline_response_rate": HOTLINE_RESPONSE,
    "events.hotline_resolution_rate": HOTLINE_RESOLUTION,
    "events.hotline_satisfaction_rate": HOTLINE_SATISFACTION,
    "events.satisfaction_rate": SATISFACTION,
    "events.patrol_share": PATROL_SHARE,
    "events.overdue_count": OVERDUE,
}
#: Computed in the same pass as the ratios on PostgreSQL (on its own elsewhere).
MEDIAN = "events.median_close_hours"


@batch(RATIOS_BATCH)
def compute_ratios(
    metrics: Sequence[Metric], period: Period, units: Units
) -> dict[str, list[MetricValue]]:
    """The ``events.ratios`` batch: the asked ratio metrics in one query per level, and on
    PostgreSQL the median time to close in the same query."""
    members = [m.name for m in metrics if m.name in RATIOS]
    median = connection.vendor == "postgresql" and any(m.name == MEDIAN for m in metrics)
    values, medians = ratios_together([RATIOS[n] for n in members], period, units, median=median)
    answer = dict(zip(members, values, strict=True))
    if medians is not None:
        answer[MEDIAN] = medians
    return answer


# --- median time to close ---------------------------------------------------------------


class Seconds(Func):
    """``end − start`` (two datetime columns) in seconds, as a float."""

    output_field = FloatField()
    # SQLite (and the default): julianday() differences; PostgreSQL below.
    template = "((julianday(%(expressions)s)) * 86400.0)"
    arg_joiner = ") - julianday("

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra_context,
        )


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the middle value (the mean of the two middle
    values for an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


CLOSE_SECONDS = Seconds("closed_at", "reported_at")


@metric(
    "events.median_close_hours",
    label=_("Median time to close"),
    unit="h",
    direction="lower",
    evidence=lambda unit_id, period: _closed_evidence(unit_id, period),
    batch=RATIOS_BATCH,
)
def median_close_hours(period: Period, units: Units) -> list[MetricValue]:
    """结案时长中位数 (hours) = the median of ``closed_at − reported_at``.

    Over the events closed in the period (``closed_at`` in P, status closed), in
    calendar hours (not working hours), rounded half-up to 0.01; the mean of the two
    middle values for an even count. Denominator: the number of those events (the
    numerator is not used). One query per level: ``percentile_cont`` on PostgreSQL (in the
    pass of the ratio metrics when asked with them), the same median by window functions
    (``ROW_NUMBER``) on SQLite.
    """
    asked = UnitsByLevel.of(units)
    now = timezone.now()
    found: dict[int, tuple[float, int]] = {}
    for level, ids in asked.levels.items():
        base = Event.objects.filter(closed_in(period, now), asked.restrict(level))
        if connection.vendor == "postgresql":
            rows: Iterable[tuple[int, float, int]] = (
                base.values(level)
                .annotate(median=Median(CLOSE_SECONDS), n=Count("pk"))
                .order_by()
                .values_list(level, "median", "n")
            )
        else:
            rows = _median_by_window(base, level)
        wanted = set(ids)
        found.update((u, (m, n)) for u, m, n in rows if u in wanted)
    return _median_values(asked, found)


def _median_values(asked: UnitsByLevel, found: dict[int, tuple[float, int]]) -> list[MetricValue]:
    """Every asked unit's median from ``{unit: (median seconds, closed events)}``."""
    measured = {u for ids in asked.levels.values() for u in ids}
    result = []
    for unit_id in asked.order:
        if unit_id not in measured:
            result.append(MetricValue(unit_id, None, None, None))
            continue
        median, n = found.get(unit_id, (None, 0))
        hours = quantize(Decimal(str(median)) / 3600) if median is not None else None
        result.append(MetricValue(unit_id, hours, None, n))
    return result


def _median_by_window(base: QuerySet[Event], level: str) -> list[tuple[int, float, int]]:
    """The median per unit in one query with window functions (any SQL database)."""
    inner = base.annotate(unit=F(level), secs=CLOSE_SECONDS).values("unit", "secs").order_by()
    sql, params = inner.query.sql_with_params()
    query = (
        "SELECT unit, AVG(secs), MAX(n) FROM ("  # noqa: S608 - the ORM's own SQL
        " SELECT unit, secs,"
        " ROW_NUMBER() OVER (PARTITION BY unit ORDER BY secs) AS rn,"
        " COUNT(*) OVER (PARTITION BY unit) AS n"
        f" FROM ({sql}) AS closed"
        ") AS ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY unit"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(int(u), float(m), int(n)) for u, m, n in cursor.fetchall()]


def _closed_evidence(unit_id: int, period: Period) -> QuerySet[Event]:
    level = level_of(unit_id)
    if level is None:
        return Event.objects.none()
    closed: QuerySet[Event] = Event.objects.filter(
        closed_in(period, timezone.now()), **{level: unit_id}
    )
    return closed.annotate(close_seconds=Seconds("closed_at", "reported_at")).order_by(
        "close_seconds", "pk"
    )


# --- the help page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A metric explained for people: what is counted above and below the line, and
    which events count in which period."""

    name: str
    numerator: str | Promise
    denominator: str | Promise
    period: str | Promise


DUE_RULE = _(
    "Events whose handling deadline falls in the period and has passed; rejected events "
    "never count."
)
RECEIVED_RULE = _("Events reported in the period.")

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "events.acceptance_rate",
        _("Events taken on (accepted, dispatched, handled or closed) and not rejected"),
        _("Events received"),
        RECEIVED_RULE,
    ),
    Definition(
        "events.dispatch_accuracy",
        _("Dispatched events never returned by the unit they were sent to"),
        _("Events dispatched"),
        _("Events whose latest dispatch falls in the period."),
    ),
    Definition(
        "events.on_time_handling_rate",
        _("Events handled (resolved, or closed on the spot) by their handling deadline"),
        _("Events due for handling"),
        DUE_RULE,
    ),
    Definition(
        "events.close_rate",
        _("Events closed"),
        _("Events due for closing"),
        DUE_RULE,
    ),
    Definition(
        "events.on_time_close_rate",
        _("Events closed by their handling deadline"),
        _("Events due for closing"),
        DUE_RULE,
    ),
    Definition(
        "events.rework_rate",
        _("Events sent back for rework at least once"),
        _("Events due for closing"),
        DUE_RULE,
    ),
    Definition(
        "events.hotline_response_rate",
        _("12345 events answered by their response deadline"),
        _("12345 events received"),
        _("12345 hotline events reported in the period."),
    ),
    Definition(
        "events.hotline_resolution_rate",
        _("12345 events resolved, verified or closed"),
        _("12345 events received"),
        _("12345 hotline events reported in the period."),
    ),
    Definition(
        "events.hotline_satisfaction_rate",
        _("12345 events rated satisfied or basically satisfied"),
        _("12345 events rated"),
        _("12345 hotline events rated in the period."),
    ),
    Definition(
        "events.satisfaction_rate",
        _("Events rated satisfied or basically satisfied"),
        _("Events rated"),
        _("Events of any source rated in the period."),
    ),
    Definition(
        "events.patrol_share",
        _("Events found on patrol by grid workers"),
        _("Events received"),
        RECEIVED_RULE,
    ),
    Definition(
        "events.median_close_hours",
        _("The middle value of the hours from report to closing"),
        _("Events closed"),
        _("Events closed in the period; calendar hours, not working hours."),
    ),
    Definition(
        "events.overdue_count",
        _("Events not handled by their handling deadline (late or not at all)"),
        _("Events due for handling"),
        DUE_RULE,
    ),
    Definition(
        "events.weekly_one_thing_coverage",
        _("Weeks in which at least one event of the village was resolved"),
        _("Weeks of the period (for a township: weeks × its villages)"),
        _(
            "ISO weeks (Monday to Sunday) whose Thursday falls in the period and that have "
            "ended; an event counts in the week in which it was resolved."
        ),
    ),
)

# The weekly "one thing" metric lives with its tally.
from grassroots.events import weekly  # noqa: E402, F401  (registers its metric)
