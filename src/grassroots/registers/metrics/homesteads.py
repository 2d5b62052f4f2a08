"""Metrics of the 一户一宅 cases for the assessment (registered in ``common.metrics``).

A case belongs to its village (``HomesteadCase.unit``); a unit's figure counts the cases
of its whole subtree — a village its own, a township those of its villages, the city all
of them. Every metric is one query for all the units asked about (plus one to read their
paths when they are given as a queryset); by default the active township- and
village-level units.

Conventions (period ``P``, its local days ``first``…``last``):

* *found by the end of P*: ``found_on`` ≤ ``last``;
* *closed by the end of P*: rectified or dismissed with ``closed_on`` ≤ ``last``;
* *open at the start of P*: found before ``first`` and not closed before ``first``
  (``closed_on`` empty or ≥ ``first``);
* *open at the end of P*: found by the end of P and not closed by it (``closed_on`` empty
  or after ``last``).

States are read as they are when the figure is computed; an assessment freezes its
figures when it publishes them. A ``%`` value is ``100 × numerator / denominator``
rounded half-up to 0.01 (``None`` when the denominator is 0).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import PATH_SEPARATOR, TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.registers.models import HomesteadCase
from grassroots.registers.states import HomesteadCaseStatus

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

CLOSED = (HomesteadCaseStatus.RECTIFIED, HomesteadCaseStatus.DISMISSED)


def _asked(units: Units) -> list[tuple[int, str]]:
    """The units asked about as (pk, path), in path order for a queryset."""
    if units is None:
        units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
    if isinstance(units, QuerySet):
        return list(units.order_by("path").values_list("pk", "path"))
    return [(u.pk, u.path) for u in units]


def _rolled_up(
    asked: list[tuple[int, str]], rows: list[tuple[str, int, int]]
) -> dict[int, tuple[int, int]]:
    """``rows`` — (village path, total, hits) — summed into every asked unit at or above
    the village."""
    by_path = {path: pk for pk, path in asked}
    sums: dict[int, tuple[int, int]] = {pk: (0, 0) for pk, _path in asked}
    for path, total, hits in rows:
        parts = path.split(PATH_SEPARATOR)
        for i in range(1, len(parts) + 1):
            pk = by_path.get(PATH_SEPARATOR.join(parts[:i]))
            if pk is not None:
                t, h = sums[pk]
                sums[pk] = (t + total, h + hits)
    return sums


def _counts(population: Q, hit: Q, asked: list[tuple[int, str]]) -> dict[int, tuple[int, int]]:
    """One query: per village path, the cases of ``population`` and those of them that
    ``hit``; rolled up into the asked units."""
    rows = list(
        HomesteadCase.objects.filter(population)
        .order_by()
        .values("unit__path")
        .annotate(total=Count("pk"), hits=Count("pk", filter=hit))
        .values_list("unit__path", "total", "hits")
    )
    return _rolled_up(asked, rows)


def _in_rate(period: Period) -> Q:
    first, last = period.local_dates()
    return Q(found_on__lte=last) & (
        Q(found_on__gte=first) | Q(closed_on__isnull=True) | Q(closed_on__gte=first)
    )


def _closed_by_end(period: Period) -> Q:
    _first, last = period.local_dates()
    return Q(status__in=CLOSED, closed_on__isnull=False, closed_on__lte=last)


def _open_at_end(period: Period) -> Q:
    _first, last = period.local_dates()
    return Q(found_on__lte=last) & (Q(closed_on__isnull=True) | Q(closed_on__gt=last))


def _evidence(
    population: Callable[[Period], Q], hit: Callable[[Period], Q]
) -> Callable[[int, Period], QuerySet[Any]]:
    def evidence(unit_id: int, period: Period) -> QuerySet[Any]:
        """The cases behind the unit's figure; ``in_numerator`` says which count above."""
        unit = Unit.objects.only("path").get(pk=unit_id)
        cases: QuerySet[Any] = (
            HomesteadCase.objects.filter(population(period), subtree_q("unit__path", unit.path))
            .select_related("unit", "household", "homestead")
            .annotate(in_numerator=ExpressionWrapper(hit(period), output_field=BooleanField()))
            .order_by("found_on", "pk")
        )
        return cases

    return evidence


@metric(
    "registers.homestead_rectification_rate",
    label=_("一户一宅 rectification rate"),
    unit="%",
    direction="higher",
    evidence=_evidence(_in_rate, _closed_by_end),
)
def homestead_rectification_rate(period: Period, units: Units) -> list[MetricValue]:
    """一户一宅整改率 = cases closed by the end of P / cases to deal with in P.

    Denominator: the 一户一宅 cases of the unit's subtree found on or before P's last day
    that were either found during P or still open at P's start (not closed before its
    first day). Numerator: those of them rectified or dismissed after checking with a
    closing day on or before P's last day. A case closed after P counts in the
    denominator only.
    """
    asked = _asked(units)
    found = _counts(_in_rate(period), _closed_by_end(period), asked)
    result = []
    for pk, _path in asked:
        total, hits = found[pk]
        result.append(MetricValue(pk, percent(hits, total), hits, total))
    return result


@metric(
    "registers.homestead_open_cases",
    label=_("一户一宅 cases open"),
    unit="",
    direction="lower",
    evidence=_evidence(_open_at_end, lambda period: Q(pk__isnull=False)),
)
def homestead_open_cases(period: Period, units: Units) -> list[MetricValue]:
    """一户一宅未整改数 = cases open at the end of P.

    Value and numerator: the 一户一宅 cases of the unit's subtree found on or before P's
    last day and not rectified or dismissed by it (no closing day, or one after P's last
    day). No denominator.
    """
    asked = _asked(units)
    found = _counts(_open_at_end(period), Q(pk__isnull=False), asked)
    return [MetricValue(pk, Decimal(found[pk][0]), found[pk][0], None) for pk, _path in asked]
