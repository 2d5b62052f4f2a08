"""The poverty-relapse monitoring metric for the assessment: reviews (回访) on time.

A unit's figure counts the monitorings of the unit and of every unit below it (a
township's figure adds up its villages'), as ``metrics.windows.AskedUnits`` places them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import Unit
from grassroots.org.queries import subtree_q
from grassroots.registers import programme as pg
from grassroots.registers.metrics.windows import AskedUnits
from grassroots.registers.models import MonitoredHousehold
from grassroots.registers.queries import policies_for
from grassroots.registers.states import MonitorStatus

if TYPE_CHECKING:
    from grassroots.common.metrics import Units


def _monitored_in(period: Period) -> Q:
    """Monitorings begun by the period's end and not closed before it began."""
    first, last = period.local_dates()
    return Q(since__lte=last) & (Q(removed_on__isnull=True) | Q(removed_on__gte=first))


def _evidence(unit_id: int, period: Period) -> QuerySet[MonitoredHousehold]:
    """The monitorings of the unit and the units below it that ran during the period
    (each one's due dates are computed as the definition says)."""
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return MonitoredHousehold.objects.none()
    return (
        MonitoredHousehold.objects.filter(_monitored_in(period), subtree_q("unit__path", unit.path))
        .select_related("unit", "household")
        .prefetch_related("reviews")
        .order_by("review_due_on", "pk")
    )


@metric(
    "registers.monitor_review_on_time_rate",
    label=_("Monitored households reviewed on time"),
    unit="%",
    direction="higher",
    evidence=_evidence,
)
def monitor_review_on_time_rate(period: Period, units: Units) -> list[MetricValue]:
    """监测户按期回访率 = review due dates of the period met on time / review due dates of
    the period.

    Monitorings: the unit's and those of the units below it, begun by the period's last
    day and not closed before its first. For each, a review falls due
    ``review_every_days`` (the policy of its village) after the monitoring began, then
    after each review. A due date is *met* when the next review comes on or before it,
    and *missed* when the next review comes after it, or has not come and the date has
    passed (before today) when the figure is computed. Denominator: the due dates that
    fall on a day of the period and are met or missed (a date still ahead without its
    review is not yet due; a monitoring closed — its risk removed at a review — has no
    due date after that review). Numerator: those met. Value = 100 × numerator /
    denominator, rounded half-up to 0.01; ``None`` when nothing fell due. One query (the
    monitorings with their review days) and one for the policies.
    """
    asked = AskedUnits.of(units)
    first, last = period.local_dates()
    today = timezone.localdate()
    rows = (
        MonitoredHousehold.objects.filter(_monitored_in(period), asked.restrict())
        .order_by("pk")
        .values_list("pk", "unit_id", "unit__path", "since", "status", "reviews__reviewed_on")
    )
    found: dict[int, tuple[int, str, dt.date, bool, list[dt.date]]] = {}
    for pk, unit_id, path, since, status, reviewed_on in rows:
        entry = found.setdefault(pk, (unit_id, path, since, status == MonitorStatus.REMOVED, []))
        if reviewed_on is not None:
            entry[4].append(reviewed_on)
    units_of = {unit_id: Unit(pk=unit_id, path=path) for unit_id, path, *_ in found.values()}
    policies = policies_for(units_of.values())
    due: dict[int, int] = defaultdict(int)
    met: dict[int, int] = defaultdict(int)
    for unit_id, path, since, closed, reviews in found.values():
        owners = asked.owners(path)
        if not owners:
            continue
        every = policies[unit_id].review_every_days
        dues = pg.review_dues(
            since, reviews, every, closed=closed, first=first, last=last, today=today
        )
        for owner in owners:
            due[owner] += dues.due
            met[owner] += dues.on_time
    return [
        MetricValue(unit_id, percent(met[unit_id], due[unit_id]), met[unit_id], due[unit_id])
        for unit_id in asked.order
    ]
