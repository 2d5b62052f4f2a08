"""Reads of publications, appeals and run differences, with scope.

``run_diff`` feeds the pure :mod:`diff` with two runs' results and scores as plain dicts,
keyed by unit code and indicator code, restricted to the units the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from grassroots.assessment.diff import RunDiff, diff_runs
from grassroots.assessment.models import Indicator, Publication, Result, Run, Score
from grassroots.assessment.states import RunState

RESULT_VALUES = (
    "unit__code",
    "unit__name",
    "total",
    "rank",
    "grade",
    "list_status",
    "reward_fen",
    "training_places",
    "vetoed",
)


def kind_label(kind: str) -> str:
    """月考 / 季晒 / 年评 for a run's ``kind`` (translated when called)."""
    labels = {
        "monthly": _("Monthly assessment"),
        "quarterly": _("Quarterly publication"),
        "annual": _("Annual evaluation"),
    }
    return labels.get(kind, kind)


@dataclass(frozen=True)
class NamedDiff:
    """A run diff with the names its rows refer to."""

    diff: RunDiff
    unit_names: dict[str, str]
    indicator_names: dict[str, str]


def _results(run: Run, user: Any) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    rows = Result.objects.filter(run=run)
    if user is not None:
        rows = rows.visible_to(user)
    found: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for row in rows.order_by("peer_group", "rank", "unit__code").values(*RESULT_VALUES):
        code = row.pop("unit__code")
        names[code] = row.pop("unit__name")
        found[code] = row
    return found, names


def _scores(run: Run, user: Any) -> dict[tuple[str, str], Any]:
    rows = Score.objects.filter(run=run)
    if user is not None:
        rows = rows.visible_to(user)
    return {
        (u, i): p
        for u, i, p in rows.order_by(
            "unit__code", "indicator__position", "indicator__code"
        ).values_list("unit__code", "indicator__code", "points")
    }


def run_diff(before: Run, after: Run, *, user: Any = None) -> NamedDiff:
    """What changed from ``before`` to ``after`` for the units ``user`` may see (every unit
    when ``user`` is None)."""
    results_before, names = _results(before, user)
    results_after, names_after = _results(after, user)
    names.update(names_after)
    diff = diff_runs(results_before, results_after, _scores(before, user), _scores(after, user))
    indicators = dict(
        Indicator.objects.filter(scheme_id=after.scheme_id).values_list("code", "name")
    )
    return NamedDiff(diff, names, indicators)


def runs_visible_to(user: Any) -> QuerySet[Run]:
    """Runs in which the user may see at least one result."""
    return Run.objects.filter(pk__in=Result.objects.visible_to(user).values("run_id"))


def current_publications() -> list[Publication]:
    """The latest publication of each scheme (the newest period, then the highest version),
    whose red and black lists are "current" on the portal."""
    latest: dict[int, Publication] = {}
    for pub in (
        Publication.objects.filter(run__state__in=[RunState.PUBLISHED, RunState.FROZEN])
        .select_related("scheme", "run")
        .order_by("scheme__code", "-published_at", "-pk")
    ):
        latest.setdefault(pub.scheme_id, pub)
    return sorted(latest.values(), key=lambda p: p.scheme.code)
