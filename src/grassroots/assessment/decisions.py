"""The reward allocations of the assessment as decisions (决策在先) for the
party-building decision log.

The assessment allocates its rewards (工作经费) when a run is published: the publication
freezes each unit's reward. One decision of the matter ``reward`` per publication whose
results allocate a reward (the sum of the results' rewards above 0): reference
``assessment.publication:<pk>``, unit the scheme's root (the unit whose committee
allocates the pool among the units below it), amount the rewards allocated in yuan, the
day it acts the day of the publication (local time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from grassroots.assessment.models import Publication
from grassroots.common.decisions import Decision, decision_source
from grassroots.org.queries import scope_q

REFERENCE: Final = "assessment.publication"
PLACEHOLDER: Final = "987654321"
FEN: Final = Decimal(100)


@decision_source("assessment.rewards")
def decisions(paths: Sequence[str] | None, since: dt.date | None) -> list[Decision]:
    """The publications under ``paths`` (by the scheme's root) published on or after
    ``since`` whose results allocate a reward; one query."""
    publications = Publication.objects.annotate(rewards=Sum("run__results__reward_fen")).filter(
        rewards__gt=0
    )
    if paths is not None:
        publications = publications.filter(scope_q(("scheme__root__path",), set(paths)))
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=timezone.get_current_timezone())
        publications = publications.filter(published_at__gte=start)
    rows = publications.order_by("published_at", "pk").values_list(
        "pk",
        "run_id",
        "period",
        "scheme__name",
        "scheme__root_id",
        "scheme__root__path",
        "published_at",
        "rewards",
    )
    link = reverse("assessment:run", args=[int(PLACEHOLDER)])
    return [
        Decision(
            reference=f"{REFERENCE}:{pk}",
            matter="reward",
            unit_id=root_id,
            unit_path=root_path,
            title=f"{name} {period}",
            acted_on=timezone.localdate(published_at),
            amount=(Decimal(fen) / FEN).quantize(Decimal("0.01")),
            url=link.replace(PLACEHOLDER, str(run_id)),
        )
        for pk, run_id, period, name, root_id, root_path, published_at, fen in rows
    ]
