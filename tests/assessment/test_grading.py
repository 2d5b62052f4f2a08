"""Ranks, red/black lists, quota grading and the annual combination."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.fairness import Signal
from grassroots.assessment.grading import (
    AnnualWeights,
    Grade,
    GradeQuota,
    ListRule,
    UnitTotal,
    combine_annual,
    competition_ranks,
    grade_units,
    rank_within_groups,
    red_black_lists,
)


def test_competition_ranking_shows_ties() -> None:
    ranks = competition_ranks(
        [("a", Decimal(90)), ("b", Decimal(85)), ("c", Decimal(85)), ("d", Decimal(70))]
    )
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_units_are_ranked_only_among_their_peers() -> None:
    units = [
        UnitTotal("town1", "镇", Decimal(80)),
        UnitTotal("town2", "镇", Decimal(90)),
        UnitTotal("village1", "村", Decimal(60)),
    ]
    assert rank_within_groups(units) == {"town2": 1, "town1": 2, "village1": 1}


totals = st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=30)


@given(totals)
def test_ranks_are_consistent_with_totals(values: list[Decimal]) -> None:
    ranks = competition_ranks(list(enumerate(values)))
    for i, a in enumerate(values):
        assert ranks[i] == 1 + sum(1 for b in values if b > a)
        for j, b in enumerate(values):
            if a > b:
                assert ranks[i] < ranks[j]
            if a == b:
                assert ranks[i] == ranks[j]


def _group(*totals: int, vetoed: frozenset[int] = frozenset()) -> list[UnitTotal]:
    return [UnitTotal(i, "g", Decimal(t), vetoed=i in vetoed) for i, t in enumerate(totals)]


def test_excellent_quota_and_absolute_threshold() -> None:
    units = _group(95, 92, 91, 88, 85, 80, 75, 70, 65, 50)  # 20 % of 10 → at most 2
    grades = grade_units(
        units,
        GradeQuota(
            excellent_share=Decimal("0.2"), excellent_min_total=Decimal(90), poor_below=Decimal(60)
        ),
    )
    assert [grades[i].grade for i in range(10)] == [Grade.EXCELLENT] * 2 + [Grade.AVERAGE] * 7 + [
        Grade.POOR
    ]
    only_one_above = grade_units(
        units, GradeQuota(excellent_share=Decimal("0.2"), excellent_min_total=Decimal(93))
    )
    assert [g.grade for g in only_one_above.values()].count(Grade.EXCELLENT) == 1


def test_a_tie_at_the_quota_boundary_never_exceeds_the_quota() -> None:
    units = _group(95, 90, 90, 80, 80, 70, 70, 60, 60, 50)
    grades = grade_units(units, GradeQuota(excellent_share=Decimal("0.2")))
    assert grades[0].grade is Grade.EXCELLENT
    assert grades[1].grade is grades[2].grade is Grade.AVERAGE


def test_vetoed_units_are_poor_and_count_in_the_group_size() -> None:
    units = _group(99, 90, 80, 70, 60, vetoed=frozenset({0}))
    grades = grade_units(units, GradeQuota(excellent_share=Decimal("0.2")))
    assert grades[0].grade is Grade.POOR
    assert grades[0].explanation.notes == ("vetoed",)
    assert grades[1].grade is Grade.EXCELLENT


def test_good_quota_takes_the_next_units() -> None:
    units = _group(95, 90, 85, 80, 75, 70, 65, 60, 55, 50)
    grades = grade_units(
        units, GradeQuota(excellent_share=Decimal("0.1"), good_share=Decimal("0.3"))
    )
    assert [grades[i].grade for i in range(5)] == [
        Grade.EXCELLENT,
        Grade.GOOD,
        Grade.GOOD,
        Grade.GOOD,
        Grade.AVERAGE,
    ]


@given(
    st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=40),
    st.decimals(min_value=0, max_value=1, places=2),
    st.sets(st.integers(min_value=0, max_value=39)),
)
def test_quota_is_never_exceeded_and_ties_share_a_grade(
    values: list[int], share: Decimal, vetoed: set[int]
) -> None:
    units = _group(*values, vetoed=frozenset(vetoed))
    grades = grade_units(units, GradeQuota(excellent_share=share, good_share=share))
    excellent = [u for u in units if grades[u.unit].grade is Grade.EXCELLENT]
    good = [u for u in units if grades[u.unit].grade is Grade.GOOD]
    assert len(excellent) <= int(share * len(units))
    assert len(good) <= int(share * len(units))
    for u in units:
        if u.vetoed:
            assert grades[u.unit].grade is Grade.POOR
    order = list(Grade)
    for a in units:
        for b in units:
            if not a.vetoed and not b.vetoed and a.total >= b.total:
                assert order.index(grades[a.unit].grade) <= order.index(grades[b.unit].grade)


def test_red_and_black_lists_by_rank_and_threshold() -> None:
    units = _group(95, 90, 85, 80, 40, 30, vetoed=frozenset({0}))
    lists = red_black_lists(
        units, ListRule(red_top_n=2, black_bottom_n=1, black_max_total=Decimal(50))
    )
    assert [e.unit for e in lists.red] == [1, 2]  # the vetoed 95 is never on the red list
    assert [(e.unit, e.reasons) for e in lists.black] == [
        (0, ("vetoed",)),
        (5, ("bottom_n", "below_threshold")),
    ]


def test_red_list_never_splits_a_tie() -> None:
    units = _group(95, 90, 90, 80)
    lists = red_black_lists(units, ListRule(red_top_n=2))
    assert [e.unit for e in lists.red] == [0]


def test_lists_can_require_significance() -> None:
    units = _group(95, 90, 40, 30)
    signals = {0: Signal.WITHIN, 1: Signal.ABOVE, 2: Signal.BELOW, 3: Signal.WITHIN}
    lists = red_black_lists(
        units,
        ListRule(red_top_n=2, black_bottom_n=2, require_significance=True),
        significance=signals,
    )
    assert [e.unit for e in lists.red] == [1]
    assert [e.unit for e in lists.black] == [2]


def test_significance_never_lists_a_unit_outside_the_top_or_bottom() -> None:
    """A unit ranked low whose rate stands out is not red-listed "among the top 1"."""
    units = _group(95, 90, 60, 40, 30)
    signals = {0: Signal.WITHIN, 1: Signal.WITHIN, 2: Signal.ABOVE, 3: Signal.BELOW}
    lists = red_black_lists(
        units,
        ListRule(red_top_n=1, black_bottom_n=1, require_significance=True),
        significance=signals,
    )
    assert lists.red == ()
    assert lists.black == ()


def test_annual_combination_with_configured_weights() -> None:
    weights = AnnualWeights(
        monthly=Decimal("0.4"), quarterly=Decimal("0.3"), year_end=Decimal("0.3")
    )
    # 0.4 · 80 + 0.3 · 85 + 0.3 · 90 = 32 + 25.5 + 27 = 84.5
    total, explanation = combine_annual(
        [Decimal(78), Decimal(82)], [Decimal(85)], Decimal(90), weights
    )
    assert total == Decimal("84.50")
    assert explanation.notes == ()
    # without a year-end review: (0.4 · 80 + 0.3 · 85) / 0.7 = 82.142857 → 82.14
    total, explanation = combine_annual([Decimal(78), Decimal(82)], [Decimal(85)], None, weights)
    assert total == Decimal("82.14")
    assert explanation.notes == ("reweighted",)


def test_annual_weights_must_add_up_to_one() -> None:
    with pytest.raises(ValueError):
        AnnualWeights(monthly=Decimal("0.5"), quarterly=Decimal("0.3"), year_end=Decimal("0.3"))


def test_a_rule_without_limits_or_thresholds_lists_only_vetoes() -> None:
    lists = red_black_lists(_group(95, 90, 40, vetoed=frozenset({1})), ListRule())
    assert lists.red == ()
    assert [(e.unit, e.reasons) for e in lists.black] == [(1, ("vetoed",))]


def test_red_and_black_by_threshold_only() -> None:
    units = _group(95, 90, 60, 40)
    lists = red_black_lists(units, ListRule(red_min_total=Decimal(90), black_max_total=Decimal(50)))
    assert [e.unit for e in lists.red] == [0, 1]
    assert [e.unit for e in lists.black] == [3]


@given(
    st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
    st.sets(st.integers(min_value=0, max_value=29)),
)
def test_lists_respect_their_limits_and_never_overlap(
    values: list[int], top: int, bottom: int, vetoed: set[int]
) -> None:
    units = _group(*values, vetoed=frozenset(vetoed))
    lists = red_black_lists(units, ListRule(red_top_n=top, black_bottom_n=bottom))
    red = {e.unit for e in lists.red}
    black_by_rank = [e for e in lists.black if e.reasons != ("vetoed",)]
    assert len(red) <= top
    assert len(black_by_rank) <= bottom
    assert not red & {e.unit for e in lists.black}
    assert all(not u.vetoed for u in units if u.unit in red)
    assert {e.unit for e in lists.black if e.reasons == ("vetoed",)} == {
        u.unit for u in units if u.vetoed
    }
