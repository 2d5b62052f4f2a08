"""The effect of error tolerance on the assessment (容错免责): the waiver source
``cadres.tolerance``.

An effective case (its public notice over with no objection upheld) that names the metric
of a deduction or veto indicator and a number of items waives that many items of the
metric for the case's unit in the case's assessment month: any run whose period contains
that month counts them out (``assessment.actions.compute._apply_waivers``) and its
explanation says so, with the case's number and title.
"""

from __future__ import annotations

from collections.abc import Sequence

from grassroots.cadres.models import ToleranceCase
from grassroots.cadres.states import ToleranceState
from grassroots.common.metrics import Period
from grassroots.common.waivers import Waiver, waiver_source

SOURCE = "cadres.tolerance"


def reference(case_id: int) -> str:
    """The reference a case's waiver carries (``cadres.tolerance:<pk>``)."""
    return f"{SOURCE}:{case_id}"


@waiver_source(SOURCE)
def tolerated(period: Period, unit_ids: Sequence[int]) -> list[Waiver]:
    """Effective cases of these units with a metric and items, whose assessment month
    (its first day) falls inside ``period``; one query."""
    if not unit_ids:
        return []
    first, last = period.local_dates()
    rows = (
        ToleranceCase.objects.filter(
            state=ToleranceState.EFFECTIVE,
            unit_id__in=list(unit_ids),
            affected_month__gte=first,
            affected_month__lte=last,
            items__gt=0,
        )
        .exclude(metric="")
        .order_by("unit_id", "number")
        .values_list("pk", "unit_id", "metric", "items", "number", "title")
    )
    return [
        Waiver(
            unit_id=unit_id,
            metric=metric,
            count=items,
            reason=f"{number} {title}",
            reference=reference(pk),
        )
        for pk, unit_id, metric, items, number, title in rows
    ]
