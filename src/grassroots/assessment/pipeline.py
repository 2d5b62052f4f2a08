"""The pure part of a run: from metric values per unit to scores and results.

No ORM: ``compute_results`` takes plain data (units, indicator settings and their values)
and returns every unit's scores and result with explanations, in the fixed order of the
design: normalise → shrink → score → bonuses, deductions and vetoes → rank within peer
groups → red/black lists → quota grading → rewards → diagnostics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from grassroots.assessment.diagnostics import outcome_diagnostics
from grassroots.assessment.explain import Explanation, points, rate
from grassroots.assessment.fairness import (
    RateInput,
    Signal,
    oriented,
    outside_limits,
    overdispersion,
    shrink_rates,
)
from grassroots.assessment.grading import (
    Grade,
    GradeQuota,
    ListRule,
    UnitTotal,
    competition_ranks,
    grade_units,
    rank_within_groups,
    red_black_lists,
)
from grassroots.assessment.rewards import (
    RewardInput,
    allocate_above_baseline,
    allocate_by_grade,
    allocate_places,
)
from grassroots.assessment.rules import RANK_POINTS, VETO, apply_rule, vetoed
from grassroots.assessment.scoring import Direction, Normaliser, normalise

ZERO = Decimal(0)


@dataclass(frozen=True)
class UnitIn:
    id: int
    group: str
    households: int = 0
    grids: int = 0


@dataclass(frozen=True)
class IndicatorIn:
    id: int
    code: str
    category: str
    weight: Decimal
    rule: str
    params: Mapping[str, Any]
    direction: Direction
    normaliser: Normaliser
    is_rate: bool  # a percentage with integer numerator and denominator (may be shrunk)


@dataclass(frozen=True)
class ValueIn:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    #: What else the explanation must say about this value, merged into it as is:
    #: ``{"ratings": …}``, ``{"entry": …}``, ``{"waiver": …}``, ``{"correction": …}``.
    extra: Mapping[str, Any] | None = None


@dataclass
class ScoreOut:
    unit: int
    indicator: int
    raw: ValueIn
    used: Decimal | None
    shrunk: Decimal | None
    points: Decimal
    explanation: dict[str, Any]


@dataclass
class ResultOut:
    unit: int
    group: str
    total: Decimal
    rank: int
    group_size: int
    grade: str
    list_status: str
    list_reason: str
    reward_fen: int
    vetoed: bool
    explanation: dict[str, Any] = field(default_factory=dict)
    training_places: int = 0


@dataclass(frozen=True)
class Config:
    grade_quota: Mapping[str, Any]
    list_rule: Mapping[str, Any]
    reward_pool_fen: int
    reward_method: str
    reward_params: Mapping[str, Any]
    shrink: bool
    significance: bool
    training_places: int = 0


def jsonable(explanation: Explanation) -> dict[str, Any]:
    """An explanation as JSON (Decimals as strings, so nothing is lost)."""

    def conv(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return {
        "rule": explanation.rule,
        "params": {k: conv(v) for k, v in explanation.params.items()},
        "inputs": {k: conv(v) for k, v in explanation.inputs.items()},
        "points": str(explanation.points),
        "notes": list(explanation.notes),
    }


def _is_int(value: Decimal | None) -> bool:
    return value is not None and value == value.to_integral_value() and value >= 0


def _rate_inputs(
    units: Sequence[UnitIn], values: Mapping[int, ValueIn]
) -> dict[str, list[RateInput]]:
    """The units' counts (numerator of denominator) peer group by peer group."""
    groups: dict[str, list[RateInput]] = defaultdict(list)
    for u in units:
        v = values.get(u.id)
        if v is None or v.numerator is None or v.denominator is None:
            continue
        if _is_int(v.numerator) and _is_int(v.denominator) and v.numerator <= v.denominator:
            groups[u.group].append(RateInput(u.id, int(v.numerator), int(v.denominator)))
    return groups


def _shrunk(
    units: Sequence[UnitIn], values: Mapping[int, ValueIn]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Per unit: (shrunk percentage, own weight), peer group by peer group."""
    out: dict[int, tuple[Decimal, Decimal]] = {}
    groups = _rate_inputs(units, values)
    for inputs in groups.values():
        if sum(i.trials for i in inputs) == 0:
            continue
        for r in shrink_rates(inputs).rates:
            out[int(str(r.unit))] = (rate(r.shrunk * 100), r.own_weight)
    return out


def compute_results(
    units: Sequence[UnitIn],
    indicators: Sequence[IndicatorIn],
    values: Mapping[int, Mapping[int, ValueIn]],
    config: Config,
) -> tuple[list[ScoreOut], list[ResultOut], dict[str, Any]]:
    """Scores, results and run diagnostics. ``values[indicator id][unit id]``."""
    scores: list[ScoreOut] = []
    totals: dict[int, Decimal] = {u.id: ZERO for u in units}
    vetoes: dict[int, list[str]] = defaultdict(list)
    by_group: dict[str, list[UnitIn]] = defaultdict(list)
    for u in units:
        by_group[u.group].append(u)

    for ind in indicators:
        ind_values = values.get(ind.id, {})
        shrunk = _shrunk(units, ind_values) if config.shrink and ind.is_rate else {}
        used: dict[int, Decimal | None] = {}
        for u in units:
            raw = ind_values.get(u.id, ValueIn(None))
            value = raw.value
            if value is not None:
                value = normalise(value, ind.normaliser, households=u.households, grids=u.grids)
            if u.id in shrunk and value is not None:
                value = shrunk[u.id][0]
            used[u.id] = value
        ranks: dict[int, tuple[int, int]] = {}
        if ind.rule == RANK_POINTS:
            for members in by_group.values():
                known = [(m.id, used[m.id]) for m in members if used[m.id] is not None]
                sign = 1 if ind.direction is Direction.HIGHER else -1
                ranked = competition_ranks((k, sign * v) for k, v in known if v is not None)
                for key, r in ranked.items():
                    ranks[int(str(key))] = (r, len(known))
        for u in units:
            raw = ind_values.get(u.id, ValueIn(None))
            value = used[u.id]
            notes: list[str] = []
            if value is None:
                expl: dict[str, Any] = {"rule": ind.rule, "points": "0", "notes": ["no_data"]}
                pts = ZERO
            else:
                rank, size = ranks.get(u.id, (1, 1))
                result = apply_rule(
                    ind.rule,
                    ind.params,
                    value,
                    weight=ind.weight,
                    direction=ind.direction,
                    rank=rank,
                    group_size=size,
                )
                pts = points(result.points)
                expl = jsonable(result.explanation)
                if ind.rule == VETO and vetoed(ind.params, value):
                    vetoes[u.id].append(ind.code)
            if u.id in shrunk and raw.value is not None:
                notes.append("shrunk")
                expl["shrinkage"] = {
                    "raw": str(raw.value),
                    "shrunk": str(shrunk[u.id][0]),
                    "own_weight": str(shrunk[u.id][1]),
                }
            expl["notes"] = list(expl.get("notes", [])) + notes
            if raw.extra:
                expl.update(raw.extra)
            expl["numerator"] = None if raw.numerator is None else str(raw.numerator)
            expl["denominator"] = None if raw.denominator is None else str(raw.denominator)
            totals[u.id] += pts
            scores.append(
                ScoreOut(
                    unit=u.id,
                    indicator=ind.id,
                    raw=raw,
                    used=value,
                    shrunk=shrunk[u.id][0] if u.id in shrunk else None,
                    points=pts,
                    explanation=expl,
                )
            )

    unit_totals = [
        UnitTotal(u.id, u.group, points(totals[u.id]), vetoed=bool(vetoes[u.id])) for u in units
    ]
    significance = _significance(units, indicators, values, config) if config.significance else None
    results, diagnostics = outcomes(unit_totals, vetoes, config, significance=significance)
    return scores, results, diagnostics


ONE = Decimal(1)


def _opt(raw: Any) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


def outcomes(
    unit_totals: Sequence[UnitTotal],
    vetoes: Mapping[int, Sequence[str]],
    config: Config,
    *,
    significance: Mapping[Any, Signal] | None = None,
) -> tuple[list[ResultOut], dict[str, Any]]:
    """Rank within peer groups, draw the red/black lists, grade under the quotas, allocate
    the reward pool and the training places, and measure the spread, from the units' totals.

    ``unit_totals`` carry each unit's peer group, total and whether it is vetoed; ``vetoes``
    name what vetoed it (shown in the explanation). ``significance`` (oriented signals) makes
    the lists require significance, as in the monthly run; the annual run passes None.
    """
    groups: dict[Any, int] = {}
    for t in unit_totals:
        groups[t.group] = groups.get(t.group, 0) + 1
    ranks = rank_within_groups(unit_totals)
    lr = config.list_rule
    lists = red_black_lists(
        unit_totals,
        ListRule(
            red_top_n=lr.get("red_top_n"),
            black_bottom_n=lr.get("black_bottom_n"),
            red_min_total=_opt(lr.get("red_min_total")),
            black_max_total=_opt(lr.get("black_max_total")),
            require_significance=significance is not None,
        ),
        significance=significance,
    )
    listed: dict[int, tuple[str, str]] = {}
    for status, entries in (("red", lists.red), ("black", lists.black)):
        for entry in entries:
            listed[int(str(entry.unit))] = (status, ", ".join(entry.reasons))
    gq = config.grade_quota
    grades = grade_units(
        unit_totals,
        GradeQuota(
            excellent_share=Decimal(str(gq.get("excellent_share", "0.2"))),
            excellent_min_total=_opt(gq.get("excellent_min_total")),
            good_share=_opt(gq.get("good_share")),
            good_min_total=_opt(gq.get("good_min_total")),
            poor_below=_opt(gq.get("poor_below")),
        ),
    )
    reward_inputs = [
        RewardInput(t.unit, t.total, grades[t.unit].grade, vetoed=t.vetoed) for t in unit_totals
    ]
    if config.reward_method == "baseline":
        baseline = Decimal(str(config.reward_params.get("baseline", "0")))
        allocation = allocate_above_baseline(config.reward_pool_fen, reward_inputs, baseline)
    else:
        coefficients = {
            Grade(k): Decimal(str(v)) for k, v in config.reward_params.items() if k in set(Grade)
        } or {Grade.EXCELLENT: Decimal("1.5"), Grade.GOOD: Decimal("1.2"), Grade.AVERAGE: ONE}
        allocation = allocate_by_grade(config.reward_pool_fen, reward_inputs, coefficients)
    places = allocate_places(config.training_places, reward_inputs).amounts

    results: list[ResultOut] = []
    for t in unit_totals:
        uid = int(str(t.unit))
        status, reason = listed.get(uid, ("", ""))
        results.append(
            ResultOut(
                unit=uid,
                group=str(t.group),
                total=t.total,
                rank=ranks[t.unit],
                group_size=groups[t.group],
                grade=grades[t.unit].grade.value,
                list_status=status,
                list_reason=reason,
                reward_fen=int(allocation.amounts.get(t.unit, 0)),
                training_places=int(places.get(t.unit, 0)),
                vetoed=t.vetoed,
                explanation={
                    "grade": jsonable(grades[t.unit].explanation),
                    "vetoes": list(vetoes.get(uid, ())),
                    "reward_method": allocation.method,
                },
            )
        )
    diag = outcome_diagnostics(
        {r.unit: r.total for r in results},
        {r.unit: r.reward_fen for r in results},
        {r.unit: Grade(r.grade) for r in results},
    )
    diagnostics = {
        "score_cv": _s(diag.score_cv),
        "reward_gini": _s(diag.reward_gini),
        "median_reward_excellent": _s(diag.median_reward_excellent),
        "median_reward_average": _s(diag.median_reward_average),
        "unallocated_fen": allocation.unallocated,
    }
    return results, diagnostics


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _significance(
    units: Sequence[UnitIn],
    indicators: Sequence[IndicatorIn],
    values: Mapping[int, Mapping[int, ValueIn]],
    config: Config,
) -> dict[Any, Signal] | None:
    """Funnel-plot signals on the list rule's ``significance_indicator`` (a rate), per peer
    group against the group's pooled rate, with the overdispersion correction. None when the
    rule names no such indicator (then the lists do not require significance)."""
    code = config.list_rule.get("significance_indicator")
    ind = next((i for i in indicators if i.code == code and i.is_rate), None)
    if ind is None:
        return None
    signals: dict[Any, Signal] = {}
    groups = _rate_inputs(units, values.get(ind.id, {}))
    for inputs in groups.values():
        trials = sum(i.trials for i in inputs)
        if trials == 0:
            continue
        target = Decimal(sum(i.events for i in inputs)) / trials
        if not ZERO < target < ONE:
            continue
        phi = overdispersion(inputs, target)
        for i in inputs:
            signal = outside_limits(i.events, i.trials, target, phi=phi)
            signals[i.unit] = oriented(signal, higher_is_better=ind.direction is Direction.HIGHER)
    return signals
