"""The pure part of a run: from metric values per unit to scores and results.

No ORM: ``compute_results`` takes plain data (units, indicator settings and their values)
and returns every unit's scores and result with explanations, in the fixed order of the
design: normalise → shrink → score → bonuses, deductions and vetoes → rank within peer
groups → red/black lists → quota grading → rewards → diagnostics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from grassroots.assessment.diagnostics import outcome_diagnostics
from grassroots.assessment.explain import as_json, points, rate
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
from grassroots.assessment.rules import RANK_POINTS, VETO, PreparedRule, prepare
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


@dataclass(slots=True)
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


#: An explanation as JSON (kept here for the callers that import it from the pipeline).
jsonable = as_json

NO_VALUE = ValueIn(None)


def _count(value: Decimal) -> int | None:
    """``value`` as a count (a whole number, not negative), None if it is not one."""
    if not value.is_finite():
        return None
    whole = int(value)
    return whole if whole == value and whole >= 0 else None


def _rate_inputs(
    units: Sequence[UnitIn], values: Mapping[int, ValueIn]
) -> dict[str, list[RateInput]]:
    """The units' counts (numerator of denominator) peer group by peer group."""
    groups: dict[str, list[RateInput]] = defaultdict(list)
    for u in units:
        v = values.get(u.id)
        if v is None or v.numerator is None or v.denominator is None:
            continue
        events, trials = _count(v.numerator), _count(v.denominator)
        if events is not None and trials is not None and events <= trials:
            groups[u.group].append(RateInput(u.id, events, trials))
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
            unit = r.unit if type(r.unit) is int else int(str(r.unit))
            out[unit] = (rate(r.shrunk * 100), r.own_weight)
    return out


class Scoring:
    """A run's scores, indicator by indicator, then its results.

    ``scores()`` yields every unit's score on every indicator one by one (a caller that
    writes them as they come never holds a province's 700,000 explanations at once);
    ``results()``, once the scores have all been taken, ranks, grades and rewards the units
    from their totals. ``values[indicator id][unit id]``.
    """

    def __init__(
        self,
        units: Sequence[UnitIn],
        indicators: Sequence[IndicatorIn],
        values: Mapping[int, Mapping[int, ValueIn]],
        config: Config,
    ) -> None:
        self.units = units
        self.indicators = indicators
        self.values = values
        self.config = config
        self.totals: dict[int, Decimal] = {u.id: ZERO for u in units}
        self.vetoes: dict[int, list[str]] = defaultdict(list)
        self._state = "new"

    def scores(self) -> Iterator[ScoreOut]:
        """Every unit's score on every indicator, in the indicators' order (once)."""
        if self._state != "new":
            raise RuntimeError("the scores of a run are taken once")
        self._state = "scoring"
        by_group: dict[str, list[UnitIn]] = defaultdict(list)
        for u in self.units:
            by_group[u.group].append(u)
        for ind in self.indicators:
            yield from self._indicator(ind, by_group)
        self._state = "scored"

    def _indicator(
        self, ind: IndicatorIn, by_group: Mapping[str, list[UnitIn]]
    ) -> Iterator[ScoreOut]:
        units = self.units
        ind_values = self.values.get(ind.id, {})
        shrunk = _shrunk(units, ind_values) if self.config.shrink and ind.is_rate else {}
        used: dict[int, Decimal | None] = {}
        plain = ind.normaliser is Normaliser.NONE
        for u in units:
            value = ind_values.get(u.id, NO_VALUE).value
            if value is not None and not plain:
                value = normalise(value, ind.normaliser, households=u.households, grids=u.grids)
            if value is not None and u.id in shrunk:
                value = shrunk[u.id][0]
            used[u.id] = value
        ranks: dict[int, tuple[int, int]] = {}
        if ind.rule == RANK_POINTS:
            sign = 1 if ind.direction is Direction.HIGHER else -1
            for members in by_group.values():
                known = [(m.id, used[m.id]) for m in members if used[m.id] is not None]
                ranked = competition_ranks((k, sign * v) for k, v in known if v is not None)
                for key, r in ranked.items():
                    ranks[int(str(key))] = (r, len(known))
        rule: PreparedRule | None = None  # read when the first value needs it
        is_veto = ind.rule == VETO
        totals, vetoes = self.totals, self.vetoes
        for u in units:
            raw = ind_values.get(u.id, NO_VALUE)
            value = used[u.id]
            if value is None:
                expl: dict[str, Any] = {"rule": ind.rule, "points": "0", "notes": ["no_data"]}
                pts = ZERO
            else:
                if rule is None:
                    rule = prepare(ind.rule, ind.params, weight=ind.weight, direction=ind.direction)
                rank, size = ranks.get(u.id, (1, 1))
                pts, expl = rule.explain(value, rank, size)
                if is_veto and rule.vetoes(value):
                    vetoes[u.id].append(ind.code)
            own = shrunk.get(u.id)
            if own is not None and raw.value is not None:
                expl["notes"].append("shrunk")
                expl["shrinkage"] = {
                    "raw": str(raw.value),
                    "shrunk": str(own[0]),
                    "own_weight": str(own[1]),
                }
            if raw.extra:
                expl.update(raw.extra)
            expl["numerator"] = None if raw.numerator is None else str(raw.numerator)
            expl["denominator"] = None if raw.denominator is None else str(raw.denominator)
            totals[u.id] += pts
            # one at a time: a score written as it comes is gone before the next is made
            yield ScoreOut(
                unit=u.id,
                indicator=ind.id,
                raw=raw,
                used=value,
                shrunk=None if own is None else own[0],
                points=pts,
                explanation=expl,
            )

    def results(self) -> tuple[list[ResultOut], dict[str, Any]]:
        """The units' results and the run's diagnostics, from the scores' totals."""
        if self._state != "scored":
            raise RuntimeError("the results come after all the scores")
        units, vetoes = self.units, self.vetoes
        unit_totals = [
            UnitTotal(u.id, u.group, points(self.totals[u.id]), vetoed=bool(vetoes[u.id]))
            for u in units
        ]
        significance = (
            _significance(units, self.indicators, self.values, self.config)
            if self.config.significance
            else None
        )
        return outcomes(unit_totals, vetoes, self.config, significance=significance)


def compute_results(
    units: Sequence[UnitIn],
    indicators: Sequence[IndicatorIn],
    values: Mapping[int, Mapping[int, ValueIn]],
    config: Config,
) -> tuple[list[ScoreOut], list[ResultOut], dict[str, Any]]:
    """Scores, results and run diagnostics. ``values[indicator id][unit id]``.
    (:class:`Scoring` gives the scores one indicator at a time.)"""
    scoring = Scoring(units, indicators, values, config)
    scores = list(scoring.scores())
    results, diagnostics = scoring.results()
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
