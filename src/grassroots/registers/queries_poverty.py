"""Named reads of poverty-relapse monitoring (防返贫监测): the monitored households a
viewer may see with their head's name, the list's filters, the late reviews by village,
and whose names a viewer sees in full.

A review is *late* when the monitoring is open and its next review was due before today
(``review_due_on < today``): one indexed range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from grassroots.common.masking import mask_name
from grassroots.org.models import Unit, is_within
from grassroots.org.queries import grant_paths, subtree_q
from grassroots.registers.models import MonitoredHousehold
from grassroots.registers.permissions import MANAGE
from grassroots.registers.states import MonitorStatus
from grassroots.residents.models import Household, Resident
from grassroots.residents.states import Relationship

OPEN = Q(status=MonitorStatus.MONITORING)


def late(today: dt.date) -> Q:
    """Open monitorings whose next review was due before ``today``."""
    return OPEN & Q(review_due_on__lt=today)


def _head_name() -> Subquery:
    return Subquery(
        Resident.objects.filter(household=OuterRef("household"), relationship=Relationship.HEAD)
        .order_by("pk")
        .values("name")[:1]
    )


def monitored_visible_to(user: Any) -> QuerySet[MonitoredHousehold]:
    """The monitorings ``user`` may see (``registers.view``), with ``head_name`` (the head
    of the household's name, for display through ``name_shown``)."""
    monitored: QuerySet[MonitoredHousehold] = (
        MonitoredHousehold.objects.visible_to(user)
        .select_related("unit", "household__grid")
        .annotate(head_name=_head_name())
    )
    return monitored


def visible_monitored(user: Any, pk: int) -> MonitoredHousehold | None:
    found: MonitoredHousehold | None = monitored_visible_to(user).filter(pk=pk).first()
    return found


def filtered(
    monitored: QuerySet[MonitoredHousehold],
    data: dict[str, Any],
    unit: Unit | None,
    today: dt.date,
) -> QuerySet[MonitoredHousehold]:
    """The list's filters: ``q`` (户号), the village and below (``unit``), ``kind``,
    ``status``, ``late`` (only those whose review is late)."""
    if unit is not None:
        monitored = monitored.filter(subtree_q("unit__path", unit.path))
    if text := (data.get("q") or "").strip():
        monitored = monitored.filter(household__number__icontains=text)
    if kind := data.get("kind"):
        monitored = monitored.filter(kind=kind)
    if status := data.get("status"):
        monitored = monitored.filter(status=status)
    if data.get("late"):
        monitored = monitored.filter(late(today))
    return monitored


def name_shown(user: Any) -> Callable[[MonitoredHousehold], str]:
    """``shown(monitored)``: the head's name in full for those who keep the registers of
    its village (``registers.manage``), masked for everyone else."""
    paths = grant_paths(user, MANAGE)

    def shown(monitored: MonitoredHousehold) -> str:
        name = str(getattr(monitored, "head_name", "") or "")
        if any(is_within(monitored.unit.path, p) for p in paths):
            return name
        return mask_name(name)

    return shown


@dataclass(frozen=True)
class VillageLate:
    """A village's monitorings: open ones and those whose review is late."""

    unit_id: int
    code: str
    name: str
    open: int
    late: int


def late_by_village(monitored: QuerySet[MonitoredHousehold], today: dt.date) -> list[VillageLate]:
    """Per village (of ``monitored``, already scoped), the open monitorings and the late
    ones, the villages with any late first (most late first). One query."""
    rows = (
        monitored.filter(OPEN)
        .order_by()
        .values("unit_id", "unit__code", "unit__name")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(review_due_on__lt=today)))
        .filter(late__gt=0)
        .values_list("unit_id", "unit__code", "unit__name", "n", "late")
    )
    found = [VillageLate(*row) for row in rows]
    return sorted(found, key=lambda v: (-v.late, v.code))


def household_of(village: Unit, number: str) -> Household | None:
    """The household numbered ``number`` of ``village`` (its scope is the caller's to
    check: the action requires ``registers.manage`` over the village)."""
    found: Household | None = Household.objects.filter(
        village=village, number=number.strip()
    ).first()
    return found


def days_late(monitored: MonitoredHousehold, today: dt.date) -> int:
    """Days since the review fell due (0 when not late)."""
    if monitored.status != MonitorStatus.MONITORING:
        return 0
    return max(0, (today - monitored.review_due_on).days)


def risk_labels(monitored: MonitoredHousehold) -> str:
    """The risks in words, joined by 、."""
    from grassroots.registers.states import Risk

    labels = dict(Risk.choices)
    return "、".join(str(labels.get(r, r)) for r in monitored.risks)
