"""Reward allocation (工作经费) and training places (外出学习培训): never equal shares.

Money is integer fen. Shares are computed as exact fractions and turned into whole fen (or whole
places) by the largest-remainder method, so the amounts always add up exactly to the pool.
Vetoed units (一票否决) and units graded 较差 receive nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import TypeVar

from grassroots.assessment.grading import Grade

ZERO = Decimal(0)
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class RewardInput:
    """A unit's result as the allocation sees it."""

    unit: Hashable
    total: Decimal
    grade: Grade
    vetoed: bool = False


@dataclass(frozen=True, slots=True)
class Allocation:
    """Whole amounts (fen or places) per unit, the weight behind each, and what was left over.

    ``unallocated`` is non-zero only when no unit qualified; amounts + unallocated = pool.
    """

    amounts: Mapping[Hashable, int]
    weights: Mapping[Hashable, Decimal]
    unallocated: int
    method: str


def largest_remainder(total: int, weights: Mapping[K, Decimal]) -> dict[K, int]:
    """Split ``total`` whole units in proportion to non-negative ``weights`` (largest remainder).

    Each key first receives the whole part of total × weight ÷ Σ weights; the units left over
    go one each to the keys with the largest fractional parts, ties going to the larger weight
    and then to the earlier key. The result adds up exactly to ``total`` and never gives a key
    with a larger weight less than a key with a smaller one. Keys with weight 0 receive 0.
    """
    if total < 0 or any(w < 0 for w in weights.values()):
        raise ValueError("total and weights must not be negative")
    # Exact integer arithmetic: every weight over one common denominator, so that
    # total × wᵢ ÷ Σ w = (total × nᵢ) ÷ Σ n, whose floor and remainder are plain integers
    # (remainders over the same Σ n compare like the fractional parts).
    fractions = {k: Fraction(w) for k, w in weights.items()}
    common = lcm(*(f.denominator for f in fractions.values())) if fractions else 1
    scaled = {k: f.numerator * (common // f.denominator) for k, f in fractions.items()}
    weight_sum = sum(scaled.values())
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    amounts: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for k, n in scaled.items():
        amounts[k], remainders[k] = divmod(total * n, weight_sum)
    left = total - sum(amounts.values())
    position = {k: i for i, k in enumerate(weights)}
    by_remainder = sorted(
        weights, key=lambda k: (remainders[k], scaled[k], -position[k]), reverse=True
    )
    for k in by_remainder[:left]:
        amounts[k] += 1
    return amounts


def _eligible(unit: RewardInput) -> bool:
    return not unit.vetoed and unit.grade is not Grade.POOR


def _allocate(pool: int, weights: dict[Hashable, Decimal], method: str) -> Allocation:
    if pool < 0:
        raise ValueError("the pool must not be negative")
    if not any(w > 0 for w in weights.values()):
        return Allocation(dict.fromkeys(weights, 0), weights, pool, method)
    return Allocation(largest_remainder(pool, weights), weights, 0, method)


def allocate_by_grade(
    pool_fen: int, units: Sequence[RewardInput], coefficients: Mapping[Grade, Decimal]
) -> Allocation:
    """Allocate the pool by grade coefficient × total score.

    A unit's weight is its grade's coefficient (e.g. 优秀 1.5, 良好 1.2, 一般 1.0) times its
    total, so a better grade pays more and, within a grade, a higher score pays more — no two
    units with different totals share equally. Vetoed and 较差 units have weight 0 whatever
    the coefficients say; negative totals count as 0. The pool is then split in proportion to
    the weights by the largest-remainder method (see :func:`largest_remainder`).
    """
    if any(c < 0 for c in coefficients.values()):
        raise ValueError("coefficients must not be negative")
    weights = {
        u.unit: coefficients.get(u.grade, ZERO) * max(u.total, ZERO) if _eligible(u) else ZERO
        for u in units
    }
    return _allocate(pool_fen, weights, "grade_coefficient")


def allocate_above_baseline(
    pool_fen: int, units: Sequence[RewardInput], baseline: Decimal
) -> Allocation:
    """Allocate the pool in proportion to each unit's score above the baseline.

    A unit's weight is max(0, total − baseline): a unit at or below the baseline receives
    nothing, and each point above it is worth the same. Vetoed and 较差 units have weight 0.
    When no unit lies above the baseline nothing is paid and the whole pool is reported as
    unallocated.
    """
    weights = {u.unit: max(ZERO, u.total - baseline) if _eligible(u) else ZERO for u in units}
    return _allocate(pool_fen, weights, "above_baseline")


def allocate_places(
    places: int,
    units: Sequence[RewardInput],
    *,
    grades: frozenset[Grade] = frozenset({Grade.EXCELLENT}),
) -> Allocation:
    """Allocate training-trip places (whole places) to the top units in proportion to score.

    Only units whose grade is in ``grades`` (by default 优秀) qualify; vetoed and 较差 units
    never do. A qualifying unit's weight is its total; the places are split by the
    largest-remainder method, so they add up exactly to ``places`` and a higher total never
    receives fewer places than a lower one.
    """
    weights = {
        u.unit: max(u.total, ZERO) if _eligible(u) and u.grade in grades else ZERO for u in units
    }
    return _allocate(places, weights, "training_places")
