"""The cadre selections as decisions (决策在先) for the party-building decision log.

A vacancy is filled when its committee's decision is recorded (``Vacancy`` in state
``filled``, with the appointed reserve and the committee's vote): one decision of the
matter ``cadre`` per filled vacancy. Reference ``cadres.vacancy:<pk>``, unit the
vacancy's unit, the day it acts the day the decision was recorded (local time; the
meeting's day when no time was recorded). The title names the post, never the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from grassroots.cadres.models import Vacancy
from grassroots.cadres.states import VacancyState
from grassroots.common.decisions import Decision, decision_source
from grassroots.org.queries import scope_q

REFERENCE: Final = "cadres.vacancy"
PLACEHOLDER: Final = "987654321"


def _acted_on(decided_at: dt.datetime | None, meeting_on: dt.date | None) -> dt.date | None:
    if decided_at is not None:
        return timezone.localdate(decided_at)
    return meeting_on


@decision_source("cadres.selection")
def decisions(paths: Sequence[str] | None, since: dt.date | None) -> list[Decision]:
    """The filled vacancies under ``paths`` decided on or after ``since``; one query."""
    vacancies = Vacancy.objects.filter(state=VacancyState.FILLED)
    if paths is not None:
        vacancies = vacancies.filter(scope_q(("unit__path",), set(paths)))
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=timezone.get_current_timezone())
        vacancies = vacancies.filter(
            Q(decided_at__gte=start) | Q(decided_at__isnull=True, meeting_on__gte=since)
        )
    rows = vacancies.order_by("decided_at", "pk").values_list(
        "pk", "title", "unit_id", "unit__path", "unit__name", "decided_at", "meeting_on"
    )
    link = reverse("cadres:vacancy", args=[int(PLACEHOLDER)])
    found = []
    for pk, title, unit_id, unit_path, unit_name, decided_at, meeting_on in rows:
        day = _acted_on(decided_at, meeting_on)
        if day is None:
            continue
        found.append(
            Decision(
                reference=f"{REFERENCE}:{pk}",
                matter="cadre",
                unit_id=unit_id,
                unit_path=unit_path,
                title=f"{unit_name} {title}",
                acted_on=day,
                url=link.replace(PLACEHOLDER, str(pk)),
            )
        )
    return found
