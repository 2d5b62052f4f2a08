"""Compute the annual evaluation (年评) of a scheme: called by ``compute_run`` for a year.

年评 = w_m × mean of the monthly totals + w_q × mean of the quarterly totals + w_y × the
year-end review (weights: ``Scheme.annual_weights``, by default 0.4 / 0.3 / 0.3). For each
month and quarter of the year the latest computed version counts (the highest version in
state computed, published or frozen), so a version made by an accepted appeal replaces the
one it corrected. The year-end review is the scheme's rating form without an indicator for
the year (period ``2026``), once closed: the mean of its counted sheets' scores (0–100),
scaled to the scheme's total points. A component missing for a unit is left out and its
weight shared by the others (``grading.combine_annual``).

Then the same outcome as every run (``annual.outcomes``): ranks within peer groups, red/black
lists (no significance test: a year's combined total is not a rate), quota grading, rewards and
training places. A unit vetoed in any month or quarter of the year stays vetoed for the year.

An annual run stores no ``Score`` rows: its only "indicator" is the combination, and each
result's explanation lists every component (which run version, its total) instead.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment.actions.compute import (
    _fingerprint,
    _peer_group,
    latest_version,
    store_results,
    units_in_scope,
)
from grassroots.assessment.annual import UnitYear, annual_results, annual_weights, year_end_points
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import (
    COUNTED_SHEETS,
    FormState,
    Rating,
    RatingForm,
    Result,
    Run,
    Scheme,
)
from grassroots.assessment.pipeline import Config
from grassroots.assessment.states import RunState

if TYPE_CHECKING:
    from grassroots.common.metrics import Period
    from grassroots.org.models import User

Q2 = Decimal("0.01")
#: Runs whose results count as a component of the year.
COUNTED_RUNS = (RunState.COMPUTED, RunState.PUBLISHED, RunState.FROZEN)


def _latest_runs(scheme: Scheme, labels: list[str]) -> dict[str, Run]:
    """The highest computed version of each of these periods that has one."""
    latest: dict[str, Run] = {}
    for run in Run.objects.filter(
        scheme=scheme, period__in=labels, state__in=COUNTED_RUNS
    ).order_by("period", "-version"):
        latest.setdefault(run.period, run)
    return latest


def _year_end(
    scheme: Scheme, year: int
) -> tuple[RatingForm | None, dict[int, tuple[Decimal, int]]]:
    """The closed year-end review form and, per unit, (mean score, counted sheets)."""
    form = (
        RatingForm.objects.filter(scheme=scheme, indicator__isnull=True, period=str(year))
        .order_by("pk")
        .first()
    )
    if form is None or form.state != FormState.CLOSED:
        return form, {}
    rows = (
        Rating.objects.filter(sheet__form=form, sheet__state__in=COUNTED_SHEETS)
        .values("unit_id")
        .annotate(mean=Avg("score"), sheets=Count("sheet_id"))
        .order_by()
    )
    return form, {
        row["unit_id"]: (
            Decimal(str(row["mean"])).quantize(Q2, rounding=ROUND_HALF_UP),
            row["sheets"],
        )
        for row in rows
    }


def compute_annual(scheme: Scheme, period: Period, *, actor: User | None) -> Run:
    """Compute the annual evaluation of ``scheme`` for the year ``period`` as a new run
    version in state ``computed`` (the caller, ``compute_run``, holds the transaction, has
    checked the actor's grant and locked the scheme)."""
    year = period.start.year
    try:
        weights = annual_weights(scheme.annual_weights)
    except ValueError as exc:
        raise AssessmentError(
            _("The annual weights must be numbers that add up to 1: %(error)s") % {"error": exc},
            field="annual_weights",
        ) from exc
    units = units_in_scope(scheme)
    if not units:
        raise AssessmentError(_("The scheme has no units in scope."))
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    month_runs = _latest_runs(scheme, months)
    quarter_runs = _latest_runs(scheme, quarters)
    form, reviews = _year_end(scheme, year)
    if not month_runs and not quarter_runs and not reviews:
        raise AssessmentError(
            _(
                "Nothing to combine: no month or quarter of %(year)s has been computed and no "
                "year-end review has been closed."
            )
            % {"year": year}
        )

    component_runs = [*month_runs.values(), *quarter_runs.values()]
    run_of = {r.pk: r for r in component_runs}
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)  # unit → run → total
    for row in Result.objects.filter(run__in=list(run_of)).values_list(
        "unit_id", "run_id", "total"
    ):
        totals[row[0]][row[1]] = row[2]
    vetoes: dict[int, list[str]] = defaultdict(list)
    for unit_id, run_id, explanation in (
        Result.objects.filter(run__in=list(run_of), vetoed=True)
        .order_by("run__period", "unit_id")
        .values_list("unit_id", "run_id", "explanation")
    ):
        codes = (explanation or {}).get("vetoes") or ["vetoed"]
        vetoes[unit_id].extend(f"{run_of[run_id].period}:{code}" for code in codes)

    unit_years: list[UnitYear] = []
    components: dict[int, dict[str, Any]] = {}
    for u in units:
        own = totals.get(u.pk, {})
        monthly = [
            (r, own[r.pk]) for label in months if (r := month_runs.get(label)) and r.pk in own
        ]
        quarterly = [
            (r, own[r.pk]) for label in quarters if (r := quarter_runs.get(label)) and r.pk in own
        ]
        review = reviews.get(u.pk)
        scaled = None if review is None else year_end_points(review[0], scheme.total_points)
        unit_years.append(
            UnitYear(
                unit=u.pk,
                group=_peer_group(scheme, u),
                monthly=tuple(t for _, t in monthly),
                quarterly=tuple(t for _, t in quarterly),
                year_end=scaled,
                vetoes=tuple(vetoes.get(u.pk, ())),
            )
        )
        components[u.pk] = {
            "monthly": [
                {"period": r.period, "run": r.pk, "version": r.version, "total": str(t)}
                for r, t in monthly
            ],
            "quarterly": [
                {"period": r.period, "run": r.pk, "version": r.version, "total": str(t)}
                for r, t in quarterly
            ],
            "year_end": None
            if review is None or form is None
            else {
                "form": form.pk,
                "sheets": review[1],
                "mean_score": str(review[0]),
                "scaled": str(scaled),
                "total_points": str(scheme.total_points),
            },
        }

    config = Config(
        grade_quota=scheme.grade_quota,
        list_rule=scheme.list_rule,
        reward_pool_fen=scheme.reward_pool_fen,
        reward_method=scheme.reward_method,
        reward_params=scheme.reward_params,
        shrink=False,
        significance=False,
        training_places=scheme.training_places,
    )
    results, diagnostics = annual_results(unit_years, weights, config)

    notes: list[str] = []
    missing_months = [m for m in months if m not in month_runs]
    missing_quarters = [q for q in quarters if q not in quarter_runs]
    if missing_months:
        notes.append("months_missing:" + ",".join(missing_months))
    if missing_quarters:
        notes.append("quarters_missing:" + ",".join(missing_quarters))
    if form is None:
        notes.append("no_year_end_review")
    elif form.state != FormState.CLOSED:
        notes.append("year_end_review_open")
    fingerprint = _fingerprint(
        {
            "period": period.label,
            "kind": "annual",
            "weights": [str(weights.monthly), str(weights.quarterly), str(weights.year_end)],
            "config": dict(config.__dict__),
            "total_points": str(scheme.total_points),
            "units": [[u.unit, u.group] for u in unit_years],
            "components": {str(k): v for k, v in components.items()},
            "vetoes": {str(k): v for k, v in sorted(vetoes.items())},
        }
    )
    previous = latest_version(scheme, period.label)
    run = Run.objects.create(
        scheme=scheme,
        period=period.label,
        state=RunState.COMPUTED,
        version=previous.version + 1 if previous else 1,
        parent=previous,
        fingerprint=fingerprint,
        diagnostics=diagnostics,
        notes=notes,
        computed_at=timezone.now(),
        created_by=actor,
    )
    for out in results:
        out.explanation = {**out.explanation, "components": components[out.unit]}
    store_results(run, results)
    from grassroots.audit.actions import record

    record(
        "assessment.run.computed",
        run,
        actor=actor,
        after={
            "period": run.period,
            "version": run.version,
            "fingerprint": fingerprint,
            "kind": "annual",
            "months": len(month_runs),
            "quarters": len(quarter_runs),
        },
        unit=scheme.root,
    )
    return run
