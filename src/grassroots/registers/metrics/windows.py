"""The 邛海天窗 metric for the assessment, and the units frame the registers' metrics share.

A register's record belongs to a unit (a village, a community, sometimes a township): a
unit's figure counts the records of the unit **and every unit below it** (a township's
figure is its villages' added up, with its own). Each metric reads its records once for
all the units asked (rows grouped in SQL where the definition allows), then adds each
row to every asked unit whose path is a prefix of the row's unit path — a fixed number of
queries whatever the number of units (``AskedUnits``). By default the active township- and
village-level units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, quantize
from grassroots.org.models import PATH_SEPARATOR, TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import scope_q, subtree_q, subtree_roots
from grassroots.registers import programme as pg
from grassroots.registers.models import Window
from grassroots.registers.queries import policies_for

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

#: Up to this many subtrees the rows are filtered in SQL; above, every row is read (and
#: the rows of units not asked are dropped in Python).
MAX_SUBTREES: Final = 50


@dataclass
class AskedUnits:
    """The units a metric is asked about: ids in order and their paths."""

    order: list[int]
    paths: dict[str, int]

    @classmethod
    def of(cls, units: Units) -> AskedUnits:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        if isinstance(units, QuerySet):
            pairs: Iterable[tuple[int, str]] = units.order_by("path").values_list("pk", "path")
        else:
            pairs = [(u.pk, u.path) for u in units]
        order: list[int] = []
        paths: dict[str, int] = {}
        for pk, path in pairs:
            order.append(pk)
            paths[path] = pk
        return cls(order, paths)

    def restrict(self, field: str = "unit__path") -> Q:
        """The filter keeping rows placed under an asked unit (none when there are too
        many subtrees to name: the rows are then matched in Python)."""
        if not self.paths:
            return Q(pk__in=[])
        roots = subtree_roots(self.paths)
        return scope_q((field,), set(roots)) if len(roots) <= MAX_SUBTREES else Q()

    def owners(self, path: str) -> list[int]:
        """The asked units at or above ``path``."""
        parts = path.split(PATH_SEPARATOR)
        found = []
        for i in range(len(parts)):
            pk = self.paths.get(PATH_SEPARATOR.join(parts[: i + 1]))
            if pk is not None:
                found.append(pk)
        return found


def last_local_day(period: Period) -> dt.date:
    return period.local_dates()[1]


# --- 天窗补齐进度 -------------------------------------------------------------------------


def _restored_by(
    area: Decimal, restored: Decimal, restored_on: dt.date | None, last: dt.date
) -> Decimal:
    """What a parcel had restored by the end of the day ``last``: all of it when it was
    completed by then; none when it was completed after (the register keeps no dated
    partial figures); else its restored area as entered."""
    if restored_on is not None:
        return area if restored_on <= last else Decimal(0)
    return restored


def _window_rows(asked: AskedUnits) -> list[tuple[int, str, Decimal, Decimal, Any]]:
    return list(
        Window.objects.filter(asked.restrict())
        .order_by()
        .values_list("unit_id", "unit__path", "area", "restored_area", "restored_on")
    )


def _window_evidence(unit_id: int, period: Period) -> QuerySet[Window]:
    """The parcels of the unit and the units below it."""
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return Window.objects.none()
    return (
        Window.objects.filter(subtree_q("unit__path", unit.path))
        .select_related("unit")
        .order_by("plan_year", "code")
    )


@metric(
    "registers.window_progress",
    label=_("天窗 restoration against the programme"),
    unit="%",
    direction="higher",
    evidence=_window_evidence,
)
def window_progress(period: Period, units: Units) -> list[MetricValue]:
    """天窗补齐进度 = credited restoration / area planned by the straight line, at the
    end of the period.

    Parcels: the unit's and those of the units below it. For each parcel, the straight
    line of the programme of its unit's policy (``window_first_year``…``window_last_year``,
    N years) plans ``area × share`` restored by the end of the period's last day, where
    ``share`` is the whole years of the programme elapsed plus the elapsed part of the
    current year (by days), over N (``programme.Programme.share_at``; 0 before the
    programme, 1 after it). Restored by then: the whole area if the parcel was completed
    (``restored_on``) on or before the period's last day, nothing if completed after it,
    else its restored area as entered. Each parcel is credited with at most its planned
    area (one ahead of the line does not make up for another behind it). Numerator: the
    credited areas added up (m²); denominator: the planned areas added up; value = 100 ×
    numerator / denominator rounded half-up to 0.01, never above 100. ``None`` for a unit
    without parcels, or before the programme starts.
    """
    asked = AskedUnits.of(units)
    rows = _window_rows(asked)
    last = last_local_day(period)
    day = last + dt.timedelta(days=1)
    policies = policies_for({r[0]: Unit(pk=r[0], path=r[1]) for r in rows}.values())
    credited: dict[int, Decimal] = defaultdict(Decimal)
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, path, area, restored, restored_on in rows:
        owners = asked.owners(path)
        if not owners:
            continue
        policy = policies[unit_id]
        programme = pg.Programme(policy.window_first_year, policy.window_last_year)
        plan = pg.planned_area(area, programme, day)
        done = pg.credited(_restored_by(area, restored, restored_on, last), plan)
        for owner in owners:
            planned[owner] += plan
            credited[owner] += done
    result = []
    for unit_id in asked.order:
        den = planned.get(unit_id)
        if den is None:
            result.append(MetricValue(unit_id, None, None, None))
            continue
        num = credited[unit_id]
        result.append(
            MetricValue(unit_id, pg.ratio_percent(num, den), quantize(num), quantize(den))
        )
    return result
