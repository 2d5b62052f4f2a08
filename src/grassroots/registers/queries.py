"""Named reads shared by every register: the policy that applies to a unit, and the
figures of the home page.

Each register's own reads are in ``queries_<register>.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from grassroots.org.models import PATH_SEPARATOR, Unit
from grassroots.org.permissions import can
from grassroots.registers.models import (
    CollectiveIncome,
    ConstructionCase,
    Homestead,
    HomesteadCase,
    MonitoredHousehold,
    Policy,
    Window,
)
from grassroots.registers.programme import ratio_percent
from grassroots.registers.states import (
    OPEN_CONSTRUCTION,
    OPEN_HOMESTEAD_CASE,
    ConstructionKind,
    ConstructionStatus,
    MonitorStatus,
)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


def policies_for(units: Iterable[Unit]) -> dict[int, Policy]:
    """The policy that applies to each unit (``unit.pk`` → policy): the nearest one on the
    unit or above it, else an unsaved ``Policy`` with the defaults. One query."""
    units = list(units)
    wanted = {p for unit in units for p in _ancestor_paths(unit.path)}
    found = {
        policy.unit.path: policy
        for policy in Policy.objects.select_related("unit").filter(unit__path__in=wanted)
    }
    answer: dict[int, Policy] = {}
    for unit in units:
        for path in reversed(_ancestor_paths(unit.path)):
            if path in found:
                answer[unit.pk] = found[path]
                break
        else:
            answer[unit.pk] = Policy(unit=unit)
    return answer


def policy_for(unit: Unit) -> Policy:
    """The policy that applies to ``unit`` (see ``policies_for``)."""
    return policies_for([unit])[unit.pk]


@dataclass(frozen=True, slots=True)
class Overview:
    """The figures of every register that a viewer sees on the registers' home page."""

    homesteads: int
    homestead_cases_open: int
    homestead_cases_overdue: int
    construction_new_this_year: int
    relocation_new_this_year: int
    construction_open: int
    construction_overdue: int
    windows: int
    window_area: Decimal
    window_restored: Decimal
    monitored: int
    monitored_late: int
    villages_with_income: int
    income_total: Decimal

    @property
    def income_wan(self) -> Decimal:
        """The collective income in 万元 (10,000 yuan), as the income page totals it."""
        return self.income_total / 10000

    @property
    def window_share(self) -> Decimal | None:
        """Restored area as a percentage of the area to restore, rounded as the 天窗
        list rounds it (half-up to 0.01)."""
        return ratio_percent(self.window_restored, self.window_area)


def overview(user: Any, today: dt.date) -> Overview:
    """The registers' figures over what ``user`` may see (``registers.view``), as of
    ``today``; one query per register."""
    open_cases = Q(status__in=OPEN_HOMESTEAD_CASE)
    cases = HomesteadCase.objects.visible_to(user).aggregate(
        open=Count("pk", filter=open_cases),
        overdue=Count("pk", filter=open_cases & Q(due_on__lt=today)),
    )
    # As the zero line and the metrics count: a report found not to be a case is no case.
    this_year = Q(is_new=True, found_on__year=today.year) & ~Q(status=ConstructionStatus.DISMISSED)
    open_construction = Q(status__in=OPEN_CONSTRUCTION)
    construction = ConstructionCase.objects.visible_to(user).aggregate(
        new_building=Count("pk", filter=this_year & Q(kind=ConstructionKind.ILLEGAL_BUILDING)),
        new_relocation=Count("pk", filter=this_year & Q(kind=ConstructionKind.RELOCATION)),
        open=Count("pk", filter=open_construction),
        overdue=Count("pk", filter=open_construction & Q(due_on__lt=today)),
    )
    windows = Window.objects.visible_to(user).aggregate(
        n=Count("pk"), area=Sum("area"), restored=Sum("restored_area")
    )
    monitoring = Q(status=MonitorStatus.MONITORING)
    monitored = MonitoredHousehold.objects.visible_to(user).aggregate(
        n=Count("pk", filter=monitoring),
        late=Count("pk", filter=monitoring & Q(review_due_on__lt=today)),
    )
    income = CollectiveIncome.objects.visible_to(user).filter(year=today.year)
    income_figures = income.aggregate(villages=Count("unit", distinct=True), total=Sum("amount"))
    return Overview(
        homesteads=Homestead.objects.visible_to(user).filter(active=True).count(),
        homestead_cases_open=cases["open"],
        homestead_cases_overdue=cases["overdue"],
        construction_new_this_year=construction["new_building"],
        relocation_new_this_year=construction["new_relocation"],
        construction_open=construction["open"],
        construction_overdue=construction["overdue"],
        windows=windows["n"],
        window_area=windows["area"] or Decimal(0),
        window_restored=windows["restored"] or Decimal(0),
        monitored=monitored["n"],
        monitored_late=monitored["late"],
        villages_with_income=income_figures["villages"],
        income_total=income_figures["total"] or Decimal(0),
    )


@dataclass(frozen=True, slots=True)
class Supervision:
    """A case's supervised task as its page shows it: the task (None when there is none)
    and whether the viewer may put the case under supervision."""

    task: Any
    may_supervise: bool


def supervision_of(user: Any, case: HomesteadCase | ConstructionCase) -> Supervision:
    """The supervised task of ``case`` (one query when it has one) and whether ``user``
    may deploy one to the case's village (``supervision.deploy``)."""
    from grassroots.supervision.models import Task

    task = Task.objects.filter(pk=case.task_id).first() if case.task_id else None
    may = task is None and can(user, "supervision.deploy", case.unit)
    return Supervision(task=task, may_supervise=may)
