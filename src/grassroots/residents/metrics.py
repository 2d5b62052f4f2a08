"""Metrics of care visits (走访) for the assessment (registered in ``common.metrics``).

A unit's figure covers the people in care in the grids at or below it (``KeyPerson.grid``:
where the care is owed), whoever visited. By default the active township- and
village-level units; any unit may be asked (a grid, the city), a unit without grids gets
the figure of nobody (``None`` for a rate, 0 for a count).

Each metric reads, for all the units asked at once: the units (when given as a
queryset), the people in care during the period with the group's frequency and their last
effective visit before the period, and their effective visits in the period — three
queries, whatever the number of units; the due dates are then followed in memory by
``residents.care`` (no ORM there).

Conventions (period ``P``: its local days ``first``…``last``; "today" is the local date
when the figure is computed):

* *in care during P*: put in care on or before ``last`` and not ended before ``first``.
* *effective visit*: someone was met (the person, a family member, a neighbour or carer);
  finding nobody at home does not count.
* *due dates*: the first visit is due the group's frequency after the day care began; each
  effective visit makes the next one due the frequency after it (the group's current
  frequency).
* A ``%`` value is ``100 × numerator / denominator`` rounded half-up to 0.01 (``None``
  when the denominator is 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import SEP, subtree_q
from grassroots.residents import care
from grassroots.residents.models import KeyPerson, Visit
from grassroots.residents.states import EFFECTIVE_MET

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

#: Up to this many subtrees the rows are filtered by path in SQL; above, all are read.
MAX_SUBTREES = 200


# --- units ---------------------------------------------------------------------------------------


@dataclass
class Asked:
    """The units asked about, in order, with their paths."""

    order: list[int]
    paths: dict[str, list[int]]

    @classmethod
    def of(cls, units: Units) -> Asked:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        if isinstance(units, QuerySet):
            pairs: Iterable[tuple[int, str]] = units.order_by("path").values_list("pk", "path")
        else:
            pairs = [(u.pk, u.path) for u in units]
        order: list[int] = []
        paths: dict[str, list[int]] = defaultdict(list)
        for pk, path in pairs:
            order.append(pk)
            paths[path].append(pk)
        return cls(order, dict(paths))

    def restrict(self) -> Q:
        """Rows of grids under any asked unit (no filter when there are many: the rows of
        units not asked are dropped when counted)."""
        roots: list[str] = []
        for path in sorted(self.paths):
            if not any(path == r or path.startswith(r + SEP) for r in roots):
                roots.append(path)
        if not roots:
            return Q(pk__in=[])
        if len(roots) > MAX_SUBTREES:
            return Q()
        q = Q(pk__in=[])
        for root in roots:
            q |= subtree_q("grid__path", root)
        return q

    def owners(self, grid_path: str) -> list[int]:
        """The asked units at or above a grid."""
        parts = grid_path.split(SEP)
        found: list[int] = []
        for i in range(1, len(parts) + 1):
            found.extend(self.paths.get(SEP.join(parts[:i]), ()))
        return found


# --- the people in care of a period --------------------------------------------------------------


def in_care_during(first: dt.date, last: dt.date) -> Q:
    return Q(since__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))


def _anchor(first: dt.date) -> Subquery:
    """The last effective visit before ``first``."""
    return Subquery(
        Visit.objects.filter(
            key_person_id=OuterRef("pk"), met__in=EFFECTIVE_MET, visited_on__lt=first
        )
        .order_by()
        .values("key_person_id")
        .annotate(last=Max("visited_on"))
        .values("last")[:1]
    )


def spans(where: Q, first: dt.date, last: dt.date) -> list[tuple[str, care.CareSpan]]:
    """``(grid path, span)`` of the people in care during ``first``…``last`` kept by
    ``where``, with their effective visits in that span (two queries)."""
    people = KeyPerson.objects.filter(in_care_during(first, last), where)
    rows = list(
        people.annotate(anchor=_anchor(first))
        .order_by()
        .values_list("pk", "grid__path", "since", "ended_on", "group__visit_every_days", "anchor")
    )
    visits: dict[int, list[dt.date]] = defaultdict(list)
    for key, day in (
        Visit.objects.filter(
            key_person__in=people.order_by().values("pk"),
            met__in=EFFECTIVE_MET,
            visited_on__gte=first,
            visited_on__lte=last,
        )
        .order_by()
        .values_list("key_person_id", "visited_on")
    ):
        visits[key].append(day)
    return [
        (
            path,
            care.CareSpan(
                key=pk,
                since=since,
                ended_on=ended_on,
                every=every,
                anchor=anchor,
                visits=tuple(visits.get(pk, ())),
            ),
        )
        for pk, path, since, ended_on, every, anchor in rows
    ]


Counter = Callable[[care.CareSpan, dt.date, dt.date], tuple[int, int]]


def _tally(period: Period, units: Units, count: Counter) -> tuple[Asked, dict[int, list[int]]]:
    first, last = period.local_dates()
    asked = Asked.of(units)
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for path, span in spans(asked.restrict(), first, last):
        hits, total = count(span, first, last)
        if not total:
            continue
        for unit_id in asked.owners(path):
            found[unit_id][0] += hits
            found[unit_id][1] += total
    return asked, found


def _today() -> dt.date:
    return timezone.localdate()


def _covered(span: care.CareSpan, first: dt.date, last: dt.date) -> tuple[int, int]:
    if not span.in_care_during(first, last):
        return 0, 0
    return int(care.covered(span, first, last)), 1


def _timely_for(today: dt.date) -> Counter:
    def count(span: care.CareSpan, first: dt.date, last: dt.date) -> tuple[int, int]:
        due = care.fell_due(span, first, last, today)
        return sum(o.on_time for o in due), len(due)

    return count


def _overdue_day(period: Period) -> dt.date:
    """The day the overdue count is taken: the period's last day, or today while it runs."""
    _first, last = period.local_dates()
    return min(last, _today())


def _overdue_for(day: dt.date) -> Counter:
    def count(span: care.CareSpan, first: dt.date, last: dt.date) -> tuple[int, int]:
        if not span.in_care_on(day):
            return 0, 0
        return int(care.overdue_at(span, day)), 1

    return count


def _rates(asked: Asked, found: dict[int, list[int]]) -> list[MetricValue]:
    result = []
    for unit_id in asked.order:
        hits, total = found.get(unit_id, (0, 0))
        result.append(MetricValue(unit_id, percent(hits, total), hits, total))
    return result


# --- evidence ------------------------------------------------------------------------------------


def _unit_path(unit_id: int) -> str | None:
    return Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()


def _coverage_evidence(unit_id: int, period: Period) -> QuerySet[KeyPerson]:
    """The unit's people in care during the period; ``in_numerator``: visited
    effectively in it."""
    path = _unit_path(unit_id)
    if path is None:
        return KeyPerson.objects.none()
    first, last = period.local_dates()
    visited = Visit.objects.filter(
        key_person_id=OuterRef("pk"),
        met__in=EFFECTIVE_MET,
        visited_on__gte=first,
        visited_on__lte=last,
    )
    evidence: QuerySet[KeyPerson] = (
        KeyPerson.objects.filter(in_care_during(first, last), subtree_q("grid__path", path))
        .annotate(in_numerator=Exists(visited))
        .order_by("due_on", "pk")
    )
    return evidence


def _listed(
    unit_id: int,
    period: Period,
    count: Counter,
) -> QuerySet[KeyPerson]:
    """The unit's people in the metric's denominator; ``in_numerator``: all that they
    count is in the numerator."""
    path = _unit_path(unit_id)
    if path is None:
        return KeyPerson.objects.none()
    first, last = period.local_dates()
    counted: list[int] = []
    hit: list[int] = []
    for _path, span in spans(subtree_q("grid__path", path), first, last):
        hits, total = count(span, first, last)
        if total:
            counted.append(span.key)
            if hits == total:
                hit.append(span.key)
    evidence: QuerySet[KeyPerson] = (
        KeyPerson.objects.filter(pk__in=counted)
        .annotate(
            in_numerator=Case(
                When(pk__in=hit, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_on", "pk")
    )
    return evidence


def _timeliness_evidence(unit_id: int, period: Period) -> QuerySet[KeyPerson]:
    """The unit's people with a visit that fell due in the period; ``in_numerator``: each
    of those visits was done by its due date."""
    return _listed(unit_id, period, _timely_for(_today()))


def _overdue_evidence(unit_id: int, period: Period) -> QuerySet[KeyPerson]:
    """The unit's people in care on the day counted; ``in_numerator``: overdue then."""
    return _listed(unit_id, period, _overdue_for(_overdue_day(period)))


# --- the metrics ---------------------------------------------------------------------------------


@metric(
    "residents.visit_coverage",
    label=_("Care visit coverage"),
    unit="%",
    direction="higher",
    evidence=_coverage_evidence,
)
def visit_coverage(period: Period, units: Units) -> list[MetricValue]:
    """走访覆盖率 = people visited / people in care.

    Denominator: the people in care in the unit's grids at any time during the period
    (put in care on or before its last day, care not ended before its first day), each
    care (a resident in one key group) counted once. Numerator: those of them with at
    least one effective visit (someone met) on a day of the period.
    """
    asked, found = _tally(period, units, _covered)
    return _rates(asked, found)


@metric(
    "residents.visit_timeliness",
    label=_("Care visits on time"),
    unit="%",
    direction="higher",
    evidence=_timeliness_evidence,
)
def visit_timeliness(period: Period, units: Units) -> list[MetricValue]:
    """走访及时率 = visits done by their due date / visits that fell due.

    Denominator: the visits owed in the unit's grids whose due date is a day of the period
    that has passed (before today), the person still in care on it — the first visit due
    the group's frequency after care began, each next one the frequency after the previous
    effective visit. Numerator: those answered by an effective visit on or before the due
    date. A visit still not done counts as late.
    """
    today = _today()
    asked, found = _tally(period, units, _timely_for(today))
    return _rates(asked, found)


@metric(
    "residents.overdue_visits",
    label=_("Overdue care visits"),
    unit="",
    direction="lower",
    evidence=_overdue_evidence,
)
def overdue_visits(period: Period, units: Units) -> list[MetricValue]:
    """逾期未走访人数 = people in care whose visit was overdue.

    Taken on the period's last day (today while the period runs): the people in care in
    the unit's grids that day whose next visit, after the effective visits made up to that
    day, was due before it — what the overdue list showed that day. Value and numerator:
    that number; denominator: the people in care that day.
    """
    day = _overdue_day(period)
    asked, found = _tally(period, units, _overdue_for(day))
    return [
        MetricValue(
            unit_id,
            Decimal(found.get(unit_id, (0, 0))[0]),
            found.get(unit_id, (0, 0))[0],
            found.get(unit_id, (0, 0))[1],
        )
        for unit_id in asked.order
    ]
