"""The 一户一宅 metrics on a small tree: the rectification rate and the open cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.common import metrics
from grassroots.common.metrics import Period
from grassroots.org.models import Unit
from grassroots.registers.models import HomesteadCase

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = Period.parse("2026-03")


@pytest.fixture
def cases(tree: dict[str, Any], make_household: Any) -> dict[str, HomesteadCase]:
    grid2 = Unit.objects.create(
        code="513401101202001", name="田坝村第1网格", kind="grid", parent=tree["neighbour_village"]
    )

    def case(
        found: dt.date, status: str = "open", closed: dt.date | None = None, grid: Any = None
    ) -> HomesteadCase:
        household = make_household(grid=grid)
        return HomesteadCase.objects.create(
            unit=household.village,
            kind="multiple",
            household=household,
            finding="两处宅基地",
            found_on=found,
            due_on=found + dt.timedelta(days=90),
            status=status,
            closed_on=closed,
        )

    return {
        "A": case(D(2026, 2, 10), "rectified", D(2026, 2, 20)),  # closed before March
        "B": case(D(2026, 2, 15)),  # open throughout
        "C": case(D(2026, 2, 20), "rectified", D(2026, 3, 10)),
        "D": case(D(2026, 3, 5), "dismissed", D(2026, 3, 25)),
        "E": case(D(2026, 3, 20), "rectified", D(2026, 4, 5)),  # closed after March
        "F": case(D(2026, 4, 2)),  # found after March
        "G": case(D(2026, 3, 3), "rectified", D(2026, 3, 4), grid=grid2),  # 田坝村
    }


def by_unit(values: list[metrics.MetricValue]) -> dict[int, metrics.MetricValue]:
    return {v.unit_id: v for v in values}


def test_the_rectification_rate(tree: dict[str, Any], cases: dict[str, HomesteadCase]) -> None:
    rate = metrics.get("registers.homestead_rectification_rate")
    assert rate.unit == "%" and rate.direction == "higher"
    found = by_unit(rate(MARCH))
    village = found[tree["village"].pk]
    assert (village.value, village.numerator, village.denominator) == (Decimal("50.00"), 2, 4)
    assert found[tree["neighbour_village"].pk].value == Decimal("100.00")
    township = found[tree["lizhou"].pk]
    assert (township.value, township.numerator, township.denominator) == (Decimal("60.00"), 3, 5)
    assert found[tree["other_village"].pk].value is None
    assert found[tree["anning"].pk].denominator == 0
    assert tree["city"].pk not in found  # townships and villages by default


def test_the_open_cases(tree: dict[str, Any], cases: dict[str, HomesteadCase]) -> None:
    open_cases = metrics.get("registers.homestead_open_cases")
    assert open_cases.direction == "lower"
    found = by_unit(open_cases(MARCH, [tree["village"], tree["neighbour_village"], tree["city"]]))
    assert found[tree["village"].pk].value == Decimal(2)  # B and E
    assert found[tree["neighbour_village"].pk].value == Decimal(0)
    assert found[tree["city"].pk].numerator == 2


def test_the_evidence_lists_the_cases_behind_a_figure(
    tree: dict[str, Any], cases: dict[str, HomesteadCase]
) -> None:
    rate = metrics.get("registers.homestead_rectification_rate")
    evidence = {c.pk: c.in_numerator for c in rate.evidence(tree["village"].pk, MARCH)}
    expected = {cases[k].pk: k in ("C", "D") for k in ("B", "C", "D", "E")}
    assert evidence == expected
    township = rate.evidence(tree["lizhou"].pk, MARCH)
    assert township.count() == 5


def test_one_query_for_all_units(
    tree: dict[str, Any], cases: dict[str, HomesteadCase], django_assert_num_queries: Any
) -> None:
    units = [tree["village"], tree["neighbour_village"], tree["lizhou"], tree["anning"]]
    rate = metrics.get("registers.homestead_rectification_rate")
    with django_assert_num_queries(1):
        rate(MARCH, units)
    with django_assert_num_queries(2):  # the units' paths, then the cases
        rate(MARCH, Unit.objects.filter(pk__in=[u.pk for u in units]))
