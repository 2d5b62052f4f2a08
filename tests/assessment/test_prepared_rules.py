"""A rule prepared once per indicator scores and explains every value exactly as applying the
rule to that value does (the run scores a province's 700,000 values through it), and the
streamed scoring gives the same scores and results as the whole computation."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.explain import as_json, points
from grassroots.assessment.pipeline import (
    Config,
    IndicatorIn,
    Scoring,
    UnitIn,
    ValueIn,
    compute_results,
)
from grassroots.assessment.rules import RuleError, apply_rule, prepare, vetoed
from grassroots.assessment.scoring import Direction, Normaliser

D = Decimal
UP, DOWN = Direction.HIGHER, Direction.LOWER
VALUES = [D(v) for v in ("0", "-3", "0.0", "1", "2.5", "3", "7", "10", "12", "19.999999",
                         "20", "24", "50", "79.99", "80", "95", "99.5", "100", "100.00",
                         "120", "240", "1000", "1E+1", "-0")]  # fmt: skip

RULES: list[tuple[str, dict[str, Any], str, Direction]] = [
    ("range_linear", {"floor": 80, "target": 100}, "5.00", UP),
    ("range_linear", {"floor": "20", "target": "0"}, "5", DOWN),
    ("range_linear", {"floor": 240, "target": 24.5}, "7.50", DOWN),
    ("linear_completion", {"target": 100}, "10.00", UP),
    ("linear_completion", {"target": "80", "cap": "1.2"}, "10", UP),
    ("linear_completion", {"target": 3, "cap": 0}, "3", UP),
    ("threshold_bands", {"bands": [[90, 5], [60, 2], [80, 4]]}, "5", UP),
    ("threshold_bands", {"bands": [[2, "1.5"], [0, 3], [2, 2]]}, "3", DOWN),
    ("per_item_deduction", {"per_item": "0.2", "cap": 5}, "0", DOWN),
    ("per_item_deduction", {"per_item": 0.5, "cap": "2.0"}, "0", DOWN),
    ("capped_bonus", {"per_item": "0.5", "cap": 3}, "0", UP),
    ("capped_bonus", {"per_item": "1E+1", "cap": 25}, "0", UP),
    ("veto", {"threshold": 10}, "0", DOWN),
    ("veto", {}, "0", DOWN),
]


def _same(left: Any, right: Any) -> None:
    # the stored text: same keys in the same order, same values
    assert json.dumps(left) == json.dumps(right)


@pytest.mark.parametrize(("rule", "params", "weight", "direction"), RULES)
def test_a_prepared_rule_explains_every_value_as_applying_it_does(
    rule: str, params: dict[str, Any], weight: str, direction: Direction
) -> None:
    prepared = prepare(rule, params, weight=D(weight), direction=direction)
    for value in VALUES:
        applied = apply_rule(rule, params, value, weight=D(weight), direction=direction)
        assert prepared(value) == applied
        got_points, got = prepared.explain(value)
        assert str(got_points) == str(points(applied.points))
        _same(got, as_json(applied.explanation))
        if rule == "veto":
            assert prepared.vetoes(value) == vetoed(params, value)


def test_rank_points_are_explained_as_applying_them() -> None:
    prepared = prepare("rank_points", {}, weight=D("5.00"), direction=UP)
    for size in (1, 2, 3, 7, 443):
        for rank in {1, 2, size // 2 + 1, size} - {0}:
            if rank > size:
                continue
            applied = apply_rule("rank_points", {}, D(1), weight=D("5.00"), direction=UP,
                                 rank=rank, group_size=size)  # fmt: skip
            got_points, got = prepared.explain(D(1), rank, size)
            assert got_points == points(applied.points)
            _same(got, as_json(applied.explanation))
    with pytest.raises(RuleError, match="rank must lie between 1 and the group size"):
        prepared.explain(D(1), 4, 3)


@pytest.mark.parametrize(
    ("rule", "params", "direction", "message"),
    [
        ("range_linear", {"floor": 100, "target": 80}, UP, "floor must be below the target"),
        ("range_linear", {"floor": 0, "target": 20}, DOWN, "floor must be above the target"),
        ("linear_completion", {"target": 0}, UP, "target must be positive"),
        ("linear_completion", {"target": 10, "cap": -1}, UP, "cap must not be negative"),
        ("per_item_deduction", {"per_item": "-1", "cap": 2}, DOWN, "must not be negative"),
        ("capped_bonus", {"per_item": "-1", "cap": 2}, UP, "must not be negative"),
    ],
)
def test_parameters_a_rule_refuses_are_refused_on_both_paths(
    rule: str, params: dict[str, Any], direction: Direction, message: str
) -> None:
    prepared = prepare(rule, params, weight=D(5), direction=direction)
    with pytest.raises(RuleError, match=message):
        apply_rule(rule, params, D(3), weight=D(5), direction=direction)
    with pytest.raises(RuleError, match=message):
        prepared.explain(D(3))


def test_a_bonus_with_a_negative_award_is_refused_only_when_there_is_an_award() -> None:
    prepared = prepare("capped_bonus", {"per_item": "-1", "cap": 2}, weight=D(0), direction=UP)
    got_points, got = prepared.explain(D(0))
    assert got_points == D("0.00") and got["inputs"] == {"awards": 0, "uncapped": "0"}


def test_unusable_parameters_are_refused_when_prepared() -> None:
    with pytest.raises(RuleError, match="'floor' is required"):
        prepare("range_linear", {"target": 5}, weight=D(5), direction=UP)
    with pytest.raises(RuleError, match="unknown rule"):
        prepare("no_such_rule", {}, weight=D(5), direction=UP)


def _inputs() -> tuple[list[UnitIn], list[IndicatorIn], dict[int, dict[int, ValueIn]], Config]:
    units = [
        UnitIn(i, "a" if i % 3 else "b", households=100 + i, grids=i % 4) for i in range(1, 31)
    ]

    def indicator(pk: int, rule: str, params: dict[str, Any], normaliser: str = "none",
                  is_rate: bool = False, direction: Direction = UP) -> IndicatorIn:  # fmt: skip
        return IndicatorIn(pk, f"i{pk}", "common", D(10), rule, params, direction,
                           Normaliser(normaliser), is_rate)  # fmt: skip

    indicators = [
        indicator(1, "range_linear", {"floor": 50, "target": 95}, is_rate=True),
        indicator(2, "rank_points", {}, "per_1000_households"),
        indicator(3, "per_item_deduction", {"per_item": "0.5", "cap": 2}, "per_grid",
                  direction=DOWN),
        indicator(4, "veto", {"threshold": 3}, direction=DOWN),
    ]  # fmt: skip
    values: dict[int, dict[int, ValueIn]] = {1: {}, 2: {}, 3: {}, 4: {}}
    for u in units:
        if u.id % 7:
            n = u.id * 3
            values[1][u.id] = ValueIn(D(100 * (n - u.id % 5)) / n, D(n - u.id % 5), D(n))
        values[2][u.id] = ValueIn(D(u.id % 11), extra={"entry": {"by": "x"}} if u.id == 4 else None)
        values[3][u.id] = ValueIn(D(u.id % 6))
        values[4][u.id] = ValueIn(D(u.id % 5))
    config = Config(grade_quota={"excellent_share": "0.2"}, list_rule={"red_top_n": 2},
                    reward_pool_fen=100_000, reward_method="grade", reward_params={},
                    shrink=True, significance=False)  # fmt: skip
    return units, indicators, values, config


def test_streamed_scores_and_results_are_those_of_the_whole_computation() -> None:
    units, indicators, values, config = _inputs()
    scores, results, diagnostics = compute_results(units, indicators, values, config)
    scoring = Scoring(units, indicators, values, config)
    streamed = list(scoring.scores())
    assert [(s.unit, s.indicator, s.points, json.dumps(s.explanation)) for s in streamed] == [
        (s.unit, s.indicator, s.points, json.dumps(s.explanation)) for s in scores
    ]
    assert scoring.results() == (results, diagnostics)
    assert any("shrinkage" in s.explanation for s in scores)
    assert any(r.vetoed for r in results)
    by_unit = {(s.unit, s.indicator): s for s in scores}
    assert by_unit[4, 2].explanation["entry"] == {"by": "x"}
    assert by_unit[4, 3].explanation["notes"] == ["no_data"]  # no grids: not normalised
    assert by_unit[7, 1].explanation == {"rule": "range_linear", "points": "0",
                                         "notes": ["no_data"], "numerator": None,
                                         "denominator": None}  # fmt: skip


def test_results_come_once_after_all_the_scores() -> None:
    scoring = Scoring(*_inputs())
    with pytest.raises(RuntimeError):
        scoring.results()
    list(scoring.scores())
    with pytest.raises(RuntimeError):
        list(scoring.scores())
    assert len(scoring.results()[0]) == 30
