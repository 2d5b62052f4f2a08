"""``oversight.cases_closed_on_time``: exact values, the roll-up to the township, the
evidence, one fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, get
from grassroots.oversight.actions import cases as actions
from tests.oversight.cases_support import (  # noqa: F401 -- the fixtures
    _clock,
    _media,
    at,
    open_case,
    pdf,
    requested,
    travel,
)

pytestmark = pytest.mark.django_db
SEPTEMBER = Period.parse("2026-09")


def _close(case: Any, actor: Any) -> None:
    actions.close_case(case, actor=actor, conclusion="整改到位", files=[pdf()])


def test_exact_values(
    committee_member: Any,
    supervisor: Any,
    tree: dict[str, Any],
    travel: Any,  # noqa: F811
) -> None:
    village, neighbour = tree["village"], tree["neighbour_village"]
    on_time = requested(committee_member, village, dt.date(2026, 9, 10))
    late = requested(committee_member, village, dt.date(2026, 9, 5))
    overdue = requested(committee_member, village, dt.date(2026, 9, 8))
    requested(committee_member, village, dt.date(2026, 9, 30))  # not yet due: left out
    requested(committee_member, village, dt.date(2026, 10, 5))  # due in October
    open_case(committee_member, village)  # no deadline: left out
    neighbour_on_time = requested(supervisor, neighbour, dt.date(2026, 9, 9))
    travel(at(2026, 9, 9, 10))
    _close(on_time, committee_member)
    _close(late, committee_member)
    _close(neighbour_on_time, supervisor)
    travel(at(2026, 9, 12, 10))
    metric = get("oversight.cases_closed_on_time")
    values = {
        v.unit_id: v
        for v in metric(SEPTEMBER, [village, neighbour, tree["lizhou"], tree["anning"]])
    }
    # 礼州村: on time 1 of 3 decided (on_time; late closed 9-9 after 9-5; overdue past 9-8).
    assert (values[village.pk].numerator, values[village.pk].denominator) == (1, 3)
    assert values[village.pk].value == Decimal("33.33")
    assert values[neighbour.pk].value == Decimal("100.00")
    assert (values[tree["lizhou"].pk].numerator, values[tree["lizhou"].pk].denominator) == (2, 4)
    assert values[tree["lizhou"].pk].value == Decimal("50.00")
    assert values[tree["anning"].pk].value is None
    evidence = list(metric.evidence(village.pk, SEPTEMBER))
    assert {c.pk for c in evidence} == {on_time.pk, late.pk, overdue.pk}
    assert {c.pk for c in evidence if c.in_numerator} == {on_time.pk}


def test_one_fixed_number_of_queries(committee_member: Any, tree: dict[str, Any]) -> None:
    requested(committee_member, tree["village"], dt.date(2026, 9, 10))
    metric = get("oversight.cases_closed_on_time")
    units = [tree["village"], tree["neighbour_village"], tree["lizhou"]]
    with CaptureQueriesContext(connection) as few:
        metric(SEPTEMBER, units[:1])
    with CaptureQueriesContext(connection) as many:
        metric(SEPTEMBER, units)
    assert len(few) == len(many) == 1
    with CaptureQueriesContext(connection) as default:
        metric(SEPTEMBER)
    assert len(default) == 2


def test_a_later_deadline_set_on_return_does_not_make_a_late_case_on_time(
    committee_member: Any,
    village_cadre: Any,
    tree: dict[str, Any],
    travel: Any,  # noqa: F811
) -> None:
    """Returning a case with a new deadline moves the village's deadline, not the figure's."""
    village = tree["village"]
    travel(at(2026, 9, 1, 9))
    case = requested(committee_member, village, dt.date(2026, 9, 5))
    actions.respond(case, actor=village_cadre, response="已公开")
    travel(at(2026, 9, 4, 9))
    actions.return_case(
        case, actor=committee_member, note="缺少明细", deadline=dt.date(2026, 9, 20)
    )
    travel(at(2026, 9, 15, 9))
    actions.respond(case, actor=village_cadre, response="已补充明细")
    _close(case, committee_member)
    case.refresh_from_db()
    assert case.deadline == dt.date(2026, 9, 20)
    assert case.first_deadline == dt.date(2026, 9, 5)
    value = get("oversight.cases_closed_on_time")(SEPTEMBER, [village])[0]
    assert (value.numerator, value.denominator) == (0, 1)
