"""The collective economy metrics on a small tree: growth on the year before and the
share of the target, townships adding up their villages; one query each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, get
from grassroots.registers.models import CollectiveIncome, IncomeTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tree: dict[str, Any]) -> None:
    def income(unit: Any, year: int, amount: int, source: str = "operating") -> None:
        CollectiveIncome.objects.create(unit=unit, year=year, source=source, amount=Decimal(amount))

    income(tree["village"], 2025, 100000)
    income(tree["village"], 2026, 90000)
    income(tree["village"], 2026, 30000, "subsidy")  # 120,000: +20 %
    income(tree["neighbour_village"], 2025, 50000)
    income(tree["neighbour_village"], 2026, 40000)  # −20 %
    income(tree["other_village"], 2026, 10000)  # no 2025: no growth
    IncomeTarget.objects.create(unit=tree["village"], year=2026, amount=Decimal(240000))
    IncomeTarget.objects.create(unit=tree["neighbour_village"], year=2026, amount=Decimal(80000))
    IncomeTarget.objects.create(unit=tree["anning"].children.get(), year=2025, amount=Decimal(1))


def compute(name: str, period: str, tree: dict[str, Any]) -> dict[str, Any]:
    units = [
        tree["lizhou"],
        tree["village"],
        tree["neighbour_village"],
        tree["anning"],
        tree["other_village"],
    ]
    with CaptureQueriesContext(connection) as ctx:
        values = get(name)(Period.parse(period), units)
    assert len(ctx.captured_queries) == 1
    names = {u.pk: u.name for u in units}
    return {names[v.unit_id]: v for v in values}


def test_growth_on_the_year_before(tree: dict[str, Any], figures: None) -> None:
    found = compute("registers.collective_income_growth_rate", "2026", tree)
    assert found["礼州村"].value == Decimal("20.00")
    assert (found["礼州村"].numerator, found["礼州村"].denominator) == (20000, 100000)
    assert found["田坝村"].value == Decimal("-20.00")
    assert found["礼州镇"].value == Decimal("6.67")  # (160,000 − 150,000) / 150,000
    assert found["安宁村"].value is None and found["安宁镇"].value is None
    # a quarter measures its year's figures
    assert compute("registers.collective_income_growth_rate", "2026-Q2", tree)["礼州村"].value == 20


def test_share_of_the_target(tree: dict[str, Any], figures: None) -> None:
    found = compute("registers.collective_income_target_rate", "2026", tree)
    assert found["礼州村"].value == Decimal("50.00")
    assert found["田坝村"].value == Decimal("50.00")
    assert found["礼州镇"].value == Decimal("50.00")  # 160,000 / 320,000
    assert found["安宁村"].value is None
    earlier = compute("registers.collective_income_target_rate", "2025", tree)
    assert earlier["安宁村"].value == Decimal("0.00")  # a target without any income entered
    evidence = get("registers.collective_income_target_rate").evidence(
        tree["lizhou"].pk, Period.parse("2026")
    )
    assert sorted(t.income for t in evidence) == [40000, 120000]
