"""The effect of error tolerance: an effective case waives its items of the deduction it
names for its unit in its month — the waiver source alone, then a real assessment run
computed before and after the case takes effect, down to the page the unit reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from grassroots.cadres.actions.tolerance import close_notices
from grassroots.cadres.states import ToleranceState
from grassroots.cadres.waivers import tolerated
from grassroots.common.metrics import Period
from grassroots.common.waivers import Waiver, waivers_for
from tests.assessment.conftest import events as reported_events  # noqa: F401 -- a fixture
from tests.assessment.conftest import scheme_factory as village_scheme_factory  # noqa: F401
from tests.cadres.test_tolerance_support import (
    AFTER_NOTICE,
    CST,
    METRIC,
    NOW,
    apply,
    decide,
    deduction_scheme,
    under_notice,
    verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def effective(xc_secretary: Any, org_dept: Any, unit: Any, **kw: Any) -> Any:
    case = under_notice(xc_secretary, org_dept, unit, **kw)
    close_notices(AFTER_NOTICE)
    case.refresh_from_db()
    assert case.state == ToleranceState.EFFECTIVE
    return case


def test_effective_cases_of_the_units_asked_in_the_period_waive_their_items(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    outsider: Any,
    django_assert_num_queries: Any,
) -> None:
    deduction_scheme(tree)
    village, neighbour = tree["village"], tree["neighbour_village"]
    case = effective(xc_secretary, org_dept, village, items=3)
    other = effective(xc_secretary, org_dept, neighbour, items=1)
    effective(outsider, org_dept, tree["other_village"], items=1)
    # not waiving: no metric, another month, refused, still being verified, under notice
    refused = apply(xc_secretary, village)
    verify(refused, org_dept)
    decide(refused, org_dept, tolerate=False)
    apply(xc_secretary, village)
    effective(xc_secretary, org_dept, village, metric="", items=0)
    effective(
        xc_secretary,
        org_dept,
        village,
        occurred_on=dt.date(2026, 9, 3),
        affected_month=dt.date(2026, 9, 1),
    )
    under_notice(xc_secretary, org_dept, village)  # last: close_notices would end it

    with django_assert_num_queries(1):
        found = tolerated(Period.parse("2026-10"), [village.pk, neighbour.pk])

    assert found == [
        Waiver(
            unit_id=village.pk,
            metric=METRIC,
            count=3,
            reason=f"{case.number} 试点村集体经济项目延误",
            reference=f"cadres.tolerance:{case.pk}",
        ),
        Waiver(
            unit_id=neighbour.pk,
            metric=METRIC,
            count=1,
            reason=f"{other.number} 试点村集体经济项目延误",
            reference=f"cadres.tolerance:{other.pk}",
        ),
    ]
    # a quarter holds both months; another month holds none; no units asked, no query
    assert [w.count for w in tolerated(Period.parse("2026-Q3"), [village.pk])] == [2]
    assert [w.count for w in tolerated(Period.parse("2026"), [village.pk])] == [3, 2]
    assert tolerated(Period.parse("2026-11"), [village.pk]) == []
    with django_assert_num_queries(0):
        assert tolerated(Period.parse("2026-10"), []) == []
    # the assessment finds the source by itself
    assert [w.reference for w in waivers_for(Period.parse("2026-10"), [village.pk])] == [
        f"cadres.tolerance:{case.pk}"
    ]


# --- end to end, with the real assessment ----------------------------------------------------

#: A week after the October deadlines: the events reported on 15 October are overdue.
COMPUTED_AT = dt.datetime(2026, 11, 2, 10, tzinfo=CST)


@pytest.fixture
def scheme(village_scheme_factory: Any) -> Any:  # noqa: F811 -- the imported fixture
    """The assessment tests' village scheme (patrol share, a veto on overdue events), with
    a deduction of 2 points per overdue event, at most 10."""
    from grassroots.assessment.models import Category, Indicator

    scheme = village_scheme_factory(shrinkage=False, significance=False)
    indicator = Indicator(
        scheme=scheme,
        code="overdue-deduction",
        name="事件超期扣分",
        category=Category.DEDUCTION,
        weight=Decimal(0),
        metric=METRIC,
        rule="per_item_deduction",
        params={"per_item": "2", "cap": "10"},
        direction="lower",
        position=9,
    )
    indicator.full_clean()
    indicator.save()
    return scheme


@pytest.mark.usefixtures("reported_events")
def test_a_tolerated_case_shrinks_the_units_deduction_and_the_result_says_why(
    tree: dict[str, Any],
    scheme: Any,
    org_dept: Any,
    xc_secretary: Any,
    city_admin: Any,
    village_cadre: Any,
    login: Any,
) -> None:
    from grassroots.assessment.actions import compute_run
    from grassroots.assessment.actions.publishing import publish_run
    from grassroots.assessment.models import Result, Score

    village, neighbour = tree["village"], tree["neighbour_village"]
    case = under_notice(xc_secretary, org_dept, village, items=2)

    def deduction(run: Any, unit: Any) -> Score:
        return Score.objects.get(run=run, unit=unit, indicator__code="overdue-deduction")

    def total(run: Any, unit: Any) -> Decimal:
        return Result.objects.get(run=run, unit=unit).total

    with time_machine.travel(COMPUTED_AT, tick=False):
        before = compute_run(scheme, "2026-10", actor=city_admin)  # still under notice
        assert close_notices().effective == [case.number]
        after = compute_run(scheme, "2026-10", actor=city_admin)
        publish_run(after, actor=city_admin)

    assert deduction(before, village).raw_value == 4  # four overdue events in 礼州村
    assert deduction(before, village).points == Decimal("-8.00")
    assert "waiver" not in deduction(before, village).explanation
    assert deduction(after, village).raw_value == 2  # two of them tolerated
    assert deduction(after, village).points == Decimal("-4.00")
    assert deduction(after, village).explanation["waiver"] == {
        "before": "4",
        "waived": 2,
        "reasons": [f"{case.number} 试点村集体经济项目延误"],
        "references": [f"cadres.tolerance:{case.pk}"],
    }
    assert total(after, village) - total(before, village) == Decimal("4.00")
    # the neighbour's deduction is its own
    assert deduction(before, neighbour).points == deduction(after, neighbour).points
    assert "waiver" not in deduction(after, neighbour).explanation

    client = login(village_cadre)
    client.cookies["django_language"] = "en"
    page = client.get(f"/assessment/runs/{after.pk}/units/{village.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Error tolerance (容错): 2 items waived, the count went from 4 to 2." in text
    assert f"{case.number} 试点村集体经济项目延误" in text
