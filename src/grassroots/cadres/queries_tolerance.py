"""Named reads of error tolerance (容错纠错), each scoped to what the viewer may see.

Who sees a case: whoever holds ``cadres.view_tolerance`` over its unit (the organisation
department, the unit's leader, the supervision committee read-only), and the people it is
about: the cadre it names (their login) and the person who applied. The public sees only
the cases under public notice, through ``under_notice`` (the portal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from grassroots.cadres.models import Cadre, CorrectiveMeasure, Objection, ToleranceCase
from grassroots.cadres.permissions import APPLY_TOLERANCE
from grassroots.cadres.states import MeasureState, ObjectionState, ToleranceState
from grassroots.common import metrics
from grassroots.org.models import Unit, UnitKind

#: The cases that grant a waiver once effective, and those that will if nothing stops them.
TOLERATED = (ToleranceState.PUBLICITY, ToleranceState.EFFECTIVE)


def _cases() -> QuerySet[ToleranceCase]:
    return ToleranceCase.objects.select_related("unit", "cadre").defer("unit__geometry")


def open_objections_exist() -> Exists:
    return Exists(
        Objection.objects.filter(case=OuterRef("pk"), state=ObjectionState.OPEN).only("pk")
    )


def cases_visible_to(user: Any) -> QuerySet[ToleranceCase]:
    """The cases ``user`` may read: ``cadres.view_tolerance`` over the case's unit, or the
    case is about them (their cadre file) or was filed by them."""
    scoped = (
        ToleranceCase.objects.visible_to(user)
        .select_related("unit", "cadre")
        .defer("unit__geometry")
    )
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return scoped
    own = _cases().filter(Q(cadre__user=user) | Q(applied_by=user))
    return scoped | own


def visible_case(user: Any, pk: int) -> ToleranceCase:
    """The case ``pk`` if ``user`` may read it, else 404 (its existence is not told)."""
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def cases_of_cadre(cadre: Cadre) -> list[ToleranceCase]:
    """The error-tolerance cases of ``cadre``, newest first, each with its corrective
    measures (``case.measures.all()``, prefetched) — for the cadre's file, whose page
    checks who may see it. Every state is included: ``state`` says tolerated (生效),
    under notice, refused (with ``refused_reason``) or withdrawn."""
    return list(
        ToleranceCase.objects.filter(cadre=cadre)
        .select_related("unit")
        .defer("unit__geometry")
        .prefetch_related(
            Prefetch("measures", queryset=CorrectiveMeasure.objects.order_by("due_on", "pk"))
        )
        .order_by("-applied_at", "-pk")
    )


@dataclass(frozen=True, slots=True)
class MetricChoice:
    """An assessment item a case may concern: the metric of a deduction or veto indicator."""

    metric: str
    label: str


def waivable_metrics(years: list[int]) -> list[MetricChoice]:
    """The metrics that the deduction and veto indicators of these years' assessment
    schemes draw on (one entry per metric, labelled by the indicators' names and the
    metric's own), read through ``assessment.queries.deduction_metrics``."""
    from grassroots.assessment.queries import deduction_metrics

    names: dict[str, list[str]] = {}
    for row in deduction_metrics(years):
        found = names.setdefault(row["metric"], [])
        if row["indicator"] not in found:
            found.append(row["indicator"])
    registered = metrics.registry()
    choices: list[MetricChoice] = []
    for name, indicators in names.items():
        metric = registered.get(name)
        own = str(metric.label) if metric is not None else name
        shown = "、".join(indicators[:3])
        choices.append(MetricChoice(name, f"{shown} ({own})" if shown and shown != own else own))
    return sorted(choices, key=lambda c: c.label)


def metric_label(name: str) -> str:
    """A metric's label (its name when no app registers it any more)."""
    if not name:
        return ""
    try:
        return str(metrics.get(name).label)
    except metrics.UnknownMetricError:
        return name


def units_for_application(user: Any) -> QuerySet[Unit]:
    """The units ``user`` may apply for (``cadres.apply_tolerance`` over them), grids left
    out (a grid is not assessed and has no cadres of its own)."""
    return (
        Unit.objects.visible_to(user, APPLY_TOLERANCE)
        .filter(active=True)
        .exclude(kind=UnitKind.GRID)
        .defer("geometry")
        .order_by("path")
    )


def cadres_for_application(user: Any) -> QuerySet[Cadre]:
    """The cadres a case may name: those of the units ``user`` may apply for, and the
    user's own file."""
    scoped = Cadre.objects.visible_to(user, APPLY_TOLERANCE)
    if user is None or not getattr(user, "is_authenticated", False):
        return scoped
    return (
        (scoped | Cadre.objects.filter(user=user))
        .select_related("unit")
        .defer("unit__geometry")
        .order_by("unit__path", "name", "pk")
    )


def own_cadre(user: Any) -> Cadre | None:
    """The user's own cadre file (their login is linked to it), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Cadre.objects.filter(user=user).select_related("unit").first()


def overdue_measures(user: Any, today: dt.date) -> QuerySet[CorrectiveMeasure]:
    """Open corrective measures past their due date, of the cases ``user`` may read,
    the most overdue first."""
    cases = cases_visible_to(user).values("pk")
    return (
        CorrectiveMeasure.objects.filter(case__in=cases, state=MeasureState.OPEN, due_on__lt=today)
        .select_related("case", "case__unit")
        .defer("case__unit__geometry")
        .order_by("due_on", "pk")
    )


def awaiting_answers(user: Any, now: dt.datetime) -> QuerySet[ToleranceCase]:
    """Cases whose public notice is over but that wait for the answer to an objection."""
    return (
        cases_visible_to(user)
        .filter(state=ToleranceState.PUBLICITY, notice_ends__lte=now)
        .filter(open_objections_exist())
        .order_by("notice_ends", "pk")
    )


def with_counts(cases: QuerySet[ToleranceCase]) -> QuerySet[ToleranceCase]:
    """Cases with ``open_objections`` and ``open_measures`` counted (one query)."""
    return cases.annotate(
        open_objections=Count(
            "objections", filter=Q(objections__state=ObjectionState.OPEN), distinct=True
        ),
        open_measures=Count("measures", filter=Q(measures__state=MeasureState.OPEN), distinct=True),
    )


def under_notice(now: dt.datetime) -> QuerySet[ToleranceCase]:
    """The cases under public notice now (公示中), for everyone: the notice closing
    soonest first."""
    return (
        _cases()
        .filter(state=ToleranceState.PUBLICITY, notice_ends__gt=now)
        .order_by("notice_ends", "pk")
    )


def noticed_case(number: str) -> ToleranceCase | None:
    """The case numbered ``number`` if it was ever put under public notice (whatever came
    of it since): the public objection form answers for these, and 404 for the others."""
    if not number or "\x00" in number:
        return None
    return _cases().filter(number=number.strip().upper(), notice_starts__isnull=False).first()
