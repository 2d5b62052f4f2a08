"""Metrics of the illegal construction and disorderly relocation register for the
assessment (registered in ``common.metrics``).

A case counts for its unit **and every unit above it**: a village's figure is its own
cases, a township's figure includes its villages' (and its own). By default the active
township- and village-level units are measured; any unit asked for gets the figure of
its subtree. Each metric reads the cases of the period in one query (grouped by unit
path, rolled up in Python to the units asked), plus one to read the units unless they are
given loaded, and for the stopping rate one for the policies of the cases' units.

Conventions (period ``P``; its local days ``first``…``last``; "today" the local date when
the figure is computed):

* *new case*: ``is_new`` (built or moved after the baseline of the policy applying to
  the case's unit, 2015-12-31 unless changed), not dismissed (核实不属于).
* *found in P*: ``found_on`` is a day of P.
* States are read as they are when the figure is computed; an assessment freezes its
  figures when it publishes them.
* A ``%`` value is ``100 × numerator / denominator`` rounded half-up to 0.01 (``None``
  when the denominator is 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent, quantize
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import scope_q, subtree_q
from grassroots.registers.models import ConstructionCase
from grassroots.registers.queries import policies_for
from grassroots.registers.states import ConstructionKind, ConstructionStatus

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

CS = ConstructionStatus
SEPARATOR = "."
#: Up to this many units asked, the cases are restricted to their subtrees in SQL; more,
#: and the period alone narrows them (a long OR of prefixes costs more than it saves).
RESTRICT_UP_TO = 50


# --- units ----------------------------------------------------------------------------------


@dataclass
class Asked:
    """The units asked about: ``(pk, path)`` in order."""

    units: list[tuple[int, str]]

    @classmethod
    def of(cls, units: Units) -> Asked:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        if isinstance(units, QuerySet):
            return cls(list(units.order_by("path").values_list("pk", "path")))
        return cls([(u.pk, u.path) for u in units])

    def restrict(self) -> Q:
        """The filter keeping the cases of the asked units' subtrees (none past
        ``RESTRICT_UP_TO`` units)."""
        if len(self.units) > RESTRICT_UP_TO:
            return Q()
        return scope_q(("unit__path",), {path for _pk, path in self.units})

    def roll_up(self, rows: Iterable[tuple[str, Any]]) -> dict[int, list[Any]]:
        """``{unit pk: [value of every row in its subtree]}`` from ``(unit path, value)``."""
        by_path: dict[str, list[int]] = {}
        for pk, path in self.units:
            by_path.setdefault(path, []).append(pk)
        found: dict[int, list[Any]] = {pk: [] for pk, _path in self.units}
        for path, value in rows:
            parts = path.split(SEPARATOR)
            for i in range(len(parts)):
                for pk in by_path.get(SEPARATOR.join(parts[: i + 1]), ()):
                    found[pk].append(value)
        return found


def _days(period: Period) -> Q:
    first, last = period.local_dates()
    return Q(found_on__gte=first, found_on__lte=last)


NEW = Q(is_new=True) & ~Q(status=CS.DISMISSED)


def _subtree_of(unit_id: int) -> Q:
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    return subtree_q("unit__path", path) if path is not None else Q(pk__in=[])


# --- new cases ----------------------------------------------------------------------------------


def _new_found(kind: str) -> Callable[[Period], Q]:
    return lambda period: NEW & Q(kind=kind) & _days(period)


def _count(population: Q, units: Units) -> list[MetricValue]:
    asked = Asked.of(units)
    rows = (
        ConstructionCase.objects.filter(population, asked.restrict())
        .values("unit__path")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit__path", "n")
    )
    found = asked.roll_up(rows)
    result = []
    for pk, _path in asked.units:
        n = sum(found[pk])
        result.append(MetricValue(pk, Decimal(n), n, None))
    return result


def _count_evidence(population: Callable[[Period], Q]) -> Callable[[int, Period], QuerySet[Any]]:
    def evidence(unit_id: int, period: Period) -> QuerySet[ConstructionCase]:
        cases: QuerySet[ConstructionCase] = (
            ConstructionCase.objects.filter(population(period), _subtree_of(unit_id))
            .select_related("unit")
            .annotate(in_numerator=Value(True, output_field=BooleanField()))
            .order_by("found_on", "pk")
        )
        return cases

    return evidence


NEW_BUILDING = _new_found(ConstructionKind.ILLEGAL_BUILDING)
NEW_RELOCATION = _new_found(ConstructionKind.RELOCATION)


@metric(
    "registers.new_illegal_construction",
    label=_("New illegal construction cases"),
    unit="cases",
    direction="lower",
    evidence=_count_evidence(NEW_BUILDING),
)
def new_illegal_construction(period: Period, units: Units = None) -> list[MetricValue]:
    """新增违建数: the illegal construction (乱修滥建) cases *found in P* that are *new*
    (built after the baseline, not dismissed), in the unit and below. Target zero: usable
    as a veto item (一票否决) — the assessment's veto rule triggers when the value is
    above 0. Value = numerator = the count; no denominator."""
    return _count(NEW_BUILDING(period), units)


@metric(
    "registers.new_disorderly_relocation",
    label=_("New disorderly relocation cases"),
    unit="cases",
    direction="lower",
    evidence=_count_evidence(NEW_RELOCATION),
)
def new_disorderly_relocation(period: Period, units: Units = None) -> list[MetricValue]:
    """新增无序搬迁数: the disorderly relocation (无序搬迁) cases *found in P* that are *new*
    (moved after the baseline, not dismissed), in the unit and below. Target zero: usable
    as a veto item — the veto rule triggers when the value is above 0. Value = numerator
    = the count; no denominator."""
    return _count(NEW_RELOCATION(period), units)


# --- stopped in time ---------------------------------------------------------------------------


def _acted_on(case: tuple[Any, ...]) -> dt.date | None:
    """The day a case was stopped, or closed when it never was stopped."""
    stopped: dt.date | None = case[3]
    closed: dt.date | None = case[4]
    return stopped if stopped is not None else closed


def _judge(
    found_on: dt.date, acted_on: dt.date | None, within_days: int, today: dt.date
) -> bool | None:
    """In time (True), late (False), or not yet known (None: still open in its window)."""
    limit = found_on + dt.timedelta(days=within_days)
    if acted_on is not None:
        return acted_on <= limit
    return False if today > limit else None


def _stop_rows(period: Period, restrict: Q) -> list[tuple[Any, ...]]:
    return list(
        ConstructionCase.objects.filter(NEW & _days(period), restrict)
        .order_by()
        .values_list("unit_id", "unit__path", "found_on", "stopped_on", "closed_on")
    )


def _windows(rows: list[tuple[Any, ...]]) -> dict[int, int]:
    """``{unit id: stop_within_days}`` of the policies of the rows' units (one query)."""
    units = {unit_id: Unit(pk=unit_id, path=path) for unit_id, path, *_rest in rows}
    return {pk: p.stop_within_days for pk, p in policies_for(units.values()).items()}


@metric(
    "registers.stopped_in_time_rate",
    label=_("New cases stopped in time"),
    unit="%",
    direction="higher",
    evidence=lambda unit_id, period: stopped_in_time_evidence(unit_id, period),
)
def stopped_in_time_rate(period: Period, units: Units = None) -> list[MetricValue]:
    """违建制止及时率: of the *new* cases (both kinds) *found in P* in the unit and below
    whose outcome is known, the share stopped in time: stopped (or, never stopped, closed:
    demolished, regularised, moved back) on a day no later than ``found_on`` plus the
    policy's ``stop_within_days`` (3 unless changed). A case still open past that window
    counts as late; one still open within it is not yet counted (in neither part).
    Numerator: stopped in time; denominator: stopped in time + late."""
    today = timezone.localdate()
    asked = Asked.of(units)
    rows = _stop_rows(period, asked.restrict())
    windows = _windows(rows)
    judged: list[tuple[str, bool]] = []
    for row in rows:
        verdict = _judge(row[2], _acted_on(row), windows[row[0]], today)
        if verdict is not None:
            judged.append((row[1], verdict))
    found = asked.roll_up(judged)
    result = []
    for pk, _path in asked.units:
        verdicts = found[pk]
        hits = sum(1 for v in verdicts if v)
        result.append(MetricValue(pk, percent(hits, len(verdicts)), hits, len(verdicts)))
    return result


def stopped_in_time_evidence(unit_id: int, period: Period) -> QuerySet[ConstructionCase]:
    """The unit's (and below) new cases found in ``P``; ``in_numerator`` on those stopped
    in time (cases still within their window are listed too, with ``in_numerator``
    false)."""
    cases = list(
        ConstructionCase.objects.filter(NEW & _days(period), _subtree_of(unit_id))
        .order_by()
        .values_list("pk", "unit_id", "unit__path", "found_on", "stopped_on", "closed_on")
    )
    windows = _windows([row[1:] for row in cases])
    today = timezone.localdate()
    in_time = [
        row[0]
        for row in cases
        if _judge(row[3], row[4] if row[4] is not None else row[5], windows[row[1]], today)
    ]
    found: QuerySet[ConstructionCase] = (
        ConstructionCase.objects.filter(pk__in=[row[0] for row in cases])
        .select_related("unit")
        .annotate(in_numerator=ExpressionWrapper(Q(pk__in=in_time), output_field=BooleanField()))
        .order_by("found_on", "pk")
    )
    return found


# --- area demolished ---------------------------------------------------------------------------


def _demolished_in(period: Period) -> Q:
    first, last = period.local_dates()
    return Q(status=CS.DEMOLISHED, closed_on__gte=first, closed_on__lte=last)


@metric(
    "registers.demolished_area",
    label=_("Area of illegal construction demolished"),
    unit="m²",
    direction="higher",
    evidence=_count_evidence(_demolished_in),
)
def demolished_area(period: Period, units: Units = None) -> list[MetricValue]:
    """拆除面积: the m² demolished (``demolished_area``) of the cases demolished on a day of
    P (``closed_on``), new or not, in the unit and below. Value = numerator = the area
    (two decimals); denominator: the number of cases demolished."""
    asked = Asked.of(units)
    rows = (
        ConstructionCase.objects.filter(_demolished_in(period), asked.restrict())
        .values("unit__path")
        .annotate(area=Sum("demolished_area"), n=Count("pk"))
        .order_by()
        .values_list("unit__path", "area", "n")
    )
    found = asked.roll_up((path, (area or Decimal(0), n)) for path, area, n in rows)
    result = []
    for pk, _path in asked.units:
        area = sum((a for a, _n in found[pk]), Decimal(0))
        cases = sum(n for _a, n in found[pk])
        result.append(MetricValue(pk, quantize(area), quantize(area), cases))
    return result
