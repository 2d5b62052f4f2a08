"""The venues' metric for the assessment: the share of villages whose venue meets the
standard (阵地达标率)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from grassroots.common.metrics import MetricValue, Period, metric, percent
from grassroots.org.models import PATH_SEPARATOR, TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.partybuilding.metrics._roots import restrict
from grassroots.partybuilding.models import Inspection, Venue
from grassroots.partybuilding.states import VenueStatus

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

#: Above this many separate subtrees the rows are matched in Python, not in the SQL.
MAX_SUBTREES: Final = 200


@dataclass
class AskedUnits:
    """The units a metric is asked about: ids in order and their paths."""

    order: list[int]
    paths: dict[str, int]

    @classmethod
    def of(cls, units: Units) -> AskedUnits:
        if units is None:
            units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        pairs: Iterable[tuple[int, str]]
        if isinstance(units, QuerySet):
            pairs = units.order_by("path").values_list("pk", "path")
        else:
            pairs = [(u.pk, u.path) for u in units]
        order: list[int] = []
        paths: dict[str, int] = {}
        for pk, path in pairs:
            order.append(pk)
            paths[path] = pk
        return cls(order, paths)

    def restrict(self, field: str) -> Q:
        return restrict(self.paths, field, MAX_SUBTREES)

    def owners(self, path: str) -> list[int]:
        """The asked units at or above ``path``."""
        parts = path.split(PATH_SEPARATOR)
        found = []
        for i in range(len(parts)):
            pk = self.paths.get(PATH_SEPARATOR.join(parts[: i + 1]))
            if pk is not None:
                found.append(pk)
        return found


def _latest_meets(last: dt.date) -> Subquery:
    """Whether the venue's latest inspection on or before ``last`` met the standard (the
    later recorded of one day; NULL without one)."""
    return Subquery(
        Inspection.objects.filter(venue=OuterRef("pk"), inspected_on__lte=last)
        .order_by("-inspected_on", "-pk")
        .values("meets_standard")[:1]
    )


def _meeting(last: dt.date) -> QuerySet[Venue]:
    """In-use venues (completed by ``last`` when their completion date is known) whose
    latest inspection by then met the standard."""
    venues: QuerySet[Venue] = (
        Venue.objects.filter(status=VenueStatus.IN_USE)
        .filter(Q(built_on__isnull=True) | Q(built_on__lte=last))
        .annotate(latest_meets=_latest_meets(last))
        .filter(latest_meets=True)
    )
    return venues


def _evidence(unit_id: int, period: Period) -> QuerySet[Venue]:
    """The venues of the unit and below, with ``latest_meets`` as the metric reads it."""
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return Venue.objects.none()
    last = period.local_dates()[1]
    venues: QuerySet[Venue] = (
        Venue.objects.filter(subtree_q("unit_path", path))
        .annotate(latest_meets=_latest_meets(last))
        .select_related("unit")
        .order_by("unit_path", "name")
    )
    return venues


@metric(
    "partybuilding.venue_standard_rate",
    label=_("Villages whose venue meets the standard"),
    unit="%",
    direction="higher",
    evidence=_evidence,
)
def venue_standard_rate(period: Period, units: Units) -> list[MetricValue]:
    """阵地达标率 = villages with a venue meeting the standard / villages.

    For each unit asked, the villages counted are the active villages and communities at
    or below it (a township: its villages; a village: itself). Denominator: how many
    there are. Numerator: how many of them have at least one venue that is in use (its
    status today; when its completion date is known, completed on or before the period's
    last day D) and whose latest inspection on or before D — by inspection date, the later
    recorded of one day — met the standard (every required item met and the score at
    the pass mark or above, as scored that day). Value = 100 × numerator / denominator
    rounded half-up to 0.01; ``None`` when the unit has no village. Three queries for all
    units (the units asked, the villages, the venues meeting).
    """
    asked = AskedUnits.of(units)
    last = period.local_dates()[1]
    villages = list(
        Unit.objects.filter(asked.restrict("path"), active=True, kind__in=VILLAGE_LEVEL)
        .order_by()
        .values_list("pk", "path")
    )
    meeting = set(
        _meeting(last)
        .filter(asked.restrict("unit_path"))
        .order_by()
        .values_list("unit_id", flat=True)
    )
    counted: dict[int, int] = defaultdict(int)
    met: dict[int, int] = defaultdict(int)
    for pk, path in villages:
        for owner in asked.owners(path):
            counted[owner] += 1
            if pk in meeting:
                met[owner] += 1
    return [
        MetricValue(
            unit_id, percent(met[unit_id], counted[unit_id]), met[unit_id], counted[unit_id]
        )
        if counted.get(unit_id)
        else MetricValue(unit_id, None, None, None)
        for unit_id in asked.order
    ]
