"""The readiness score, eligibility and the ranking (``cadres.scoring``: pure, no ORM)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.cadres.scoring import (
    DEFAULT_WEIGHTS,
    FACTORS,
    Profile,
    Rules,
    UnitResult,
    describe_reasons,
    describe_value,
    effective_weights,
    eligibility,
    latest_result,
    months_between,
    rank,
    readiness,
    years_between,
)

TODAY = dt.date(2026, 6, 15)
GRADES = ["excellent", "competent", "basic", "incompetent"]
BETTER = {"competent": "excellent", "basic": "competent", "incompetent": "basic"}


def profile(**kw: object) -> Profile:
    base: dict[str, object] = {
        "key": 1,
        "name": "甲",
        "in_pool": True,
        "in_office": True,
        "target_level": "deputy_section",
        "birth_date": dt.date(1990, 5, 17),
        "grassroots_since": dt.date(2014, 8, 1),
    }
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


RULES = Rules(level="deputy_section", today=TODAY, max_age=45, min_grassroots_years=2)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    group = draw(st.integers(1, 30))
    result = draw(
        st.none()
        | st.builds(
            UnitResult,
            period=st.just("2026-05"),
            rank=st.integers(1, group),
            group_size=st.just(group),
            grade=st.sampled_from(["excellent", "good", "average", "poor", ""]),
            vetoed=st.booleans(),
        )
    )
    return profile(
        key=draw(st.integers(1, 10_000)),
        birth_date=draw(st.dates(dt.date(1965, 1, 1), dt.date(2004, 12, 31))),
        grassroots_since=draw(st.none() | st.dates(dt.date(1990, 1, 1), TODAY)),
        hard_post_months=draw(st.integers(0, 80)),
        training_hours=Decimal(draw(st.integers(0, 4000))) / 10,
        grades={
            y: draw(st.sampled_from(GRADES)) for y in (2023, 2024, 2025) if draw(st.booleans())
        },
        unit_result=result,
        credits=draw(st.integers(0, 12)),
        debits=draw(st.integers(0, 12)),
        votes=draw(st.integers(0, 50)),
        voters=50,
        entered_on=draw(st.none() | st.dates(dt.date(2020, 1, 1), TODAY)),
    )


weights_st = st.fixed_dictionaries({f: st.integers(0, 100) for f in FACTORS})


def total(p: Profile, weights: dict[str, int] | None = None) -> Decimal:
    rules = replace(RULES, weights=weights or DEFAULT_WEIGHTS)
    return readiness(p, rules).total


# --- the score ---------------------------------------------------------------------------


def test_default_weights_cover_every_factor_and_add_up_to_100() -> None:
    assert set(DEFAULT_WEIGHTS) == set(FACTORS)
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_a_breakdown_line_per_factor_adding_up_to_the_total() -> None:
    p = profile(
        hard_post_months=18,
        training_hours=Decimal("84"),
        grades={2025: "excellent", 2024: "competent", 2023: "competent"},
        unit_result=UnitResult(period="2026-05", rank=3, group_size=11, grade="good"),
        credits=3,
        debits=1,
    )
    r = readiness(p, RULES)
    lines = {line.factor: line for line in r.lines}
    assert list(lines) == list(FACTORS)
    assert lines["hard_post_months"].normalised == Decimal("0.5000")
    assert lines["hard_post_months"].points == Decimal("10.00")
    assert lines["training_hours"].normalised == Decimal("0.5000")  # 84 of 3 × 56
    assert lines["yearly_grades"].normalised == Decimal("0.7778")  # (3 + 2 + 2) / 9
    assert lines["unit_assessment"].normalised == Decimal("0.8000")  # (11 − 3) / 10
    assert lines["key_moments"].normalised == Decimal("0.7000")  # 0.5 + 2 / 10
    assert lines["grassroots_years"].normalised == Decimal("1.0000")  # 11.8 years, cap 10
    assert lines["age"].value == {"age": 36, "limit": 45}
    assert lines["age"].normalised == Decimal("0.4500")  # (45 − 36) / (45 − 25)
    assert r.total == sum(line.points for line in r.lines)
    assert r.breakdown()[0] == {
        "factor": "hard_post_months",
        "value": 18,
        "normalised": "0.5000",
        "weight": 20,
        "points": "10.00",
    }


def test_missing_data_normalises_by_the_documented_rule() -> None:
    r = readiness(profile(grassroots_since=None), RULES)
    lines = {line.factor: line for line in r.lines}
    assert lines["unit_assessment"].normalised == Decimal("0.5000")  # not known
    assert lines["key_moments"].normalised == Decimal("0.5000")
    assert lines["yearly_grades"].normalised == Decimal("0.0000")
    assert lines["grassroots_years"].normalised == Decimal("0.0000")


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st, st.integers(1, 40))
def test_more_months_in_hard_posts_never_lower_the_score(
    p: Profile, weights: dict[str, int], more: int
) -> None:
    assert total(replace(p, hard_post_months=p.hard_post_months + more), weights) >= total(
        p, weights
    )


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st, st.integers(1, 400))
def test_more_training_never_lowers_the_score(
    p: Profile, weights: dict[str, int], more: int
) -> None:
    better = replace(p, training_hours=p.training_hours + more)
    assert total(better, weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st, st.sampled_from([2023, 2024, 2025]))
def test_a_better_grade_never_lowers_the_score(
    p: Profile, weights: dict[str, int], year: int
) -> None:
    grade = p.grades.get(year)
    grades = dict(p.grades)
    grades[year] = BETTER.get(grade, "excellent") if grade else "basic"
    assert total(replace(p, grades=grades), weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st)
def test_a_better_unit_rank_never_lowers_the_score(p: Profile, weights: dict[str, int]) -> None:
    if p.unit_result is None or p.unit_result.rank == 1:
        return
    better = replace(p.unit_result, rank=p.unit_result.rank - 1)
    assert total(replace(p, unit_result=better), weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st)
def test_more_credits_or_fewer_debits_never_lower_the_score(
    p: Profile, weights: dict[str, int]
) -> None:
    assert total(replace(p, credits=p.credits + 1), weights) >= total(p, weights)
    if p.debits:
        assert total(replace(p, debits=p.debits - 1), weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st, st.integers(1, 4000))
def test_longer_in_grassroots_never_lowers_the_score(
    p: Profile, weights: dict[str, int], days: int
) -> None:
    since = (p.grassroots_since or TODAY) - dt.timedelta(days=days)
    assert total(replace(p, grassroots_since=since), weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), weights_st, st.integers(1, 4000))
def test_younger_never_lowers_the_score(p: Profile, weights: dict[str, int], days: int) -> None:
    younger = replace(p, birth_date=p.birth_date + dt.timedelta(days=days))
    assert total(younger, weights) >= total(p, weights)


@settings(max_examples=200, deadline=None)
@given(profiles(), profiles(), weights_st, st.sampled_from(FACTORS))
def test_a_weight_of_zero_removes_the_factor(
    p: Profile, other: Profile, weights: dict[str, int], factor: str
) -> None:
    """With the weight at 0, only that factor differing between two profiles changes
    nothing: its line is 0 points."""
    weights = {**weights, factor: 0}
    fields = {
        "hard_post_months": ("hard_post_months",),
        "training_hours": ("training_hours",),
        "yearly_grades": ("grades",),
        "unit_assessment": ("unit_result",),
        "key_moments": ("credits", "debits"),
        "grassroots_years": ("grassroots_since",),
        "age": ("birth_date",),
    }[factor]
    changed = replace(p, **{name: getattr(other, name) for name in fields})
    assert total(changed, weights) == total(p, weights)
    line = next(
        x for x in readiness(changed, replace(RULES, weights=weights)).lines if x.factor == factor
    )
    assert line.points == 0


def test_policy_weights_override_the_defaults_and_bad_ones_are_ignored() -> None:
    w = effective_weights({"age": 0, "training_hours": 40, "bogus": 9, "key_moments": 500})
    assert w["age"] == 0 and w["training_hours"] == 40
    assert w["key_moments"] == DEFAULT_WEIGHTS["key_moments"]
    assert "bogus" not in w


# --- eligibility -------------------------------------------------------------------------


def codes(p: Profile, rules: Rules = RULES) -> list[str]:
    return [r.code for r in eligibility(p, rules)]


def test_a_reserve_meeting_every_rule_is_eligible() -> None:
    assert codes(profile()) == []


def test_each_rule_that_fails_is_a_reason() -> None:
    assert codes(profile(in_pool=False)) == ["not_in_pool"]
    assert codes(profile(in_office=False)) == ["not_in_office"]
    assert codes(profile(target_level="section_chief")) == ["level"]
    assert codes(profile(birth_date=dt.date(1980, 1, 1))) == ["age"]  # 46 > 45
    assert codes(profile(grassroots_since=dt.date(2025, 1, 1))) == ["grassroots"]
    assert codes(profile(grassroots_since=None)) == ["grassroots"]
    assert codes(profile(grades={2024: "incompetent"})) == ["incompetent"]
    assert codes(profile(warnings=(dt.date(2025, 12, 1),))) == ["warning"]


def test_the_windows_of_grades_and_warnings() -> None:
    assert codes(profile(grades={2022: "incompetent"})) == []  # older than 3 years
    assert codes(profile(grades={2026: "incompetent"})) == ["incompetent"]  # this year
    assert codes(profile(warnings=(dt.date(2025, 6, 15),))) == []  # a year ago to the day
    assert codes(profile(warnings=(dt.date(2025, 6, 16),))) == ["warning"]


def test_without_an_age_limit_age_does_not_exclude() -> None:
    assert codes(profile(birth_date=dt.date(1965, 1, 1)), replace(RULES, max_age=None)) == []


def test_every_reason_at_once_is_kept_and_described() -> None:
    p = profile(
        in_pool=False,
        target_level="staff",
        birth_date=dt.date(1970, 1, 1),
        grassroots_since=dt.date(2025, 6, 1),
        grades={2025: "incompetent"},
        warnings=(dt.date(2026, 3, 2),),
    )
    r = readiness(p, RULES)
    assert not r.eligible
    stored = r.reason_code()
    assert stored == (
        "not_in_pool; level:staff:deputy_section; age:56:45; grassroots:1.0:2; "
        "incompetent:2025; warning:2026-03-02"
    )
    words = describe_reasons(stored)
    assert len(words) == 6
    assert "56" in words[2] and "45" in words[2]
    assert "2026-03-02" in words[5]


# --- the ranking -------------------------------------------------------------------------


def test_ranking_puts_eligible_first_by_score() -> None:
    strong = profile(key=1, hard_post_months=36)
    weak = profile(key=2)
    barred = profile(key=3, hard_post_months=80, in_pool=False)
    ranked = rank([readiness(p, RULES) for p in (weak, barred, strong)])
    assert [(x.readiness.key, x.rank) for x in ranked] == [(1, 1), (2, 2), (3, None)]


def test_ties_are_broken_by_recommendation_share_then_entry_date_then_id() -> None:
    same = {"hard_post_months": 12}
    a = profile(key=5, votes=30, voters=50, entered_on=dt.date(2024, 1, 1), **same)
    b = profile(key=4, votes=40, voters=50, entered_on=dt.date(2025, 1, 1), **same)
    c = profile(key=3, votes=30, voters=50, entered_on=dt.date(2023, 1, 1), **same)
    d = profile(key=2, votes=30, voters=50, entered_on=dt.date(2023, 1, 1), **same)
    ranked = rank([readiness(p, RULES) for p in (a, b, c, d)])
    assert [x.readiness.key for x in ranked] == [4, 2, 3, 5]


@settings(max_examples=100, deadline=None)
@given(st.lists(profiles(), min_size=1, max_size=12, unique_by=lambda p: p.key), st.randoms())
def test_ranking_is_deterministic_whatever_the_order(
    items: list[Profile], rnd: random.Random
) -> None:
    scored = [readiness(p, RULES) for p in items]
    first = [(x.readiness.key, x.rank) for x in rank(scored)]
    shuffled = scored[:]
    rnd.shuffle(shuffled)
    assert [(x.readiness.key, x.rank) for x in rank(shuffled)] == first
    ranks = [r for _k, r in first if r is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    totals = [x.readiness.total for x in rank(scored) if x.rank is not None]
    assert totals == sorted(totals, reverse=True)


# --- helpers -----------------------------------------------------------------------------


def test_months_and_years_between() -> None:
    assert months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == 0
    assert months_between(dt.date(2025, 1, 15), dt.date(2026, 1, 15)) == 12
    assert months_between(dt.date(2026, 1, 15), dt.date(2025, 1, 15)) == 0
    assert years_between(dt.date(2014, 8, 1), TODAY) == Decimal("11.8")
    assert years_between(None, TODAY) == 0


def test_latest_result_is_the_period_ending_last() -> None:
    rows = [
        {"period": "2026-03", "rank": 9, "group_size": 10, "grade": "poor", "vetoed": False},
        {"period": "2026-Q1", "rank": 2, "group_size": 10, "grade": "good", "vetoed": False},
        {"period": "2025", "rank": 1, "group_size": 10, "grade": "excellent", "vetoed": False},
        {"period": "2026-04", "rank": 5, "group_size": 10, "grade": "average", "vetoed": False},
    ]
    assert latest_result(rows) == UnitResult("2026-04", 5, 10, "average", False)
    assert latest_result(rows[:2]) == UnitResult("2026-Q1", 2, 10, "good", False)
    assert latest_result([]) is None


def test_values_in_words() -> None:
    r = readiness(
        profile(
            grades={2025: "excellent"},
            unit_result=UnitResult("2026-05", 2, 8, "good", True),
            credits=2,
            debits=1,
        ),
        RULES,
    )
    words = {line.factor: describe_value(line.factor, line.value) for line in r.lines}
    assert "2025" in words["yearly_grades"]
    assert "2026-05" in words["unit_assessment"] and "8" in words["unit_assessment"]
    assert words["key_moments"] == "+2 / −1"
    assert "45" in words["age"]
