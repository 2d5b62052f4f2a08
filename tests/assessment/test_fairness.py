"""Empirical-Bayes shrinkage and funnel-plot limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.fairness import (
    Level,
    RateInput,
    Signal,
    funnel_limits,
    oriented,
    outside_limits,
    overdispersion,
    shrink_rates,
)


def test_shrinkage_by_hand() -> None:
    # m = 50/100 = 0.5; Σ n (r − m)² = 10·0.16 + 10·0.16 + 0 = 3.2; (k − 1) m (1 − m) = 0.5;
    # N − Σ n²/N = 100 − 66 = 34; τ² = 2.7/34; M = 0.25·34/2.7 − 1 = 2.148148;
    # w(A) = 10/12.148148 = 0.823171; A: 0.5 + 0.823171·0.4 = 0.829268
    result = shrink_rates([RateInput("A", 9, 10), RateInput("B", 1, 10), RateInput("C", 40, 80)])
    assert result.peer_mean == Decimal("0.5")
    assert result.between_variance == Decimal("0.079412")
    assert result.prior_strength == Decimal("2.148148")
    by_unit = {r.unit: r for r in result.rates}
    assert by_unit["A"].own_weight == Decimal("0.823171")
    assert by_unit["A"].shrunk == Decimal("0.829268")
    assert by_unit["B"].shrunk == Decimal("0.170732")
    assert by_unit["C"].shrunk == Decimal("0.5")


def test_a_village_with_three_events_does_not_top_the_list_by_luck() -> None:
    peers = [RateInput(f"v{i}", 60 + i, 100) for i in range(10)]
    lucky = RateInput("lucky", 3, 3)
    steady = RateInput("steady", 180, 200)
    rates = {r.unit: r.shrunk for r in shrink_rates([*peers, lucky, steady]).rates}
    assert rates["steady"] > rates["lucky"]


def test_no_spread_beyond_chance_gives_everyone_the_mean() -> None:
    result = shrink_rates([RateInput("A", 5, 10), RateInput("B", 50, 100)])
    assert result.prior_strength is None
    assert {r.shrunk for r in result.rates} == {Decimal("0.5")}


def test_a_unit_without_cases_gets_the_peer_mean() -> None:
    result = shrink_rates([RateInput("A", 9, 10), RateInput("B", 1, 10), RateInput("C", 0, 0)])
    c = next(r for r in result.rates if r.unit == "C")
    assert c.raw is None
    assert c.shrunk == result.peer_mean


def test_shrinkage_needs_cases() -> None:
    with pytest.raises(ValueError):
        shrink_rates([RateInput("A", 0, 0)])
    with pytest.raises(ValueError):
        RateInput("A", 5, 3)


units = st.lists(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    min_size=2,
    max_size=15,
)


@given(units)
def test_shrunk_rates_stay_in_unit_interval_and_small_units_move_most(
    pairs: list[tuple[int, int]],
) -> None:
    result = shrink_rates([RateInput(i, e, n) for i, (e, n) in enumerate(pairs)])
    for r in result.rates:
        assert Decimal(0) <= r.shrunk <= Decimal(1)
        assert Decimal(0) <= r.own_weight <= Decimal(1)
    for a in result.rates:
        for b in result.rates:
            if a.trials < b.trials:
                assert a.own_weight <= b.own_weight
                if a.raw is not None and a.raw == b.raw:
                    assert b.raw is not None
                    assert abs(a.shrunk - a.raw) >= abs(b.shrunk - b.raw) - Decimal("0.000001")


def test_funnel_limits_by_hand() -> None:
    # 0.8 ± 1.959964 · √(0.8 · 0.2 / 100) = 0.8 ± 0.078399
    assert funnel_limits(Decimal("0.8"), 100) == (Decimal("0.721601"), Decimal("0.878399"))
    assert funnel_limits(Decimal("0.8"), 100, level=Level.P998) == (
        Decimal("0.676391"),
        Decimal("0.923609"),
    )
    # φ = 4 doubles the half-width
    assert funnel_limits(Decimal("0.8"), 100, phi=Decimal(4)) == (
        Decimal("0.643203"),
        Decimal("0.956797"),
    )


@given(
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2),
)
def test_funnel_limits_widen_as_n_shrinks(a: int, b: int, target: Decimal) -> None:
    small, big = sorted((a, b))
    lo_small, hi_small = funnel_limits(target, small)
    lo_big, hi_big = funnel_limits(target, big)
    assert lo_small <= lo_big <= target <= hi_big <= hi_small
    assert Decimal(0) <= lo_small and hi_small <= Decimal(1)


def test_outside_limits_needs_a_significant_difference() -> None:
    target = Decimal("0.8")
    assert outside_limits(3, 3, target) is Signal.WITHIN  # 100 % of 3 is noise
    assert outside_limits(95, 100, target) is Signal.ABOVE
    assert outside_limits(60, 100, target) is Signal.BELOW
    assert outside_limits(70, 100, target) is Signal.BELOW
    assert outside_limits(70, 100, target, level=Level.P998) is Signal.WITHIN
    assert outside_limits(0, 0, target) is Signal.WITHIN


def test_overdispersion_by_hand() -> None:
    # target 0.5, n = 100: se = 0.05; z = −2, −1, 0, 1, 2 → φ = (4 + 1 + 0 + 1 + 4)/5 = 2
    group = [RateInput(i, e, 100) for i, e in enumerate((40, 45, 50, 55, 60))]
    assert overdispersion(group, Decimal("0.5")) == Decimal(2)
    # a group that varies less than chance keeps φ = 1
    assert overdispersion([RateInput(i, 50, 100) for i in range(5)], Decimal("0.5")) == Decimal(1)


def test_winsorising_limits_the_effect_of_one_outlier() -> None:
    calm = [RateInput(i, 50 + (i % 3) * 5, 100) for i in range(9)]
    with_outlier = [*calm, RateInput("x", 99, 100)]
    phi = overdispersion(with_outlier, Decimal("0.5"))
    raw_phi = overdispersion(with_outlier, Decimal("0.5"), winsor=0.0)
    assert phi < raw_phi
    assert phi > 1


def test_signals_are_oriented_so_above_means_better() -> None:
    # 30 of 100 events closed late against a target of 10 %: significantly worse
    late = outside_limits(30, 100, Decimal("0.1"))
    assert late is Signal.ABOVE
    assert oriented(late, higher_is_better=False) is Signal.BELOW
    assert oriented(late, higher_is_better=True) is Signal.ABOVE
    assert oriented(Signal.WITHIN, higher_is_better=False) is Signal.WITHIN
