"""The decision log's metric for the assessment: decisions acted on without the
resolution the rules require (决策在先).

Importing this module also loads ``queries_decisions`` (the lookup of the resolution
behind a record registers itself there).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.common.decisions import decisions_in
from grassroots.common.metrics import MetricValue, Period, metric
from grassroots.org.models import PATH_SEPARATOR, TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.partybuilding.metrics._roots import roots as subtree_roots
from grassroots.partybuilding.models import DecisionLink
from grassroots.partybuilding.queries_decisions import rows_of

if TYPE_CHECKING:
    from grassroots.common.metrics import Units

#: Above this many separate subtrees the sources are asked for everything and the
#: decisions matched to the units in Python.
MAX_SUBTREES: Final = 200


def _asked(units: Units) -> list[tuple[int, str]]:
    if units is None:
        units = Unit.objects.active().filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
    if isinstance(units, QuerySet):
        return list(units.order_by("path").values_list("pk", "path"))
    return [(u.pk, u.path) for u in units]


def _evidence(unit_id: int, period: Period) -> QuerySet[DecisionLink]:
    """The links after the fact behind the unit's count: decisions of the unit and below
    acted on in the period whose resolution came later. (Decisions with no link have no
    row to show: the decision log lists them, status "No resolution".)"""
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return DecisionLink.objects.none()
    first, last = period.local_dates()
    links: QuerySet[DecisionLink] = (
        DecisionLink.objects.filter(subtree_q("unit_path", path), acted_on__range=(first, last))
        .filter(resolution__decided_on__gt=F("acted_on"))
        .select_related("resolution", "unit")
        .order_by("-acted_on", "pk")
    )
    return links


@metric(
    "partybuilding.decisions_without_resolution",
    label=_("Decisions without a resolution"),
    unit="",
    direction="lower",
    evidence=_evidence,
)
def decisions_without_resolution(period: Period, units: Units) -> list[MetricValue]:
    """未经决策的重大事项数 = the number of decisions (``common.decisions``: livelihood
    project approvals, reward allocations, cadre selections, land and fund matters)
    placed in the unit or below it, acted on during the period (local days, both ends),
    that the decision rules require a resolution for (a required matter; from the rule's
    amount when it has one) and that have no linked resolution or one decided after the
    day they acted. Value = that count (0 when none; never ``None``). Queries: one per
    decision source, one for the rules, one for the links, one for the units' names,
    whatever the number of units.
    """
    asked = _asked(units)
    if not asked:
        return []
    first, last = period.local_dates()
    roots = subtree_roots(p for _pk, p in asked)
    paths = roots if len(roots) <= MAX_SUBTREES else None
    by_path = {path: pk for pk, path in asked}
    counts: dict[int, int] = defaultdict(int)
    for row in rows_of(d for d in decisions_in(paths, first) if d.acted_on <= last):
        if not row.flagged:
            continue
        parts = row.decision.unit_path.split(PATH_SEPARATOR)
        for i in range(len(parts)):
            owner = by_path.get(PATH_SEPARATOR.join(parts[: i + 1]))
            if owner is not None:
                counts[owner] += 1
    return [MetricValue(pk, Decimal(counts[pk]), counts[pk], None) for pk, _path in asked]
