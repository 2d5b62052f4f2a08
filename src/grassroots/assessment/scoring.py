"""Scoring rules: each a small pure function that returns points and an explanation.

All rules take the indicator's ``weight`` (its full points) and return points between 0 and the
weight (deductions return points between ``-cap`` and 0). Points are rounded to two decimals,
half up, after the rule is applied; intermediate values are exact decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from grassroots.assessment.explain import ExplainValue, Explanation, points

ZERO = Decimal(0)
ONE = Decimal(1)


class Direction(StrEnum):
    """Whether a larger raw value is better (e.g. on-time rate) or worse (e.g. complaints)."""

    HIGHER = "higher"  # larger values are better
    LOWER = "lower"  # smaller values are better


class Normaliser(StrEnum):
    """What a raw count is divided by before it is scored."""

    NONE = "none"  # the raw value is scored as it is
    PER_1000_HOUSEHOLDS = "per_1000_households"  # value × 1,000 ÷ households
    PER_GRID = "per_grid"  # value ÷ number of grids


@dataclass(frozen=True, slots=True)
class RuleResult:
    """Points awarded by one rule, with the explanation shown to the unit."""

    points: Decimal
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Band:
    """One threshold band: ``points`` are earned once the value reaches ``threshold``."""

    threshold: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class VetoResult:
    """Outcome of a veto (一票否决) indicator: whether the unit is vetoed, and why."""

    vetoed: bool
    explanation: Explanation


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def _result(
    rule: str,
    value: Decimal,
    params: Mapping[str, ExplainValue],
    inputs: Mapping[str, ExplainValue],
    notes: Sequence[str] = (),
) -> RuleResult:
    awarded = points(value)
    explanation = Explanation(
        rule=rule, params=params, inputs=inputs, points=awarded, notes=tuple(notes)
    )
    return RuleResult(points=awarded, explanation=explanation)


def normalise(
    value: Decimal, normaliser: Normaliser, *, households: int = 0, grids: int = 0
) -> Decimal | None:
    """Divide a raw count by the unit's size.

    ``PER_1000_HOUSEHOLDS``: value × 1,000 ÷ households; ``PER_GRID``: value ÷ grids;
    ``NONE``: the value unchanged. Returns ``None`` when the divisor is zero (a unit with no
    registered households or grids cannot be normalised and is reported, not scored as 0).
    """
    if normaliser is Normaliser.NONE:
        return value
    if normaliser is Normaliser.PER_1000_HOUSEHOLDS:
        return value * 1000 / households if households > 0 else None
    return value / grids if grids > 0 else None


def linear_completion(
    actual: Decimal, target: Decimal, weight: Decimal, *, cap: Decimal = ONE
) -> RuleResult:
    """Linear completion with a cap: points = weight × min(actual ÷ target, cap).

    A negative actual earns 0. ``cap`` is the largest completion ratio that counts (1 means
    over-fulfilment earns nothing extra; 1.2 lets 120 % completion earn 1.2 × weight).
    The target must be positive.
    """
    if target <= 0:
        raise ValueError("target must be positive")
    if cap < 0:
        raise ValueError("cap must not be negative")
    ratio = _clamp(actual / target, ZERO, cap)
    notes = ("capped",) if actual / target > cap else ()
    return _result(
        "linear_completion",
        weight * ratio,
        {"target": target, "weight": weight, "cap": cap},
        {"actual": actual, "completion": ratio},
        notes,
    )


def range_linear(
    value: Decimal,
    *,
    floor: Decimal,
    target: Decimal,
    weight: Decimal,
    direction: Direction = Direction.HIGHER,
) -> RuleResult:
    """Range-linear between fixed goalposts: 0 points at the floor, full weight at the target.

    Higher is better: value ≤ floor earns 0, value ≥ target earns the weight, and in between
    weight × (value − floor) ÷ (target − floor); the floor must lie below the target.
    Lower is better: value ≥ floor earns 0, value ≤ target earns the weight, and in between
    weight × (floor − value) ÷ (floor − target); the floor must lie above the target.
    The goalposts are fixed in the scheme, never derived from this period's best or worst unit.
    """
    if direction is Direction.HIGHER and floor >= target:
        raise ValueError("when higher is better the floor must be below the target")
    if direction is Direction.LOWER and floor <= target:
        raise ValueError("when lower is better the floor must be above the target")
    share = _clamp((value - floor) / (target - floor), ZERO, ONE)
    return _result(
        "range_linear",
        weight * share,
        {"floor": floor, "target": target, "weight": weight, "direction": direction.value},
        {"value": value, "share": share},
    )


def threshold_bands(
    value: Decimal, bands: Sequence[Band], *, direction: Direction = Direction.HIGHER
) -> RuleResult:
    """Threshold bands: the points of the best band the value reaches, 0 if it reaches none.

    Higher is better: a band is reached when value ≥ its threshold. Lower is better: a band is
    reached when value ≤ its threshold. Among the bands reached, the one with the most points
    counts; bands never add up.
    """
    if not bands:
        raise ValueError("at least one band is required")
    if direction is Direction.HIGHER:
        reached = [b for b in bands if value >= b.threshold]
    else:
        reached = [b for b in bands if value <= b.threshold]
    best = max(reached, key=lambda b: b.points) if reached else None
    params: dict[str, ExplainValue] = {"direction": direction.value}
    for i, band in enumerate(sorted(bands, key=lambda b: b.threshold)):
        params[f"band_{i + 1}"] = f"{band.threshold}:{band.points}"
    return _result(
        "threshold_bands",
        best.points if best else ZERO,
        params,
        {"value": value, "band_threshold": best.threshold if best else None},
    )


def rank_points(rank: int, group_size: int, weight: Decimal) -> RuleResult:
    """Rank points within the peer group: weight × (n − rank) ÷ (n − 1).

    ``rank`` is the unit's competition rank (1 = best; tied units share a rank) among the
    ``n`` units of its peer group: the first earns the full weight, the last earns 0, and the
    points fall in equal steps in between. A group of one unit earns the full weight.
    """
    if group_size < 1 or not 1 <= rank <= group_size:
        raise ValueError("rank must lie between 1 and the group size")
    share = ONE if group_size == 1 else Decimal(group_size - rank) / Decimal(group_size - 1)
    return _result(
        "rank_points",
        weight * share,
        {"weight": weight},
        {"rank": rank, "group_size": group_size},
    )


def per_item_deduction(items: int, *, per_item: Decimal, cap: Decimal) -> RuleResult:
    """Per-item deduction with a cap: points = −min(items × per_item, cap).

    Each recorded item (e.g. a late report) deducts ``per_item`` points; the total deduction
    for the indicator never exceeds ``cap``. Returns zero or negative points.
    """
    if items < 0 or per_item < 0 or cap < 0:
        raise ValueError("items, per_item and cap must not be negative")
    raw = items * per_item
    notes = ("capped",) if raw > cap else ()
    return _result(
        "per_item_deduction",
        -min(raw, cap),
        {"per_item": per_item, "cap": cap},
        {"items": items, "uncapped": -raw},
        notes,
    )


def capped_bonus(awards: Sequence[Decimal], *, cap: Decimal) -> RuleResult:
    """Bonus with a cap: points = min(sum of the awards, cap).

    Each award (e.g. a provincial commendation worth 2 points) is added; the indicator's bonus
    never exceeds ``cap``. Negative awards are not allowed (deductions use their own rule).
    """
    if cap < 0 or any(a < 0 for a in awards):
        raise ValueError("awards and cap must not be negative")
    raw = sum(awards, ZERO)
    notes = ("capped",) if raw > cap else ()
    return _result(
        "capped_bonus",
        min(raw, cap),
        {"cap": cap},
        {"awards": len(awards), "uncapped": raw},
        notes,
    )


def veto(triggered: bool, *, reason: str = "") -> VetoResult:
    """Veto (一票否决): a triggered veto flags the unit; it earns no points here.

    The effects are applied later and stated there: a vetoed unit is graded 较差, never appears
    on the red list, and receives no reward or training place.
    """
    explanation = Explanation(
        rule="veto",
        inputs={"triggered": triggered, "reason": reason},
        points=ZERO,
        notes=("vetoed",) if triggered else (),
    )
    return VetoResult(vetoed=triggered, explanation=explanation)


def achievement_or_improvement(
    value: Decimal,
    *,
    baseline: Decimal,
    floor: Decimal,
    target: Decimal,
    weight: Decimal,
    direction: Direction = Direction.HIGHER,
) -> RuleResult:
    """The better of achievement against the target and improvement on the unit's own baseline.

    Achievement is the range-linear score between ``floor`` and ``target`` (see
    :func:`range_linear`). Improvement is weight × (value − baseline) ÷ (target − baseline),
    kept between 0 and the weight, for a unit whose baseline (its own value last year) fell
    short of the target; a unit already at the target earns its improvement through
    achievement. The unit receives the larger of the two, so a unit that started far behind
    is rewarded for real progress.
    """
    achieved = range_linear(value, floor=floor, target=target, weight=weight, direction=direction)
    short = baseline < target if direction is Direction.HIGHER else baseline > target
    improvement = _clamp((value - baseline) / (target - baseline), ZERO, ONE) if short else ZERO
    improved = weight * improvement
    best_is_improvement = points(improved) > achieved.points
    return _result(
        "achievement_or_improvement",
        improved if best_is_improvement else achieved.points,
        {"floor": floor, "target": target, "weight": weight, "direction": direction.value},
        {
            "value": value,
            "baseline": baseline,
            "achievement_points": achieved.points,
            "improvement_points": points(improved),
        },
        ("improvement",) if best_is_improvement else ("achievement",),
    )


def weight_difference(weights: Sequence[Decimal], total: Decimal) -> Decimal:
    """How far the base indicators' weights are from the scheme total: total − sum(weights).

    Zero means the weights add up; a positive number is the points still to assign, a negative
    one the points assigned too many. The editor shows this figure next to the weights.
    """
    return total - sum(weights, ZERO)
