"""``registers.monitor_review_on_time_rate``: review due dates reconstructed from the
reviews (pure), and the figures of a small tree in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, get
from grassroots.registers.actions import poverty as actions
from grassroots.registers.programme import Dues, review_dues

D = dt.date
Q2 = (D(2026, 4, 1), D(2026, 6, 30))
JULY_15 = D(2026, 7, 15)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(dt.datetime(2026, 7, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def dues(
    since: dt.date, reviews: list[dt.date], *, closed: bool = False, today: dt.date = JULY_15
) -> Dues:
    first, last = Q2
    return review_dues(since, reviews, 90, closed=closed, first=first, last=last, today=today)


def test_due_dates_follow_the_reviews() -> None:
    # since 2026-01-10 → due 04-10 (in Q2), met on 04-01 → next due 06-30 (in Q2), missed
    assert dues(D(2026, 1, 10), [D(2026, 4, 1)]) == Dues(due=2, on_time=1)
    # reviewed late on 04-20 → due 04-10 missed; next due 07-19 is after Q2
    assert dues(D(2026, 1, 10), [D(2026, 4, 20)]) == Dues(due=1, on_time=0)
    # nothing due in Q2
    assert dues(D(2026, 4, 5), []) == Dues(due=0, on_time=0)
    # a due date not yet passed and not met is not counted
    assert dues(D(2026, 1, 10), [], today=D(2026, 4, 5)) == Dues(due=0, on_time=0)
    # met ahead of time: counted even before it comes
    assert dues(D(2026, 1, 10), [D(2026, 4, 1)], today=D(2026, 4, 2)) == Dues(due=1, on_time=1)
    # closed at its review: no due date after it
    assert dues(D(2026, 1, 10), [D(2026, 4, 1)], closed=True) == Dues(due=1, on_time=1)


@pytest.mark.django_db
def test_the_figures_of_a_small_tree(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any, make_household: Any
) -> None:
    neighbour_grid = tree["neighbour_village"].children.create(
        code="513401101202001", name="田坝村第1网格", kind="grid"
    )

    def watch(actor: Any, household: Any, since: dt.date) -> Any:
        return actions.put_under_monitoring(
            actor=actor,
            household=household,
            kind="edge",
            risks=["illness"],
            since=since,
            members=2,
            income_per_capita="5000",
        )

    on_time = watch(village_cadre, make_household(), D(2026, 1, 10))
    actions.record_review(
        on_time.pk, actor=village_cadre, reviewed_on=D(2026, 4, 1), income_per_capita="5200"
    )
    actions.record_review(
        on_time.pk, actor=village_cadre, reviewed_on=D(2026, 6, 25), income_per_capita="5300"
    )
    late = watch(neighbour_cadre, make_household(grid=neighbour_grid), D(2026, 1, 20))
    actions.record_review(
        late.pk, actor=neighbour_cadre, reviewed_on=D(2026, 5, 1), income_per_capita="1"
    )
    units = [tree["lizhou"], tree["village"], tree["neighbour_village"], tree["anning"]]
    metric = get("registers.monitor_review_on_time_rate")
    with CaptureQueriesContext(connection) as ctx:
        found = {v.unit_id: v for v in metric(Period.parse("2026-Q2"), units)}
    assert len(ctx.captured_queries) == 2  # the monitorings with their reviews, policies
    assert (found[tree["village"].pk].numerator, found[tree["village"].pk].denominator) == (
        2,
        2,
    )
    assert found[tree["village"].pk].value == Decimal("100.00")
    assert found[tree["neighbour_village"].pk].value == Decimal("0.00")  # 04-20 met 05-01
    assert found[tree["lizhou"].pk].value == Decimal("66.67")  # 2 of 3
    assert found[tree["anning"].pk].value is None
    evidence = metric.evidence(tree["lizhou"].pk, Period.parse("2026-Q2"))
    assert {m.pk for m in evidence} == {on_time.pk, late.pk}
