"""partybuilding.venue_standard_rate on the small tree: the villages of a township with
an in-use venue whose latest inspection by the period's end meets the standard; a fixed
number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, get
from tests.partybuilding.venues_support import NOW, all_ids, inspect, venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree: dict[str, Any], city_admin: Any) -> None:
    # 礼州村: met in March, failed in May (latest by date in May: not meeting; in April: meeting)
    a = venue(city_admin, tree["village"])
    inspect(city_admin, a, "2026-05-10", [])
    inspect(city_admin, a, "2026-03-10", all_ids())  # recorded later, older
    # 田坝村: a venue meeting, but closed; and one under construction
    b = venue(city_admin, tree["neighbour_village"], "田坝村阵地")
    inspect(city_admin, b, "2026-03-01", all_ids())
    from grassroots.partybuilding.actions.venues import move_venue

    move_venue(b.pk, actor=city_admin, status="closed")
    venue(city_admin, tree["neighbour_village"], "田坝村新阵地", status="building", built_on=None)
    # 安宁村: meets since April
    c = venue(city_admin, tree["other_village"], "安宁村阵地", built_on="2026-01-01")
    inspect(city_admin, c, "2026-04-15", all_ids())


def compute(period: str, tree: dict[str, Any]) -> dict[str, Any]:
    names = ["city", "lizhou", "anning", "village", "neighbour_village", "other_village"]
    units = [tree[n] for n in names]
    values = get("partybuilding.venue_standard_rate")(Period.parse(period), units)
    by_id = {v.unit_id: v for v in values}
    return {n: by_id[tree[n].pk] for n in names}


def test_exact_values(world: None, tree: dict[str, Any]) -> None:
    april = compute("2026-04", tree)
    assert (april["lizhou"].value, april["lizhou"].numerator, april["lizhou"].denominator) == (
        Decimal("50.00"),
        1,
        2,
    )
    assert april["anning"].value == Decimal("100.00")
    assert april["city"].value == Decimal("66.67")
    assert april["neighbour_village"].value == Decimal("0.00")
    may = compute("2026-05", tree)
    assert may["lizhou"].value == Decimal("0.00")  # 礼州村's latest (10 May) fails
    assert may["city"].value == Decimal("33.33")
    march = compute("2026-03", tree)
    assert march["other_village"].value == Decimal("0.00")  # not yet inspected
    assert march["village"].value == Decimal("100.00")


def test_fixed_query_count(world: None, tree: dict[str, Any], city_admin: Any) -> None:
    with CaptureQueriesContext(connection) as few:
        compute("2026-04", tree)
    for n in range(5):
        v = venue(city_admin, tree["village"], f"更多{n}")
        inspect(city_admin, v, "2026-04-01", all_ids())
    with CaptureQueriesContext(connection) as many:
        compute("2026-04", tree)
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


def test_evidence_and_no_village(world: None, tree: dict[str, Any]) -> None:
    metric = get("partybuilding.venue_standard_rate")
    rows = list(metric.evidence(tree["lizhou"].pk, Period.parse("2026-04")))
    assert {r.name for r in rows} == {"礼州村党群服务中心", "田坝村阵地", "田坝村新阵地"}
    values = metric(Period.parse("2026-04"), [tree["grid"]])
    assert values[0].value is None
