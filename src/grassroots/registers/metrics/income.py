"""The village collective economy's metrics for the assessment: growth of the income on
the year before, and the share of the target reached.

Income and targets belong to villages; a township's figure adds up those of its villages
(``metrics.windows.AskedUnits``). The year measured is the year of the period's last day
(the whole year's figures: the collective economy is counted by the year).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import Unit
from grassroots.org.queries import subtree_q
from grassroots.registers.metrics.windows import AskedUnits, last_local_day
from grassroots.registers.models import CollectiveIncome, IncomeTarget

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)


def year_of(period: Period) -> int:
    return last_local_day(period).year


def _subtree(unit_id: int) -> str | None:
    return Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()


def _growth_evidence(unit_id: int, period: Period) -> QuerySet[CollectiveIncome]:
    """The income rows of the period's year and the year before, of the unit and below."""
    path = _subtree(unit_id)
    if path is None:
        return CollectiveIncome.objects.none()
    year = year_of(period)
    return (
        CollectiveIncome.objects.filter(subtree_q("unit__path", path), year__in=[year, year - 1])
        .select_related("unit")
        .order_by("unit__path", "-year", "source")
    )


@metric(
    "registers.collective_income_growth_rate",
    label=_("Growth of village collective income"),
    unit="%",
    direction="higher",
    evidence=_growth_evidence,
)
def collective_income_growth_rate(period: Period, units: Units) -> list[MetricValue]:
    """集体经济收入增长率 = (income of the year − income of the year before) / income of
    the year before.

    The year: the year of the period's last day (Y). Villages: the unit itself and those
    below it that have income figures of both Y and Y − 1 (all sources added up; a
    village missing either year is left out, as is one whose Y − 1 total is 0).
    Numerator: Σ (total Y − total Y − 1) over them (yuan; negative when the income fell);
    denominator: Σ total Y − 1. Value = 100 × numerator / denominator rounded half-up to
    0.01; ``None`` without any such village. One query.
    """
    asked = AskedUnits.of(units)
    year = year_of(period)
    rows = (
        CollectiveIncome.objects.filter(asked.restrict(), year__in=[year, year - 1])
        .order_by()
        .values("unit_id", "unit__path", "year")
        .annotate(total=Sum("amount"))
        .values_list("unit_id", "unit__path", "year", "total")
    )
    by_village: dict[int, dict[int, Decimal]] = defaultdict(dict)
    paths: dict[int, str] = {}
    for unit_id, path, row_year, total in rows:
        by_village[unit_id][row_year] = total
        paths[unit_id] = path
    growth: dict[int, Decimal] = defaultdict(Decimal)
    base: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, years in by_village.items():
        if year not in years or not years.get(year - 1):
            continue
        for owner in asked.owners(paths[unit_id]):
            growth[owner] += years[year] - years[year - 1]
            base[owner] += years[year - 1]
    result = []
    for unit_id in asked.order:
        if unit_id not in base:
            result.append(MetricValue(unit_id, None, None, None))
        else:
            num, den = growth[unit_id], base[unit_id]
            result.append(MetricValue(unit_id, percent(num, den), num, den))
    return result


def _target_evidence(unit_id: int, period: Period) -> QuerySet[IncomeTarget]:
    """The targets of the period's year of the unit and below, with ``income`` (the
    village's income of that year)."""
    path = _subtree(unit_id)
    if path is None:
        return IncomeTarget.objects.none()
    year = year_of(period)
    targets: QuerySet[IncomeTarget] = (
        IncomeTarget.objects.filter(subtree_q("unit__path", path), year=year)
        .annotate(income=_income_of_year())
        .select_related("unit")
        .order_by("unit__path")
    )
    return targets


def _income_of_year() -> Coalesce:
    total = (
        CollectiveIncome.objects.filter(unit_id=OuterRef("unit_id"), year=OuterRef("year"))
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


@metric(
    "registers.collective_income_target_rate",
    label=_("Village collective income against its target"),
    unit="%",
    direction="higher",
    evidence=_target_evidence,
)
def collective_income_target_rate(period: Period, units: Units) -> list[MetricValue]:
    """集体经济收入目标完成率 = income of the year / its target.

    The year: the year of the period's last day (Y). Villages: the unit itself and those
    below it that have a target for Y. Numerator: their income of Y (all sources; 0 for
    a village that entered none); denominator: their targets added up (yuan). Value =
    100 × numerator / denominator rounded half-up to 0.01 (above 100: the target was
    exceeded); ``None`` without any target. One query.
    """
    asked = AskedUnits.of(units)
    year = year_of(period)
    rows = (
        IncomeTarget.objects.filter(asked.restrict(), year=year)
        .annotate(income=_income_of_year())
        .order_by()
        .values_list("unit__path", "amount", "income")
    )
    reached: dict[int, Decimal] = defaultdict(Decimal)
    target: dict[int, Decimal] = defaultdict(Decimal)
    for path, amount, income in rows:
        for owner in asked.owners(path):
            reached[owner] += income
            target[owner] += amount
    return [
        MetricValue(
            unit_id, percent(reached[unit_id], target[unit_id]), reached[unit_id], target[unit_id]
        )
        if unit_id in target
        else MetricValue(unit_id, None, None, None)
        for unit_id in asked.order
    ]
