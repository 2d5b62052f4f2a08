"""Scoring rules at their edges: floor, target, cap and direction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.scoring import (
    Band,
    Direction,
    Normaliser,
    achievement_or_improvement,
    capped_bonus,
    linear_completion,
    normalise,
    per_item_deduction,
    range_linear,
    rank_points,
    threshold_bands,
    veto,
    weight_difference,
)

values = st.decimals(min_value=-200, max_value=200, places=2)


def test_linear_completion_is_proportional_below_the_target() -> None:
    result = linear_completion(Decimal(45), Decimal(60), Decimal(10))
    assert result.points == Decimal("7.50")
    assert result.explanation.rule == "linear_completion"
    assert result.explanation.inputs["completion"] == Decimal("0.75")


def test_linear_completion_is_capped() -> None:
    assert linear_completion(Decimal(90), Decimal(60), Decimal(10)).points == Decimal(10)
    over = linear_completion(Decimal(90), Decimal(60), Decimal(10), cap=Decimal("1.2"))
    assert over.points == Decimal(12)
    assert over.explanation.notes == ("capped",)
    assert linear_completion(Decimal(-5), Decimal(60), Decimal(10)).points == 0


def test_linear_completion_needs_a_positive_target() -> None:
    with pytest.raises(ValueError, match="target"):
        linear_completion(Decimal(1), Decimal(0), Decimal(10))


def test_range_linear_higher_is_better_at_its_goalposts() -> None:
    def score(value: Decimal) -> Decimal:
        return range_linear(
            value, floor=Decimal("0.6"), target=Decimal("0.9"), weight=Decimal(10)
        ).points

    assert score(Decimal("0.5")) == 0
    assert score(Decimal("0.6")) == 0
    assert score(Decimal("0.7")) == Decimal("3.33")
    assert score(Decimal("0.9")) == Decimal(10)
    assert score(Decimal("0.99")) == Decimal(10)


def test_range_linear_lower_is_better_at_its_goalposts() -> None:
    def score(value: Decimal) -> Decimal:
        return range_linear(
            value,
            floor=Decimal(20),
            target=Decimal(5),
            weight=Decimal(8),
            direction=Direction.LOWER,
        ).points

    assert score(Decimal(25)) == 0
    assert score(Decimal(20)) == 0
    assert score(Decimal(11)) == Decimal("4.80")
    assert score(Decimal(5)) == Decimal(8)
    assert score(Decimal(0)) == Decimal(8)


def test_range_linear_rejects_goalposts_in_the_wrong_order() -> None:
    with pytest.raises(ValueError):
        range_linear(Decimal(1), floor=Decimal(5), target=Decimal(2), weight=Decimal(1))
    with pytest.raises(ValueError):
        range_linear(
            Decimal(1),
            floor=Decimal(2),
            target=Decimal(5),
            weight=Decimal(1),
            direction=Direction.LOWER,
        )


@given(values, values)
def test_range_linear_stays_between_zero_and_weight_and_rises(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    ten, fifty = Decimal(10), Decimal(50)

    def higher(value: Decimal) -> Decimal:
        return range_linear(value, floor=-fifty, target=fifty, weight=ten).points

    def lower(value: Decimal) -> Decimal:
        return range_linear(
            value, floor=fifty, target=-fifty, weight=ten, direction=Direction.LOWER
        ).points

    assert Decimal(0) <= higher(low) <= higher(high) <= ten
    assert ten >= lower(low) >= lower(high) >= Decimal(0)


def test_threshold_bands_take_the_best_band_reached() -> None:
    bands = [
        Band(Decimal(60), Decimal(2)),
        Band(Decimal(80), Decimal(5)),
        Band(Decimal(95), Decimal(8)),
    ]
    assert threshold_bands(Decimal(59), bands).points == 0
    assert threshold_bands(Decimal(80), bands).points == Decimal(5)
    assert threshold_bands(Decimal(99), bands).points == Decimal(8)
    lower = [Band(Decimal(10), Decimal(3)), Band(Decimal(2), Decimal(6))]
    assert threshold_bands(Decimal(11), lower, direction=Direction.LOWER).points == 0
    assert threshold_bands(Decimal(10), lower, direction=Direction.LOWER).points == Decimal(3)
    assert threshold_bands(Decimal(1), lower, direction=Direction.LOWER).points == Decimal(6)


def test_rank_points_fall_in_equal_steps() -> None:
    assert rank_points(1, 5, Decimal(10)).points == Decimal(10)
    assert rank_points(2, 5, Decimal(10)).points == Decimal("7.50")
    assert rank_points(5, 5, Decimal(10)).points == 0
    assert rank_points(1, 1, Decimal(10)).points == Decimal(10)
    with pytest.raises(ValueError):
        rank_points(6, 5, Decimal(10))


def test_per_item_deduction_is_capped() -> None:
    assert per_item_deduction(0, per_item=Decimal("0.5"), cap=Decimal(3)).points == 0
    assert per_item_deduction(4, per_item=Decimal("0.5"), cap=Decimal(3)).points == Decimal(-2)
    capped = per_item_deduction(37, per_item=Decimal("0.5"), cap=Decimal(3))
    assert capped.points == Decimal(-3)
    assert capped.explanation.notes == ("capped",)
    assert capped.explanation.inputs["items"] == 37


def test_bonus_is_capped() -> None:
    assert capped_bonus([Decimal(2), Decimal(1)], cap=Decimal(5)).points == Decimal(3)
    assert capped_bonus([Decimal(2), Decimal(2), Decimal(2)], cap=Decimal(5)).points == Decimal(5)
    assert capped_bonus([], cap=Decimal(5)).points == 0


def test_veto_flags_the_unit() -> None:
    result = veto(True, reason="safety incident")
    assert result.vetoed
    assert result.explanation.notes == ("vetoed",)
    assert not veto(False).vetoed


def test_improvement_wins_for_a_unit_that_started_far_behind() -> None:
    # floor 60, target 90: achievement at 70 is 10 × 10/30 = 3.33;
    # improvement from a baseline of 50: 10 × 20/40 = 5.00
    result = achievement_or_improvement(
        Decimal(70), baseline=Decimal(50), floor=Decimal(60), target=Decimal(90), weight=Decimal(10)
    )
    assert result.points == Decimal(5)
    assert result.explanation.notes == ("improvement",)


def test_achievement_wins_when_there_was_no_progress() -> None:
    result = achievement_or_improvement(
        Decimal(80), baseline=Decimal(85), floor=Decimal(60), target=Decimal(90), weight=Decimal(10)
    )
    assert result.points == Decimal("6.67")
    assert result.explanation.notes == ("achievement",)


def test_improvement_when_lower_is_better() -> None:
    # complaints per 1,000 households: floor 20, target 5, baseline 30 → now 15
    result = achievement_or_improvement(
        Decimal(15),
        baseline=Decimal(30),
        floor=Decimal(20),
        target=Decimal(5),
        weight=Decimal(10),
        direction=Direction.LOWER,
    )
    assert result.points == Decimal(6)  # improvement 15/25; achievement would be 5/15


def test_normalisers() -> None:
    assert normalise(Decimal(3), Normaliser.PER_1000_HOUSEHOLDS, households=1500) == Decimal(2)
    assert normalise(Decimal(12), Normaliser.PER_GRID, grids=4) == Decimal(3)
    assert normalise(Decimal(7), Normaliser.NONE) == Decimal(7)
    assert normalise(Decimal(7), Normaliser.PER_GRID, grids=0) is None


def test_weight_difference_tells_the_editor_what_is_missing() -> None:
    assert weight_difference([Decimal(40), Decimal(30), Decimal(30)], Decimal(100)) == 0
    assert weight_difference([Decimal(40), Decimal(30)], Decimal(100)) == Decimal(30)
    assert weight_difference([Decimal(40), Decimal(30), Decimal(35)], Decimal(100)) == Decimal(-5)
