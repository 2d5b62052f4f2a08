"""Metrics of target supervision for the assessment (registered in ``common.metrics``).

A task counts for its **responsible unit** (``Task.unit``): a village's figure is about
the village's own tasks, a township's about the township's own (its share of a city
task), not its villages'. Every metric is one query for all the units asked about (plus
one to read their order when they are given as a queryset); by default the active
township- and village-level units.

Conventions shared by the definitions (period ``P``; its local days ``first``…``last``;
"today" is the local date when the figure is computed):

* *counted tasks*: not cancelled (撤销), and not livelihood projects found not feasible
  (不具备条件) — a unit is not held to a project the decision put off.
* *due in P*: a counted task whose deadline falls on a day of P and has passed (the
  deadline is before today): a deadline still ahead is not yet due.
* *completed on time*: completed (or completed and closed 销号) on a local day no later than
  its deadline (``completed_at``'s date ≤ ``deadline``).
* *overdue*: due in P and not completed on time — completed late or not at all.
* States are read as they are when the figure is computed; an assessment freezes its
  figures when it publishes them.
* A ``%`` value is ``100 × numerator / denominator`` rounded half-up to 0.01 (``None``
  when the denominator is 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.common.workdays import current_calendar
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.supervision.models import (
    Feasibility,
    ProgressReport,
    Task,
    TaskKind,
    Urge,
    UrgeKind,
)
from grassroots.supervision.progress import plan_percent
from grassroots.supervision.states import ReportState, TaskState

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

#: Above this many units the tasks of every unit are read and the wanted ones kept in
#: Python, rather than sent as a long ``IN (…)`` list (SQLite limits its parameters).
MAX_IN_LIST = 2000
CENT = Decimal("0.01")


# --- units -------------------------------------------------------------------------------


@dataclass
class Asked:
    """The units asked about: their ids in order, and the filter that keeps their rows."""

    order: list[int]
    restrict: Callable[[str], Q]

    @classmethod
    def of(cls, units: Units) -> Asked:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        if isinstance(units, QuerySet):
            order = list(units.order_by("path").values_list("pk", flat=True))
            subquery = units.order_by().values("pk")
            return cls(order, lambda field: Q(**{f"{field}__in": subquery}))
        ids = [u.pk for u in units]
        if len(ids) > MAX_IN_LIST:
            return cls(ids, lambda field: Q())
        return cls(ids, lambda field: Q(**{f"{field}__in": ids}))


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


COUNTED = ~Q(state=TaskState.CANCELLED) & ~Q(
    kind=TaskKind.LIVELIHOOD, feasibility=Feasibility.INFEASIBLE
)


def tasks() -> QuerySet[Task]:
    """Tasks with ``completed_day``: the local date of ``completed_at``."""
    return Task.objects.annotate(completed_day=TruncDate("completed_at", tzinfo=_zone()))


def due(period: Period, today: dt.date) -> Q:
    first, last = period.local_dates()
    return COUNTED & Q(deadline__gte=first, deadline__lte=last, deadline__lt=today)


ON_TIME = Q(completed_day__isnull=False, completed_day__lte=F("deadline"))


def livelihood_completed_in(period: Period, today: dt.date) -> Q:
    return (
        ~Q(state=TaskState.CANCELLED)
        & Q(kind=TaskKind.LIVELIHOOD)
        & Q(completed_at__gte=period.start, completed_at__lt=period.end)
    )


def infeasible_decided_in(period: Period, today: dt.date) -> Q:
    return (
        ~Q(state=TaskState.CANCELLED)
        & Q(kind=TaskKind.LIVELIHOOD, feasibility=Feasibility.INFEASIBLE)
        & Q(feasibility_decided_at__gte=period.start, feasibility_decided_at__lt=period.end)
    )


def explained_by(period: Period) -> Q:
    return ~Q(public_explanation="") & Q(explained_at__isnull=False, explained_at__lt=period.end)


Value = Literal["percent", "complement", "count"]


@dataclass(frozen=True)
class TaskRatio:
    """A figure counted over tasks: ``population`` (the denominator) and ``hit`` (the
    tasks counted in the numerator — or against it, for a ``complement``)."""

    population: Callable[[Period, dt.date], Q]
    hit: Callable[[Period], Q]
    value: Value = "percent"
    #: Report the denominator (``False`` for a plain count).
    with_denominator: bool = True

    def compute(self, period: Period, units: Units) -> list[MetricValue]:
        today = _today(timezone.now())
        asked = Asked.of(units)
        hit = self.hit(period)
        rows = (
            tasks()
            .filter(self.population(period, today), asked.restrict("unit_id"))
            .values("unit_id")
            .annotate(total=Count("pk"), hits=Count("pk", filter=hit))
            .order_by()
            .values_list("unit_id", "total", "hits")
        )
        found = {u: (t, h) for u, t, h in rows}
        result = []
        for unit_id in asked.order:
            total, hits = found.get(unit_id, (0, 0))
            if self.value == "complement":
                hits = total - hits
            value = percent(hits, total) if self.value == "percent" else Decimal(hits)
            result.append(
                MetricValue(unit_id, value, hits, total if self.with_denominator else None)
            )
        return result

    def evidence(self, unit_id: int, period: Period) -> QuerySet[Task]:
        """The unit's tasks in the denominator; ``in_numerator`` says which count above."""
        today = _today(timezone.now())
        hit = self.hit(period)
        numerator = ~hit if self.value == "complement" else hit
        return (
            tasks()
            .filter(self.population(period, today), unit_id=unit_id)
            .annotate(in_numerator=ExpressionWrapper(numerator, output_field=BooleanField()))
            .order_by("deadline", "pk")
        )


DUE = TaskRatio(due, lambda period: Q(), value="count")
COMPLETED_ON_TIME = TaskRatio(due, lambda period: ON_TIME)
OVERDUE = TaskRatio(due, lambda period: ON_TIME, value="complement")
LIVELIHOOD_COMPLETED = TaskRatio(
    livelihood_completed_in, lambda period: Q(), value="count", with_denominator=False
)
EXPLANATION_COVERAGE = TaskRatio(infeasible_decided_in, explained_by)


@metric(
    "supervision.tasks_due",
    label=_("Tasks due"),
    unit="",
    direction="higher",
    evidence=DUE.evidence,
)
def tasks_due(period: Period, units: Units) -> list[MetricValue]:
    """到期任务数 = tasks due in the period.

    Value, numerator and denominator: the unit's counted tasks (not cancelled, not
    livelihood projects found not feasible) whose deadline falls on a day of the period
    and has passed when the figure is computed, whatever their state.
    """
    return DUE.compute(period, units)


@metric(
    "supervision.completed_on_time_rate",
    label=_("Tasks completed on time"),
    unit="%",
    direction="higher",
    evidence=COMPLETED_ON_TIME.evidence,
)
def completed_on_time_rate(period: Period, units: Units) -> list[MetricValue]:
    """按期完成率 = completed on time / due.

    Denominator: the unit's tasks due in the period (deadline on a day of P and passed;
    not cancelled; not livelihood projects found not feasible). Numerator: those of them
    completed — their target reached by verified progress — on a local day no later than
    the deadline (closed 销号 ones included).
    """
    return COMPLETED_ON_TIME.compute(period, units)


@metric(
    "supervision.overdue_count",
    label=_("Overdue tasks"),
    unit="",
    direction="lower",
    evidence=OVERDUE.evidence,
)
def overdue_count(period: Period, units: Units) -> list[MetricValue]:
    """逾期任务数 = due in the period and not completed on time.

    Value and numerator: the unit's tasks due in the period (deadline on a day of P and
    passed; not cancelled; not livelihood projects found not feasible) that were not
    completed by their deadline — completed late, or not at all when the figure is
    computed. Denominator: all its tasks due in P.
    """
    return OVERDUE.compute(period, units)


@metric(
    "supervision.overdue_days",
    label=_("Working days overdue"),
    unit="d",
    direction="lower",
    evidence=OVERDUE.evidence,
)
def overdue_days(period: Period, units: Units) -> list[MetricValue]:
    """逾期天数 = working days late, added up over the overdue tasks.

    For each of the unit's overdue tasks of the period (due in P and not completed on
    time, as in ``supervision.overdue_count``): the working days from the deadline to the
    day it was completed, or to today when it is not completed yet —
    ``workdays_between(deadline, end)``, the deadline day not counted, the end day counted,
    on the official calendar. Value and numerator: their sum. Denominator: the number of
    overdue tasks. One query; the working days are counted in memory.
    """
    today = _today(timezone.now())
    asked = Asked.of(units)
    calendar = current_calendar()
    rows = (
        tasks()
        .filter(due(period, today), asked.restrict("unit_id"))
        .exclude(ON_TIME)
        .order_by()
        .values_list("unit_id", "deadline", "completed_at")
    )
    days: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for unit_id, deadline, completed_at in rows:
        end = timezone.localdate(completed_at) if completed_at is not None else today
        days[unit_id] += max(0, calendar.workdays_between(deadline, end))
        count[unit_id] += 1
    return [
        MetricValue(unit_id, Decimal(days[unit_id]), days[unit_id], count[unit_id])
        for unit_id in asked.order
    ]


URGED = (UrgeKind.MANUAL, UrgeKind.ESCALATION)


def _urges(unit_id: int, period: Period) -> QuerySet[Urge]:
    return Urge.objects.filter(
        task__unit_id=unit_id,
        kind__in=URGED,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).order_by("created_at", "pk")


@metric(
    "supervision.urge_count",
    label=_("Times urged"),
    unit="",
    direction="lower",
    evidence=_urges,
)
def urge_count(period: Period, units: Units) -> list[MetricValue]:
    """被督办次数 = urgings of the unit's tasks in the period.

    Value and numerator: urges of the unit's tasks made in the period (``created_at`` in
    P) that call for action — by a person of the issuing unit (催办), and the automatic
    escalations of a late task's supervision level (升级督办). The automatic reminders
    before and after a deadline are not counted (lateness is measured by
    ``supervision.overdue_days``). No denominator.
    """
    asked = Asked.of(units)
    rows = (
        Urge.objects.filter(
            asked.restrict("task__unit_id"),
            kind__in=URGED,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("task__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("task__unit_id", "n")
    )
    found = dict(rows)
    return [
        MetricValue(unit_id, Decimal(found.get(unit_id, 0)), found.get(unit_id, 0), None)
        for unit_id in asked.order
    ]


def _in_progress(period: Period) -> Q:
    first, last = period.local_dates()
    return COUNTED & Q(start_date__lte=last, deadline__gte=first) & ~Q(unit_id=F("issuer_id"))


def _verified_then(cutoff: dt.datetime) -> Subquery:
    return Subquery(
        ProgressReport.objects.filter(
            task_id=OuterRef("pk"), state=ReportState.ACCEPTED, verified_at__lt=cutoff
        )
        .order_by("-ratio_percent")
        .values("ratio_percent")[:1]
    )


def _plan_day(period: Period, now: dt.datetime) -> dt.date:
    """The day whose plan is measured: the day after the period's last day, or today
    while the period runs (the plan stands at the end of the days before it)."""
    _first, last = period.local_dates()
    return min(last + dt.timedelta(days=1), _today(now))


@metric(
    "supervision.progress_vs_plan",
    label=_("Verified progress against plan"),
    unit="%",
    direction="higher",
    evidence=lambda unit_id, period: _progress_evidence(unit_id, period),
)
def progress_vs_plan(period: Period, units: Units) -> list[MetricValue]:
    """进度完成比 = verified progress / planned progress, over the tasks under way.

    Tasks: the unit's counted tasks (not cancelled, not livelihood projects found not
    feasible; umbrella tasks of a unit over its own units below excepted) that run during
    the period (start date on or before its last day, deadline on or after its first).
    For each, at the end of the period (or now, while it runs): the plan % — the straight
    line in working days from 0 % at the start to 100 % at the deadline
    (``progress.plan_percent``) — and the verified % — the highest share of the target of
    the reports accepted by then (the target reached: 100 %). Numerator: the verified %
    added up; denominator: the plan % added up; value = 100 × numerator / denominator,
    rounded half-up to 0.01 (above 100: ahead of plan; ``None`` when nothing was planned
    yet).
    """
    now = timezone.now()
    cutoff = period.cutoff(now)
    day = _plan_day(period, now)
    calendar = current_calendar()
    asked = Asked.of(units)
    rows = (
        Task.objects.filter(_in_progress(period), asked.restrict("unit_id"))
        .annotate(verified_then=_verified_then(cutoff))
        .order_by()
        .values_list("unit_id", "start_date", "deadline", "verified_then")
    )
    verified: dict[int, Decimal] = defaultdict(Decimal)
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, start, deadline, then in rows:
        verified[unit_id] += Decimal(then or 0)
        planned[unit_id] += plan_percent(start, deadline, day, calendar)
    result = []
    for unit_id in asked.order:
        num, den = verified.get(unit_id, Decimal(0)), planned.get(unit_id, Decimal(0))
        value = (num * 100 / den).quantize(CENT, rounding=ROUND_HALF_UP) if den else None
        result.append(MetricValue(unit_id, value, num, den))
    return result


def _progress_evidence(unit_id: int, period: Period) -> QuerySet[Task]:
    """The unit's tasks under way in the period, with ``verified_then`` (their verified
    share of the target at the end of the period)."""
    cutoff = period.cutoff(timezone.now())
    evidence: QuerySet[Task] = (
        Task.objects.filter(_in_progress(period), unit_id=unit_id)
        .annotate(verified_then=_verified_then(cutoff))
        .order_by("deadline", "pk")
    )
    return evidence


@metric(
    "supervision.livelihood_completed",
    label=_("Livelihood projects completed"),
    unit="",
    direction="higher",
    evidence=LIVELIHOOD_COMPLETED.evidence,
)
def livelihood_completed(period: Period, units: Units) -> list[MetricValue]:
    """民生工程完成数 = livelihood projects completed in the period.

    Value and numerator: the unit's livelihood projects (民生工程), not cancelled, that
    were completed — their target reached by verified progress — in the period
    (``completed_at`` in P), closed (销号) ones included. No denominator.
    """
    return LIVELIHOOD_COMPLETED.compute(period, units)


@metric(
    "supervision.explanation_coverage",
    label=_("Infeasible projects explained to the public"),
    unit="%",
    direction="higher",
    evidence=EXPLANATION_COVERAGE.evidence,
)
def explanation_coverage(period: Period, units: Units) -> list[MetricValue]:
    """解释说明覆盖率 = explained / found not feasible.

    Denominator: the unit's livelihood projects, not cancelled, decided not feasible now
    (不具备条件) in the period (``feasibility_decided_at`` in P) and still so when the
    figure is computed. Numerator: those of them with a public explanation for residents
    given by the end of the period (``explained_at`` before the end of P, text not empty).
    """
    return EXPLANATION_COVERAGE.compute(period, units)


def definitions() -> dict[str, str]:
    """Each supervision metric's exact definition (its docstring), for a help page."""
    from grassroots.common.metrics import registry

    return {name: m.definition for name, m in registry().items() if name.startswith("supervision.")}
