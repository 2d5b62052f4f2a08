"""Named reads of the assessment, with scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.db import models

from grassroots.org.queries import active_grants, scope_q


class ScopedQuerySet(models.QuerySet[Any]):
    """Scores and results of units: ``visible_to(user)`` keeps those in the subtree of a
    membership that grants ``assessment.view`` (the city office sees every unit)."""

    def visible_to(self, user: Any) -> Self:
        from grassroots.assessment.permissions import VIEW
        from grassroots.org.permissions import roles_granting

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = roles_granting(VIEW)
        paths = {g.path for g in active_grants(user) if g.role in roles}
        if not paths:
            return self.none()
        return self.filter(scope_q(("unit__path",), paths))

    def of_run(self, run: Any) -> Self:
        return self.filter(run=run)


def published_results(
    unit_ids: list[int], *, year: int | None = None, years: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """The published (or frozen) results of these units, newest period first, as plain data;
    of the schemes of ``year`` or of ``years`` when given (each row says its ``year``).

    The named interface through which other apps (the cadres module: a unit's leaders'
    records show their unit's results and vetoes) read the assessment without its models.
    Only the highest published version of each scheme and period counts.
    """
    from grassroots.assessment.models import Result
    from grassroots.assessment.states import RunState

    rows = (
        Result.objects.filter(
            unit_id__in=unit_ids, run__state__in=[RunState.PUBLISHED, RunState.FROZEN]
        )
        .select_related("run__scheme", "run__publication")
        .order_by("-run__period", "run__scheme__code", "-run__version")
    )
    if year is not None:
        rows = rows.filter(run__scheme__year=year)
    if years is not None:
        rows = rows.filter(run__scheme__year__in=list(years))
    seen: set[tuple[int, str, int]] = set()
    found: list[dict[str, Any]] = []
    for r in rows:
        key = (r.run.scheme_id, r.run.period, r.unit_id)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            {
                "unit_id": r.unit_id,
                "scheme": r.run.scheme.code,
                "year": r.run.scheme.year,
                "period": r.run.period,
                "version": r.run.version,
                "total": r.total,
                "rank": r.rank,
                "group_size": r.group_size,
                "grade": r.grade,
                "list_status": r.list_status,
                "vetoed": r.vetoed,
                "vetoes": list(r.explanation.get("vetoes", [])),
                "sha256": getattr(getattr(r.run, "publication", None), "sha256", ""),
            }
        )
    return found


def deduction_metrics(years: list[int]) -> list[dict[str, Any]]:
    """The metrics that the deduction and veto indicators (扣分, 一票否决) of the schemes of
    these years draw on, as plain data: ``[{"metric", "indicator", "category", "scheme",
    "year"}]`` ordered by year (newest first), scheme and position.

    The named interface through which the cadres module (error tolerance, 容错) offers the
    items whose counts a tolerated case may waive; those counts are reduced only on these
    indicators (``actions.compute._apply_waivers``).
    """
    from grassroots.assessment.models import Category, Indicator, Source

    rows = (
        Indicator.objects.filter(
            scheme__year__in=years,
            category__in=[Category.DEDUCTION, Category.VETO],
            source=Source.METRIC,
        )
        .exclude(metric="")
        .order_by("-scheme__year", "scheme__code", "position", "code")
        .values("metric", "name", "category", "scheme__code", "scheme__year")
    )
    return [
        {
            "metric": r["metric"],
            "indicator": r["name"],
            "category": r["category"],
            "scheme": r["scheme__code"],
            "year": r["scheme__year"],
        }
        for r in rows
    ]
