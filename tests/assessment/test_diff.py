"""The pure differences between two runs: only changed rows, before and after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from grassroots.assessment.diff import Change, diff_results, diff_runs, diff_scores


def _result(total: str, rank: int, grade: str, status: str = "", reward: int = 0) -> dict[str, Any]:
    return {
        "total": Decimal(total),
        "rank": rank,
        "grade": grade,
        "list_status": status,
        "reward_fen": reward,
        "training_places": 0,
        "vetoed": False,
    }


def test_only_changed_units_and_fields_are_listed() -> None:
    before = {
        "礼州村": _result("85", 1, "excellent", "red", 100000),
        "田坝村": _result("0", 2, "poor"),
        "安宁村": _result("0", 2, "poor"),
    }
    after = {
        "礼州村": _result("85", 1, "excellent", "red", 80952),
        "田坝村": _result("30", 2, "average", "", 19048),
        "安宁村": _result("0", 3, "poor", "black"),
    }

    changed = diff_results(before, after)

    assert [c.unit for c in changed] == ["礼州村", "田坝村", "安宁村"]
    assert changed[0].changes == (Change("reward_fen", 100000, 80952),)
    assert [c.field for c in changed[1].changes] == ["total", "grade", "reward_fen"]
    assert changed[2].changes == (Change("rank", 2, 3), Change("list_status", "", "black"))


def test_an_unchanged_run_has_an_empty_diff() -> None:
    results = {"礼州村": _result("85", 1, "excellent")}
    scores = {("礼州村", "patrol"): Decimal("45")}

    assert diff_runs(results, dict(results), scores, dict(scores)).empty


def test_scores_report_points_before_and_after_and_rows_on_one_side() -> None:
    before = {("礼州村", "patrol"): Decimal("45"), ("田坝村", "patrol"): Decimal("0")}
    after = {("礼州村", "patrol"): Decimal("45"), ("田坝村", "patrol"): Decimal("30")}
    after[("田坝村", "bonus")] = Decimal("2")

    changed = diff_scores(before, after)

    assert [(c.unit, c.indicator, c.before, c.after) for c in changed] == [
        ("田坝村", "patrol", Decimal("0"), Decimal("30")),
        ("田坝村", "bonus", None, Decimal("2")),
    ]


def test_a_unit_only_in_one_run_shows_none_on_the_other_side() -> None:
    changed = diff_results({}, {"新村": _result("50", 1, "average")})

    assert changed[0].get("total") == Change("total", None, Decimal("50"))
    assert changed[0].get("training_places") == Change("training_places", None, 0)


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3)),
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3)),
)
def test_a_diff_lists_exactly_the_keys_that_differ(
    before: dict[str, int], after: dict[str, int]
) -> None:
    scores_before = {(k, "x"): v for k, v in before.items()}
    scores_after = {(k, "x"): v for k, v in after.items()}

    changed = {c.unit for c in diff_scores(scores_before, scores_after)}

    keys = set(before) | set(after)
    assert changed == {k for k in keys if before.get(k) != after.get(k)}
