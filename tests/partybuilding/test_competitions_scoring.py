"""The pure judging rules: trimmed mean, shared ranks, prizes by rank, judge flags."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817

from grassroots.partybuilding import scoring_competitions as s


def test_the_mean_of_fewer_than_five_judges_counts_every_score() -> None:
    assert s.final_score([D(90), D(80), D(70), D(100)]) == D("85.00")
    assert s.final_score([]) is None


def test_with_five_judges_the_highest_and_lowest_are_dropped() -> None:
    # 100 and 10 dropped: (80 + 81 + 82) / 3
    assert s.final_score([D(100), D(80), D(81), D(82), D(10)]) == D("81.00")
    # a single generous judge cannot lift an entry
    assert s.final_score([D(60), D(60), D(60), D(60), D(100)]) == D("60.00")


def test_the_mean_is_rounded_half_up_to_two_decimals() -> None:
    assert s.final_score([D(80), D(70), D(80)]) == D("76.67")
    assert s.final_score([D("80.005"), D("80.005")]) == D("80.01")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = s.ranks({"a": D(90), "b": D(85), "c": D(85), "d": D(70), "e": None})
    assert ranked == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_prizes_go_by_rank_and_tied_entries_take_the_same_prize() -> None:
    ranked = {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5}
    assert s.prizes(ranked, 1, 1, 1) == {"a": "first", "b": "second", "c": "second"}
    assert s.prizes(ranked, 1, 2, 2) == {
        "a": "first",
        "b": "second",
        "c": "second",
        "d": "third",
        "e": "third",
    }


def test_more_prizes_than_entries_leaves_prizes_unawarded_never_shares_them() -> None:
    results = s.round_results({"a": [D(90), D(88)], "b": [D(70), D(72)]}, 3, 3, 3)
    assert results["a"] == s.Result(D("89.00"), 1, "first")
    assert results["b"] == s.Result(D("71.00"), 2, "first")
    assert s.prizes({"a": 1, "b": 2}, 0, 0, 0) == {}


def test_an_entry_without_scores_has_no_rank_nor_prize() -> None:
    results = s.round_results({"a": [D(90)], "b": []}, 1, 1, 1)
    assert results["b"] == s.Result(None, None, "")


def test_a_judge_giving_everyone_the_same_score_is_flagged_with_the_assessment_words() -> None:
    sheets = {
        1: {"a": D(90), "b": D(80), "c": D(70)},
        2: {"a": D(85), "b": D(70), "c": D(80)},
        3: {"a": D(80), "b": D(80), "c": D(80)},
    }
    flags = s.judge_flags([sheets], D(100))
    assert set(flags) == {3}
    assert "constant" in flags[3]
    assert "identical" in flags[3]
    assert s.flag_text(("constant",)) == "对所有单位打分相同"


def test_a_round_of_one_entry_tells_nothing() -> None:
    assert s.judge_flags([{1: {"a": D(80)}, 2: {"a": D(80)}}], D(100)) == {}


def test_the_grade_bands_follow_the_highest_score() -> None:
    assert s.grade_cuts(D(10)) == (D(6), D(7), D(8), D(9))


def test_the_spread_of_equal_results_is_zero() -> None:
    assert s.spread([D(80), D(80)]).score_cv == D(0)
    assert s.spread([D(80), D(80)]).score_gini == D(0)
    assert s.spread([]) == s.Spread(None, None)
