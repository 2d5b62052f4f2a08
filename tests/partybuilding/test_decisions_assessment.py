"""The assessment link: the five metrics of party building and oversight are registered,
offered to the assessment's indicators (the indicator's metric is checked against the
registry, the burden check lists them) and computed by an assessment run for 礼州村 and
礼州镇."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment.actions import compute_run
from grassroots.assessment.checks import metric_infos
from grassroots.assessment.models import Category, Indicator, Scheme, Score
from grassroots.common.metrics import registry
from tests.partybuilding.decisions_world import world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

FIVE = (
    "partybuilding.monthly_meetings_on_schedule",
    "partybuilding.attendance_rate",
    "partybuilding.decisions_without_resolution",
    "partybuilding.venue_standard_rate",
    "oversight.cases_closed_on_time",
)


def test_the_five_metrics_are_registered_and_offered(tree: dict[str, Any]) -> None:
    metrics = registry()
    offered = {info.name for info in metric_infos()}
    scheme = Scheme.objects.create(
        code="pb-2026", name="党建考核", year=2026, level="village", root=tree["city"]
    )
    for position, name in enumerate(FIVE):
        assert name in metrics and name in offered
        assert metrics[name].definition.strip()  # the exact definition the pages show
        indicator = Indicator(
            scheme=scheme,
            code=f"i{position}",
            name=str(metrics[name].label),
            category=Category.COMMON,
            weight=Decimal(10),
            metric=name,
            rule="rank_points",
            params={},
            position=position,
        )
        indicator.full_clean()  # what the indicator configuration (admin) checks


def _scheme(tree: dict[str, Any], level: str) -> Scheme:
    scheme = Scheme.objects.create(
        code=f"dec-{level}",
        name="决策在先考核",
        year=2026,
        level=level,
        root=tree["city"],
        grade_quota={"excellent_share": "0.34", "poor_below": "10"},
        list_rule={"red_top_n": 0, "black_bottom_n": 0},
        reward_pool_fen=0,
        shrinkage=False,
        significance=False,
    )
    indicator = Indicator(
        scheme=scheme,
        code="decisions",
        name="未经决策的重大事项",
        category=Category.COMMON,
        weight=Decimal(20),
        metric="partybuilding.decisions_without_resolution",
        direction="lower",
        rule="rank_points",
        params={},
    )
    indicator.full_clean()
    indicator.save()
    return scheme


@pytest.mark.parametrize(
    ("level", "unit", "expected"),
    [("village", "village", Decimal(1)), ("township", "lizhou", Decimal(3))],
)
def test_a_run_computes_the_decisions_metric(
    world: dict[str, Any],
    tree: dict[str, Any],
    city_admin: Any,
    level: str,
    unit: str,
    expected: Decimal,
) -> None:
    """April 2026: 礼州村 its project without a resolution; 礼州镇 that one, 田坝村's fund
    above the amount and its own project (安宁村's is not its)."""
    run = compute_run(_scheme(tree, level), "2026-04", actor=city_admin)
    score = Score.objects.get(run=run, unit=tree[unit], indicator__code="decisions")
    assert score.raw_value == expected
