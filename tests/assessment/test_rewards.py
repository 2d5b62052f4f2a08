"""Reward pools and training places: exact sums, nothing for vetoed or 较差, never equal shares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.grading import Grade
from grassroots.assessment.rewards import (
    RewardInput,
    allocate_above_baseline,
    allocate_by_grade,
    allocate_places,
    largest_remainder,
)

COEFFICIENTS = {
    Grade.EXCELLENT: Decimal("1.5"),
    Grade.GOOD: Decimal("1.2"),
    Grade.AVERAGE: Decimal(1),
    Grade.POOR: Decimal(1),  # ignored: 较差 never receives anything
}


def test_largest_remainder_by_hand() -> None:
    # exact shares 33.33…, 33.33…, 33.33… of 100: the first key gets the extra fen
    assert largest_remainder(100, {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}) == {
        "a": 34,
        "b": 33,
        "c": 33,
    }
    # 10 × 5/8 = 6.25, 10 × 3/8 = 3.75 → 6 + 4
    assert largest_remainder(10, {"a": Decimal(5), "b": Decimal(3)}) == {"a": 6, "b": 4}


def test_grade_allocation_by_hand() -> None:
    units = [
        RewardInput("a", Decimal(90), Grade.EXCELLENT),  # weight 135
        RewardInput("b", Decimal(75), Grade.AVERAGE),  # weight 75
        RewardInput("c", Decimal(95), Grade.POOR, vetoed=True),  # weight 0
        RewardInput("d", Decimal(50), Grade.POOR),  # weight 0
    ]
    result = allocate_by_grade(1_000_000, units, COEFFICIENTS)
    # 1,000,000 × 135/210 = 642,857.14 → 642,857; × 75/210 = 357,142.86 → 357,143
    assert result.amounts == {"a": 642_857, "b": 357_143, "c": 0, "d": 0}


def test_above_baseline_by_hand_and_when_nobody_qualifies() -> None:
    units = [
        RewardInput("a", Decimal(90), Grade.EXCELLENT),
        RewardInput("b", Decimal(70), Grade.AVERAGE),
        RewardInput("c", Decimal(60), Grade.AVERAGE),
    ]
    result = allocate_above_baseline(90_000, units, Decimal(60))
    # weights 30, 10, 0 → 90,000 × 3/4 and × 1/4
    assert result.amounts == {"a": 67_500, "b": 22_500, "c": 0}
    nobody = allocate_above_baseline(90_000, units, Decimal(95))
    assert sum(nobody.amounts.values()) == 0
    assert nobody.unallocated == 90_000


def test_places_go_to_the_top_units() -> None:
    units = [
        RewardInput("a", Decimal(96), Grade.EXCELLENT),
        RewardInput("b", Decimal(92), Grade.EXCELLENT),
        RewardInput("c", Decimal(85), Grade.GOOD),
    ]
    result = allocate_places(3, units)
    assert result.amounts == {"a": 2, "b": 1, "c": 0}
    wider = allocate_places(5, units, grades=frozenset({Grade.EXCELLENT, Grade.GOOD}))
    assert sum(wider.amounts.values()) == 5
    assert wider.amounts["a"] >= wider.amounts["b"] >= wider.amounts["c"] >= 1


def test_negative_pool_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate_above_baseline(-1, [RewardInput("a", Decimal(1), Grade.GOOD)], Decimal(0))


reward_units = st.lists(
    st.tuples(
        st.decimals(min_value=0, max_value=100, places=2),
        st.sampled_from(list(Grade)),
        st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


def _inputs(rows: list[tuple[Decimal, Grade, bool]]) -> list[RewardInput]:
    return [RewardInput(i, total, grade, vetoed) for i, (total, grade, vetoed) in enumerate(rows)]


@given(reward_units, st.integers(min_value=0, max_value=10**9))
def test_rewards_sum_to_the_pool_and_skip_vetoed_and_poor(
    rows: list[tuple[Decimal, Grade, bool]], pool: int
) -> None:
    units = _inputs(rows)
    for result in (
        allocate_by_grade(pool, units, COEFFICIENTS),
        allocate_above_baseline(pool, units, Decimal(50)),
        allocate_places(pool % 50, units),
    ):
        assert sum(result.amounts.values()) + result.unallocated == (
            pool % 50 if result.method == "training_places" else pool
        )
        assert all(a >= 0 for a in result.amounts.values())
        for u in units:
            if u.vetoed or u.grade is Grade.POOR:
                assert result.amounts[u.unit] == 0


@given(
    st.lists(
        st.decimals(min_value=1, max_value=100, places=2), min_size=2, max_size=20, unique=True
    ),
    st.sampled_from([Grade.EXCELLENT, Grade.GOOD, Grade.AVERAGE]),
)
def test_never_equal_shares_when_scores_differ(totals: list[Decimal], grade: Grade) -> None:
    units = [RewardInput(i, t, grade) for i, t in enumerate(totals)]
    result = allocate_by_grade(10**8, units, COEFFICIENTS)
    assert len(set(result.amounts.values())) > 1
    for a in units:
        for b in units:
            if a.total > b.total:
                assert result.amounts[a.unit] >= result.amounts[b.unit]


@given(
    st.integers(min_value=0, max_value=10**7),
    st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=30),
)
def test_largest_remainder_is_exact_and_monotone(total: int, weights: list[Decimal]) -> None:
    if not any(weights):
        return
    amounts = largest_remainder(total, dict(enumerate(weights)))
    assert sum(amounts.values()) == total
    for i, a in enumerate(weights):
        for j, b in enumerate(weights):
            if a > b:
                assert amounts[i] >= amounts[j]
