"""Named reads of the village collective economy (村集体经济): each village's income of a
year by source, its target, progress and growth over the year before; the townships and
tasks a viewer may pick.

Three queries for a whole table (the villages, the income of the two years, the
targets), whatever the number of villages; sorted and paginated in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone

from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.registers import programme as pg
from grassroots.registers.models import CollectiveIncome, IncomeTarget
from grassroots.registers.permissions import VIEW
from grassroots.registers.states import IncomeSource

#: The sort keys of the table (``-`` before one: descending).
SORTS: Final = ("name", "total", "target", "progress", "growth")
#: Villages in one table at most.
VILLAGES_SHOWN: Final = 20000


@dataclass
class VillageIncome:
    """One village's year: its income by source, the total, last year's total, the
    target (with the supervised task it came from) and the rates."""

    unit: Unit
    amounts: dict[str, Decimal] = field(default_factory=dict)
    previous: Decimal | None = None
    target: Decimal | None = None
    task_id: int | None = None

    @property
    def total(self) -> Decimal | None:
        return sum(self.amounts.values(), start=Decimal(0)) if self.amounts else None

    @property
    def progress(self) -> Decimal | None:
        return pg.target_percent(self.total or Decimal(0), self.target)

    @property
    def growth(self) -> Decimal | None:
        if self.total is None or self.previous is None:
            return None
        return pg.growth_percent(self.total, self.previous)

    def by_source(self) -> list[Decimal | None]:
        return [self.amounts.get(s) for s in IncomeSource.values]


def townships_for(user: Any) -> list[Unit]:
    """The township-level units in the viewer's scope (the table's filter)."""
    return list(
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind__in=TOWNSHIP_LEVEL)
        .defer("geometry")
        .order_by("path")
    )


def villages_for(user: Any, action: str = VIEW) -> QuerySet[Unit]:
    """The villages and communities in the subtrees where ``user`` holds ``action``."""
    return (
        Unit.objects.visible_to(user, action)
        .filter(active=True, kind__in=VILLAGE_LEVEL)
        .defer("geometry")
        .order_by("path")
    )


def income_table(
    user: Any, year: int, *, within: Unit | None = None, text: str = ""
) -> list[VillageIncome]:
    """The viewer's villages (under ``within``; named like ``text``) with their figures
    of ``year`` and the year before, in path order."""
    villages = villages_for(user)
    incomes = CollectiveIncome.objects.visible_to(user).filter(year__in=[year, year - 1])
    targets = IncomeTarget.objects.visible_to(user).filter(year=year)
    if within is not None:
        villages = villages.filter(subtree_q("path", within.path))
        incomes = incomes.filter(subtree_q("unit__path", within.path))
        targets = targets.filter(subtree_q("unit__path", within.path))
    if text:
        villages = villages.filter(name__icontains=text)
    rows = {u.pk: VillageIncome(u) for u in villages[:VILLAGES_SHOWN]}
    for unit_id, row_year, source, amount in incomes.order_by().values_list(
        "unit_id", "year", "source", "amount"
    ):
        row = rows.get(unit_id)
        if row is None:
            continue
        if row_year == year:
            row.amounts[source] = amount
        else:
            row.previous = (row.previous or Decimal(0)) + amount
    for unit_id, amount, task_id in targets.order_by().values_list("unit_id", "amount", "task_id"):
        if unit_id in rows:
            rows[unit_id].target, rows[unit_id].task_id = amount, task_id
    return list(rows.values())


def sort_rows(rows: list[VillageIncome], key: str) -> list[VillageIncome]:
    """The rows by ``key`` (``SORTS``, ``-`` for descending); villages without the
    figure last; ties by path."""
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in SORTS or name == "name":
        ordered = sorted(rows, key=lambda r: r.unit.path)
        return ordered[::-1] if descending and name == "name" else ordered
    known = [r for r in rows if getattr(r, name) is not None]
    unknown = [r for r in rows if getattr(r, name) is None]
    known.sort(key=lambda r: r.unit.path)
    known.sort(key=lambda r: getattr(r, name), reverse=descending)
    return known + sorted(unknown, key=lambda r: r.unit.path)


@dataclass(frozen=True)
class Totals:
    """The table's villages added up."""

    by_source: list[Decimal]
    total: Decimal
    target: Decimal
    reporting: int
    #: The villages with figures of both years (last year's above 0): this year's total
    #: and last year's.
    compared: Decimal
    previous: Decimal

    @property
    def growth(self) -> Decimal | None:
        """Growth over the villages with figures of both years."""
        return pg.growth_percent(self.compared, self.previous)

    #: The income of the villages that have a target.
    targeted: Decimal = Decimal(0)

    @property
    def progress(self) -> Decimal | None:
        """The share of the targets reached, over the villages that have one."""
        return pg.target_percent(self.targeted, self.target)


def totals(rows: list[VillageIncome]) -> Totals:
    by_source = [
        sum((r.amounts.get(s, Decimal(0)) for r in rows), start=Decimal(0))
        for s in IncomeSource.values
    ]
    # as registers.collective_income_growth_rate: a village without last year's income
    # (none entered, or 0) has no growth to count
    both = [r for r in rows if r.total is not None and r.previous]
    return Totals(
        by_source=by_source,
        total=sum(by_source, start=Decimal(0)),
        target=sum((r.target or Decimal(0) for r in rows), start=Decimal(0)),
        reporting=sum(1 for r in rows if r.amounts),
        compared=sum((r.total or Decimal(0) for r in both), start=Decimal(0)),
        previous=sum((r.previous or Decimal(0) for r in both), start=Decimal(0)),
        targeted=sum((r.total or Decimal(0) for r in rows if r.target), start=Decimal(0)),
    )


def village_year(user: Any, village: Unit, year: int) -> VillageIncome:
    """One village's figures of ``year`` (the edit page)."""
    rows = income_table(user, year, within=village)
    return next((r for r in rows if r.unit.pk == village.pk), VillageIncome(village))


def target_tasks(user: Any, village: Unit) -> list[Any]:
    """The supervised tasks visible to ``user`` that are the village's own and carry a
    quantitative target (the target form's choices), newest deadline first."""
    from grassroots.supervision.models import Task

    return list(
        Task.objects.visible_to(user)
        .filter(unit=village, target_value__isnull=False)
        .only("pk", "title", "target_value", "target_measure", "deadline")
        .order_by("-deadline", "-pk")[:200]
    )


def this_year() -> int:
    return timezone.localdate().year
