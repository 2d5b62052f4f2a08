"""The meetings' metrics for the assessment: monthly meetings held on schedule, and the
attendance rate. A unit's figure counts the unit and every unit below it (a township's
adds up its own and its villages'), placed as ``registers.metrics.windows.AskedUnits``
places them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.partybuilding.metrics._roots import restrict
from grassroots.partybuilding.models import Meeting
from grassroots.partybuilding.states import MeetingKind, MeetingStatus
from grassroots.registers.metrics.windows import MAX_SUBTREES, AskedUnits

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

HOLDERS = sorted({*TOWNSHIP_LEVEL, *VILLAGE_LEVEL})


def months_of(period: Period, today: dt.date) -> list[str]:
    """The months (``YYYY-MM``) the period touches that have begun by ``today``."""
    first, last = period.local_dates()
    last = min(last, today)
    months: list[str] = []
    day = first.replace(day=1)
    while day <= last:
        months.append(f"{day:%Y-%m}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _on_schedule(months: list[str]) -> Q:
    """Held monthly meetings of these months, held within the month they belong to."""
    q = Q(pk__in=[])
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        q |= Q(period=month, held_on__year=year, held_on__month=number)
    return Q(kind=MeetingKind.PARTY_MONTHLY, status=MeetingStatus.HELD) & q


def _subtree(unit_id: int) -> Q | None:
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    return None if unit is None else subtree_q("unit__path", unit.path)


def _monthly_evidence(unit_id: int, period: Period) -> QuerySet[Meeting]:
    """The 党建月会 of the months of the period (every status) of the unit and the units
    below it: the held-on-schedule ones count."""
    where = _subtree(unit_id)
    if where is None:
        return Meeting.objects.none()
    months = months_of(period, timezone.localdate())
    return (
        Meeting.objects.filter(where, kind=MeetingKind.PARTY_MONTHLY, period__in=months)
        .select_related("unit")
        .order_by("period", "unit__path", "pk")
    )


@metric(
    "partybuilding.monthly_meetings_on_schedule",
    label=_("Monthly party-building meetings held on schedule"),
    unit="%",
    direction="higher",
    evidence=_monthly_evidence,
)
def monthly_meetings_on_schedule(period: Period, units: Units) -> list[MetricValue]:
    """党建月会按期召开率 = unit-months with the 党建月会 held on schedule / unit-months due.

    Unit-months due: every active township-level (乡镇, 街道) and village-level (村, 社区)
    unit at or below the asked unit, times every calendar month the period touches that
    has begun by the day of the computation (a month not yet begun is not due; the
    current month is due — its meeting may still come). Held on schedule: that unit has a
    党建月会 of that month (``period``) recorded as held, with its day (``held_on``)
    within that same month (a meeting held late, in a later month, does not count; a
    planned or cancelled one does not count). Value = 100 × numerator / denominator,
    rounded half-up to 0.01; ``None`` when nothing is due (no township or village, or
    the period has not begun). Two queries (the units, the meetings held).
    """
    asked = AskedUnits.of(units)
    months = months_of(period, timezone.localdate())
    due: dict[int, int] = defaultdict(int)
    met: dict[int, int] = defaultdict(int)
    if months:
        holders = Unit.objects.filter(
            restrict(asked.paths, "path", MAX_SUBTREES), active=True, kind__in=HOLDERS
        ).order_by()
        paths: dict[int, str] = {}
        for pk, path in holders.values_list("pk", "path"):
            paths[pk] = path
            for owner in asked.owners(path):
                due[owner] += len(months)
        # the holders as a subquery: 37,500 ids of a province would be 37,500 parameters
        held = (
            Meeting.objects.filter(_on_schedule(months), unit_id__in=holders.values("pk"))
            .order_by()
            .values_list("unit_id", "period")
            .distinct()
        )
        for unit_id, _period in held:
            if unit_id in paths:  # a unit made a holder since the first query: not due
                for owner in asked.owners(paths[unit_id]):
                    met[owner] += 1
    return [MetricValue(u, percent(met[u], due[u]), met[u], due[u]) for u in asked.order]


def _held_in(period: Period) -> Q:
    first, last = period.local_dates()
    return Q(status=MeetingStatus.HELD, held_on__gte=first, held_on__lte=last)


def _attendance_evidence(unit_id: int, period: Period) -> QuerySet[Meeting]:
    """The meetings of the unit and the units below it held on a day of the period."""
    where = _subtree(unit_id)
    if where is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(where, _held_in(period))
        .select_related("unit")
        .order_by("held_on", "unit__path", "pk")
    )


@metric(
    "partybuilding.attendance_rate",
    label=_("Meeting attendance rate"),
    unit="%",
    direction="higher",
    evidence=_attendance_evidence,
)
def attendance_rate(period: Period, units: Units) -> list[MetricValue]:
    """会议出席率 = people present / people expected, over the meetings (every kind) of the
    unit and the units below it recorded as held on a day of the period.

    Numerator: the sum of the meetings' present counts; denominator: the sum of their
    expected counts (both as recorded: from the attendance rows, or the ledger import).
    Value = 100 × numerator / denominator, rounded half-up to 0.01; ``None`` when no
    meeting was held (or none expected anybody). One query.
    """
    asked = AskedUnits.of(units)
    rows = (
        Meeting.objects.filter(_held_in(period), restrict(asked.paths, "unit__path", MAX_SUBTREES))
        .order_by()
        .values("unit_path")
        .annotate(present=Sum("present_count"), expected=Sum("expected_count"))
    )
    present: dict[int, int] = defaultdict(int)
    expected: dict[int, int] = defaultdict(int)
    for row in rows:
        for owner in asked.owners(row["unit_path"]):
            present[owner] += row["present"] or 0
            expected[owner] += row["expected"] or 0
    return [
        MetricValue(u, percent(present[u], expected[u]), present[u], expected[u])
        for u in asked.order
    ]
