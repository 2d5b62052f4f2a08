"""Named reads of selection (选任): vacancies in a viewer's scope, the reserves a ranking
considers, and what the readiness score needs of each of them (read in a fixed number of
queries, whatever the number of reserves, then handed to the pure ``scoring``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.shortcuts import get_object_or_404

from grassroots.assessment.queries import published_results
from grassroots.cadres.models import (
    Cadre,
    Candidate,
    Grade,
    KeyMoment,
    ReserveEntry,
    Tempering,
    TrainingRecord,
    Vacancy,
)
from grassroots.cadres.permissions import MANAGE
from grassroots.cadres.queries import policy_for
from grassroots.cadres.scoring import (
    WINDOW_YEARS,
    Profile,
    Rules,
    UnitResult,
    effective_weights,
    latest_result,
    months_between,
    years_ago,
)
from grassroots.cadres.states import (
    Appraisal,
    CadreStatus,
    KeyMomentKind,
    Outcome,
    ReserveStatus,
    TemperingState,
    TrainingResult,
)


def vacancies_visible_to(user: Any) -> QuerySet[Vacancy]:
    """Vacancies of the units where ``user`` may see cadre files (the organisation
    department everywhere it works; a township leader their township and its villages)."""
    return (
        Vacancy.objects.visible_to(user)
        .select_related("unit", "key_post", "opened_by")
        .defer("unit__geometry")
    )


def vacancy_for(user: Any, pk: int) -> Vacancy:
    """One vacancy ``user`` may see, else 404 (a vacancy elsewhere is not revealed)."""
    return get_object_or_404(vacancies_visible_to(user), pk=pk)


def pool_for(vacancy: Vacancy, actor: Any) -> QuerySet[ReserveEntry]:
    """The reserves a ranking of ``vacancy`` considers: in the pool, nominated for the
    vacancy's level, from anywhere the actor manages (``cadres.manage``: for the
    organisation department of the city, the whole city — reserves of other townships
    compete on the same record, 干部交流; the vacancy's own unit is not favoured)."""
    return (
        ReserveEntry.objects.visible_to(actor, MANAGE)
        .filter(status=ReserveStatus.IN_POOL, target_level=vacancy.level)
        .select_related("cadre")
        .order_by("pk")
    )


def rules_for(vacancy: Vacancy, today: dt.date) -> Rules:
    """The policy that applies to the vacancy's unit, as the ranking applies it."""
    policy = policy_for(vacancy.unit)
    limit = (policy.max_age or {}).get(vacancy.level)
    return Rules(
        level=vacancy.level,
        today=today,
        weights=effective_weights(policy.weights),
        max_age=int(limit) if isinstance(limit, int) and not isinstance(limit, bool) else None,
        min_grassroots_years=int(policy.min_grassroots_years),
        yearly_training_hours=Decimal(policy.yearly_training_hours),
    )


def _hard_post_months(cadre_ids: list[int], today: dt.date) -> dict[int, int]:
    """Months in hard posts: evaluated or ongoing tempering, not appraised Poor; an
    evaluated one up to its end (or planned end), an ongoing one up to today."""
    months: dict[int, int] = defaultdict(int)
    rows = (
        Tempering.objects.filter(
            cadre_id__in=cadre_ids, state__in=[TemperingState.EVALUATED, TemperingState.ONGOING]
        )
        .exclude(appraisal=Appraisal.POOR)
        .values_list("cadre_id", "state", "started_on", "planned_end", "ended_on")
    )
    for cadre_id, state, started, planned, ended in rows:
        end = today if state == TemperingState.ONGOING else (ended or planned)
        months[cadre_id] += months_between(started, min(end, today))
    return months


def _training_hours(cadre_ids: list[int], since: dt.date) -> dict[int, Decimal]:
    rows = (
        TrainingRecord.objects.filter(cadre_id__in=cadre_ids, ended_on__gt=since)
        .exclude(result=TrainingResult.FAILED)
        .values("cadre_id")
        .annotate(hours=Sum("hours"))
        .order_by()
        .values_list("cadre_id", "hours")
    )
    return {cadre_id: Decimal(hours or 0) for cadre_id, hours in rows}


def _grades(cadre_ids: list[int], today: dt.date) -> dict[int, dict[int, str]]:
    grades: dict[int, dict[int, str]] = defaultdict(dict)
    rows = Grade.objects.filter(
        cadre_id__in=cadre_ids, year__gte=today.year - WINDOW_YEARS
    ).values_list("cadre_id", "year", "grade")
    for cadre_id, year, grade in rows:
        grades[cadre_id][year] = grade
    return grades


def _moments(
    cadre_ids: list[int], since: dt.date, today: dt.date
) -> tuple[dict[int, int], dict[int, int], dict[int, list[dt.date]]]:
    """Credits and debits of the window, and the dates of every warning in it."""
    credits: dict[int, int] = defaultdict(int)
    debits: dict[int, int] = defaultdict(int)
    warnings: dict[int, list[dt.date]] = defaultdict(list)
    rows = KeyMoment.objects.filter(
        cadre_id__in=cadre_ids, occurred_on__gt=since, occurred_on__lte=today
    ).values_list("cadre_id", "kind", "outcome", "occurred_on")
    for cadre_id, kind, outcome, on in rows:
        if outcome == Outcome.CREDIT:
            credits[cadre_id] += 1
        else:
            debits[cadre_id] += 1
        if kind == KeyMomentKind.WARNING:
            warnings[cadre_id].append(on)
    return credits, debits, warnings


def unit_results(unit_ids: list[int], today: dt.date) -> dict[int, UnitResult]:
    """The latest published result of each unit (this year's, else last year's), through
    ``assessment.queries.published_results``."""
    found: dict[int, UnitResult] = {}
    missing = sorted(set(unit_ids))
    for year in (today.year, today.year - 1):
        if not missing:
            break
        by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in published_results(missing, year=year):
            by_unit[row["unit_id"]].append(row)
        for unit_id, rows in by_unit.items():
            result = latest_result(rows)
            if result is not None:
                found[unit_id] = result
        missing = [u for u in missing if u not in found]
    return found


def profiles_for(entries: list[ReserveEntry], today: dt.date) -> list[Profile]:
    """What the score needs of each reserve entry (its ``cadre`` loaded), in a fixed
    number of queries."""
    cadres: dict[int, Cadre] = {e.cadre_id: e.cadre for e in entries}
    ids = sorted(cadres)
    since = years_ago(today, WINDOW_YEARS)
    months = _hard_post_months(ids, today)
    hours = _training_hours(ids, since)
    grades = _grades(ids, today)
    credits, debits, warnings = _moments(ids, since, today)
    results = unit_results(sorted({c.unit_id for c in cadres.values()}), today)
    profiles = []
    for entry in entries:
        cadre = cadres[entry.cadre_id]
        profiles.append(
            Profile(
                key=entry.pk,
                name=cadre.name,
                in_pool=entry.status == ReserveStatus.IN_POOL,
                in_office=cadre.status == CadreStatus.ACTIVE,
                target_level=entry.target_level,
                birth_date=cadre.birth_date,
                grassroots_since=cadre.grassroots_since,
                hard_post_months=months.get(cadre.pk, 0),
                training_hours=hours.get(cadre.pk, Decimal(0)),
                grades=grades.get(cadre.pk, {}),
                unit_result=results.get(cadre.unit_id),
                credits=credits.get(cadre.pk, 0),
                debits=debits.get(cadre.pk, 0),
                warnings=tuple(warnings.get(cadre.pk, ())),
                votes=entry.votes,
                voters=entry.voters,
                entered_on=entry.entered_on,
            )
        )
    return profiles


def ranking_of(vacancy: Vacancy) -> QuerySet[Candidate]:
    """A vacancy's candidates as ranked: the eligible by rank, then the others by score."""
    return (
        Candidate.objects.filter(vacancy=vacancy)
        .select_related("entry__cadre__unit", "entry__unit")
        .defer("entry__cadre__unit__geometry", "entry__unit__geometry")
        .order_by(F("rank").asc(nulls_last=True), "-score", "pk")
    )


def passed_over(vacancy: Vacancy) -> list[Candidate]:
    """The eligible candidates ranked above the one chosen (a decision that skipped them
    needed a written reason)."""
    if vacancy.chosen_id is None:
        return []
    chosen = Candidate.objects.filter(vacancy=vacancy, entry_id=vacancy.chosen_id).first()
    if chosen is None or chosen.rank is None:
        return []
    return list(
        ranking_of(vacancy).filter(eligible=True, rank__lt=chosen.rank).order_by("rank", "pk")
    )
