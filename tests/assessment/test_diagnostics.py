"""Anti-averaging diagnostics of raters and of runs."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.diagnostics import (
    MinimumSpread,
    OutcomeDiagnostics,
    entropy_bits,
    gini,
    outcome_diagnostics,
    publishable,
    rater_diagnostics,
)
from grassroots.assessment.grading import Grade

SHEETS = {
    "r1": {"a": Decimal(90), "b": Decimal(80), "c": Decimal(70)},
    "r2": {"a": Decimal(85), "b": Decimal(85), "c": Decimal(85)},
    "r3": {"a": Decimal(100), "b": Decimal(60), "c": Decimal(80)},
}


def test_rater_statistics_by_hand() -> None:
    result = rater_diagnostics(SHEETS)
    r1, r2, r3 = result["r1"], result["r2"], result["r3"]
    # means 80, 85, 80: grand mean 81.667, std of the means √(50/9) = 2.357023
    assert r2.leniency_z == Decimal("1.414214")
    assert r1.leniency_z == Decimal("-0.707107")
    assert r1.std == Decimal("8.164966")  # √(200/3)
    assert r1.identical_share == Decimal("0.333333")
    assert r1.grade_entropy_bits == Decimal("1.584963")  # three bands, one score each: log₂ 3
    assert r3.score_range == Decimal(40)
    assert r2.std_ratio == 0
    assert r2.grade_entropy_bits == 0
    assert r2.flags == ("constant", "low_spread", "identical")
    assert not r1.flagged
    assert not r3.flagged


def test_a_compressed_rater_is_flagged_low_spread() -> None:
    sheets = {**SHEETS, "r4": {"a": Decimal(82), "b": Decimal(80), "c": Decimal(81)}}
    assert "low_spread" in rater_diagnostics(sheets)["r4"].flags


sheet = st.dictionaries(
    st.integers(min_value=0, max_value=30),
    st.decimals(min_value=0, max_value=100, places=1),
    min_size=1,
    max_size=30,
)


@given(
    st.lists(sheet, max_size=6),
    st.decimals(min_value=0, max_value=100, places=1),
    st.integers(min_value=1, max_value=30),
)
def test_a_rater_who_gives_everyone_the_same_score_is_always_flagged(
    others: list[dict[int, Decimal]], score: Decimal, ratees: int
) -> None:
    sheets: dict[object, dict[int, Decimal]] = dict(enumerate(others))
    sheets["same"] = dict.fromkeys(range(ratees), score)
    result = rater_diagnostics(sheets)
    assert result["same"].flagged
    assert "constant" in result["same"].flags


def test_entropy_bands() -> None:
    cuts = [Decimal(60), Decimal(70), Decimal(80), Decimal(90)]
    assert entropy_bits([Decimal(95), Decimal(85), Decimal(75), Decimal(65)], cuts) == Decimal(2)
    assert entropy_bits([Decimal(95), Decimal(95)], cuts) == 0


def test_gini_by_hand() -> None:
    assert gini([0, 0, 100]) == Decimal("0.666667")
    assert gini([5, 5, 5]) == 0
    assert gini([0, 0]) is None


def test_outcome_diagnostics_by_hand() -> None:
    totals = {"a": Decimal(90), "b": Decimal(80), "c": Decimal(70), "d": Decimal(60)}
    rewards = {"a": 3000, "b": 1000, "c": 1000}
    grades = {"a": Grade.EXCELLENT, "b": Grade.AVERAGE, "c": Grade.AVERAGE, "d": Grade.POOR}
    result = outcome_diagnostics(totals, rewards, grades)
    assert result.score_cv == Decimal("0.149071")  # √125 / 75
    # sorted 0, 1000, 1000, 3000: (−3·0 − 1·1000 + 1·1000 + 3·3000) / (4 · 5000) = 0.45
    assert result.reward_gini == Decimal("0.45")
    assert result.excellent_to_average == Decimal(3)


def test_publishable_names_the_rule_that_failed() -> None:
    flat = OutcomeDiagnostics(
        score_cv=Decimal("0.02"),
        reward_gini=Decimal("0.05"),
        median_reward_excellent=Decimal(1100),
        median_reward_average=Decimal(1000),
    )
    spread = MinimumSpread(
        min_score_cv=Decimal("0.05"),
        min_reward_gini=Decimal("0.1"),
        min_excellent_to_average=Decimal("1.5"),
    )
    check = publishable(flat, spread)
    assert not check.ok
    assert [f.rule for f in check.failures] == [
        "score_cv",
        "reward_gini",
        "excellent_to_average",
    ]
    assert check.failures[2].actual == Decimal("1.1")
    spread_out = OutcomeDiagnostics(Decimal("0.2"), Decimal("0.3"), Decimal(2000), Decimal(1000))
    assert publishable(spread_out, spread).ok
    nothing_for_average = OutcomeDiagnostics(
        Decimal("0.2"), Decimal("0.3"), Decimal(2000), Decimal(0)
    )
    assert publishable(nothing_for_average, spread).ok
