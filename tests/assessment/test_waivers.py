"""Error-tolerance waivers (容错): a waived failure takes no points off the unit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.actions.compute import _apply_waivers, compute_run
from grassroots.assessment.models import Category, Indicator, Score
from grassroots.assessment.pipeline import ValueIn
from grassroots.common.metrics import Period
from grassroots.common.waivers import Waiver, unregister, waiver_source, waivers_for

pytestmark = pytest.mark.django_db


def _indicator(pk: int, category: str, metric: str = "events.overdue_count") -> Indicator:
    return Indicator(pk=pk, code=f"i{pk}", category=category, metric=metric)


def test_a_waiver_lowers_a_deduction_count_and_says_why() -> None:
    deduction = _indicator(1, Category.DEDUCTION)
    common = _indicator(2, Category.COMMON)  # a base indicator is never waived
    values = {1: {7: ValueIn(Decimal(3))}, 2: {7: ValueIn(Decimal(3))}}
    waiver = Waiver(7, "events.overdue_count", 2, "试点探索中的失误", "cadres.tolerance:12")

    _apply_waivers([deduction, common], values, [waiver])

    assert values[1][7].value == Decimal(1)
    assert values[1][7].extra == {
        "waiver": {
            "before": "3",
            "waived": 2,
            "reasons": ["试点探索中的失误"],
            "references": ["cadres.tolerance:12"],
        }
    }
    assert values[2][7] == ValueIn(Decimal(3))


def test_a_waiver_never_makes_a_count_negative() -> None:
    veto = _indicator(1, Category.VETO)
    values = {1: {7: ValueIn(Decimal(1))}}

    _apply_waivers([veto], values, [Waiver(7, "events.overdue_count", 5, "r", "x:1")])

    assert values[1][7].value == 0


@pytest.fixture
def tolerance(tree: dict[str, Any]) -> Iterator[list[tuple[Period, Sequence[int]]]]:
    asked: list[tuple[Period, Sequence[int]]] = []

    @waiver_source("test.tolerance")
    def tolerated(period: Period, unit_ids: Sequence[int]) -> list[Waiver]:
        asked.append((period, list(unit_ids)))
        return [Waiver(tree["village"].pk, "events.overdue_count", 1, "改革创新容错", "t:1")]

    yield asked
    unregister("test.tolerance")


def test_a_run_asks_the_sources_and_explains_the_waiver(
    tree: dict[str, Any],
    events: None,
    scheme_factory: Any,
    city_admin: Any,
    tolerance: list[tuple[Period, Sequence[int]]],
) -> None:
    scheme = scheme_factory()

    run = compute_run(scheme, "2026-10", actor=city_admin)

    period, unit_ids = tolerance[-1]
    assert period.label == "2026-10" and tree["village"].pk in unit_ids
    score = Score.objects.get(run=run, unit=tree["village"], indicator__code="overdue-veto")
    assert score.explanation["waiver"]["references"] == ["t:1"]
    neighbour = Score.objects.get(
        run=run, unit=tree["neighbour_village"], indicator__code="overdue-veto"
    )
    assert "waiver" not in neighbour.explanation


def test_sources_answer_only_positive_counts(tolerance: Any) -> None:
    @waiver_source("test.nothing")
    def nothing(period: Period, unit_ids: Sequence[int]) -> list[Waiver]:
        return [Waiver(1, "events.overdue_count", 0, "", "")]

    try:
        found = waivers_for(Period.parse("2026-10"), [1])
    finally:
        unregister("test.nothing")

    assert [w.reference for w in found] == ["t:1"]
