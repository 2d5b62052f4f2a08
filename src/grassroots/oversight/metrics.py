"""The oversight committees' figure for the assessment (registered in ``common.metrics``).

A case counts for its village **and every unit above it** (a township's figure includes
its villages'). By default the active township- and village-level units are measured;
any unit asked for gets the figure of its subtree. One query reads the cases of the
period grouped by village (conditional counts), plus one to read the units unless they
are given loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, F, Q, QuerySet, Value, When
from django.db.models import Case as When_
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import scope_q, subtree_q
from grassroots.oversight.models import Case
from grassroots.oversight.states import CaseStatus

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

SEPARATOR = "."
#: Up to this many units asked, the cases are restricted to their subtrees in SQL.
RESTRICT_UP_TO = 50


def _asked(units: Units) -> list[tuple[int, str]]:
    if units is None:
        units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
    if isinstance(units, QuerySet):
        return list(units.order_by("path").values_list("pk", "path"))
    return [(u.pk, u.path) for u in units]


def _due_in(period: Period) -> Q:
    first, last = period.local_dates()
    return Q(first_deadline__gte=first, first_deadline__lte=last) & ~Q(status=CaseStatus.DISMISSED)


def _decided(today: dt.date) -> Q:
    """Closed, or not closed and past the deadline (the outcome is known)."""
    return Q(status=CaseStatus.CLOSED) | Q(first_deadline__lt=today)


ON_TIME = Q(status=CaseStatus.CLOSED, closed_on__lte=F("first_deadline"))


def _roll_up(
    asked: list[tuple[int, str]], rows: Iterable[tuple[str, int, int]]
) -> dict[int, tuple[int, int]]:
    by_path: dict[str, list[int]] = {}
    for pk, path in asked:
        by_path.setdefault(path, []).append(pk)
    found = {pk: (0, 0) for pk, _path in asked}
    for path, num, den in rows:
        parts = path.split(SEPARATOR)
        for i in range(len(parts)):
            for pk in by_path.get(SEPARATOR.join(parts[: i + 1]), ()):
                n, d = found[pk]
                found[pk] = (n + num, d + den)
    return found


def _evidence(unit_id: int, period: Period) -> QuerySet[Any]:
    """The cases of the denominator in ``unit_id``'s subtree; ``in_numerator`` marks those
    closed on time."""
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return Case.objects.none()
    today = timezone.localdate()
    cases: QuerySet[Case] = (
        Case.objects.filter(_due_in(period), _decided(today), subtree_q("unit_path", path))
        .select_related("unit")
        .annotate(
            in_numerator=When_(
                When(ON_TIME, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("first_deadline", "pk")
    )
    return cases


@metric(
    "oversight.cases_closed_on_time",
    label=_("Oversight cases closed on time"),
    unit="%",
    direction="higher",
    evidence=_evidence,
)
def cases_closed_on_time(period: Period, units: Units = None) -> list[MetricValue]:
    """Share (%) of the oversight cases closed by their deadline.

    Population: the cases of the unit's subtree (its own and every village below it) whose
    first rectification deadline (``first_deadline``: the one the request set; a later
    deadline set when the case was returned does not move it) is a local day of the
    period; dismissed cases and cases without a deadline are not counted.

    Denominator: those whose outcome is known when the figure is computed — closed (on
    any day), or not closed and past the deadline (deadline before today). A case still
    open whose deadline is today or later is left out until it is closed or overdue.

    Numerator: those closed with ``closed_on`` on or before the first deadline.

    Value: ``100 × numerator / denominator`` rounded half-up to 0.01; None when the
    denominator is 0.
    """
    asked = _asked(units)
    today = timezone.localdate()
    restrict = (
        scope_q(("unit_path",), {p for _pk, p in asked}) if len(asked) <= RESTRICT_UP_TO else Q()
    )
    decided = _decided(today)
    rows = (
        Case.objects.filter(_due_in(period), restrict)
        .values("unit_path")
        .annotate(
            num=Count("pk", filter=ON_TIME),
            den=Count("pk", filter=decided),
        )
        .order_by()
        .values_list("unit_path", "num", "den")
    )
    found = _roll_up(asked, rows)
    values = []
    for pk, _path in asked:
        num, den = found[pk]
        values.append(MetricValue(pk, percent(num, den), num, den))
    return values
