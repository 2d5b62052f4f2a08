"""The pure part of the annual evaluation (年评): the weights, each unit's combined total,
and the outcome of totals (rank → red/black lists → quota grading → rewards → training places
→ diagnostics) exactly as the monthly pipeline draws them.

No ORM. :func:`outcomes` is the tail of :func:`pipeline.compute_results` taken as a function
of the units' totals and vetoes, so that a run whose totals are not the sum of indicator
points (the annual one) is ranked, listed, graded and rewarded by the same rules and the same
pure functions (:mod:`grading`, :mod:`rewards`, :mod:`diagnostics`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from grassroots.assessment.explain import points
from grassroots.assessment.grading import (
    AnnualWeights,
    UnitTotal,
    combine_annual,
)
from grassroots.assessment.pipeline import Config, ResultOut, jsonable, outcomes

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

#: The design's default: 40 % monthly average, 30 % quarterly results, 30 % year-end review.
DEFAULT_WEIGHTS = {"monthly": "0.4", "quarterly": "0.3", "year_end": "0.3"}


def annual_weights(raw: Mapping[str, Any] | None) -> AnnualWeights:
    """The scheme's ``annual_weights`` (absent keys take the default); ``ValueError`` when a
    weight is not a number, is negative, or the three do not add up to 1."""
    merged = {**DEFAULT_WEIGHTS, **(dict(raw) if raw else {})}
    try:
        values = {k: Decimal(str(merged[k])) for k in DEFAULT_WEIGHTS}
    except InvalidOperation:
        raise ValueError("annual weights must be numbers") from None
    if not all(v.is_finite() for v in values.values()):
        raise ValueError("annual weights must be finite numbers")
    return AnnualWeights(values["monthly"], values["quarterly"], values["year_end"])


def year_end_points(mean_score: Decimal, total_points: Decimal) -> Decimal:
    """A year-end review's mean score (0–100) on the scheme's scale: mean ÷ 100 × total,
    rounded to two decimals, half up."""
    return points(mean_score / HUNDRED * total_points)


@dataclass(frozen=True)
class UnitYear:
    """One unit's components for the year (totals in period order)."""

    unit: int
    group: str
    monthly: tuple[Decimal, ...]
    quarterly: tuple[Decimal, ...]
    year_end: Decimal | None
    vetoes: tuple[str, ...] = ()


def combine_units(
    units: Sequence[UnitYear], weights: AnnualWeights
) -> tuple[dict[int, Decimal], dict[int, dict[str, Any]]]:
    """Every unit's annual total (:func:`grading.combine_annual`) and its explanation; a
    unit without any component totals 0 with the note ``no_data``."""
    totals: dict[int, Decimal] = {}
    explanations: dict[int, dict[str, Any]] = {}
    for u in units:
        if not u.monthly and not u.quarterly and u.year_end is None:
            totals[u.unit] = ZERO
            explanations[u.unit] = {"rule": "annual_combination", "notes": ["no_data"]}
            continue
        try:
            total, explanation = combine_annual(u.monthly, u.quarterly, u.year_end, weights)
        except ValueError:  # only components whose weight is 0 have results
            totals[u.unit] = ZERO
            explanations[u.unit] = {"rule": "annual_combination", "notes": ["no_data"]}
            continue
        totals[u.unit] = total
        explanations[u.unit] = jsonable(explanation)
    return totals, explanations


def annual_results(
    units: Sequence[UnitYear], weights: AnnualWeights, config: Config
) -> tuple[list[ResultOut], dict[str, Any]]:
    """The annual evaluation of ``units``: combined totals, then :func:`outcomes` without
    significance (a year's combined total is not a rate). A unit vetoed in any period of the
    year stays vetoed: 较差, never on the red list, no reward, no training place."""
    totals, explanations = combine_units(units, weights)
    unit_totals = [UnitTotal(u.unit, u.group, totals[u.unit], vetoed=bool(u.vetoes)) for u in units]
    results, diagnostics = outcomes(unit_totals, {u.unit: u.vetoes for u in units}, config)
    for r in results:
        r.explanation["annual"] = explanations[r.unit]
    return results, diagnostics
