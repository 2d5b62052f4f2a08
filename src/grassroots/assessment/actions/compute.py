"""Compute a run of a scheme for a period (月考/季晒/年评 computation).

Every metric indicator is computed for all units in scope with one call of its metric (the
metric answers for every unit in a fixed number of queries); the rest is the pure pipeline
of :mod:`grassroots.assessment.pipeline`. Each call creates a new ``Run`` version — a
published run is never overwritten — whose inputs' SHA-256 fingerprint is stored, so that
re-running on the same data can be shown to give the same results.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.manual import manual_values
from grassroots.assessment.models import (
    BASE_CATEGORIES,
    Appeal,
    AppealState,
    Category,
    Indicator,
    PeerRule,
    Result,
    Run,
    Scheme,
    Score,
    Source,
    period_kind,
)
from grassroots.assessment.permissions import COMPUTE
from grassroots.assessment.pipeline import (
    Config,
    IndicatorIn,
    ResultOut,
    ScoreOut,
    Scoring,
    UnitIn,
    ValueIn,
)
from grassroots.assessment.scoring import Direction, Normaliser, weight_difference
from grassroots.assessment.states import RunState
from grassroots.common.bulk import insert_rows
from grassroots.common.metrics import Period, PeriodError, compute_many
from grassroots.common.metrics import get as get_metric
from grassroots.common.routers import reading_replica
from grassroots.common.waivers import Waiver, waivers_for
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import require
from grassroots.org.queries import SEP

if TYPE_CHECKING:
    from grassroots.org.models import User


SCORE_FIELDS = ("run_id", "unit_id", "indicator_id", "raw_value", "numerator", "denominator",
                "shrunk_value", "points", "explanation")  # fmt: skip
RESULT_FIELDS = ("run_id", "unit_id", "peer_group", "total", "rank", "group_size", "grade",
                 "list_status", "list_reason", "reward_fen", "training_places", "vetoed",
                 "explanation")  # fmt: skip


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def units_in_scope(scheme: Scheme) -> list[Unit]:
    """The active units of the scheme's level below (or at) its root, in code order."""
    root = scheme.root
    return list(
        Unit.objects.filter(active=True, kind__in=scheme.unit_kinds)
        .filter(path__startswith=root.path + SEP)
        .defer("geometry")  # boundaries: ~1 KB each, 34,000 villages in a province
        .order_by("code")
    )


def _grid_counts(scheme: Scheme, units: list[Unit]) -> dict[int, int]:
    """Active grids below each unit, from one query over the root's subtree."""
    grid_paths = Unit.objects.filter(
        active=True, kind=UnitKind.GRID, path__startswith=scheme.root.path + SEP
    ).values_list("path", flat=True)
    counts: Counter[str] = Counter()
    for path in grid_paths:
        parts = path.split(SEP)
        for i in range(1, len(parts)):
            counts[SEP.join(parts[:i])] += 1
    return {u.pk: counts[u.path] for u in units}


def _peer_group(scheme: Scheme, unit: Unit) -> str:
    if scheme.peer_rule == PeerRule.PEER_GROUP and unit.peer_group:
        return unit.peer_group
    return str(unit.kind)


def _fingerprint(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _row(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


def _apply_waivers(
    indicators: list[Indicator], values: dict[int, dict[int, ValueIn]], waivers: list[Waiver]
) -> None:
    """Reduce the counts of deduction and veto indicators by the waived items (容错)."""
    if not waivers:
        return
    by_metric: dict[str, dict[int, list[Waiver]]] = {}
    for w in waivers:
        by_metric.setdefault(w.metric, {}).setdefault(w.unit_id, []).append(w)
    for ind in indicators:
        if ind.category not in (Category.DEDUCTION, Category.VETO):
            continue
        for unit_id, found in by_metric.get(ind.metric, {}).items():
            old = values[ind.pk].get(unit_id)
            if old is None or old.value is None:
                continue
            waived = sum(w.count for w in found)
            values[ind.pk][unit_id] = replace(
                old,
                value=max(old.value - waived, Decimal(0)),
                extra={
                    **(old.extra or {}),
                    "waiver": {
                        "before": str(old.value),
                        "waived": waived,
                        "reasons": [w.reason for w in found],
                        "references": [w.reference for w in found],
                    },
                },
            )


def _apply_corrections(scheme: Scheme, period: str, values: dict[int, dict[int, ValueIn]]) -> None:
    """Accepted appeals (申诉) replace the value they corrected, in every later version."""
    accepted = Appeal.objects.filter(
        run__scheme=scheme, run__period=period, state=AppealState.ACCEPTED
    ).order_by("decided_at", "pk")
    for appeal in accepted:
        if appeal.corrected_value is None or appeal.indicator_id not in values:
            continue
        old = values[appeal.indicator_id].get(appeal.unit_id, ValueIn(None))
        values[appeal.indicator_id][appeal.unit_id] = ValueIn(
            appeal.corrected_value,
            extra={
                **(old.extra or {}),
                "correction": {
                    "appeal": appeal.pk,
                    "before": _row(old.value),
                    "after": str(appeal.corrected_value),
                },
            },
        )


def store_scores(run: Run, scores: Iterable[ScoreOut], metric_of: dict[int, str]) -> None:
    """Write a run's scores as they are computed: plain rows, streamed with COPY on
    PostgreSQL (700,000 scores for a province), their keys checked once per key where the
    role may (see ``common.bulk``)."""

    def rows() -> Iterator[tuple[Any, ...]]:
        for s in scores:
            explanation = s.explanation  # the score's own: completed in place
            # the metric and period name the evidence: metric.evidence(unit, period)
            explanation["metric"] = metric_of[s.indicator]
            explanation["period"] = run.period
            yield (run.pk, s.unit, s.indicator, s.raw.value, s.raw.numerator,
                   s.raw.denominator, s.shrunk, s.points, explanation)  # fmt: skip

    insert_rows(Score, SCORE_FIELDS, rows(), set_based_keys=True)


def latest_version(scheme: Scheme, period: str) -> Run | None:
    """The newest run of ``scheme`` for ``period``: the one a recomputation succeeds (the
    scheme row is locked by the caller, so no other version appears meanwhile)."""
    return Run.objects.filter(scheme=scheme, period=period).order_by("-version").first()


def store_results(run: Run, results: Iterable[ResultOut]) -> None:
    """Write a run's results (streamed with COPY on PostgreSQL, see ``common.bulk``)."""
    insert_rows(
        Result,
        RESULT_FIELDS,
        (
            (
                run.pk,
                r.unit,
                r.group,
                r.total,
                r.rank,
                r.group_size,
                r.grade,
                r.list_status,
                r.list_reason[:200],
                r.reward_fen,
                r.training_places,
                r.vetoed,
                r.explanation,
            )
            for r in results
        ),
        set_based_keys=True,
    )


@transaction.atomic
def compute_run(scheme: Scheme, period: str, *, actor: User | None) -> Run:
    """Compute ``scheme`` for ``period`` as a new run version in state ``computed``.

    ``actor`` None is the system (the command line); a person needs ``assessment.compute``
    over the scheme's root. Manual-rating indicators are not computed in this version: they
    score 0 and the run's notes say so.
    """
    if actor is not None:
        require(actor, COMPUTE, scheme.root)
    try:
        parsed = Period.parse(period)
    except PeriodError as exc:
        raise AssessmentError(str(exc)) from exc
    scheme = Scheme.objects.select_for_update().select_related("root").get(pk=scheme.pk)
    if parsed.local_dates()[0].year != scheme.year or parsed.local_dates()[1].year != scheme.year:
        raise AssessmentError(
            _("The period %(period)s is outside the scheme's year %(year)s.")
            % {"period": parsed.label or str(parsed), "year": scheme.year},
            field="period",
        )
    if period_kind(parsed.label) == "annual":
        from grassroots.assessment.actions.annual import compute_annual

        return compute_annual(scheme, parsed, actor=actor)
    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("position", "code"))
    if not indicators:
        raise AssessmentError(_("The scheme has no indicators."))
    units = units_in_scope(scheme)
    if not units:
        raise AssessmentError(_("The scheme has no units in scope."))

    notes: list[str] = []
    base = [i.weight for i in indicators if i.category in BASE_CATEGORIES]
    if weight_difference(base, scheme.total_points):
        notes.append(f"weights_do_not_add_up:{sum(base)}/{scheme.total_points}")
    # every metric once, however many indicators use it (a source may batch its metrics)
    # The month's events, tasks and records are counted on the replica when there is one:
    # this transaction writes none of them, and the run's fingerprint records what it read.
    with reading_replica(even_in_transaction=True):
        measured = compute_many(
            [i.metric for i in indicators if i.source == Source.METRIC], parsed, units
        )
    computed = {
        name: {
            mv.unit_id: ValueIn(mv.value, _dec(mv.numerator), _dec(mv.denominator)) for mv in found
        }
        for name, found in measured.items()
    }
    unit_ids = [u.pk for u in units]
    values, manual_notes = manual_values(indicators, parsed.label, unit_ids)
    notes.extend(manual_notes)
    indicator_ins: list[IndicatorIn] = []
    for ind in indicators:
        is_rate = False
        if ind.source == Source.METRIC:
            is_rate = get_metric(ind.metric).unit == "%"
            values[ind.pk] = dict(computed[ind.metric])
        indicator_ins.append(
            IndicatorIn(
                id=ind.pk,
                code=ind.code,
                category=ind.category,
                weight=ind.weight,
                rule=ind.rule,
                params=ind.params,
                direction=Direction(ind.direction),
                normaliser=Normaliser(ind.normaliser),
                is_rate=is_rate,
            )
        )
    _apply_waivers(indicators, values, waivers_for(parsed, unit_ids))
    _apply_corrections(scheme, parsed.label, values)
    grids = _grid_counts(scheme, units)
    unit_ins = [
        UnitIn(u.pk, _peer_group(scheme, u), households=u.households, grids=grids[u.pk])
        for u in units
    ]
    config = Config(
        grade_quota=scheme.grade_quota,
        list_rule=scheme.list_rule,
        reward_pool_fen=scheme.reward_pool_fen,
        reward_method=scheme.reward_method,
        reward_params=scheme.reward_params,
        shrink=scheme.shrinks,
        significance=scheme.needs_significance,
        training_places=scheme.training_places,
    )
    fingerprint = _fingerprint(
        {
            "period": parsed.label,
            "config": dict(config.__dict__),
            "units": [[u.id, u.group, u.households, u.grids] for u in unit_ins],
            "indicators": [
                [i.code, i.category, str(i.weight), i.rule, i.params, i.direction, i.normaliser]
                for i in indicator_ins
            ],
            "values": {
                str(i): sorted(
                    [u, _row(v.value), _row(v.numerator), _row(v.denominator), v.extra]
                    for u, v in vs.items()
                )
                for i, vs in values.items()
            },
        }
    )
    scoring = Scoring(unit_ins, indicator_ins, values, config)

    previous = latest_version(scheme, parsed.label)
    run = Run.objects.create(
        scheme=scheme,
        period=parsed.label,
        state=RunState.COMPUTED,
        version=previous.version + 1 if previous else 1,
        parent=previous,
        fingerprint=fingerprint,
        notes=notes,
        created_by=actor,
    )
    store_scores(run, scoring.scores(), {i.pk: i.metric for i in indicators})
    results, diagnostics = scoring.results()
    # the diagnostics are known once every score is: the run row (created first, for the
    # scores' key) is completed in the same transaction
    run.diagnostics, run.computed_at = diagnostics, timezone.now()
    Run.objects.filter(pk=run.pk).update(diagnostics=diagnostics, computed_at=run.computed_at)
    store_results(run, results)
    from grassroots.audit.actions import record

    record(
        "assessment.run.computed",
        run,
        actor=actor,
        after={"period": run.period, "version": run.version, "fingerprint": fingerprint},
        unit=scheme.root,
    )
    return run
